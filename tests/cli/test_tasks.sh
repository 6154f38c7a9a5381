#!/bin/sh
# Scheduled tasks through the API: create, validation that names the
# field (a bad cron line names the cron field), roles, change, delete,
# run now (purge deletes only what is old), and a task that fell due while
# the server was stopped runs exactly once after the restart (a disabled
# one not at all). Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
tmp_init tasks
# req_as TOKEN METHOD PATH [curl args]: req as that token's user
req_as() {
	TOKEN=$1
	shift
	req "$@"
}

serve_start "$T/log" || { cat "$T/log"; nok "server starts"; tap_finish; }
ok "server starts"
AD=$(admin_token admin)
echo "viewer-password-1" |
	"$NETCENSUS" admin --db "$DB" user add viewer --role user >/dev/null 2>&1
RO=$(admin_token viewer)
check "tokens for an admin and a read-only user" \
	test -n "$AD" -a -n "$RO"

# ---- validation ----
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"0 24 * * *"}'
check "a bad cron line: 400 naming the hour field" \
	sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = schedule ] && jq -r .error '$T/body' | grep -q '^hour: .24. is out of range 0-23'"
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"0 0 30 2 *"}'
check "a schedule that never fires: 400" \
	sh -c "[ $S = 400 ] && jq -r .error '$T/body' | grep -q 'never fires'"
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"backup","schedule":"@daily"}'
check "an unknown type: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = type ]"
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"report","schedule":"@daily","report":"New devices in the last 7 days","recipients":["not an address"]}'
check "a bad recipient: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = recipients ]"
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"report","schedule":"@daily","report":"no such report","recipients":["a@example.org"]}'
check "a report that does not exist: 400" sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = report ]"
req_as "$AD" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"@daily","rm":"-rf"}'
check "an unknown field: 400" test "$S" = 400
req_as "$RO" POST /api/v1/tasks -d '{"name":"x","type":"purge","schedule":"@daily"}'
check "a read-only user cannot create tasks: 403" test "$S" = 403

# ---- create, read, change, delete ----
req_as "$AD" POST /api/v1/tasks -d '{"name":"weekly purge","type":"purge","schedule":"@weekly","days":30}'
check "POST /tasks: 201, enabled, next_run a Sunday midnight" \
	sh -c "[ $S = 201 ] && jq -e '.enabled == true and .options.days == 30 and .last_run == null and (.next_run | test(\" 00:00:00$\"))' '$T/body'"
PID1=$(J .id)
DOW=$(date -u -d "$(J .next_run)" +%u 2>/dev/null)
check "@weekly falls on Sunday" test "$DOW" = 7
req_as "$RO" GET "/api/v1/tasks/$PID1"
check "a read-only user may read it" test "$S" = 200
req_as "$AD" PATCH "/api/v1/tasks/$PID1" -d '{"schedule":"15 3 * * *"}'
check "PATCH the schedule: next_run follows" \
	sh -c "[ $S = 200 ] && jq -e '(.next_run | test(\" 03:15:00$\")) and .options.days == 30' '$T/body'"
req_as "$AD" PATCH "/api/v1/tasks/$PID1" -d '{"type":"report"}'
check "a task's type cannot change" test "$S" = 400
req_as "$AD" POST /api/v1/tasks -d '{"name":"weekly purge","type":"purge","schedule":"@daily"}'
check "a duplicate name: 409" test "$S" = 409
req_as "$AD" GET /api/v1/tasks
check "GET /tasks lists it" sh -c "[ $S = 200 ] && [ \"\$(jq -r .count '$T/body')\" = 1 ]"
# a discovery task queues a run of its stored discovery: 127.0.0.1 only,
# the port of this server's own listener
req_as "$AD" POST /api/v1/discoveries -d "{\"name\":\"lo task\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false,\"snmp\":false,\"ports\":\"$PORT\",\"timeout_ms\":300}}"
DISC=$(J .id)
check "a stored discovery on 127.0.0.1: 201" test "$S" = 201
req_as "$AD" POST /api/v1/tasks -d '{"name":"scan lo","type":"discovery","schedule":"@hourly"}'
check "a discovery task without its discovery: 400 naming the field" \
	test "$S" = 400 -a "$(J .field)" = discovery
req_as "$AD" POST /api/v1/tasks -d '{"name":"scan lo","type":"discovery","schedule":"@hourly","discovery":"lo task"}'
DID=$(J .id)
check "a discovery task by the discovery's name: 201" \
	sh -c "[ $S = 201 ] && jq -e '.options.discovery == \"lo task\"' '$T/body'"
req_as "$AD" POST "/api/v1/tasks/$DID/run"
check "run now: ok, last_result names the queued run" \
	sh -c "[ $S = 200 ] && jq -e '.last_status == \"ok\" and (.last_result | test(\"^queued run [0-9]+ of discovery .lo task.$\")) and .runs == 1' '$T/body'"
echo "# discovery task: $(J .last_result)"
DRUN=$(J .last_result | sed -n 's/^queued run \([0-9]*\) .*/\1/p')
run_ended() {
	req_as "$AD" GET "/api/v1/discovery-runs/${DRUN:-0}"
	case "$(J .state)" in done | failed | cancelled | interrupted) ;; *) false ;; esac
}
wait_until "$WAIT_LONG" run_ended
check "the queued run is the discovery's and ends done with 127.0.0.1 alive" \
	test "$(J .discovery_id)/$(J .state)/$(J .alive)" = "$DISC/done/1"
req_as "$AD" GET "/api/v1/discovery-runs/${DRUN:-0}/log"
check "its log has this server's port open on 127.0.0.1" \
	test "$(J "[.results[] | select(.ip == \"127.0.0.1\" and .stage == \"ports\" and .outcome == \"open\")] | length")" -ge 1
req_as "$AD" POST /api/v1/tasks -d '{"name":"scan gone","type":"discovery","schedule":"@hourly","discovery":4242}'
GONE=$(J .id)
req_as "$AD" POST "/api/v1/tasks/$GONE/run"
check "a task whose discovery does not exist fails and says so" \
	sh -c "[ $S = 200 ] && jq -e '.last_status == \"failed\" and (.last_result | test(\"discovery 4242 does not exist\"))' '$T/body'"
req_as "$AD" DELETE "/api/v1/tasks/$GONE"
req_as "$AD" DELETE "/api/v1/tasks/$DID"
check "DELETE: 204" test "$S" = 204
req_as "$AD" GET "/api/v1/tasks/$DID"
check "then 404" test "$S" = 404

# ---- purge now: old rows go, recent ones stay ----
cat >"$T/dev.json" <<'JSON'
{"report_version":1,"source":{"name":"t","format":"netcensus"},
 "sys":{"hostname":"keep1","ip":"198.18.0.1"}}
JSON
req_as "$AD" POST /api/v1/intake --data-binary "@$T/dev.json"
db_sql "INSERT INTO change_log (device_id, section, action, key, time)
	VALUES (1, 'software', 'add', 'old', '2020-01-01 00:00:00'),
	       (1, 'software', 'add', 'new', '$(date -u '+%Y-%m-%d %H:%M:%S')');
	INSERT INTO audit_log (time, result) VALUES ('2020-01-01 00:00:00', 'created');"
req_as "$AD" POST "/api/v1/tasks/$PID1/run"
check "purge run: ok and says what it deleted" \
	sh -c "[ $S = 200 ] && jq -e '.ok and (.last_result | test(\"1 changes, 1 audit log rows\"))' '$T/body'"
check "the old change is gone, the new one stays" \
	test "$(db_sql "SELECT key FROM change_log WHERE section='software'")" = new

# ---- due while the server was stopped: runs once after the start ----
req_as "$AD" POST /api/v1/tasks -d '{"name":"off","type":"purge","schedule":"* * * * *","enabled":false}'
OFF=$(J .id)
serve_stop
check "server stops" test $? = 0
# many slots missed: it was due every day at 03:15 since 2020
db_sql "UPDATE task SET next_run = '2020-01-01 03:15:00', runs = 0;"
db_sql "UPDATE task SET next_run = '2020-01-01 00:00:00' WHERE id = $OFF;"
serve_start "$T/log" || nok "server restarts"
# Its run is over once it is rescheduled past today (the same write as
# runs and last_status). A scheduler catching up slot by slot would move
# next_run through the missed days first; the disabled task, due earlier,
# would have run before it in the same pass.
NOWD=$(date -u +%Y-%m-%d)
rescheduled() {
	req_as "$AD" GET "/api/v1/tasks/$PID1"
	jq -e ".runs >= 1 and .next_run > \"$NOWD\"" "$T/body"
}
wait_until "$WAIT_LONG" rescheduled
check "the missed task ran exactly once after the restart" \
	sh -c "jq -e '.runs == 1 and .last_status == \"ok\"' '$T/body'"
check "its next_run is its next 03:15 from now, not a missed slot" \
	sh -c "jq -e '.next_run > \"$NOWD\" and (.next_run | test(\" 03:15:00$\"))' '$T/body'"
req_as "$AD" GET "/api/v1/tasks/$OFF"
check "a disabled task did not run" \
	sh -c "jq -e '.runs == 0 and .last_run == null' '$T/body'"
serve_stop
check "server stops again" test $? = 0
tap_finish
