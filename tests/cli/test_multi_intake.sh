#!/bin/sh
# Intake through three `netcensus serve` processes on one PostgreSQL
# database at once (issue 17: several servers without a global write
# lock), on a throwaway cluster of this test (pg_start in tests/lib.sh),
# loopback only (the reports name lab addresses, nothing is sent there):
#   a) 300 different machines posted concurrently, 12 clients spread over
#      the three servers (4 each): every post 201, exactly 300 devices,
#      one audit-log row each;
#   b) one new machine posted 20 times at once through the three
#      servers: exactly one device, 20 audit-log rows (one "created",
#      19 "updated"), every post answered 201 or 200;
#   c) two machines sharing a locally administered MAC, each posted three
#      times at once: two devices (issue 11: such a MAC never matches),
#      each with its three posts;
#   d) a deadlock between an intake and a psql session holding intake's
#      locks in the other order: PostgreSQL rolls the intake back, intake
#      runs it again and the post is stored once (200), not lost.
# Concurrent posts start together from a barrier (a file the posters poll
# for); every wait is for a condition, with a generous ceiling. This
# proves correctness under concurrency, not speed: main's serial write
# turn passes it too (bench/scale.sh measures the speed).
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
unset NETCENSUS_TEST_DB
tmp_init multiintake
pg_start_or_finish
DB="$PG_URL&keyfile=$T/nc.key"

serve_start_many 3 ||
	{ nok "three servers started"; tap_finish; }
ok "three servers on one PostgreSQL database"
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

# machine NAME NUM MAC [SOFTWARE]: a device report of its own hardware
# (uuid, serial), OS install, name, MAC and address, with SOFTWARE
# packages (default 0: the posts of one machine at once are given 400,
# so that each one's transaction lasts long enough to overlap the others)
machine() {
	printf '{"report_version":1,"sys":{"hostname":"%s","uuid":"4c4c4544-0000-4000-8000-%012d","serial":"SN-%s","dbus_identifier":"%032d","mac":"%s","ip":"198.18.%d.%d","type":"computer","os_name":"Debian"},"network":[{"mac":"%s","net_index":"1"}],"ip":[{"ip":"198.18.%d.%d","mac":"%s","version":"4"}],"software":[' \
		"$1" "$2" "$1" "$2" "$3" $(($2 / 250)) $(($2 % 250 + 1)) \
		"$3" $(($2 / 250)) $(($2 % 250 + 1)) "$3"
	awk -v n="${4:-0}" 'BEGIN { for (i = 1; i <= n; i++)
		printf "%s{\"name\":\"pkg-%d\",\"version\":\"1.%d\"}",
			(i > 1 ? "," : ""), i, i }'
	echo ']}'
}
# post FILE SERVER: POST FILE to /api/v1/intake on server K (1-3); prints
# the status
post() {
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 300 \
		-H "Authorization: Bearer $TOKEN" --data-binary @"$1" \
		"$(url "$2")/api/v1/intake"
}
# at_once PHASE CLIENTS SECONDS FILE...: CLIENTS posters, poster c
# (0, 1, ...) on server c % 3 + 1 with the FILEs c, c + CLIENTS, ... one
# after the other; all wait for the file $T/go-PHASE (polled), which is
# made once they are started. Their statuses go to $T/st-PHASE-c; 0 once
# every FILE is answered, 1 after SECONDS.
at_once() {
	_ph=$1 _nc=$2 _secs=$3
	shift 3
	_nf=$#
	printf '%s\n' "$@" >"$T/list-$_ph"
	_c=0
	while [ "$_c" -lt "$_nc" ]; do
		(
			while [ ! -e "$T/go-$_ph" ]; do sleep 0.01; done
			awk -v n="$_nc" -v c="$_c" 'NR % n == (c + 1) % n' \
				"$T/list-$_ph" | while read -r _f; do
				post "$_f" $((_c % 3 + 1)) >>"$T/st-$_ph-$_c"
			done
		) &
		BG_PIDS="$BG_PIDS $!"
		_c=$((_c + 1))
	done
	touch "$T/go-$_ph"
	wait_until "$_secs" answered "$_ph" "$_nf"
}
answered() { [ "$(cat "$T"/st-"$1"-* 2>/dev/null | wc -l)" -ge "$2" ]; }
# count_api PATH: the count of a list
count_api() {
	U=$(url 1) req GET "$1"
	J .count
}

# ---- a) 300 different machines, 12 clients over the three servers ----
mkdir "$T/a"
i=1
while [ "$i" -le 300 ]; do
	machine "many-$i" "$i" "$(printf '3c:ec:ef:00:%02x:%02x' $((i / 256)) $((i % 256)))" >"$T/a/$i.json"
	i=$((i + 1))
done
START=$(date +%s)
# shellcheck disable=SC2046 # the file names: words
check "300 posts over 12 clients answered (within 900 s)" \
	at_once a 12 900 $(seq -f "$T/a/%g.json" 1 300)
echo "# 300 machines posted in $(($(date +%s) - START)) s through three servers"
n201=$(cat "$T"/st-a-* | grep -c '^201$')
check "every one of the 300 posts created a device (201: $n201)" \
	test "$n201" = 300
check "the API counts exactly 300 devices" \
	test "$(count_api '/api/v1/devices?hostname__isw=many-&limit=1')" = 300
check "... 300 distinct hostnames" eval \
	'U=$(url 2) req GET "/api/v1/devices?hostname__isw=many-&limit=1000" &&
	[ "$(jq "[.results[].hostname] | unique | length" "$T/body")" = 300 ]'
check "... and 300 audit-log rows, all 'created'" test \
	"$(count_api '/api/v1/audit-log?hostname__isw=many-&result=created&limit=1')" = 300

# ---- b) one new machine, 20 posts at once through the three servers ----
machine "twenty" 1000 "3c:ec:ef:01:00:00" 400 >"$T/twenty.json"
# shellcheck disable=SC2046 # the file names: words
check "20 posts of one machine answered (within 300 s)" \
	at_once b 20 300 $(yes "$T/twenty.json" | head -20)
n201=$(cat "$T"/st-b-* | grep -c '^201$')
n200=$(cat "$T"/st-b-* | grep -c '^200$')
check "one post created it (201), 19 updated it (200): $n201 + $n200" \
	test "$n201" = 1 -a "$n200" = 19
check "exactly one device 'twenty'" \
	test "$(count_api '/api/v1/devices?hostname=twenty&limit=1')" = 1
DEV=$(J '.results[0].id')
check "20 audit-log rows for it: 1 created, 19 updated" eval \
	'[ "$(count_api "/api/v1/audit-log?device_id=$DEV&limit=1")" = 20 ] &&
	[ "$(count_api "/api/v1/audit-log?device_id=$DEV&result=created&limit=1")" = 1 ] &&
	[ "$(count_api "/api/v1/audit-log?device_id=$DEV&result=updated&limit=1")" = 19 ]'

# ---- c) two machines sharing a locally administered MAC, at once ----
machine "shared-a" 2001 "02:00:5e:10:00:01" 400 >"$T/sa.json"
machine "shared-b" 2002 "02:00:5e:10:00:01" 400 >"$T/sb.json"
check "six posts of the two machines answered (within 300 s)" \
	at_once c 6 300 "$T/sa.json" "$T/sb.json" "$T/sa.json" "$T/sb.json" \
	"$T/sa.json" "$T/sb.json"
check "every post stored (201 or 200)" \
	test "$(cat "$T"/st-c-* | grep -c '^20[01]$')" = 6
check "two devices hold the shared MAC 02:00:5e:10:00:01" \
	test "$(count_api '/api/v1/devices?mac=02:00:5e:10:00:01&limit=1')" = 2
check "... one each: shared-a and shared-b" eval \
	'[ "$(count_api "/api/v1/devices?hostname=shared-a&limit=1")" = 1 ] &&
	[ "$(count_api "/api/v1/devices?hostname=shared-b&limit=1")" = 1 ]'
check "... each with its three posts in the audit log" eval \
	'[ "$(count_api "/api/v1/audit-log?hostname=shared-a&limit=1")" = 3 ] &&
	[ "$(count_api "/api/v1/audit-log?hostname=shared-b&limit=1")" = 3 ]'

retries=$(logged 'running it again')
echo "# intakes the database rolled back and ran again: $retries"

# ---- d) a deadlock PostgreSQL breaks by rolling the intake back ----
# A psql session holds the lock of device DEV (intake's key "device" US
# DEV: FNV-1a of the text, as src/store/pg.c hashes it); the intake of
# "twenty" takes its identity keys and waits for it; the session then
# asks for the key of twenty's hostname: a cycle. The servers' deadlock
# check comes after 20 s, the session's after 600 s, so the intake is the
# one PostgreSQL rolls back; it runs again, waits for the session's
# COMMIT and is stored: one post, answered 200, never lost.
fnv() {
	/usr/bin/python3 -c 'import sys
h = 14695981039346656037
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h - 2**64 if h >= 2**63 else h)' "$1"
}
KD=$(fnv "$(printf 'device\037%s' "$DEV")")
KH=$(fnv "$(printf 'hostname\037twenty')")
PSQL="$PG_BIN/psql -X -q -h $T/pgs -p 5432 -U netcensus -d netcensus"
$PSQL -c "ALTER SYSTEM SET deadlock_timeout = '20s'" -c 'SELECT pg_reload_conf()' >/dev/null
mkfifo "$T/sql"
$PSQL -v ON_ERROR_STOP=0 <"$T/sql" >"$T/sql.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
exec 7>"$T/sql"
printf '%s\n' "SET deadlock_timeout = '600s';" 'BEGIN;' \
	"SELECT pg_advisory_xact_lock($KD);" '\echo device-held' >&7
in_sql() { grep -q "$1" "$T/sql.out"; }
waiting() {
	[ "$($PSQL -At -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" -ge 1 ]
}
check "a session holds the device's lock" wait_until "$WAIT_LONG" in_sql device-held
post "$T/twenty.json" 1 >"$T/st-d" &
BG_PIDS="$BG_PIDS $!"
check "an intake of it waits for that lock" wait_until "$WAIT_LONG" waiting
printf '%s\n' "SELECT pg_advisory_xact_lock($KH);" '\echo key-held' >&7
check "PostgreSQL rolls the intake back (deadlock) and it runs again" \
	wait_until 300 eval '[ "$(logged "running it again")" -gt "$retries" ]'
check "... the session gets the hostname's key once the intake let go" \
	wait_until "$WAIT_LONG" in_sql key-held
printf '%s\n' 'COMMIT;' >&7
answered_d() { [ -s "$T/st-d" ]; }
check "... and after the session's COMMIT the post is stored (200)" \
	eval 'wait_until "$WAIT_LONG" answered_d && [ "$(cat "$T/st-d")" = 200 ]'
check "... once: 21 audit-log rows for the device, none rejected" eval \
	'[ "$(count_api "/api/v1/audit-log?device_id=$DEV&limit=1")" = 21 ] &&
	[ "$(count_api "/api/v1/audit-log?device_id=$DEV&result=rejected&limit=1")" = 0 ]'
check "the server log names the deadlock" test "$(logged 'deadlock')" -ge 1
exec 7>&-
check "no server logged a sanitizer report" \
	test "$(logged 'AddressSanitizer\|runtime error')" = 0
tap_finish
