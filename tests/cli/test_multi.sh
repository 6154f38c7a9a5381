#!/bin/sh
# Three `netcensus serve` processes on one PostgreSQL database (issue 17:
# several servers), a throwaway cluster of this test (pg_start in
# tests/lib.sh), loopback only (127.0.0.0/8; every run's target is
# 127.0.0.1 port 1, no DNS). Each server has two discovery workers and a
# scheduler, and --lease-seconds 4:
#   - 200 discovery runs queued through the three servers are each run
#     exactly once (one "discovery run N of" line in the three logs
#     together, and every run "done");
#   - 10 purge tasks due every minute are each run once per minute: after
#     two minutes, the "task N (" lines of the three logs together equal
#     the task's run count, which is at most the minutes passed + 1;
#   - a server killed with SIGKILL in the middle of a run: another one
#     marks the run interrupted once its lease ran out.
# Waits for conditions (ceilings: 600 s for the 200 runs, 200 s for the
# two minutes of the tasks), never for a fixed time. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
unset NETCENSUS_TEST_DB
tmp_init multi
pg_start_or_finish
DB="$PG_URL&keyfile=$T/nc.key"

serve_start_many 3 --discovery-workers 2 --lease-seconds 4 ||
	{ nok "three servers started"; tap_finish; }
ok "three servers on one PostgreSQL database"
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }
run_is() { # run_is URL RUN JQ
	U=$1 req GET "/api/v1/discovery-runs/$2"
	jq -e "$3" "$T/body"
}

# ---- 200 runs queued through the three servers, each run once ----
START=$(date +%s)
RUNS=""
i=1
while [ "$i" -le 200 ]; do
	U=$(url $((i % 3 + 1)))
	req POST /api/v1/discoveries -d "{\"name\":\"lo $i\",\"targets\":\"127.0.0.1\",\"options\":{\"dns\":false,\"ports\":\"1\",\"retries\":0,\"timeout_ms\":200}}"
	D=$(J .id)
	req POST "/api/v1/discoveries/$D/run"
	RUNS="$RUNS $(J .id)"
	i=$((i + 1))
done
check "200 runs queued" test "$(echo "$RUNS" | wc -w)" = 200 -a \
	"$(echo "$RUNS" | tr ' ' '\n' | grep -c '^[0-9][0-9]*$')" = 200
U=$(url 1)
all_done() {
	req GET "/api/v1/discovery-runs?limit=1000"
	[ "$(jq '[.results[] | select(.state == "queued" or .state == "running")] | length' "$T/body")" = 0 ]
}
check "all 200 runs finish (within 600 s)" wait_until 600 all_done
echo "# 200 runs queued and run in $(($(date +%s) - START)) s on three servers"
once=1 done_all=1
for r in $RUNS; do
	c=$(logged "discovery run $r of ")
	[ "$c" = 1 ] || { echo "# run $r started $c times"; once=0; }
done
req GET "/api/v1/discovery-runs?limit=1000"
ndone=$(jq '[.results[] | select(.state == "done")] | length' "$T/body")
[ "$ndone" -ge 200 ] || done_all=0
check "each run was run by exactly one server, once" test "$once" = 1
check "every run ended done ($ndone)" test "$done_all" = 1
spread=0
# shellcheck disable=SC2086
for l in $LOGS; do
	[ "$(grep -c 'discovery run [0-9]* of ' "$l")" -gt 0 ] && spread=$((spread + 1))
done
check "the runs were shared: $spread of 3 servers ran some" test "$spread" -ge 2

# ---- every-minute tasks: once per minute across the three servers ----
START=$(date +%s)
TASKS=""
for k in 1 2 3 4 5 6 7 8 9 10; do
	U=$(url $((k % 3 + 1)))
	req POST /api/v1/tasks -d "{\"name\":\"purge $k\",\"type\":\"purge\",\"schedule\":\"* * * * *\",\"days\":30}"
	TASKS="$TASKS $(J .id)"
done
U=$(url 1)
# shellcheck disable=SC2086 # TASKS, LOGS: words
check "ten every-minute tasks run twice (within 200 s)" \
	wait_until 200 tasks_ran_twice $TASKS
# shellcheck disable=SC2086
check "each task ran once per minute, by one server" \
	tasks_once_a_minute "$START" $LOGS -- $TASKS

# ---- SIGKILL mid-run: another server interrupts the run ----
U=$(url 1)
req POST /api/v1/discoveries -d '{"name":"lo big","targets":"127.1.0.0/22","options":{"dns":false,"ports":"22","rate":40,"timeout_ms":200,"retries":0}}'
BIG=$(J .id)
req POST "/api/v1/discoveries/$BIG/run"
KRUN=$(J .id)
wait_until "$WAIT_LONG" run_is "$(url 1)" "$KRUN" '.state == "running"'
wait_until "$WAIT_LONG" logged "discovery run $KRUN of "
k=1 DEAD= LIVE=
for l in $LOGS; do
	if grep -q "discovery run $KRUN of " "$l"; then
		DEAD=$(echo "$PIDS" | cut -d' ' -f$((k + 1)))
	else
		LIVE=$(url "$k")
	fi
	k=$((k + 1))
done
kill -KILL "$DEAD"
wait "$DEAD" 2>/dev/null
check "the run of the killed server is marked interrupted by another" \
	wait_until "$WAIT_LONG" run_is "$LIVE" "$KRUN" \
	'.state == "interrupted" and (.message | test("lease"))'
check "a server says so" test "$(logged 'leases ran out')" -ge 1
U=$LIVE req GET /api/v1/health
check "the other servers still answer" test "$S" = 200
check "no server logged a sanitizer report" \
	test "$(logged 'AddressSanitizer\|runtime error')" = 0
tap_finish
