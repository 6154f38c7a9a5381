#!/bin/sh
# The exact bytes Open-AudIT's audit_linux.sh 5.6.5 posted from a Debian 12
# machine (tests/fixtures/audit-linux-real.xml.form: "data=" and the XML
# with only + " & percent-encoded; captured from a real run, see
# docs/server.md), posted the way the script does it (curl --data-binary,
# the token as the URL's password) to netcensus serve on loopback. Checks
# what a user would: the device and its fields, every software row, values
# with a raw % and = intact, the policy rows, a second post changing
# nothing, and the "?token" that the script's url= parsing leaves. Then
# the script's wget post (a machine without curl): wget sends the URL's
# password only after a 401 with a Basic challenge, so the post without
# credentials must get one and the retry must land; a wrong password is
# refused. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
FORM=$(cd "$(dirname "$0")/../fixtures" && pwd)/audit-linux-real.xml.form
need_tools curl jq wget
need_netcensus
[ -r "$FORM" ] || skip_all "no $FORM"
tmp_init oafix

printf 'audits-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add audits --role collector >/dev/null 2>&1
printf 'reader-pass-12345\n' |
	"$NETCENSUS" admin --db "$DB" user add reader --role admin >/dev/null 2>&1
TOK=$(admin_token audits)
RT=$(admin_token reader)

serve_start "$T/log" || { cat "$T/log"; nok "server starts"; tap_finish; }
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
	test "$(jq -r "[.results[] | select(.device_id == $ID and (.source | endswith(\"from 127.0.0.1\"))) | .result] | sort | join(\",\")" "$T/audit.json")" = "created,updated"
check "audit log: the ?token refusal" \
	test "$(jq -r '[.results[] | select(.message == "empty ?token=")] | length' "$T/audit.json")" = 1

# ---- wget: what the script runs when curl is not installed ----
# It sends the URL's password only when a 401 asks for Basic.
S=$(curl -s -D "$T/hdr" -o "$T/answer" -w '%{http_code}' --data-binary "@$FORM" "$U$OA")
check "no credentials: 401 with a Basic challenge, the text says how to authenticate" \
	sh -c "[ $S = 401 ] &&
	       grep -qi '^WWW-Authenticate: Basic realm=\"netcensus audit intake\"' '$T/hdr' &&
	       grep -q 'audit:TOKEN@HOST' '$T/answer'"
wget_post() { # wget_post URL: the script's debugging=4 wget; answer in
	# $T/answer, wget's log in $T/wget.log, its exit status in W
	rm -f "$T/answer"
	(cd "$T" && wget -O "$T/answer" --post-file="$FORM" "$1") \
		>"$T/wget.log" 2>&1
	W=$?
}
# the script's usual wget (debugging below 4)
(cd "$T" && wget --delete-after --post-file="$FORM" \
	"http://audit:$TOK@127.0.0.1:$PORT$OA" 2>/dev/null)
W=$?
G "/api/v1/audit-log?limit=100" >"$T/audit.json"
check "wget --delete-after with the token as the URL's password: exit 0, device $ID updated" \
	test "$W/$(jq -r "[.results[] | select(.device_id == $ID and .result == \"updated\")] | length" "$T/audit.json")" = 0/2

req_status=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE \
	-H "Authorization: Bearer $RT" "$U/api/v1/devices/$ID")
wget_post "http://audit:$TOK@127.0.0.1:$PORT$OA"
check "device deleted, wget posts again: exit 0, a device created" \
	sh -c "[ $req_status = 204 ] && [ $W = 0 ] && grep -q 'netcensus: device [0-9]* created' '$T/answer'"
check "wget retried with Basic after the 401" \
	sh -c "grep -q '401 Unauthorized' '$T/wget.log' && grep -q '200 OK' '$T/wget.log'"
ID2=$(sed -n 's/.*device \([0-9]*\) created.*/\1/p' "$T/answer")
G /api/v1/devices >"$T/devices.json"
check "one device, hostname $want_host, every software item ($want_soft)" \
	test "$(jq -r .count "$T/devices.json")/$(dev hostname)/$(G "/api/v1/devices/${ID2:-0}/software?limit=1" | jq -r .count)" = \
	"1/$want_host/$want_soft"

wget_post "http://audit:nc_wrong-token-12345@127.0.0.1:$PORT$OA"
check "wget with a wrong password: refused (exit 6, authentication failed)" \
	sh -c "[ $W = 6 ] && grep -q 'Authentication Failed' '$T/wget.log'"
G "/api/v1/audit-log?limit=100" >"$T/audit.json"
check "audit log: the wrong token refused once, the device unchanged" \
	test "$(jq -r '[.results[] | select(.message == "invalid or revoked token")] | length' "$T/audit.json")/$(G /api/v1/devices | jq -r .count)" = 1/1
check "the token never reaches the server log" sh -c "! grep -q '$TOK' '$T/log'"
tap_finish
