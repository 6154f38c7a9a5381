#!/bin/sh
# Browser tests of the web UI (ui.test.mjs): installs playwright-core from
# package-lock.json (npm ci; it downloads no browser) and runs the test with
# node's test runner, printing TAP. Uses Debian's Chromium; prints
# "ok 1 # skip" when node, npm, chromium or the binary is missing.
# Screenshots go to $SHOTS (default BUILD/test-logs/screenshots when
# tests/run made that folder beside the binary, else tests/e2e/screenshots).
set -u
cd "$(dirname "$0")"
NETCENSUS=${NETCENSUS:-$PWD/../../netcensus}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip() { echo "1..1"; echo "ok 1 # skip $1"; exit 0; }
for tool in node npm sqlite3; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not installed"
done
[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (scripts/install-deps.sh installs it)"
[ -x "$NETCENSUS" ] || skip "no netcensus binary at $NETCENSUS"

if [ ! -f node_modules/.package-lock.json ] ||
	! cmp -s package-lock.json node_modules/.lock-copy 2>/dev/null; then
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 ||
		{ echo "not ok 1 - npm ci in tests/e2e"; exit 1; }
	cp package-lock.json node_modules/.lock-copy
fi

if [ -z "${SHOTS:-}" ]; then
	# tests/run keeps its logs in BUILD/test-logs beside the binary
	logs=$(dirname "$NETCENSUS")/test-logs
	if [ -d "$logs" ]; then SHOTS=$logs/screenshots; else SHOTS=$PWD/screenshots; fi
fi
export NETCENSUS CHROMIUM SHOTS
# ASan reports leaks at exit of the server; the test stops it with SIGTERM.
# --test-timeout also bounds the whole file (node runs it as one test): 20
# minutes, a ceiling for a busy machine (the file takes about 2 on a quiet
# one, and over 4 under load); each wait inside has its own 60 s ceiling.
exec node --test --test-reporter=tap --test-timeout=1200000 ui.test.mjs data.test.mjs
