/*
 * sql_devices.c: devices, matching, components, the change log and the
 * audit log, written once for every SQL engine with the statement helper
 * (db.h). Both back ends' tables (sqlite_ops.c, pg.c) point at these.
 *
 * The device statements are built once per process from the column list
 * of report/fields.c, which must follow migrations.c (both engines'
 * schemas have the same device columns).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "report/fields.h"
#include "store/db.h"
#include "store/sql_ops.h"
#include "store/store.h"

#define STORE_FIND_MAX_FIELDS 6

/* The device columns holding sys fields are report/fields.h's; every
 * other sys field goes to the JSON column "extra". */
#define DEVICE_NCOLS FIELD_NCOLUMNS

/* A LIMIT of "no limit" both engines accept (SQLite's -1 is an error on
 * PostgreSQL). */
#define SQL_NO_LIMIT INT64_MAX

static struct {
	pthread_once_t once;
	char *insert, *update, *get, *list;
} dev_sql = {.once = PTHREAD_ONCE_INIT};

static void dev_sql_build(void)
{
	struct strbuf cols, qs, set;
	int i;

	strbuf_init(&cols, 0);
	strbuf_init(&qs, 0);
	strbuf_init(&set, 0);
	for (i = 0; i < DEVICE_NCOLS; i++) {
		strbuf_printf(&cols, "%s, ", fields_column(i));
		strbuf_printf(&qs, "?%d, ", i + 2);
		strbuf_printf(&set, "%s = ?%d, ", fields_column(i), i + 2);
	}
	/* insert: ?1 org_id, ?2.. columns, extra, now */
	dev_sql.insert = xasprintf(
		"INSERT INTO device (org_id, %sextra, first_seen, last_seen) "
		"VALUES (?1, %s?%d, ?%d, ?%d) RETURNING id",
		cols.data, qs.data, DEVICE_NCOLS + 2, DEVICE_NCOLS + 3,
		DEVICE_NCOLS + 3);
	/* update: ?1 id, ?2.. columns, extra, now */
	dev_sql.update =
		xasprintf("UPDATE device SET %sextra = ?%d, last_seen = ?%d "
			  "WHERE id = ?1",
			  set.data, DEVICE_NCOLS + 2, DEVICE_NCOLS + 3);
	dev_sql.get = xasprintf(
		"SELECT id, org_id, %sextra, first_seen, last_seen FROM device "
		"WHERE id = ?1",
		cols.data);
	dev_sql.list = xasprintf(
		"SELECT id, org_id, %sextra, first_seen, last_seen FROM device "
		"ORDER BY id LIMIT ?1 OFFSET ?2",
		cols.data);
	strbuf_free(&cols);
	strbuf_free(&qs);
	strbuf_free(&set);
}

/* The device statement whose text *sql points to, built on first use. */
static struct db_stmt *dev_stmt(struct store *st, char *const *sql)
{
	pthread_once(&dev_sql.once, dev_sql_build);
	return db_stmt(st, *sql);
}

/* ---- counts ---- */

json_t *sql_counts(struct store *st)
{
	static const char *const names[] = {
		"devices", "components", "components_current",
		"changes", "audits",	 "orgs",
		"users"};
	struct db_stmt *s = db_stmt(
		st, "SELECT (SELECT count(*) FROM device),"
		    " (SELECT count(*) FROM component),"
		    " (SELECT count(*) FROM component WHERE current = 1),"
		    " (SELECT count(*) FROM change_log),"
		    " (SELECT count(*) FROM audit_log),"
		    " (SELECT count(*) FROM org),"
		    " (SELECT count(*) FROM \"user\")");
	json_t *o;
	size_t i;

	if (!s || db_step(s) != DB_ROW) {
		db_reset(s);
		return NULL;
	}
	o = json_object();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(o, names[i],
				    json_integer(db_int64(s, (int)i)));
	db_reset(s);
	return o;
}

/* ---- orgs ---- */

int sql_org_find(struct store *st, const char *name, int64_t *id)
{
	struct db_stmt *s;
	long num;
	int rc;

	*id = 0;
	s = db_stmt(st, "SELECT id FROM org WHERE name = ?1"
			" UNION ALL SELECT id FROM org WHERE id = ?2"
			" LIMIT 1");
	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	/* A number also names the org with that id. */
	if (util_parse_long(name, 1, INT32_MAX, &num) == 0)
		db_bind_int64(s, 2, num);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_int64(s, 0);
	db_reset(s);
	if (rc == DB_DONE)
		log_err("no org named '%s' ('netcensus admin org list' shows "
			"them)",
			name);
	return rc == DB_ROW ? 0 : -1;
}

/* ---- devices ---- */

static int dev_column_index(const char *name)
{
	int i;

	for (i = 0; i < DEVICE_NCOLS; i++)
		if (!strcmp(fields_column(i), name))
			return i;
	return -1;
}

/* Binds the device columns at first.. and "extra" right after them. */
static void dev_bind_sys(struct db_stmt *s, int first, json_t *sys)
{
	json_t *extra = json_object(), *v;
	const char *name;
	int col;

	json_object_foreach(sys, name, v) {
		if (fields_has(name, FIELD_OWNED) || json_is_null(v))
			continue;
		col = dev_column_index(name);
		if (col < 0 || db_bind_scalar(s, first + col, v) < 0)
			json_object_set(extra, name, v);
	}
	db_bind_json(s, first + DEVICE_NCOLS, extra);
	json_decref(extra);
}

/* The device object for a row of dev_sql.get / dev_sql.list. */
static json_t *dev_row(struct db_stmt *s)
{
	json_t *o = db_json_object(s, 2 + DEVICE_NCOLS);
	int i;

	for (i = 0; i < DEVICE_NCOLS; i++) {
		const char *v = db_text(s, 2 + i);

		if (v)
			json_object_set_new(o, fields_column(i),
					    json_string(v));
	}
	json_object_set_new(o, "id", json_integer(db_int64(s, 0)));
	json_object_set_new(o, "org_id", json_integer(db_int64(s, 1)));
	json_object_set_new(o, "first_seen",
			    json_string(db_text(s, 3 + DEVICE_NCOLS)));
	json_object_set_new(o, "last_seen",
			    json_string(db_text(s, 4 + DEVICE_NCOLS)));
	return o;
}

/* ---- matching ----
 * Every match query starts from the same org filter: the report's org and
 * its descendants (the recursive CTE "tree", org id bound to ?1), the row
 * limit is ?2 and the values start at ?3. The org test is written
 * "+d.org_id" so that SQLite never walks device_org (every device of the
 * org) instead of the selective index of the compared field. */
#define MATCH_TREE                                                             \
	"WITH RECURSIVE tree(id) AS (SELECT CAST(?1 AS BIGINT) UNION"          \
	" SELECT org.id FROM org JOIN tree ON org.parent_id = tree.id) "
#define MATCH_IN_TREE "+d.org_id IN (SELECT id FROM tree)"
/* (The component branches join with CROSS JOIN for the same reason: the
 * component's mac or ip index first, whatever the statistics say.) */

/* Runs the match query sql with values (?3...): up to max ids into ids. */
static int dev_match(struct store *st, const char *sql, int64_t org_id,
		     const char *const *values, int nvalues, int64_t *ids,
		     int max, int *n)
{
	struct db_stmt *s = db_stmt(st, sql);
	int i, rc;

	*n = 0;
	if (!s)
		return -1;
	db_bind_int64(s, 1, org_id);
	db_bind_int64(s, 2, max);
	for (i = 0; i < nvalues; i++)
		db_bind_text(s, i + 3, values[i]);
	while ((rc = db_step(s)) == DB_ROW && *n < max)
		ids[(*n)++] = db_int64(s, 0);
	if (rc < 0)
		return -1;
	db_reset(s);
	return 0;
}

int sql_match_fields(struct store *st, int64_t org_id,
		     const char *const *fields, const char *const *values,
		     int nfields, int64_t *ids, int max, int *n)
{
	struct strbuf sql;
	int i, rc;

	*n = 0;
	if (nfields < 1 || nfields > STORE_FIND_MAX_FIELDS) {
		log_err("device find: %d fields (1 to %d allowed)", nfields,
			STORE_FIND_MAX_FIELDS);
		return -1;
	}
	strbuf_init(&sql, 0);
	strbuf_puts(&sql,
		    MATCH_TREE "SELECT id FROM device d WHERE " MATCH_IN_TREE);
	for (i = 0; i < nfields; i++) {
		/* only known column names reach the SQL text */
		if (dev_column_index(fields[i]) < 0 || !values[i]) {
			log_err("device find: '%s' is not a device column",
				fields[i]);
			strbuf_free(&sql);
			return -1;
		}
		strbuf_printf(&sql, " AND d.%s = ?%d", fields[i], i + 3);
	}
	strbuf_puts(&sql, " ORDER BY id LIMIT ?2");
	rc = dev_match(st, sql.data, org_id, values, nfields, ids, max, n);
	strbuf_free(&sql);
	return rc;
}

int sql_match_mac(struct store *st, int64_t org_id, const char *mac,
		  int64_t *ids, int max, int *n)
{
	return dev_match(
		st,
		MATCH_TREE
		"SELECT id FROM device d WHERE d.mac = ?3 AND " MATCH_IN_TREE
		" UNION SELECT c.device_id FROM component c"
		" CROSS JOIN device d ON d.id = c.device_id WHERE c.mac = ?3"
		" AND c.current = 1 AND c.section IN ('network', 'ip') "
		"AND " MATCH_IN_TREE " ORDER BY 1 LIMIT ?2",
		org_id, &mac, 1, ids, max, n);
}

/* The serial test on d is written with coalesce() so that it cannot use
 * device_serial: SQLite took "serial IS NULL OR serial = ''" as two
 * selective index lookups and walked every device without a serial (all
 * the discovered network gear of a real store: 4 ms for 5,000 of them, on
 * every new device's intake) instead of starting from component_ip. */
int sql_match_ip(struct store *st, int64_t org_id, const char *ip, int64_t *ids,
		 int max, int *n)
{
	return dev_match(
		st,
		MATCH_TREE
		"SELECT id FROM device d WHERE d.ip = ?3"
		" AND coalesce(d.serial, '') = '' AND " MATCH_IN_TREE
		" UNION SELECT d.id FROM component c"
		" CROSS JOIN device d ON d.id = c.device_id"
		" WHERE c.ip = ?3 AND c.current = 1 AND c.section = 'ip'"
		" AND coalesce(d.serial, '') = '' AND " MATCH_IN_TREE
		" ORDER BY 1 LIMIT ?2",
		org_id, &ip, 1, ids, max, n);
}

int sql_device_find(struct store *st, const char *const *fields,
		    const char *const *values, int n, int64_t *id)
{
	int found;

	*id = 0;
	return store_match_fields(st, STORE_ORG_ROOT, fields, values, n, id, 1,
				  &found);
}

json_t *sql_device_get(struct store *st, int64_t id)
{
	struct db_stmt *s = dev_stmt(st, &dev_sql.get);
	json_t *o = NULL;
	int rc;

	if (!s)
		return NULL;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		o = dev_row(s);
	else if (rc == DB_DONE)
		/* not an error of the store: callers say it their way */
		log_debug("database: no device with id %" PRId64, id);
	else
		return NULL;
	db_reset(s);
	return o;
}

json_t *sql_device_list(struct store *st, int64_t limit, int64_t offset)
{
	struct db_stmt *s = dev_stmt(st, &dev_sql.list);

	if (!s)
		return NULL;
	db_bind_int64(s, 1, limit > 0 ? limit : SQL_NO_LIMIT);
	db_bind_int64(s, 2, offset > 0 ? offset : 0);
	return db_collect(s, dev_row);
}

/*
 * The device INSERT and UPDATE bind the same columns: ?1 is the org id
 * (insert) or the device id (update), then the system columns, then the
 * time stamp.
 */
static void dev_bind_write(struct db_stmt *s, int64_t key, json_t *sys,
			   const char *now)
{
	db_bind_int64(s, 1, key);
	dev_bind_sys(s, 2, sys);
	db_bind_text(s, DEVICE_NCOLS + 3, now);
}

int sql_device_insert(struct store *st, int64_t org_id, json_t *sys,
		      const char *now, int64_t *id)
{
	struct db_stmt *s = dev_stmt(st, &dev_sql.insert);
	int rc;

	if (!s)
		return -1;
	dev_bind_write(s, org_id, sys, now);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

/* Runs s (its parameters bound), which must change the device id. */
static int dev_exec_one(struct db_stmt *s, int64_t id)
{
	if (db_exec(s))
		return -1;
	if (db_changes(s) == 0) {
		log_err("database: no device with id %" PRId64, id);
		return -1;
	}
	return 0;
}

int sql_device_update(struct store *st, int64_t id, json_t *sys,
		      const char *now)
{
	struct db_stmt *s = dev_stmt(st, &dev_sql.update);

	if (!s)
		return -1;
	dev_bind_write(s, id, sys, now);
	return dev_exec_one(s, id);
}

int sql_device_delete(struct store *st, int64_t id)
{
	struct db_stmt *s = db_stmt(st, "DELETE FROM device WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	return dev_exec_one(s, id);
}

/* ---- components ---- */

static json_t *comp_row(struct db_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(db_int64(s, 0)));
	json_object_set_new(o, "section", json_string(db_text(s, 1)));
	json_object_set_new(o, "key", json_string(db_text(s, 2)));
	json_object_set_new(o, "current", json_integer(db_int64(s, 3)));
	json_object_set_new(o, "first_seen", json_string(db_text(s, 4)));
	json_object_set_new(o, "last_seen", json_string(db_text(s, 5)));
	json_object_set_new(o, "data", db_json_object(s, 6));
	return o;
}

json_t *sql_component_list(struct store *st, int64_t device_id,
			   const char *section, int current_only)
{
	struct db_stmt *s;

	if (section)
		s = db_stmt(st, "SELECT id, section, key, current, first_seen,"
				" last_seen, data FROM component WHERE"
				" device_id = ?1 AND current >= ?2 AND"
				" section = ?3 ORDER BY key");
	else
		s = db_stmt(st, "SELECT id, section, key, current, first_seen,"
				" last_seen, data FROM component WHERE"
				" device_id = ?1 AND current >= ?2"
				" ORDER BY section, key");
	if (!s)
		return NULL;
	db_bind_int64(s, 1, device_id);
	db_bind_int64(s, 2, current_only ? 1 : 0);
	if (section)
		db_bind_text(s, 3, section);
	return db_collect(s, comp_row);
}

static json_t *first_text(struct db_stmt *s)
{
	return json_string(db_text(s, 0));
}

json_t *sql_component_sections(struct store *st, int64_t device_id)
{
	struct db_stmt *s = db_stmt(
		st,
		"SELECT DISTINCT section FROM component WHERE device_id = ?1"
		" ORDER BY section");

	if (!s)
		return NULL;
	db_bind_int64(s, 1, device_id);
	return db_collect(s, first_text);
}

/* Binds data and its mac, ip and name fields at first.. first+3. */
static void comp_bind_data(struct db_stmt *s, int first, json_t *data)
{
	static const char *const copied[] = {"mac", "ip", "name"};
	int i;

	db_bind_json(s, first, data);
	for (i = 0; i < 3; i++) {
		const char *v =
			json_string_value(json_object_get(data, copied[i]));

		db_bind_text(s, first + 1 + i, v && *v ? v : NULL);
	}
}

int sql_component_insert(struct store *st, int64_t device_id,
			 const char *section, const char *key, json_t *data,
			 const char *now)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO component (device_id, section, key, data, mac,"
		    " ip, name, current, first_seen, last_seen)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8)");

	if (!s)
		return -1;
	db_bind_int64(s, 1, device_id);
	db_bind_text(s, 2, section);
	db_bind_text(s, 3, key);
	comp_bind_data(s, 4, data);
	db_bind_text(s, 8, now);
	return db_exec(s);
}

int sql_component_update(struct store *st, int64_t component_id, json_t *data,
			 const char *now)
{
	struct db_stmt *s;

	if (data)
		s = db_stmt(st, "UPDATE component SET data = ?2, mac = ?3,"
				" ip = ?4, name = ?5, current = 1,"
				" last_seen = ?6 WHERE id = ?1");
	else
		s = db_stmt(st, "UPDATE component SET current = 1,"
				" last_seen = ?2 WHERE id = ?1");
	if (!s)
		return -1;
	db_bind_int64(s, 1, component_id);
	if (data)
		comp_bind_data(s, 2, data);
	db_bind_text(s, data ? 6 : 2, now);
	return db_exec(s);
}

int sql_component_retire(struct store *st, int64_t component_id)
{
	struct db_stmt *s =
		db_stmt(st, "UPDATE component SET current = 0 WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, component_id);
	return db_exec(s);
}

int sql_component_touch(struct store *st, int64_t device_id,
			const char *section, const char *now)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE component SET last_seen = ?3 WHERE device_id = ?1"
		    " AND section = ?2 AND current = 1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, device_id);
	db_bind_text(s, 2, section);
	db_bind_text(s, 3, now);
	return db_exec(s);
}

int store_component_each(
	struct store *st, int64_t device_id, const char *section,
	int (*fn)(void *ctx, const struct store_component_row *row), void *ctx)
{
	struct store_component_row row;
	struct db_stmt *s = db_stmt(
		st, "SELECT id, key, current, data FROM component"
		    " WHERE device_id = ?1 AND section = ?2 ORDER BY key");
	int rc;

	if (!s)
		return -1;
	db_bind_int64(s, 1, device_id);
	db_bind_text(s, 2, section);
	while ((rc = db_step(s)) == DB_ROW) {
		row.id = db_int64(s, 0);
		row.key = db_text(s, 1);
		row.current = (int)db_int64(s, 2);
		row.data = db_text(s, 3);
		if (!row.key || !row.data)
			continue;
		if (fn(ctx, &row)) {
			db_reset(s);
			return 0;
		}
	}
	if (rc < 0)
		return -1;
	db_reset(s);
	return 0;
}

/* ---- change log ---- */

int sql_change_add(struct store *st, int64_t device_id, const char *section,
		   const char *action, const char *key, json_t *detail,
		   const char *now)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO change_log (device_id, section, action, key,"
		    " detail, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (!s)
		return -1;
	db_bind_int64(s, 1, device_id);
	db_bind_text(s, 2, section);
	db_bind_text(s, 3, action);
	db_bind_text(s, 4, key ? key : "");
	if (detail)
		db_bind_json(s, 5, detail);
	else
		db_bind_text(s, 5, "{}");
	db_bind_text(s, 6, now);
	return db_exec(s);
}

static json_t *change_row(struct db_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(db_int64(s, 0)));
	json_object_set_new(o, "device_id", json_integer(db_int64(s, 1)));
	if (db_text(s, 2))
		json_object_set_new(o, "hostname", json_string(db_text(s, 2)));
	json_object_set_new(o, "section", json_string(db_text(s, 3)));
	json_object_set_new(o, "action", json_string(db_text(s, 4)));
	json_object_set_new(o, "key", json_string(db_text(s, 5)));
	json_object_set_new(o, "detail", db_json_object(s, 6));
	json_object_set_new(o, "time", json_string(db_text(s, 7)));
	return o;
}

json_t *sql_change_list(struct store *st, int64_t device_id, int64_t limit)
{
	struct db_stmt *s;

	if (device_id)
		s = db_stmt(st, "SELECT c.id, c.device_id, d.hostname,"
				" c.section, c.action, c.key, c.detail, c.time"
				" FROM change_log c LEFT JOIN device d"
				" ON d.id = c.device_id WHERE c.device_id = ?2"
				" ORDER BY c.id DESC LIMIT ?1");
	else
		s = db_stmt(st, "SELECT c.id, c.device_id, d.hostname,"
				" c.section, c.action, c.key, c.detail, c.time"
				" FROM change_log c LEFT JOIN device d"
				" ON d.id = c.device_id"
				" ORDER BY c.id DESC LIMIT ?1");
	if (!s)
		return NULL;
	db_bind_int64(s, 1, limit > 0 ? limit : SQL_NO_LIMIT);
	if (device_id)
		db_bind_int64(s, 2, device_id);
	return db_collect(s, change_row);
}

/* ---- audit log ---- */

int sql_audit_add_id(struct store *st, const struct store_audit *a,
		     const char *now, int64_t *id)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO audit_log (time, source, format, result, rule,"
		    " message, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		    " RETURNING id");
	int rc;

	if (!s)
		return -1;
	db_bind_text(s, 1, now);
	db_bind_text(s, 2, a->source);
	db_bind_text(s, 3, a->format);
	db_bind_text(s, 4, a->result ? a->result : "rejected");
	db_bind_text(s, 5, a->rule);
	db_bind_text(s, 6, a->message);
	if (a->device_id > 0)
		db_bind_int64(s, 7, a->device_id);
	else
		db_bind_null(s, 7);
	rc = db_step(s);
	if (rc == DB_ROW && id)
		*id = db_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

int sql_audit_add(struct store *st, const struct store_audit *a,
		  const char *now)
{
	return sql_audit_add_id(st, a, now, NULL);
}

int sql_audit_set_message(struct store *st, int64_t id, const char *message)
{
	struct db_stmt *s =
		db_stmt(st, "UPDATE audit_log SET message = ?1 WHERE id = ?2");

	if (!s)
		return -1;
	db_bind_text(s, 1, message);
	db_bind_int64(s, 2, id);
	return db_exec(s);
}

static json_t *audit_row(struct db_stmt *s)
{
	static const char *const names[] = {
		"id", "time", "source", "format", "result", "rule", "message"};
	json_t *o = json_object();
	int i;

	json_object_set_new(o, "id", json_integer(db_int64(s, 0)));
	for (i = 1; i < 7; i++)
		json_object_set_new(o, names[i],
				    db_text(s, i) ? json_string(db_text(s, i))
						  : json_null());
	json_object_set_new(o, "device_id", json_integer(db_int64(s, 7)));
	return o;
}

json_t *sql_audit_list(struct store *st, int64_t limit)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT id, time, source, format, result, rule, message,"
		    " device_id FROM audit_log ORDER BY id DESC LIMIT ?1");

	if (!s)
		return NULL;
	db_bind_int64(s, 1, limit > 0 ? limit : SQL_NO_LIMIT);
	return db_collect(s, audit_row);
}
