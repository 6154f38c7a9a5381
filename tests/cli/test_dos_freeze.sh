#!/bin/sh
# One audit must not freeze the server (issue 10.3, the server side).
# Four big device reports (5,000 software rows each, new devices) are
# posted at once - as many as the server has HTTP threads - while another
# writer holds the database for 6 s (so the intakes are long on any
# machine, as a 26 MB audit was), and /api/v1/health and a logged-in read
# are timed every 0.2 s meanwhile. Before, intakes ran on the HTTP threads
# (all four held, three of them waiting for the write lock) and a
# thread's first request opened its store handle inside BEGIN IMMEDIATE,
# so health checks waited for the intakes and then answered 503. The
# issue asks for < 100 ms: the slowest answer is printed, but the check
# allows 2 s so that a loaded CI machine cannot break it.
# Then SIGTERM while four bigger reports are being stored (the database
# held again, and kept held until the server is gone): the server must
# exit without waiting for them (it answers queued intakes 503,
# interrupts the running ones after 3 s and exits at the latest 2 s
# later; the time seen is printed, about 5 s on a quiet machine). Since
# the database stays locked, a server that waited for its intakes would
# never exit: the check is that it exits at all while the lock is held
# (within 300 s, a bound only a hang reaches), not how fast, which a
# busy machine decides. After a restart
# everything acknowledged is there, nothing of the interrupted posts is,
# and the database checks clean. Loopback only. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq /usr/bin/python3
need_netcensus
tmp_init freeze
CLIENT=$(dirname "$0")/dos_client.py

gen() { # gen NAME ROWS: a device report with ROWS software rows
	/usr/bin/python3 -c '
import json, sys
name, n = sys.argv[1], int(sys.argv[2])
json.dump({"report_version": 1,
           "sys": {"hostname": name, "type": "computer",
                   "uuid": "00000000-0000-4000-8000-%012d" % abs(hash(name) % 10**12)},
           "software": [{"name": "pkg-%d" % i, "version": "1.%d" % i}
                        for i in range(n)]}, sys.stdout)' "$1" "$2"
}
for i in 1 2 3 4; do
	gen "big$i" 5000 >"$T/big$i.json"
	gen "huge$i" 20000 >"$T/huge$i.json"
done

serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

/usr/bin/python3 "$CLIENT" lock "$DB" 6 >"$T/lock.out" &
LOCK=$!
BG_PIDS=$LOCK
wait_line() { # wait_line FILE TEXT COUNT: up to 60 s for COUNT lines
	_i=0
	until [ "$(grep -c "^$2" "$1" 2>/dev/null)" -ge "$3" ] ||
		[ $_i -ge 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
wait_line "$T/lock.out" locked 1
pids=
for i in 1 2 3 4; do
	curl -s -o "$T/post$i" -w '%{http_code}' -m 600 \
		-H "Authorization: Bearer $TOKEN" \
		--data-binary @"$T/big$i.json" "$U/api/v1/intake" \
		>"$T/code$i" &
	pids="$pids $!"
done
posting() {
	for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}
: >"$T/times"
while posting; do
	curl -s -o /dev/null -m 60 -w 'health %{http_code} %{time_total}\n' \
		"$U/api/v1/health" >>"$T/times"
	curl -s -o /dev/null -m 60 -w 'read %{http_code} %{time_total}\n' \
		-H "Authorization: Bearer $TOKEN" "$U/api/v1/devices?limit=5" \
		>>"$T/times"
	sleep 0.2
done
# shellcheck disable=SC2086
wait $pids $LOCK
BG_PIDS=
checks=$(grep -c . "$T/times")
worst=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$T/times")
echo "# $checks health checks and reads during the posts, slowest ${worst}s (issue: < 0.1 s)"
check "the four reports were stored (201)" \
	test "$(cat "$T"/code1 "$T"/code2 "$T"/code3 "$T"/code4)" = 201201201201
check "every health check and read during the posts answered 200" \
	sh -c "[ $checks -ge 10 ] && ! grep -qv ' 200 ' '$T/times'"
check "none took more than 2 s (slowest ${worst}s)" \
	awk -v w="$worst" 'BEGIN { exit !(w < 2) }'

# ---- SIGTERM while intakes are being stored ----
mkfifo "$T/lock.in"
/usr/bin/python3 "$CLIENT" lock "$DB" 0 <"$T/lock.in" >"$T/lock2.out" &
LOCK=$!
BG_PIDS=$LOCK
exec 3>"$T/lock.in"
wait_line "$T/lock2.out" locked 1
for i in 1 2 3 4; do
	/usr/bin/python3 "$CLIENT" post "$PORT" /api/v1/intake \
		"$T/huge$i.json" "Authorization: Bearer $TOKEN" \
		>"$T/huge$i.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
done
for i in 1 2 3 4; do wait_line "$T/huge$i.out" sent 1; done
check "the four bigger reports were sent" \
	test "$(cat "$T"/huge*.out | grep -c '^sent')" = 4
t0=$(date +%s.%N)
kill -TERM "$PID"
while kill -0 "$PID" 2>/dev/null &&
	[ "$(awk -v t="$t0" -v n="$(date +%s.%N)" 'BEGIN { print (n - t < 300) }')" = 1 ]; do
	sleep 0.05
done
t1=$(date +%s.%N)
took=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
echo "# SIGTERM to exit: ${took}s"
check "SIGTERM during the intakes: the server exits while the database is still locked (${took}s)" \
	sh -c "! kill -0 $PID 2>/dev/null && kill -0 $LOCK"
wait "$PID" 2>/dev/null
PID=
exec 3>&-
# shellcheck disable=SC2086
wait $BG_PIDS
BG_PIDS=
acked=$(cat "$T"/huge*.out | grep -c '^status 20[01]')
echo "# interrupted posts answered: $(cat "$T"/huge*.out | grep '^status' | tr '\n' ' ')"

serve_start "$T/log" || { cat "$T/log"; nok "server restarts"; tap_finish; }
req GET "/api/v1/devices?limit=100"
check "after a restart: the 4 acknowledged devices, and only the acknowledged ones ($acked more)" \
	test "$(J .count)" = $((4 + acked))
ID=$(J '.results[] | select(.hostname == "big1") | .id')
req GET "/api/v1/devices/$ID/software?limit=1"
check "an acknowledged device has all its 5,000 rows" test "$(J .count)" = 5000
serve_stop
"$NETCENSUS" admin --db "$DB" db check >"$T/dbcheck" 2>&1
check "the database checks clean" test $? = 0
tap_finish
