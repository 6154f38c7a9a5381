#!/bin/sh
# Seed discovery (docs/discovery.md#seed-discovery): a discovery that
# starts from one router's address finds the hosts in the router's ARP
# table and its connected subnet inside the allowed scope, and nothing
# outside it: an ARP entry outside the targets and --seed-scope, and one
# inside the scope but excluded, are logged as "seed"/"out-of-scope" and
# never probed.
#
# Topology: one L2 segment (a bridge in PREFIX-lan) joining
#   PREFIX-scan  198.18.48.1/24   the scanner: no route but the /24
#   PREFIX-rtr   198.18.48.2/24   snmpd (community public); its ARP table
#                holds static entries for .10, .11, .200 and 198.18.99.5
#   PREFIX-host  198.18.48.10, .11 and .200 (answer ping)
# The run: `discover 198.18.48.2 --seed --seed-scope 198.18.48.0/24
# --exclude 198.18.48.200`.
#
# Needs root, ip netns, snmpd, sqlite3.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/snmpd sqlite3 timeout
need_netcensus

P=nsd$(($$ % 100000))
NET=198.18.48
tmp_init seed
chmod 755 "$T"

on_cleanup() {
	for ns in scan rtr host lan; do
		ip netns del "$P-$ns" 2>/dev/null
	done
}

ok_topo=1
ip netns add "$P-lan" && ip -n "$P-lan" link add br0 type bridge &&
	ip -n "$P-lan" link set br0 up || ok_topo=0
for ns in scan rtr host; do
	ip netns add "$P-$ns" &&
		ip -n "$P-$ns" link add eth0 type veth peer name "p-$ns" netns "$P-lan" &&
		ip -n "$P-lan" link set "p-$ns" master br0 &&
		ip -n "$P-lan" link set "p-$ns" up &&
		ip -n "$P-$ns" link set lo up && ip -n "$P-$ns" link set eth0 up ||
		ok_topo=0
done
ip -n "$P-scan" addr add "$NET.1/24" dev eth0 || ok_topo=0
ip -n "$P-rtr" addr add "$NET.2/24" dev eth0 || ok_topo=0
for a in 10 11 200; do
	ip -n "$P-host" addr add "$NET.$a/24" dev eth0 || ok_topo=0
done
hostmac=$(ip -n "$P-host" link show eth0 | awk '/ether/ { print $2 }')
for a in "$NET.10" "$NET.11" "$NET.200" 198.18.99.5; do
	ip -n "$P-rtr" neigh replace "$a" lladdr "$hostmac" dev eth0 \
		nud permanent || ok_topo=0
done
if [ "$ok_topo" = 1 ]; then
	ok "lab: scanner, router with 4 ARP entries, hosts on one segment"
else
	nok "lab topology"
	tap_finish
fi
if [ -z "$(ip -n "$P-scan" -4 route show default)" ] &&
	[ "$(ip -n "$P-scan" -4 route show | awk '{print $1}')" = "$NET.0/24" ]; then
	ok "scanner namespace has no default route, only $NET.0/24"
else
	nok "scanner namespace has other routes: stopping before sending"
	tap_finish
fi

cat >"$T/snmpd.conf" <<CONF
rocommunity public default
sysName seed-router
sysDescr netcensus seed test router
sysObjectID .1.3.6.1.4.1.8072.3.2.10
CONF
ip netns exec "$P-rtr" env MIBS= /usr/sbin/snmpd -f -Lo -C -c "$T/snmpd.conf" \
	-p "$T/snmpd.pid" --persistentDir="$T" "udp:$NET.2:161" \
	>"$T/snmpd.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
answers() {
	ip netns exec "$P-scan" snmpget -v2c -c public -t 0.3 -r 0 -On \
		"$NET.2" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1
}
if wait_until "$WAIT_LONG" answers; then
	ok "the router's snmpd answers"
else
	nok "the router's snmpd does not answer"
	tap_finish
fi

# ------------------------------------------------------------ the run
if ip netns exec "$P-scan" timeout 600 "$NETCENSUS" discover --no-dns \
	--db "$DB" --ports 161/udp --discovery-ports 80 --timeout 3000 \
	--seed --seed-scope "$NET.0/24" --exclude "$NET.200" \
	"$NET.2" >"$T/out" 2>"$T/err"; then
	ok "seeded discovery finished"
else
	nok "seeded discovery (exit $?)"
	tail -5 "$T/err" | sed 's/^/# /'
fi
q() { sqlite3 -separator ' ' "$DB" "$1"; }
seed_row() { # seed_row IP: "outcome message" of its seed row
	q "SELECT outcome, message FROM discovery_log WHERE stage = 'seed' AND ip = '$1'"
}
r10=$(seed_row "$NET.10")
r99=$(seed_row 198.18.99.5)
r200=$(seed_row "$NET.200")
rnet=$(seed_row "$NET.0/24")
case $r10 in
"added 1 address from the arp table of $NET.2"*) ok "seed row: $r10" ;;
*) nok "seed row for $NET.10: '$r10'" ;;
esac
# 256 less network, broadcast, the router (visited) and the addresses
# with seed rows of their own (.10, .11, .200, and the scanner's .1 when
# the router's ARP table holds it)
own=$(q "SELECT count(*) FROM discovery_log WHERE stage = 'seed' AND ip LIKE '$NET.%' AND ip NOT LIKE '%/%'")
case $rnet in
"added $((253 - own)) addresses from the connected subnet of $NET.2"*) ok "seed row: $NET.0/24 $rnet" ;;
*) nok "seed row for $NET.0/24: '$rnet'" ;;
esac
case $r99 in
"out-of-scope from the arp table of $NET.2"*) ok "seed row: 198.18.99.5 $r99" ;;
*) nok "seed row for 198.18.99.5: '$r99'" ;;
esac
case $r200 in
"out-of-scope "*) ok "seed row: $NET.200 (excluded) $r200" ;;
*) nok "seed row for $NET.200: '$r200'" ;;
esac
# the router, the hosts its ARP table named, and the scanner's own
# address (inside the connected subnet and the scope: it answers too)
found=$(q "SELECT group_concat(ip, ' ') FROM (SELECT ip FROM device ORDER BY ip)")
if [ "$found" = "$NET.1 $NET.10 $NET.11 $NET.2" ]; then
	ok "devices found: $found"
else
	nok "devices found: '$found', want $NET.1 $NET.10 $NET.11 $NET.2"
fi
probed=$(q "SELECT count(*) FROM discovery_log WHERE stage <> 'seed' AND ip IN ('198.18.99.5', '$NET.200')")
if [ "$probed" = 0 ]; then
	ok "198.18.99.5 and the excluded $NET.200 were never probed"
else
	nok "$probed probe rows for out-of-scope addresses"
fi

tap_finish
