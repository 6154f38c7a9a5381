/*
 * sql_attach_int: the SQL that says where a device is plugged in
 * (store_attach.h), as macros, in the common SQL of every engine (db.h),
 * so that the device endpoint and the network
 * picture (ATTACH_SET, sql_attach.c: one device or a thousand in one
 * query), the device list's filters switch=, switch_id=, switch_port=
 * (ATTACH_FILTER, sql_api.c: one set query over every device for the
 * whole list, not one subquery per device) and the list's ordering on
 * those fields (ATTACH_BEST, a correlated subquery per row) compute it the
 * same way: all are built from ATTACH_FDB_COLS and ATTACH_UPLINK, and
 * tests/unit/test_attach.c checks them on the same store. Inside, tables
 * are aliased, so an outer query's bare "device" stays visible. Nothing
 * outside src/store/ includes this.
 */
#ifndef NC_SQL_ATTACH_INT_H
#define NC_SQL_ATTACH_INT_H

#include <jansson.h>

#include "store/db.h"
#include "store/store.h"

/* An access port has at most this many distinct MACs (docs/device-report.md:
 * a PC, an IP phone, a VM or two); more is an uplink or a hub. */
#define ATTACH_MAX_MACS 4
#define ATTACH_STR_(x) #x
#define ATTACH_STR(x) ATTACH_STR_(x)

/* The columns of a candidate: fdb row f of switch s. */
#define ATTACH_FDB_COLS                                                        \
	" f.device_id AS switch_id, f.mac AS mac,"                             \
	" coalesce(nullif(s.hostname, ''), nullif(s.sysName, ''), s.ip)"       \
	"  AS switch_name, s.ip AS switch_ip,"                                 \
	" json_extract(f.data, '$.port') AS port,"                             \
	" json_extract(f.data, '$.net_index') AS net_index,"                   \
	" coalesce(nullif(json_extract(f.data, '$.interface'), ''),"           \
	"  'port ' || json_extract(f.data, '$.port')) AS port_name,"           \
	" json_extract(f.data, '$.vlan') AS vlan, f.last_seen AS seen"

/* fdb row f is on a port with a current LLDP or CDP neighbour: an uplink,
 * never an attachment. */
#define ATTACH_UPLINK                                                          \
	" EXISTS (SELECT 1 FROM component n"                                   \
	"  WHERE n.device_id = f.device_id AND n.section IN ('lldp', 'cdp')"   \
	"  AND n.current = 1 AND json_extract(f.data, '$.net_index') <> ''"    \
	"  AND json_extract(n.data, '$.net_index') ="                          \
	"  json_extract(f.data, '$.net_index'))"

/* Every current fdb row of another device of ORG (a switch) that holds one
 * of DEV's MACs (sys mac, network and ip rows) on a port that is no
 * uplink, with the number of distinct MACs on that port. DEV and ORG are
 * SQL expressions for the device's id and org (the outer query's
 * "device.id"/"device.org_id"). */
#define ATTACH_CANDIDATES(DEV, ORG)                                            \
	"SELECT" ATTACH_FDB_COLS ","                                           \
	" (SELECT count(DISTINCT g.mac) FROM component g"                      \
	"  WHERE g.device_id = f.device_id AND g.section = 'fdb'"              \
	"  AND g.current = 1 AND json_extract(g.data, '$.port') ="             \
	"  json_extract(f.data, '$.port')) AS port_macs"                       \
	" FROM component f JOIN device s ON s.id = f.device_id"                \
	" WHERE f.section = 'fdb' AND f.current = 1"                           \
	" AND f.device_id <> " DEV " AND s.org_id = " ORG                      \
	" AND f.mac IN (SELECT m.mac FROM component m"                         \
	"  WHERE m.device_id = " DEV " AND m.section IN ('network', 'ip')"     \
	"  AND m.current = 1 AND m.mac <> ''"                                  \
	"  UNION SELECT d0.mac FROM device d0 WHERE d0.id = " DEV              \
	"  AND d0.mac <> '')"                                                  \
	" AND NOT" ATTACH_UPLINK

/* The attachment: the candidate on the port with the fewest MACs (an
 * access port beats a small unmanaged switch behind another port), then
 * the most recently seen. */
/* clang-format off */
#define ATTACH_BEST(COLS, DEV, ORG)                                            \
	"SELECT " COLS " FROM (" ATTACH_CANDIDATES(DEV, ORG) ") a"             \
	" WHERE a.port_macs <= " ATTACH_STR(ATTACH_MAX_MACS)                   \
	" ORDER BY a.port_macs, a.seen DESC, a.switch_id, a.mac LIMIT 1"

/* The same rule for a set of devices in one query: DEVS is a SELECT of
 * (id, org_id, pos) rows, one per device. Each
 * device's MACs are looked up in the fdb rows through the index on
 * component.mac (the CROSS JOINs keep SQLite from starting at the
 * switches, which costs 1,000 times more), the MACs per port are counted
 * once per switch, not once per candidate, and a window picks each
 * device's best candidate (a port without a "port" counts 0 MACs, as in
 * ATTACH_CANDIDATES): the rows of CTE best with n = 1. */
#define ATTACH_SET_CTE(DEVS)                                                   \
	"WITH devs(id, org_id, pos) AS (" DEVS "),"                           \
	" macs(dev, org_id, pos, mac) AS (SELECT devs.*, m.mac FROM devs"       \
	"  JOIN component m ON m.device_id = devs.id"                          \
	"  AND m.section IN ('network', 'ip') AND m.current = 1"               \
	"  AND m.mac <> ''"                                                    \
	"  UNION SELECT devs.*, d0.mac FROM devs JOIN device d0"               \
	"  ON d0.id = devs.id AND d0.mac <> ''),"                              \
	" cand AS (SELECT macs.dev AS dev, macs.pos AS pos," ATTACH_FDB_COLS   \
	"  FROM macs CROSS JOIN component f"                                   \
	"  ON f.mac = macs.mac AND f.section = 'fdb'"                          \
	"  AND f.current = 1 AND f.device_id <> macs.dev"                      \
	"  CROSS JOIN device s ON s.id = f.device_id"                          \
	"  AND s.org_id = macs.org_id WHERE NOT" ATTACH_UPLINK "),"            \
	" ports AS (SELECT g.device_id AS switch_id,"                          \
	"  json_extract(g.data, '$.port') AS port,"                            \
	"  count(DISTINCT g.mac) AS port_macs FROM component g"                \
	"  WHERE g.section = 'fdb' AND g.current = 1"                          \
	"  AND g.device_id IN (SELECT switch_id FROM cand) GROUP BY 1, 2),"    \
	" best AS (SELECT cand.*, coalesce(ports.port_macs, 0) AS port_macs,"  \
	"  row_number() OVER (PARTITION BY cand.dev"                           \
	"  ORDER BY coalesce(ports.port_macs, 0), cand.seen DESC,"             \
	"  cand.switch_id, cand.mac) AS n FROM cand LEFT JOIN ports"           \
	"  ON ports.switch_id = cand.switch_id AND ports.port = cand.port"     \
	"  WHERE coalesce(ports.port_macs, 0) <= "                             \
	ATTACH_STR(ATTACH_MAX_MACS) ")"

/* The attachments of the devices whose ids are in IDS, a bound parameter
 * ("?N") holding a JSON array: rows (id, then the attachment's columns)
 * in the order of the ids, one per device that has one. */
#define ATTACH_SET(IDS)                                                        \
	ATTACH_SET_CTE("SELECT d.id, d.org_id, d.id FROM device d WHERE "      \
		       DB_IN_JSON_IDS("d.id", IDS))                            \
	" SELECT dev AS id, switch_id, switch_name AS switch, switch_ip,"      \
	" port, net_index, port_name, vlan, mac, port_macs, seen"              \
	" FROM best WHERE n = 1 ORDER BY id"

/* The ids of the devices whose attachment meets a condition, which the
 * caller appends on best.switch_name, best.switch_id or best.port_name
 * (and closes the parenthesis it opens): every device with a MAC is
 * looked at once, in one query for the whole list. */
#define ATTACH_FILTER                                                          \
	ATTACH_SET_CTE("SELECT d.id, d.org_id, d.id FROM device d")            \
	" SELECT best.dev FROM best WHERE best.n = 1 AND ("
/* clang-format on */

/* ATTACH_SET's rows for the device ids in ids (a JSON array, borrowed);
 * NULL on error (logged). */
json_t *sql_attachments(struct store *st, json_t *ids);

#endif
