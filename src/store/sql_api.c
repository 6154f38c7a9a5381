/*
 * sql_api.c: store_api.h written once for every SQL engine with the
 * statement helper (db.h). Every column name that reaches SQL text comes
 * from the constant tables below; values are bound. The few forms the
 * engines write differently (a case-insensitive equality, the sort key of
 * addresses, SQLite's planner hint on ranges) come from the back end's
 * dialect (struct db_dialect).
 *
 * The list SQL is built per request (filters, orderings): its statements
 * go through the handle's statement cache like the constant ones, which
 * replaces the least recently used statement when it is full.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/secret.h"
#include "store/sql_api_int.h"
#include "store/sql_ops.h"
#include "store/sql_attach_int.h"
#include "store/store_api.h"
#include "store/store_data.h"

struct api_col {
	const char *name; /* API field name */
	const char *expr; /* SQL expression */
	enum store_field_type type;
	int json; /* the text is a JSON document */
	int ip;	  /* ordered by the dialect's address sort key */
};

struct api_table {
	const char *from;
	const char *org_expr;
	const char *id_expr;
	const struct api_col *cols;
	int ncols;
	/* fields that filter and order but are not listed (computed per
	 * row: too costly for every list page) */
	const struct api_col *filters;
	int nfilters;
};

#define T STORE_FIELD_TEXT
#define I STORE_FIELD_INT
#define TM STORE_FIELD_TIME

static const struct api_col device_cols[] = {
	{"id", "id", I, 0, 0},
	{"org_id", "org_id", I, 0, 0},
	{"hostname", "hostname", T, 0, 0},
	{"fqdn", "fqdn", T, 0, 0},
	{"domain", "domain", T, 0, 0},
	{"ip", "ip", T, 0, 1},
	{"mac", "mac", T, 0, 0},
	{"uuid", "uuid", T, 0, 0},
	{"dbus_identifier", "dbus_identifier", T, 0, 0},
	{"serial", "serial", T, 0, 0},
	{"manufacturer", "manufacturer", T, 0, 0},
	{"model", "model", T, 0, 0},
	{"type", "type", T, 0, 0},
	{"form_factor", "form_factor", T, 0, 0},
	{"os_group", "os_group", T, 0, 0},
	{"os_family", "os_family", T, 0, 0},
	{"os_name", "os_name", T, 0, 0},
	{"os_version", "os_version", T, 0, 0},
	{"sysName", "sysName", T, 0, 0},
	{"sysDescr", "sysDescr", T, 0, 0},
	{"sysObjectID", "sysObjectID", T, 0, 0},
	{"sysLocation", "sysLocation", T, 0, 0},
	{"sysContact", "sysContact", T, 0, 0},
	{"sysUpTime", "sysUpTime", T, 0, 0},
	{"status", "status", T, 0, 0},
	{"owner", "owner", T, 0, 0},
	{"location", "location", T, 0, 0},
	{"tags", "tags", T, 0, 0},
	{"description", "description", T, 0, 0},
	{"first_seen", "first_seen", TM, 0, 0},
	{"last_seen", "last_seen", TM, 0, 0},
	{"last_seen_by", "last_seen_by", T, 0, 0},
};

/* Where the device is plugged in (store_attach.h): the switch's name
 * (hostname, else sysName, else ip) and id, and the port's name. The
 * expression orders a list (one subquery per row); a condition is one
 * set query over every device instead (attach_cond_sql(), on the same
 * fields of ATTACH_FILTER's rows: attach_set_cols, in this order). */
#define ATTACH_COL(COL) "(" ATTACH_BEST(COL, "device.id", "device.org_id") ")"
static const struct api_col device_filters[] = {
	{"switch", ATTACH_COL("a.switch_name"), T, 0, 0},
	{"switch_id", ATTACH_COL("a.switch_id"), I, 0, 0},
	{"switch_port", ATTACH_COL("a.port_name"), T, 0, 0},
};
#undef ATTACH_COL
static const struct api_col attach_set_cols[] = {
	{"switch", "best.switch_name", T, 0, 0},
	{"switch_id", "best.switch_id", I, 0, 0},
	{"switch_port", "best.port_name", T, 0, 0},
};

/* custom.NAME on devices: the value of the device's custom field NAME
 * (migration 10, store_data.h); NAME is bound, never written into SQL. */
static const struct api_col device_custom_col = {
	"custom.*",
	"(SELECT v.value FROM device_custom v JOIN custom_field f ON f.id ="
	" v.field_id WHERE v.device_id = device.id AND f.name = ?)",
	STORE_FIELD_TEXT,
	0,
	0,
};

/* The value inside the subquery a positive condition on custom.NAME
 * becomes (api_cond_sql()). */
static const struct api_col device_custom_value = {
	"custom.*", "v.value", STORE_FIELD_TEXT, 0, 0,
};

static const struct api_col change_cols[] = {
	{"id", "c.id", I, 0, 0},
	{"device_id", "c.device_id", I, 0, 0},
	{"org_id", "d.org_id", I, 0, 0},
	{"hostname", "d.hostname", T, 0, 0},
	{"section", "c.section", T, 0, 0},
	{"action", "c.action", T, 0, 0},
	{"key", "c.key", T, 0, 0},
	{"detail", "c.detail", T, 1, 0},
	{"time", "c.time", TM, 0, 0},
};

static const struct api_col audit_cols[] = {
	{"id", "a.id", I, 0, 0},
	{"time", "a.time", TM, 0, 0},
	{"source", "a.source", T, 0, 0},
	{"format", "a.format", T, 0, 0},
	{"result", "a.result", T, 0, 0},
	{"rule", "a.rule", T, 0, 0},
	{"message", "a.message", T, 0, 0},
	{"device_id", "a.device_id", I, 0, 0},
	{"hostname", "d.hostname", T, 0, 0},
};

static const struct api_col component_cols[] = {
	{"id", "m.id", I, 0, 0},
	{"device_id", "m.device_id", I, 0, 0},
	{"org_id", "d.org_id", I, 0, 0},
	{"hostname", "d.hostname", T, 0, 0},
	{"section", "m.section", T, 0, 0},
	{"name", "m.name", T, 0, 0},
	{"version", "json_extract(m.data, '$.version')", T, 0, 0},
	{"ip", "m.ip", T, 0, 1},
	{"mac", "m.mac", T, 0, 0},
	{"key", "m.key", T, 0, 0},
	{"current", "m.current", I, 0, 0},
	{"first_seen", "m.first_seen", TM, 0, 0},
	{"last_seen", "m.last_seen", TM, 0, 0},
	{"data", "m.data", T, 1, 0},
};

#undef T
#undef I
#undef TM

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Ceilings of the tables above (the device table has 32 columns). */
#define STORE_API_MAX_COLS 48
#define API_JSON_KEYS_MAX 1536

static const struct api_table api_tables[STORE_API_RES_COUNT] = {
	[STORE_API_DEVICES] = {"device", "org_id", "id", device_cols,
			       NCOLS(device_cols), device_filters,
			       NCOLS(device_filters)},
	[STORE_API_CHANGES] = {"change_log c JOIN device d ON d.id = "
			       "c.device_id",
			       "d.org_id", "c.id", change_cols,
			       NCOLS(change_cols)},
	[STORE_API_AUDIT] = {"audit_log a LEFT JOIN device d ON d.id = "
			     "a.device_id",
			     "d.org_id", "a.id", audit_cols, NCOLS(audit_cols)},
	[STORE_API_COMPONENTS] = {"component m JOIN device d ON d.id = "
				  "m.device_id",
				  "d.org_id", "m.id", component_cols,
				  NCOLS(component_cols)},
};

_Static_assert(NCOLS(device_cols) <= STORE_API_MAX_COLS &&
		       NCOLS(change_cols) <= STORE_API_MAX_COLS &&
		       NCOLS(audit_cols) <= STORE_API_MAX_COLS &&
		       NCOLS(component_cols) <= STORE_API_MAX_COLS,
	       "raise STORE_API_MAX_COLS");

static const char *const op_names[STORE_OP_COUNT] = {
	[STORE_OP_EQ] = "exact", [STORE_OP_N] = "n",
	[STORE_OP_IE] = "ie",	 [STORE_OP_IC] = "ic",
	[STORE_OP_NIC] = "nic",	 [STORE_OP_ISW] = "isw",
	[STORE_OP_IEW] = "iew",	 [STORE_OP_GT] = "gt",
	[STORE_OP_GTE] = "gte",	 [STORE_OP_LT] = "lt",
	[STORE_OP_LTE] = "lte",	 [STORE_OP_EMPTY] = "empty",
};

const char *store_op_name(enum store_op op)
{
	if ((int)op < 0 || op >= STORE_OP_COUNT)
		return NULL;
	return op_names[op];
}

int store_op_from_name(const char *name)
{
	int i;

	if (!*name)
		return STORE_OP_EQ;
	for (i = 0; i < STORE_OP_COUNT; i++)
		if (!strcmp(op_names[i], name))
			return i;
	return -1;
}

void store_query_free(struct store_query *q)
{
	int i;

	if (!q)
		return;
	for (i = 0; i < q->nconds; i++)
		free(q->conds[i].value);
	memset(q, 0, sizeof(*q));
}

static const struct api_table *api_table(enum store_api_res res)
{
	if ((int)res < 0 || res >= STORE_API_RES_COUNT)
		return NULL;
	return &api_tables[res];
}

static const struct api_col *api_col_find(const struct api_table *t,
					  const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	for (i = 0; i < t->nfilters; i++)
		if (!strcmp(t->filters[i].name, name))
			return &t->filters[i];
	if (t == &api_tables[STORE_API_DEVICES] &&
	    !strncmp(name, "custom.", 7) && store_custom_name_ok(name + 7))
		return &device_custom_col;
	return NULL;
}

enum store_field_type store_api_field_type(enum store_api_res res,
					   const char *field)
{
	const struct api_table *t = api_table(res);
	const struct api_col *c;

	if (!t || !(c = api_col_find(t, field)))
		return STORE_FIELD_UNKNOWN;
	return c->type;
}

json_t *store_api_field_names(enum store_api_res res)
{
	const struct api_table *t = api_table(res);
	json_t *a = json_array();
	int i;

	for (i = 0; t && i < t->ncols; i++)
		json_array_append_new(a, json_string(t->cols[i].name));
	return a;
}

json_t *sql_api_like_value(const char *pre, const char *value, const char *post)
{
	struct strbuf sb;
	json_t *j;
	const char *p;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, pre);
	for (p = value; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			strbuf_append(&sb, "\\", 1);
		strbuf_append(&sb, p, 1);
	}
	strbuf_puts(&sb, post);
	j = json_string(sb.data ? sb.data : "");
	strbuf_free(&sb);
	return j;
}

static json_t *api_plain_value(const struct api_col *c, const char *value)
{
	long v;

	if (c->type == STORE_FIELD_INT &&
	    util_parse_long(value, INT64_MIN, INT64_MAX, &v) == 0)
		return json_integer(v);
	return json_string(value);
}

/* The SQL the list of one request is built into: its text, its bound
 * values in order, and the engine's dialect. */
struct api_sql {
	struct strbuf sb;
	json_t *params;
	const struct db_dialect *d;
};

/* Writes column c's expression; a custom field's takes the field's name
 * as a bound value, appended to params in its place. */
static void api_expr(struct api_sql *a, const struct api_col *c,
		     const struct store_cond *k)
{
	strbuf_puts(&a->sb, c->expr);
	if (c == &device_custom_col)
		json_array_append_new(a->params, json_string(k->field + 7));
}

static void api_cond_sql(struct api_sql *a, const struct api_col *c,
			 const struct store_cond *k, int scan);

/* A condition on an attachment field (device_filters): "device.id IN"
 * the devices ATTACH_FILTER finds meeting it, or for a condition a device
 * without an attachment meets (n, nic, empty=true) "NOT IN" those meeting
 * its opposite. 0, or -1 when c is no attachment field. */
static int attach_cond_sql(struct api_sql *a, const struct api_col *c,
			   const struct store_cond *k)
{
	struct store_cond pos = *k;
	char no[] = "false";
	int yes = !strcmp(k->value, "true") || !strcmp(k->value, "1");
	int negative = k->op == STORE_OP_N || k->op == STORE_OP_NIC ||
		       (k->op == STORE_OP_EMPTY && yes);
	int i;

	for (i = 0; i < NCOLS(device_filters) && c != &device_filters[i]; i++)
		;
	if (i == NCOLS(device_filters))
		return -1;
	if (k->op == STORE_OP_N)
		pos.op = STORE_OP_EQ;
	else if (k->op == STORE_OP_NIC)
		pos.op = STORE_OP_IC;
	else if (negative)
		pos.value = no;
	strbuf_puts(&a->sb, negative ? "device.id NOT IN (" : "device.id IN (");
	strbuf_puts(&a->sb, ATTACH_FILTER);
	api_cond_sql(a, &attach_set_cols[i], &pos, 0);
	strbuf_puts(&a->sb, "))");
	return 0;
}

/* Appends one condition on column c, its values to params. With scan, a
 * range is written with the dialect's scan hint (SQLite's +column:
 * without STAT4 it assumes a range is selective and would count a wide
 * one through the index, one random row lookup per match, several times
 * slower than reading the table; the count query takes the bounded cost
 * of a scan instead). */
static void api_cond_sql(struct api_sql *a, const struct api_col *c,
			 const struct store_cond *k, int scan)
{
	struct strbuf *sb = &a->sb;
	int yes;

	if (attach_cond_sql(a, c, k) == 0)
		return;
	/* a condition a device without the value cannot meet reads the
	 * index of values (migration 10) instead of every device */
	if (c == &device_custom_col && k->op != STORE_OP_N &&
	    k->op != STORE_OP_NIC && k->op != STORE_OP_EMPTY) {
		strbuf_puts(sb, "device.id IN (SELECT v.device_id FROM"
				" device_custom v JOIN custom_field f ON f.id"
				" = v.field_id WHERE f.name = ? AND ");
		json_array_append_new(a->params, json_string(k->field + 7));
		api_cond_sql(a, &device_custom_value, k, 0);
		strbuf_puts(sb, ")");
		return;
	}
	switch (k->op) {
	case STORE_OP_EQ:
	case STORE_OP_N:
		api_expr(a, c, k);
		strbuf_puts(sb, k->op == STORE_OP_EQ ? " = ?" : " IS NOT ?");
		json_array_append_new(a->params, api_plain_value(c, k->value));
		break;
	case STORE_OP_IE:
		strbuf_puts(sb, a->d->nocase_pre);
		api_expr(a, c, k);
		strbuf_puts(sb, a->d->nocase_post);
		json_array_append_new(a->params, json_string(k->value));
		break;
	case STORE_OP_IC:
	case STORE_OP_ISW:
	case STORE_OP_IEW:
		api_expr(a, c, k);
		strbuf_puts(sb, " LIKE ? ESCAPE '\\'");
		json_array_append_new(
			a->params,
			sql_api_like_value(k->op == STORE_OP_ISW ? "" : "%",
					   k->value,
					   k->op == STORE_OP_IEW ? "" : "%"));
		break;
	case STORE_OP_NIC:
		strbuf_puts(sb, "(");
		api_expr(a, c, k);
		strbuf_puts(sb, " IS NULL OR ");
		api_expr(a, c, k);
		strbuf_puts(sb, " NOT LIKE ? ESCAPE '\\')");
		json_array_append_new(a->params,
				      sql_api_like_value("%", k->value, "%"));
		break;
	case STORE_OP_GT:
	case STORE_OP_GTE:
	case STORE_OP_LT:
	case STORE_OP_LTE:
		strbuf_puts(sb, scan ? a->d->scan : "");
		api_expr(a, c, k);
		strbuf_printf(sb, " %s ?",
			      k->op == STORE_OP_GT    ? ">"
			      : k->op == STORE_OP_GTE ? ">="
			      : k->op == STORE_OP_LT  ? "<"
						      : "<=");
		json_array_append_new(a->params, api_plain_value(c, k->value));
		break;
	case STORE_OP_EMPTY:
		yes = !strcmp(k->value, "true") || !strcmp(k->value, "1");
		strbuf_puts(sb, "(");
		api_expr(a, c, k);
		if (c->type == STORE_FIELD_INT) {
			strbuf_printf(sb, " IS %sNULL)", yes ? "" : "NOT ");
			break;
		}
		strbuf_puts(sb, yes ? " IS NULL OR " : " IS NOT NULL AND ");
		api_expr(a, c, k);
		strbuf_puts(sb, yes ? " = '')" : " <> '')");
		break;
	default:
		strbuf_puts(sb, "1 = 0");
		break;
	}
}

static int api_op_negative(enum store_op op)
{
	return op == STORE_OP_N || op == STORE_OP_NIC;
}

/* " WHERE ..." for q on t, or nothing; -1 on an unknown field (the
 * caller should have checked). */
static int api_where_sql(struct api_sql *a, const struct api_table *t,
			 const struct store_query *q, int scan)
{
	char done[STORE_QUERY_MAX_CONDS] = {0};
	const char *glue = " WHERE ";
	int i, j, n;

	if (q->org_ids) {
		sql_api_org_in(&a->sb, glue, t->org_expr, q->org_ids, q->norgs,
			       a->params);
		glue = " AND ";
	}
	for (i = 0; i < q->nconds && i < STORE_QUERY_MAX_CONDS; i++) {
		const struct api_col *c;

		if (done[i])
			continue;
		c = api_col_find(t, q->conds[i].field);
		if (!c) {
			log_err("store: unknown field '%s'", q->conds[i].field);
			return -1;
		}
		strbuf_printf(&a->sb, "%s(", glue);
		glue = " AND ";
		for (j = i, n = 0; j < q->nconds; j++) {
			if (done[j] || q->conds[j].op != q->conds[i].op ||
			    strcmp(q->conds[j].field, q->conds[i].field))
				continue;
			done[j] = 1;
			if (n++)
				strbuf_puts(&a->sb,
					    api_op_negative(q->conds[i].op)
						    ? " AND "
						    : " OR ");
			api_cond_sql(a, c, &q->conds[j], scan);
		}
		strbuf_puts(&a->sb, ")");
	}
	return 0;
}

static int api_order_sql(struct api_sql *a, const struct api_table *t,
			 const struct store_query *q)
{
	struct strbuf *sb = &a->sb;
	int i, last_desc = 0, has_id = 0;

	strbuf_puts(sb, " ORDER BY ");
	for (i = 0; i < q->norder && i < STORE_QUERY_MAX_ORDER; i++) {
		const struct api_col *c = api_col_find(t, q->order[i].field);

		if (!c) {
			log_err("store: unknown ordering field '%s'",
				q->order[i].field);
			return -1;
		}
		if (c->ip)
			strbuf_printf(sb, "%s%s%s", a->d->ip_pre, c->expr,
				      a->d->ip_post);
		else
			strbuf_puts(sb, c->expr);
		strbuf_puts(sb, q->order[i].desc ? " DESC, " : ", ");
		last_desc = q->order[i].desc;
		if (!strcmp(c->expr, t->id_expr))
			has_id = 1;
	}
	if (has_id) {
		sb->len -= 2; /* drop the trailing ", " */
		sb->data[sb->len] = '\0';
	} else {
		strbuf_printf(sb, "%s%s", t->id_expr, last_desc ? " DESC" : "");
	}
	return 0;
}

/* The SQL of q on res in dialect d (store_api_sql()). */
static char *api_sql(const struct db_dialect *d, enum store_api_res res,
		     const struct store_query *q, int count, json_t *params)
{
	const struct api_table *t = api_table(res);
	struct api_sql a = {.params = params, .d = d};
	int i;

	if (!t)
		return NULL;
	strbuf_init(&a.sb, 0);
	if (count) {
		strbuf_printf(&a.sb, "SELECT count(*) FROM %s", t->from);
	} else {
		strbuf_puts(&a.sb, "SELECT ");
		for (i = 0; i < t->ncols; i++)
			strbuf_printf(&a.sb, "%s%s", i ? ", " : "",
				      t->cols[i].expr);
		strbuf_printf(&a.sb, " FROM %s", t->from);
	}
	if (api_where_sql(&a, t, q, count) < 0)
		goto fail;
	if (!count) {
		if (api_order_sql(&a, t, q) < 0)
			goto fail;
		strbuf_puts(&a.sb, " LIMIT ? OFFSET ?");
		json_array_append_new(
			params,
			json_integer(q->limit > 0 ? q->limit : INT64_MAX));
		json_array_append_new(params, json_integer(q->offset));
	}
	return a.sb.data;
fail:
	strbuf_free(&a.sb);
	return NULL;
}

char *store_api_sql(enum store_api_res res, const struct store_query *q,
		    int count, json_t *params)
{
	return api_sql(sqlite_store_ops.dialect, res, q, count, params);
}

/* ---- running SQL with a JSON array of values ---- */

/* The statement for sql with params bound in order (integers, reals,
 * strings; null binds NULL); NULL on failure (logged). db_reset() it. */
static struct db_stmt *api_stmt(struct store *st, const char *sql,
				json_t *params)
{
	struct db_stmt *s = db_stmt(st, sql);
	size_t i;
	json_t *v;

	if (!s)
		return NULL;
	json_array_foreach(params, i, v) {
		if (json_is_integer(v))
			db_bind_int64(s, (int)i + 1, json_integer_value(v));
		else if (db_bind_scalar(s, (int)i + 1, v) < 0)
			db_bind_null(s, (int)i + 1);
	}
	return s;
}

/* One object per row named by cols, its JSON columns parsed (named by
 * the result columns when cols is NULL). */
static json_t *api_rows(struct store *st, const char *sql, json_t *params,
			const struct api_col *cols)
{
	struct db_stmt *s = api_stmt(st, sql, params);
	json_t *rows, *row;
	int rc, i, n;

	if (!s)
		return NULL;
	rows = json_array();
	while ((rc = db_step(s)) == DB_ROW) {
		if (!cols) {
			json_array_append_new(rows, db_row_object(s));
			continue;
		}
		row = json_object();
		n = db_column_count(s);
		for (i = 0; i < n; i++)
			json_object_set_new(row, cols[i].name,
					    db_value(s, i, cols[i].json));
		json_array_append_new(rows, row);
	}
	if (rc < 0) {
		json_decref(rows);
		return NULL;
	}
	db_reset(s);
	return rows;
}

/* The single integer sql returns (0 when no row); -1 on error. */
static int api_scalar(struct store *st, const char *sql, json_t *params,
		      int64_t *out)
{
	struct db_stmt *s = api_stmt(st, sql, params);
	int rc;

	*out = 0;
	if (!s)
		return -1;
	rc = db_step(s);
	if (rc == DB_ROW)
		*out = db_int64(s, 0);
	db_reset(s);
	return rc < 0 ? -1 : 0;
}

json_t *sql_api_list(struct store *st, enum store_api_res res,
		     const struct store_query *q, int64_t *count)
{
	const struct api_table *t = api_table(res);
	json_t *params = json_array(), *rows = NULL;
	char *sql = NULL;

	if (!t)
		goto fail;
	if (count) {
		sql = api_sql(st->ops->dialect, res, q, 1, params);
		if (!sql || api_scalar(st, sql, params, count) < 0)
			goto fail;
		free(sql);
		json_array_clear(params);
	}
	sql = api_sql(st->ops->dialect, res, q, 0, params);
	if (!sql)
		goto fail;
	rows = api_rows(st, sql, params, t->cols);
fail:
	free(sql);
	json_decref(params);
	return rows;
}

/* Appends s[0..n) as a JSON string; bytes >= 0x80 pass through (the
 * store only holds text that came through jansson, which is UTF-8). */
static void api_json_string(struct strbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s, *end = s + n;
	char esc[7];

	strbuf_append(out, "\"", 1);
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_append(out, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			strbuf_append(out, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			strbuf_append(out, esc, 6);
		}
	}
	strbuf_append(out, run, (size_t)(s - run));
	strbuf_append(out, "\"", 1);
}

/* Appends v in decimal. */
static void api_json_int(struct strbuf *out, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	strbuf_append(out, p, (size_t)(buf + sizeof(buf) - p));
}

/* The row members' names with their quotes, commas and colons, written
 * once per list rather than once per field. */
struct api_json_keys {
	char text[API_JSON_KEYS_MAX];
	size_t off[STORE_API_MAX_COLS + 1];
};

static void api_json_keys(const struct api_table *t, struct api_json_keys *k)
{
	size_t o = 0;
	int i, n;

	for (i = 0; i < t->ncols && i < STORE_API_MAX_COLS; i++) {
		k->off[i] = o;
		n = snprintf(k->text + o, sizeof(k->text) - o,
			     "%s\"%s\":", i ? "," : "", t->cols[i].name);
		if (n > 0 && (size_t)n < sizeof(k->text) - o)
			o += (size_t)n;
	}
	k->off[i] = o;
}

/* Appends the current row of s (the columns of t) as a JSON object. */
static void api_json_row(struct strbuf *out, const struct api_table *t,
			 struct db_stmt *s, const struct api_json_keys *k,
			 int nrow)
{
	const char *v;
	int i;

	strbuf_append(out, nrow ? ",{" : "{", nrow ? 2 : 1);
	for (i = 0; i < t->ncols && i < STORE_API_MAX_COLS; i++) {
		strbuf_append(out, k->text + k->off[i],
			      k->off[i + 1] - k->off[i]);
		switch (db_type(s, i)) {
		case DB_NULL:
			strbuf_append(out, "null", 4);
			break;
		case DB_INTEGER:
			api_json_int(out, db_int64(s, i));
			break;
		case DB_FLOAT:
			strbuf_printf(out, "%.17g", db_double(s, i));
			break;
		default:
			v = db_text(s, i);
			/* JSON columns hold what the store wrote with
			 * jansson (PostgreSQL's jsonb: its own form of
			 * it): pasted as they are */
			if (t->cols[i].json && v &&
			    (v[0] == '{' || v[0] == '['))
				strbuf_puts(out, v);
			else
				api_json_string(out, v ? v : "",
						v ? strlen(v) : 0);
		}
	}
	strbuf_append(out, "}", 1);
}

/* Counts remembered per thread: a filtered list costs a scan of the
 * table for its count, and a page of the same query (the next page, a
 * refresh) asks the same count again. An entry is good while the
 * database's data version (the back end's data_version: SQLite's changes
 * with every commit, by this handle, another handle or another process)
 * is the one it was counted at; a back end without one counts each time. */
#define API_COUNT_SLOTS 32

struct api_count_slot {
	const void *ops;
	char *key; /* the count SQL and its bound values */
	uint64_t version;
	int64_t count;
};

static _Thread_local struct api_count_slot api_counts[API_COUNT_SLOTS];
static _Thread_local unsigned api_count_next;

/* The count of sql with params, from the cache when still good. Call
 * inside a read snapshot (the version is the snapshot's). */
static int api_count(struct store *st, const char *sql, json_t *params,
		     int64_t *out)
{
	uint64_t version = 0;
	struct api_count_slot *slot;
	char *vals, *key;
	int i, rc;

	if (st->ops->data_version)
		version = st->ops->data_version(st);
	if (!version)
		return api_scalar(st, sql, params, out);
	vals = json_dumps(params, JSON_COMPACT);
	key = xasprintf("%s\x1f%s", sql, vals ? vals : "");
	free(vals);
	for (i = 0; i < API_COUNT_SLOTS; i++) {
		slot = &api_counts[i];
		if (slot->ops == st->ops && slot->version == version &&
		    slot->key && !strcmp(slot->key, key)) {
			*out = slot->count;
			free(key);
			return 0;
		}
	}
	rc = api_scalar(st, sql, params, out);
	if (rc < 0) {
		free(key);
		return rc;
	}
	slot = &api_counts[api_count_next++ % API_COUNT_SLOTS];
	free(slot->key);
	slot->ops = st->ops;
	slot->key = key;
	slot->version = version;
	slot->count = *out;
	return 0;
}

void store_api_thread_cleanup(void)
{
	int i;

	for (i = 0; i < API_COUNT_SLOTS; i++) {
		free(api_counts[i].key);
		memset(&api_counts[i], 0, sizeof(api_counts[i]));
	}
}

int sql_api_list_json(struct store *st, enum store_api_res res,
		      const struct store_query *q, int64_t *count,
		      struct strbuf *out)
{
	const struct api_table *t = api_table(res);
	json_t *params = json_array();
	struct db_stmt *s = NULL;
	struct api_json_keys keys;
	char *sql = NULL;
	int rc = -1, step, nrows = 0, snap = 0;

	if (!t)
		goto fail;
	/* one snapshot for the count and the page, so they agree and the
	 * data version read for the count cache is the snapshot's */
	snap = st->ops->read_begin && st->ops->read_begin(st) == 1;
	sql = api_sql(st->ops->dialect, res, q, 1, params);
	if (!sql || (snap ? api_count(st, sql, params, count)
			  : api_scalar(st, sql, params, count)) < 0)
		goto fail;
	free(sql);
	json_array_clear(params);
	sql = api_sql(st->ops->dialect, res, q, 0, params);
	if (!sql || !(s = api_stmt(st, sql, params)))
		goto fail;
	api_json_keys(t, &keys);
	strbuf_puts(out, "[");
	while ((step = db_step(s)) == DB_ROW)
		api_json_row(out, t, s, &keys, nrows++);
	strbuf_puts(out, "]");
	if (step < 0)
		goto fail;
	rc = 0;
fail:
	db_reset(s);
	if (snap)
		st->ops->read_end(st);
	free(sql);
	json_decref(params);
	return rc;
}

/* ---- orgs ---- */

json_t *sql_api_org_tree(struct store *st, int64_t org_id)
{
	static const char sql[] =
		"WITH RECURSIVE t(id) AS (SELECT id FROM org WHERE id = ?"
		" UNION SELECT org.id FROM org JOIN t ON org.parent_id = t.id)"
		" SELECT id FROM t ORDER BY id";
	json_t *params = json_pack("[I]", (json_int_t)org_id);
	json_t *rows = api_rows(st, sql, params, NULL), *ids = NULL, *r;
	size_t i;

	json_decref(params);
	if (!rows)
		return NULL;
	ids = json_array();
	json_array_foreach(rows, i, r)
		json_array_append(ids, json_object_get(r, "id"));
	json_decref(rows);
	return ids;
}

int sql_api_org_count(struct store *st, int64_t *n)
{
	return api_scalar(st, "SELECT count(*) FROM org", NULL, n);
}

/* The first row of sql bound to params (consumed), or NULL; *found says
 * whether there was one. */
static json_t *api_row(struct store *st, const char *sql, json_t *params,
		       int *found)
{
	struct db_stmt *s = api_stmt(st, sql, params);

	json_decref(params);
	if (!s) {
		if (found)
			*found = 0;
		return NULL;
	}
	return db_row_first(s, found);
}

json_t *sql_api_org_get(struct store *st, int64_t id, int *found)
{
	return api_row(st,
		       "SELECT id, name, parent_id, description, created"
		       " FROM org WHERE id = ?",
		       json_pack("[I]", (json_int_t)id), found);
}

/* ---- users ---- */

#define USER_COLS                                                              \
	"SELECT id, name, role, org_id, enabled, full_name, email, source,"    \
	" created, last_login FROM \"user\""

json_t *sql_api_user_get(struct store *st, const char *name)
{
	return api_row(st, USER_COLS " WHERE name = ?", json_pack("[s]", name),
		       NULL);
}

json_t *sql_api_user_get_id(struct store *st, int64_t id)
{
	return api_row(st, USER_COLS " WHERE id = ?",
		       json_pack("[I]", (json_int_t)id), NULL);
}

int sql_api_user_count(struct store *st, int64_t *n)
{
	return api_scalar(st, "SELECT count(*) FROM \"user\"", NULL, n);
}

void sql_api_org_in(struct strbuf *sb, const char *glue, const char *col,
		    const int64_t *org_ids, int norgs, json_t *params)
{
	int i;

	if (!org_ids)
		return;
	strbuf_printf(sb, "%s%s IN (", glue, col);
	for (i = 0; i < norgs; i++) {
		strbuf_puts(sb, i ? ",?" : "?");
		json_array_append_new(params, json_integer(org_ids[i]));
	}
	strbuf_puts(sb, norgs ? ")" : "NULL)");
}

json_t *sql_api_user_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, USER_COLS);
	sql_api_org_in(&sb, " WHERE ", "org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " ORDER BY name");
	rows = api_rows(st, sb.data, params, NULL);
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

/* Runs a statement that returns no rows; params is consumed. */
static int api_exec(struct store *st, const char *sql, json_t *params)
{
	struct db_stmt *s = api_stmt(st, sql, params);

	json_decref(params);
	return s ? db_exec(s) : -1;
}

int sql_api_user_touch_login(struct store *st, int64_t id, const char *now)
{
	return api_exec(st, "UPDATE \"user\" SET last_login = ? WHERE id = ?",
			json_pack("[sI]", now, (json_int_t)id));
}

int sql_api_user_delete(struct store *st, int64_t id)
{
	return api_exec(st, "DELETE FROM \"user\" WHERE id = ?",
			json_pack("[I]", (json_int_t)id));
}

/* ---- tokens ---- */

json_t *sql_api_token_list(struct store *st, int64_t user_id,
			   const int64_t *org_ids, int norgs)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT t.id, t.label, t.prefix, t.created,"
			 " t.last_used, t.revoked, u.name AS \"user\","
			 " u.id AS user_id, u.org_id"
			 " FROM token t JOIN \"user\" u ON u.id = t.user_id"
			 " WHERE 1 = 1");
	if (user_id) {
		strbuf_puts(&sb, " AND u.id = ?");
		json_array_append_new(params, json_integer(user_id));
	}
	sql_api_org_in(&sb, " AND ", "u.org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " ORDER BY t.id");
	rows = api_rows(st, sb.data, params, NULL);
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

int sql_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			int64_t *org_id)
{
	json_t *r = api_row(st,
			    "SELECT u.id AS user_id, u.org_id FROM token t"
			    " JOIN \"user\" u ON u.id = t.user_id"
			    " WHERE t.id = ?",
			    json_pack("[I]", (json_int_t)id), NULL);

	*user_id = r ? json_integer_value(json_object_get(r, "user_id")) : 0;
	*org_id = r ? json_integer_value(json_object_get(r, "org_id")) : 0;
	json_decref(r);
	return 0;
}

#define API_TOKEN_MAX 128

char *sql_api_token_check(struct store *st, const char *token,
			  int64_t *token_id)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1];
	json_t *row;
	char *user = NULL;
	int found = 0;

	*token_id = 0;
	if (!token || strlen(token) > API_TOKEN_MAX) {
		log_info("API token refused: missing or longer than %d "
			 "characters",
			 API_TOKEN_MAX);
		return NULL;
	}
	secret_token_hash(token, hash);
	row = api_row(st,
		      "SELECT t.id, t.revoked, u.name, u.enabled FROM token t"
		      " JOIN \"user\" u ON u.id = t.user_id WHERE t.hash = ?",
		      json_pack("[s]", hash), &found);
	if (!row) {
		if (!found)
			log_info("API token %.10s... is not known", token);
		return NULL;
	}
	if (json_integer_value(json_object_get(row, "revoked")) ||
	    !json_integer_value(json_object_get(row, "enabled")))
		log_info("API token %lld of '%s' refused: %s",
			 (long long)json_integer_value(
				 json_object_get(row, "id")),
			 json_string_value(json_object_get(row, "name")),
			 json_integer_value(json_object_get(row, "revoked"))
				 ? "revoked"
				 : "user disabled");
	else {
		user = xstrdup(json_string_value(json_object_get(row, "name")));
		*token_id = json_integer_value(json_object_get(row, "id"));
	}
	json_decref(row);
	return user;
}

int sql_api_token_touch(struct store *st, int64_t token_id, const char *now)
{
	return api_exec(st, "UPDATE token SET last_used = ? WHERE id = ?",
			json_pack("[sI]", now, (json_int_t)token_id));
}

/* ---- devices ---- */

int sql_api_device_org(struct store *st, int64_t id, int64_t *org_id)
{
	json_t *params = json_pack("[I]", (json_int_t)id);
	int rc = api_scalar(st, "SELECT org_id FROM device WHERE id = ?",
			    params, org_id);

	json_decref(params);
	return rc;
}

static const char *const device_user_fields[] = {
	"status", "owner", "location", "tags", "description", NULL,
};

int sql_api_device_patch(struct store *st, int64_t id, json_t *fields,
			 const char **bad_field)
{
	struct strbuf sb;
	json_t *params = json_array(), *v;
	const char *k;
	int i, rc = -1, n = 0;

	*bad_field = NULL;
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE device SET ");
	json_object_foreach(fields, k, v) {
		for (i = 0; device_user_fields[i]; i++)
			if (!strcmp(device_user_fields[i], k))
				break;
		if (!device_user_fields[i] ||
		    !(json_is_string(v) || json_is_null(v))) {
			*bad_field = k;
			goto fail;
		}
		/* the column name comes from the table, never from k */
		strbuf_printf(&sb, "%s%s = ?", n++ ? ", " : "",
			      device_user_fields[i]);
		json_array_append(params, v);
	}
	if (!n) {
		rc = 0;
		goto fail;
	}
	strbuf_puts(&sb, " WHERE id = ?");
	json_array_append_new(params, json_integer(id));
	rc = api_exec(st, sb.data, json_incref(params));
	if (rc)
		log_err("store: device %" PRId64 " was not changed", id);
fail:
	strbuf_free(&sb);
	json_decref(params);
	return rc;
}

/* ---- for the other API tables (sql_api_int.h) ---- */

json_t *sql_api_rows(struct store *st, const char *sql, json_t *params)
{
	return api_rows(st, sql, params, NULL);
}

json_t *sql_api_row(struct store *st, const char *sql, json_t *params,
		    int *found)
{
	return api_row(st, sql, params, found);
}

int sql_api_exec(struct store *st, const char *sql, json_t *params)
{
	return api_exec(st, sql, params);
}

int sql_api_scalar(struct store *st, const char *sql, json_t *params,
		   int64_t *out)
{
	return api_scalar(st, sql, params, out);
}

json_t *sql_api_org_id_rows(struct store *st, const char *select,
			    const char *col, const int64_t *org_ids, int norgs,
			    int64_t id)
{
	struct strbuf sb;
	json_t *params = json_pack("[I]", (json_int_t)id), *rows;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, select);
	sql_api_org_in(&sb, " AND ", col, org_ids, norgs, params);
	rows = sql_api_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

json_t *sql_api_org_rows(struct store *st, const char *select, const char *col,
			 const int64_t *org_ids, int norgs, const char *order,
			 void (*shape)(json_t *row))
{
	struct strbuf sb;
	json_t *params = json_array(), *rows, *r;
	size_t i;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, select);
	sql_api_org_in(&sb, " AND ", col, org_ids, norgs, params);
	strbuf_printf(&sb, " ORDER BY %s", order);
	rows = sql_api_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	json_array_foreach(rows, i, r)
		shape(r);
	return rows;
}
