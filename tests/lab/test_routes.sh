#!/bin/sh
# Routing tables read over SNMP for seed discovery (docs/discovery.md,
# "Seed discovery"), against recordings of real devices in
# ../shared/snmprec (NETCENSUS_SNMPREC overrides): a Vyatta router
# (inetCidrRouteTable, IPv4 and IPv6), an H3C switch (ipCidrRouteTable
# only) and a firewall (RFC 1213 ipRouteTable only), each replayed by
# snmpsimd. A seeded discovery of the three must report, for each, the
# route rows tests/lab/routes_expect.py reads from the recording by hand
# (the first of the three tables with a row); what the routes name is
# outside the targets and the scope, so it is logged out-of-scope and
# never probed (the seeds are real-world addresses of the recordings).
# And a router with more routes than the cap (4,096): the read stops there
# and says so, the run ends within its budget.
#
# Topology: PREFIX-scan (198.18.46.1/24) -- veth -- PREFIX-rec, one
# address per agent. The scanner namespace has only the connected /24,
# checked before anything is sent.
#
# Needs root, ip netns, snmpsimd, snmpget, jq, bzip2, sqlite3, python3.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools snmpsimd snmpget jq bzcat timeout sqlite3 /usr/bin/python3
need_netcensus
HERE=$(cd "$(dirname "$0")" && pwd)
REC=${NETCENSUS_SNMPREC:-$HERE/../../../shared/snmprec}
NAMES="network_router_vyatta-unknown network_switch_h3c-e528-2 network_firewall_legend-holdings-firewall"
for name in $NAMES; do
	[ -f "$REC/$name.snmprec.bz2" ] || skip_all "recording $name missing in $REC"
done

NET=198.18.46
tmp_init routes
chmod 755 "$T"
rec_lab_up "nrt$(($$ % 100000))" "$NET"
i=10
for name in $NAMES; do
	bzcat "$REC/$name.snmprec.bz2" >"$T/$name.snmprec"
	/usr/bin/python3 "$HERE/routes_expect.py" "$T/$name.snmprec" >"$T/$name.want"
	rec_agent "$NET.$i" "$name" "$T/$name.snmprec"
	i=$((i + 1))
done
rec_agents_wait

list=$(awk '{ printf "%s ", $1 }' "$T/map")
if ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=300000 \
	timeout 900 "$NETCENSUS" discover --no-dns --db "$DB" --json \
	--ports 161/udp --discovery-ports none --timeout 10000 --retries 2 \
	--seed --seed-depth 1 $list >"$T/out.json" 2>"$T/err"; then
	ok "seeded discover of the 3 agents finished"
else
	nok "seeded discover (exit $?)"
	tail -5 "$T/err" | sed 's/^/# /'
fi
while read -r addr name; do
	jq -c --arg ip "$addr" '[.[] | select(.sys.ip == $ip) | .route // [] |
		.[] | [.destination, .cidr, .next_hop]] | sort' "$T/out.json" >"$T/$name.got"
	if [ "$(jq -c . "$T/$name.want")" = "$(cat "$T/$name.got")" ] &&
		[ "$(jq length "$T/$name.want")" -gt 0 ]; then
		ok "$name: $(jq length "$T/$name.got") route rows, as read from the recording"
	else
		nok "$name: route rows differ"
		echo "# want $(jq -c . "$T/$name.want" | cut -c1-400)"
		echo "# got  $(cut -c1-400 "$T/$name.got")"
	fi
done <"$T/map"
q() { sqlite3 "$DB" "$1"; }
# every next hop the routes name has a seed row (from whichever table
# named it first: often the ARP table), out of scope
jq -r '[.[] | .route // [] | .[] | .next_hop | select(. != "" and (startswith("fe80:") | not))] | unique[]' \
	"$T/out.json" >"$T/hops"
miss=0
while read -r h; do
	[ "$(q "SELECT outcome FROM discovery_log WHERE stage = 'seed' AND ip = '$h'")" = out-of-scope ] ||
		miss=$((miss + 1))
done <"$T/hops"
probed=$(q "SELECT count(*) FROM discovery_log WHERE stage <> 'seed' AND ip NOT IN ('$NET.10', '$NET.11', '$NET.12')")
if [ -s "$T/hops" ] && [ "$miss" = 0 ] && [ "$probed" = 0 ]; then
	ok "all $(wc -l <"$T/hops") next hops logged out-of-scope; nothing outside the targets probed"
else
	nok "next hops without an out-of-scope row: $miss of $(wc -l <"$T/hops"); probe rows outside the targets: $probed"
fi

# ------------------------------------------- more routes than the cap
# A router with 4,200 routes (tests/lab/routes_big.py; the cap is
# SNMP_PROBE_MAX_ROUTES, 4,096). First with the default per-host SNMP
# deadline: the read stops at the cap or the deadline, whichever comes
# first (load decides which), says so, and the run ends within its
# budget. Then with a deadline only the cap can beat: exactly the first
# 4,096 routes in the agent's order, route_truncated=rows, an snmp
# "partial" row in the discovery log, and the one next hop they name
# logged out of scope, never probed.
/usr/bin/python3 "$HERE/routes_big.py" "$T/bigrt.snmprec" 4200 "$NET.250"
rec_agent "$NET.20" bigrt "$T/bigrt.snmprec"
rec_agents_wait
start=$(date +%s)
ip netns exec "$SCAN" timeout 300 "$NETCENSUS" discover --no-dns \
	--db "$T/bigrt1.db" --json --ports 161/udp --discovery-ports none \
	--seed --seed-depth 1 "$NET.20" >"$T/bigrt1.json" 2>"$T/bigrt1.err"
rc=$?
secs=$(($(date +%s) - start))
rows=$(jq '[.[] | .route // [] | length] | add // 0' "$T/bigrt1.json")
why=$(jq -r '.[] | .sys.route_truncated // ""' "$T/bigrt1.json")
if [ "$rc" = 0 ] && [ "$rows" -gt 0 ] && [ "$rows" -le 4096 ] &&
	[ -n "$why" ] && [ "$secs" -lt 120 ]; then
	ok "4,200-route router, default SNMP deadline: $rows route rows kept, route_truncated=$why, run over in $secs s"
else
	nok "4,200-route router, default deadline: exit $rc, $rows rows, route_truncated='$why', $secs s"
	tail -5 "$T/bigrt1.err" | sed 's/^/# /'
fi
ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=600000 \
	timeout 900 "$NETCENSUS" discover --no-dns --db "$T/bigrt2.db" \
	--json --ports 161/udp --discovery-ports none --timeout 10000 \
	--retries 2 --seed --seed-depth 1 "$NET.20" \
	>"$T/bigrt2.json" 2>"$T/bigrt2.err"
# a destination as a number: 198.18.128.0 is 32768, 198.18.143.255 36863
num='split(".") | map(tonumber) | .[2] * 256 + .[3]'
jq -c ".[] | {routes: (.route | length), why: .sys.route_truncated,
	first: ([.route[].destination | $num] | min),
	last: ([.route[].destination | $num] | max)}" \
	"$T/bigrt2.json" | sed 's/^/# cap alone: /'
if jq -e ".[] | (.route | length) == 4096 and .sys.route_truncated == \"rows\" and
	([.route[].destination | $num] | min) == 32768 and
	([.route[].destination | $num] | max) == 36863 and
	.sys.sysName == \"big-routes\"" "$T/bigrt2.json" >/dev/null; then
	ok "route cap alone: exactly the first 4096 routes (198.18.128.0-198.18.143.255), route_truncated=rows"
else
	nok "route cap alone"
	tail -5 "$T/bigrt2.err" | sed 's/^/# /'
fi
bq() { sqlite3 "$T/bigrt2.db" "$1"; }
msg=$(bq "SELECT message FROM discovery_log WHERE stage = 'snmp' AND outcome = 'partial' AND ip = '$NET.20'")
hop=$(bq "SELECT outcome FROM discovery_log WHERE stage = 'seed' AND ip = '$NET.250'")
probed=$(bq "SELECT count(*) FROM discovery_log WHERE stage <> 'seed' AND ip <> '$NET.20'")
if [ "$msg" = "routing table cut at 4096 rows; the rows read are kept" ] &&
	[ "$hop" = out-of-scope ] && [ "$probed" = 0 ]; then
	ok "the discovery log says so (snmp partial '$msg'); next hop $NET.250 $hop, nothing else probed"
else
	nok "log: snmp partial '$msg', next hop '$hop', other probe rows $probed"
fi
tap_finish
