#!/bin/sh
# A PostgreSQL that goes away under a running `netcensus serve` (issue 17),
# on a throwaway cluster of this test (pg_start in tests/lib.sh: a Unix
# socket in its temp folder, no TCP):
#   - serve started while PostgreSQL is down: with --db-wait 0 it exits
#     non-zero naming the database and what to do; by default it says it
#     waits, and comes up once PostgreSQL starts;
#   - PostgreSQL stopped (pg_ctl stop -m fast) under the idle server:
#     /health, a logged-in read (cookie), a token read, a write (cookie and
#     CSRF) and an intake post each answer 503 with a JSON error naming
#     the database and a Retry-After header - never 500, never a hang
#     (curl --max-time);
#   - PostgreSQL started again: the same process answers 200 again, the
#     session still works, and what was written before is intact;
#   - PostgreSQL killed (pg_ctl stop -m immediate) while intake posts
#     stream in: every post is answered 201 or 503 (never 500 or a hang),
#     and every device acknowledged with 201 is in the database, with its
#     network row (nothing half-written).
# Waits for conditions (WAIT_LONG), never for a fixed time. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
N=$NETCENSUS
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
unset NETCENSUS_TEST_DB
tmp_init pgrestart
unset NETCENSUS_DB

pg_start_or_finish
DB="$PG_URL&keyfile=$T/nc.key"
PGAS=
[ "$(id -u)" = 0 ] && PGAS="setpriv --reuid=postgres --regid=postgres --init-groups"
pg_down() { # pg_down MODE
	$PGAS "$PG_BIN/pg_ctl" stop -D "$T/pg" -m "$1" -w -t 120 \
		>>"$T/pg.log" 2>&1
}
pg_up() {
	$PGAS "$PG_BIN/pg_ctl" start -D "$T/pg" -w -t 120 \
		-l "$T/pgs/server.log" -o "-c listen_addresses='' -k $T/pgs \
-p 5432 -c fsync=off" >>"$T/pg.log" 2>&1
}
# ---- serve started while PostgreSQL is down ----
pg_down fast
"$N" serve --db "$DB" --listen 127.0.0.1:1 --db-wait 0 \
	>"$T/nowait.out" 2>"$T/nowait.err"
rc=$?
check "serve --db-wait 0 with PostgreSQL down exits non-zero" test "$rc" != 0
check "... saying the database cannot be reached and what to do" \
	grep -q "database postgresql:///netcensus.* is unavailable.*start" \
	"$T/nowait.err"
sed 's/^/# /' "$T/nowait.err" | tail -3

PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$N" -v serve --db "$DB" --listen "127.0.0.1:$PORT" 2>>"$T/log" &
PID=$!
check "serve with PostgreSQL down says it waits for the database" \
	wait_until "$WAIT_LONG" grep -q "waiting for the database" "$T/log"
check "... and is still running" kill -0 "$PID"
pg_up
health_is() { # health_is STATUS
	req GET /api/v1/health --max-time 60
	[ "$S" = "$1" ]
}
check "PostgreSQL started: the waiting server comes up (health 200)" \
	wait_until "$WAIT_LONG" health_is 200
PASS=$(serve_password "$T/log")

# ---- data written before the outage ----
login() {
	rm -f "$T/jar"
	req POST /api/v1/auth/login -c "$T/jar" -H 'Content-Type: application/json' \
		-d "{\"username\":\"admin\",\"password\":\"$PASS\"}"
	CSRF=$(J .csrf_token)
	[ "$S" = 200 ]
}
check "admin logs in" login
TOKEN=$(admin_token admin)
ATOK=$TOKEN
req POST /api/v1/users -d '{"username":"coll","password":"pass-coll-123","role":"collector","org_id":1}'
req POST /api/v1/tokens -d '{"user":"coll","label":"intake"}'
CO=$(J .token)
check "a collector and its token made" test -n "$CO" -a "$CO" != null
TOKEN=
req POST /api/v1/locations -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
	-d '{"name":"before the outage","type":"office"}'
check "a location is written (201)" test "$S" = 201
# post_dev NAME [CURL-ARGS]: an intake post of a device named NAME (its own
# serial and MAC); the status in S
post_dev() {
	_h=$1
	shift
	_x=$(printf '%s' "$_h" | cksum | cut -c1-6)
	sed -e "s/fixture-switch/$_h/g" -e "s/FIXSW-0002/SN-$_h/" \
		-e "s/02:00:5e:10:00:02/02:00:5e:$(echo "$_x" |
			sed 's/\(..\)\(..\)\(..\)/\1:\2:\3/')/" \
		"$FIX/switch-min.json" >"$T/dev-$_h.json"
	TOKEN=$CO
	req POST /api/v1/intake --max-time 60 \
		--data-binary "@$T/dev-$_h.json" "$@"
	TOKEN=
}
ok3=1
for d in before-1 before-2 before-3; do
	post_dev "$d"
	[ "$S" = 201 ] || ok3=0
done
check "three devices posted before the outage are stored (201)" test "$ok3" = 1

# ---- PostgreSQL stopped under the idle server ----
pg_down fast
# is503 WHAT METHOD PATH [CURL-ARGS]: 503, a JSON error naming the
# database, a Retry-After header
is503() {
	_w=$1
	shift
	req "$@" --max-time 60 -D "$T/hdr"
	if [ "$S" = 503 ] && J .error | grep -qi 'database' &&
		grep -qi '^Retry-After: [0-9]' "$T/hdr"; then
		ok "PostgreSQL down: $_w answers 503, names the database, Retry-After"
	else
		nok "PostgreSQL down: $_w answers 503, names the database, Retry-After (got $S)"
		sed 's/^/# /' "$T/body" "$T/hdr" | head -12
	fi
}
is503 "/health" GET /api/v1/health
is503 "a logged-in read (cookie)" GET /api/v1/devices -b "$T/jar"
is503 "a token read" GET /api/v1/devices \
	-H "Authorization: Bearer $ATOK"
is503 "a write (cookie, CSRF)" POST /api/v1/locations -b "$T/jar" \
	-H "X-CSRF-Token: $CSRF" -d '{"name":"during the outage"}'
is503 "a login" POST /api/v1/auth/login -H 'Content-Type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$PASS\"}"
post_dev during-1 -D "$T/hdr"
if [ "$S" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/hdr" &&
	J .error | grep -qi database; then
	ok "PostgreSQL down: an intake post answers 503 (refused), Retry-After"
else
	nok "PostgreSQL down: an intake post answers 503 (got $S)"
	sed 's/^/# /' "$T/body" | head -5
fi
check "the server log says the database is unavailable" \
	grep -q "database .* is unavailable" "$T/log"

# ---- PostgreSQL back: the same process answers again ----
pg_up
check "PostgreSQL started again: the same server answers /health 200" \
	wait_until "$WAIT_LONG" health_is 200
check "... it was not restarted (same process)" kill -0 "$PID"
req GET /api/v1/auth/me -b "$T/jar"
check "... the session from before still works" \
	test "$S" = 200 -a "$(J .username)" = admin
req GET '/api/v1/devices?limit=100' -H "Authorization: Bearer $ATOK"
check "... the three devices written before are there (token read)" \
	test "$S" = 200 -a "$(jq '[.results[] | select(.hostname | startswith("before-"))] | length' "$T/body")" = 3
req GET /api/v1/locations -b "$T/jar"
check "... the location written before is there, the refused one is not" \
	test "$S" = 200 -a "$(jq '[.results[] | select(.name == "before the outage")] | length' "$T/body")" = 1 \
	-a "$(jq '[.results[] | select(.name == "during the outage")] | length' "$T/body")" = 0
req POST /api/v1/locations -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
	-d '{"name":"after the outage"}'
check "... and takes writes again (201)" test "$S" = 201

# ---- PostgreSQL killed while intake posts stream in ----
# a poster in the background: device s-K for K = 1, 2, ... until $T/stop,
# each status appended to $T/posts as "K STATUS"
(
	k=1
	while [ ! -e "$T/stop" ] && [ "$k" -le 2000 ]; do
		post_dev "s-$k"
		echo "$k $S" >>"$T/posts"
		k=$((k + 1))
	done
) &
POSTER=$!
BG_PIDS="$BG_PIDS $POSTER"
count_st() { # count_st STATUS: posts answered STATUS
	cat "$T/posts" 2>/dev/null | grep -c " $1\$"
}
atleast() { [ "$(count_st "$1")" -ge "$2" ]; }
check "intake posts stream in (five stored)" wait_until "$WAIT_LONG" atleast 201 5
pg_down immediate
check "PostgreSQL killed mid-stream: posts are refused with 503" \
	wait_until "$WAIT_LONG" atleast 503 1
before=$(count_st 201)
pg_up
more() { [ "$(count_st 201)" -ge $((before + 5)) ]; }
check "PostgreSQL back: posts are stored again without a server restart" \
	wait_until "$WAIT_LONG" more
touch "$T/stop"
wait "$POSTER"
total=$(wc -l <"$T/posts")
other=$(grep -cv ' 201$\| 503$' "$T/posts")
check "every one of $total posts answered 201 or 503 (none 500, none hung)" \
	test "$other" = 0
grep -v ' 201$\| 503$' "$T/posts" | head -5 | sed 's/^/# /'
acked=$(grep ' 201$' "$T/posts" | cut -d' ' -f1 | sort -n)
missing=0
stored=$(db_sql "SELECT hostname FROM device WHERE hostname LIKE 's-%'" 2>/dev/null |
	sort)
for k in $acked; do
	printf '%s\n' "$stored" | grep -qx "s-$k" || missing=$((missing + 1))
done
check "every acknowledged post (201: $(echo "$acked" | wc -w)) is stored: $missing missing" \
	test "$missing" = 0
half=$(db_sql "SELECT count(*) FROM device d WHERE d.hostname LIKE 's-%' AND
	NOT EXISTS (SELECT 1 FROM component c WHERE c.device_id = d.id
	AND c.section = 'network')")
check "no device is half-written (each stored one has its network row)" \
	test "$half" = 0
check "the server never logged a crash or sanitizer report" \
	test "$(grep -c 'AddressSanitizer\|runtime error' "$T/log")" = 0
serve_stop
check "the server stops cleanly (exit 0)" test $? = 0
tap_finish
