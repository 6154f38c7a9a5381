#!/bin/bash
# SNMP benchmark, run on purpose (not a pass/fail test): in the namespace
# lab with N Net-SNMP agents (default 50), time
#   A. netcensus's SNMP probe (src/probe/snmp.c through bench/snmp_driver,
#      one thread per agent): system group + interfaces + addresses (+ ARP,
#      Entity, LLDP) of every agent;
#   B. one `snmpget` of the system group per agent, all run in parallel;
#   C. the same snmpget calls in a plain loop;
#   D. `netcensus discover --ports 161/udp` of every agent with a community
#      credential: the engine's SNMP check (the PROBE_SNMP row: datagrams
#      paced, retried and timed out by the engine) then the full read of
#      each agent that answered, as a discovery runs it;
# in the same run on the same lab, ROUNDS times each, and print the median
# of each and the ratios. NETCENSUS=path runs D with another binary (to
# compare builds; A-C use this tree's probe).
#
#   bench/snmp.sh [--agents N] [--rounds R] [--build DIR]
#
# Needs root (network namespaces), snmpd and snmp from Debian. Every packet
# stays inside the lab's namespaces; the lab is torn down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

AGENTS=50
ROUNDS=5
BUILD=build
while [ $# -gt 0 ]; do
	case $1 in
	--agents) AGENTS=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	*) echo "usage: bench/snmp.sh [--agents N] [--rounds R] [--build DIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/snmp.sh: needs root" >&2; exit 1; }

LAB=tests/lab/lab.sh
P=ncb$(($$ % 100000))	# unique per run: others may run the lab too
export NCLAB_QUIET=1 MIBS=
TMP=$(mktemp -d /tmp/ncbench.XXXXXX)
export SNMP_PERSISTENT_DIR=$TMP/snmp
trap '"$LAB" down --prefix "$P" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

# The driver: the probe's objects from BUILD plus bench/snmp_driver.c.
make -s BUILD="$BUILD" "$BUILD/src/probe/snmp.o" "$BUILD/src/core/log.o" \
	"$BUILD/src/core/util.o"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc \
	-o "$TMP/snmp_driver" bench/snmp_driver.c "$BUILD/src/probe/snmp.o" \
	"$BUILD/src/core/log.o" "$BUILD/src/core/util.o" -ljansson \
	$(net-snmp-config --netsnmp-libs) -lpthread

NC=${NETCENSUS:-$PWD/$BUILD/netcensus}
[ -x "$NC" ] || make -s BUILD="$BUILD" "$BUILD/netcensus"
echo '[{"type": "snmp", "name": "bench", "community": "public"}]' >"$TMP/creds.json"

t0=$(date +%s%N)
"$LAB" up --prefix "$P" --hosts 1 --agents "$AGENTS"
echo "lab with $AGENTS agents up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
"$LAB" check --prefix "$P"
"$LAB" truth --prefix "$P" |
	jq -r '.hosts[] | select(.role == "bench-agent") | .ip' >"$TMP/ips"
IPS=$(tr '\n' ' ' <"$TMP/ips")
n=$(wc -l <"$TMP/ips")
SYS=".1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.2.0 .1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.4.0 .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.6.0"

# Every command runs inside the scanner namespace, entered once per round,
# so entering it is not what is measured.
in_lab() { ip netns exec "$P-scan" "$@"; }

run_probe() {
	in_lab "$TMP/snmp_driver" -c public -t 1000 -d 10000 $IPS >"$TMP/probe.out"
}
run_parallel() {
	in_lab bash -c 'for ip in $1; do
		snmpget -v2c -c public -t 1 -r 1 -On "$ip" $2 >/dev/null &
	done; wait' _ "$IPS" "$SYS"
}
run_loop() {
	in_lab bash -c 'for ip in $1; do
		snmpget -v2c -c public -t 1 -r 1 -On "$ip" $2 >/dev/null
	done' _ "$IPS" "$SYS"
}
run_discover() {
	in_lab "$NC" discover --json --no-dns --ports 161/udp \
		--credentials "$TMP/creds.json" $IPS >"$TMP/disc.out"
}
ms_of() {
	local t=$(date +%s%N)
	"$@"
	echo $(( ($(date +%s%N) - t) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# One untimed round of each, so no side is the first to wake the agents.
run_probe; run_parallel; run_loop; run_discover
for ((r = 1; r <= ROUNDS; r++)); do
	ms_of run_probe >>"$TMP/a"
	ms_of run_parallel >>"$TMP/b"
	ms_of run_loop >>"$TMP/c"
	ms_of run_discover >>"$TMP/d"
done

ok=$(jq -s '[.[] | select(.ok)] | length' "$TMP/probe.out")
rows=$(jq -s '[.[] | (.report.network | length) + (.report.ip | length)] | add' "$TMP/probe.out")
ifs=$(jq -s '[.[] | .report.network | length] | add' "$TMP/probe.out")
ips=$(jq -s '[.[] | .report.ip | length] | add' "$TMP/probe.out")
dok=$(jq '[.[] | select(.sys.sysObjectID != null)] | length' "$TMP/disc.out")
a=$(median <"$TMP/a"); b=$(median <"$TMP/b"); c=$(median <"$TMP/c")
d=$(median <"$TMP/d")
echo
echo "agents: $n (Net-SNMP snmpd, each in its own namespace $P-aK, like a device)"
echo "A netcensus probe, sys+interfaces+addresses(+arp,entity,lldp): ${a} ms  (runs: $(tr '\n' ' ' <"$TMP/a"))"
echo "   answered $ok/$n agents; $ifs interface rows, $ips address rows"
echo "B snmpget of the system group, all $n in parallel:          ${b} ms  (runs: $(tr '\n' ' ' <"$TMP/b"))"
echo "C snmpget of the system group, plain loop:                   ${c} ms  (runs: $(tr '\n' ' ' <"$TMP/c"))"
echo "D netcensus discover --ports 161/udp (check + read), $NC:"
echo "                                                             ${d} ms  (runs: $(tr '\n' ' ' <"$TMP/d"))"
echo "   $dok/$n agents with a sysObjectID in the reports"
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
	if (a < 1) a = 1
	printf "ratio B/A (parallel snmpget / netcensus): %.1fx\n", b / a
	printf "ratio C/A (snmpget loop / netcensus):     %.1fx\n", c / a
}'
[ "$ok" -eq "$n" ] || { echo "bench/snmp.sh: only $ok of $n agents answered" >&2; exit 1; }
[ "$dok" -eq "$n" ] || { echo "bench/snmp.sh: discover read only $dok of $n agents" >&2; exit 1; }
