#!/bin/sh
# An acknowledged audit survives a power cut (issue 10.9): the intake's
# commit must reach the disk before the server answers 2xx. With SQLite's
# WAL and synchronous=NORMAL a commit is only written, not synced (the
# sync waits for a checkpoint), so a power cut could lose it; with FULL
# the WAL is synced (fsync/fdatasync) at every commit. A power cut cannot
# be made here, so this watches the system calls: strace attached to the
# running server sees no sync while it idles, and at least one between an
# intake post and its 201. Loopback only. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl strace
need_netcensus
tmp_init durable

serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }
req POST /api/v1/intake --data-binary @"$(dirname "$0")/../fixtures/switch-min.json"
check "a first intake is stored" test "$S" = 201

tids=
for t in /proc/"$PID"/task/*; do tids="$tids -p ${t##*/}"; done
# shellcheck disable=SC2086
strace -qq -f -e trace=fsync,fdatasync -o "$T/trace" $tids 2>"$T/strace.err" &
ST=$!
BG_PIDS=$ST
i=0
until [ "$(grep -h '^TracerPid:' /proc/"$PID"/task/*/status |
	grep -vc 'TracerPid:[[:space:]]*0$')" = "$(ls /proc/"$PID"/task | wc -l)" ] ||
	[ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if ! kill -0 "$ST" 2>/dev/null || [ $i -ge 300 ]; then
	cat "$T/strace.err"
	kill "$ST" 2>/dev/null
	BG_PIDS=
	serve_stop
	skip_all "strace cannot attach here (ptrace not allowed)"
fi
before=$(grep -c 'sync(' "$T/trace")
sed 's/"hostname": *"[^"]*"/"hostname": "durable-2"/' \
	"$(dirname "$0")/../fixtures/switch-min.json" >"$T/two.json"
req POST /api/v1/intake --data-binary @"$T/two.json"
after=$(grep -c 'sync(' "$T/trace")
kill "$ST"
wait "$ST" 2>/dev/null
BG_PIDS=
echo "# syncs while idle: $before; between the post and its answer: $((after - before))"
check "the second intake is acknowledged (2xx: $S)" test "${S#2}" != "$S"
check "its commit was synced to disk before the answer" \
	test $((after - before)) -ge 1
serve_stop
check "server stops cleanly" test $? = 0
tap_finish
