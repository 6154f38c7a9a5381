#!/bin/sh
# What a device's structure says, read over SNMP from snmpsimd agents that
# serve ten small made-up recordings (written below, under an enterprise
# number nobody has rules for), so that only the structural rules can type
# them (docs/classification.md, "In what order evidence counts"):
#
#   bridge  a BRIDGE-MIB port table of 12 rows but no dot1dBaseNumPorts,
#           and a sysDescr that says "Router": sys.bridge_ports is 12 and
#           the port table outweighs the word (switch);
#   fdb     5 bridge ports, a forwarding table that learned addresses on
#           all 5 (and one aged, invalid row): sys.fdb_ports is 5 (switch);
#   shelf   an ENTITY-MIB table whose shelf (entity 1) has a model but no
#           class and no container, holding cards and fans that the walk
#           meets first: the shelf is the root of the containment tree and
#           names the model; the sysDescr word DWDM gives the type;
#   cmts, modem, olt, ports, wifi
#           only an interface table (IF-MIB ifType): DOCSIS MAC layers
#           and 16 upstreams (a CMTS, typed router), one MAC layer (a
#           cable modem), GPON ports (an OLT), 24 Ethernet ports without
#           bridge tables (a switch), IEEE 802.11 interfaces (a wap);
#   lldpap, lldpsw
#           LLDP-MIB's lldpLocSysCapEnabled: bridge and wlanAccessPoint
#           (a wap), bridge alone (a switch).
#
# Topology: PREFIX-scan (198.18.50.1/24) -- veth -- PREFIX-rec, one
# address per agent. The scanner namespace has only the connected /24,
# checked before anything is sent.
#
# Needs root, ip netns, snmpsimd, snmpget, jq.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools snmpsimd snmpget jq timeout
need_netcensus

NET=198.18.50
tmp_init snmpstruct
chmod 755 "$T"
rec_lab_up "nst$(($$ % 100000))" "$NET"

E=1.3.6.1.4.1.99998 # no rule names this enterprise
# sysgroup DESCR OID NAME: the system group
sysgroup() {
	printf '1.3.6.1.2.1.1.1.0|4|%s\n1.3.6.1.2.1.1.2.0|6|%s\n' "$1" "$2"
	printf '1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.1.5.0|4|%s\n' "$3"
}
# ifrows SPEC ...: ifIndex, ifDescr and ifType rows, numbered from 1 (never
# touching n, lib.sh's count of checks); a
# SPEC is N (N Ethernet ports, ifType 6) or NxTYPE (N of IANAifType TYPE)
ifrows() {
	for col in 1 2 3; do
		i=1
		for spec in "$@"; do
			case $spec in
			*x*) count=${spec%x*} ty=${spec#*x} ;;
			*) count=$spec ty=6 ;;
			esac
			k=1
			while [ "$k" -le "$count" ]; do
				case $col in
				1) printf '1.3.6.1.2.1.2.2.1.1.%d|2|%d\n' "$i" "$i" ;;
				2) printf '1.3.6.1.2.1.2.2.1.2.%d|4|port %d\n' "$i" "$i" ;;
				3) printf '1.3.6.1.2.1.2.2.1.3.%d|2|%d\n' "$i" "$ty" ;;
				esac
				i=$((i + 1))
				k=$((k + 1))
			done
		done
	done
}
# bports N: dot1dBasePort and dot1dBasePortIfIndex of N ports
bports() {
	i=1
	while [ "$i" -le "$1" ]; do
		printf '1.3.6.1.2.1.17.1.4.1.1.%d|2|%d\n' "$i" "$i"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$1" ]; do
		printf '1.3.6.1.2.1.17.1.4.1.2.%d|2|%d\n' "$i" "$i"
		i=$((i + 1))
	done
}

{
	sysgroup "Acme Edge Router ER-12" "$E.8" bridge-1
	ifrows 12
	printf '1.3.6.1.2.1.4.1.0|2|2\n'
	bports 12
} >"$T/bridge.snmprec"

{
	sysgroup "Acme box 5" "$E.9" fdb-1
	ifrows 5
	printf '1.3.6.1.2.1.4.1.0|2|2\n'
	bports 5
	# dot1dTpFdbTable (17.4.3.1): address, port, status; index = MAC
	for col in 1 2 3; do
		for p in 1 2 3 4 5 6; do
			idx="2.0.0.0.0.$p"
			case $col in
			1) printf '1.3.6.1.2.1.17.4.3.1.1.%s|4x|02000000000%d\n' "$idx" "$p" ;;
			2) printf '1.3.6.1.2.1.17.4.3.1.2.%s|2|%d\n' "$idx" $((p > 5 ? 1 : p)) ;;
			3) printf '1.3.6.1.2.1.17.4.3.1.3.%s|2|%d\n' "$idx" $((p > 5 ? 2 : 3)) ;;
			esac
		done
	done
} >"$T/fdb.snmprec"

{
	sysgroup "Acme DWDM shelf 40ch" "$E.14" shelf-1
	ifrows 2
	printf '1.3.6.1.2.1.4.1.0|2|2\n'
	EN=1.3.6.1.2.1.47.1.1.1.1
	# entPhysicalDescr: only the cards and fans (the walk meets them first)
	for k in 2 3 4 5; do printf '%s.2.%d|4|part %d\n' "$EN" "$k" "$k"; done
	# entPhysicalContainedIn: all inside entity 1, which has none itself
	for k in 2 3 4 5; do printf '%s.4.%d|2|1\n' "$EN" "$k"; done
	# entPhysicalClass: fans (7) and modules (9); the shelf has none
	printf '%s.5.2|2|7\n%s.5.3|2|7\n%s.5.4|2|9\n%s.5.5|2|9\n' "$EN" "$EN" "$EN" "$EN"
	# entPhysicalModelName
	printf '%s.13.1|4|SHELF-9000\n' "$EN"
	for k in 2 3; do printf '%s.13.%d|4|FAN-100\n' "$EN" "$k"; done
	for k in 4 5; do printf '%s.13.%d|4|CARD-400G\n' "$EN" "$k"; done
} >"$T/shelf.snmprec"

# The interfaces' kinds (IF-MIB ifType), nothing else: 8 each of DOCSIS
# MAC layer (127), downstream (128) and Ethernet, 16 upstreams (129): a CMTS
# (a router); one MAC layer with 4 of each other kind: a cable modem;
# 8 GPON ports (250) and 8 Ethernet: an OLT; 24 Ethernet ports and no
# bridge tables: a switch; 2 Ethernet and 2 IEEE 802.11 (71): an access
# point.
{
	sysgroup "Acme HFC head end 8" "$E.20" cmts-1
	ifrows 8x127 8x128 16x129 8
} >"$T/cmts.snmprec"
{
	sysgroup "Acme home gateway" "$E.21" modem-1
	ifrows 1x127 4x128 4x129 4
} >"$T/modem.snmprec"
{
	sysgroup "Acme optical access 8" "$E.22" olt-1
	ifrows 8x250 8
} >"$T/olt.snmprec"
{
	sysgroup "Acme box 24" "$E.23" ports-1
	ifrows 24
} >"$T/ports.snmprec"
{
	sysgroup "Acme box W" "$E.24" wifi-1
	ifrows 2 2x71
} >"$T/wifi.snmprec"
# What the device announces over LLDP (lldpLocSysCapEnabled, BITS: bridge
# is 0x20, wlanAccessPoint 0x10, router 0x08): bridge and access point (a
# wap), and bridge alone (a switch), behind 2 Ethernet ports each.
{
	# (snmprec files are in OID order: LLDP-MIB's 1.0.8802 comes first)
	printf '1.0.8802.1.1.2.1.3.6.0|4x|30\n'
	sysgroup "Acme box L" "$E.25" lldpap-1
	ifrows 2
} >"$T/lldpap.snmprec"
{
	# (snmprec files are in OID order: LLDP-MIB's 1.0.8802 comes first)
	printf '1.0.8802.1.1.2.1.3.6.0|4x|20\n'
	sysgroup "Acme box B" "$E.26" lldpsw-1
	ifrows 2
} >"$T/lldpsw.snmprec"

rec_agent "$NET.10" bridge "$T/bridge.snmprec"
rec_agent "$NET.11" fdb "$T/fdb.snmprec"
rec_agent "$NET.12" shelf "$T/shelf.snmprec"
rec_agent "$NET.13" cmts "$T/cmts.snmprec"
rec_agent "$NET.14" modem "$T/modem.snmprec"
rec_agent "$NET.15" olt "$T/olt.snmprec"
rec_agent "$NET.16" ports "$T/ports.snmprec"
rec_agent "$NET.17" wifi "$T/wifi.snmprec"
rec_agent "$NET.18" lldpap "$T/lldpap.snmprec"
rec_agent "$NET.19" lldpsw "$T/lldpsw.snmprec"
rec_agents_wait

rec_discover "$NET.10-19"
got="$(rec_sysf "$NET.10" bridge_ports) $(rec_sysf "$NET.10" type)"
check "bridge: 12 rows in the port table, no dot1dBaseNumPorts: a switch ($got)" \
	[ "$got" = "12 switch" ]
check "bridge: the evidence names the port table" \
	sh -c "echo \"\$1\" | grep -q 'type: BRIDGE-MIB dot1dBasePortTable'" - \
	"$(rec_sysf "$NET.10" classification)"
got="$(rec_sysf "$NET.11" bridge_ports) $(rec_sysf "$NET.11" fdb_ports) $(rec_sysf "$NET.11" type)"
check "fdb: 5 ports, addresses learned on 5 (the invalid row dropped): a switch ($got)" \
	[ "$got" = "5 5 switch" ]
got="$(rec_sysf "$NET.12" entity_chosen_by)|$(rec_sysf "$NET.12" model)|$(rec_sysf "$NET.12" type)"
check "shelf: the root entity names the model ($got)" \
	[ "$got" = "root of the containment tree|SHELF-9000|optical transport" ]
# kind LABEL ADDR FIELDS WANT: the sys fields' values joined by "|"
kind() {
	got=""
	for f in $3; do got="$got$(rec_sysf "$2" "$f")|"; done
	check "$1 ($got)" [ "$got" = "$4" ]
}
kind "cmts: 8 DOCSIS MAC layers, 16 upstreams: a CMTS, typed router" "$NET.13" \
	"if_docsis_mac if_docsis_down if_docsis_up if_ethernet type" "8|8|16|8|router|"
check "cmts: the evidence names the upstreams" \
	sh -c "echo \"\$1\" | grep -q 'type: IF-MIB: more than 8 DOCSIS upstream'" - \
	"$(rec_sysf "$NET.13" classification)"
kind "modem: one DOCSIS MAC layer, 4 upstreams: a cable modem" "$NET.14" \
	"if_docsis_mac if_docsis_up type" "1|4|cable modem|"
kind "olt: 8 GPON ports: an OLT" "$NET.15" "if_pon if_ethernet type" "8|8|olt|"
kind "ports: 24 Ethernet ports, no bridge tables: a switch" "$NET.16" \
	"if_ethernet bridge_ports type" "24||switch|"
kind "wifi: 2 IEEE 802.11 interfaces: an access point" "$NET.17" \
	"if_wireless if_ethernet type" "2|2|wap|"
kind "lldpap: announces bridge and wlanAccessPoint over LLDP: an access point" \
	"$NET.18" "lldpLocSysCapEnabled type" "bridge wlanAccessPoint|wap|"
kind "lldpsw: announces bridge alone over LLDP: a switch" "$NET.19" \
	"lldpLocSysCapEnabled type" "bridge|switch|"
tap_finish
