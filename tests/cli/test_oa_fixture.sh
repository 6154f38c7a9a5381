#!/bin/sh
# The exact bytes Open-AudIT's audit_linux.sh 5.6.5 posted from a Debian 12
# machine (tests/fixtures/audit-linux-real.xml.form: "data=" and the XML
# with only + " & percent-encoded; captured from a real run, see
# docs/server.md), posted the way the script does it (curl --data-binary,
# the token as the URL's password) to netcensus serve on loopback. Checks
# what a user would: the device and its fields, every software row, values
# with a raw % and = intact, the policy rows, a second post changing
# nothing, and the "?token" that the script's url= parsing leaves.
# Prints TAP.
set -u
NETCENSUS=${NETCENSUS:-$(dirname "$0")/../../netcensus}
FORM=$(dirname "$0")/../fixtures/audit-linux-real.xml.form
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
check() { # check "what" command...
	what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
skip_all() { echo "1..0 # skip $1"; exit 0; }

for tool in curl jq; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
[ -x "$NETCENSUS" ] || skip_all "no binary at $NETCENSUS"
[ -r "$FORM" ] || skip_all "no $FORM"

T=$(mktemp -d /tmp/nctest-oafix.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

free_port() {
	while :; do
		p=$(($(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo $p; return; }
	done
}

DB=$T/nc.db
printf 'audits-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add audits --role collector >/dev/null 2>&1
printf 'reader-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add reader --role admin >/dev/null 2>&1
TOK=$("$NETCENSUS" admin --db "$DB" token create --user audits 2>/dev/null)
RT=$("$NETCENSUS" admin --db "$DB" token create --user reader 2>/dev/null)

tries=0
while :; do
	PORT=$(free_port)
	U=http://127.0.0.1:$PORT
	"$NETCENSUS" -v serve --db "$DB" --listen 127.0.0.1:$PORT 2>"$T/log" &
	PID=$!
	i=0
	while [ $i -lt 100 ] && ! curl -s -o /dev/null "$U/api/v1/health"; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 100 ] && break
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
	tries=$((tries + 1))
	grep -q 'cannot listen' "$T/log" && [ $tries -lt 3 ] ||
		{ cat "$T/log"; nok "server starts"; exit 1; }
done
ok "server starts on 127.0.0.1:$PORT"

G() { curl -s -H "Authorization: Bearer $RT" "$U$1"; }
OA=/open-audit/index.php/input/devices
post() { # post URL: what audit_linux.sh's curl does; answer in $T/answer
	S=$(curl -s -o "$T/answer" -w '%{http_code}' --data-binary "@$FORM" "$1")
}

# What the fixture holds, read from it (the decoded document):
sed -e '1s/^data=//' -e 's/%2B/+/g' -e 's/%22/"/g' -e 's/%26/\&/g' "$FORM" >"$T/doc.xml"
want_host=$(sed -n 's:.*<hostname>\(.*\)</hostname>.*:\1:p' "$T/doc.xml" | head -n1)
want_ip=$(sed -n 's:.*<ip>\([0-9.]*\)</ip>.*:\1:p' "$T/doc.xml" | head -n1)
want_os=$(sed -n 's:.*<os_name>\(.*\)</os_name>.*:\1:p' "$T/doc.xml" | head -n1)
want_soft=$(sed -n '/<software>/,/<\/software>/p' "$T/doc.xml" | grep -c '<item>')
want_policy=$(sed -n '/<policy>/,/<\/policy>/p' "$T/doc.xml" | grep -c '<item>')
echo "# fixture: host $want_host, ip $want_ip, $want_soft software items, $want_policy policy items"

# ---- the script's own URL parsing leaves "?token" ----
post "$U$OA?token"
check "?token with no value: 401 naming the cause" \
	sh -c "[ $S = 401 ] && grep -q \"second '='\" '$T/answer'"

# ---- the first post ----
post "http://audit:$TOK@127.0.0.1:$PORT$OA"
check "post with the token as the URL's password: 200" test "$S" = 200
check "answer: device created" grep -q 'netcensus: device [0-9]* created' "$T/answer"
ID=$(sed -n 's/.*device \([0-9]*\) created.*/\1/p' "$T/answer")

G /api/v1/devices >"$T/devices.json"
dev() { jq -r ".results[0].$1" "$T/devices.json"; }
check "one device" test "$(jq -r .count "$T/devices.json")" = 1
check "hostname $want_host" test "$(dev hostname)" = "$want_host"
check "ip $want_ip" test "$(dev ip)" = "$want_ip"
check "os_name $want_os" test "$(dev os_name)" = "$want_os"
check "os_family Debian, type computer" \
	test "$(dev os_family)/$(dev type)" = "Debian/computer"
check "a mac from the ip section" \
	sh -c "dev_mac=\$(jq -r '.results[0].mac' '$T/devices.json');
	       grep -q \"<mac>\$dev_mac</mac>\" '$T/doc.xml'"

G "/api/v1/devices/$ID/software?limit=1" >"$T/soft.json"
check "every software item stored ($want_soft)" \
	test "$(jq -r .count "$T/soft.json")" = "$want_soft"
sed -n '/<software>/,/<\/software>/p' "$T/doc.xml" |
	sed -n 's:.*<name>\(<!\[CDATA\[\)\{0,1\}\([^]<]*\)\(\]\]>\)\{0,1\}</name>.*:\2:p' |
	sort >"$T/want_names"
G "/api/v1/devices/$ID/software?limit=1000" |
	jq -r '.results[].data.name' | sort >"$T/got_names"
check "software names as posted" cmp -s "$T/want_names" "$T/got_names"

G "/api/v1/devices/$ID/variable?limit=1000" >"$T/var.json"
got=$(jq -r '.results[].data | select(.name == "NC_OA_PROBE") | .value' "$T/var.json")
check "a raw % and = survive, + \" & arrive decoded: $got" \
	test "$got" = '50%41 off=1+2&"x"'
G "/api/v1/devices/$ID/policy?limit=1000" >"$T/policy.json"
check "every policy item stored ($want_policy)" \
	test "$(jq -r .count "$T/policy.json")" = "$want_policy"
check "a policy item's <options> kept as JSON" \
	sh -c "jq -r '.results[0].data.options' '$T/policy.json' | jq -e '.name and .value' >/dev/null"

# ---- the second post: the same audit again ----
post "http://audit:$TOK@127.0.0.1:$PORT$OA"
check "second post: the same device updated, 0 changes" \
	grep -q "netcensus: device $ID updated (.*, 0 changes)" "$T/answer"
check "still one device" test "$(G /api/v1/devices | jq -r .count)" = 1

G "/api/v1/audit-log?limit=100" >"$T/audit.json"
check "audit log: created then updated, from 127.0.0.1" \
	test "$(jq -r "[.results[] | select(.device_id == $ID and .source == \"127.0.0.1\") | .result] | sort | join(\",\")" "$T/audit.json")" = "created,updated"
check "audit log: the ?token refusal" \
	test "$(jq -r '[.results[] | select(.message == "empty ?token=")] | length' "$T/audit.json")" = 1
check "the token never reaches the server log" sh -c "! grep -q '$TOK' '$T/log'"

echo "1..$n"
exit $failed
