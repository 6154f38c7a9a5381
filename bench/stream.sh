#!/bin/bash
# Does a discovery stream? A /16 discovery with few and with many live
# hosts: peak RSS, wall time, devices stored, and when the first device was
# in the database. Run on purpose, not as a test (bench/RESULTS.md).
#
#   bench/stream.sh [--base NETCENSUS] [--live "100 5000"]
#   NETCENSUS=/path/to/netcensus bench/stream.sh
#
# As root, from the repository. For each number of live hosts it brings up
# the namespace lab (tests/lab/lab.sh) with --routed N: N ping-only
# addresses in 198.18.64.0/18 behind one route, besides the lab's own LAN
# hosts; the scanner namespace is checked for a default route before
# anything is sent. Inside the scanner namespace, under /usr/bin/time:
#
#   netcensus discover --db DB   --no-dns --ports none --no-snmp \
#       --discovery-ports none --retries 0 --rate 20000 198.18.0.0/16
#   netcensus discover --json    (same options, stdout to /dev/null)
#
# with NETCENSUS (default build/netcensus) and, with --base, another build
# (e.g. of the commit before) for comparison. "first stored" is the
# seconds from the run's start to the oldest device's first_seen; "lag" is
# the largest gap, over the devices, between a host's "alive" log row and
# its "store" row (1 s resolution; only meaningful when log rows carry the
# time they happened, as the streaming run's do).
set -euo pipefail

cd "$(dirname "$0")/.."
NC=${NETCENSUS:-build/netcensus}
BASE=
LIVE="100 5000"
while [ $# -gt 0 ]; do
	case $1 in
	--base) BASE=${2:?--base needs a binary}; shift 2 ;;
	--live) LIVE=${2:?--live needs numbers}; shift 2 ;;
	*) echo "usage: $0 [--base NETCENSUS] [--live \"100 5000\"]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/stream.sh: run as root" >&2; exit 2; }
NC=$(readlink -f "$NC")
[ -z "$BASE" ] || BASE=$(readlink -f "$BASE")
LAB=tests/lab/lab.sh
P=ncst$(($$ % 10000))
TMP=$(mktemp -d /tmp/nc-stream.XXXXXX)
export NCLAB_QUIET=1
trap '"$LAB" down --prefix "$P" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
OPTS=(--no-dns --ports none --no-snmp --discovery-ports none --retries 0 --rate 20000)
TARGET=198.18.0.0/16

secs() { date -u -d "$1" +%s; }

# run LABEL BIN MODE: one discovery; prints a table row
run() {
	local label=$1 bin=$2 mode=$3 out db=$TMP/run.db wall rss alive stored first lag start
	rm -f "$db" "$db"-*
	if [ "$mode" = db ]; then
		out=(--db "$db")
	else
		out=(--json)
	fi
	ip netns exec "$P-scan" /usr/bin/time -f "%e %M" -o "$TMP/time" \
		"$bin" discover "${out[@]}" "${OPTS[@]}" "$TARGET" >/dev/null 2>"$TMP/err" || true
	read -r wall rss <"$TMP/time"
	alive=$(sed -n 's/.* \([0-9]*\) alive.*/\1/p' "$TMP/err" | tail -1)
	stored=- first=- lag=-
	if [ "$mode" = db ]; then
		stored=$(sqlite3 "$db" "SELECT count(*) FROM device")
		start=$(sqlite3 "$db" "SELECT started FROM discovery_run ORDER BY id LIMIT 1")
		first=$(($(secs "$(sqlite3 "$db" "SELECT min(first_seen) FROM device")") - $(secs "$start")))
		lag=$(sqlite3 "$db" "SELECT max(strftime('%s', s.time) - strftime('%s', a.time)) FROM discovery_log a JOIN discovery_log s ON s.ip = a.ip AND s.stage = 'store' WHERE a.stage = 'discovery' AND a.outcome = 'alive'")
	fi
	printf '| %s | %s | %s | %s | %.1f | %s | %s | %s | %s |\n' "$label" "$mode" \
		"$live" "$alive" "$(echo "$rss / 1024" | bc -l)" "$wall" "$stored" "$first" "$lag"
}

echo "netcensus $NC${BASE:+, base $BASE}; target $TARGET; ${OPTS[*]}"
echo
echo "| build | sink | routed live | alive found | peak RSS MB | wall s | stored | first stored s | lag s |"
echo "|---|---|---|---|---|---|---|---|---|"
for live in $LIVE; do
	"$LAB" up --prefix "$P" --routed "$live" >/dev/null 2>"$TMP/up.log" ||
		{ cat "$TMP/up.log" >&2; exit 1; }
	"$LAB" check --prefix "$P" >/dev/null 2>&1 ||
		{ echo "bench/stream.sh: scanner namespace is not closed" >&2; exit 1; }
	for mode in db json; do
		run this "$NC" "$mode"
		[ -z "$BASE" ] || run base "$BASE" "$mode"
	done
	"$LAB" down --prefix "$P" >/dev/null
done
