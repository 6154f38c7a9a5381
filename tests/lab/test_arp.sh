#!/bin/sh
# ARP / NDP host discovery on a directly connected segment (lab.sh up
# --l2): every live host found with its own MAC - the ones that ignore
# ICMP and the ones that drop all IP included - and nothing invented, over
# IPv4 and IPv6, apart and in one run; the kernel's neighbour table
# untouched; without CAP_NET_RAW (an unprivileged user) a fallback to
# ICMP/TCP, said once with the setcap command; and a hostile station on
# the segment (proxy
# ARP for absent hosts, gratuitous and misaddressed replies, a storm of
# replies for addresses never asked) invents no host. TAP output.
#
# Needs root, ip netns, nft, python3, jq, sqlite3, setpriv; prints
# "ok 1 # skip" otherwise. Every packet stays inside the lab's namespaces:
# the scanner namespace is checked for a default route before anything is
# sent.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools nft jq sqlite3 setpriv timeout /usr/bin/python3
need_netcensus

P=nca$(($$ % 100000))
export NCLAB_QUIET=1
tmp_init arp-lab
on_cleanup() { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; }

SCAN=$P-scan
scan() { ip netns exec "$SCAN" "$@"; }
no_default_route() {
	[ -z "$(ip -n "$1" -4 route show default)" ] &&
		[ -z "$(ip -n "$1" -6 route show default 2>/dev/null)" ]
}

if ! "$LAB" up --l2 --hosts 40 --prefix "$P" 2>"$T/up.log"; then
	nok "lab.sh up --l2 --prefix $P"
	sed 's/^/# /' "$T/up.log"
	tap_finish
fi
ok "L2 lab up (prefix $P, 40 hosts on one bridge)"
"$LAB" truth --prefix "$P" >"$T/truth.json"
LAN=$(jq -r .lan "$T/truth.json")
ME=$(jq -r .scanner_ip "$T/truth.json")
ME_MAC=$(jq -r .scanner_mac "$T/truth.json")
if no_default_route "$SCAN" && "$LAB" check --prefix "$P" 2>/dev/null; then
	ok "scanner namespace $SCAN has no default route, only its segment"
else
	nok "scanner namespace has a default route: stopping before sending"
	tap_finish
fi

# compare WANT GOT WHAT: "ip mac" lines; ok when equal, else the diff
compare() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		nok "$3"
		diff "$1" "$2" | sed 's/^/# /'
	fi
}

# ------------------------------------------------------------- IPv4 /22
scan "$NETCENSUS" discover --json --no-dns --no-snmp --ports none "$LAN" \
	>"$T/v4.json" 2>"$T/v4.err"
rc=$?
check "discover $LAN exits 0 ($(grep -o '[0-9.]* s$' "$T/v4.err"))" [ "$rc" -eq 0 ]
jq -r '.hosts[] | "\(.ip) \(.mac)"' "$T/truth.json" | sort >"$T/want4"
jq -r --arg me "$ME" '.[] | select(.sys.ip != $me) | "\(.sys.ip) \(.sys.mac // "-")"' \
	"$T/v4.json" | sort >"$T/got4"
compare "$T/want4" "$T/got4" \
	"every live host of $LAN found with its own MAC, none invented ($(wc -l <"$T/want4") hosts)"
quiet=$(jq -r '[.hosts[] | select(.ping | not) | .ip] | join(" ")' "$T/truth.json")
check "hosts that ignore ICMP or drop all IP are among them ($quiet)" \
	[ -n "$quiet" ]
check "the manufacturer comes from the MAC's OUI" \
	jq -e '[.[] | select(.sys.mac // "" | startswith("f4:bd:9e")) | .sys.manufacturer] | length > 0 and all(test("Cisco"))' "$T/v4.json"
left=$(ip -n "$SCAN" -4 neigh show | grep -c 198.18.)
check "the kernel's neighbour table was not used ($left entries)" [ "$left" -eq 0 ]

# ------------------------------------------------------------- IPv6 /118
LAN6=$(jq -r .lan6 "$T/truth.json" | sed 's|::/64|::/118|')
scan "$NETCENSUS" discover --json --no-dns --no-snmp --ports none "$LAN6" \
	>"$T/v6.json" 2>"$T/v6.err"
rc=$?
jq -r '.hosts[] | select(.found6) | "\(.ip6) \(.mac)"' "$T/truth.json" | sort >"$T/want6"
jq -r --arg me "$(jq -r .scanner_ip6 "$T/truth.json")" \
	'.[] | select(.sys.ip != $me) | "\(.sys.ip) \(.sys.mac // "-")"' \
	"$T/v6.json" | sort >"$T/got6"
check "discover $LAN6 exits 0" [ "$rc" -eq 0 ]
compare "$T/want6" "$T/got6" \
	"NDP: every IPv6 host found with its MAC, none invented ($(wc -l <"$T/want6") hosts)"

# One station answers for its IPv4 and its IPv6 address: in one run that
# is not proxy ARP, every host keeps its MAC.
scan "$NETCENSUS" discover --json --no-dns --no-snmp --ports none "$LAN" "$LAN6" \
	>"$T/v46.json" 2>"$T/v46.err"
cat "$T/want4" "$T/want6" | sort >"$T/want46"
jq -r --arg me "$ME" --arg me6 "$(jq -r .scanner_ip6 "$T/truth.json")" \
	'.[] | select(.sys.ip != $me and .sys.ip != $me6) | "\(.sys.ip) \(.sys.mac // "-")"' \
	"$T/v46.json" | sort >"$T/got46"
compare "$T/want46" "$T/got46" \
	"IPv4 and IPv6 in one run: every host found with its MAC in both ($(wc -l <"$T/want46") addresses)"

# ------------------------------------------- no CAP_NET_RAW: the fallback
SMALL=${LAN%.*/*}.0/24
scan setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$NETCENSUS" discover --json --no-dns --no-snmp --ports none "$SMALL" \
	>"$T/nocap.json" 2>"$T/nocap.err"
rc=$?
said=$(grep -c 'CAP_NET_RAW' "$T/nocap.err")
check "unprivileged: exit $rc, CAP_NET_RAW said once ($said) with the setcap command" \
	sh -c "[ $rc -eq 0 ] && [ $said -eq 1 ] && grep -q 'setcap cap_net_raw+ep' '$T/nocap.err'"
sed 's/^/# /' "$T/nocap.err" | grep CAP_NET_RAW
jq -r --arg net "${SMALL%.*}." '.hosts[] | select(.role != "l2-dropall" and (.ip | startswith($net))) |
	.ip' "$T/truth.json" | sort >"$T/wantp"
jq -r --arg me "$ME" '.[] | select(.sys.ip != $me) | .sys.ip' "$T/nocap.json" | sort >"$T/gotp"
compare "$T/wantp" "$T/gotp" \
	"unprivileged: ICMP/TCP still find the $(wc -l <"$T/wantp") hosts of $SMALL that answer IP"

# ----------------------------------------------------- a hostile station
# In the scanned /23: the station's own address, 8 absent addresses it
# answers ARP for, 8 absent addresses it forges replies about, 3 it
# answers ARP and ping for, the echo replies 800 ms late (a router doing
# proxy ARP for real hosts behind a slow link); and a storm of
# well-formed replies for the other /23, which is not scanned.
HALF=${LAN%.*.*/*}.8.0/23
jq -r '.empty[]' "$T/truth.json" | awk -F. '$3 == 8 && $4 > 2' | head -20 >"$T/absent"
EVIL=$(sed -n 1p "$T/absent")
PROXY=$(sed -n 2,9p "$T/absent" | paste -sd, -)
FORGE=$(sed -n 10,17p "$T/absent" | paste -sd, -)
SLOW=$(sed -n 18,20p "$T/absent" | paste -sd, -)
ip netns add "$P-evil"
ip -n "$P-sw" link add pevil type veth peer name eth0 netns "$P-evil"
ip -n "$P-sw" link set pevil master br0 up
printf '%s\n' "link set eth0 address 02:66:66:00:00:01" "addr add $EVIL/22 dev eth0" \
	"link set lo up" "link set eth0 up" | ip -n "$P-evil" -batch -
ip netns exec "$P-evil" /usr/bin/python3 "$(dirname "$0")/arp_hostile.py" eth0 \
	"$ME" "$ME_MAC" --proxy "$PROXY" --forge "$FORGE" \
	--slow "$SLOW" --delay-ms 800 --offtarget 198.18.10.0/23 >"$T/evil.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
if wait_until 30 grep -qs ready "$T/evil.out"; then
	ok "hostile station $EVIL up: proxy ARP for 8 (and 3 slow), forged replies for 8, a reply storm"
else
	nok "hostile station did not start"
	sed 's/^/# /' "$T/evil.out"
fi
HDB=$T/hostile.db
scan timeout 120 "$NETCENSUS" discover --db "$HDB" --json --no-dns --no-snmp \
	--ports none --timeout 3000 "$HALF" >"$T/h.json" 2>"$T/h.err"
rc=$?
check "discover $HALF under the storm exits 0 ($(grep -o '[0-9.]* s$' "$T/h.err"))" [ "$rc" -eq 0 ]
jq -r '.hosts[] | select(.ip | test("^198\\.18\\.(8|9)\\.")) | "\(.ip) \(.mac)"' \
	"$T/truth.json" >"$T/wanth"
for a in $(echo "$SLOW" | tr , ' '); do echo "$a -"; done >>"$T/wanth"
sort -o "$T/wanth" "$T/wanth"
jq -r --arg me "$ME" --arg evil "$EVIL" \
	'.[] | select(.sys.ip != $me and .sys.ip != $evil) | "\(.sys.ip) \(.sys.mac // "-")"' \
	"$T/h.json" | sort >"$T/goth"
compare "$T/wanth" "$T/goth" \
	"every live host of $HALF found with its own MAC, the 3 behind the slow proxy (ping answered 800 ms late) without one; no other proxied or forged address reported"
check "the hostile station itself ($EVIL) is found, by ICMP: its MAC answered for 9 addresses" \
	jq -e --arg ip "$EVIL" 'any(.[]; .sys.ip == $ip)' "$T/h.json"
# How many proxied addresses were answered in time is the station's
# business; every one that was carries the note, and so does the station.
sqlite3 "$HDB" "SELECT ip FROM discovery_log WHERE message LIKE
	'%answers for other addresses too (proxy ARP?)%'" | sort >"$T/noted"
printf '%s\n' "$EVIL" $(echo "$PROXY,$SLOW" | tr , ' ') | sort >"$T/mayclaim"
check "the discovery log says proxy ARP for the station and the addresses it claimed ($(wc -l <"$T/noted") rows)" \
	sh -c "grep -qx '$EVIL' '$T/noted' && [ -z \"\$(comm -23 '$T/noted' '$T/mayclaim')\" ]"

tap_finish
