#!/bin/bash
# Host discovery benchmark, run on purpose (not a pass/fail test): in the
# namespace lab, in one run, time
#   netcensus discover   (host discovery only: --ports none --no-dns)
#   nmap -sn -n          (nmap's ping scan, no reverse DNS)
#   nmap -sn -n -T4
#   fping -g -a -q       (ICMP only)
# on (a) a /24 with about 100 live hosts, (b) a /20 with about 1% live
# (both behind a router) and (c) one L2 segment: a /22 the scanner sits
# on with 138 live hosts, some ignoring ICMP and some dropping all IP
# (lab.sh up --l2), where netcensus, nmap and arp-scan all use ARP; there
# netcensus's MACs are also checked against the lab's, netcensus --no-arp
# (ICMP/TCP, as before ARP/NDP) runs too, and the bound is printed:
# addresses / rate + the last reply wait (0.5 s).
# For each it prints: wall time, hosts found (recall against lab.sh truth),
# packets sent (tx counter of the scanner's veth), packets per second (the
# average, and the peak over any 1 s window, sampled every 50 ms), CPU
# time and peak RSS (/usr/bin/time), and the ratios to netcensus; each
# round says the load average first, and the scenario ends with each
# tool's median wall time over the rounds and how many rounds netcensus
# beat each other tool in. --base BIN (or NETCENSUS_BASE) runs a second
# netcensus build as nc-base in every round, right after netcensus, for a
# before/after in the same run; --skip-no-arp leaves out the slow
# netcensus --no-arp run of (c).
#
#   bench/discovery.sh [--build DIR] [--rounds R] [--only dense|sparse|l2]
#                      [--base BIN] [--skip-no-arp]
#
# Run it under `nice -n 19` on a shared machine: every tool is then niced
# the same way.
#
# Needs root (network namespaces), nmap, fping, snmpd, jq, /usr/bin/time;
# arp-scan for (c) (skipped without it).
# Every packet stays inside the lab's namespaces: the scanner namespace is
# checked for a default route before anything is sent; the lab is torn down
# on exit. The SNMP comparison (50 agents) is bench/snmp.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build
ROUNDS=1
ONLY=
BASE=${NETCENSUS_BASE:-}
NOARP=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--base) BASE=$2; shift 2 ;;
	--skip-no-arp) NOARP=0; shift ;;
	*) echo "usage: bench/discovery.sh [--build DIR] [--rounds R] [--only dense|sparse|l2] [--base BIN] [--skip-no-arp]" >&2; exit 2 ;;
	esac
done
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "bench/discovery.sh: --base $BASE is not an executable" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/discovery.sh: needs root" >&2; exit 1; }
for t in nmap fping jq /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench/discovery.sh: $t is missing" >&2; exit 1; }
done
NC=${NETCENSUS:-$PWD/$BUILD/netcensus}
[ -x "$NC" ] || make -s BUILD="$BUILD" "$BUILD/netcensus"

LAB=tests/lab/lab.sh
P=ncd$(($$ % 100000))	# unique per run: others may run the lab too
export NCLAB_QUIET=1 MIBS=
TMP=$(mktemp -d /tmp/ncbenchd.XXXXXX)
trap '"$LAB" down --prefix "$P" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

SCAN=$P-scan
tx() { ip netns exec "$SCAN" cat /sys/class/net/eth0/statistics/tx_packets; }

# peak_pps SAMPLES — the highest packet rate over a window of at least
# 1 s, from "uptime tx_packets" lines
peak_pps() {
	awk '{ t[NR] = $1; p[NR] = $2 }
	     END { j = 1; best = 0
		   for (i = 2; i <= NR; i++) {
			while (j + 1 < i && t[i] - t[j + 1] >= 1) j++
			if (t[i] - t[j] >= 1 && (p[i] - p[j]) / (t[i] - t[j]) > best)
				best = (p[i] - p[j]) / (t[i] - t[j])
		   }
		   printf "%.0f\n", best }' "$1"
}

# the namespace whose ARP table the run fills: the router's, or on the
# L2 segment the scanner's own
NT_NS=rtr
fulls() { ip netns exec "$P-$NT_NS" ip -s ntable show name arp_cache | awk '/table_fulls/ {print $2}'; }
SELF=	# the scanner's own address, when it is a target (not counted)

# run NAME OUTFILE CMD... — runs CMD in the scanner namespace under
# /usr/bin/time; appends "name wall user sys rss_kb packets found wrong
# arp_table_fulls" to $TMP/results. OUTFILE gets the command's stdout
# (addresses on lines not starting with '#' are what it found).
run() {
	local name=$1 out=$2 t0 t1 f0
	shift 2
	sleep 4	# let the router's ARP entries of the last run expire
	f0=$(fulls)
	t0=$(tx)
	ip netns exec "$SCAN" sh -c 'while :; do read -r u _ </proc/uptime
		read -r p </sys/class/net/eth0/statistics/tx_packets
		echo "$u $p"; sleep 0.05; done' >"$TMP/samples" 2>/dev/null &
	local sampler=$!
	/usr/bin/time -f "%e %U %S %M" -o "$TMP/time" \
		ip netns exec "$SCAN" "$@" >"$out" 2>"$TMP/stderr" || true
	t1=$(tx)
	sleep 0.1
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	grep -v '^#' "$out" | grep -oE '\b198\.18\.[0-9]+\.[0-9]+\b' | sort -u |
		grep -vxF "${SELF:-none}" >"$out.ips" || true
	local found invented wall user sys rss
	found=$(comm -12 "$TMP/want" "$out.ips" | wc -l)
	invented=$(comm -13 "$TMP/want" "$out.ips" | wc -l)
	# the last line: /usr/bin/time may first say "exited with status 1"
	read -r wall user sys rss < <(tail -1 "$TMP/time")
	echo "$name $wall $user $sys $rss $((t1 - t0)) $found $invented $(($(fulls) - f0)) $(peak_pps "$TMP/samples")" >>"$TMP/results"
}

report() {
	local title=$1 live=$2 n=$3
	echo
	echo "== $title: $n addresses, $live live (lab.sh truth)"
	printf '%-14s %8s %7s %7s %7s %9s %8s %9s %9s %6s %11s\n' tool wall_s user_s sys_s rss_MB packets pkt/s peak_pps found wrong arp_fulls
	awk '{ printf "%-14s %8.2f %7.2f %7.2f %7.1f %9d %8.0f %9d %5d/%-3d %6d %11d\n",
		$1, $2, $3, $4, $5 / 1024, $6, ($2 > 0 ? $6 / $2 : 0), $10, $7, '"$live"', $8, $9 }' "$TMP/results"
	awk 'NR == 1 { nc = $2; ncp = $6; ncc = $3 + $4 }
	     NR > 1 { printf "  %-32s %5.1fx the wall time of netcensus, %5.1fx its packets, %5.1fx its CPU\n",
		$1, $2 / nc, (ncp ? $6 / ncp : 0), (ncc > 0 ? ($3 + $4) / ncc : 0) }' "$TMP/results"
}

# medians TITLE — each tool's median wall time over the rounds of
# $TMP/all-TITLE, and the rounds netcensus was faster than it in
medians() {
	echo "  over $ROUNDS round(s): median wall s, and rounds netcensus was faster"
	awk '{ w[$1, ++n[$1]] = $2; if ($1 == "netcensus") nc[n[$1]] = $2
	       else if ($2 > nc[n[$1]]) beat[$1]++ }
	     END { for (t in n) {
			m = n[t]
			for (i = 1; i <= m; i++) v[i] = w[t, i]
			for (i = 2; i <= m; i++)	# insertion sort
				for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
					x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
			med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
			if (t == "netcensus")
				printf "    %-14s %6.2f s\n", t, med
			else
				printf "    %-14s %6.2f s  netcensus faster in %d of %d\n", t, med, beat[t], m
		} }' "$TMP/all-$1" | sort
}

scenario() {
	local title=$1
	shift
	"$LAB" up --prefix "$P" "$@"
	# safety: the scanner has no default route, only the lab prefix
	"$LAB" check --prefix "$P"
	[ -z "$(ip -n "$SCAN" route show default)" ] || { echo "default route in $SCAN" >&2; exit 1; }
	"$LAB" truth --prefix "$P" >"$TMP/truth.json"
	local lan live n
	lan=$(jq -r .lan "$TMP/truth.json")
	jq -r '.hosts[] | select(.found) | .ip' "$TMP/truth.json" | sort >"$TMP/want"
	live=$(wc -l <"$TMP/want")
	n=$(( 1 << (32 - ${lan#*/}) ))
	for ((r = 1; r <= ROUNDS; r++)); do
		: >"$TMP/results"
		echo "load average before round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
		run "netcensus" "$TMP/nc.out" "$NC" discover --ports none --no-dns "$lan"
		[ -z "$BASE" ] || run "nc-base" "$TMP/ncb.out" "$BASE" discover --ports none --no-dns "$lan"
		run "nmap-sn" "$TMP/nmap.out" nmap -sn -n "$lan" -oG -
		run "nmap-sn-T4" "$TMP/nmap4.out" nmap -sn -n -T4 "$lan" -oG -
		run "fping-g" "$TMP/fping.out" fping -g -a -q "$lan"
		report "$title (round $r)" "$live" "$n"
		cat "$TMP/results" >>"$TMP/all-$title"
	done
	medians "$title"
	echo "  arp_fulls: times the kernel's ARP table (shared by every namespace"
	echo "  on this host, 1024 entries) was full during the run - probes lost"
	"$LAB" down --prefix "$P" >/dev/null
}

# (c) the L2 segment: ARP everywhere; netcensus's MACs checked too
scenario_l2() {
	local lan live n r rate
	NT_NS=scan
	"$LAB" up --prefix "$P" --l2 --hosts 138
	"$LAB" check --prefix "$P"
	[ -z "$(ip -n "$SCAN" route show default)" ] || { echo "default route in $SCAN" >&2; exit 1; }
	"$LAB" truth --prefix "$P" >"$TMP/truth.json"
	lan=$(jq -r .lan "$TMP/truth.json")
	SELF=$(jq -r .scanner_ip "$TMP/truth.json")
	jq -r '.hosts[] | select(.found) | .ip' "$TMP/truth.json" | sort >"$TMP/want"
	jq -r '.hosts[] | "\(.ip) \(.mac)"' "$TMP/truth.json" | sort >"$TMP/want-mac"
	live=$(wc -l <"$TMP/want")
	n=$(( 1 << (32 - ${lan#*/}) ))
	rate=$("$NC" discover --help | sed -n 's/.*(default \([0-9]*\);.*/\1/p' | head -1)
	for ((r = 1; r <= ROUNDS; r++)); do
		: >"$TMP/results"
		echo "load average before round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
		run "netcensus" "$TMP/nc.out" "$NC" discover --ports none --no-dns "$lan"
		awk 'NR > 1 && $2 ~ /:/ {print $1, $2}' "$TMP/nc.out" | sort >"$TMP/nc-mac"
		if [ -n "$BASE" ]; then
			run "nc-base" "$TMP/ncb.out" "$BASE" discover --ports none --no-dns "$lan"
			awk 'NR > 1 && $2 ~ /:/ {print $1, $2}' "$TMP/ncb.out" | sort >"$TMP/ncb-mac"
		fi
		run "nmap-sn-T4" "$TMP/nmap4.out" nmap -sn -n -T4 "$lan" -oG -
		if command -v arp-scan >/dev/null; then
			run "arp-scan" "$TMP/arps.out" arp-scan -I eth0 -q -x -g "$lan"
		fi
		# the path before ARP/NDP: ICMP/TCP, the kernel resolving each
		[ "$NOARP" = 0 ] ||
			run "nc-no-arp" "$TMP/nc-noarp.out" "$NC" discover --ports none --no-dns --no-arp "$lan"
		report "l2-22 (round $r)" "$live" "$n"
		echo "  netcensus MACs right: $(comm -12 "$TMP/want-mac" "$TMP/nc-mac" | wc -l)/$live (lab.sh truth: each host's own eth0)"
		[ -z "$BASE" ] ||
			echo "  nc-base MACs right: $(comm -12 "$TMP/want-mac" "$TMP/ncb-mac" | wc -l)/$live"
		awk -v n="$n" -v rate="${rate:-2400}" 'NR == 1 {
			b = n / rate + 0.5
			printf "  bound: %d addresses / %d per s + 0.5 s last reply wait = %.2f s; netcensus %.2f s = %.2fx the bound\n", n, rate, b, $2, $2 / b }' "$TMP/results"
		cat "$TMP/results" >>"$TMP/all-l2-22"
	done
	medians l2-22
	awk -v n="$n" -v rate="${rate:-2400}" '$1 == "netcensus" { w[++m] = $2 }
		END { for (i = 2; i <= m; i++)
			for (j = i; j > 1 && w[j - 1] > w[j]; j--) { x = w[j]; w[j] = w[j - 1]; w[j - 1] = x }
		      med = m % 2 ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2
		      printf "  netcensus median %.2f s = %.2fx the bound (%.2f s)\n", med, med / (n / rate + 0.5), n / rate + 0.5 }' "$TMP/all-l2-22"
	"$LAB" down --prefix "$P" >/dev/null
	NT_NS=rtr SELF=
}

echo "netcensus $("$NC" --version 2>/dev/null | awk '{print $2}'), $(nmap --version | head -1), $(fping --version 2>&1 | head -1)"
echo "defaults: $("$NC" discover --help | grep -A1 -- '--rate N' | tr -s ' ' | tr '\n' ' ')"
[ -n "$ONLY" ] && [ "$ONLY" != dense ] || scenario dense-24 --hosts 100
[ -n "$ONLY" ] && [ "$ONLY" != sparse ] || scenario sparse-20 --sparse
[ -n "$ONLY" ] && [ "$ONLY" != l2 ] || scenario_l2
