#!/bin/bash
# Windows fingerprint benchmark, run on purpose (not a pass/fail test): the
# NetBIOS + SMB fingerprint of N lab hosts (default 100) by `netcensus
# discover` and by `nmap -p445 --script smb-os-discovery`, in the same run,
# one after the other, both inside the lab's scanner namespace; prints the
# wall time of each, their ratio and how many hosts each reported each field
# for. bench/RESULTS.md records the runs.
#
# The hosts: namespaces (PREFIX-wfarmK) on the lab's Samba segment with up
# to PER addresses each (default 10; 198.18.6.100 and up) on one interface,
# served by one smbd and one nmbd per namespace (SMB1 enabled, so nmap's
# SMB1-only smb-os-discovery script can read them too). smbd accepts and
# forks each connection in its one parent process: fewer addresses per
# smbd make the server side more like separate hosts. One smbd cannot
# give each address its own name: the hosts of a namespace answer with
# the same NetBIOS name, which both tools report alike.
#
#   bench/windows.sh [--hosts N] [--per N] [--runs N] [--build DIR]
#
# Each of RUNS rounds (default 3) runs netcensus, then nmap; every round is
# printed with the load average, then the medians and their ratio. Each
# run also counts, per host, the SYNs the scanner sent (tcpdump in the
# scanner namespace) and the connections the farm accepted (the sum of
# the farm namespaces' TcpPassiveOpens, /proc/net/snmp: a handshake
# completed; a half-open SYN answered by a RST is not one).
#
# Each run is also charged its CPU: the farm's smbd/nmbd processes and the
# tool (with its children) each run in a cgroup of their own (v1 cpuacct
# or v2 cpu.stat), read before and after. Their sum over the machine's
# CPUs is the run's CPU floor: the wall no client could beat on this
# machine, however it scheduled its work, since all that CPU has to be
# spent. Samba forks a process per connection, so the farm's CPU per
# connection is far above a Windows server's; when a tool's wall is near
# its floor the farm, not the tool, is the bound.
#
# Needs root (network namespaces), samba, nmap (installed from Debian when
# missing), jq, xmllint. Every packet stays inside the lab's namespaces (the
# scanner's routes are checked first); the lab is torn down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=100
BUILD=build
PER=10
RUNS=3
while [ $# -gt 0 ]; do
	case $1 in
	--hosts) HOSTS=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--per) PER=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) echo "usage: bench/windows.sh [--hosts N] [--per N] [--runs N] [--build DIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/windows.sh: needs root" >&2; exit 1; }
[ "$HOSTS" -ge 1 ] && [ "$HOSTS" -le 150 ] ||
	{ echo "bench/windows.sh: --hosts 1..150" >&2; exit 2; }
[ "$PER" -ge 1 ] && [ "$PER" -le 50 ] ||
	{ echo "bench/windows.sh: --per 1..50" >&2; exit 2; }
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] ||
	{ echo "bench/windows.sh: --runs 1..20" >&2; exit 2; }
NC=$PWD/$BUILD/netcensus
[ -x "$NC" ] || { echo "bench/windows.sh: no $NC (make BUILD=$BUILD)" >&2; exit 1; }
command -v nmap >/dev/null || apt-get install -y nmap >/dev/null
command -v xmllint >/dev/null || apt-get install -y libxml2-utils >/dev/null
command -v tcpdump >/dev/null || apt-get install -y tcpdump >/dev/null ||
	{ echo "bench/windows.sh: tcpdump is needed to count SYNs (apt-get install tcpdump)" >&2; exit 1; }

LAB=tests/lab/lab.sh
P=ncbw$(($$ % 10000))
export NCLAB_QUIET=1
TMP=$(mktemp -d /tmp/ncbenchwin.XXXXXX)
# KEEP=1 leaves the lab and the outputs for a look (lab.sh down --prefix P)
trap '[ -n "${KEEP:-}" ] || { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; cg_rm; rm -rf "$TMP"; }' EXIT

"$LAB" up --prefix "$P" --hosts 1 --smb
"$LAB" check --prefix "$P"
in_lab() { ip netns exec "$P-scan" "$@"; }
# CPU accounting: cgroups PREFIX-farm (smbd, nmbd) and PREFIX-tool (each
# tool run); cg_ns NAME prints the CPU nanoseconds they used so far
if [ -d /sys/fs/cgroup/cpuacct ]; then
	CGROOT=/sys/fs/cgroup/cpuacct
	cg_ns() { cat "$CGROOT/$P-$1/cpuacct.usage"; }
else
	CGROOT=/sys/fs/cgroup
	cg_ns() { echo $(($(awk '$1 == "usage_usec" {print $2}' "$CGROOT/$P-$1/cpu.stat") * 1000)); }
fi
mkdir -p "$CGROOT/$P-farm" "$CGROOT/$P-tool" ||
	{ echo "bench/windows.sh: cannot make cgroups under $CGROOT" >&2; exit 1; }
cg_rm() { # after every process of the group has exited
	local g t
	for g in farm tool; do
		t=0
		while [ -d "$CGROOT/$P-$g" ] && [ $((t += 1)) -le 50 ]; do
			rmdir "$CGROOT/$P-$g" 2>/dev/null || sleep 0.1
		done
	done
}
# in_cg GROUP CMD...: CMD (exec'd) inside cgroup PREFIX-GROUP
in_cg() { local g=$1; shift; bash -c 'echo $$ >"$0"; exec "$@"' "$CGROOT/$P-$g/cgroup.procs" "$@"; }
[ -z "$(ip -n "$P-scan" -4 route show default)" ] ||
	{ echo "bench/windows.sh: scanner has a default route" >&2; exit 1; }

# the farm: namespaces PREFIX-wfarmK of up to PER addresses each on one
# interface, one smbd + nmbd per namespace (nmbd stops answering node
# status past about 64 addresses of its own)
farm() { # farm K FIRST COUNT
	local ns=$P-wfarm$1 first=$2 n=$3 d=$TMP/smb$1 ifaces="" i
	ip netns add "$ns"
	ip -n "$ns" link add eth0 type veth peer name "pwf$1" netns "$P-rtr"
	{
		echo "link set lo up"
		echo "link set eth0 up"
		for ((i = first; i < first + n; i++)); do
			echo "addr add 198.18.6.$i/24 dev eth0"
		done
		echo "route add 198.18.0.0/15 via 198.18.6.1"
	} | ip -n "$ns" -batch -
	ip -n "$P-rtr" link set "pwf$1" master br0 up
	ip netns exec "$ns" sh -c 'echo 128 >/proc/sys/net/ipv4/ip_default_ttl'
	# each address its own socket: nmbd then answers node status from
	# the address asked (a reply from another one is not an answer)
	for ((i = first; i < first + n; i++)); do ifaces+="198.18.6.$i/24 "; done
	mkdir -p "$d"/{private,lock,state,cache,pid,ncalrpc,share}
	cat >"$d/smb.conf" <<-EOF
		[global]
		workgroup = NCBENCHWG
		netbios name = NCFARM$1
		server role = standalone server
		interfaces = $ifaces
		bind interfaces only = yes
		server min protocol = NT1
		private dir = $d/private
		lock directory = $d/lock
		state directory = $d/state
		cache directory = $d/cache
		pid directory = $d/pid
		ncalrpc dir = $d/ncalrpc
		log file = $d/%m.log
		load printers = no
		printing = bsd
		printcap name = /dev/null
		disable spoolss = yes
		local master = no
		domain master = no
		preferred master = no
		[share]
		path = $d/share
		read only = yes
	EOF
	in_cg farm ip netns exec "$ns" setsid /usr/sbin/smbd --foreground --no-process-group \
		-s "$d/smb.conf" </dev/null >"$TMP/smbd$1.out" 2>&1 &
	in_cg farm ip netns exec "$ns" setsid /usr/sbin/nmbd --foreground --no-process-group \
		-s "$d/smb.conf" </dev/null >"$TMP/nmbd$1.out" 2>&1 &
}
for ((k = 0; k * PER < HOSTS; k++)); do
	n=$((HOSTS - k * PER))
	[ "$n" -le "$PER" ] || n=$PER
	farm "$k" $((100 + k * PER)) "$n"
done
LAST=198.18.6.$((100 + HOSTS - 1))
for ((t = 0; t < 300; t++)); do
	in_lab bash -c "exec 3<>/dev/tcp/$LAST/445" 2>/dev/null && break
	sleep 0.1
done
for ((t = 0; t < 60; t++)); do # nmbd has registered its names
	in_lab nmblookup -A "$LAST" 2>/dev/null | grep -q 'NCBENCHWG.*<00> - <GROUP>' && break
	sleep 0.5
done
RANGE=198.18.6.100-$LAST
NM_RANGE=198.18.6.100-$((100 + HOSTS - 1))
echo "machine: $(nproc) CPUs, $(uname -r); nmap $(nmap --version | head -1 | awk '{print $3}'); Samba $(smbd --version | awk '{print $2}')"
echo "targets: $HOSTS addresses $RANGE, one smbd + nmbd per $PER"

timed() { # timed OUT CMD... — wall seconds of CMD (stdout to OUT)
	local t0 t1 out=$1
	shift
	t0=$(date +%s%N)
	"$@" >"$out.out" 2>"$out.err" || true
	t1=$(date +%s%N)
	echo "scale=2; ($t1 - $t0) / 1000000000" | bc
}
nc_count() { jq "[.[] | select(.sys.$2 != null and .sys.$2 != \"\")] | length" "$1"; }
nm_count() { # hosts whose smb-os-discovery output has element key=$2
	xmllint --xpath "count(//host[hostscript/script[@id='smb-os-discovery']/elem[@key='$2']])" \
		"$1" 2>/dev/null || echo 0
}
# connections the farm's namespaces accepted so far (handshakes completed)
accepted() {
	local ns sum=0 v
	for ns in $(ip netns list | awk -v p="^$P-wfarm" '$1 ~ p {print $1}'); do
		v=$(ip netns exec "$ns" awk '/^Tcp:/ {if (h) {print $7; exit} h = 1}' /proc/net/snmp)
		sum=$((sum + v))
	done
	echo "$sum"
}
# counted NAME CMD...: runs CMD with tcpdump counting the scanner's SYNs
# (SYN without ACK) and the farm's accepted connections; the wall
# seconds on stdout, "SYNS ACCEPTED" per host into $TMP/NAME.conn
counted() {
	local name=$1 a0 a1 f0 f1 u0 u1 s t
	shift
	ip netns exec "$P-scan" tcpdump -ni eth0 -w "$TMP/$name.pcap" \
		'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' \
		2>"$TMP/$name.td" &
	t=$!
	for ((s = 0; s < 100; s++)); do
		grep -q listening "$TMP/$name.td" 2>/dev/null && break
		sleep 0.1
	done
	a0=$(accepted)
	f0=$(cg_ns farm)
	u0=$(cg_ns tool)
	timed "$TMP/$name" in_cg tool ip netns exec "$P-scan" "$@"
	u1=$(cg_ns tool)
	f1=$(cg_ns farm)
	a1=$(accepted)
	sleep 1 # the last SYNs reach the capture file
	kill "$t"
	wait "$t" 2>/dev/null || true
	s=$(tcpdump -r "$TMP/$name.pcap" 2>/dev/null | wc -l)
	echo "scale=2; $s / $HOSTS" | bc >"$TMP/$name.conn"
	echo "scale=2; ($a1 - $a0) / $HOSTS" | bc >>"$TMP/$name.conn"
	# CPU seconds: the farm's, the tool's, and their floor on nproc CPUs
	echo "scale=2; ($f1 - $f0) / 1000000000" | bc >"$TMP/$name.cpu"
	echo "scale=2; ($u1 - $u0) / 1000000000" | bc >>"$TMP/$name.cpu"
	echo "scale=2; ($f1 - $f0 + $u1 - $u0) / 1000000000 / $(nproc)" | bc >>"$TMP/$name.cpu"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# RUNS rounds of netcensus then nmap, the same targets: on a shared machine
# one round's figures move with the others' load, so each round is printed
# with the load average and the medians compared
echo
echo "| round | tool | wall s | load (1 min) | farm / tool CPU s | CPU floor s | SYNs / accepted connections per host | hosts with an SMB answer | NetBIOS name | workgroup | OS / version | dialect / signing / SMB1 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
: >"$TMP/nc.times"
: >"$TMP/nmap.times"
for ((r = 1; r <= RUNS; r++)); do
	L=$(cut -d' ' -f1 /proc/loadavg)
	S=$(counted "nc$r" "$NC" discover --json --no-dns --no-snmp \
		--ports 445 "$RANGE")
	echo "$S" >>"$TMP/nc.times"
	o=$TMP/nc$r.out
	echo "| $r | netcensus | $S | $L | $(head -2 "$TMP/nc$r.cpu" | paste -sd/) | $(sed -n 3p "$TMP/nc$r.cpu") | $(paste -sd/ "$TMP/nc$r.conn") | $(nc_count "$o" smb_dialect) | $(nc_count "$o" netbios_name) | $(nc_count "$o" workgroup) | $(nc_count "$o" ntlm_os_version) | $(nc_count "$o" smb_dialect) / $(nc_count "$o" smb_signing) / $(nc_count "$o" smb1) |"
	sleep 2
	L=$(cut -d' ' -f1 /proc/loadavg)
	S=$(counted "nmap$r" nmap -n -p445 --script smb-os-discovery \
		-oX - "$NM_RANGE")
	echo "$S" >>"$TMP/nmap.times"
	o=$TMP/nmap$r.out
	echo "| $r | nmap | $S | $L | $(head -2 "$TMP/nmap$r.cpu" | paste -sd/) | $(sed -n 3p "$TMP/nmap$r.cpu") | $(paste -sd/ "$TMP/nmap$r.conn") | $(xmllint --xpath "count(//host[hostscript/script[@id='smb-os-discovery']])" "$o" 2>/dev/null || echo 0) | $(nm_count "$o" server) | $(nm_count "$o" workgroup) | $(nm_count "$o" os) | - (other scripts) |"
	sleep 2
done
NC_S=$(median <"$TMP/nc.times")
NMAP_S=$(median <"$TMP/nmap.times")
echo
echo "median wall s: netcensus $NC_S, nmap $NMAP_S; ratio nmap / netcensus: $(echo "scale=1; $NMAP_S / $NC_S" | bc)x"
# how near each tool's wall came to its run's CPU floor (the machine, not
# the tool, bound the run when it is near 1)
for t in nc nmap; do
	for ((r = 1; r <= RUNS; r++)); do
		echo "$(sed -n 3p "$TMP/$t$r.cpu") $(sed -n ${r}p "$TMP/$t.times")"
	done | awk '{printf "%.2f\n", ($1 > 0) ? $2 / $1 : 0}' | median >"$TMP/$t.over"
done
echo "median wall / CPU floor: netcensus $(cat "$TMP/nc.over"), nmap $(cat "$TMP/nmap.over")"
echo "netcensus sample: $(jq -c '[.[] | select(.sys.smb1 != null)][0].sys | {netbios_name, workgroup, hostname, ntlm_os_version, smb_dialect, smb_signing, smb1}' "$TMP/nc1.out")"
echo "nmap sample: $(xmllint --xpath "string((//script[@id='smb-os-discovery'])[1]/@output)" "$TMP/nmap1.out" 2>/dev/null | tr '\n' ' ')"
