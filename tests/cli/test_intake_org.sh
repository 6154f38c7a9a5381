#!/bin/sh
# Intake over HTTP with two orgs and a collector token each: org B posting
# the identity (hostname, uuid, serial, MAC, IP) of an org A machine, on
# /api/v1/intake and on the Open-AudIT path, gets a new device in org B;
# org A's device is unchanged; the reply names nothing of org A; the audit
# log names the token and user (or the allow-list address) of every
# intake. Loopback only. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init intakeorg
N=$NETCENSUS

"$N" admin --db "$DB" org add OrgA >/dev/null 2>&1 &&
	"$N" admin --db "$DB" org add OrgB >/dev/null 2>&1 &&
	echo 'collector pass A1' | "$N" admin --db "$DB" user add coll-a \
		--role collector --org OrgA >/dev/null 2>&1 &&
	echo 'collector pass B1' | "$N" admin --db "$DB" user add coll-b \
		--role collector --org OrgB >/dev/null 2>&1 &&
	echo 'admin pass root1' | "$N" admin --db "$DB" user add root-admin \
		--role admin >/dev/null 2>&1 ||
	{ nok "orgs and users"; tap_finish; }
TA=$(admin_token coll-a)
TB=$(admin_token coll-b)
serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }
TADMIN=$(admin_token root-admin)
[ -n "$TA" ] && [ -n "$TB" ] && [ -n "$TADMIN" ] ||
	{ nok "tokens"; tap_finish; }
TB_ID=$("$N" admin --db "$DB" token list --json |
	jq -r '.[] | select(.user == "coll-b") | .id')

# report OS_NAME: org A's machine, as a device report
report() {
	cat <<EOF
{"report_version":1,"sys":{"hostname":"db-a","uuid":"4C4C4544-0042-3010-8051-B7C04F564431",
 "serial":"CZ-ORG-A-1","dbus_identifier":"0f6c3a9d5e1b4c7a8d2e6f1a3b5c7d9e",
 "mac":"3c:ec:ef:10:20:30","ip":"198.18.40.7","fqdn":"db-a.a.example",
 "sysName":"db-a","os_name":"$1"},
 "network":[{"mac":"3c:ec:ef:10:20:30","net_index":"1"}],
 "ip":[{"ip":"198.18.40.7","mac":"3c:ec:ef:10:20:30","version":"4"}]}
EOF
}

TOKEN=$TA
report Debian >"$T/a.json"
req POST /api/v1/intake --data-binary @"$T/a.json"
DA=$(J .device_id)
check "org A's collector stores its machine (201, device $DA)" \
	test "$S" = 201 -a "$(J .created)" = true

TOKEN=$TB
report "PWNED by OrgB" >"$T/b.json"
req POST /api/v1/intake --data-binary @"$T/b.json"
DB_DEV=$(J .device_id)
check "org B posting A's hostname/uuid/serial/MAC/IP: a new device (201)" \
	test "$S" = 201 -a "$(J .created)" = true -a "$DB_DEV" != "$DA"
check "the reply names no match and no device of org A" \
	test "$(J .rule)" = "" -a "$(J .result)" = created \
	-a "$(J '[.. | scalars | tostring] | index("'"$DA"'")')" = null

TOKEN=$TADMIN
req GET "/api/v1/devices/$DA"
check "org A's device is unchanged (os_name, org)" \
	test "$S" = 200 -a "$(J .os_name)" = Debian
req GET "/api/v1/devices/$DB_DEV"
check "org B's new device is in org B" \
	test "$S" = 200 -a "$(J .os_name)" = "PWNED by OrgB" \
	-a "$(J .org_id)" = "$("$N" admin --db "$DB" org list --json |
		jq -r '.[] | select(.name == "OrgB") | .id')"

# the Open-AudIT path, the token as the URL's password
sed 's/PWNED by OrgB/Again OrgB/' "$T/b.json" >"$T/b2.json"
S=$(curl -s -o "$T/body" -w '%{http_code}' -u "audit:$TB" \
	--data-urlencode data@"$T/b2.json" \
	"$U/open-audit/index.php/input/devices")
check "Open-AudIT path, B's token: updates B's own device, not A's" \
	eval "[ '$S' = 200 ] && grep -q 'device $DB_DEV updated' '$T/body'"
req GET "/api/v1/devices/$DA"
check "org A's device still unchanged" test "$(J .os_name)" = Debian

req GET "/api/v1/audit-log?limit=10"
check "the audit log names B's token and user for each of B's intakes" \
	test "$(J '[.results[] | select(.source == "token '"$TB_ID"' of user coll-b, from 127.0.0.1")] | length')" = 2
check "and A's user for A's" \
	test "$(J '[.results[] | select(.source | test("of user coll-a, from 127.0.0.1$"))] | length')" = 1

# an anonymous post allowed by the stored allow-list, into org B
req PUT /api/v1/settings/intake -d "{\"allow\":[\"127.0.0.1\"],\"org_id\":$(
	"$N" admin --db "$DB" org list --json |
		jq -r '.[] | select(.name == "OrgB") | .id')}"
S=$(curl -s -o "$T/body" -w '%{http_code}' \
	--data-urlencode data@"$T/b2.json" \
	"$U/open-audit/index.php/input/devices")
check "allow-listed anonymous post into org B: B's device" \
	eval "[ '$S' = 200 ] && grep -q 'device $DB_DEV updated' '$T/body'"
req GET "/api/v1/audit-log?limit=1"
check "the audit log says allow-list 127.0.0.1" \
	test "$(J '.results[0].source')" = "allow-list 127.0.0.1"
req GET "/api/v1/devices/$DA"
check "org A's device unchanged after all of B's posts" \
	test "$(J .os_name)" = Debian
tap_finish
