#!/bin/sh
# Open-AudIT's own audit_linux.sh, run unmodified against netcensus serve,
# twice, the way a user would point it at an Open-AudIT server:
#   audit_linux.sh submit_online=y create_file=n debugging=4 \
#       url=http://audit:TOKEN@127.0.0.1:PORT/open-audit/index.php/input/devices
# (the token as the URL's password: the script keeps only the text before
# the second '=' of url=, so "?token=..." would arrive as "?token").
#
# The script is not shipped with netcensus (AGPL): give its path in
# OA_AUDIT_LINUX, else every test is skipped. It runs as root in a network
# namespace of its own holding only loopback and a veth pair (oa0
# 198.18.0.10/24, 02:00:c6:12:00:0a, no default route), with the server
# listening on the namespace's loopback: whatever it tries to reach (DNS
# for hostname -f and getent, the submit URL) cannot leave the namespace.
# It reads the machine (dpkg, /etc, users, certificates) and takes minutes
# (5 to 13 each on a loaded 2-CPU machine). Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
SCRIPT=${OA_AUDIT_LINUX:-}

[ -n "$SCRIPT" ] || skip_all "OA_AUDIT_LINUX is not set (the path of Open-AudIT's audit_linux.sh, which netcensus does not ship)"
[ -r "$SCRIPT" ] || skip_all "OA_AUDIT_LINUX=$SCRIPT is not readable"
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespace; the script audits as root)"
need_tools curl jq ip bash dpkg-query
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")

NS=nc-oa-$$
tmp_init oa
on_cleanup() { ip netns del "$NS" 2>/dev/null; }
ip netns add "$NS" 2>/dev/null || skip_all "cannot create a network namespace"
nsx() { ip netns exec "$NS" "$@"; }

IP=198.18.0.10
MAC=02:00:c6:12:00:0a
nsx ip link set lo up &&
	nsx ip link add oa0 type veth peer name oa1 &&
	nsx ip link set oa0 address $MAC &&
	nsx ip link set oa1 address 02:00:c6:12:00:0b &&
	nsx sysctl -qw net.ipv6.conf.oa0.disable_ipv6=1 \
		net.ipv6.conf.oa1.disable_ipv6=1 &&
	nsx ip addr add $IP/24 dev oa0 &&
	nsx ip link set oa0 up && nsx ip link set oa1 up ||
	{ nok "namespace set up"; tap_finish; }
check "namespace has no default route" \
	sh -c "[ -z \"\$(ip netns exec $NS ip route show default)\" ]"

# the script as it was given, under its own name (its pidof check looks
# for other copies of that name)
mkdir "$T/run"
cp "$SCRIPT" "$T/run/audit_linux.sh" && chmod 755 "$T/run/audit_linux.sh"

PORT=18080
U=http://127.0.0.1:$PORT
printf 'audits-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add audits --role collector >/dev/null 2>&1
printf 'reader-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add ncadmin --role admin >/dev/null 2>&1
TOK=$(admin_token audits)
AT=$(admin_token ncadmin)
check "collector and admin tokens created" \
	sh -c "[ ${#TOK} -gt 20 ] && [ ${#AT} -gt 20 ]"

# inside the namespace, where serve_start's health check (from outside)
# cannot reach it
nsx "$NETCENSUS" -v serve --db "$DB" --listen 127.0.0.1:$PORT 2>"$T/serve.log" &
PID=$!
wait_until "$WAIT_LONG" nsx curl -s -o /dev/null "$U/api/v1/health" ||
	{ cat "$T/serve.log"; nok "server starts"; tap_finish; }
ok "server listens on 127.0.0.1:$PORT inside $NS"

G() { nsx curl -s -H "Authorization: Bearer $AT" "$U$1"; }

# A value with a raw % and =, and + " & (the three the script escapes):
# the script writes it in <variable> and it must arrive unchanged.
PROBE='50%41 off=1+2&"x"'
run_script() { # run_script LOG
	(cd "$T/run" && nsx env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$T/run" LANG=C.UTF-8 NC_OA_PROBE="$PROBE" \
		./audit_linux.sh submit_online=y create_file=n debugging=4 \
		"url=http://audit:$TOK@127.0.0.1:$PORT/open-audit/index.php/input/devices") \
		>"$1" 2>&1
}

# ---- first run ----
start=$(date +%s)
run_script "$T/run1.log"
rc=$?
echo "# first run: $(($(date +%s) - start)) s"
check "first run: the script exits 0 and says it completed" \
	sh -c "[ $rc = 0 ] && grep -q 'Audit Completed' '$T/run1.log'"
answer1=$(grep '^netcensus:' "$T/run1.log")
echo "# server answered: $answer1"
check "first run: the server's answer says the device was created" \
	sh -c "echo '$answer1' | grep -q 'device [0-9]* created'"
ID=$(echo "$answer1" | sed -n 's/.*device \([0-9]*\) created.*/\1/p')

G /api/v1/devices >"$T/devices.json"
check "one device listed" test "$(jq -r .count "$T/devices.json")" = 1
dev() { jq -r ".results[0].$1" "$T/devices.json"; }
check "its id is the one the answer named" test "$(dev id)" = "$ID"
host=$(cut -d. -f1 /etc/hostname 2>/dev/null)
[ -n "$host" ] || host=$(hostname -s)
check "hostname is this machine's ($host)" test "$(dev hostname)" = "$host"
osname=$(. /etc/os-release && echo "$PRETTY_NAME")
check "os_name is /etc/os-release's ($osname)" test "$(dev os_name)" = "$osname"
check "ip is the namespace's address ($IP)" test "$(dev ip)" = $IP
check "mac is oa0's ($MAC)" test "$(dev mac)" = $MAC
check "os_group Linux, type computer" \
	test "$(dev os_group)/$(dev type)" = "Linux/computer"

soft() { # soft OUT: the device's software rows, one JSON object a line
	o=0
	while :; do
		G "/api/v1/devices/$ID/software?limit=1000&offset=$o" >"$T/page.json"
		jq -c '.results[].data' "$T/page.json"
		[ "$(jq -r .next "$T/page.json")" = null ] && break
		o=$((o + 1000))
	done >"$1"
}
packages() { # the rows but the OS's as "name<TAB>version", sorted
	jq -r 'select(.description != "Operating System")
		| "\(.name)\t\(.version)"' "$1" | sort
}
soft "$T/soft1.jsonl"
packages "$T/soft1.jsonl" >"$T/stored.txt"
dpkg-query -W -f '${Package}\t${Version}\n' | sort >"$T/dpkg.txt"
echo "# packages: dpkg-query -W $(dpkg-query -W | wc -l), stored $(wc -l <"$T/stored.txt") (+1 row for the OS)"
check "software count equals dpkg-query -W's" \
	test "$(wc -l <"$T/stored.txt")" = "$(dpkg-query -W | wc -l)"
check "every package with its version, none else" cmp -s "$T/stored.txt" "$T/dpkg.txt"
check "the OS itself is a software row" \
	test "$(jq -r 'select(.description == "Operating System") | .name' \
		"$T/soft1.jsonl")" = "$osname"

G "/api/v1/devices/$ID/variable?limit=1000" >"$T/var.json"
got=$(jq -r '.results[].data | select(.name == "NC_OA_PROBE") | .value' "$T/var.json")
check "a raw % and = survive, + \" & arrive decoded ($got)" test "$got" = "$PROBE"
G "/api/v1/devices/$ID/policy?limit=1000" >"$T/policy.json"
check "policy rows with their <options> kept" \
	sh -c "[ \"\$(jq -r '.count' '$T/policy.json')\" -gt 0 ] &&
	       jq -r '.results[0].data.options' '$T/policy.json' | jq -e .name >/dev/null"

G "/api/v1/audit-log?limit=100" >"$T/audit.json"
check "audit log: the intake from 127.0.0.1, created, device $ID" \
	test "$(jq -r "[.results[] | select((.source | endswith(\"from 127.0.0.1\")) and
		.result == \"created\" and .device_id == $ID)] | length" "$T/audit.json")" = 1

# ---- second run: the same machine again ----
start=$(date +%s)
run_script "$T/run2.log"
rc=$?
echo "# second run: $(($(date +%s) - start)) s"
answer2=$(grep '^netcensus:' "$T/run2.log")
echo "# server answered: $answer2"
check "second run: the script exits 0" \
	sh -c "[ $rc = 0 ] && grep -q 'Audit Completed' '$T/run2.log'"
check "second run: the same device updated" \
	sh -c "echo '$answer2' | grep -q 'device $ID updated'"
check "still one device" test "$(G /api/v1/devices | jq -r .count)" = 1
changes=$(echo "$answer2" | sed -n 's/.*, \([0-9]*\) changes).*/\1/p')
check "second run: few changes (${changes:-?}, at most 5)" \
	sh -c "[ -n '$changes' ] && [ '$changes' -le 5 ]"
soft "$T/soft2.jsonl"
packages "$T/soft2.jsonl" >"$T/stored2.txt"
check "second run: software unchanged" cmp -s "$T/stored2.txt" "$T/dpkg.txt"
G "/api/v1/audit-log?limit=100" >"$T/audit.json"
check "audit log: two intakes of device $ID" \
	test "$(jq -r "[.results[] | select(.device_id == $ID)] | length" "$T/audit.json")" = 2
check "the token never reaches the server log" \
	sh -c "! grep -q '$TOK' '$T/serve.log'"

tap_finish
