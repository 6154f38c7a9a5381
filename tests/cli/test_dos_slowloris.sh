#!/bin/sh
# Slowloris (issue 10.5): 1,200 connections that send a request head one
# byte a second and never finish it - 200 from 127.0.0.1, the address the
# logged-in user comes from too (as behind NAT), and 1,000 from
# 127.0.0.2-6, which fills the global budget of 1,000 - must not lock a
# logged-in user out: each of their requests is answered. The issue asks
# for < 1 s; the figures are printed, but the check allows 5 s so that a
# loaded CI machine cannot break it (before the connection budget the
# server was unreachable: MHD refused every connection past its limits,
# and the idle timeout restarted on every byte). Then the attackers'
# connections are closed by the header timeout (2 s here). Loopback only.
# Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl /usr/bin/python3
need_netcensus
tmp_init slow
CLIENT=$(dirname "$0")/dos_client.py

serve_start "$T/log" --header-timeout 2 ||
	{ cat "$T/log"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

/usr/bin/python3 "$CLIENT" slow "$PORT" 1200 12 127.0.0.1 127.0.0.2 \
	127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.1 \
	>"$T/slow.out" 2>"$T/slow.err" &
SLOW=$!
BG_PIDS=$SLOW
i=0
until grep -q '^opened' "$T/slow.out" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the attacker established 1,200 slow connections" \
	grep -q '^opened 1200' "$T/slow.out"

# a logged-in user from 127.0.0.1, 10 requests while the attack goes on
worst=0
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	r=$(curl -s -o /dev/null -m 30 -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $TOKEN" "$U/api/v1/devices")
	echo "# request $i: $r"
	[ "${r% *}" = 200 ] || bad=$((bad + 1))
	worst=$(echo "$r $worst" | awk '{print ($2 > $3) ? $2 : $3}')
	sleep 0.3
done
echo "# slowest logged-in request during the attack: ${worst}s (issue: < 1 s)"
check "every logged-in request answered 200 during the attack" test "$bad" = 0
check "none took more than 5 s (seen: ${worst}s)" \
	awk -v w="$worst" 'BEGIN { exit !(w < 5) }'
r=$(curl -s -o /dev/null -m 30 -w '%{http_code}' "$U/api/v1/health")
check "health answers during the attack" test "$r" = 200

wait "$SLOW"
BG_PIDS=
cat "$T/slow.out" | sed 's/^/# /'
closed=$(sed -n 's/^closed-by-server //p' "$T/slow.out")
check "the server closed the slow connections (budget, header timeout): ${closed:-0}" \
	test "${closed:-0}" -ge 1000
check "the server log says why it closed them" \
	grep -q 'connection budget: closed' "$T/log"
serve_stop
check "server stops cleanly" test $? = 0
tap_finish
