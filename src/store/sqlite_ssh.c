/*
 * sqlite_ssh.c: SSH host keys and last working credential per device on
 * SQLite (table ssh_host of migration 4); see store_ssh.h.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store_ssh.h"

static void ssh_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void ssh_row_set(json_t *row, const char *k, sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	if (v)
		json_object_set_new(row, k, json_string((const char *)v));
}

json_t *sqlite_ssh_host_map(struct store *st, int64_t org_id)
{
	/* oldest first: a later sighting of an address replaces the row */
	sqlite3_stmt *s = sqlite_store_stmt(
		st, SQLITE_ORG_TREE
		"SELECT h.device_id, h.ip, h.port, h.hostkey,"
		" h.hostkey_type, h.credential, h.last_seen, d.org_id"
		" FROM ssh_host h LEFT JOIN device d ON d.id = h.device_id"
		" WHERE " SQLITE_IN_ORG_TREE
		" ORDER BY h.last_seen, h.device_id");
	json_t *map;
	int rc;

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, org_id);
	map = json_object();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ip = (const char *)sqlite3_column_text(s, 1);
		json_t *row;

		if (!ip)
			continue;
		row = json_pack("{sIsi}", "device_id",
				(json_int_t)sqlite3_column_int64(s, 0), "port",
				sqlite3_column_int(s, 2));
		ssh_row_set(row, "hostkey", s, 3);
		ssh_row_set(row, "hostkey_type", s, 4);
		ssh_row_set(row, "credential", s, 5);
		ssh_row_set(row, "last_seen", s, 6);
		if (sqlite3_column_type(s, 7) != SQLITE_NULL)
			json_object_set_new(
				row, "org_id",
				json_integer(sqlite3_column_int64(s, 7)));
		json_object_set_new(map, ip, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: cannot read the SSH host keys: %s",
			sqlite3_errmsg(sqlite_of(st)->db));
		json_decref(map);
		return NULL;
	}
	return map;
}

int sqlite_ssh_host_set(struct store *st, const struct store_ssh_host *h)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO ssh_host (device_id, ip, port, hostkey,"
		    " hostkey_type, credential, first_seen, last_seen)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
		    " ON CONFLICT (device_id) DO UPDATE SET ip = ?2, port = ?3,"
		    " hostkey = coalesce(?4, hostkey),"
		    " hostkey_type = coalesce(?5, hostkey_type),"
		    " credential = coalesce(?6, credential), last_seen = ?7");
	char now[20];
	int rc;

	if (!s)
		return -1;
	if (h->device_id <= 0 || !h->ip || !*h->ip) {
		sqlite3_reset(s);
		log_err("database: SSH host facts need a device and an "
			"address");
		return -1;
	}
	util_now(now);
	sqlite3_bind_int64(s, 1, h->device_id);
	sqlite3_bind_text(s, 2, h->ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, h->port ? (int)h->port : 22);
	ssh_bind_text(s, 4, h->hostkey);
	ssh_bind_text(s, 5, h->hostkey_type);
	ssh_bind_text(s, 6, h->credential);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: cannot record the SSH host key of device "
			"%lld (%s): %s",
			(long long)h->device_id, h->ip,
			sqlite3_errmsg(sqlite_of(st)->db));
		return -1;
	}
	return 0;
}
