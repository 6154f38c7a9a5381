#!/bin/sh
# bench/ui: the web UI with 10,000 devices, measured in Chromium: header
# search p50/p99 (GET /api/v1/search over loopback), the devices page's
# first rows and the network picture's drawing, from the start of the
# navigation (tests/e2e/bench-ui.mjs). The devices are stored through
# `netcensus import`; the server listens on 127.0.0.1 only.
#
# usage: bench/ui.sh [N]     (default 10000; needs a release build: make,
#        node, npm and Debian's chromium; NETCENSUS=path overrides the binary)
set -eu
cd "$(dirname "$0")/.."
export BENCH_DEVICES=${1:-10000}
NETCENSUS=${NETCENSUS:-$PWD/build/netcensus}
[ -x "$NETCENSUS" ] || { echo "build first: make" >&2; exit 1; }
export NETCENSUS
cd tests/e2e
if [ ! -f node_modules/.package-lock.json ] ||
	! cmp -s package-lock.json node_modules/.lock-copy 2>/dev/null; then
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cp package-lock.json node_modules/.lock-copy
fi
echo "netcensus web UI, $BENCH_DEVICES devices, $(nproc) cores, $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec node bench-ui.mjs
