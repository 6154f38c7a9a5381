/*
 * sql_session: store_session.h, written once for every SQL engine with
 * the API's statement helpers (sql_api_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "store/db.h"
#include "store/sql_api_int.h"
#include "store/store_session.h"

int store_session_add(struct store *st, const char *hash, const char *user,
		      const char *csrf, const char *stamp, int64_t now)
{
	json_t *params = json_pack("[sssIIs]", hash, csrf, stamp,
				   (json_int_t)now, (json_int_t)now, user);
	int64_t n = 0;

	if (sql_api_exec(st,
			 "INSERT INTO session (hash, user_id, csrf, stamp,"
			 " created, last) SELECT ?, id, ?, ?, ?, ?"
			 " FROM \"user\" WHERE name = ?",
			 params) < 0)
		return -1;
	params = json_pack("[s]", hash);
	if (sql_api_scalar(st, "SELECT count(*) FROM session WHERE hash = ?",
			   params, &n) < 0)
		n = 0;
	json_decref(params);
	if (n != 1) {
		log_err("cannot start a session for '%s': no such user", user);
		return -1;
	}
	return 0;
}

int store_session_get(struct store *st, const char *hash,
		      struct store_session *s)
{
	struct db_stmt *q;
	int rc;

	memset(s, 0, sizeof(*s));
	q = db_stmt(st, "SELECT u.name, s.csrf, s.stamp, s.created, s.last"
			" FROM session s JOIN \"user\" u ON u.id = s.user_id"
			" WHERE s.hash = ?1");
	if (!q)
		return -1;
	db_bind_text(q, 1, hash);
	rc = db_step(q);
	if (rc == DB_ROW) {
		snprintf(s->user, sizeof(s->user), "%s", db_text(q, 0));
		snprintf(s->csrf, sizeof(s->csrf), "%s", db_text(q, 1));
		snprintf(s->stamp, sizeof(s->stamp), "%s", db_text(q, 2));
		s->created = db_int64(q, 3);
		s->last = db_int64(q, 4);
	}
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int store_session_touch(struct store *st, const char *hash, int64_t now)
{
	return sql_api_exec(st, "UPDATE session SET last = ? WHERE hash = ?",
			    json_pack("[Is]", (json_int_t)now, hash));
}

int store_session_delete(struct store *st, const char *hash)
{
	return sql_api_exec(st, "DELETE FROM session WHERE hash = ?",
			    json_pack("[s]", hash));
}

int store_session_delete_user(struct store *st, const char *user, int64_t *n)
{
	json_t *params = json_pack("[s]", user);
	int64_t have = 0;
	int rc;

	rc = sql_api_scalar(st,
			    "SELECT count(*) FROM session WHERE user_id IN"
			    " (SELECT id FROM \"user\" WHERE name = ?)",
			    params, &have);
	json_decref(params);
	if (rc == 0)
		rc = sql_api_exec(st,
				  "DELETE FROM session WHERE user_id IN"
				  " (SELECT id FROM \"user\" WHERE name = ?)",
				  json_pack("[s]", user));
	if (n)
		*n = rc == 0 ? have : 0;
	return rc;
}

int store_session_purge(struct store *st, int64_t idle_before,
			int64_t created_before)
{
	return sql_api_exec(st,
			    "DELETE FROM session WHERE last < ? OR created < ?",
			    json_pack("[II]", (json_int_t)idle_before,
				      (json_int_t)created_before));
}
