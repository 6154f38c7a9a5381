/*
 * sqlite_winrpc.c: the windows credential that worked last per device on
 * SQLite (table windows_host of migration 9); see store_winrpc.h.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store_winrpc.h"

json_t *store_windows_host_map(struct store *st, int64_t org_id)
{
	if (sqlite_only(st, __func__))
		return NULL;
	/* oldest first: a later sighting of an address replaces the row */
	sqlite3_stmt *s = sqlite_store_stmt(
		st, SQLITE_ORG_TREE
		"SELECT h.device_id, h.ip, h.credential, h.last_seen"
		" FROM windows_host h JOIN device d ON d.id = h.device_id"
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
		const char *cred = (const char *)sqlite3_column_text(s, 2);
		const char *seen = (const char *)sqlite3_column_text(s, 3);

		if (!ip || !cred)
			continue;
		json_object_set_new(
			map, ip,
			json_pack("{sIssss}", "device_id",
				  (json_int_t)sqlite3_column_int64(s, 0),
				  "credential", cred, "last_seen",
				  seen ? seen : ""));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: cannot read the windows credentials that "
			"worked: %s",
			sqlite3_errmsg(sqlite_of(st)->db));
		json_decref(map);
		return NULL;
	}
	return map;
}

int store_windows_host_set(struct store *st, int64_t device_id, const char *ip,
			   const char *credential)
{
	if (sqlite_only(st, __func__))
		return -1;
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO windows_host (device_id, ip, credential,"
		    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)"
		    " ON CONFLICT (device_id) DO UPDATE SET ip = ?2,"
		    " credential = ?3, last_seen = ?4");
	char now[20];
	int rc;

	if (!s)
		return -1;
	if (device_id <= 0 || !ip || !*ip || !credential || !*credential) {
		sqlite3_reset(s);
		log_err("database: a windows credential record needs a "
			"device, an address and a name");
		return -1;
	}
	util_now(now);
	sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_text(s, 2, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, credential, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: cannot record the windows credential of "
			"device %lld (%s): %s",
			(long long)device_id, ip,
			sqlite3_errmsg(sqlite_of(st)->db));
		return -1;
	}
	return 0;
}
