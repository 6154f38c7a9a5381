#!/bin/sh
# The API behind the device page and the administration pages (issue #18
# items 4-5, docs/api.md): a device's section sorted and paged by the
# server with its true total; per-user preferences; PATCH /users/{id}
# (role, org, enabled) with org scoping; DELETE /users/{id}/sessions;
# PATCH /credentials/{id} (edit, rotate a secret, keep one left out);
# POST /credentials/{id}/test against loopback only, with the reason;
# GET /map and the tile origin in the page's Content-Security-Policy.
# Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
tmp_init uiadm

serve_start "$T/log" --discovery-workers 0
PW=$(serve_password "$T/log")
login() { # login USER PASSWORD JAR -> csrf token
	curl -s -c "$3" -X POST -H 'Content-Type: application/json' \
		"$U/api/v1/auth/login" -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .csrf_token
}
CSRF=$(login admin "$PW" "$T/jar")
# api METHOD PATH [JSON] [JAR CSRF]: body in $T/body, status in $S
api() {
	_jar=${4:-$T/jar} _csrf=${5:-$CSRF}
	S=$(curl -s -o "$T/body" -w '%{http_code}' -b "$_jar" -H "X-CSRF-Token: $_csrf" \
		-H 'Content-Type: application/json' -X "$1" "$U/api/v1$2" ${3:+--data-binary "$3"})
}

# ---- a device with 130 software rows and a few IP rows ----
sw=$(i=0; while [ $i -lt 130 ]; do
	printf '{"name":"pkg-%03d","version":"%d.0","size":"%d"},' $i $((i % 7)) $(((i * 37) % 1000))
	i=$((i + 1)); done)
api POST /intake "{\"report_version\":1,\"source\":{\"name\":\"t\"},\"sys\":{\"hostname\":\"big1\",\"uuid\":\"u-big1\",\"memory_count\":\"16777216\"},\"software\":[${sw%,}],\"ip\":[{\"ip\":\"198.18.0.10\"},{\"ip\":\"198.18.0.9\"},{\"ip\":\"198.18.0.100\"}]}"
DEV=$(J .device_id)
check "a device with 130 software rows stored ($S)" test "$DEV" -gt 0

api GET "/devices/$DEV/software?limit=25&offset=25&ordering=-name"
check "a page of 25 rows with the section's true count 130" \
	test "$(J '[.count, (.results | length)] | @csv')" = "130,25"
check "sorted by name descending, second page: pkg-104 first" \
	test "$(J '.results[0].data.name')" = pkg-104
api GET "/devices/$DEV/software?limit=5&ordering=size"
check "a numeric field sorts as numbers (0, 37, 74 ... not 0, 1..., 10...)" \
	test "$(J '[.results[].data.size | tonumber] | . == sort')" = true
api GET "/devices/$DEV/ip?ordering=ip"
check "addresses sort as addresses (198.18.0.9 before 198.18.0.10 before 198.18.0.100)" \
	test "$(J '[.results[].data.ip] | join(" ")')" = "198.18.0.9 198.18.0.10 198.18.0.100"
api GET "/devices/$DEV/software?q=PKG-12&limit=100"
check "q filters the rows (ignoring case) and the count follows: 10" test "$(J .count)" = 10
api GET "/devices/$DEV/software?ordering=na%27me"
check "a bad sort field is a 400 naming ordering" test "$S $(J .field)" = "400 ordering"

# ---- preferences ----
api PUT /preferences/devices.columns '{"value":["hostname","mac","serial"]}'
check "a preference is saved ($S)" test "$S" = 200
api GET /preferences
check "and read back" test "$(jq -c '.["devices.columns"]' "$T/body")" = '["hostname","mac","serial"]'
api PUT /preferences/Bad%20Name '{"value":1}'
check "a bad preference name is refused" test "$S" -ge 400
big=$(head -c 9000 /dev/zero | tr '\0' a)
api PUT /preferences/big "{\"value\":\"$big\"}"
check "a value past 8 KiB is refused with field value" test "$S $(J .field)" = "400 value"

# ---- users: PATCH, scoping, sessions ----
api POST /orgs '{"name":"east"}'; EAST=$(J .id)
api POST /orgs '{"name":"west"}'; WEST=$(J .id)
api POST /users "{\"username\":\"eadm\",\"password\":\"pw-eadm-long\",\"role\":\"org_admin\",\"org_id\":$EAST}"
api POST /users "{\"username\":\"eusr\",\"password\":\"pw-eusr-long\",\"role\":\"user\",\"org_id\":$EAST}"; EUSR=$(J .id)
api POST /users "{\"username\":\"wusr\",\"password\":\"pw-wusr-long\",\"role\":\"user\",\"org_id\":$WEST}"; WUSR=$(J .id)
ECSRF=$(login eadm pw-eadm-long "$T/ejar")
UCSRF=$(login eusr pw-eusr-long "$T/ujar")
api GET /auth/me "" "$T/ujar" "$UCSRF"
check "eusr is signed in" test "$S" = 200
api PATCH "/users/$EUSR" '{"full_name":"E User","email":"e@example.org","role":"org_admin"}' "$T/ejar" "$ECSRF"
check "an org admin edits a user of its org ($S)" \
	test "$S $(J '[.full_name,.email,.role] | join(",")')" = "200 E User,e@example.org,org_admin"
api PATCH "/users/$WUSR" '{"enabled":false}' "$T/ejar" "$ECSRF"
check "but not a user of another org: 404" test "$S" = 404
api PATCH "/users/$EUSR" "{\"org_id\":$WEST}" "$T/ejar" "$ECSRF"
check "nor move one into an org outside its tree: 400 on org_id" test "$S $(J .field)" = "400 org_id"
api PATCH "/users/$EUSR" '{"role":"admin"}' "$T/ejar" "$ECSRF"
check "nor make an admin: 403" test "$S" = 403
api PATCH "/users/$EUSR" '{"password":"x"}'
check "an unknown member is named: 400 on password" test "$S $(J .field)" = "400 password"
api PATCH /users/1 '{"enabled":false}'
check "nobody disables themself" test "$S $(J .field)" = "400 enabled"
api DELETE "/users/$EUSR/sessions" "" "$T/ejar" "$ECSRF"
check "revoke sessions: one ended" test "$S $(J .sessions_ended)" = "200 1"
api GET /auth/me "" "$T/ujar" "$UCSRF"
check "the revoked session is signed out (401)" test "$S" = 401
UCSRF=$(login eusr pw-eusr-long "$T/ujar")
api PATCH "/users/$EUSR" '{"enabled":false}'
check "an admin disables a user ($S)" test "$S $(J .enabled)" = "200 0"
api GET /auth/me "" "$T/ujar" "$UCSRF"
check "which ends its session" test "$S" = 401
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	"$U/api/v1/auth/login" -d '{"username":"eusr","password":"pw-eusr-long"}')
check "and it cannot sign in ($r)" test "$r" = 401

# ---- credentials: edit, rotate, test ----
SECRET1=FirstCommunity-91 SECRET2=RotatedCommunity-92
# An SNMP agent on loopback (Debian's snmpsimd replaying a three-line
# recording whose file name is its community): the test then tells a
# kept, a wrong and a rotated community apart by what the agent answers.
SNMPPORT=
if command -v snmpsimd >/dev/null && command -v snmpget >/dev/null; then
	SNMPPORT=$(free_port)
	mkdir -p "$T/snmp/data" "$T/snmp/cache"
	printf '%s\n' '1.3.6.1.2.1.1.1.0|4|netcensus test agent' \
		'1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10' \
		'1.3.6.1.2.1.1.5.0|4|loopagent' >"$T/snmp/data/$SECRET2.snmprec"
	chmod a+x "$T"
	chmod -R a+rwX "$T/snmp"
	snmpsimd --data-dir="$T/snmp/data" --cache-dir="$T/snmp/cache" \
		--agent-udpv4-endpoint="127.0.0.1:$SNMPPORT" \
		--process-user=nobody --process-group=nogroup >"$T/snmp/log" 2>&1 </dev/null &
	BG_PIDS="$BG_PIDS $!"
	tries=0
	until snmpget -v2c -c "$SECRET2" -t 0.3 -r 0 "127.0.0.1:$SNMPPORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -lt 300 ] || { SNMPPORT=; break; }
	done
fi
# try CRED: "ok message" of a test of credential CRED on the agent
try() {
	api POST "/credentials/$1/test" "{\"address\":\"127.0.0.1\",\"port\":${SNMPPORT:-$(free_port)}}"
	echo "$S $(J .ok) $(J .message)"
}
api POST /credentials "{\"name\":\"lab\",\"type\":\"snmp\",\"community\":\"$SECRET1\"}"; CRED=$(J .id)
r=$(try "$CRED")
check "test: the wrong community gets no answer, and the page gets the reason ($r)" \
	sh -c "echo '$r' | grep -q '^200 false .*127.0.0.1.*no answer'"
api PATCH "/credentials/$CRED" "{\"community\":\"$SECRET2\"}"
check "rotating the secret: 200" test "$S" = 200
if [ -n "$SNMPPORT" ]; then
	r=$(try "$CRED")
	check "test after rotation: the agent answers with its name ($r)" \
		test "$(echo "$r" | grep -c "^200 true .*sysName 'loopagent'")" = 1
	api PATCH "/credentials/$CRED" '{"description":"core switches","community":""}'
	check "an edit without the secret: 200, description set" test "$S $(J .description)" = "200 core switches"
	r=$(try "$CRED")
	check "and the rotated community is kept ($r)" sh -c "echo '$r' | grep -q '^200 true'"
else
	ok "# skip no snmpsimd/snmpget: rotation checked by status only"
fi
api PATCH "/credentials/$CRED" '{"type":"ssh","username":"u"}'
check "a new type needs its own secrets: 400 on password" test "$S $(J .field)" = "400 password"
api POST "/credentials/$CRED/test" '{"address":"not an address"}'
check "test: a bad address is a 400 on address" test "$S $(J .field)" = "400 address"
api POST /credentials '{"name":"sshlab","type":"ssh","username":"nobody","password":"pw-ssh-test-1"}'; SSHC=$(J .id)
CLOSED=$(free_port)
api POST "/credentials/$SSHC/test" "{\"address\":\"127.0.0.1\",\"port\":$CLOSED}"
check "an SSH test on a closed loopback port says where it stopped ($(J .message))" \
	sh -c "test \"\$(jq -r .ok '$T/body')\" = false && jq -r .message '$T/body' | grep -qi connect"
check "no secret in any reply or the log" \
	sh -c "! grep -q -e $SECRET1 -e $SECRET2 -e pw-ssh-test-1 '$T/log' '$T/body'"

# ---- the map ----
api GET /map
check "GET /map gives the OpenStreetMap template by default" \
	test "$(J .tiles)" = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
curl -s -D "$T/h" -o /dev/null "$U/"
check "and the page may load its tiles (img-src names the tile server)" \
	grep -qi "^content-security-policy:.*img-src 'self' data: https://tile.openstreetmap.org;" "$T/h"
serve_stop
printf 'map_tiles = https://tiles.example.org/{z}/{x}/{y}.png;script-src *\n' >"$T/bad.conf"
check "a tile URL that would widen the policy is refused by serve -n" \
	sh -c "! '$NETCENSUS' serve -n --config '$T/bad.conf' --db '$DB' 2>'$T/err' && grep -q map_tiles '$T/err'"
tap_finish
