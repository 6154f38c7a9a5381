#!/bin/sh
# The makers' identity objects (data/snmp-identity.txt), read over SNMP
# from snmpsimd agents that serve three small made-up recordings (written
# below), and what classification makes of them
# (docs/classification.md, "What SNMP discovery reads for classification"):
#
#   ups     a CyberPower agent (sysObjectID 3808.1.1.1) that answers
#           CPS-MIB upsBaseIdentModel and upsAdvanceIdentSerialNumber,
#           and also SonicWall's snwlSysModel: the CPS-MIB model and
#           serial are read, the SonicWall object is never asked (it is
#           asked of SonicWall's agents only), so it is not in the report;
#   fw      a SonicWall agent (8741.1) whose snwlSysModel says
#           "SonicWALL  TZ   370" and whose sysDescr names no model: the
#           model comes from the MIB, made one spelling ("TZ 370"), and
#           its serial from snwlSysSerialNumber;
#   bmc     an HP iLO (232.9.4.10) with an empty sysDescr: CPQSM2-MIB's
#           cpqSm2CntlrModel 10 names it "iLO 4", a bmc.
#
# Topology: PREFIX-scan (198.18.52.1/24) -- veth -- PREFIX-rec, one
# address per agent. The scanner namespace has only the connected /24,
# checked before anything is sent.
#
# Needs root, ip netns, snmpsimd, snmpget, jq.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools snmpsimd snmpget jq timeout
need_netcensus

NET=198.18.52
tmp_init snmpident
chmod 755 "$T"
rec_lab_up "nsi$(($$ % 100000))" "$NET"

# sysgroup DESCR OID NAME: the system group and one interface
sysgroup() {
	printf '1.3.6.1.2.1.1.1.0|4|%s\n1.3.6.1.2.1.1.2.0|6|%s\n' "$1" "$2"
	printf '1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.1.5.0|4|%s\n' "$3"
	printf '1.3.6.1.2.1.2.2.1.1.1|2|1\n1.3.6.1.2.1.2.2.1.2.1|4|eth0\n'
	printf '1.3.6.1.2.1.2.2.1.3.1|2|6\n'
}
E=1.3.6.1.4.1
{
	sysgroup "Power Manager" "$E.3808.1.1.1" ups-1
	printf '%s.3808.1.1.1.1.1.1.0|4|PR1500ELCDRT2U\n' "$E"
	printf '%s.3808.1.1.1.1.2.3.0|4|ABC1234567\n' "$E"
	printf '%s.8741.2.1.1.1.0|4|not asked of CyberPower\n' "$E"
} >"$T/ups.snmprec"
{
	sysgroup "SonicOS Enhanced 6.5.4.4-44n" "$E.8741.1" fw-1
	printf '%s.8741.2.1.1.1.0|4|SonicWALL  TZ   370\n' "$E"
	printf '%s.8741.2.1.1.2.0|4|C0EAE4000001\n' "$E"
} >"$T/fw.snmprec"
{
	sysgroup "" "$E.232.9.4.10" bmc-1
	printf '%s.232.9.2.2.2.0|4|2.70\n' "$E"
	printf '%s.232.9.2.2.21.0|2|10\n' "$E"
} >"$T/bmc.snmprec"

rec_agent "$NET.10" ups "$T/ups.snmprec"
rec_agent "$NET.11" fw "$T/fw.snmprec"
rec_agent "$NET.12" bmc "$T/bmc.snmprec"
rec_agents_wait

rec_discover "$NET.10-12"
got="$(rec_sysf "$NET.10" model)|$(rec_sysf "$NET.10" serial)|$(rec_sysf "$NET.10" type)"
check "ups: CPS-MIB model and serial, a ups ($got)" \
	[ "$got" = "PR1500ELCDRT2U|ABC1234567|ups" ]
got="$(rec_sysf "$NET.10" snwlSysModel)"
check "ups: SonicWall's object is not asked of a CyberPower agent ($got)" \
	[ -z "$got" ]
check "ups: the evidence names the object" \
	sh -c "echo \"\$1\" | grep -q 'model: CPS-MIB upsBaseIdentModel'" - \
	"$(rec_sysf "$NET.10" classification)"
got="$(rec_sysf "$NET.11" model)|$(rec_sysf "$NET.11" serial)|$(rec_sysf "$NET.11" type)"
check "fw: snwlSysModel made one spelling, serial, a firewall ($got)" \
	[ "$got" = "TZ 370|C0EAE4000001|firewall" ]
got="$(rec_sysf "$NET.12" model)|$(rec_sysf "$NET.12" type)|$(rec_sysf "$NET.12" manufacturer)"
check "bmc: cpqSm2CntlrModel 10 is an iLO 4 ($got)" \
	[ "$got" = "iLO 4|bmc|Hewlett Packard" ]
tap_finish
