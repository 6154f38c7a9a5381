#!/bin/bash
# SSH audit benchmark, run on purpose (not a pass/fail test): in the
# namespace lab with N OpenSSH hosts (default 20; tests/lab/lab.sh up --ssh
# N), time
#   A. each host audited alone: `netcensus discover` of that one address
#      (login + the collection script over one exec channel + parse);
#   B. all N hosts audited in parallel by one `netcensus discover` of the
#      lab's SSH segment (--ssh-concurrency N), with the per-host job time
#      from its discovery log (--db);
# and print per-host and total times against the goals: B's total under 3x
# the slowest host of A, and one host under 10 s. For reference it also
# times `netcensus audit` run directly inside one lab host (no SSH).
#
#   bench/ssh.sh [--hosts N] [--build DIR]
#
# Needs root (network namespaces), openssh-server, jq, sqlite3. Every packet
# stays inside the lab's namespaces; the lab is torn down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=20
BUILD=build
while [ $# -gt 0 ]; do
	case $1 in
	--hosts) HOSTS=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	*) echo "usage: bench/ssh.sh [--hosts N] [--build DIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/ssh.sh: needs root" >&2; exit 1; }
NC=$PWD/$BUILD/netcensus
[ -x "$NC" ] || { echo "bench/ssh.sh: no $NC (make BUILD=$BUILD)" >&2; exit 1; }

LAB=tests/lab/lab.sh
P=ncbs
export NCLAB_QUIET=1
TMP=$(mktemp -d /tmp/ncbenchssh.XXXXXX)
trap '"$LAB" down --prefix "$P" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

ms() { echo $(($(date +%s%N) / 1000000)); }

t0=$(ms)
"$LAB" up --prefix "$P" --hosts 1 --ssh "$HOSTS"
echo "lab with $HOSTS sshd hosts up in $(($(ms) - t0)) ms"
"$LAB" check --prefix "$P"
"$LAB" truth --prefix "$P" >"$TMP/truth.json"
SSH_LAN=$(jq -r .ssh_lan "$TMP/truth.json")
NOBANNER=$(jq -r '.hosts[] | select(.role == "ssh-nobanner") | .ip' "$TMP/truth.json")
jq -r '.hosts[] | select(.role == "sshd") | "\(.ip) \(.ssh.hostname)"' \
	"$TMP/truth.json" >"$TMP/hosts"
# The key works on every lab host (half of them take keys only).
jq '[{type: "ssh_key", name: "lab-key", username: .ssh.username,
      key_file: .ssh.key_file}]' "$TMP/truth.json" >"$TMP/creds.json"

in_lab() { ip netns exec "$P-scan" "$@"; }
echo "machine: $(nproc) CPUs, $(uname -r); $(dpkg-query -W | wc -l) packages"

# Reference: the collection script alone, inside one host, no SSH.
first=$(head -1 "$TMP/hosts" | cut -d' ' -f2)
t0=$(ms)
"$LAB" hexec --prefix "$P" "$first" "$NC" audit --json >/dev/null
echo "netcensus audit inside $first (no SSH): $(($(ms) - t0)) ms"

# A. one host at a time.
echo
echo "A. each host alone (netcensus discover --no-dns ADDR)"
slowest=0
: >"$TMP/solo"
while read -r ip name; do
	t0=$(ms)
	in_lab "$NC" discover --json --no-dns --credentials "$TMP/creds.json" \
		"$ip" >"$TMP/solo.json" 2>"$TMP/solo.err"
	t=$(($(ms) - t0))
	sw=$(jq '.[0].software | length' "$TMP/solo.json")
	printf '  %-14s %-12s %6d ms  %d packages\n' "$ip" "$name" "$t" "$sw"
	[ "$sw" -gt 0 ] || sed 's/^/    ! /' "$TMP/solo.err"
	echo "$ip $t" >>"$TMP/solo"
	[ "$t" -gt "$slowest" ] && slowest=$t
done <"$TMP/hosts"
fastest=$(sort -k2 -n "$TMP/solo" | head -1 | cut -d' ' -f2)
echo "  slowest $slowest ms, fastest $fastest ms"

# B. every host at once.
echo
echo "B. all $HOSTS hosts in one run (--ssh-concurrency $HOSTS, the banner-less $NOBANNER excluded)"
DB=$TMP/bench.db
t0=$(ms)
in_lab /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$NC" discover --json \
	--no-dns --db "$DB" --ssh-concurrency "$HOSTS" --exclude "$NOBANNER" \
	--credentials "$TMP/creds.json" "$SSH_LAN" >"$TMP/all.json" 2>/dev/null
total=$(($(ms) - t0))
read -r wall user sys rss <"$TMP/time"
audited=$(jq '[.[] | select((.software | length) > 0)] | length' "$TMP/all.json")
sqlite3 -separator ' ' "$DB" "SELECT ip, duration_ms FROM discovery_log WHERE stage = 'ssh' AND outcome = 'ok' ORDER BY duration_ms" |
	while read -r ip d; do
		printf '  %-14s %-12s %6d ms (job)\n' "$ip" "$(grep "^$ip " "$TMP/hosts" | cut -d' ' -f2)" "$d"
	done
ips=$(sed "s/ .*//; s/.*/'&'/" "$TMP/hosts" | paste -sd,)
sqlite3 -separator ' ' "$DB" "SELECT ip, stage, outcome, message FROM discovery_log WHERE (stage = 'ssh' AND outcome != 'ok') OR (stage = 'discovery' AND outcome = 'dead' AND ip IN ($ips))" |
	sed 's/^/    ! /'
echo "  total $total ms wall (netcensus: ${user}s user, ${sys}s sys, $((rss / 1024)) MB peak RSS); $audited of $HOSTS audited"

echo
ratio=$(awk -v a="$total" -v b="$slowest" 'BEGIN { printf "%.2f", a / b }')
echo "goal 1: total of $HOSTS in parallel under 3x the slowest single host: $total ms / $slowest ms = ${ratio}x -> $(awk -v r="$ratio" 'BEGIN { print (r < 3 ? "met" : "NOT met") }')"
echo "goal 2: one host under 10 s: slowest alone $slowest ms -> $([ "$slowest" -lt 10000 ] && echo met || echo "NOT met")"
