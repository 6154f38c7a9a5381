#!/bin/sh
# The store's unit tests that take a PostgreSQL (NETCENSUS_TEST_PG), run
# against a throwaway cluster of this test (pg_start in tests/lib.sh):
# test_claims (exactly-once claims, issue 17: three processes claiming
# from 200 queued discovery runs, from 50 tasks due every minute for five
# minutes, and a process killed holding a run's and a task's lease) and
# test_sql_ops (the operations written once for both engines give the
# same answers on both). The same binaries run on SQLite alone in the unit
# tests. "ok # skip" only when PostgreSQL or the binaries are not there.
# Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
BIN=$(dirname "$NETCENSUS")/tests
[ -x "$BIN/test_claims" ] && [ -x "$BIN/test_sql_ops" ] ||
	skip_all "no $BIN/test_claims or test_sql_ops (make asan builds them)"
tmp_init pgstore
unset NETCENSUS_DB NETCENSUS_NOW

if ! pg_start; then
	nok "PostgreSQL cluster did not start"
	sed 's/^/# /' "$T/pg.log" | head -20
	tap_finish
fi

# unit BINARY TEST...: BINARY on a new database of its own, an ok per
# TEST it passed
unit() {
	_b=$1
	shift
	"$PG_BIN/createdb" -h "$T/pgs" -p 5432 -U netcensus "$_b" ||
		{ nok "createdb $_b"; return; }
	NETCENSUS_TEST_PG=$(echo "$PG_URL" | sed "s|///netcensus|///$_b|") \
		CMOCKA_MESSAGE_OUTPUT=TAP "$BIN/$_b" >"$T/$_b.out" 2>&1
	_rc=$?
	sed -n 's/^# /# /p' "$T/$_b.out" | grep -v '^# \(not \)\?ok - tests'
	for _t in "$@"; do
		if grep -q "^ok [0-9]* - $_t\$" "$T/$_b.out"; then
			ok "PostgreSQL: $_b: $_t"
		else
			nok "PostgreSQL: $_b: $_t"
			grep -v '^ok' "$T/$_b.out" | head -20 | sed 's/^/# /'
		fi
	done
	[ $_rc -eq 0 ] && ok "$_b exits 0 on PostgreSQL" ||
		nok "$_b exits $_rc on PostgreSQL"
}
unit test_claims test_runs_once test_tasks_once_per_minute \
	test_lease_of_killed_process
unit test_sql_ops test_same_on_both
tap_finish
