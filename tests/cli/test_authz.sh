#!/bin/sh
# The authorisation matrix: every endpoint that /api/v1/openapi.json lists
# (so new endpoints are covered without touching this file) called as
# anonymous, a read-only user, the org_admin of another org, a collector
# and an admin, each answer checked against the rules of docs/api.md:
#   anonymous  401 on everything but the public routes;
#   collector  403 on everything but the intake paths;
#   user       reads; any write 403 (its own tokens and logout excepted);
#   org_admin of another org: lists are its own tree, objects of org 1 404;
#   admin      everything.
# Endpoints this file has no specific rule for get the generic ones above
# (reported as "generic"). Then the org-isolation cells (docs/admin.md,
# "Who may do what"): every global endpoint (settings, auth sources,
# /metrics) answers an admin of the root org, and 403 to the admin of a
# sub-org and to a user; a sub-org admin's purge leaves other orgs' change
# and audit logs alone; nobody grants more than their own org tree. Then
# the session cells: a password change (API or `admin user passwd`) ends
# the user's sessions and keeps its tokens; login wants a JSON body; a bad
# user name is a 400 naming the field. Then: every cookie write without
# X-CSRF-Token is refused, and a credential's secret appears in no
# response and no log. Runs the server with --discovery-workers 0 so runs
# stay queued. TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
# The Open-AudIT samples when they are here, else our own small fixtures.
if [ -f "$SAMPLES/debian.xml" ]; then
	LINUX_XML=$SAMPLES/debian.xml
	SWITCH_JSON=$SAMPLES/switch.json
else
	LINUX_XML=$(dirname "$0")/../fixtures/audit-linux-min.xml
	SWITCH_JSON=$(dirname "$0")/../fixtures/switch-min.json
fi

tmp_init authz
SECRET=MatrixS3cretCommunity77
serve_start "$T/log" --discovery-workers 0 --access-log "$T/access.log" ||
	{ cat "$T/log"; skip_all "server did not start"; }
PW=$(serve_password "$T/log")

# call METHOD PATH AUTH [BODY]: status in $S, body appended to all-bodies
call() {
	_m=$1 _p=$2 _a=$3 _b=${4-}
	case $_a in
	anon) set -- ;;
	cookie-nocsrf) set -- -b "$T/jar" ;;
	*) set -- -H "Authorization: Bearer $_a" ;;
	esac
	if [ -n "$_b" ]; then
		S=$(curl -s -o "$T/body" -w '%{http_code}' -X "$_m" "$@" \
			-H 'Content-Type: application/json' \
			--data-binary "$_b" "$U$_p")
	else
		S=$(curl -s -o "$T/body" -w '%{http_code}' -X "$_m" "$@" "$U$_p")
	fi
	cat "$T/body" >>"$T/all-bodies"
	echo >>"$T/all-bodies"
	echo x >>"$T/calls"
}
# a number never given before (works inside $(...) too)
uniq() {
	c=$(cat "$T/ctr" 2>/dev/null || echo 0)
	c=$((c + 1))
	echo $c >"$T/ctr"
	echo $c
}

# ---- the cast and the objects (all in org 1, Default) ----
S=$(curl -s -c "$T/jar" -o "$T/body" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' "$U/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$PW\"}")
CSRF=$(J .csrf_token)
ADM=$(curl -s -b "$T/jar" -H "X-CSRF-Token: $CSRF" -X POST "$U/api/v1/tokens" \
	-d '{"label":"matrix"}' | jq -r .token)
call POST /api/v1/orgs "$ADM" '{"name":"west"}'
WEST=$(J .id)
mkuser() { # NAME ROLE ORG -> token
	call POST /api/v1/users "$ADM" "{\"username\":\"$1\",\"password\":\"pw-$1-long\",\"role\":\"$2\",\"org_id\":$3}"
	call POST /api/v1/tokens "$ADM" "{\"user\":\"$1\",\"label\":\"m\"}"
	J .token
}
USR=$(mkuser reader user 1)
OAD=$(mkuser westadmin org_admin "$WEST")
COL=$(mkuser coll collector 1)
call POST /api/v1/users "$ADM" '{"username":"victim","password":"pw-victim-long","role":"user","org_id":1}'
VICTIM=$(J .id)
call POST /api/v1/tokens "$ADM" '{"user":"victim","label":"v"}'
VICTIM_TOKEN_ID=$(curl -s -H "Authorization: Bearer $ADM" "$U/api/v1/tokens" |
	jq '[.results[] | select(.user == "victim")][0].id')
call POST /api/v1/intake "$COL" "$(cat "$LINUX_XML")"
DEV=$(J .device_id)
call POST /api/v1/credentials "$ADM" "{\"name\":\"c0\",\"type\":\"snmp\",\"community\":\"$SECRET\"}"
CRED=$(J .id)
call POST /api/v1/locations "$ADM" '{"name":"dc1","city":"Brisbane"}'
LOC=$(J .id)
call POST /api/v1/custom-fields "$ADM" '{"name":"rack","type":"text"}'
CF=$(J .id)
call POST /api/v1/discoveries "$ADM" "{\"name\":\"d0\",\"targets\":\"127.0.0.1\",\"credentials\":[$CRED],\"options\":{\"dns\":false,\"ports\":\"22\"}}"
DISC=$(J .id)
call POST "/api/v1/discoveries/$DISC/run" "$ADM" ""
RUN=$(J .id)
# the collector token registers a collector (docs/collectors.md)
call POST /api/v1/collectors/register "$COL" '{"name":"matrix-col"}'
COLLECTOR=$(J .id)
if [ -n "$USR" ] && [ -n "$OAD" ] && [ -n "$COL" ] && [ "$DEV" -gt 0 ] 2>/dev/null &&
	[ "$CRED" -gt 0 ] && [ "$LOC" -gt 0 ] && [ "$DISC" -gt 0 ] && [ "$RUN" -gt 0 ] &&
	[ "$COLLECTOR" -gt 0 ] && [ "$CF" -gt 0 ]; then
	ok "cast and objects made (device $DEV, credential $CRED, location $LOC, discovery $DISC, run $RUN, collector $COLLECTOR, custom field $CF)"
else
	nok "cast and objects made"
	cat "$T/log"
	tap_finish
fi

# fresh KIND: a throwaway object for a destructive admin call
fresh() {
	k=$(uniq)
	case $1 in
	devices)
		sed "s#<hostname>[^<]*</hostname>#<hostname>tmp$k</hostname>#; s#<uuid>[^<]*</uuid>#<uuid>tmp-$k</uuid>#" \
			"$LINUX_XML" >"$T/tmp.xml"
		call POST /api/v1/intake "$COL" "$(cat "$T/tmp.xml")"
		J .device_id ;;
	users) call POST /api/v1/users "$ADM" "{\"username\":\"tmp$k\",\"password\":\"pw-tmp-long\",\"role\":\"user\"}"; J .id ;;
	tokens) call POST /api/v1/tokens "$ADM" '{"label":"tmp"}'
		curl -s -H "Authorization: Bearer $ADM" "$U/api/v1/tokens" | jq '[.results[].id] | max' ;;
	credentials) call POST /api/v1/credentials "$ADM" "{\"name\":\"tmp$k\",\"type\":\"snmp\",\"community\":\"$SECRET\"}"; J .id ;;
	locations) call POST /api/v1/locations "$ADM" "{\"name\":\"tmp$k\"}"; J .id ;;
	custom-fields) call POST /api/v1/custom-fields "$ADM" "{\"name\":\"tmp$k\",\"type\":\"text\"}"; J .id ;;
	discoveries) call POST /api/v1/discoveries "$ADM" "{\"name\":\"tmp$k\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false}}"; J .id ;;
	discovery-runs) d=$(fresh discoveries); call POST "/api/v1/discoveries/$d/run" "$ADM" ""; J .id ;;
	collectors) call POST /api/v1/tokens "$ADM" '{"user":"coll","label":"tmp"}'
		call POST /api/v1/collectors/register "$(J .token)" "{\"name\":\"tmp$k\"}"
		J .id ;;
	*) echo 1 ;;
	esac
}

# the id an {id} stands for in a path (objects of org 1)
id_for() {
	case $1 in
	/api/v1/devices/*) echo "$DEV" ;;
	/api/v1/users/*) echo "$VICTIM" ;;
	/api/v1/tokens/*) echo "$VICTIM_TOKEN_ID" ;;
	/api/v1/orgs/*) echo 1 ;;
	/api/v1/credentials/*) echo "$CRED" ;;
	/api/v1/locations/*) echo "$LOC" ;;
	/api/v1/custom-fields/*) echo "$CF" ;;
	/api/v1/discoveries/*) echo "$DISC" ;;
	/api/v1/discovery-runs/*) echo "$RUN" ;;
	/api/v1/collectors/*) echo "$COLLECTOR" ;;
	*) echo 1 ;;
	esac
}

# a valid body for a write (unique names so creates succeed)
body_for() { # METHOD PATTERN
	k=$(uniq)
	case "$1 $2" in
	"POST /api/v1/orgs") echo "{\"name\":\"o$k\"}" ;;
	"POST /api/v1/users") echo "{\"username\":\"u$k\",\"password\":\"pw-u-long-$k\",\"role\":\"user\"}" ;;
	"POST /api/v1/tokens") echo '{"label":"x"}' ;;
	"POST /api/v1/credentials") echo "{\"name\":\"c$k\",\"type\":\"snmp\",\"community\":\"$SECRET\"}" ;;
	"POST /api/v1/locations") echo "{\"name\":\"l$k\"}" ;;
	"PATCH /api/v1/locations/{id}") echo '{"city":"Perth"}' ;;
	"POST /api/v1/discoveries") echo "{\"name\":\"x$k\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false}}" ;;
	"PATCH /api/v1/discoveries/{id}") echo '{"exclude":"127.0.0.9"}' ;;
	"PATCH /api/v1/devices/{id}") echo '{"owner":"ops"}' ;;
	"POST /api/v1/devices") echo "{\"hostname\":\"matrix-new-$k\"}" ;;
	"POST /api/v1/devices/import") printf '{"csv":"hostname\\nmatrix-csv-%s\\n"}\n' "$k" ;;
	"POST /api/v1/devices/bulk") echo "{\"ids\":[$DEV],\"set\":{\"status\":\"matrix\"}}" ;;
	"PUT /api/v1/devices/{id}/custom") echo '{"rack":"R1"}' ;;
	"POST /api/v1/custom-fields") echo "{\"name\":\"m$k\",\"type\":\"text\"}" ;;
	"PATCH /api/v1/custom-fields/{id}") echo '{"label":"Rack"}' ;;
	"POST /api/v1/intake") cat "$SWITCH_JSON" ;;
	"POST /api/v1/collectors/register") echo "{\"name\":\"m$k\"}" ;;
	"POST /api/v1/collectors/results")
		echo "{\"id\":\"0123456789abcdef0123456789abcd$(printf %02x $((k % 256)))\",\"kind\":\"report\",\"run_id\":$RUN,\"body\":{\"report\":{\"sys\":{\"ip\":\"198.18.0.9\"}}}}" ;;
	"PATCH /api/v1/collectors/{id}") echo '{"description":"matrix"}' ;;
	"POST /api/v1/auth/login") echo '{}' ;;
	"PATCH /api/v1/users/{id}") echo '{"full_name":"Matrix Victim"}' ;;
	"PATCH /api/v1/credentials/{id}") echo '{"description":"matrix"}' ;;
	# a loopback port where no agent answers: {ok:false, message}
	"POST /api/v1/credentials/{id}/test") echo '{"address":"127.0.0.1","port":9}' ;;
	"PUT /api/v1/preferences/{name}") echo '{"value":["hostname","mac"]}' ;;
	*) echo '{}' ;;
	esac
}

# expect ROLE METHOD PATTERN -> "STATUS[|STATUS]" or "generic"
expect() {
	r=$1 m=$2 p=$3
	case "$m $p" in
	"GET /api/v1/health" | "GET /api/v1/openapi.json") echo 200; return ;;
	"POST /api/v1/auth/login") echo 400; return ;;
	"POST /open-audit/index.php/input/devices" | "POST /index.php/input/devices")
		echo 401; return ;; # closed: no token and no allow-list; a 401
		# with a Basic challenge, which wget needs to send the URL's password
	esac
	[ "$r" = anon ] && { echo 401; return; }
	case $p in
	/api/v1/devices* | /api/v1/users* | /api/v1/tokens* | /api/v1/orgs* | \
	/api/v1/credentials* | /api/v1/locations* | /api/v1/discoveries* | \
	/api/v1/discovery-runs* | /api/v1/changes | /api/v1/audit-log | \
	/api/v1/stats | /api/v1/network | /metrics | /api/v1/auth/* | \
	/api/v1/intake | /api/v1/collectors* | /api/v1/search | \
	/api/v1/custom-fields* | /api/v1/preferences* | /api/v1/map) ;;
	*) [ "$r" = col ] && echo 403 || echo generic
	   return ;;
	esac
	if [ "$r" = col ]; then
		[ "$m $p" = "POST /api/v1/intake" ] && { echo "200|201"; return; }
		# a collector registers; its jobs go over HTTPS only (this
		# server is plain HTTP); results into a run not its own, the
		# progress of one, and every admin route: 403
		[ "$m $p" = "POST /api/v1/collectors/register" ] && { echo 200; return; }
		echo 403
		return
	fi
	case "$r:$m $p" in
	# ---- the collector API: collector tokens only ----
	*:"POST /api/v1/collectors/register" | *:"GET /api/v1/collectors/jobs" | \
	*:"POST /api/v1/collectors/results" | \
	*:"POST /api/v1/collectors/runs/{id}/progress") echo 403 ;;
	# ---- issue #18 (branch uidev): one's own preferences and the map
	# settings for every reader; editing users and credentials, revoking
	# sessions and testing a credential for org_admin and admin over
	# objects of their tree (org 1's are 404 to the other org's admin) ----
	*:"GET /api/v1/preferences" | *:"PUT /api/v1/preferences/{name}" | \
	*:"GET /api/v1/map") echo 200 ;;
	usr:"PATCH /api/v1/users/{id}" | usr:"DELETE /api/v1/users/{id}/sessions" | \
	usr:"PATCH /api/v1/credentials/{id}" | usr:"POST /api/v1/credentials/{id}/test") echo 403 ;;
	oad:"PATCH /api/v1/users/{id}" | oad:"DELETE /api/v1/users/{id}/sessions" | \
	oad:"PATCH /api/v1/credentials/{id}" | oad:"POST /api/v1/credentials/{id}/test") echo 404 ;;
	adm:"PATCH /api/v1/users/{id}" | adm:"DELETE /api/v1/users/{id}/sessions" | \
	adm:"PATCH /api/v1/credentials/{id}" | adm:"POST /api/v1/credentials/{id}/test") echo 200 ;;
	# ---- reads ----
	*:"GET /api/v1/auth/me" | *:"GET /api/v1/devices" | *:"GET /api/v1/changes" | \
	*:"GET /api/v1/orgs" | *:"GET /api/v1/tokens" | *:"GET /api/v1/credentials" | \
	*:"GET /api/v1/locations" | *:"GET /api/v1/discoveries" | \
	*:"GET /api/v1/discovery-runs" | *:"GET /api/v1/stats" | \
	*:"GET /api/v1/collectors" | *:"GET /api/v1/custom-fields" | \
	*:"GET /api/v1/network")
		echo 200 ;;
	# every reader may search; the matrix sends no q, which is refused
	# after the role check (tests/cli/test_search.sh searches for real)
	*:"GET /api/v1/search") echo 400 ;;
	adm:"GET /metrics") echo 200 ;;
	*:"GET /metrics") echo 403 ;; # every org's counters: root admins only
	usr:"GET /api/v1/users" | usr:"GET /api/v1/audit-log") echo 403 ;;
	*:"GET /api/v1/users" | *:"GET /api/v1/audit-log") echo 200 ;;
	usr:"GET /api/v1/users/{id}") echo 403 ;;
	oad:"GET /api/v1/"*"{id}"*) echo 404 ;;
	*:"GET /api/v1/"*"{id}"*) echo 200 ;;
	# ---- writes ----
	*:"POST /api/v1/auth/logout") echo 200 ;;
	*:"POST /api/v1/tokens") echo 201 ;;
	usr:"DELETE /api/v1/tokens/{id}" | oad:"DELETE /api/v1/tokens/{id}") echo 404 ;;
	usr:"POST /api/v1/"* | usr:"PATCH /api/v1/"* | usr:"DELETE /api/v1/"* | \
	usr:"PUT /api/v1/devices/{id}/custom") echo 403 ;;
	# org 1's field applies to west's devices too: west's admin sees it,
	# may not change it
	oad:"PATCH /api/v1/custom-fields/{id}" | oad:"DELETE /api/v1/custom-fields/{id}") echo 403 ;;
	oad:*"{id}"*) echo 404 ;;
	# a device of org 1 in a bulk edit: as if it did not exist
	oad:"POST /api/v1/devices/bulk") echo 404 ;;
	*:"POST /api/v1/devices/bulk" | *:"POST /api/v1/devices/import" | \
	adm:"PUT /api/v1/devices/{id}/custom" | adm:"PATCH /api/v1/custom-fields/{id}") echo 200 ;;
	*:"POST /api/v1/devices" | *:"POST /api/v1/custom-fields") echo 201 ;;
	*:"POST /api/v1/intake") echo "200|201" ;;
	*:"POST /api/v1/orgs" | *:"POST /api/v1/users" | *:"POST /api/v1/credentials" | \
	*:"POST /api/v1/locations" | *:"POST /api/v1/discoveries") echo 201 ;;
	adm:"PATCH /api/v1/devices/{id}" | adm:"PATCH /api/v1/locations/{id}" | \
	adm:"PATCH /api/v1/discoveries/{id}" | adm:"PATCH /api/v1/collectors/{id}") echo 200 ;;
	adm:"POST /api/v1/discoveries/{id}/run" | adm:"POST /api/v1/discovery-runs/{id}/cancel") echo 202 ;;
	adm:"DELETE /api/v1/"*) echo 204 ;;
	*) echo generic ;;
	esac
}

# generic rules for endpoints without a specific one: a read-only user
# never writes; an admin reads every collection
generic_ok() { # ROLE METHOD PATTERN STATUS
	case "$1:$2" in
	usr:GET) return 0 ;;
	usr:*) [ "$4" = 403 ] || [ "$4" = 404 ] ;;
	adm:GET) case $3 in *"{"*) return 0 ;; *) [ "$4" = 200 ] ;; esac ;;
	*) [ "$4" -lt 500 ] ;;
	esac
}

call GET /api/v1/openapi.json anon
cp "$T/body" "$T/openapi"
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(ascii_upcase) \($p)"' \
	"$T/body" >"$T/endpoints"
# deletes last, so the objects the other calls use are still there
{ grep -v '^DELETE ' "$T/endpoints"; grep '^DELETE ' "$T/endpoints"; } >"$T/order"
ne=$(wc -l <"$T/endpoints")
[ "$ne" -ge 30 ] && ok "openapi.json lists $ne operations" || nok "openapi.json lists operations ($ne)"

generic=0
while read -r m p; do
	for r in anon col usr oad adm; do
		case $r in
		anon) a=anon ;; col) a=$COL ;; usr) a=$USR ;; oad) a=$OAD ;; adm) a=$ADM ;;
		esac
		path=$p
		case $p in *"{id}"*)
			id=$(id_for "$p")
			# an admin's destructive or state-changing call gets a
			# throwaway object; so does the user's own-token delete
			if [ $r = adm ] && { [ $m = DELETE ] || [ "$m $p" = "POST /api/v1/discoveries/{id}/run" ] ||
				[ "$m $p" = "POST /api/v1/discovery-runs/{id}/cancel" ]; }; then
				kind=$(echo "$p" | cut -d/ -f4)
				[ "$p" = /api/v1/discoveries/{id}/run ] && kind=discoveries
				id=$(fresh "$kind")
			fi
			path=$(echo "$p" | sed "s/{id}/$id/")
			;;
		esac
		path=$(echo "$path" | sed 's/{section}/software/; s/{[a-z_]*}/x/g')
		body=
		[ "$m" = GET ] || [ "$m" = DELETE ] || body=$(body_for "$m" "$p")
		call "$m" "$path" "$a" "$body"
		want=$(expect $r "$m" "$p")
		if [ "$want" = generic ]; then
			generic=$((generic + 1))
			if generic_ok $r "$m" "$p" "$S"; then
				ok "$r $m $p -> $S (generic)"
			else
				nok "$r $m $p -> $S (generic rule) $(head -c 200 "$T/body")"
			fi
			continue
		fi
		case "|$want|" in
		*"|$S|"*) ok "$r $m $p -> $S" ;;
		*) nok "$r $m $p -> $S, want $want: $(head -c 200 "$T/body")" ;;
		esac
	done
done <"$T/order"
echo "# $generic calls checked by the generic rules only"

# ---- org isolation: what is global needs an admin of the root org ----
# east is a sub-org of the root beside west; its admin (role admin, org
# east) rules east's tree and nothing else
call POST /api/v1/orgs "$ADM" '{"name":"east"}'
EAST=$(J .id)
EAD=$(mkuser eastadmin admin "$EAST")
SMTP_BODY='{"host":"127.0.0.1","port":25,"security":"none","from":"nc@example.org"}'
LDAP_BODY='{"name":"corp","type":"openldap","url":"ldap://127.0.0.1:389","base_dn":"dc=example,dc=org","user_dn_template":"uid=%s,dc=example,dc=org","mappings":[{"group":"ops","role":"admin","org":"Default"}]}'
call POST /api/v1/auth-sources "$ADM" "$LDAP_BODY"
SRC=$(J .id)
if [ "$S" = 201 ] && [ "$SRC" -gt 0 ] 2>/dev/null; then
	ok "root admin adds an auth source ($SRC)"
else
	nok "root admin adds an auth source: $S $(head -c 200 "$T/body")"
fi
# METHOD PATH BODY: every endpoint that acts on every org
{
	echo "GET /api/v1/settings/smtp -"
	echo "PUT /api/v1/settings/smtp $SMTP_BODY"
	echo "POST /api/v1/settings/smtp/test {}"
	echo "GET /api/v1/settings/intake -"
	echo "PUT /api/v1/settings/intake {\"allow\":[\"0.0.0.0/0\"],\"org_id\":$EAST}"
	echo "GET /api/v1/auth-sources -"
	echo "POST /api/v1/auth-sources $LDAP_BODY"
	echo "GET /api/v1/auth-sources/$SRC -"
	echo "POST /api/v1/auth-sources/$SRC/test {}"
	echo "DELETE /api/v1/auth-sources/$SRC -"
	echo "GET /metrics -"
} >"$T/global"
# the table holds every global path openapi.json lists
jq -r '.paths | keys[] | select(test("settings|auth-sources|metrics"))' \
	"$T/openapi" | sort -u >"$T/global-listed"
sed 's/^[A-Z]* //; s/ .*//; s#/[0-9][0-9]*#/{id}#' "$T/global" |
	sort -u >"$T/global-tested"
check "the global cells cover every global path openapi.json lists" \
	cmp "$T/global-listed" "$T/global-tested"
# the sub-org admin and the user first (their 403 must change nothing),
# then the root admin (allowed: no 401/403, no 5xx; a body may be refused)
while read -r m p b; do
	[ "$b" = - ] && b=
	for r in ead usr adm; do
		case $r in ead) a=$EAD ;; usr) a=$USR ;; adm) a=$ADM ;; esac
		call "$m" "$p" "$a" "$b"
		case $r:$S in
		ead:403 | usr:403) ok "$r $m $p -> 403" ;;
		adm:401 | adm:403 | adm:5*)
			nok "root admin $m $p -> $S: $(head -c 200 "$T/body")" ;;
		adm:*) ok "root admin $m $p -> $S" ;;
		*) nok "$r $m $p -> $S, want 403: $(head -c 200 "$T/body")" ;;
		esac
	done
done <"$T/global"
call GET /api/v1/settings/intake "$ADM"
check "the intake allow-list holds what the root admin PUT, nothing else" \
	sh -c "[ $S = 200 ] && jq -e '.org_id == $EAST' '$T/body'"
call PUT /api/v1/settings/intake "$ADM" '{"allow":[]}'
call POST /api/v1/auth-sources "$EAD" '{"name":"evil","type":"openldap","url":"ldap://127.0.0.1:389","base_dn":"dc=x","user_dn_template":"uid=%s,dc=x","mappings":[{"group":"g","role":"admin","org":"1"}]}'
check "a sub-org admin cannot map a directory group to admin of the root org (403)" \
	test "$S" = 403
call GET /api/v1/auth-sources "$ADM"
check "... and no such source was stored" \
	sh -c "jq -e '[.results[] | select(.name == \"evil\")] | length == 0' '$T/body'"

# nobody grants more than their own org tree
call POST /api/v1/users "$EAD" '{"username":"eastroot","password":"pw-eastroot-long","role":"admin","org_id":1}'
check "sub-org admin: no user in the root org (400 org_id)" \
	sh -c "[ $S = 400 ] && jq -e '.field == \"org_id\"' '$T/body'"
call POST /api/v1/users "$OAD" "{\"username\":\"westboss\",\"password\":\"pw-westboss-long\",\"role\":\"admin\",\"org_id\":$WEST}"
check "org_admin: no admin, even in its own org (403)" test "$S" = 403
call POST /api/v1/tokens "$EAD" '{"user":"admin","label":"steal"}'
check "sub-org admin: no token for the root admin (404)" test "$S" = 404
call POST /api/v1/credentials "$EAD" "{\"name\":\"east-c\",\"type\":\"snmp\",\"community\":\"$SECRET\",\"org_id\":1}"
check "sub-org admin: no credential in the root org (400)" test "$S" = 400
call POST /api/v1/orgs "$EAD" '{"name":"under-root","parent_id":1}'
check "sub-org admin: no org under the root (400)" test "$S" = 400
call POST "/api/v1/users/$VICTIM/password" "$EAD" '{"password":"pw-taken-over-1"}'
check "sub-org admin: no password of a root-org user (404)" test "$S" = 404

# ---- a purge acts only inside its task's org tree ----
# org 1 and east each get a device with a change; then every log row is
# made old
ONEDEV='{"sys":{"hostname":"one-host-1","ip":"198.18.77.2","serial":"ONE-0001","type":"server","os_name":"one"}}'
EASTDEV='{"sys":{"hostname":"east-host-1","ip":"198.18.77.1","serial":"EAST-0001","type":"server","os_name":"one"}}'
call POST /api/v1/intake "$COL" "$ONEDEV"
call POST /api/v1/intake "$COL" "$(echo "$ONEDEV" | sed 's/"one"/"two"/')"
call POST /api/v1/intake "$EAD" "$EASTDEV"
call POST /api/v1/intake "$EAD" "$(echo "$EASTDEV" | sed 's/"one"/"two"/')"
db_sql "UPDATE change_log SET time = '2001-01-01 00:00:00';
	 UPDATE audit_log SET time = '2001-01-01 00:00:00';" >/dev/null ||
	nok "cannot age the log rows"
count() { # PATH TOKEN -> .count
	curl -s -H "Authorization: Bearer $2" "$U$1?limit=1" | jq -r .count
}
CH=$(count /api/v1/changes "$ADM") CHE=$(count /api/v1/changes "$EAD")
AU=$(count /api/v1/audit-log "$ADM") AUE=$(count /api/v1/audit-log "$EAD")
call POST /api/v1/tasks "$EAD" '{"name":"east-purge","type":"purge","schedule":"0 3 * * *","days":1}'
call POST "/api/v1/tasks/$(J .id)/run" "$EAD" ""
check "the sub-org admin runs its purge (200, ok)" \
	sh -c "[ $S = 200 ] && jq -e '.ok == true' '$T/body'"
CH2=$(count /api/v1/changes "$ADM") CHE2=$(count /api/v1/changes "$EAD")
AU2=$(count /api/v1/audit-log "$ADM") AUE2=$(count /api/v1/audit-log "$EAD")
check "east's old change and audit rows were purged ($CHE -> $CHE2, $AUE -> $AUE2)" \
	sh -c "[ '$CHE' -ge 1 ] && [ '$AUE' -ge 2 ] && [ '$CHE2' = 0 ] && [ '$AUE2' = 0 ]"
check "the other orgs' change log is intact (all $CH -> $CH2, east's $CHE)" \
	sh -c "[ \$(($CH - $CHE)) -ge 1 ] && [ '$CH2' = \$(($CH - $CHE)) ]"
check "the other orgs' audit log is intact (all $AU -> $AU2, east's $AUE)" \
	sh -c "[ \$(($AU - $AUE)) -ge 1 ] && [ '$AU2' = \$(($AU - $AUE)) ]"
call POST /api/v1/tasks "$ADM" '{"name":"root-purge","type":"purge","schedule":"0 3 * * *","days":1}'
call POST "/api/v1/tasks/$(J .id)/run" "$ADM" ""
check "a purge of the root org cleans every org" \
	test "$S $(count /api/v1/audit-log "$ADM") $(count /api/v1/changes "$ADM")" = "200 0 0"

# ---- sessions end when the password changes; tokens are kept ----
call POST /api/v1/users "$ADM" '{"username":"pat","password":"pw-pat-first","role":"user","org_id":1}'
PAT=$(J .id)
call POST /api/v1/tokens "$ADM" '{"user":"pat","label":"pat"}'
PATTOK=$(J .token)
plogin() { # JAR PASSWORD: status in S, CSRF token in PCSRF
	S=$(curl -s -c "$1" -o "$T/body" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' "$U/api/v1/auth/login" \
		-d "{\"username\":\"pat\",\"password\":\"$2\"}")
	PCSRF=$(J .csrf_token)
}
me() { curl -s -o /dev/null -w '%{http_code}' -b "$1" "$U/api/v1/auth/me"; }
newpw() { # JAR BODY: pat changes its own password through its session
	S=$(curl -s -b "$1" -c "$1" -o "$T/body" -w '%{http_code}' -X POST \
		-H "X-CSRF-Token: $PCSRF" -H 'Content-Type: application/json' \
		"$U/api/v1/users/$PAT/password" -d "$2")
}
plogin "$T/pat1" pw-pat-first
plogin "$T/pat2" pw-pat-first
check "pat has two live sessions" \
	test "$(me "$T/pat1") $(me "$T/pat2")" = "200 200"
call POST "/api/v1/users/$PAT/password" "$ADM" '{"password":"pw-pat-second"}'
check "an admin sets pat's password (200)" test "$S" = 200
check "both of pat's sessions ended (401)" \
	test "$(me "$T/pat1") $(me "$T/pat2")" = "401 401"
call GET /api/v1/auth/me "$PATTOK"
check "pat's API token is kept" test "$S" = 200
plogin "$T/pat1" pw-pat-first
check "the old password is refused" test "$S" = 401
plogin "$T/pat2" pw-pat-second
plogin "$T/pat1" pw-pat-second
newpw "$T/pat1" '{"password":"pw-pat-third"}'
check "one's own password needs current_password (400 naming it)" \
	sh -c "[ $S = 400 ] && jq -e '.field == \"current_password\"' '$T/body'"
newpw "$T/pat1" '{"password":"pw-pat-third","current_password":"pw-pat-second"}'
check "pat sets its own password and gets a new session" \
	sh -c "[ $S = 200 ] && jq -e '.csrf_token | length > 20' '$T/body'"
check "... the new session works, pat's other session ended" \
	test "$(me "$T/pat1") $(me "$T/pat2")" = "200 401"
# the same from the command line, on the database of the running server
printf 'pw-pat-fourth\n' |
	"$NETCENSUS" admin --db "$DB" user passwd pat >/dev/null 2>&1
plogin "$T/pat1" pw-pat-fourth
plogin "$T/pat2" pw-pat-fourth
check "pat has two live sessions again" \
	test "$(me "$T/pat1") $(me "$T/pat2")" = "200 200"
printf 'pw-pat-fifth\n' |
	"$NETCENSUS" admin --db "$DB" user passwd pat >"$T/passwd.out" 2>&1
check "netcensus admin user passwd says the sessions end" \
	grep -q 'sessions' "$T/passwd.out"
check "... and they did on the running server" \
	test "$(me "$T/pat1") $(me "$T/pat2")" = "401 401"
call GET /api/v1/auth/me "$PATTOK"
check "... and keeps the tokens" test "$S" = 200

# ---- login takes JSON only (login CSRF); user names are checked ----
S=$(curl -s -D "$T/hdr" -o "$T/body" -w '%{http_code}' -X POST \
	-H 'Content-Type: text/plain' "$U/api/v1/auth/login" \
	-d '{"username":"pat","password":"pw-pat-fifth"}')
check "a text/plain login (what a foreign form can send) is refused: 415, no cookie" \
	sh -c "[ $S = 415 ] && ! grep -qi '^set-cookie:' '$T/hdr'"
S=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$U/api/v1/auth/login" \
	-d '{"username":"pat","password":"pw-pat-fifth"}')
check "an urlencoded login is refused too (415)" test "$S" = 415
for bad in 'bad name' 'x!y' '' "$(printf '%070d' 0)"; do
	call POST /api/v1/users "$ADM" "{\"username\":\"$bad\",\"password\":\"pw-long-enough\",\"role\":\"user\"}"
	check "POST /users with username '$bad': 400 naming username" \
		sh -c "[ $S = 400 ] && jq -e '.field == \"username\" and (.error | length > 0)' '$T/body'"
done
call POST /api/v1/orgs "$ADM" '{"name":" leading space"}'
check "POST /orgs with a bad name: 400 naming name (was 500)" \
	sh -c "[ $S = 400 ] && jq -e '.field == \"name\"' '$T/body'"
call POST /api/v1/tokens "$ADM" '{"label":"tab\there"}'
check "POST /tokens with a control character in the label: 400 naming label (was 500)" \
	sh -c "[ $S = 400 ] && jq -e '.field == \"label\"' '$T/body'"

# ---- cookie writes without the CSRF token ----
S=$(curl -s -c "$T/jar" -o "$T/body" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' "$U/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$PW\"}")
CSRF=$(J .csrf_token)
bad=
while read -r m p; do
	case "$m $p" in GET*|"POST /api/v1/auth/login"|*/input/devices) continue ;; esac
	path=$(echo "$p" | sed "s/{id}/$(id_for "$p")/; s/{section}/software/; s/{[a-z_]*}/x/g")
	call "$m" "$path" cookie-nocsrf "$(body_for "$m" "$p")"
	[ "$S" = 403 ] || bad="$bad $m:$p:$S"
done <"$T/order"
[ -z "$bad" ] && ok "every cookie write without X-CSRF-Token: 403" ||
	nok "cookie writes without CSRF accepted:$bad"
call GET /api/v1/auth/me cookie-nocsrf
[ "$S" = 200 ] && ok "the session still works for reads" || nok "session read: $S"

# ---- secrets ----
call GET "/api/v1/credentials/$CRED" "$ADM"
call GET "/api/v1/discoveries/$DISC" "$ADM"
if grep -q "$SECRET" "$T/all-bodies"; then
	nok "a credential's secret appears in a response"
else
	ok "the credential secret is in none of $(wc -l <"$T/calls") responses"
fi
serve_stop
if grep -q "$SECRET" "$T/log" "$T/access.log" "$T/nc.db"; then
	nok "the secret is in the server log, access log or database file"
else
	ok "the secret is not in the server log, access log or database (in clear)"
fi
[ -s "$T/access.log" ] && ok "access log written" || nok "access log written"

tap_finish
