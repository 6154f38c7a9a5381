#!/bin/sh
# Exactly-once claims on a real PostgreSQL (issue 17): the unit binary
# tests/unit/test_claims.c - three processes claiming from 200 queued
# discovery runs, from 50 tasks due every minute for five minutes, and a
# process killed holding a run's and a task's lease - run against a
# throwaway cluster of this test (pg_start in tests/lib.sh). The same
# binary runs on SQLite alone in the unit tests. "ok # skip" only when
# PostgreSQL or the binary is not there. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
BIN=$(dirname "$NETCENSUS")/tests/test_claims
[ -x "$BIN" ] || skip_all "no $BIN (make asan builds it)"
tmp_init claims
unset NETCENSUS_DB NETCENSUS_NOW

if ! pg_start; then
	nok "PostgreSQL cluster did not start"
	sed 's/^/# /' "$T/pg.log" | head -20
	tap_finish
fi

NETCENSUS_TEST_PG=$PG_URL CMOCKA_MESSAGE_OUTPUT=TAP "$BIN" >"$T/out" 2>&1
rc=$?
sed -n 's/^# /# /p' "$T/out"
for t in test_runs_once test_tasks_once_per_minute \
	test_lease_of_killed_process; do
	if grep -q "^ok [0-9]* - $t\$" "$T/out"; then
		ok "PostgreSQL: $t"
	else
		nok "PostgreSQL: $t"
		grep -v '^ok' "$T/out" | head -20 | sed 's/^/# /'
	fi
done
[ $rc -eq 0 ] && ok "test_claims exits 0 on PostgreSQL" ||
	nok "test_claims exits $rc on PostgreSQL"
tap_finish
