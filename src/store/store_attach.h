/*
 * store_attach: where a device is plugged in — "device X is on switch Y,
 * port Z, VLAN V" — computed when asked from what the store holds: the
 * switches' fdb sections (their forwarding tables, read over SNMP), their
 * lldp and cdp sections (a port with a neighbour is an uplink) and the
 * device's own MACs (sys mac, network and ip rows). The rule
 * (docs/device-report.md#attachments): a current fdb row of another
 * device of the same org holds one of the device's MACs, on a port with at
 * most ATTACH_MAX_MACS distinct MACs and no current LLDP/CDP neighbour;
 * the port with the fewest MACs wins, then the latest seen.
 */
#ifndef NC_STORE_ATTACH_H
#define NC_STORE_ATTACH_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* Device id's attachment: {"switch_id", "switch" (its hostname, else
 * sysName, else ip), "switch_ip", "port" (bridge port), "net_index"
 * (ifIndex, "" when unknown), "port_name" (ifName/ifDescr, else "port N"),
 * "vlan" ("" when the switch has no Q-BRIDGE-MIB), "mac" (the device's MAC
 * seen there), "port_macs" (distinct MACs on that port), "seen" (when the
 * switch last reported it)}; JSON null when it has none; NULL on error
 * (logged). */
json_t *store_device_attachment(struct store *st, int64_t id);

#endif
