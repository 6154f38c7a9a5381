/*
 * sql_network.c: the network picture of store_stats.h (which devices talk
 * to which: ARP, LLDP and CDP rows, and where each is plugged in, from
 * sql_attach_int.h) for every SQL engine. The only SQL built at run time
 * is the org scope; lists of ids are bound as one JSON array.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"
#include "store/db.h"
#include "store/sql_api_int.h"
#include "store/sql_attach_int.h"
#include "store/sql_ops.h"
#include "store/store_stats.h"

#define NETWORK_LIMIT_MAX 2000

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
	json_t *rows = sql_api_org_id_rows(st, NODE_COLS " AND d.id = ?",
					   "d.org_id", org_ids, norgs, id);
	int found;

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
 * the caller's scope (?2: a JSON array of org ids; ?4 is 1 for every
 * org); NULL when none. */
#define NET_TARGET(COL, VAL)                                                   \
	"(SELECT d.id FROM device d WHERE d." COL " = nullif(" VAL ", '')"     \
	" AND (?4 = 1 OR " DB_IN_JSON_IDS("d.org_id",                          \
					  "?2") ")"                            \
						" ORDER BY d.id LIMIT 1)"

/* The current ARP, LLDP and CDP rows of the devices in ?1 (a JSON array
 * of ids), at most ?3 per device, by device id, each with the visible
 * device it points at (target): an ARP row by its ip, then its mac; an
 * LLDP or CDP row by the neighbour's MAC, its management address, then
 * its name as sysName or hostname. One query for every device: each
 * lookup is an index probe. */
static json_t *net_neighbour_rows(struct store *st, const char *ids,
				  const char *orgs)
{
	/* clang-format off */
	static const char sql[] =
		"WITH r AS (SELECT c.device_id AS id,"
		" c.section AS kind,"
		" CASE WHEN c.section = 'arp' THEN json_extract(c.data, '$.mac')"
		"  ELSE json_extract(c.data, '$.remote_mac') END AS mac,"
		" CASE WHEN c.section = 'arp' THEN json_extract(c.data, '$.ip')"
		"  ELSE json_extract(c.data, '$.remote_ip') END AS ip,"
		" json_extract(c.data, '$.remote_name') AS name,"
		" CASE WHEN c.section = 'arp' THEN '' ELSE"
		"  coalesce(nullif(json_extract(c.data, '$.local_interface'),"
		"  ''), json_extract(c.data, '$.local_port'), '') || ' - ' ||"
		"  coalesce(json_extract(c.data, '$.remote_port'), '')"
		"  END AS label,"
		" row_number() OVER (PARTITION BY c.device_id"
		"  ORDER BY c.section, c.key) AS n"
		" FROM component c WHERE " DB_IN_JSON_IDS("c.device_id", "?1")
		" AND c.current = 1 AND c.section IN ('arp', 'lldp', 'cdp'))"
		" SELECT id, kind, label, CASE WHEN kind = 'arp' THEN"
		" coalesce(" NET_TARGET("ip", "r.ip") ","
		"  " NET_TARGET("mac", "r.mac") ") ELSE"
		" coalesce(" NET_TARGET("mac", "r.mac") ","
		"  " NET_TARGET("ip", "r.ip") ","
		"  " NET_TARGET("sysName", "r.name") ","
		"  " NET_TARGET("hostname", "r.name") ") END AS target"
		" FROM r WHERE n <= ?3 ORDER BY id, n";
	/* clang-format on */
	json_t *params, *rows;

	params = json_pack("[ssIi]", ids, orgs ? orgs : "[]",
			   (json_int_t)NET_NEIGHBOURS_MAX, !orgs);
	rows = sql_api_rows(st, sql, params);
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

/* rows grouped by their "id": an object of arrays keyed by the id's
 * text (rows is consumed). */
static json_t *net_by_id(json_t *rows)
{
	json_t *by = json_object(), *r, *list;
	char key[24];
	size_t i;

	json_array_foreach(rows, i, r) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(
				 json_object_get(r, "id")));
		list = json_object_get(by, key);
		if (!list) {
			list = json_array();
			json_object_set_new(by, key, list);
		}
		json_array_append(list, r);
	}
	json_decref(rows);
	return by;
}

/* The links of the first n nodes (their current ARP, LLDP and CDP rows,
 * then where each is plugged in: kind "attach", labelled with the port),
 * in the nodes' order, adding the visible neighbours they reach to
 * nodes (up to max_nodes). Two queries for all of them. */
static int net_links(struct store *st, const int64_t *org_ids, int norgs,
		     json_t *nodes, size_t n, json_t *set, json_t *links,
		     json_t *seen, size_t max_nodes)
{
	json_t *ids = json_array(), *nb = NULL, *att = NULL, *rows, *r;
	char *ids_text = NULL, *orgs = net_orgs(org_ids, norgs), key[24];
	size_t i, j;
	int rc = -1;

	for (i = 0; i < n; i++)
		json_array_append(
			ids, json_object_get(json_array_get(nodes, i), "id"));
	ids_text = json_dumps(ids, JSON_COMPACT);
	if (!ids_text || (org_ids && !orgs))
		goto fail;
	if (!(rows = net_neighbour_rows(st, ids_text, orgs)))
		goto fail;
	nb = net_by_id(rows);
	if (!(rows = sql_attachments(st, ids)))
		goto fail;
	att = net_by_id(rows);
	for (i = 0; i < n; i++) {
		int64_t id = json_integer_value(
			json_object_get(json_array_get(nodes, i), "id"));

		snprintf(key, sizeof(key), "%lld", (long long)id);
		json_array_foreach(json_object_get(nb, key), j, r) {
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
		r = json_array_get(json_object_get(att, key), 0);
		if (r) {
			int64_t sw = json_integer_value(
				json_object_get(r, "switch_id"));

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

json_t *sql_stats_network(struct store *st, const int64_t *org_ids, int norgs,
			  const char *ip_prefix, int64_t limit)
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
	sql_api_org_in(&sb, " AND ", "d.org_id", org_ids, norgs, params);
	if (sql_api_scalar(st, sb.data, params, &count) < 0)
		goto fail;
	json_array_clear(params);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, NODE_COLS " AND d.ip LIKE ? ESCAPE '\\'");
	json_array_append_new(params, json_string(like.data));
	sql_api_org_in(&sb, " AND ", "d.org_id", org_ids, norgs, params);
	/* addresses in numeric order (the engine's sort key, db.h) */
	strbuf_printf(&sb, " ORDER BY %sd.ip%s, d.id LIMIT ?",
		      st->ops->dialect->ip_pre, st->ops->dialect->ip_post);
	json_array_append_new(params, json_integer(limit));
	if (!(nodes = sql_api_rows(st, sb.data, params)))
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
