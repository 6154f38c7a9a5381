/*
 * SQLite side of store_stats.h. The only SQL built at run time is the org
 * scope ("AND x IN (?,?,...)") and the fixed breakdown columns below;
 * everything else is constant text with bound values.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/sqlite_attach_int.h"
#include "store/store_stats.h"

#define NETWORK_LIMIT_MAX 2000

/* Appends " AND expr IN (...)" for the scope; nothing for every org. */
static void stats_scope(struct strbuf *sb, const char *expr,
			const int64_t *org_ids, int norgs, json_t *params)
{
	int i;

	if (!org_ids)
		return;
	strbuf_printf(sb, " AND %s IN (", expr);
	for (i = 0; i < norgs; i++) {
		strbuf_puts(sb, i ? ",?" : "?");
		json_array_append_new(params, json_integer(org_ids[i]));
	}
	strbuf_puts(sb, norgs ? ")" : "NULL)");
}

static int stats_bind(struct store *st, sqlite3_stmt *s, json_t *params)
{
	json_t *v;
	size_t i;
	int rc;

	json_array_foreach(params, i, v) {
		if (json_is_integer(v))
			rc = sqlite3_bind_int64(s, (int)i + 1,
						json_integer_value(v));
		else if (json_is_string(v))
			rc = sqlite3_bind_text(s, (int)i + 1,
					       json_string_value(v), -1,
					       SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(s, (int)i + 1);
		if (rc != SQLITE_OK) {
			log_err("store: bind %zu: %s", i + 1,
				sqlite3_errmsg(sqlite_of(st)->db));
			return -1;
		}
	}
	return 0;
}

/* Runs sql with params (a JSON array, kept) and returns one object per
 * row, keyed by the column names. */
static json_t *stats_rows(struct store *st, const char *sql, json_t *params)
{
	sqlite3_stmt *s = NULL;
	json_t *rows = NULL;
	int rc, i;

	if (sqlite3_prepare_v2(sqlite_of(st)->db, sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		log_err("store: cannot prepare '%.60s...': %s", sql,
			sqlite3_errmsg(sqlite_of(st)->db));
		goto fail;
	}
	if (stats_bind(st, s, params) < 0)
		goto fail;
	rows = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *row = json_object();

		for (i = 0; i < sqlite3_column_count(s); i++) {
			const char *name = sqlite3_column_name(s, i);

			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER:
				json_object_set_new(
					row, name,
					json_integer(
						sqlite3_column_int64(s, i)));
				break;
			case SQLITE_NULL:
				json_object_set_new(row, name, json_null());
				break;
			default:
				json_object_set_new(
					row, name,
					json_string((const char *)
							    sqlite3_column_text(
								    s, i)));
			}
		}
		json_array_append_new(rows, row);
	}
	if (rc != SQLITE_DONE) {
		log_err("store: '%.60s...': %s", sql,
			sqlite3_errmsg(sqlite_of(st)->db));
		goto fail;
	}
	sqlite3_finalize(s);
	return rows;
fail:
	json_decref(rows);
	sqlite3_finalize(s);
	return NULL;
}

/* The first column of the first row of sql as an integer; -1 on error. */
static int stats_scalar(struct store *st, const char *sql, json_t *params,
			int64_t *out)
{
	json_t *rows = stats_rows(st, sql, params), *v;
	const char *k;

	*out = 0;
	if (!rows)
		return -1;
	json_object_foreach(json_array_get(rows, 0), k, v) {
		*out = json_integer_value(v);
		break;
	}
	json_decref(rows);
	return 0;
}

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
		      " FROM device WHERE 1",
		      col, col, col);
	stats_scope(&sb, "org_id", org_ids, norgs, params);
	strbuf_printf(&sb, " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %d",
		      STATS_TOP);
	rows = stats_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	json_array_foreach(rows, i, r)
		shown += json_integer_value(json_object_get(r, "count"));
	*rest = total - shown;
	return rows;
}

json_t *sqlite_stats_summary(struct store *st, const int64_t *org_ids,
			     int norgs, const char *since)
{
	static const char *const cols[] = {"type", "os_family", "manufacturer"};
	struct strbuf sb;
	json_t *out = json_object(), *other = json_object(), *params, *rows;
	int64_t total = 0, rest = 0;
	size_t i;

	json_object_set_new(out, "other", other);
	strbuf_init(&sb, 0);
	params = json_array();
	strbuf_puts(&sb, "SELECT count(*) FROM device WHERE 1");
	stats_scope(&sb, "org_id", org_ids, norgs, params);
	if (stats_scalar(st, sb.data, params, &total) < 0)
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
	stats_scope(&sb, "org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " GROUP BY 1 ORDER BY 1");
	if (!(rows = stats_rows(st, sb.data, params)))
		goto fail;
	json_object_set_new(out, "new_devices", rows);

	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT substr(c.time, 1, 10) AS day,"
			 " sum(c.action = 'add') AS \"add\","
			 " sum(c.action = 'remove') AS remove,"
			 " sum(c.action = 'change') AS change"
			 " FROM change_log c");
	if (org_ids)
		strbuf_puts(&sb, " JOIN device d ON d.id = c.device_id");
	strbuf_puts(&sb, " WHERE c.time >= ?");
	json_array_append_new(params, json_string(since));
	stats_scope(&sb, "d.org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " GROUP BY 1 ORDER BY 1");
	if (!(rows = stats_rows(st, sb.data, params)))
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
	" ON dc.id = r.discovery_id WHERE 1"

json_t *sqlite_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
			  int64_t limit, int64_t offset, int64_t *count)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows = NULL;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT count(*) FROM discovery_run r"
			 " LEFT JOIN discovery dc ON dc.id = r.discovery_id"
			 " WHERE 1");
	stats_scope(&sb, "dc.org_id", org_ids, norgs, params);
	if (stats_scalar(st, sb.data, params, count) < 0)
		goto fail;
	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, RUN_COLS);
	stats_scope(&sb, "dc.org_id", org_ids, norgs, params);
	strbuf_puts(&sb, " ORDER BY r.id DESC LIMIT ? OFFSET ?");
	json_array_append_new(params, json_integer(limit > 0 ? limit : -1));
	json_array_append_new(params, json_integer(offset));
	rows = stats_rows(st, sb.data, params);
fail:
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

json_t *sqlite_stats_run_get(struct store *st, const int64_t *org_ids,
			     int norgs, int64_t id, int *found)
{
	struct strbuf sb;
	json_t *params = json_pack("[I]", (json_int_t)id), *rows, *r = NULL;

	*found = 0;
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, RUN_COLS " AND r.id = ?");
	stats_scope(&sb, "dc.org_id", org_ids, norgs, params);
	rows = stats_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	if (!rows)
		return NULL;
	if (json_array_size(rows)) {
		r = json_incref(json_array_get(rows, 0));
		*found = 1;
	}
	json_decref(rows);
	return r;
}

json_t *sqlite_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			     int64_t offset, int64_t *count)
{
	json_t *params = json_pack("[I]", (json_int_t)run_id), *rows = NULL;

	if (stats_scalar(st,
			 "SELECT count(*) FROM discovery_log WHERE run_id = ?",
			 params, count) < 0)
		goto fail;
	json_array_append_new(params, json_integer(limit > 0 ? limit : -1));
	json_array_append_new(params, json_integer(offset));
	rows = stats_rows(st,
			  "SELECT id, time, ip, stage, outcome, duration_ms,"
			  " message FROM discovery_log WHERE run_id = ?"
			  " ORDER BY id LIMIT ? OFFSET ?",
			  params);
fail:
	json_decref(params);
	return rows;
}

/* ---- the network picture ---- */

#define NODE_COLS                                                              \
	"SELECT d.id, d.hostname, d.ip, d.type,"                               \
	" (SELECT json_extract(c.data, '$.netmask') FROM component c"          \
	"  WHERE c.device_id = d.id AND c.section = 'ip'"                      \
	"  AND c.current = 1 AND c.ip = d.ip LIMIT 1) AS netmask"              \
	" FROM device d WHERE d.ip IS NOT NULL AND d.ip <> ''"

#define NET_NEIGHBOURS_MAX 2000 /* rows read per device (big ARP tables) */
#define NET_LINKS_MAX 10000

/* Sets (mark) or tests (!mark) id in the set; 1 when it was there. */
static int net_mark(json_t *set, int64_t id, int mark)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", (long long)id);
	if (json_object_get(set, key))
		return 1;
	if (mark)
		json_object_set_new(set, key, json_true());
	return 0;
}

/* Adds the link source-target of kind once (either direction). */
static void net_link(json_t *links, json_t *seen, int64_t a, int64_t b,
		     const char *kind, const char *label)
{
	char key[64];

	snprintf(key, sizeof(key), "%lld-%lld-%s", (long long)(a < b ? a : b),
		 (long long)(a < b ? b : a), kind);
	if (json_object_get(seen, key) ||
	    json_array_size(links) >= NET_LINKS_MAX)
		return;
	json_object_set_new(seen, key, json_true());
	json_array_append_new(links,
			      json_pack("{sIsIssss}", "source", (json_int_t)a,
					"target", (json_int_t)b, "kind", kind,
					"label", label ? label : ""));
}

/* Adds device id to nodes; -1 when it is not visible (or on error). */
static int net_add_node(struct store *st, const int64_t *org_ids, int norgs,
			json_t *nodes, int64_t id)
{
	struct strbuf sb;
	int found;
	json_t *params = json_pack("[I]", (json_int_t)id), *rows;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, NODE_COLS " AND d.id = ?");
	stats_scope(&sb, "d.org_id", org_ids, norgs, params);
	rows = stats_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	if (!rows)
		return -1;
	found = json_array_size(rows) > 0;
	json_array_extend(nodes, rows);
	json_decref(rows);
	return found ? 0 : -1;
}

/* Links to the neighbour t of id (added to nodes when new); 0 when
 * t is not visible or is id itself. */
static int net_neighbour(struct store *st, const int64_t *org_ids, int norgs,
			 int64_t id, int64_t t, json_t *nodes, json_t *set,
			 size_t max_nodes)
{
	if (!t || t == id)
		return 0;
	if (!net_mark(set, t, 0)) {
		if (json_array_size(nodes) >= max_nodes ||
		    net_add_node(st, org_ids, norgs, nodes, t) < 0)
			return 0;
		net_mark(set, t, 1);
	}
	return 1;
}

/* The device a neighbour row's VAL names through device column COL, in
 * the caller's scope (?2: a JSON array of org ids, NULL for every org);
 * NULL when none. */
#define NET_TARGET(COL, VAL)                                                   \
	"(SELECT d.id FROM device d WHERE d." COL " = nullif(" VAL ", '')"     \
	" AND (?2 IS NULL OR d.org_id IN (SELECT value FROM json_each(?2)))"   \
	" ORDER BY d.id LIMIT 1)"

/* The current ARP, LLDP and CDP rows of the devices in ?1 (a JSON array
 * of ids), at most ?3 per device, in the array's order (pos), each with
 * the visible device it points at (target): an ARP row by its ip, then
 * its mac; an LLDP or CDP row by the neighbour's MAC, its management
 * address, then its name as sysName or hostname. One query for every
 * device: each lookup is an index probe inside SQLite. */
static json_t *net_neighbour_rows(struct store *st, const char *ids,
				  const char *orgs)
{
	/* clang-format off */
	static const char sql[] =
		"WITH r AS (SELECT c.device_id AS id, j.key AS pos,"
		" c.section AS kind,"
		" CASE WHEN c.section = 'arp' THEN json_extract(c.data, '$.mac')"
		"  ELSE json_extract(c.data, '$.remote_mac') END AS mac,"
		" CASE WHEN c.section = 'arp' THEN json_extract(c.data, '$.ip')"
		"  ELSE json_extract(c.data, '$.remote_ip') END AS ip,"
		" json_extract(c.data, '$.remote_name') AS name,"
		" CASE WHEN c.section = 'arp' THEN '' ELSE"
		"  coalesce(nullif(json_extract(c.data, '$.local_interface'),"
		"  ''), json_extract(c.data, '$.local_port'), '') || ' - ' ||"
		"  ifnull(json_extract(c.data, '$.remote_port'), '')"
		"  END AS label,"
		" row_number() OVER (PARTITION BY c.device_id"
		"  ORDER BY c.section, c.key) AS n"
		" FROM json_each(?1) j JOIN component c ON c.device_id = j.value"
		" AND c.current = 1 AND c.section IN ('arp', 'lldp', 'cdp'))"
		" SELECT pos, kind, label, CASE WHEN kind = 'arp' THEN"
		" coalesce(" NET_TARGET("ip", "r.ip") ","
		"  " NET_TARGET("mac", "r.mac") ") ELSE"
		" coalesce(" NET_TARGET("mac", "r.mac") ","
		"  " NET_TARGET("ip", "r.ip") ","
		"  " NET_TARGET("sysName", "r.name") ","
		"  " NET_TARGET("hostname", "r.name") ") END AS target"
		" FROM r WHERE n <= ?3 ORDER BY pos, n";
	/* clang-format on */
	json_t *params, *rows;

	params = json_pack("[ss?I]", ids, orgs, (json_int_t)NET_NEIGHBOURS_MAX);
	rows = stats_rows(st, sql, params);
	json_decref(params);
	return rows;
}

/* The caller's orgs as a JSON array's text (NULL: every org); free it. */
static char *net_orgs(const int64_t *org_ids, int norgs)
{
	json_t *a;
	char *text;
	int i;

	if (!org_ids)
		return NULL;
	a = json_array();
	for (i = 0; i < norgs; i++)
		json_array_append_new(a, json_integer(org_ids[i]));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

/* The links of the first n nodes (their current ARP, LLDP and CDP rows,
 * then where each is plugged in: kind "attach", labelled with the port),
 * in the nodes' order, adding the visible neighbours they reach to
 * nodes (up to max_nodes). Two queries for all of them. */
static int net_links(struct store *st, const int64_t *org_ids, int norgs,
		     json_t *nodes, size_t n, json_t *set, json_t *links,
		     json_t *seen, size_t max_nodes)
{
	json_t *ids = json_array(), *nb = NULL, *att = NULL, *r;
	char *ids_text = NULL, *orgs = net_orgs(org_ids, norgs);
	size_t i, ni = 0, ai = 0;
	int rc = -1;

	for (i = 0; i < n; i++)
		json_array_append(
			ids, json_object_get(json_array_get(nodes, i), "id"));
	ids_text = json_dumps(ids, JSON_COMPACT);
	if (!ids_text || (org_ids && !orgs))
		goto fail;
	if (!(nb = net_neighbour_rows(st, ids_text, orgs)) ||
	    !(att = sqlite_attachments(st, ids)))
		goto fail;
	for (i = 0; i < n; i++) {
		int64_t id = json_integer_value(
			json_object_get(json_array_get(nodes, i), "id"));

		for (; (r = json_array_get(nb, ni)) &&
		       json_integer_value(json_object_get(r, "pos")) ==
			       (json_int_t)i;
		     ni++) {
			int64_t t = json_integer_value(
				json_object_get(r, "target"));

			if (net_neighbour(st, org_ids, norgs, id, t, nodes, set,
					  max_nodes))
				net_link(links, seen, id, t,
					 json_string_value(
						 json_object_get(r, "kind")),
					 json_string_value(
						 json_object_get(r, "label")));
		}
		r = json_array_get(att, ai);
		if (r && json_integer_value(json_object_get(r, "pos")) ==
				 (json_int_t)i) {
			int64_t sw = json_integer_value(
				json_object_get(r, "switch_id"));

			ai++;
			if (net_neighbour(st, org_ids, norgs, id, sw, nodes,
					  set, max_nodes))
				net_link(links, seen, sw, id, "attach",
					 json_string_value(json_object_get(
						 r, "port_name")));
		}
	}
	rc = 0;
fail:
	json_decref(ids);
	json_decref(nb);
	json_decref(att);
	free(ids_text);
	free(orgs);
	return rc;
}

json_t *sqlite_stats_network(struct store *st, const int64_t *org_ids,
			     int norgs, const char *ip_prefix, int64_t limit)
{
	struct strbuf sb, like;
	json_t *params = json_array(), *nodes = NULL, *out = NULL;
	json_t *set = json_object(), *seen = json_object(), *links, *n;
	int64_t count = 0;
	size_t i;
	const char *p;

	if (limit <= 0 || limit > NETWORK_LIMIT_MAX)
		limit = NETWORK_LIMIT_MAX;
	strbuf_init(&sb, 0);
	strbuf_init(&like, 0);
	for (p = ip_prefix ? ip_prefix : ""; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			strbuf_append(&like, "\\", 1);
		strbuf_append(&like, p, 1);
	}
	strbuf_puts(&like, "%");
	strbuf_puts(&sb, "SELECT count(*) FROM device d WHERE d.ip IS NOT NULL"
			 " AND d.ip <> '' AND d.ip LIKE ? ESCAPE '\\'");
	json_array_append_new(params, json_string(like.data));
	stats_scope(&sb, "d.org_id", org_ids, norgs, params);
	if (stats_scalar(st, sb.data, params, &count) < 0)
		goto fail;
	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, NODE_COLS " AND d.ip LIKE ? ESCAPE '\\'");
	json_array_append_new(params, json_string(like.data));
	stats_scope(&sb, "d.org_id", org_ids, norgs, params);
	/* addresses in numeric order (ip_key(), sqlite_search.c) */
	strbuf_puts(&sb, " ORDER BY ip_key(d.ip) LIMIT ?");
	json_array_append_new(params, json_integer(limit));
	if (!(nodes = stats_rows(st, sb.data, params)))
		goto fail;
	json_array_foreach(nodes, i, n)
		net_mark(set, json_integer_value(json_object_get(n, "id")), 1);
	links = json_array();
	out = json_pack("{sIsOso}", "count", (json_int_t)count, "nodes", nodes,
			"links", links);
	if (net_links(st, org_ids, norgs, nodes, json_array_size(nodes), set,
		      links, seen, (size_t)limit * 2) < 0) {
		json_decref(out);
		out = NULL;
		goto fail;
	}
fail:
	strbuf_free(&sb);
	strbuf_free(&like);
	json_decref(params);
	json_decref(nodes);
	json_decref(set);
	json_decref(seen);
	return out;
}
