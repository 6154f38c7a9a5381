#!/bin/sh
# bench/import: how fast `netcensus import` stores audit results, and how
# much memory it needs. Generates N variants (distinct machines) of the
# Open-AudIT samples, imports them in one run and prints audits per second
# and peak RSS; then the same for N copies of one ~200 KB audit (server.xml).
#
# usage: bench/import.sh [N]   (default 1000; needs the samples and a
#        release build: make)
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000}
SAMPLES=${NETCENSUS_SAMPLES:-../shared/samples/open-audit}
BIN=./build/netcensus
[ -x "$BIN" ] || { echo "build first: make" >&2; exit 1; }
[ -d "$SAMPLES" ] || { echo "no samples at $SAMPLES" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

run() {
	label=$1
	dir=$2
	rm -f "$T/db" "$T/db-wal" "$T/db-shm" "$T/db.key"
	files=$(ls "$dir" | wc -l)
	bytes=$(du -sb "$dir" | cut -f1)
	start=$(date +%s.%N)
	/usr/bin/time -f "%M %U %S" -o "$T/time" \
		"$BIN" -q import --db "$T/db" "$dir"/* >/dev/null
	end=$(date +%s.%N)
	read -r rss user sys <"$T/time"
	awk -v l="$label" -v n="$files" -v b="$bytes" -v s="$start" -v e="$end" \
		-v r="$rss" -v u="$user" -v k="$sys" 'BEGIN {
		w = e - s
		printf "%-28s %5d audits  %6.1f MB  %6.2f s wall  %5.2f s cpu  %7.1f audits/s  peak RSS %.1f MB\n",
			l, n, b / 1e6, w, u + k, n / w, r / 1024 }'
}

python3 bench/gen_variants.py "$SAMPLES" "$T/mixed" "$N" >/dev/null
python3 bench/gen_variants.py "$SAMPLES" "$T/server" "$N" --only server.xml >/dev/null
python3 bench/gen_variants.py "$SAMPLES" "$T/small" 100 >/dev/null
echo "netcensus import, $(nproc) cores, $(date -u +%Y-%m-%d)"
run "all samples (mixed)" "$T/mixed"
run "server.xml (190 KB) copies" "$T/server"
run "100 mixed (memory baseline)" "$T/small"
# re-import the same files: every audit matches, nothing changes
rm -f "$T/db"*
"$BIN" -q import --db "$T/db" "$T/server"/* >/dev/null
start=$(date +%s.%N)
"$BIN" -q import --db "$T/db" "$T/server"/* >/dev/null
end=$(date +%s.%N)
awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN {
	printf "%-28s %5d audits  %6.2f s wall  %7.1f audits/s\n",
		"server.xml re-import", n, e - s, n / (e - s) }'
