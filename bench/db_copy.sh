#!/bin/sh
# bench/db_copy: `netcensus admin db copy` of an N-device store (default
# 10,000), SQLite -> PostgreSQL and back, each verified by the copy itself
# (rows and checksum of every table). The devices are netcensus JSON
# reports made here (hostname, address, serial, 20 software rows, two ip
# rows each) imported into a new SQLite file; the PostgreSQL is a
# throwaway cluster of this run (tests/lib.sh pg_start: a Unix socket in
# a temp folder, no TCP). Prints wall and CPU seconds, peak RSS and rows
# per second of each direction, and the load average around the run.
#
# usage: nice -n 19 bench/db_copy.sh [N]   (release build: make)
set -u
cd "$(dirname "$0")/.."
N=${1:-10000}
NETCENSUS=$PWD/build/netcensus
[ -x "$NETCENSUS" ] || { echo "build first: make" >&2; exit 1; }
. tests/lib.sh
tmp_init dbcopy-bench
pg_start || { echo "PostgreSQL did not start: $T/pg.log" >&2; exit 1; }

mkdir "$T/in"
python3 - "$T/in" "$N" <<'PY'
import json, os, sys
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    ip = "198.18.%d.%d" % (i // 250, i % 250 + 1)
    rep = {"report_version": 1,
           "sys": {"hostname": "copy-%05d" % i, "ip": ip,
                   "serial": "COPY%07d" % i, "type": "computer",
                   "os_group": "Linux", "os_name": "Debian GNU/Linux 12"},
           "software": [{"name": "pkg-%02d" % k, "version": "1.%d.%d" % (k, i % 7)}
                        for k in range(20)],
           "ip": [{"ip": ip, "mac": "02:c0:%02x:%02x:%02x:01" % (
                        (i >> 16) & 255, (i >> 8) & 255, i & 255),
                   "netmask": "255.255.0.0", "version": "4"},
                  {"ip": "fd00::%x" % (i + 1), "version": "6"}]}
    with open(os.path.join(out, "d%05d.json" % i), "w") as f:
        json.dump(rep, f)
PY
echo "netcensus admin db copy, $N devices, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$NETCENSUS" -q import --db "$DB" "$T/in"/* >/dev/null 2>"$T/imp.err" ||
	{ cat "$T/imp.err" >&2; exit 1; }
rm -rf "$T/in"

# copy FROM TO LABEL: one timed copy
copy() {
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" \
		"$NETCENSUS" admin db copy --from "$1" --to "$2" \
		--key "$DB.key" >"$T/out" 2>"$T/err" ||
		{ cat "$T/err" >&2; exit 1; }
	read -r wall user sys rss <"$T/time"
	rows=$(awk 'NR > 1 { n += $2 } END { print n }' "$T/out")
	awk -v l="$3" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
		-v n="$rows" 'BEGIN {
		printf "%-22s %8d rows  %7.1f s wall  %6.1f s cpu  %8.0f rows/s  peak RSS %.0f MB\n",
			l, n, w, u + s, n / w, r / 1024 }'
}
copy "$DB" "$PG_URL" "SQLite -> PostgreSQL"
copy "$PG_URL" "$T/back.db" "PostgreSQL -> SQLite"
"$NETCENSUS" admin --db "$DB" db checksum >"$T/a"
"$NETCENSUS" admin --db "$T/back.db" db checksum >"$T/b"
cmp -s "$T/a" "$T/b" && echo "round trip: every table's rows and checksum equal" ||
	{ echo "round trip differs" >&2; exit 1; }
awk '$1 == "device" || $1 == "component" || $1 == "change_log" ||
	$1 == "audit_log" { printf "  %s %s", $1, $2 } END { print "" }' "$T/a"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
