#!/bin/sh
# Two `netcensus serve` processes on ONE SQLite file (issue 17: leases),
# loopback only (127.0.0.0/8). Both have two discovery workers and a
# scheduler:
#   - 12 discovery runs queued through both servers are each run exactly
#     once (one "discovery run N of" line in the two logs together);
#   - 3 purge tasks due every minute are each run once per minute: after
#     two minutes, the "task N" lines of both logs together equal the
#     task's run count, which is at most the minutes passed + 1;
#   - a server killed with SIGKILL in the middle of a run: the other one
#     marks the run interrupted once its lease (--lease-seconds 4) ran out.
# Waits for conditions (WAIT_LONG, and 200 s for the two minutes of the
# tasks), never for a fixed time. LEASE_OPTS (default "--lease-seconds 4")
# is given to both servers; LEASE_OPTS= runs it against a build without
# leases: there the SIGKILL checks fail (nobody marks the run), while the
# task checks pass - with a purge task of a few milliseconds, the window in
# which two servers both see it due is too short to be hit; the claim
# itself is tested by test_store_server's test_task_claim_once. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init leases

LEASE_OPTS=${LEASE_OPTS---lease-seconds 4}
# shellcheck disable=SC2086 # LEASE_OPTS: words
serve_start "$T/logA" --discovery-workers 2 $LEASE_OPTS ||
	{ cat "$T/logA"; skip_all "server A did not start"; }
PID_A=$PID UA=$U
PORT=
# shellcheck disable=SC2086
serve_start "$T/logB" --discovery-workers 2 $LEASE_OPTS ||
	{ cat "$T/logB"; skip_all "server B did not start"; }
PID_B=$PID UB=$U
on_cleanup() {
	kill -KILL "$PID_A" "$PID_B" 2>/dev/null
	wait "$PID_A" "$PID_B" 2>/dev/null
}
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

# run_is URL RUN JQ: the run, read through the server at URL, satisfies JQ
run_is() {
	U=$1 req GET "/api/v1/discovery-runs/$2"
	jq -e "$3" "$T/body"
}
# logged PATTERN: how many lines of both servers' logs match
logged() {
	cat "$T/logA" "$T/logB" | grep -c -- "$1"
}

# ---- 12 runs queued through both servers, each run once ----
RUNS=""
i=1
while [ "$i" -le 12 ]; do
	if [ $((i % 2)) = 0 ]; then U=$UA; else U=$UB; fi
	req POST /api/v1/discoveries -d "{\"name\":\"lo $i\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false,\"ports\":\"1\"}}"
	D=$(J .id)
	req POST "/api/v1/discoveries/$D/run"
	RUNS="$RUNS $(J .id)"
	i=$((i + 1))
done
alldone=1
for r in $RUNS; do
	wait_until "$WAIT_LONG" run_is "$UA" "$r" '.state == "done"' ||
		alldone=0
done
check "12 runs queued through two servers all finish" test "$alldone" = 1
once=1
for r in $RUNS; do
	c=$(logged "discovery run $r of ")
	[ "$c" = 1 ] || { echo "# run $r started $c times"; once=0; }
done
check "each run was run by exactly one server, once" test "$once" = 1

# ---- every-minute tasks: once per minute across both servers ----
START=$(date +%s)
TASKS=""
for k in 1 2 3; do
	U=$UA req POST /api/v1/tasks -d "{\"name\":\"purge $k\",\"type\":\"purge\",\"schedule\":\"* * * * *\",\"days\":30}"
	TASKS="$TASKS $(J .id)"
done
U=$UA
# shellcheck disable=SC2086 # TASKS: words
check "three every-minute tasks run twice (within 200 s)" \
	wait_until 200 tasks_ran_twice $TASKS
# shellcheck disable=SC2086
check "each task ran once per minute, by one server" \
	tasks_once_a_minute "$START" "$T/logA" "$T/logB" -- $TASKS

# ---- SIGKILL mid-run: the other server interrupts the run ----
U=$UA
req POST /api/v1/discoveries -d '{"name":"lo big","targets":"127.1.0.0/22","options":{"dns":false,"ports":"22","rate":40,"timeout_ms":200,"retries":0}}'
BIG=$(J .id)
req POST "/api/v1/discoveries/$BIG/run"
KRUN=$(J .id)
wait_until "$WAIT_LONG" run_is "$UA" "$KRUN" '.state == "running"'
wait_until "$WAIT_LONG" logged "discovery run $KRUN of "
if grep -q "discovery run $KRUN of " "$T/logA"; then
	DEAD=$PID_A LIVE=$UB LIVELOG=$T/logB
else
	DEAD=$PID_B LIVE=$UA LIVELOG=$T/logA
fi
kill -KILL "$DEAD"
wait "$DEAD" 2>/dev/null
check "the run of the killed server is marked interrupted by the other" \
	wait_until "$WAIT_LONG" run_is "$LIVE" "$KRUN" \
	'.state == "interrupted" and (.message | test("lease"))'
check "the other server says so" grep -q 'leases ran out' "$LIVELOG"
U=$LIVE req GET /api/v1/health
check "the other server still answers" test "$S" = 200
tap_finish
