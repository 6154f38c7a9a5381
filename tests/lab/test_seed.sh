#!/bin/sh
# Seed discovery (docs/discovery.md#seed-discovery): a discovery that
# starts from one router's address finds the hosts in the router's ARP
# and IPv6 neighbour tables, its connected subnet and its routes' next
# hops (its real routing table, served by snmpd from the namespace's
# kernel) inside the allowed scope, and nothing outside it: an ARP entry
# and a next hop outside the targets and --seed-scope, and one inside the
# scope but excluded, are logged as "seed"/"out-of-scope" and never
# probed.
#
# Topology: one L2 segment (a bridge in PREFIX-lan) joining
#   PREFIX-scan  198.18.48.1/24, 2001:2:0:48::1/64   the scanner: no
#                route but the two connected prefixes
#   PREFIX-rtr   198.18.48.2/24, 2001:2:0:48::2/64   snmpd (community
#                public); its ARP table holds static entries for .10, .11,
#                .200 and 198.18.99.5, its IPv6 neighbour table
#                2001:2:0:48::10; it routes 198.18.50.0/24 via .3 and
#                2001:2:0:60::/64 via 2001:2:0:48::3 (next hops in scope)
#                and 198.18.98.0/24 via 198.18.97.9 (on a veth pair inside it,
#                198.18.97.1/24, out of scope)
#   PREFIX-host  198.18.48.3, .10, .11, .200, 2001:2:0:48::3 and ::10
#                (answer ping)
# The run: `discover 198.18.48.2 --seed --seed-scope 198.18.48.0/24
# --seed-scope 2001:2:0:48::/120 --exclude 198.18.48.200`.
#
# Needs root, ip netns, snmpd, sqlite3.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/snmpd sqlite3 timeout
need_netcensus

P=nsd$(($$ % 100000))
NET=198.18.48
NET6=2001:2:0:48
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
for a in 3 10 11 200; do
	ip -n "$P-host" addr add "$NET.$a/24" dev eth0 || ok_topo=0
done
# IPv6 without duplicate address detection: usable at once
ip -n "$P-scan" addr add "$NET6::1/64" dev eth0 nodad || ok_topo=0
ip -n "$P-rtr" addr add "$NET6::2/64" dev eth0 nodad || ok_topo=0
for a in 3 10; do
	ip -n "$P-host" addr add "$NET6::$a/64" dev eth0 nodad || ok_topo=0
done
hostmac=$(ip -n "$P-host" link show eth0 | awk '/ether/ { print $2 }')
for a in "$NET.10" "$NET.11" "$NET.200" 198.18.99.5 "$NET6::10"; do
	ip -n "$P-rtr" neigh replace "$a" lladdr "$hostmac" dev eth0 \
		nud permanent || ok_topo=0
done
# the router's routes: next hops in scope (.3, ::3) and one out of it
{ ip -n "$P-rtr" link add dum0 type veth peer name dum1 &&
	ip -n "$P-rtr" link set dum1 up &&
	ip -n "$P-rtr" link set dum0 up &&
	ip -n "$P-rtr" addr add 198.18.97.1/24 dev dum0 &&
	ip -n "$P-rtr" route add 198.18.50.0/24 via "$NET.3" &&
	ip -n "$P-rtr" route add 198.18.98.0/24 via 198.18.97.9 &&
	ip -n "$P-rtr" -6 route add 2001:2:0:60::/64 via "$NET6::3"; } ||
	ok_topo=0
if [ "$ok_topo" = 1 ]; then
	ok "lab: scanner, router with 5 neighbour entries and 3 routes, hosts on one segment"
else
	nok "lab topology"
	tap_finish
fi
if [ -z "$(ip -n "$P-scan" -4 route show default)" ] &&
	[ -z "$(ip -n "$P-scan" -6 route show default)" ] &&
	[ "$(ip -n "$P-scan" -4 route show | awk '{print $1}')" = "$NET.0/24" ] &&
	[ "$(ip -n "$P-scan" -6 route show | awk '$1 !~ /^(fe80|ff00|multicast)/ {print $1}')" = "$NET6::/64" ]; then
	ok "scanner namespace has no default route, only $NET.0/24 and $NET6::/64"
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
	--seed --seed-scope "$NET.0/24" --seed-scope "$NET6::/120" \
	--exclude "$NET.200" \
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
# seed_is WHAT WANT: WHAT's seed row starts with WANT
seed_is() {
	_r=$(seed_row "$1")
	case $_r in
	"$2"*) ok "seed row: $1 $_r" ;;
	*) nok "seed row for $1: '$_r', want '$2...'" ;;
	esac
}
seed_is "$NET.10" "added 1 address from the arp table of $NET.2"
# 256 less network, broadcast, the router (visited) and the addresses
# with seed rows of their own (.3, .10, .11, .200, and the scanner's .1
# when the router's ARP table holds it)
own=$(q "SELECT count(*) FROM discovery_log WHERE stage = 'seed' AND ip LIKE '$NET.%' AND ip NOT LIKE '%/%'")
seed_is "$NET.0/24" "added $((253 - own)) addresses from the connected subnet of $NET.2"
seed_is 198.18.99.5 "out-of-scope from the arp table of $NET.2"
seed_is "$NET.200" "out-of-scope "
# the routing table (inetCidrRouteTable): next hops in and out of scope
seed_is "$NET.3" "added 1 address from the route next hop of $NET.2"
seed_is 198.18.97.9 "out-of-scope from the route next hop of $NET.2"
# IPv6: the neighbour table (ipNetToPhysicalTable) and an IPv6 route
seed_is "$NET6::10" "added 1 address from the arp table of $NET.2"
seed_is "$NET6::3" "added 1 address from the route next hop of $NET.2"
alive6=$(q "SELECT group_concat(ip, ' ') FROM (SELECT ip FROM discovery_log WHERE stage = 'discovery' AND outcome = 'alive' AND ip LIKE '$NET6:%' ORDER BY ip)")
if [ "$alive6" = "$NET6::10 $NET6::3" ]; then
	ok "IPv6 seeds probed and alive: $alive6"
else
	nok "IPv6 seeds alive: '$alive6', want $NET6::10 $NET6::3"
fi
# the router, the hosts its ARP and neighbour tables and its routes
# named, and the scanner's own address (inside the connected subnet and
# the scope: it answers too); not the router's own IPv6 address (its
# local host route is not a seed)
found=$(q "SELECT group_concat(ip, ' ') FROM (SELECT ip FROM device ORDER BY ip)")
want="$NET.1 $NET.10 $NET.11 $NET.2 $NET.3 $NET6::10 $NET6::3"
if [ "$found" = "$want" ]; then
	ok "devices found: $found"
else
	nok "devices found: '$found', want $want"
fi
probed=$(q "SELECT count(*) FROM discovery_log WHERE stage <> 'seed' AND ip IN ('198.18.99.5', '198.18.97.9', '$NET.200')")
if [ "$probed" = 0 ]; then
	ok "198.18.99.5, 198.18.97.9 and the excluded $NET.200 were never probed"
else
	nok "$probed probe rows for out-of-scope addresses"
fi

tap_finish
