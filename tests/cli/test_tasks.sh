#!/bin/sh
# Scheduled tasks through the API: create, validation that names the
# field (a bad cron line names the cron field), roles, change, delete,
# run now (purge deletes only what is old), and a task that fell due while
# the server was stopped runs exactly once after the restart (a disabled
# one not at all). Prints TAP.
set -u
NETCENSUS=${NETCENSUS:-$(dirname "$0")/../../netcensus}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
check() { what=$1; shift; if "$@" >/dev/null; then ok "$what"; else nok "$what"; fi; }
skip_all() { echo "1..0 # skip $1"; exit 0; }

for tool in curl jq sqlite3; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
[ -x "$NETCENSUS" ] || skip_all "no binary at $NETCENSUS"

T=$(mktemp -d /tmp/nctest-tasks.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

free_port() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo $p; return; }
	done
}
PORT=$(free_port)
U=http://127.0.0.1:$PORT
DB=$T/nc.db

start() {
	"$NETCENSUS" -v serve --db "$DB" --listen "127.0.0.1:$PORT" 2>>"$T/log" &
	PID=$!
	i=0
	until curl -s -o /dev/null "$U/api/v1/health"; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}
stop() {
	kill -TERM "$PID"
	wait "$PID"
	st=$?
	PID=
	return $st
}
req() { # req TOKEN METHOD PATH [curl args]
	tok=$1
	m=$2
	p=$3
	shift 3
	S=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" \
		-H "Authorization: Bearer $tok" "$@" "$U$p")
}
J() { jq -r "$1" "$T/body"; }

start || { cat "$T/log"; nok "server starts"; exit 1; }
ok "server starts"
AD=$("$NETCENSUS" admin --db "$DB" token create --user admin 2>/dev/null |
	grep -o 'nc_[A-Za-z0-9_-]*' | head -1)
echo "viewer-password-1" |
	"$NETCENSUS" admin --db "$DB" user add viewer --role user >/dev/null 2>&1
RO=$("$NETCENSUS" admin --db "$DB" token create --user viewer 2>/dev/null |
	grep -o 'nc_[A-Za-z0-9_-]*' | head -1)
check "tokens for an admin and a read-only user" \
	test -n "$AD" -a -n "$RO"

# ---- validation ----
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"0 24 * * *"}'
check "a bad cron line: 400 naming the hour field" \
	sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = schedule ] && jq -r .error '$T/body' | grep -q '^hour: .24. is out of range 0-23'"
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"0 0 30 2 *"}'
check "a schedule that never fires: 400" \
	sh -c "[ $S = 400 ] && jq -r .error '$T/body' | grep -q 'never fires'"
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"backup","schedule":"@daily"}'
check "an unknown type: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = type ]"
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"report","schedule":"@daily","report":"New devices in the last 7 days","recipients":["not an address"]}'
check "a bad recipient: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = recipients ]"
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"report","schedule":"@daily","report":"no such report","recipients":["a@example.org"]}'
check "a report that does not exist: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = report ]"
req "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"@daily","rm":"-rf"}'
check "an unknown field: 400" test "$S" = 400
req "$RO" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"@daily"}'
check "a read-only user cannot create tasks: 403" test "$S" = 403

# ---- create, read, change, delete ----
req "$AD" POST /api/v1/tasks -d '{"name":"weekly purge","type":"purge","schedule":"@weekly","days":30}'
check "POST /tasks: 201, enabled, next_run a Sunday midnight" \
	sh -c "[ $S = 201 ] && jq -e '.enabled == true and .options.days == 30 and .last_run == null and (.next_run | test(\" 00:00:00$\"))' '$T/body'"
PID1=$(J .id)
DOW=$(date -u -d "$(J .next_run)" +%u 2>/dev/null)
check "@weekly falls on Sunday" test "$DOW" = 7
req "$RO" GET "/api/v1/tasks/$PID1"
check "a read-only user may read it" test "$S" = 200
req "$AD" PATCH "/api/v1/tasks/$PID1" -d '{"schedule":"15 3 * * *"}'
check "PATCH the schedule: next_run follows" \
	sh -c "[ $S = 200 ] && jq -e '(.next_run | test(\" 03:15:00$\")) and .options.days == 30' '$T/body'"
req "$AD" PATCH "/api/v1/tasks/$PID1" -d '{"type":"report"}'
check "a task's type cannot change" test "$S" = 400
req "$AD" POST /api/v1/tasks -d '{"name":"weekly purge","type":"purge","schedule":"@daily"}'
check "a duplicate name: 409" test "$S" = 409
req "$AD" GET /api/v1/tasks
check "GET /tasks lists it" sh -c "[ $S = 200 ] && [ \"\$(jq -r .count '$T/body')\" = 1 ]"
# a discovery task queues a run of its stored discovery: 127.0.0.1 only,
# the port of this server's own listener
req "$AD" POST /api/v1/discoveries -d "{\"name\":\"lo task\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false,\"snmp\":false,\"ports\":\"$PORT\",\"timeout_ms\":300}}"
DISC=$(J .id)
check "a stored discovery on 127.0.0.1: 201" test "$S" = 201
req "$AD" POST /api/v1/tasks -d '{"name":"scan lo","type":"discovery","schedule":"@hourly"}'
check "a discovery task without its discovery: 400 naming the field" \
	test "$S" = 400 -a "$(J .field)" = discovery
req "$AD" POST /api/v1/tasks -d '{"name":"scan lo","type":"discovery","schedule":"@hourly","discovery":"lo task"}'
DID=$(J .id)
check "a discovery task by the discovery's name: 201" \
	sh -c "[ $S = 201 ] && jq -e '.options.discovery == \"lo task\"' '$T/body'"
req "$AD" POST "/api/v1/tasks/$DID/run"
check "run now: ok, last_result names the queued run" \
	sh -c "[ $S = 200 ] && jq -e '.last_status == \"ok\" and (.last_result | test(\"^queued run [0-9]+ of discovery .lo task.$\")) and .runs == 1' '$T/body'"
echo "# discovery task: $(J .last_result)"
DRUN=$(J .last_result | sed -n 's/^queued run \([0-9]*\) .*/\1/p')
i=0
while :; do
	req "$AD" GET "/api/v1/discovery-runs/${DRUN:-0}"
	case "$(J .state)" in done | failed | cancelled | interrupted) break ;; esac
	i=$((i + 1))
	[ $i -gt 150 ] && break
	sleep 0.2
done
check "the queued run is the discovery's and ends done with 127.0.0.1 alive" \
	test "$(J .discovery_id)/$(J .state)/$(J .alive)" = "$DISC/done/1"
req "$AD" GET "/api/v1/discovery-runs/${DRUN:-0}/log"
check "its log has this server's port open on 127.0.0.1" \
	test "$(J "[.results[] | select(.ip == \"127.0.0.1\" and .stage == \"ports\" and .outcome == \"open\")] | length")" -ge 1
req "$AD" POST /api/v1/tasks -d '{"name":"scan gone","type":"discovery","schedule":"@hourly","discovery":4242}'
GONE=$(J .id)
req "$AD" POST "/api/v1/tasks/$GONE/run"
check "a task whose discovery does not exist fails and says so" \
	sh -c "[ $S = 200 ] && jq -e '.last_status == \"failed\" and (.last_result | test(\"discovery 4242 does not exist\"))' '$T/body'"
req "$AD" DELETE "/api/v1/tasks/$GONE"
req "$AD" DELETE "/api/v1/tasks/$DID"
check "DELETE: 204" test "$S" = 204
req "$AD" GET "/api/v1/tasks/$DID"
check "then 404" test "$S" = 404

# ---- purge now: old rows go, recent ones stay ----
cat >"$T/dev.json" <<'JSON'
{"report_version":1,"source":{"name":"t","format":"netcensus"},
 "sys":{"hostname":"keep1","ip":"198.18.0.1"}}
JSON
req "$AD" POST /api/v1/intake --data-binary "@$T/dev.json"
sqlite3 "$DB" "INSERT INTO change_log (device_id, section, action, key, time)
	VALUES (1, 'software', 'add', 'old', '2020-01-01 00:00:00'),
	       (1, 'software', 'add', 'new', strftime('%Y-%m-%d %H:%M:%S','now'));
	INSERT INTO audit_log (time, result) VALUES ('2020-01-01 00:00:00', 'created');"
req "$AD" POST "/api/v1/tasks/$PID1/run"
check "purge run: ok and says what it deleted" \
	sh -c "[ $S = 200 ] && jq -e '.ok and (.last_result | test(\"1 changes, 1 audit log rows\"))' '$T/body'"
check "the old change is gone, the new one stays" \
	test "$(sqlite3 "$DB" "SELECT group_concat(key) FROM change_log WHERE section='software'")" = new

# ---- due while the server was stopped: runs once after the start ----
req "$AD" POST /api/v1/tasks -d '{"name":"off","type":"purge","schedule":"* * * * *","enabled":false}'
OFF=$(J .id)
stop
check "server stops" test $? = 0
# many slots missed: it was due every day at 03:15 since 2020
sqlite3 "$DB" "UPDATE task SET next_run = '2020-01-01 03:15:00', runs = 0;"
sqlite3 "$DB" "UPDATE task SET next_run = '2020-01-01 00:00:00' WHERE id = $OFF;"
start || nok "server restarts"
i=0
while [ $i -lt 50 ]; do
	req "$AD" GET "/api/v1/tasks/$PID1"
	[ "$(J .runs)" != 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 2
req "$AD" GET "/api/v1/tasks/$PID1"
check "the missed task ran exactly once after the restart" \
	sh -c "jq -e '.runs == 1 and .last_status == \"ok\"' '$T/body'"
NOWD=$(date -u +%Y-%m-%d)
check "its next_run is its next 03:15 from now, not a missed slot" \
	sh -c "jq -e '.next_run > \"$NOWD\" and (.next_run | test(\" 03:15:00$\"))' '$T/body'"
req "$AD" GET "/api/v1/tasks/$OFF"
check "a disabled task did not run" \
	sh -c "jq -e '.runs == 0 and .last_run == null' '$T/body'"
stop
check "server stops again" test $? = 0
echo "1..$n"
exit $failed
