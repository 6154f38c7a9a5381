#!/bin/sh
# Half-open TCP probes (probe/syn.h) against real listeners in a lab
# namespace, IPv4 and IPv6: a host that ignores ping with only 445 open
# (a Windows default) is found; the port states come out right - open (a
# listener), closed (nothing listening: the kernel's RST) and filtered
# (dropped by nftables); a host that drops all TCP is not found; and the
# listener never accepts a connection - the SYN-ACK is reset, so the
# service behind a port that was only probed never sees a client (checked
# by the listener's own accept count and the namespace's TcpPassiveOpens).
# The same run with --no-syn accepts (what the old connects did), and
# without CAP_NET_RAW the run falls back to connects, said once with the
# setcap command. TAP output.
#
# Discovery uses --no-arp: the scanner and the target share a segment,
# where ARP would otherwise find the host before any TCP probe.
#
# Needs root, ip netns, nft, python3, jq, sqlite3; prints "ok 1 #
# skip" otherwise. The scanner namespace has only its two connected
# subnets (checked before anything is sent).
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools nft jq sqlite3 setpriv /usr/bin/python3
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")

P=ncsy$(($$ % 100000))
NET=198.18.9
NET6=2001:2:0:9
tmp_init syn-lab
scan() { ip netns exec "$SCAN" "$@"; }
tgt() { ip netns exec "$TGT" "$@"; }

# ------------------------------------------------------------ the lab
# the scanner $NET.1 (lib.sh: no other route, checked); the target: .3
# with a listener on 445 (and nothing on 8081), .4 whose TCP is all
# dropped; both ignore echo requests; IPv6 ::3 like .3
rec_lab_up "$P" "$NET"
TGT=$AG
if ! { ip -n "$SCAN" addr add "$NET6::1/64" dev eth0 nodad &&
	ip -n "$TGT" addr add "$NET.3/24" dev eth0 &&
	ip -n "$TGT" addr add "$NET.4/24" dev eth0 &&
	ip -n "$TGT" addr add "$NET6::3/64" dev eth0 nodad; }; then
	nok "addresses of $TGT"
	tap_finish
fi
tgt sysctl -qw net.ipv4.icmp_echo_ignore_all=1
tgt sysctl -qw net.ipv6.icmp.echo_ignore_all=1
# unprivileged ping sockets in the scanner, so the run without
# CAP_NET_RAW below loses only the raw TCP socket
scan sysctl -qw net.ipv4.ping_group_range="0 2147483647"
tgt nft -f - <<EOF
table inet syntest {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr $NET.4 meta l4proto tcp drop
		tcp dport { 445, 8081 } accept
		meta l4proto tcp drop
	}
}
EOF
# the listener: accepts on 445 of .3 and ::3, one line per connection
cat >"$T/listen.py" <<'EOF'
import select, socket, sys
out = open(sys.argv[1], "a", buffering=1)
socks = []
for fam, addr in ((socket.AF_INET, sys.argv[2]), (socket.AF_INET6, sys.argv[3])):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 445))
    s.listen(64)
    socks.append(s)
out.write("listening\n")
while True:
    for s in select.select(socks, [], [])[0]:
        c, peer = s.accept()
        out.write("accept %s\n" % (peer[0],))
        c.close()
EOF
: >"$T/accepts"
ip netns exec "$TGT" /usr/bin/python3 "$T/listen.py" "$T/accepts" "$NET.3" "$NET6::3" \
	2>"$T/listen.err" &
BG_PIDS="$BG_PIDS $!"
check "the listener is up on 445 of $NET.3 and $NET6::3" \
	wait_until "$WAIT_LONG" grep -q listening "$T/accepts"
accepts() { grep -c '^accept' "$T/accepts"; }
# the target's completed handshakes (Tcp PassiveOpens, /proc/net/snmp)
passive() { tgt awk '/^Tcp:/ {if (h) {print $7; exit} h = 1}' /proc/net/snmp; }

# ------------------------------------------ half-open: found, no accept
P0=$(passive)
scan "$NETCENSUS" discover --json --no-dns --no-snmp --no-smb --no-arp \
	--ports 445,8081,8082 --db "$DB" "$NET.3-$NET.4" "$NET6::3" \
	>"$T/run.json" 2>"$T/run.err"
rc=$?
check "discover exits 0 with no warning (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && ! grep -qi 'warn\|error' '$T/run.err'"
sed 's/^/# /' "$T/run.err" | head -5
for ip in "$NET.3" "$NET6::3"; do
	check "$ip (ping ignored, only 445 and 8081 answer) is found" \
		jq -e --arg ip "$ip" 'any(.[]; .sys.ip == $ip)' "$T/run.json"
	msg=$(sqlite3 "$DB" "SELECT message FROM discovery_log WHERE ip = '$ip' AND stage = 'discovery'")
	check "$ip: alive by a SYN-ACK from 445 ('$msg')" [ "$msg" = "tcp 445 open" ]
	msg=$(sqlite3 "$DB" "SELECT message FROM discovery_log WHERE ip = '$ip' AND stage = 'ports'")
	check "$ip: 445 open, 8081 closed (RST), 8082 filtered (dropped) ('$msg')" \
		[ "$msg" = "1 of 3 open: 445; 1 closed: 8081; 1 filtered: 8082" ]
	check "$ip: the report lists 445/tcp open and nothing else" \
		jq -e --arg ip "$ip" '[.[] | select(.sys.ip == $ip) | .ports[] |
			"\(.port)/\(.protocol)"] == ["445/tcp"]' "$T/run.json"
done
check "$NET.4 (drops all TCP, ignores ping) is not found" \
	jq -e --arg ip "$NET.4" 'all(.[]; .sys.ip != $ip)' "$T/run.json"
check "the listener accepted no connection ($(accepts))" [ "$(accepts)" -eq 0 ]
P1=$(passive)
check "the target's TcpPassiveOpens did not move ($P0 -> $P1)" [ "$P1" -eq "$P0" ]

# ------------------------------------- --no-syn: full connects, accepted
scan "$NETCENSUS" discover --json --no-dns --no-snmp --no-smb --no-arp \
	--no-syn --ports 445,8081,8082 "$NET.3" "$NET6::3" \
	>"$T/conn.json" 2>"$T/conn.err"
rc=$?
check "--no-syn: exit $rc, both found by connects" \
	sh -c "[ $rc -eq 0 ] && [ \$(jq length '$T/conn.json') -eq 2 ]"
check "--no-syn: the listener accepted the connects (2 hosts: $(accepts))" \
	wait_until "$WAIT_LONG" sh -c "[ \$(grep -c '^accept' '$T/accepts') -ge 2 ]"
P2=$(passive)
check "--no-syn: the target's TcpPassiveOpens counted them ($P1 -> $P2)" \
	[ "$P2" -ge $((P1 + 2)) ]

# ------------------------------- no CAP_NET_RAW: connects, said once
before=$(accepts)
scan setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$NETCENSUS" discover --json --no-dns --no-snmp --no-smb --no-arp \
	--ports 445 "$NET.3" >"$T/nocap.json" 2>"$T/nocap.err"
rc=$?
said=$(grep -c 'CAP_NET_RAW' "$T/nocap.err")
check "unprivileged: exit $rc, CAP_NET_RAW said once ($said) with the setcap command and the fallback" \
	sh -c "[ $rc -eq 0 ] && [ $said -eq 1 ] && grep -q 'setcap cap_net_raw+ep' '$T/nocap.err' &&
		grep -q 'full connects instead' '$T/nocap.err'"
sed 's/^/# /' "$T/nocap.err" | grep CAP_NET_RAW
check "unprivileged: $NET.3 found by a connect (accepted)" \
	sh -c "jq -e '.[0].sys.ip == \"$NET.3\"' '$T/nocap.json' >/dev/null &&
		[ \$(grep -c '^accept' '$T/accepts') -gt $before ]"

tap_finish
