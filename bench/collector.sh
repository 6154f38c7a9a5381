#!/bin/sh
# Collector upload throughput: N device reports in a collector's spool,
# uploaded with `netcensus collector --once` to a server on the same
# machine (HTTPS, the server's self-signed certificate, 127.0.0.1), one
# batch of spool items per request as the collector sends them. Prints
# the rate, the CPU time of server and collector, and the collector's RSS
# sampled every 0.5 s.
#
#   bench/collector.sh [N]          (default 10000; NETCENSUS=path, default
#                                    build/netcensus)
#
# The reports are netcensus JSON device reports of about 1.5 KB (sys
# fields, two addresses, an interface, a few open ports), each of another
# address, so every one makes a new device: the server's slowest path.
# Nothing leaves 127.0.0.1.
set -u
N=${1:-10000}
NETCENSUS=${NETCENSUS:-$(dirname "$0")/../build/netcensus}
T=$(mktemp -d /tmp/ncbench-coll.XXXXXX)
SPID=
CPID=
cleanup() {
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
"$NETCENSUS" serve --db "$T/nc.db" --listen "https://127.0.0.1:$PORT" \
	--tls-self-signed 2>"$T/server.log" &
SPID=$!
i=0
until curl -s --cacert "$T/tls-self-signed.crt" -o /dev/null \
	"https://127.0.0.1:$PORT/api/v1/health" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "server did not start"; cat "$T/server.log"; exit 1; }
	sleep 0.1
done
U=https://127.0.0.1:$PORT
export CURL_CA_BUNDLE="$T/tls-self-signed.crt"
ADM=$("$NETCENSUS" admin --db "$T/nc.db" token create --user admin 2>/dev/null)
echo "pw-bench-collector" | "$NETCENSUS" admin --db "$T/nc.db" user add bench \
	--role collector >/dev/null 2>&1
"$NETCENSUS" admin --db "$T/nc.db" token create --user bench 2>/dev/null >"$T/token"
CT=$(cat "$T/token")
curl -s -H "Authorization: Bearer $CT" -X POST "$U/api/v1/collectors/register" \
	-d '{"name":"bench"}' >/dev/null
curl -s -H "Authorization: Bearer $ADM" -X POST "$U/api/v1/discoveries" \
	-d '{"name":"bench","targets":"198.18.0.0/16","collector":"bench","options":{"max_targets":65536}}' >/dev/null
RUN=$(curl -s -H "Authorization: Bearer $ADM" -X POST "$U/api/v1/discoveries/1/run" | jq .id)
curl -s -H "Authorization: Bearer $CT" "$U/api/v1/collectors/jobs" |
	jq -e ".jobs[0].run_id == $RUN" >/dev/null || { echo "no job"; exit 1; }

# the spool, as the collector writes it (spool.h): SEQ-report-ADDR.json
/usr/bin/python3 - "$T/spool" "$N" "$RUN" <<'EOF'
import json, os, sys
d, n, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, mode=0o700)
for i in range(n):
    ip = "198.18.%d.%d" % (i // 250, i % 250 + 1)
    mac = "02:00:00:00:%02x:%02x" % (i // 256, i % 256)
    report = {
        "sys": {"ip": ip, "hostname": "bench-%05d" % i, "mac": mac,
                "type": "computer", "os_family": "Linux",
                "os_name": "Debian GNU/Linux 12", "manufacturer": "Bench"},
        "ip": [{"ip": ip, "mac": mac, "netmask": "255.255.0.0",
                "version": 4, "network": "198.18.0.0/16"},
               {"ip": "fe80::%x" % (i + 1), "mac": mac, "version": 6}],
        "network": [{"mac": mac, "name": "eth0", "ifindex": 2,
                     "speed": 1000000000, "ip_enabled": "up"}],
        "netstat": [{"protocol": "tcp", "port": p, "program": "svc"}
                    for p in (22, 80, 443, 8080)],
        "source": {"name": "discovery", "format": "netcensus",
                   "time": "2026-12-05 12:00:00"},
    }
    item = {"id": "%032x" % (i + 1), "kind": "report", "run_id": run,
            "device": ip, "body": {"report": report, "ssh": None}}
    with open(os.path.join(d, "%016x-report-%s.json" % (i, ip)), "w") as f:
        json.dump(item, f, separators=(",", ":"))
EOF
BYTES=$(du -sb "$T/spool" | cut -f1)

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime+stime, ticks
HZ=$(getconf CLK_TCK)
S0=$(cpu "$SPID")
t0=$(date +%s%N)
"$NETCENSUS" collector --once --server "$U" --token-file "$T/token" \
	--ca "$T/tls-self-signed.crt" --name bench --spool "$T/spool" \
	--subnets 198.18.0.0/15 2>"$T/collector.log" &
CPID=$!
: >"$T/rss"
while kill -0 "$CPID" 2>/dev/null; do
	r=$(awk '/VmRSS/ {print $2}' "/proc/$CPID/status" 2>/dev/null)
	c=$(cpu "$CPID" 2>/dev/null)
	[ -n "$r" ] && echo "$(( ($(date +%s%N) - t0) / 1000000 )) $r ${c:-0}" >>"$T/rss"
	sleep 0.5
done
wait "$CPID"
RC=$?
CPID=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
S1=$(cpu "$SPID")
left=$(find "$T/spool" -maxdepth 1 -name '*.json' | wc -l)
devices=$(curl -s -H "Authorization: Bearer $ADM" "$U/api/v1/devices?limit=1" | jq .count)
stored=$(curl -s -H "Authorization: Bearer $ADM" "$U/api/v1/discovery-runs/$RUN" |
	jq '.log_counts.store.created // 0')
echo "reports        $N ($(( BYTES / N )) bytes each on disk)"
echo "collector exit $RC, spool left $left"
echo "devices        $devices stored, $stored store rows in run $RUN"
echo "time           $ms ms"
echo "rate           $(( N * 1000 / (ms > 0 ? ms : 1) )) reports/s"
echo "server CPU     $(( (S1 - S0) * 1000 / HZ )) ms; collector CPU $(( $(tail -1 "$T/rss" | cut -d' ' -f3) * 1000 / HZ )) ms (last sample)"
echo "collector RSS  (KiB; ms since start, RSS):"
awk 'NR == 1 || NR % 10 == 0 {printf "  %8d ms %7d KiB\n", $1, $2}
     {if ($2 > max) max = $2; if (min == "" || $2 < min) min = $2}
     END {printf "  min %d KiB, max %d KiB over %d samples\n", min, max, NR}' "$T/rss"
