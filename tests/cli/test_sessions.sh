#!/bin/sh
# Login sessions shared by two `netcensus serve` processes on one database
# (issue 17; NETCENSUS_TEST_DB=pg: a throwaway PostgreSQL cluster of the
# test, otherwise one SQLite file), loopback only:
#   - a login on server A: its cookie and CSRF token work on server B (a
#     read, a write; a write without the token is refused there);
#   - the database keeps the SHA-256 of the cookie, never the cookie;
#   - A restarted: the session still works on A;
#   - a logout on B: the cookie is refused on A;
#   - a password change, "end sessions" and a user's deletion on one
#     server end that user's session on the other.
# Waits for conditions (serve_start), never for a fixed time. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init sessions

serve_start "$T/logA" || { cat "$T/logA"; skip_all "server A did not start"; }
PID_A=$PID UA=$U PORT_A=$PORT
PASS=$(serve_password "$T/logA")
PORT=
serve_start "$T/logB" || { cat "$T/logB"; skip_all "server B did not start"; }
PID_B=$PID UB=$U
on_cleanup() {
	kill -TERM "$PID_A" "$PID_B" 2>/dev/null
	wait "$PID_A" "$PID_B" 2>/dev/null
}
# at URL JAR METHOD PATH [CURL-ARGS]: a request to the server at URL with
# the session cookie of JAR
at() {
	_u=$1 _j=$2 _m=$3 _p=$4
	shift 4
	U=$_u req "$_m" "$_p" -b "$_j" "$@"
}
# login URL JAR USER PASSWORD: sets CSRF
login() {
	rm -f "$2"
	U=$1 req POST /api/v1/auth/login -c "$2" \
		-H 'Content-Type: application/json' \
		-d "{\"username\":\"$3\",\"password\":\"$4\"}"
	CSRF=$(J .csrf_token)
	[ "$S" = 200 ]
}

check "admin logs in on server A" login "$UA" "$T/jar" admin "$PASS"
ACSRF=$CSRF
at "$UB" "$T/jar" GET /api/v1/auth/me
check "A's session cookie works on server B (me: admin, by session)" \
	test "$S" = 200 -a "$(J .username)" = admin -a "$(J .auth)" = session
check "... B hands out the same CSRF token" test "$(J .csrf_token)" = "$ACSRF"
at "$UB" "$T/jar" POST /api/v1/locations -H "X-CSRF-Token: $ACSRF" \
	-d '{"name":"written through B"}'
check "a write on B with A's cookie and CSRF token: 201" test "$S" = 201
at "$UB" "$T/jar" POST /api/v1/locations -d '{"name":"no token"}'
check "... without the CSRF token: 403" test "$S" = 403

cookie=$(awk '$6 == "nc_session" { print $7 }' "$T/jar")
hash=$(printf '%s' "$cookie" | sha256sum | cut -d' ' -f1)
check "the database keeps the SHA-256 of the cookie" \
	test "$(db_sql "SELECT count(*) FROM session WHERE hash = '$hash'")" = 1
check "... and never the cookie itself" \
	test "$(db_dump | grep -c -- "$cookie")" = 0

# ---- a restart keeps the session ----
PID=$PID_A
serve_stop
PORT=$PORT_A
serve_start "$T/logA" || { cat "$T/logA"; nok "server A restarts"; tap_finish; }
PID_A=$PID UA=$U
at "$UA" "$T/jar" GET /api/v1/auth/me
check "server A restarted: the session still works there" \
	test "$S" = 200 -a "$(J .username)" = admin

# ---- a logout on B ends the session on A ----
at "$UB" "$T/jar" POST /api/v1/auth/logout -H "X-CSRF-Token: $ACSRF"
check "logout on B: 200" test "$S" = 200
at "$UA" "$T/jar" GET /api/v1/auth/me
check "... the cookie is refused on A (401)" test "$S" = 401
at "$UB" "$T/jar" GET /api/v1/auth/me
check "... and on B (401)" test "$S" = 401
check "... its row is gone" \
	test "$(db_sql "SELECT count(*) FROM session WHERE hash = '$hash'")" = 0

# ---- password change, end sessions, deletion: on every server ----
# admin METHOD PATH [CURL-ARGS]: a request to A with an admin's token
admin() {
	TOKEN=$(admin_token admin)
	U=$UA req "$@"
	TOKEN=
}
admin POST /api/v1/users \
	-d '{"username":"bob","password":"bob-pass-123","role":"user","org_id":1}'
BOB=$(J .id)
check "user bob made" test "$S" = 201
bob_on_b() { # the status of bob's cookie on B
	at "$UB" "$T/bob" GET /api/v1/auth/me
	echo "$S"
}
login "$UB" "$T/bob" bob bob-pass-123
check "bob logs in on B; his cookie works on A" \
	test "$(at "$UA" "$T/bob" GET /api/v1/auth/me; echo "$S")" = 200
admin POST "/api/v1/users/$BOB/password" -d '{"password":"bob-pass-456"}'
check "admin sets bob's password on A: 200" test "$S" = 200
check "... bob's session is refused on B (401)" test "$(bob_on_b)" = 401

login "$UA" "$T/bob" bob bob-pass-456
check "bob logs in on A again; works on B" test "$(bob_on_b)" = 200
admin DELETE "/api/v1/users/$BOB/sessions"
check "admin ends bob's sessions on A: 1 ended" \
	test "$S" = 200 -a "$(J .sessions_ended)" = 1
check "... bob's session is refused on B (401)" test "$(bob_on_b)" = 401

login "$UA" "$T/bob" bob bob-pass-456
check "bob logs in on A once more; works on B" test "$(bob_on_b)" = 200
admin DELETE "/api/v1/users/$BOB"
check "admin deletes bob on A" test "$S" = 200 -o "$S" = 204
check "... bob's session is refused on B (401)" test "$(bob_on_b)" = 401
check "... no session of bob is left in the database" \
	test "$(db_sql "SELECT count(*) FROM session")" = 0
check "no server logged a sanitizer report" \
	test "$(cat "$T/logA" "$T/logB" | grep -c 'AddressSanitizer\|runtime error')" = 0
tap_finish
