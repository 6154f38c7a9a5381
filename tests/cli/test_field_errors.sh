#!/bin/sh
# Field-level errors (docs/api.md, "Errors"): a refused credential says
# why in the reply — the field at fault and the store's own message —
# instead of "see the server log"; every error naming a field carries
# {"error", "field", "fields": {field: message}}. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init ferr

serve_start "$T/log"
PW=$(serve_password "$T/log")
curl -s -c "$T/jar" -o "$T/me" -X POST -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d "{\"username\":\"admin\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$T/me")
post() { # post PATH JSON -> body, then " STATUS"
	curl -s -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
		-w ' %{http_code}' -X POST "$U/api/v1$1" -d "$2"
}

r=$(post /credentials '{"name":"lab v2c","type":"snmp","org_id":1}')
check "snmp without community: 400 ($r)" test "${r##* }" = 400
body=${r% *}
check "the field at fault is community" test "$(echo "$body" | jq -r .field)" = community
check "fields.community says it is required for snmp" \
	sh -c "echo '$body' | jq -r .fields.community | grep -q 'missing community: required for snmp'"
check "no 'server log' in the reply" sh -c "! echo '$body' | grep -qi 'server log'"

r=$(post /credentials '{"name":"lab v2c","type":"snmp","org_id":1,"community":"not-a-real-one"}')
check "a complete one is stored (201)" test "${r##* }" = 201
r=$(post /credentials '{"name":"lab v2c","type":"snmp","org_id":1,"community":"s3cr3t-xyz"}')
body=${r% *}
check "the same name again: 400 on name ($r)" \
	test "$(echo "$body" | jq -c '[.field, (.fields.name | test("already exists"))]') ${r##* }" = '["name",true] 400'
check "the secret is in no reply" sh -c "! echo '$r' | grep -q s3cr3t-xyz"
r=$(post /credentials '{"name":"v3","type":"snmp_v3","org_id":1,"security_name":"u","security_level":"authPriv","auth_protocol":"SHA","auth_passphrase":"short","priv_protocol":"AES","priv_passphrase":"long enough pass"}')
check "a short SNMPv3 passphrase: 400 on auth_passphrase" \
	test "$(echo "${r% *}" | jq -r .field) ${r##* }" = "auth_passphrase 400"
r=$(post /credentials '{"name":"x","type":"telnet","org_id":1}')
check "an unknown type: 400 on type" test "$(echo "${r% *}" | jq -r .field)" = type
r=$(curl -s -b "$T/jar" "$U/api/v1/devices?nosuchfield=1")
check "a query error has the same shape" \
	test "$(echo "$r" | jq -c '[.field, (.fields | keys)]')" = '["nosuchfield",["nosuchfield"]]'

serve_stop
check "server stops cleanly" test $? = 0
tap_finish
