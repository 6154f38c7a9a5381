/*
 * snmp: read one device over SNMP v1, v2c or v3 with net-snmp — the
 * blocking job an engine worker thread runs for a host that may have an
 * agent on 161/udp.
 *
 * Credentials come as a JSON array in Open-AudIT's shape and are tried in
 * order; the first that gets an answer wins. A community is tried as v2c
 * first, then v1. An snmp_v3 credential carries security_name,
 * security_level (noAuthNoPriv | authNoPriv | authPriv), auth_protocol (MD5
 * | SHA | SHA-224 | SHA-256 | SHA-384 | SHA-512), auth_passphrase,
 * priv_protocol (DES | AES | AES-192 | AES-256), priv_passphrase and
 * context_name. Entries of other types (ssh, windows, ...) are skipped.
 *
 * What is read, into the caller's device report:
 *   sys      sysDescr, sysObjectID (numeric, no leading dot), sysName,
 *            sysUpTime (hundredths of a second), uptime (seconds),
 *            sysContact, sysLocation, snmp_oid, snmp_version ("1", "2c" or
 *            "3"), snmp_credential (0-based index of the credential that
 *            worked) and snmp_credential_name (its "name", when it has
 *            one — never a secret); for classification (src/classify,
 *            docs/classification.md), what the device says about itself:
 *            the identity objects of snmp.c's ident_defs under their MIB
 *            names (ipForwarding, dot1dBaseNumPorts, upsIdentModel,
 *            netappProductModel, ...) with snmp_mibs listing the MIBs that
 *            answered, the Entity MIB's device entity (chassis, else the
 *            one in no container, else the first with a model) as serial,
 *            entPhysicalModelName / Descr / MfgName / SoftwareRev and
 *            entity_chosen_by, and hrPrinterDescr (hrDeviceDescr of the
 *            first printer in hrDeviceTable).
 *   network  ifTable + ifXTable: net_index, description, model, connection,
 *            alias, type, mac, speed (bit/s), ifadminstatus, ip_enabled,
 *            iflastchange.
 *   ip       ipAddrTable, plus ipAddressTable for what that lacks (IPv6):
 *            ip, netmask, cidr, network, net_index, mac, version.
 *   arp      ipNetToMediaTable, plus ipNetToPhysicalTable: ip, mac,
 *            net_index, interface.
 *   lldp     lldpRemTable when present: local_port, remote_mac or
 *            remote_chassis_id, remote_port, remote_port_description,
 *            remote_name, remote_description; and from the L2 walk
 *            net_index + local_interface (the local port's ifIndex and
 *            ifName: lldpLocPortTable matched to the ifTable, else the
 *            bridge port map) and remote_ip (lldpRemManAddrTable).
 *   fdb      the forwarding table: Q-BRIDGE-MIB dot1qTpFdbTable (vlan from
 *            its FDB id through dot1qVlanFdbId), else BRIDGE-MIB
 *            dot1dTpFdbTable (vlan ""): mac, vlan, port (bridge port),
 *            net_index + interface (dot1dBasePortIfIndex, ifName), status
 *            (learned, mgmt, other; invalid and self rows are dropped).
 *   cdp      CISCO-CDP-MIB cdpCacheTable: local_port + net_index (ifIndex),
 *            local_interface, remote_name (device id), remote_port,
 *            remote_ip, remote_platform, remote_description (version).
 *            The L2 tables are walked after the others, at most
 *            SNMP_PROBE_MAX_FDB rows each and within the deadline; when
 *            either stops the walk, sys.fdb_truncated is "rows" or
 *            "deadline" and the rows read are kept.
 *   route    only when opts->routes: inetCidrRouteTable, else
 *            ipCidrRouteTable, else ipRouteTable: destination, mask, cidr,
 *            next_hop ("" when connected), interface, protocol, type
 *            (local, remote, other); at most SNMP_PROBE_MAX_ROUTES rows,
 *            sys.route_truncated "rows" or "deadline" when cut.
 * Every value is a string. A section is set only when rows were read.
 *
 * Walks use GETBULK (v2c, v3) or GETNEXT (v1) over several columns at
 * once. The agent is not trusted: every walk stops at opts->max_rows rows,
 * on an OID that does not increase, or when a column leaves its table;
 * values are cut at SNMP_PROBE_MAX_VALUE bytes and made valid UTF-8. A hard
 * deadline covers the whole call: it is checked before every request and
 * bounds every wait, so a slow or silent agent costs at most deadline_ms
 * (plus one library call).
 *
 * Threads: any number of threads may call snmp_probe() at once; each call
 * owns its own net-snmp single-session handles. net-snmp is not built
 * re-entrant, so every library call that touches its shared state (USM
 * users, engine times, request ids) runs under one module lock, which is
 * never held while waiting for the network.
 */
#ifndef NC_SNMP_H
#define NC_SNMP_H

#include <stddef.h>
#include <jansson.h>

#define SNMP_PROBE_MAX_VALUE 1024  /* bytes kept of one value */
#define SNMP_PROBE_MAX_ROWS 4096   /* ceiling for opts->max_rows */
#define SNMP_PROBE_MAX_FDB 8192	   /* rows per L2 table (fdb, cdp, ...) */
#define SNMP_PROBE_MAX_ROUTES 4096 /* rows of the routing table */

struct snmp_probe_opts {
	int timeout_ms;	   /* one request's wait; 0: 1000 */
	int retries;	   /* resends of one request; <0: 1 */
	int deadline_ms;   /* the whole call; 0: 10000, or the environment's
			    * NETCENSUS_SNMP_DEADLINE_MS */
	unsigned port;	   /* 0: 161 */
	int max_rows;	   /* rows per table; 0: 1024 */
	int bulk_varbinds; /* varbinds asked per GETBULK; 0: 120 */
	int routes;	   /* 1: read the routing table too (route
			    * section; seed discovery) */
};

/* Initialises net-snmp once per process (MIB loading and config files
 * off, nothing persisted). Called by snmp_probe(); call it early from the
 * main thread to keep the cost out of the first probe. */
void snmp_probe_init(void);

/* Reads the device at numeric address ip with the first credential that
 * answers and fills report (sys + sections, see above). opts may be NULL.
 * 0 when a credential worked (sections that failed are left out), -1 with
 * err naming the host and why when none did (no answer, authentication
 * failure, bad credential entry, deadline). */
int snmp_probe(const char *ip, json_t *credentials,
	       const struct snmp_probe_opts *opts, json_t *report, char *err,
	       size_t errlen);

#endif
