/*
 * sql_stats.c: store_stats.h's counts for every SQL engine (the dashboard's
 * summary, discovery runs and their logs), through the API's query
 * helpers (sql_api_int.h). The only SQL built at run time is the org
 * scope ("AND x IN (?,?,...)") and the fixed breakdown columns below;
 * everything else is constant text with bound values. The network
 * picture is sql_network.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_api_int.h"
#include "store/sql_ops.h"
#include "store/store_stats.h"

/* The STATS_TOP largest values of column col and, in *rest, the devices
 * the list leaves out. */
static json_t *stats_breakdown(struct store *st, const char *col,
			       const int64_t *org_ids, int norgs, int64_t total,
			       int64_t *rest)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows, *r;
	int64_t shown = 0;
	size_t i;

	strbuf_init(&sb, 0);
	strbuf_printf(&sb,
		      "SELECT CASE WHEN %s IS NULL OR %s = '' THEN 'unknown'"
		      " ELSE %s END AS value, count(*) AS count"
		      " FROM device WHERE 1 = 1",
		      col, col, col);
	sql_api_org_in(&sb, " AND ", "org_id", org_ids, norgs, params);
	strbuf_printf(&sb, " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %d",
		      STATS_TOP);
	rows = sql_api_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	json_array_foreach(rows, i, r)
		shown += json_integer_value(json_object_get(r, "count"));
	*rest = total - shown;
	return rows;
}

json_t *sql_stats_summary(struct store *st, const int64_t *org_ids, int norgs,
			  const char *since)
{
	static const char *const cols[] = {"type", "os_family", "manufacturer"};
	struct strbuf sb;
	json_t *out = json_object(), *other = json_object(), *params, *rows;
	int64_t total = 0, rest = 0;
	size_t i;

	json_object_set_new(out, "other", other);
	strbuf_init(&sb, 0);
	params = json_array();
	strbuf_puts(&sb, "SELECT count(*) FROM device WHERE 1 = 1");
	sql_api_org_in(&sb, " AND ", "org_id", org_ids, norgs, params);
	if (sql_api_scalar(st, sb.data, params, &total) < 0)
		goto fail;
	json_object_set_new(out, "devices", json_integer(total));
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		char key[32];

		rows = stats_breakdown(st, cols[i], org_ids, norgs, total,
				       &rest);
		if (!rows)
			goto fail;
		snprintf(key, sizeof(key), "by_%s", cols[i]);
		json_object_set_new(out, key, rows);
		json_object_set_new(other, cols[i], json_integer(rest));
	}

	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT substr(first_seen, 1, 10) AS day,"
			 " count(*) AS count FROM device"
			 " WHERE first_seen >= ?");
	json_array_append_new(params, json_string(since));
	sql_api_org_in(&sb, " AND ", "org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " GROUP BY 1 ORDER BY 1");
	if (!(rows = sql_api_rows(st, sb.data, params)))
		goto fail;
	json_object_set_new(out, "new_devices", rows);

	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT substr(c.time, 1, 10) AS day,"
			 " sum(CASE WHEN c.action = 'add' THEN 1 ELSE 0 END)"
			 " AS \"add\","
			 " sum(CASE WHEN c.action = 'remove' THEN 1 ELSE 0 END)"
			 " AS remove,"
			 " sum(CASE WHEN c.action = 'change' THEN 1 ELSE 0 END)"
			 " AS change"
			 " FROM change_log c");
	if (org_ids)
		strbuf_puts(&sb, " JOIN device d ON d.id = c.device_id");
	strbuf_puts(&sb, " WHERE c.time >= ?");
	json_array_append_new(params, json_string(since));
	sql_api_org_in(&sb, " AND ", "d.org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " GROUP BY 1 ORDER BY 1");
	if (!(rows = sql_api_rows(st, sb.data, params)))
		goto fail;
	json_object_set_new(out, "changes", rows);
	strbuf_free(&sb);
	json_decref(params);
	return out;
fail:
	strbuf_free(&sb);
	json_decref(params);
	json_decref(out);
	return NULL;
}

#define RUN_COLS                                                               \
	"SELECT r.id, r.discovery_id, dc.name AS discovery, dc.org_id,"        \
	" r.state, r.started, r.finished, r.addresses_total,"                  \
	" r.addresses_done, r.alive, r.devices_stored, r.message"              \
	" FROM discovery_run r LEFT JOIN discovery dc"                         \
	" ON dc.id = r.discovery_id WHERE 1 = 1"

json_t *sql_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
		       int64_t limit, int64_t offset, int64_t *count)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows = NULL;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT count(*) FROM discovery_run r"
			 " LEFT JOIN discovery dc ON dc.id = r.discovery_id"
			 " WHERE 1 = 1");
	sql_api_org_in(&sb, " AND ", "dc.org_id", org_ids, norgs, params);
	if (sql_api_scalar(st, sb.data, params, count) < 0)
		goto fail;
	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, RUN_COLS);
	sql_api_org_in(&sb, " AND ", "dc.org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " ORDER BY r.id DESC LIMIT ? OFFSET ?");
	json_array_append_new(params,
			      json_integer(limit > 0 ? limit : INT64_MAX));
	json_array_append_new(params, json_integer(offset));
	rows = sql_api_rows(st, sb.data, params);
fail:
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

json_t *sql_stats_run_get(struct store *st, const int64_t *org_ids, int norgs,
			  int64_t id, int *found)
{
	json_t *rows = sql_api_org_id_rows(st, RUN_COLS " AND r.id = ?",
					   "dc.org_id", org_ids, norgs, id);
	json_t *r = NULL;

	*found = 0;
	if (!rows)
		return NULL;
	if (json_array_size(rows)) {
		r = json_incref(json_array_get(rows, 0));
		*found = 1;
	}
	json_decref(rows);
	return r;
}

json_t *sql_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			  int64_t offset, int64_t *count)
{
	json_t *params = json_pack("[I]", (json_int_t)run_id), *rows = NULL;

	if (sql_api_scalar(
		    st, "SELECT count(*) FROM discovery_log WHERE run_id = ?",
		    params, count) < 0)
		goto fail;
	json_array_append_new(params,
			      json_integer(limit > 0 ? limit : INT64_MAX));
	json_array_append_new(params, json_integer(offset));
	rows = sql_api_rows(st,
			    "SELECT id, time, ip, stage, outcome, duration_ms,"
			    " message FROM discovery_log WHERE run_id = ?"
			    " ORDER BY id LIMIT ? OFFSET ?",
			    params);
fail:
	json_decref(params);
	return rows;
}
