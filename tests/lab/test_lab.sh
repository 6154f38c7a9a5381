#!/bin/sh
# The lab itself: brings it up under a private prefix, checks from inside the
# scanner namespace with ordinary tools (ping, snmpget, bash /dev/tcp) that
# every host behaves as lab.sh truth says, checks the no-default-route rule,
# tears it down and checks nothing is left. TAP output.
#
# Needs root, ip netns, snmpd, snmpget, ping, nft, jq; prints "ok 1 # skip"
# otherwise.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/snmpd snmpget snmpwalk ping nft jq ss timeout

P=nct$(($$ % 100000))
export NCLAB_QUIET=1 MIBS=
tmp_init lab
export SNMP_PERSISTENT_DIR=$T/snmp

on_cleanup() { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; }

scan() { ip netns exec "$P-scan" "$@"; }

# ------------------------------------------------------------------ up
t0=$(date +%s%N)
if "$LAB" up --prefix "$P" 2>"$T/up.log"; then
	ok "lab.sh up --prefix $P ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
	nok "lab.sh up --prefix $P"
	sed 's/^/# /' "$T/up.log"
	tap_finish
fi
"$LAB" truth --prefix "$P" >"$T/truth.json"
jq_true() { jq -e "$1" "$T/truth.json" >/dev/null 2>&1; }
check "truth is JSON with hosts" jq_true '.hosts | length > 10' 
cp "/run/netcensus-lab/$P/pids" "$T/pids" 2>/dev/null ||
	cp "${NCLAB_STATE:-/run/netcensus-lab}/$P/pids" "$T/pids"

# ------------------------------------------------------------ isolation
check "scanner namespace has no default route" \
	test -z "$(ip -n "$P-scan" route show default)"
check "scanner namespace routes stay inside 198.18.0.0/15" \
	test -z "$(ip -n "$P-scan" -4 route show | awk '$1 !~ /^198\.1[89]\./')"
check "lab.sh check accepts the closed scanner namespace" \
	"$LAB" check --prefix "$P"
# A default route pointing at the lab router (which itself has none) is
# added for a moment: nothing is sent while it exists.
ip -n "$P-scan" route add default via 198.19.255.1
if "$LAB" check --prefix "$P" 2>/dev/null; then
	nok "lab.sh check refuses a scanner namespace with a default route"
else
	ok "lab.sh check refuses a scanner namespace with a default route"
fi
if "$LAB" exec --prefix "$P" true 2>/dev/null; then
	nok "lab.sh exec refuses to run with a default route"
else
	ok "lab.sh exec refuses to run with a default route"
fi
ip -n "$P-scan" route del default
check "root namespace has no lab interfaces" \
	test -z "$(ip -o link show | grep -E 'pscan|p1[0-9]@|pfarm')"

# --------------------------------------------------------------- ping
# Every host that should answer ping does; in parallel, two echoes each
# (one lost to a busy machine is not a failure), each answer awaited up to
# 10 s (a ceiling: answers come in milliseconds). Those that must not
# answer are given 2 s: more would only slow the test down.
jq -r '.hosts[] | select(.ping) | .ip' "$T/truth.json" >"$T/ping_yes"
jq -r '.hosts[] | select(.ping | not) | .ip' "$T/truth.json" >"$T/ping_no"
jq -r '.empty[]' "$T/truth.json" | awk 'NR % 37 == 1' | head -5 >"$T/empty"
ping_all() {
	# ping_all FILE OUTDIR WAIT — pings every address at once
	local ip
	mkdir -p "$2"
	while read -r ip; do
		(scan ping -n -c 2 -i 0.3 -W "$3" "$ip" >"$2/$ip" 2>&1; echo $? >>"$2/$ip") &
	done <"$1"
	wait
}
ping_all "$T/ping_yes" "$T/py" 10
ping_all "$T/ping_no" "$T/pn" 2
ping_all "$T/empty" "$T/pe" 2
bad=""
while read -r ip; do
	[ "$(tail -1 "$T/py/$ip")" = 0 ] || bad="$bad $ip"
done <"$T/ping_yes"
check "all $(wc -l <"$T/ping_yes") ping hosts answer ping${bad:+ (silent:$bad)}" test -z "$bad"
bad=""
while read -r ip; do
	[ "$(tail -1 "$T/pn/$ip")" != 0 ] || bad="$bad $ip"
done <"$T/ping_no"
check "ICMP-dropping and drop-all hosts ignore ping${bad:+ (answered:$bad)}" \
	test -z "$bad" -a -s "$T/ping_no"
bad=""
while read -r ip; do
	[ "$(tail -1 "$T/pe/$ip")" != 0 ] || bad="$bad $ip"
done <"$T/empty"
check "empty addresses do not answer${bad:+ (answered:$bad)}" test -z "$bad"

# TTL: one router hop, so the reply TTL is the host's TTL minus one.
bad=""
for ip in $(jq -r '.hosts[] | select(.ping and .role != "ping-only") | .ip' "$T/truth.json"); do
	want=$(jq -r --arg ip "$ip" '.hosts[] | select(.ip == $ip) | .ttl' "$T/truth.json")
	[ "$ip" = "$(jq -r .gateway "$T/truth.json")" ] && want=$((want + 1))
	got=$(sed -n 's/.*ttl=\([0-9]*\).*/\1/p' "$T/py/$ip" | head -1)
	[ "$got" = "$((want - 1))" ] || bad="$bad $ip:$got!=$((want - 1))"
done
check "each host has its own TTL${bad:+ ($bad)}" test -z "$bad"

# MAC: the lab router learned each service host's own MAC (vendor OUI).
# The kernel's neighbour table is one for all namespaces: on a machine
# running other labs (sparse ones leave thousands of failed entries) it
# goes over its garbage-collection thresholds and drops idle entries
# (seen once under load: every entry gone by the time this ran). So the
# router pings the host (inside the lab) just before its entry is read,
# and that is retried up to 30 s.
mac_of() { # mac_of IP: the MAC the lab router has for IP, fresh
	ip netns exec "$P-rtr" ping -n -c 1 -W 5 "$1" >/dev/null 2>&1
	ip -n "$P-rtr" neigh show "$1" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}
mac_is() { [ "$(mac_of "$1")" = "$2" ]; }
bad=""
for ip in $(jq -r '.hosts[] | select(.ping and .role != "gateway") | .ip' "$T/truth.json" | head -12); do
	want=$(jq -r --arg ip "$ip" '.hosts[] | select(.ip == $ip) | .mac' "$T/truth.json")
	wait_until 30 mac_is "$ip" "$want" || bad="$bad $ip:$(mac_of "$ip")"
done
check "hosts have the MAC addresses of the ground truth${bad:+ ($bad)}" test -z "$bad"

# ---------------------------------------------------------------- TCP
tcp_state() {
	# tcp_state IP PORT [SECONDS] — prints open / closed / filtered (no
	# answer in SECONDS: 30 by default, a ceiling for a busy machine;
	# the filtered check gives 2)
	if scan timeout "${3:-30}" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then
		echo open
	elif [ $? -eq 124 ]; then
		echo filtered
	else
		echo closed
	fi
}
bad=""
for row in $(jq -r '.hosts[] | .ip as $ip | .tcp_open[] | "\($ip):\(.)"' "$T/truth.json"); do
	[ "$(tcp_state "${row%:*}" "${row#*:}")" = open ] || bad="$bad $row"
done
check "every open TCP port of the truth accepts a connection${bad:+ (not:$bad)}" \
	test -z "$bad" -a -n "$(jq -r '.hosts[].tcp_open[]' "$T/truth.json")"
noicmp=$(jq -r '.hosts[] | select(.role == "noicmp-web") | .ip' "$T/truth.json")
check "the ICMP-dropping host has TCP 80 open" \
	test "$(tcp_state "$noicmp" 80)" = open
cisco=$(jq -r '.hosts[] | select(.role == "cisco-router") | .ip' "$T/truth.json")
check "a port not in the truth is closed (RST)" \
	test "$(tcp_state "$cisco" 80)" = closed
dropall=$(jq -r '.hosts[] | select(.role == "dropall") | .ip' "$T/truth.json")
check "the drop-all host drops TCP (no RST)" \
	test "$(tcp_state "$dropall" 80 2)" = filtered

# --------------------------------------------------------------- SNMP
SYS_OIDS=".1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.2.0 .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.6.0 .1.3.6.1.2.1.1.4.0"
snmp_sys() {
	# snmp_sys IP ARGS... — prints sysDescr, sysObjectID, sysName,
	# sysLocation, sysContact one per line, without quotes. Waits up to
	# 5 s for an answer, twice (a ceiling for a busy machine); the checks
	# that expect no answer set SNMP_WAIT="-t 1 -r 0".
	local ip=$1
	shift
	scan snmpget ${SNMP_WAIT:--t 5 -r 1} -On -Oqv -Oe "$@" "$ip" $SYS_OIDS 2>/dev/null |
		sed 's/^"\(.*\)"$/\1/'
}
truth_sys() {
	jq -r --arg ip "$1" '.hosts[] | select(.ip == $ip) | .snmp |
		.sysDescr, .sysObjectID, .sysName, .sysLocation, .sysContact' \
		"$T/truth.json" | sed 's/^\([0-9]\)/.\1/'
}
V3="-v3 -l authPriv -u $(jq -r .snmp_v3.security_name "$T/truth.json")
 -a SHA -A $(jq -r .snmp_v3.auth_passphrase "$T/truth.json")
 -x AES -X $(jq -r .snmp_v3.priv_passphrase "$T/truth.json")"

for ip in $(jq -r '.hosts[] | select(.snmp != null) | .ip' "$T/truth.json"); do
	role=$(jq -r --arg ip "$ip" '.hosts[] | select(.ip == $ip) | .role' "$T/truth.json")
	vers=$(jq -r --arg ip "$ip" '.hosts[] | select(.ip == $ip) | .snmp.versions | join(" ")' "$T/truth.json")
	truth_sys "$ip" >"$T/want.$ip"
	for v in $vers; do
		case $v in
		3) args=$V3 ;;
		*) args="-v$v -c public" ;;
		esac
		snmp_sys "$ip" $args >"$T/got.$ip.$v"
		if cmp -s "$T/want.$ip" "$T/got.$ip.$v"; then
			ok "$role ($ip) SNMPv$v system group as configured"
		else
			nok "$role ($ip) SNMPv$v system group as configured"
			diff "$T/want.$ip" "$T/got.$ip.$v" | sed 's/^/# /'
		fi
	done
	case " $vers " in
	*" 2c "*) ;;
	*)
		check "$role ($ip) does not answer SNMPv2c" \
			test -z "$(SNMP_WAIT="-t 1 -r 0" snmp_sys "$ip" -v2c -c public)" ;;
	esac
done

v3=$(jq -r '.hosts[] | select(.v3_only) | .ip' "$T/truth.json")
check "the v3-only agent refuses a wrong auth passphrase" \
	test -z "$(SNMP_WAIT="-t 1 -r 0" snmp_sys "$v3" -v3 -l authPriv -u ncv3user -a SHA -A wrongpass99 -x AES -X wrongpass99)"
nosnmp=$(jq -r '.hosts[] | select(.role == "windows-pc") | .ip' "$T/truth.json")
check "the host without an agent does not answer SNMP" \
	test -z "$(SNMP_WAIT="-t 1 -r 0" snmp_sys "$nosnmp" -v2c -c public)"

slow=$(jq -r '.hosts[] | select(.delay_ms > 0) | .ip' "$T/truth.json")
ms() { echo $(( $(date +%s%N) / 1000000 )); }
walk() {
	# walk IP — "MS REQUESTS": one snmpwalk of sysDescr .. sysServices,
	# one GETNEXT per object plus the one that ends the walk, all in one
	# process, so that starting it (a second or more on a busy machine)
	# is paid once for all of them
	local t n
	t=$(ms)
	n=$(scan snmpwalk -v2c -c public -t 5 -r 1 -On -CE .1.3.6.1.2.1.1.8 \
		"$1" .1.3.6.1.2.1.1 2>/dev/null | wc -l)
	echo "$(( $(ms) - t )) $((n + 1))"
}
# The fastest of three walks of each, taken in turns (the minimum filters
# out a busy machine's scheduling noise, the turns give both the same
# share of it); compared per request.
slow_ms=999999 fast_ms=999999 slow_n=1 fast_n=1
for i in 1 2 3; do
	set -- $(walk "$slow")
	[ "$1" -lt "$slow_ms" ] && slow_ms=$1 slow_n=$2
	set -- $(walk "$cisco")
	[ "$1" -lt "$fast_ms" ] && fast_ms=$1 fast_n=$2
done
slow_per=$((slow_ms / slow_n)) fast_per=$((fast_ms / fast_n))
check "the delayed agent takes >= 300 ms a request ($slow_per ms each of $slow_n, $slow_ms ms)" \
	test "$slow_n" -ge 5 -a "$slow_per" -ge 300 -a "$slow_per" -lt 2000
check "the delayed agent is slower than a normal one by most of 300 ms a request ($slow_per vs $fast_per ms)" \
	test $((slow_per - fast_per)) -ge 200

# --------------------------------------------------------------- down
"$LAB" up --prefix "$P" >/dev/null 2>&1 && nok "a second up is refused" ||
	ok "a second up of the same lab is refused"
check "lab.sh down" "$LAB" down --prefix "$P"
check "no $P- namespaces are left" \
	test -z "$(ip netns list | awk '{print $1}' | grep "^$P-")"
# killed processes take a moment to go (zombies count as gone)
lab_left() {
	local pid st
	left=""
	while read -r pid _; do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
		[ "$st" = Z ] || left="$left $pid"
	done <"$T/pids"
	[ -z "$left" ]
}
wait_until "$WAIT_LONG" lab_left
check "no lab process is alive ($(wc -l <"$T/pids") were started)${left:+ (alive:$left)}" \
	test -z "$left" -a -s "$T/pids"

tap_finish
