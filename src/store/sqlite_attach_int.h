/*
 * sqlite_attach_int: the one SQL text that says where a device is plugged
 * in (store_attach.h), as macros, so that the device endpoint
 * (sqlite_attach.c) and the device list's filters switch=, switch_id=,
 * switch_port= (sqlite_api.c) compute it the same way. DEV and ORG are
 * SQL expressions for the device's id and org ("?1"/"?2" or the outer
 * query's "device.id"/"device.org_id"). Inside, tables are aliased, so the
 * outer query's bare "device" stays visible. Nothing outside src/store/
 * includes this.
 */
#ifndef NC_SQLITE_ATTACH_INT_H
#define NC_SQLITE_ATTACH_INT_H

/* An access port has at most this many distinct MACs (docs/device-report.md:
 * a PC, an IP phone, a VM or two); more is an uplink or a hub. */
#define ATTACH_MAX_MACS 4
#define ATTACH_STR_(x) #x
#define ATTACH_STR(x) ATTACH_STR_(x)

/* Every current fdb row of another device of ORG (a switch) that holds one
 * of DEV's MACs (sys mac, network and ip rows) on a port with no current
 * LLDP or CDP neighbour, with the number of distinct MACs on that port. */
#define ATTACH_CANDIDATES(DEV, ORG)                                            \
	"SELECT f.device_id AS switch_id, f.mac AS mac,"                       \
	" coalesce(nullif(s.hostname, ''), nullif(s.sysName, ''), s.ip)"       \
	"  AS switch_name, s.ip AS switch_ip,"                                 \
	" json_extract(f.data, '$.port') AS port,"                             \
	" json_extract(f.data, '$.net_index') AS net_index,"                   \
	" coalesce(nullif(json_extract(f.data, '$.interface'), ''),"           \
	"  'port ' || json_extract(f.data, '$.port')) AS port_name,"           \
	" json_extract(f.data, '$.vlan') AS vlan, f.last_seen AS seen,"        \
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
	" AND NOT EXISTS (SELECT 1 FROM component n"                           \
	"  WHERE n.device_id = f.device_id AND n.section IN ('lldp', 'cdp')"   \
	"  AND n.current = 1 AND json_extract(f.data, '$.net_index') <> ''"    \
	"  AND json_extract(n.data, '$.net_index') ="                          \
	"  json_extract(f.data, '$.net_index'))"

/* The attachment: the candidate on the port with the fewest MACs (an
 * access port beats a small unmanaged switch behind another port), then
 * the most recently seen. */
/* clang-format off */
#define ATTACH_BEST(COLS, DEV, ORG)                                            \
	"SELECT " COLS " FROM (" ATTACH_CANDIDATES(DEV, ORG) ") a"             \
	" WHERE a.port_macs <= " ATTACH_STR(ATTACH_MAX_MACS)                   \
	" ORDER BY a.port_macs, a.seen DESC, a.switch_id, a.mac LIMIT 1"
/* clang-format on */

#endif
