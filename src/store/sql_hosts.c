/*
 * sql_hosts.c: what discovery remembers per device between runs, written
 * once for every SQL engine with the statement helper (db.h): SSH host
 * keys and the credential that worked (table ssh_host, store_ssh.h) and
 * the windows credential that worked (table windows_host,
 * store_winrpc.h). Only credential names are stored, never a secret.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_ops.h"
#include "store/sql_row.h"
#include "store/store_winrpc.h"

/* The org bound to ?1 and its descendants as the CTE t(id); a device d is
 * in it when HOSTS_IN_TREE (0 means every org). */
#define HOSTS_TREE                                                             \
	"WITH RECURSIVE t(id) AS (SELECT id FROM org WHERE id = ?1"            \
	" UNION SELECT org.id FROM org JOIN t ON org.parent_id = t.id) "
#define HOSTS_IN_TREE "(?1 = 0 OR d.org_id IN (SELECT id FROM t))"

/* {ip: row} of s's rows (bound; column 1 is the address), each row named
 * by cols; a later row of an address replaces the earlier one. */
static json_t *hosts_map(struct db_stmt *s, const char *const *cols)
{
	json_t *map, *row;
	int rc;

	if (!s)
		return NULL;
	map = json_object();
	while ((rc = db_step(s)) == DB_ROW) {
		const char *ip = db_text(s, 1);

		if (!ip)
			continue;
		row = sql_row_object(s, cols);
		json_object_del(row, "ip");
		json_object_set_new(map, ip, row);
	}
	if (rc < 0) {
		json_decref(map);
		return NULL;
	}
	db_reset(s);
	return map;
}

/* Drops the members of map's rows whose value is null (what the SQLite version
 * left out). */
static void hosts_drop_nulls(json_t *map)
{
	const char *ip, *k;
	json_t *row, *v;
	void *tmp;

	json_object_foreach(map, ip, row) {
		json_object_foreach_safe(row, tmp, k, v) {
			if (json_is_null(v))
				json_object_del(row, k);
		}
	}
}

json_t *sql_ssh_host_map(struct store *st, int64_t org_id)
{
	static const char *const cols[] = {
		"i:device_id", "t:ip",		 "i:port",
		"t:hostkey",   "t:hostkey_type", "t:credential",
		"t:last_seen", "i:org_id",	 NULL};
	/* oldest first: a later sighting of an address replaces the row */
	struct db_stmt *s = db_stmt(
		st, HOSTS_TREE
		"SELECT h.device_id, h.ip, h.port, h.hostkey,"
		" h.hostkey_type, h.credential, h.last_seen, d.org_id"
		" FROM ssh_host h LEFT JOIN device d ON d.id = h.device_id"
		" WHERE " HOSTS_IN_TREE " ORDER BY h.last_seen, h.device_id");
	json_t *map;

	if (s)
		db_bind_int64(s, 1, org_id);
	map = hosts_map(s, cols);
	if (!map)
		log_err("database: cannot read the SSH host keys");
	hosts_drop_nulls(map);
	return map;
}

/* A text to bind where "" means unknown (NULL). */
static const char *hosts_text(const char *v)
{
	return v && *v ? v : NULL;
}

int sql_ssh_host_set(struct store *st, const struct store_ssh_host *h)
{
	struct db_stmt *s;
	char now[20];

	if (h->device_id <= 0 || !h->ip || !*h->ip) {
		log_err("database: SSH host facts need a device and an "
			"address");
		return -1;
	}
	s = db_stmt(st,
		    "INSERT INTO ssh_host (device_id, ip, port, hostkey,"
		    " hostkey_type, credential, first_seen, last_seen)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
		    " ON CONFLICT (device_id) DO UPDATE SET ip = ?2, port = ?3,"
		    " hostkey = coalesce(?4, ssh_host.hostkey),"
		    " hostkey_type = coalesce(?5, ssh_host.hostkey_type),"
		    " credential = coalesce(?6, ssh_host.credential),"
		    " last_seen = ?7");
	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, h->device_id);
	db_bind_text(s, 2, h->ip);
	db_bind_int64(s, 3, h->port ? (int)h->port : 22);
	db_bind_text(s, 4, hosts_text(h->hostkey));
	db_bind_text(s, 5, hosts_text(h->hostkey_type));
	db_bind_text(s, 6, hosts_text(h->credential));
	db_bind_text(s, 7, now);
	if (db_exec(s) < 0) {
		log_err("database: cannot record the SSH host key of device "
			"%lld (%s)",
			(long long)h->device_id, h->ip);
		return -1;
	}
	return 0;
}

json_t *store_windows_host_map(struct store *st, int64_t org_id)
{
	static const char *const cols[] = {"i:device_id", "t:ip",
					   "t:credential", "t:last_seen", NULL};
	/* oldest first: a later sighting of an address replaces the row */
	struct db_stmt *s = db_stmt(
		st, HOSTS_TREE
		"SELECT h.device_id, h.ip, h.credential,"
		" coalesce(h.last_seen, '') FROM windows_host h"
		" JOIN device d ON d.id = h.device_id WHERE " HOSTS_IN_TREE
		" AND h.credential IS NOT NULL"
		" ORDER BY h.last_seen, h.device_id");
	json_t *map;

	if (s)
		db_bind_int64(s, 1, org_id);
	map = hosts_map(s, cols);
	if (!map)
		log_err("database: cannot read the windows credentials that "
			"worked");
	return map;
}

int store_windows_host_set(struct store *st, int64_t device_id, const char *ip,
			   const char *credential)
{
	struct db_stmt *s;
	char now[20];

	if (device_id <= 0 || !ip || !*ip || !credential || !*credential) {
		log_err("database: a windows credential record needs a "
			"device, an address and a name");
		return -1;
	}
	s = db_stmt(st, "INSERT INTO windows_host (device_id, ip, credential,"
			" first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)"
			" ON CONFLICT (device_id) DO UPDATE SET ip = ?2,"
			" credential = ?3, last_seen = ?4");
	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, device_id);
	db_bind_text(s, 2, ip);
	db_bind_text(s, 3, credential);
	db_bind_text(s, 4, now);
	if (db_exec(s) < 0) {
		log_err("database: cannot record the windows credential of "
			"device %lld (%s)",
			(long long)device_id, ip);
		return -1;
	}
	return 0;
}
