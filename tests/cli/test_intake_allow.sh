#!/bin/sh
# The Open-AudIT intake allow-list kept in the database (Administration >
# Audit intake in the UI, /api/v1/settings/intake): closed until a
# network or a token is given; an address outside the list is refused with
# its reason; a bad entry or org is refused naming the field and changes
# nothing; an allowed post lands in the list's org; only admins read or
# change it; an empty list closes the intake again; the config file's
# intake_allow is shown apart and still works. Loopback only. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init allow

FIXTURE=$(dirname "$0")/../fixtures/audit-linux-min.xml
# exactly what audit_linux.sh posts: "data=" and the document
{ printf 'data='; cat "$FIXTURE"; } >"$T/form"
oa_post() { # oa_post: the script's post without a token; S, $T/body and
	# the headers in $T/hdr
	S=$(curl -s -D "$T/hdr" -o "$T/body" -w '%{http_code}' \
		--data-binary @"$T/form" "$U/open-audit/index.php/input/devices")
}
# A post refused for want of a token is a 401 with a Basic challenge, not a
# 403: wget (audit_linux.sh's fallback without curl) sends the URL's
# password only after such a 401.
challenged() {
	[ "$S" = 401 ] && grep -qi '^WWW-Authenticate: Basic realm=' "$T/hdr"
}

serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

req GET /api/v1/settings/intake
check "GET settings/intake: an empty list, org 1, nothing from the config" \
	test "$S" = 200 -a "$(J '.allow | length')" = 0 -a "$(J .org_id)" = 1 \
	-a "$(J '.config_allow | length')" = 0
oa_post
check "no list and no token: the intake is closed (401 asking for Basic, says how to open it)" \
	eval "challenged && grep -q 'Administration > Audit intake' '$T/body'"

req PUT /api/v1/settings/intake -d '{"allow":["198.18.0.0/15"]}'
check "PUT a list: 200 and the list back" \
	test "$S" = 200 -a "$(J '.allow[0]')" = 198.18.0.0/15
oa_post
check "127.0.0.1 outside the list: 401 asking for Basic, naming the address and the token" \
	eval "challenged && grep -q '127.0.0.1 is not in the intake allow-list' '$T/body' &&
	      grep -q 'audit:TOKEN@HOST' '$T/body'"

req PUT /api/v1/settings/intake -d '{"allow":["198.18.0.0/15","198.19.0.0/33"]}'
check "a bad network: 400 naming allow and the entry" \
	test "$S" = 400 -a "$(J .field)" = allow -a \
	"$(J '.error | test("entry 2")')" = true
req PUT /api/v1/settings/intake -d '{"allow":"127.0.0.1"}'
check "allow that is not a list: 400" test "$S" = 400 -a "$(J .field)" = allow
req PUT /api/v1/settings/intake -d '{"allow":[],"org_id":999}'
check "an org that does not exist: 400 naming org_id" \
	test "$S" = 400 -a "$(J .field)" = org_id
req GET /api/v1/settings/intake
check "refused changes left the stored list as it was" \
	test "$(J '.allow | join(",")')" = 198.18.0.0/15

req POST /api/v1/orgs -d '{"name":"branch"}'
ORG=$(J .id)
req PUT /api/v1/settings/intake -d "{\"allow\":[\"198.18.0.0/15\",\"127.0.0.0/8\"],\"org_id\":$ORG}"
check "PUT loopback and the branch org: 200" \
	test "$S" = 200 -a "$(J .org_id)" = "$ORG"
oa_post
check "an allowed post without a token is stored (the script's answer)" \
	sh -c "{ [ $S = 200 ] || [ $S = 201 ]; } && grep -q 'created' '$T/body'"
req GET /api/v1/devices
check "the device went to the list's org" \
	test "$(J .count)" = 1 -a "$(J '.results[0].org_id')" = "$ORG"

# roles: only an admin reads or changes the list
req POST /api/v1/users -d '{"username":"ro","password":"pass-ro-12345","role":"user","org_id":1}'
req POST /api/v1/users -d '{"username":"oa","password":"pass-oa-12345","role":"org_admin","org_id":1}'
ADMIN=$TOKEN
TOKEN=$(admin_token ro)
req GET /api/v1/settings/intake
check "a read-only user may not read it (403)" test "$S" = 403
TOKEN=$(admin_token oa)
req PUT /api/v1/settings/intake -d '{"allow":["0.0.0.0/0"]}'
check "an org_admin may not change it (403)" test "$S" = 403
TOKEN=
req GET /api/v1/settings/intake
check "anonymous: 401" test "$S" = 401
TOKEN=$ADMIN

req PUT /api/v1/settings/intake -d '{"allow":[]}'
oa_post
check "an empty list closes the intake again" \
	eval "challenged && grep -q 'closed' '$T/body'"
req GET /api/v1/openapi.json
check "openapi.json describes /settings/intake" \
	test "$(J '.paths | has("/api/v1/settings/intake")')" = true
serve_stop
check "server stops cleanly" test $? = 0

# the config file's intake_allow still works, and is shown apart
# @PORT@: serve_start puts a free port there (another one when it was
# taken meanwhile)
cat >"$T/nc.conf" <<CONF
listen = http://127.0.0.1:@PORT@
db = $DB
intake_allow = 127.0.0.1/32
intake_org = $ORG
CONF
SERVE_CONFIG=$T/nc.conf
serve_start "$T/log" || { cat "$T/log"; nok "server restarts with a config"; tap_finish; }
req GET /api/v1/settings/intake
check "config_allow shows the file's network, the stored list stays empty" \
	test "$(J '.config_allow | join(",")')" = 127.0.0.1/32 -a \
	"$(J '.allow | length')" = 0 -a "$(J .config_org_id)" = "$ORG"
oa_post
check "a post from the config file's network is accepted" \
	sh -c "[ $S = 200 ] || [ $S = 201 ]"
serve_stop
tap_finish
