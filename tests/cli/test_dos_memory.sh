#!/bin/sh
# Memory exhaustion without logging in (issue 10.4) and the audit log that
# anyone could flood (10.8): 24 concurrent unauthenticated 60 MiB posts to
# /api/v1/intake and both Open-AudIT paths (the server used to buffer up to
# 64 MiB of each before checking credentials: 1.1 GiB). Each must get its
# 401 (the Open-AudIT ones with the Basic challenge wget needs, after their
# body), the server's peak RSS during them must stay under 100 MB (VmHWM,
# reset after start-up, whose argon2id hashing peaks above it), it must
# still answer, and the 16 Open-AudIT refusals must make one audit-log row
# that counts them, not 16. Then the global cap on buffered bodies:
# with body_buffer_max = 65 MiB, an authenticated post that would pass it
# while another holds 50 MiB gets 503 naming the setting. Loopback only.
# Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3 /usr/bin/python3
need_netcensus
tmp_init mem
CLIENT=$(dirname "$0")/dos_client.py

serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }
head -c $((60 << 20)) /dev/zero >"$T/big"
reset=no
echo 5 2>/dev/null >"/proc/$PID/clear_refs" && reset=yes

pids=
for i in $(seq 1 24); do
	case $((i % 3)) in
	0) path=/api/v1/intake ;;
	1) path=/open-audit/index.php/input/devices ;;
	*) path=/index.php/input/devices ;;
	esac
	# -T streams the file; "Expect:" makes curl send the body at once,
	# as wget does, instead of waiting for a 100 Continue
	curl -s -o /dev/null -D "$T/hdr.$i" -w '%{http_code}\n' -m 300 \
		-X POST -H 'Expect:' \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		-T "$T/big" "$U$path" >"$T/code.$i" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
hwm=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$PID/status")
rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$PID/status")
echo "# server peak RSS during the posts: $hwm MB (reset after start-up: $reset), now $rss MB"
check "all 24 posts answered 401" \
	test "$(cat "$T"/code.* | grep -c '^401$')" = 24
check "the Open-AudIT ones with the Basic challenge" \
	test "$(grep -li '^WWW-Authenticate: Basic' "$T"/hdr.* | wc -l)" = 16
check "peak RSS under 100 MB (seen $hwm MB)" test "$hwm" -lt 100
r=$(curl -s -o /dev/null -m 30 -w '%{http_code}' "$U/api/v1/health")
check "the server still answers" test "$r" = 200
req GET "/api/v1/audit-log?limit=100"
check "the 16 refusals are one audit-log row, not 16" \
	test "$(J '[.results[] | select(.source == "127.0.0.1" and .result == "rejected")] | length')" = 1
serve_stop
check "server stops cleanly" test $? = 0
msg=$(sqlite3 "$DB" "SELECT message FROM audit_log WHERE result = 'rejected'")
echo "# the row: $msg"
check "the row counts the 16 posts" \
	sh -c "echo '$msg' | grep -q '^intake closed: no token (16 posts in the minute from [0-9:]*)$'"

# ---- the global cap on kept bodies ----
serve_start "$T/log" --body-buffer-max 65 ||
	{ cat "$T/log"; nok "server restarts"; tap_finish; }
mkfifo "$T/hold.in"
/usr/bin/python3 "$CLIENT" hold "$PORT" /api/v1/intake $((60 << 20)) \
	$((50 << 20)) "Authorization: Bearer $TOKEN" \
	<"$T/hold.in" >"$T/hold.out" &
HOLD=$!
BG_PIDS=$HOLD
exec 3>"$T/hold.in"
i=0
until grep -q held "$T/hold.out" || [ $i -ge 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
head -c $((40 << 20)) /dev/zero >"$T/mid"
S=$(curl -s -o "$T/body" -w '%{http_code}' -m 120 -X POST -H 'Expect:' \
	-H "Authorization: Bearer $TOKEN" -T "$T/mid" "$U/api/v1/intake")
check "a post past body_buffer_max while 50 MiB are held: 503 naming it" \
	sh -c "[ $S = 503 ] && grep -q body_buffer_max '$T/body'"
exec 3>&-
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
BG_PIDS=
S=$(curl -s -o /dev/null -m 30 -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$U/api/v1/devices")
check "then reads are served" test "$S" = 200
serve_stop
tap_finish
