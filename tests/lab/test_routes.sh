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
tap_finish
