#!/bin/sh
# netcensus serve, end to end on loopback: login, cookies and CSRF, bearer
# tokens, roles and org scoping (401/403/404), list envelope, filters,
# ordering, CSV, refused filter injections, intake through the API and the
# Open-AudIT paths, write-only secrets, openapi.json, login throttling,
# body ceilings, SIGTERM, the intake allow-list and HTTPS. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init serve
B() { cat "$T/body"; }

if ! serve_start "$T/log1"; then
	cat "$T/log1"
	nok "server starts"
	tap_finish
fi
ok "server starts on 127.0.0.1:$PORT"

PW=$(serve_password "$T/log1")
check "first admin password printed once" test -n "$PW" -a \
	"$(grep -c 'created the first user' "$T/log1")" = 1
check "log says how to change it" grep -q 'admin user passwd admin' "$T/log1"

# ---- login, cookie, CSRF ----
req POST /api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"admin","password":"wrong-one"}'
check "wrong password: 401" test "$S" = 401
req POST /api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"admin"}'
check "missing password: 400 naming the field" test "$S" = 400 -a "$(J .field)" = password
S=$(curl -s -D "$T/hdr" -c "$T/jar" -o "$T/body" -w '%{http_code}' \
	-X POST -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d "{\"username\":\"admin\",\"password\":\"$PW\"}")
CSRF=$(J .csrf_token)
check "login: 200 with a CSRF token" test "$S" = 200 -a ${#CSRF} -ge 40
cookie=$(grep -i '^set-cookie: nc_session=' "$T/hdr")
check "session cookie HttpOnly, SameSite=Strict, not Secure on http" \
	sh -c "echo '$cookie' | grep -q HttpOnly && echo '$cookie' | grep -q 'SameSite=Strict' && ! echo '$cookie' | grep -q Secure"
AC="-b $T/jar"
req GET /api/v1/auth/me $AC
check "me by cookie: admin" test "$S" = 200 -a "$(J .role)" = admin
req POST /api/v1/orgs $AC -d '{"name":"east"}'
check "cookie write without X-CSRF-Token: 403" test "$S" = 403
req POST /api/v1/orgs $AC -H "X-CSRF-Token: wrong" -d '{"name":"east"}'
check "cookie write with a wrong CSRF token: 403" test "$S" = 403
W="$AC -H X-CSRF-Token:$CSRF"
req POST /api/v1/orgs $W -d '{"name":"east"}'
EAST=$(J .id)
check "cookie write with the CSRF token: 201" test "$S" = 201 -a -n "$EAST"
req POST /api/v1/orgs $W -d '{"name":"east"}'
check "duplicate org: 409" test "$S" = 409

# ---- users and tokens ----
mkuser() { # mkuser NAME ROLE ORG
	req POST /api/v1/users $W -d "{\"username\":\"$1\",\"password\":\"pass-$1-123\",\"role\":\"$2\",\"org_id\":$3}"
	[ "$S" = 201 ] || echo "# mkuser $1: $S $(B)"
	req POST /api/v1/tokens $W -d "{\"user\":\"$1\",\"label\":\"test\"}"
	J .token
}
RO=$(mkuser reader user 1)
EA=$(mkuser eastadmin org_admin "$EAST")
CO=$(mkuser coll collector 1)
check "tokens created for user, org_admin, collector" \
	sh -c "[ ${#RO} -gt 20 ] && [ ${#EA} -gt 20 ] && [ ${#CO} -gt 20 ]"
req POST /api/v1/tokens $W -d '{"label":"mine"}'
AD=$(J .token)
req GET /api/v1/tokens $W
check "token list never shows token values" \
	sh -c "! grep -q '$AD' '$T/body' && ! grep -q '$RO' '$T/body'"

# ---- authentication and roles ----
req GET /api/v1/devices
check "anonymous: 401" test "$S" = 401 -a -n "$(J .error)"
req GET /api/v1/devices -H "Authorization: Bearer nc_not_a_real_token"
check "bad bearer token: 401" test "$S" = 401
req GET /api/v1/auth/me -H "Authorization: Bearer $RO"
check "bearer token: me is reader" test "$S" = 200 -a "$(J .username)" = reader
req GET /api/v1/devices -H "Authorization: Bearer $CO"
check "collector may not list devices: 403" test "$S" = 403
req POST /api/v1/orgs -H "Authorization: Bearer $RO" -d '{"name":"x"}'
check "read-only user may not write: 403" test "$S" = 403
req GET /api/v1/users -H "Authorization: Bearer $EA"
check "org_admin sees only users of its org tree" \
	test "$S" = 200 -a "$(J '[.results[].username] | join(",")')" = eastadmin

# ---- intake ----
if [ -d "$SAMPLES" ]; then
	req POST /api/v1/intake -H "Authorization: Bearer $CO" --data-binary "@$SAMPLES/debian.xml"
	DEB=$(J .device_id)
	check "API intake by collector: 201 created" test "$S" = 201 -a "$(J .created)" = true
	req POST /api/v1/intake -H "Authorization: Bearer $RO" --data-binary "@$SAMPLES/debian.xml"
	check "API intake by read-only user: 403" test "$S" = 403
	req POST "/open-audit/index.php/input/devices?token=$CO" --data-urlencode "data@$SAMPLES/server.xml"
	check "Open-AudIT path, urlencoded data: 200 created" \
		sh -c "[ $S = 200 ] && grep -q created '$T/body'"
	# exactly what audit_linux.sh sends: data= + XML with + \" & encoded
	{ printf 'data='; sed -e 's/+/%2B/g' -e 's/"/%22/g' -e 's/&/%26/g' "$SAMPLES/laptop.xml"; } >"$T/laptop.post"
	req POST "/index.php/input/devices?token=$CO" --data-binary "@$T/laptop.post"
	check "short Open-AudIT path, audit_linux.sh encoding: 200" \
		sh -c "[ $S = 200 ] && grep -q 'device [0-9]* created' '$T/body'"
	req POST "/index.php/input/devices?token=$CO" -F "data=@$SAMPLES/win2012r2_db01.xml"
	check "multipart/form-data data field: 200" test "$S" = 200
	req POST "/index.php/input/devices" --data-urlencode "data@$SAMPLES/switch.json"
	# 401, not 403: wget sends the URL's password only after a 401
	check "Open-AudIT path closed without token or allow-list: 401 saying how to open" \
		sh -c "[ $S = 401 ] && grep -q intake_allow '$T/body'"
	req POST "/index.php/input/devices?token=$RO" --data-urlencode "data@$SAMPLES/switch.json"
	check "Open-AudIT path with a read-only user's token: 403" test "$S" = 403
	req POST "/index.php/input/devices?token=$CO" --data-urlencode "data=<system><sys>broken"
	check "broken audit: 400 with a reason" sh -c "[ $S = 400 ] && grep -q rejected '$T/body'"
	req POST "/index.php/input/devices?token=$EA" --data-urlencode "data@$SAMPLES/switch.json"
	check "org_admin token puts the device in its org: 200" test "$S" = 200
	req GET "/api/v1/audit-log?ordering=-id&limit=20" $W
	check "every intake is in the audit log with its source address" \
		sh -c "[ $S = 200 ] && [ \$(jq '[.results[] | select(.source | endswith(\"127.0.0.1\"))] | length' '$T/body') -ge 7 ] && jq -e '[.results[].result] | index(\"rejected\")' '$T/body' >/dev/null"

	# ---- lists ----
	req GET /api/v1/devices $W
	TOTAL=$(J .count)
	check "admin lists all 5 devices" test "$S" = 200 -a "$TOTAL" = 5
	req GET /api/v1/devices -H "Authorization: Bearer $RO"
	check "user in the parent org sees the child org's devices too" test "$(J .count)" = 5
	req GET /api/v1/devices -H "Authorization: Bearer $EA"
	check "org_admin of east sees only east's device" test "$(J .count)" = 1
	EDEV=$(J '.results[0].id')
	req GET "/api/v1/devices/$DEB" -H "Authorization: Bearer $EA"
	check "other org's device: 404, not 403" test "$S" = 404
	req PATCH "/api/v1/devices/$DEB" -H "Authorization: Bearer $EA" -d '{"owner":"x"}'
	check "PATCH other org's device: 404" test "$S" = 404
	req DELETE "/api/v1/devices/$DEB" -H "Authorization: Bearer $EA"
	check "DELETE other org's device: 404" test "$S" = 404
	req PATCH "/api/v1/devices/$EDEV" -H "Authorization: Bearer $EA" -d '{"owner":"ops","tags":"core"}'
	check "org_admin PATCHes its own device" test "$S" = 200 -a "$(J .owner)" = ops
	req PATCH "/api/v1/devices/$EDEV" -H "Authorization: Bearer $RO" -d '{"owner":"me"}'
	check "read-only user PATCH: 403" test "$S" = 403
	req PATCH "/api/v1/devices/$EDEV" $W -d '{"hostname":"evil"}'
	check "PATCH of a discovered field: 400 naming it" test "$S" = 400 -a "$(J .field)" = hostname

	req GET "/api/v1/devices?limit=2" $W
	check "envelope: count, 2 results, next, no previous" \
		sh -c "[ \$(jq '.results|length' '$T/body') = 2 ] && [ \$(jq -r .next '$T/body') != null ] && [ \$(jq -r .previous '$T/body') = null ] && [ \$(jq .count '$T/body') = 5 ]"
	NEXT=$(J .next)
	req GET "$NEXT" $W
	check "next page has previous and other devices" \
		sh -c "[ \$(jq -r .previous '$T/body') != null ] && [ \$(jq '.results|length' '$T/body') = 2 ]"
	req GET "/api/v1/devices?limit=1001" $W
	check "limit over 1000: 400" test "$S" = 400 -a "$(J .field)" = limit
	HOST=$(jq -r '.results[0].hostname' "$T/body" 2>/dev/null)
	req GET "/api/v1/devices?ordering=-id&limit=1" $W
	check "ordering=-id gives the newest device first" test "$(J '.results[0].id')" = 5
	req GET "/api/v1/devices?ordering=hostname" $W
	check "ordering=hostname is sorted" \
		sh -c "jq -r '.results[].hostname' '$T/body' | LC_ALL=C sort -c"
	DH=$(curl -s $W "$U/api/v1/devices/$DEB" | jq -r .hostname)
	req GET "/api/v1/devices?hostname=$DH" $W
	check "exact filter finds one device" test "$(J .count)" = 1 -a "$(J '.results[0].id')" = "$DEB"
	UP=$(echo "$DH" | tr '[:lower:]' '[:upper:]' | cut -c1-3)
	req GET "/api/v1/devices?hostname__ic=$UP" $W
	check "__ic filter is case-insensitive" test "$(J .count)" -ge 1
	req GET "/api/v1/devices?hostname__n=$DH" $W
	check "__n filter excludes it" test "$(J .count)" = 4
	req GET "/api/v1/devices?last_seen__gte=2000-01-01&last_seen__lt=2999-01-01" $W
	check "range filter on last_seen" test "$(J .count)" = 5
	req GET "/api/v1/devices?format=csv" $W
	check "CSV: header and one line per device" \
		sh -c "head -1 '$T/body' | grep -q '\"hostname\"' && [ \$(wc -l <'$T/body') = 6 ]"

	# ---- refused filters ----
	for q in "hostname;DROP%20TABLE%20device=1" "bogus=1" "id=1%20OR%201=1" \
		"hostname__regex=.*" "ordering=-last_seen;DROP%20TABLE%20device" \
		"ordering=(SELECT%201)" "hostname)%20OR%20(1=1"; do
		req GET "/api/v1/devices?$q" $W
		if [ "$S" = 400 ] && [ -n "$(J .field)" ]; then
			ok "refused with 400 naming the field: $q"
		else
			nok "refused with 400 naming the field: $q (got $S $(B))"
		fi
	done
	req GET /api/v1/devices $W
	check "devices intact after injection attempts" test "$(J .count)" = 5

	# ---- detail, sections, changes ----
	req GET "/api/v1/devices/$DEB" $W
	check "detail has current components" test "$(J '.components.software | length')" -gt 0
	NSW=$(J '.components.software | length')
	req GET "/api/v1/devices/$DEB/software?limit=1000" $W
	check "section endpoint lists the same software" test "$(J .count)" = "$NSW"
	req GET "/api/v1/devices/$DEB/software?current=maybe" $W
	check "bad current=: 400" test "$S" = 400
	sed 's#<name><!\[CDATA\[acpi\]\]></name>#<name><![CDATA[acpi-renamed]]></name>#' "$SAMPLES/debian.xml" >"$T/debian2.xml"
	req POST /api/v1/intake -H "Authorization: Bearer $CO" --data-binary "@$T/debian2.xml"
	check "second submission updates the same device" test "$S" = 200 -a "$(J .device_id)" = "$DEB"
	req GET "/api/v1/changes?device_id=$DEB&section=software&limit=5" $W
	check "change log shows software changes" test "$S" = 200 -a "$(J .count)" -gt 0
	# a third audit, posted the way audit_linux.sh posts it: one package
	# removed, one upgraded, one added whose version holds a raw % and =
	req GET "/api/v1/changes?ordering=-id&limit=1" $W
	LASTCH=$(J '.results[0].id')
	perl -0pe 's#<item>\s*<name><!\[CDATA\[acpid\]\]></name>.*?</item>##s' "$T/debian2.xml" |
	sed -e 's#<version><!\[CDATA\[0.140-5+deb7u3\]\]></version>#<version><![CDATA[0.141-1]]></version>#' \
	    -e 's#<software>#<software><item><name><![CDATA[nc-test-tool]]></name><version><![CDATA[2.0-50%=beta]]></version><url></url></item>#' \
	    >"$T/debian3.xml"
	{ printf 'data='; sed -e 's/+/%2B/g' -e 's/"/%22/g' -e 's/&/%26/g' "$T/debian3.xml"; } >"$T/debian3.post"
	req POST "/open-audit/index.php/input/devices?token=$CO" --data-binary "@$T/debian3.post"
	check "third audit by audit_linux.sh's encoding updates the device" \
		sh -c "[ $S = 200 ] && grep -q 'device $DEB updated' '$T/body'"
	req GET "/api/v1/changes?device_id=$DEB&id__gt=$LASTCH&section=software&ordering=action" $W
	check "change log: exactly one add, one change, one remove" \
		test "$(J '[.results[].action] | join(",")')" = "add,change,remove"
	check "change log names the three packages" \
		test "$(J '[.results[] | .key | split("\u001f")[0]] | join(",")')" = "nc-test-tool,acpi-support-base,acpid"
	req GET "/api/v1/changes?device_id=$DEB&id__gt=$LASTCH&section__n=software" $W
	check "no change in other sections" test "$(J .count)" = 0
	req GET "/api/v1/devices/$DEB/software?limit=1000" $W
	check "a raw % and = in the audit survive decoding" \
		test "$(J '.results[] | select(.data.name == "nc-test-tool") | .data.version')" = "2.0-50%=beta"
	req GET "/api/v1/changes" -H "Authorization: Bearer $EA"
	check "org_admin sees no changes of other orgs" test "$(J '[.results[] | select(.device_id != '"$EDEV"')] | length')" = 0
	req DELETE "/api/v1/devices/$EDEV" $W
	check "admin deletes a device: 204" test "$S" = 204
	req GET "/api/v1/devices/$EDEV" $W
	check "deleted device: 404" test "$S" = 404
else
	echo "# skip intake and list tests: no samples at $SAMPLES"
fi

# ---- credentials: secrets are write-only ----
req POST /api/v1/credentials $W -d '{"name":"lab","type":"snmp","community":"s3cretCommunityX"}'
CID=$(J .id)
check "credential created: 201 without its secret" \
	sh -c "[ $S = 201 ] && ! grep -q s3cretCommunityX '$T/body'"
req GET /api/v1/credentials $W
check "credential list has it, without the secret" \
	sh -c "[ \$(jq .count '$T/body') -ge 1 ] && ! grep -q s3cretCommunityX '$T/body'"
req GET "/api/v1/credentials/$CID" $W
check "credential detail without the secret" sh -c "[ $S = 200 ] && ! grep -q s3cretCommunityX '$T/body'"
check "the secret is not in the server log" sh -c "! grep -q s3cretCommunityX '$T/log1'"
req GET "/api/v1/credentials/$CID" -H "Authorization: Bearer $EA"
check "other org's credential: 404" test "$S" = 404

# ---- openapi, errors, ceilings ----
req GET /api/v1/openapi.json
check "openapi.json is valid JSON listing the paths" \
	sh -c "jq -e '.paths[\"/api/v1/devices\"].get and .paths[\"/api/v1/devices/{id}\"].patch and .paths[\"/open-audit/index.php/input/devices\"].post' '$T/body' >/dev/null"
req GET /api/v1/nothing-here $W
check "unknown path: 404 JSON" test "$S" = 404 -a -n "$(J .error)"
req PUT /api/v1/devices $W
check "wrong method: 405" test "$S" = 405
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T/big"
req POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary "@$T/big"
check "1 MiB body ceiling: 413" test "$S" = 413

# ---- logout, throttling ----
req POST /api/v1/auth/logout $W
check "logout: 200" test "$S" = 200
req GET /api/v1/auth/me $AC
check "session gone after logout: 401" test "$S" = 401
i=0
while [ $i -lt 5 ]; do
	req POST /api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"reader","password":"nope-nope"}'
	i=$((i + 1))
done
S=$(curl -s -D "$T/hdr" -o "$T/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d '{"username":"reader","password":"pass-reader-123"}')
check "after 5 failures from one address even the right password from there gets 429 with Retry-After" \
	sh -c "[ $S = 429 ] && grep -qi '^retry-after: [0-9]' '$T/hdr'"

# ---- graceful stop ----
curl -s -o /dev/null "$U/api/v1/health"
serve_stop
check "SIGTERM: clean exit 0" test $? = 0
check "log says it finished requests in flight" grep -q 'SIGTERM received' "$T/log1"
check "port closed after stop" sh -c "! curl -s -o /dev/null '$U/api/v1/health'"

# ---- allow-list ----
serve_start "$T/log2" --intake-allow 127.0.0.1/32 || nok "restart"
if [ -d "$SAMPLES" ]; then
	req POST /index.php/input/devices --data-urlencode "data@$SAMPLES/router-brisbane-1.json"
	check "intake_allow lets 127.0.0.1 post without a token" \
		sh -c "[ $S = 200 ] && grep -q created '$T/body'"
fi
check "restart does not create another admin" sh -c "! grep -q 'created the first user' '$T/log2'"
serve_stop
check "second stop: exit 0" test $? = 0

# ---- HTTPS with a self-signed certificate ----
PORT=
SERVE_SCHEME=https
serve_start "$T/log3" --tls-self-signed --data "$T" || nok "https start"
HEALTH=$U/api/v1/health
check "self-signed certificate made in the data dir, key 0600" \
	sh -c "[ -s '$T/tls-self-signed.crt' ] && [ \$(stat -c %a '$T/tls-self-signed.key') = 600 ]"
S=$(curl -sk -o /dev/null -w '%{http_code}' "$HEALTH")
check "https health: 200" test "$S" = 200
S=$(curl -s --cacert "$T/tls-self-signed.crt" -o /dev/null -w '%{http_code}' "$HEALTH")
check "the certificate verifies for 127.0.0.1" test "$S" = 200
S=$(curl -sk -D "$T/hdr" -o /dev/null -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d '{"username":"eastadmin","password":"pass-eastadmin-123"}')
check "cookie is Secure under TLS" sh -c "[ $S = 200 ] && grep -i '^set-cookie:' '$T/hdr' | grep -q Secure"
serve_stop
check "https server stops cleanly" test $? = 0

# ---- serve -n ----
"$NETCENSUS" serve -n --db "$DB" --listen 127.0.0.1:1 >"$T/out" 2>&1
check "serve -n checks and exits 0" sh -c "[ $? = 0 ] && grep -q 'configuration ok' '$T/out'"
"$NETCENSUS" serve -n --db "$DB" --listen https://127.0.0.1:1 >"$T/out" 2>&1
check "serve -n refuses https without a certificate" test $? != 0
printf 'listen = 127.0.0.1:9\nbogus = 1\n' >"$T/bad.conf"
"$NETCENSUS" serve -n --config "$T/bad.conf" >"$T/out" 2>&1
check "serve -n names the bad config line" sh -c "[ $? != 0 ] && grep -q 'bad.conf:2' '$T/out'"

tap_finish
