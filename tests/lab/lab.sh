#!/bin/bash
# The netcensus test lab: a closed network of Linux network namespaces on
# 198.18.0.0/15 (RFC 2544 benchmarking space) with real Debian daemons as the
# devices. See docs/lab.md.
#
#   lab.sh up [--hosts N] [--sparse] [--agents N] [--ssh N] [--routed N] [--smb]
#             [--prefix NAME]
#   lab.sh up --l2 [--hosts N] [--prefix NAME]   one L2 segment (below)
#   lab.sh down [--prefix NAME]
#   lab.sh truth [--prefix NAME]       ground truth as JSON on stdout
#   lab.sh check [--prefix NAME]       scanner namespace has no default route
#   lab.sh exec [--prefix NAME] CMD…   run CMD in the scanner namespace
#   lab.sh hexec [--prefix NAME] HOST CMD…  run CMD inside sshd host HOST
#   lab.sh rotate-key [--prefix NAME] HOST  new host key for sshd host HOST
#   lab.sh status [--prefix NAME]
#
# Topology (nothing is added to the root namespace, not even an interface):
#
#   PREFIX-scan  eth0 198.19.255.2/30, one route: 198.18.0.0/15 via .1
#        |
#   PREFIX-rtr   pscan 198.19.255.1/30, br0 = LAN gateway (.1) + 198.18.2.1/24
#        |  bridge br0
#        +-- one namespace per service host (own MAC, TTL, daemons)
#        +-- PREFIX-farm    ping-only hosts: extra addresses on one interface
#        +-- PREFIX-rf      --routed N ping-only addresses in 198.18.64.0/18
#                           on its loopback, behind one route of the
#                           router (198.18.2.250): no ARP entry per address,
#                           so thousands fit (the kernel's ARP table, shared
#                           by every namespace, holds 1024); the rest of the
#                           /18 is dropped silently (bench/stream.sh)
#        +-- PREFIX-aK      --agents N Net-SNMP agents on 198.18.2.10+ (bench),
#                           one namespace each
#        +-- PREFIX-sK      --ssh N OpenSSH servers on 198.18.3.10+, one
#                           namespace and UTS namespace (hostname) each,
#                           plus PREFIX-snb on 198.18.3.9: accepts on 22/tcp
#                           and never sends a banner
#        +-- PREFIX-wK      --smb: two Samba hosts (smbd + nmbd, docs/windows.md)
#                           on 198.18.6.10 (SMB1 on) and .11 (SMB1 off, signing
#                           mandatory, a firewall that drops all but 137/udp,
#                           139 and 445/tcp: found through those only)
#
# The LAN is 198.18.0.0/24, or 198.18.16.0/20 with --sparse (about 1% live).
#
# --l2: a different lab, one flat segment with no router, for ARP/NDP:
#
#   PREFIX-scan  eth0 198.18.8.2/22 + 2001:2:0:8::2/64, no other route
#        |  bridge br0 in PREFIX-sw (no address)
#        +-- PREFIX-lK  --hosts N (default 138) hosts, one namespace and MAC
#                       each, at pseudo-random offsets of 198.18.8.0/22 and
#                       the same offsets in 2001:2:0:8::/64; every 7th
#                       ignores ICMP echo, every 11th drops all IP (nft):
#                       ARP still finds them, ICMP/TCP cannot
# Every process started runs inside a lab namespace and is recorded in the
# state directory; `down` kills only processes inside PREFIX-* namespaces
# and deletes only those namespaces.
set -euo pipefail

PREFIX=ncl
HOSTS=
SPARSE=0
AGENTS=0
STATE_ROOT=${NCLAB_STATE:-/run/netcensus-lab}
SNMPD=/usr/sbin/snmpd
PY=/usr/bin/python3
LABDIR=$(cd "$(dirname "$0")" && pwd)
COMMUNITY=public
V3_USER=ncv3user
V3_AUTH=ncv3authpass
V3_PRIV=ncv3privpass
V3_ENGINE=nclab-v3-agent
SCAN_IP=198.19.255.2
RTR_SCAN_IP=198.19.255.1
LAB_NET=198.18.0.0/15
AGENT_NET=198.18.2
SSH_NET=198.18.3
SSH_MAX=64
SSHD=/usr/sbin/sshd
# The same account and password as tests/unit/test_ssh.c.
SSH_USER=nctest
SSH_PASS=nc-Test-pass-7
SSHN=0
ROUTED=0
ROUTED_NET=198.18.64.0
SMB=0
SMB_NET=198.18.6
SMB_WORKGROUP=NCLABWG
SMBD=/usr/sbin/smbd
NMBD=/usr/sbin/nmbd
L2=0
L2_NET=198.18.8.0
L2_PLEN=22
L2_NET6=2001:2:0:8

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { [ -n "${NCLAB_QUIET:-}" ] || echo "lab.sh: $*" >&2; }

usage() {
	sed -n '6,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

ip2int() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# int2ip N — sets IP (no subshell: the /20 loops call it thousands of times)
int2ip() {
	local n=$1
	IP="$(((n >> 24) & 255)).$(((n >> 16) & 255)).$(((n >> 8) & 255)).$((n & 255))"
}

# ---------------------------------------------------------------- options
parse_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		--hosts) HOSTS=${2:?--hosts needs a number}; shift 2 ;;
		--sparse) SPARSE=1; shift ;;
		--agents) AGENTS=${2:?--agents needs a number}; shift 2 ;;
		--ssh) SSHN=${2:?--ssh needs a number}; shift 2 ;;
		--routed) ROUTED=${2:?--routed needs a number}; shift 2 ;;
		--smb) SMB=1; shift ;;
		--prefix) PREFIX=${2:?--prefix needs a name}; shift 2 ;;
		--l2) L2=1; shift ;;
		--) shift; break ;;
		-h|--help) usage ;;
		-*) die "unknown option $1 (see --help)" ;;
		*) break ;;
		esac
	done
	REST=("$@")
	[[ $PREFIX =~ ^[a-z][a-z0-9]{0,7}$ ]] ||
		die "--prefix must be 1-8 lower-case letters/digits: '$PREFIX'"
	[[ -z $HOSTS || $HOSTS =~ ^[0-9]{1,4}$ ]] || die "--hosts must be a number"
	[[ $AGENTS =~ ^[0-9]{1,3}$ ]] && [ "$AGENTS" -le 200 ] ||
		die "--agents must be 0-200"
	[[ $SSHN =~ ^[0-9]{1,2}$ ]] && [ "$SSHN" -le $SSH_MAX ] ||
		die "--ssh must be 0-$SSH_MAX"
	[[ $ROUTED =~ ^[0-9]{1,5}$ ]] && [ "$ROUTED" -le 16000 ] ||
		die "--routed must be 0-16000"
	STATE=$STATE_ROOT/$PREFIX
	NS_SCAN=$PREFIX-scan
	NS_RTR=$PREFIX-rtr
	NS_FARM=$PREFIX-farm
	NS_SW=$PREFIX-sw
}

# Only our own namespaces: PREFIX- followed by a name we create.
lab_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-[a-z0-9]+\$" || true
}

# ------------------------------------------------------------ safety check
# 0 when the scanner namespace exists, has no default route (v4 or v6) and
# every route it has stays inside 198.18.0.0/15.
check_scanner() {
	local ns=$NS_SCAN dst
	ip netns list | awk '{print $1}' | grep -qx "$ns" ||
		{ echo "lab.sh: scanner namespace $ns does not exist" >&2; return 1; }
	if [ -n "$(ip -n "$ns" -4 route show default)" ] ||
		[ -n "$(ip -n "$ns" -6 route show default 2>/dev/null)" ]; then
		echo "lab.sh: REFUSING: namespace $ns has a default route" >&2
		return 1
	fi
	while read -r dst _; do
		[ -n "$dst" ] || continue
		case $dst in
		198.18.*|198.19.*) ;;
		*) echo "lab.sh: REFUSING: $ns has a route to $dst outside $LAB_NET" >&2
		   return 1 ;;
		esac
	done < <(ip -n "$ns" -4 route show)
	return 0
}

# ------------------------------------------------------------- host table
# offset|role|mac|ttl|snmp|sysObjectID|sysName|sysDescr|sysLocation|sysContact|tcp|flags
#   snmp: v2c (v1+v2c, community public), v1 (v1 only), v3 (v3 only), none
#   flags: delay (300 ms netem), noicmp (ignores echo), dropall (nft drop)
HOST_TABLE='10|cisco-router|f4:bd:9e:18:00:0a|255|v2c|1.3.6.1.4.1.9.1.1045|rtr-core-1|Cisco IOS Software, ISR4400 Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, RELEASE SOFTWARE (fc2)|Lab rack 1, row A|netops@lab.example||
11|hp-printer|04:0e:3c:18:00:0b|64|v2c|1.3.6.1.4.1.11.2.3.9.1|printer-2f|HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012|Second floor, copy room|helpdesk@lab.example|80|
12|linux-server|98:e7:43:18:00:0c|64|v2c|1.3.6.1.4.1.8072.3.2.10|srv-db-1|Linux srv-db-1 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64|Server room, rack 4|sysadmin@lab.example||
13|apc-ups|00:c0:b7:18:00:0d|64|v1|1.3.6.1.4.1.318.1.3.27|ups-rack4|APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.9.6 PN:apc_hw05_aos_696.bin AF1:v6.9.6 AN1:apc_hw05_sumx_696.bin MN:AP9631 HR:05 SN: ZA1234567890 MD:01/15/2019)|Server room, rack 4|facilities@lab.example||
14|juniper-switch|94:f7:ad:18:00:0e|64|v3|1.3.6.1.4.1.2636.1.1.1.2.31|sw-access-3|Juniper Networks, Inc. ex4200-48t Ethernet Switch, kernel JUNOS 12.3R12.4, Build date: 2016-01-20 02:26:36 UTC|Third floor IDF|netops@lab.example||
15|ubiquiti-wap|74:83:c2:18:00:0f|64|v2c|1.3.6.1.4.1.41112.1.6|wap-lobby|Linux 3.3.8 #1 Mon Jan 8 10:47:51 PST 2018 mips UniFi AP-AC-Pro|Lobby ceiling|netops@lab.example||delay
16|windows-pc|70:bc:10:18:00:10|128|none||||||3389|
17|noicmp-web|0c:c4:7a:18:00:11|64|none||||||80|noicmp
18|dropall|dc:a6:32:18:00:12|64|none|||||||dropall'
FARM_MAC=00:11:32:18:ff:01
RTR_MAC=e4:5d:37:18:00:01

# ------------------------------------------------------------ state files
record_pid() { echo "$1 $2 $3" >>"$STATE/pids"; }

start_bg() {
	# start_bg NS WHAT LOG CMD... — runs CMD inside NS, detached, recorded.
	local ns=$1 what=$2 log=$3
	shift 3
	ip netns exec "$ns" setsid "$@" </dev/null >>"$log" 2>&1 &
	record_pid $! "$ns" "$what"
}

sysctls() {
	# sysctls NS "key=value" ... — one exec per namespace.
	local ns=$1 script="" kv
	shift
	for kv in "$@"; do
		script+="echo '${kv#*=}' > /proc/sys/${kv%%=*}; "
	done
	ip netns exec "$ns" sh -c "$script"
}

snmpd_conf() {
	# snmpd_conf FILE snmp sysObjectID sysName sysDescr sysLocation sysContact
	local f=$1 mode=$2
	{
		echo "sysObjectID .$3"
		echo "sysName $4"
		echo "sysDescr $5"
		echo "sysLocation $6"
		echo "sysContact $7"
		echo "sysServices 72"
		case $mode in
		v2c) echo "rocommunity $COMMUNITY default" ;;
		v1)
			echo "com2sec v1net default $COMMUNITY"
			echo "group v1grp v1 v1net"
			echo "view all included .1"
			echo "access v1grp \"\" v1 noauth exact all none none"
			;;
		v3)
			echo "engineID $V3_ENGINE"
			echo "createUser $V3_USER SHA $V3_AUTH AES $V3_PRIV"
			echo "rouser $V3_USER priv"
			;;
		esac
	} >"$f"
}

start_snmpd() {
	# start_snmpd NS ADDR NAME — config in $STATE/NAME.conf
	local ns=$1 addr=$2 name=$3
	mkdir -p "$STATE/$name.persist"
	start_bg "$ns" "snmpd:$addr" "$STATE/$name.log" env MIBS= "$SNMPD" -f \
		-Lo -C -c "$STATE/$name.conf" -p "$STATE/$name.pid" \
		--persistentDir="$STATE/$name.persist" "udp:$addr:161"
}

start_listener() {
	# start_listener NS ADDR PORT — a real TCP listener (Python's http.server)
	local ns=$1 addr=$2 port=$3
	mkdir -p "$STATE/www"
	start_bg "$ns" "tcp:$addr:$port" "$STATE/tcp-$addr-$port.log" \
		"$PY" -m http.server --bind "$addr" --directory "$STATE/www" "$port"
}

# ------------------------------------------------------------- sshd hosts
# A server that accepts on ADDR:PORT and never writes a byte (so never sends
# an SSH banner); it holds every connection until the client gives up.
TARPIT='import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(128)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    held = [x for x in held if x.fileno() >= 0][-512:]'

ssh_prepare() {
	[ -x "$SSHD" ] || die "$SSHD is missing (apt-get install openssh-server)"
	command -v ssh-keygen >/dev/null || die "ssh-keygen is missing"
	command -v unshare >/dev/null || die "unshare (util-linux) is missing"
	# A real account: sshd logs in only users the machine knows.
	id "$SSH_USER" >/dev/null 2>&1 || useradd -M -d / -s /bin/sh "$SSH_USER"
	echo "$SSH_USER:$SSH_PASS" | chpasswd
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	mkdir -p "$STATE/ssh"
	# sshd reads authorized_keys as the user: the path must be readable.
	chmod 755 "$STATE" "$STATE/ssh"
	ssh-keygen -q -t ed25519 -N '' -C nclab-user -f "$STATE/ssh/id_ed25519"
	cp "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys"
	chmod 644 "$STATE/ssh/authorized_keys"
	: >"$STATE/ssh/hosts"
}

sshd_conf() {
	# sshd_conf DIR ADDR PASSWORD(yes|no)
	cat >"$1/sshd_config" <<-EOF
		ListenAddress $2
		Port 22
		HostKey $1/hostkey
		PidFile none
		UsePAM no
		StrictModes no
		PasswordAuthentication $3
		PubkeyAuthentication yes
		KbdInteractiveAuthentication no
		AuthorizedKeysFile $STATE/ssh/authorized_keys
		AllowUsers $SSH_USER
		PermitRootLogin no
		MaxStartups 200
		MaxAuthTries 20
		UseDNS no
		PrintMotd no
		X11Forwarding no
		LogLevel VERBOSE
	EOF
}

start_sshd() {
	# start_sshd NS ADDR NAME DIR — sshd in its own UTS namespace (its own
	# hostname), IPv6 off like the other hosts; one process chain.
	local ns=$1 addr=$2 name=$3 dir=$4
	start_bg "$ns" "sshd:$addr:22" "$dir/sshd.log" unshare --uts /bin/sh -c \
		'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
		hostname "$0" && exec "$1" -D -e -f "$2"' \
		"$name" "$SSHD" "$dir/sshd_config"
}

ssh_fingerprint() {
	ssh-keygen -l -f "$1/hostkey.pub" | awk '{print $2}'
}

# add_ssh_hosts — N sshd hosts + the banner-less one; appends to hosts_json.
add_ssh_hosts() {
	local i ns addr name dir mac pw auth fp
	ssh_prepare
	ip -n "$NS_RTR" addr add "$SSH_NET.1/24" dev br0
	{
		for ((i = 0; i < SSHN; i++)); do echo "netns add $PREFIX-s$i"; done
		echo "netns add $PREFIX-snb"
	} | ip -batch -
	{
		for ((i = 0; i < SSHN; i++)); do
			echo "link add ps$i type veth peer name eth0 netns $PREFIX-s$i"
			echo "link set ps$i master br0 up"
		done
		echo "link add psnb type veth peer name eth0 netns $PREFIX-snb"
		echo "link set psnb master br0 up"
	} | ip -n "$NS_RTR" -batch -
	for ((i = -1; i < SSHN; i++)); do
		if [ "$i" -lt 0 ]; then
			ns=$PREFIX-snb; addr=$SSH_NET.9; mac=98:e7:43:18:03:09
		else
			ns=$PREFIX-s$i; addr=$SSH_NET.$((10 + i))
			printf -v mac '98:e7:43:18:03:%02x' $((10 + i))
		fi
		printf '%s\n' "link set eth0 address $mac" \
			"addr add $addr/24 dev eth0" "link set lo up" \
			"link set eth0 up" "route add $LAB_NET via $SSH_NET.1" |
			ip -n "$ns" -batch -
		if [ "$i" -lt 0 ]; then
			start_bg "$ns" "tcp:$addr:22" "$STATE/ssh/nobanner.log" \
				"$PY" -c "$TARPIT" "$addr" 22
			hosts_json+=",{\"ip\":\"$addr\",\"role\":\"ssh-nobanner\",\"ns\":\"$ns\",\"mac\":\"$mac\",\"ttl\":64,\"ping\":true,\"tcp_open\":[22],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true,\"ssh\":{\"banner\":false}}"
			continue
		fi
		printf -v name 'lab-ssh-%02d' "$i"
		dir=$STATE/ssh/s$i
		mkdir -p "$dir"
		ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/hostkey"
		# Every other host takes keys only: both ways of logging in
		# are needed to audit the whole lab.
		if [ $((i % 2)) = 1 ]; then
			pw=no; auth='["publickey"]'
		else
			pw=yes; auth='["password","publickey"]'
		fi
		sshd_conf "$dir" "$addr" "$pw"
		start_sshd "$ns" "$addr" "$name" "$dir"
		echo "$ns $addr $name $dir" >>"$STATE/ssh/hosts"
		fp=$(ssh_fingerprint "$dir")
		hosts_json+=",{\"ip\":\"$addr\",\"role\":\"sshd\",\"ns\":\"$ns\",\"mac\":\"$mac\",\"ttl\":64,\"ping\":true,\"tcp_open\":[22],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true,\"ssh\":{\"banner\":true,\"hostname\":\"$name\",\"hostkey\":\"$fp\",\"auth\":$auth}}"
	done
}

# ------------------------------------------------------------ Samba hosts
smb_conf() {
	# smb_conf DIR ADDR NETBIOSNAME EXTRA — a standalone server whose every
	# directory is under DIR, listening on ADDR only.
	mkdir -p "$1"/{private,lock,state,cache,pid,ncalrpc,share}
	cat >"$1/smb.conf" <<-EOF
		[global]
		workgroup = $SMB_WORKGROUP
		netbios name = $3
		server string = netcensus lab $3
		server role = standalone server
		interfaces = $2/24
		bind interfaces only = yes
		private dir = $1/private
		lock directory = $1/lock
		state directory = $1/state
		cache directory = $1/cache
		pid directory = $1/pid
		ncalrpc dir = $1/ncalrpc
		log file = $1/%m.log
		passdb backend = tdbsam:$1/private/passdb.tdb
		load printers = no
		printing = bsd
		printcap name = /dev/null
		disable spoolss = yes
		local master = no
		domain master = no
		preferred master = no
		wins support = no
		$4
		[share]
		path = $1/share
		read only = yes
	EOF
}

# add_smb_hosts — two Samba hosts (smbd + nmbd), each in its own namespace
# and UTS namespace (smbd names its host in the NTLMSSP challenge);
# appends to hosts_json.
add_smb_hosts() {
	local i ns addr name dir mac extra smb1 signing ping
	[ -x "$SMBD" ] && [ -x "$NMBD" ] || die "smbd/nmbd missing (apt-get install samba)"
	ip -n "$NS_RTR" addr add "$SMB_NET.1/24" dev br0
	for i in 0 1; do
		ns=$PREFIX-w$i; addr=$SMB_NET.$((10 + i))
		printf -v mac '98:e7:43:18:06:%02x' $((10 + i))
		printf -v name 'lab-smb-%02d' "$i"
		dir=$STATE/smb/w$i
		if [ "$i" = 0 ]; then
			extra="server min protocol = NT1"; smb1=enabled
			signing="not required"; ping=true
		else
			extra="server signing = mandatory"; smb1=disabled
			signing=required; ping=false
		fi
		add_host "$ns" "$mac" 128 "$addr/24" "$SMB_NET.1" "pw$i"
		# .11 answers nothing but NetBIOS and SMB, as a Windows host
		# with its default firewall: only 139/445 can find it
		[ "$ping" = true ] || ip netns exec "$ns" nft -f - <<-EOF
			table inet nclab {
				chain input { type filter hook input priority 0; policy drop;
					iif "lo" accept; ct state established,related accept;
					tcp dport { 139, 445 } accept; udp dport 137 accept; }
			}
		EOF
		smb_conf "$dir" "$addr" "${name^^}" "$extra"
		start_bg "$ns" "tcp:$addr:445" "$dir/smbd.out" unshare --uts \
			/bin/sh -c 'hostname "$0" && exec "$1" --foreground \
			--no-process-group --debug-stdout -s "$2"' \
			"$name" "$SMBD" "$dir/smb.conf"
		start_bg "$ns" "udp:$addr:137" "$dir/nmbd.out" "$NMBD" \
			--foreground --no-process-group --debug-stdout -s "$dir/smb.conf"
		hosts_json+=",{\"ip\":\"$addr\",\"role\":\"smbd\",\"ns\":\"$ns\",\"mac\":\"$mac\",\"ttl\":128,\"ping\":$ping,\"tcp_open\":[139,445],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true,\"smb\":{\"netbios_name\":\"${name^^}\",\"workgroup\":\"$SMB_WORKGROUP\",\"hostname\":\"$name\",\"smb1\":\"$smb1\",\"signing\":\"$signing\"}}"
	done
}

# add_routed_farm — ROUTED ping-only addresses in ROUTED_NET/18 on the
# loopback of one namespace behind one route; appends to hosts_json.
add_routed_farm() {
	local ns=$PREFIX-rf i base
	add_host "$ns" 00:11:32:18:fe:01 64 "$AGENT_NET.250/24" "$AGENT_NET.1" prf
	base=$(ip2int "$ROUTED_NET")
	{
		for ((i = 1; i <= ROUTED; i++)); do
			int2ip $((base + i))
			echo "addr add $IP/32 dev lo"
			hosts_json+=",{\"ip\":\"$IP\",\"role\":\"routed-ping\",\"ns\":\"$ns\",\"mac\":null,\"ttl\":64,\"ping\":true,\"tcp_open\":[],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true}"
		done
	} >"$STATE/rfarm.batch"
	ip -n "$ns" -batch "$STATE/rfarm.batch"
	ip -n "$NS_RTR" route add "$ROUTED_NET/18" via "$AGENT_NET.250"
}

# ssh_host HOST — sets SSH_NS SSH_ADDR SSH_NAME SSH_DIR for an sshd host
# given by address, hostname or namespace.
ssh_host() {
	local ns addr name dir
	[ -f "$STATE/ssh/hosts" ] || die "lab '$PREFIX' has no sshd hosts (up --ssh N)"
	while read -r ns addr name dir; do
		if [ "$1" = "$ns" ] || [ "$1" = "$addr" ] || [ "$1" = "$name" ]; then
			SSH_NS=$ns SSH_ADDR=$addr SSH_NAME=$name SSH_DIR=$dir
			return 0
		fi
	done <"$STATE/ssh/hosts"
	die "no sshd host '$1' in lab '$PREFIX'"
}

# The live sshd of the current SSH_ADDR (the last one recorded).
ssh_pid() {
	local pid ns what found=""
	while read -r pid ns what; do
		[ "$what" = "sshd:$SSH_ADDR:22" ] && alive "$pid" && found=$pid
	done <"$STATE/pids"
	[ -n "$found" ] || die "the sshd of $SSH_ADDR is not running"
	echo "$found"
}

# add_host NS MAC TTL ADDR/LEN GW PORT — a namespace with eth0 on the
# router bridge. Few processes per host (each costs tens of ms on a busy
# machine): the namespace side is one `ip -batch`.
add_host() {
	local ns=$1 mac=$2 ttl=$3 cidr=$4 gw=$5 port=$6
	ip netns add "$ns"
	ip -n "$ns" link add eth0 type veth peer name "$port" netns "$NS_RTR"
	printf '%s\n' "link set eth0 address $mac" "addr add $cidr dev eth0" \
		"link set lo up" "link set eth0 up" "route add $LAB_NET via $gw" |
		ip -n "$ns" -batch -
	ip -n "$NS_RTR" link set "$port" master br0 up
	sysctls "$ns" net/ipv6/conf/all/disable_ipv6=1 \
		net/ipv4/ip_default_ttl="$ttl"
}

# Deterministic pseudo-random choice of N offsets in [lo, hi], printed one
# per line (a fixed LCG walk, so every run builds the same lab).
pick_offsets() {
	local n=$1 lo=$2 hi=$3 span x i=0 seen=" "
	span=$((hi - lo + 1))
	[ "$n" -le "$span" ] || die "--hosts $n does not fit in the LAN ($span free)"
	x=12345
	while [ "$i" -lt "$n" ]; do
		x=$(((x * 1103515245 + 12345) & 0x7fffffff))
		local off=$((lo + (x >> 8) % span))
		case $seen in *" $off "*) continue ;; esac
		seen+="$off "
		echo "$off"
		i=$((i + 1))
	done
}

json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# ------------------------------------------------------------------ up
# cmd_up_l2 — the --l2 lab (see the top): the scanner and HOSTS hosts on
# one bridge, IPv4 /22 and IPv6 /64, no router.
L2_OUIS="f4:bd:9e 04:0e:3c 98:e7:43 00:c0:b7 94:f7:ad 74:83:c2 70:bc:10 0c:c4:7a dc:a6:32 00:11:32"
cmd_up_l2() {
	local base n size offsets off i ns addr addr6 mac oui ping found6 role
	local hosts_json="" empty_json="" used=" 2 " t0=$SECONDS
	local -a ouis
	read -r -a ouis <<<"$L2_OUIS"
	base=$(ip2int "$L2_NET"); size=$((1 << (32 - L2_PLEN)))
	n=${HOSTS:-138}
	[ "$n" -le $((size - 4)) ] || die "--hosts $n does not fit in the /$L2_PLEN"
	mkdir -p "$STATE"
	: >"$STATE/pids"
	trap 'echo "lab.sh: up failed; tearing down" >&2; cmd_down >/dev/null 2>&1 || true' ERR

	# The switch, then the scanner on it, then the safety check.
	ip netns add "$NS_SW"
	ip netns add "$NS_SCAN"
	sysctls "$NS_SCAN" net/ipv6/conf/default/accept_ra=0 \
		net/ipv6/conf/all/accept_ra=0 \
		net/ipv4/ping_group_range="0 2147483647"
	sysctls "$NS_SW" net/ipv6/conf/all/disable_ipv6=1 \
		net/ipv6/conf/default/disable_ipv6=1
	ip -n "$NS_SW" link add br0 type bridge
	ip -n "$NS_SW" link set br0 up
	ip -n "$NS_SW" link add pscan type veth peer name eth0 netns "$NS_SCAN"
	ip -n "$NS_SW" link set pscan master br0 up
	int2ip $((base + 2))
	printf '%s\n' "link set eth0 address 02:18:08:00:00:02" \
		"addr add $IP/$L2_PLEN dev eth0" \
		"addr add $L2_NET6::2/64 dev eth0 nodad" "link set lo up" \
		"link set eth0 up" | ip -n "$NS_SCAN" -batch -
	check_scanner || die "scanner namespace is not closed; refusing to go on"

	offsets=$(pick_offsets "$n" 3 $((size - 2)))
	i=0
	for off in $offsets; do echo "netns add $PREFIX-l$off"; done | ip -batch -
	for off in $offsets; do
		echo "link add pl$off type veth peer name eth0 netns $PREFIX-l$off"
		echo "link set pl$off master br0 up"
	done | ip -n "$NS_SW" -batch -
	for off in $offsets; do
		ns=$PREFIX-l$off
		int2ip $((base + off)); addr=$IP
		printf -v addr6 '%s::%x' "$L2_NET6" "$off"
		oui=${ouis[$((i % ${#ouis[@]}))]}
		printf -v mac '%s:%02x:%02x:%02x' "$oui" 8 $((off >> 8)) $((off & 255))
		printf '%s\n' "link set eth0 address $mac" \
			"addr add $addr/$L2_PLEN dev eth0" \
			"addr add $addr6/64 dev eth0 nodad" "link set lo up" \
			"link set eth0 up" | ip -n "$ns" -batch -
		ping=true found6=true role=l2-host
		if [ $((i % 11)) = 10 ]; then
			# all IP dropped, IPv6 neighbour discovery included;
			# ARP is not IP: it still answers that
			ip netns exec "$ns" nft -f - <<-EOF
				table inet nclab {
					chain input { type filter hook input priority 0; policy drop; iif "lo" accept; }
					chain output { type filter hook output priority 0; policy drop; oif "lo" accept; }
				}
			EOF
			ping=false found6=false role=l2-dropall
		elif [ $((i % 7)) = 6 ]; then
			sysctls "$ns" net/ipv4/icmp_echo_ignore_all=1
			ping=false role=l2-noicmp
		fi
		hosts_json+="${hosts_json:+,}{\"ip\":\"$addr\",\"ip6\":\"$addr6\",\"role\":\"$role\",\"ns\":\"$ns\",\"mac\":\"$mac\",\"ttl\":64,\"ping\":$ping,\"tcp_open\":[],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true,\"found6\":$found6}"
		used+="$off "
		i=$((i + 1))
	done
	for ((off = 1; off < size - 1; off++)); do
		case $used in *" $off "*) continue ;; esac
		int2ip $((base + off))
		empty_json+="${empty_json:+,}\"$IP\""
	done
	int2ip "$base"
	{
		echo "{"
		int2ip $((base + 2))
		echo "\"prefix\":\"$PREFIX\",\"scanner_ns\":\"$NS_SCAN\",\"scanner_ip\":\"$IP\","
		echo "\"l2\":true,\"scanner_ip6\":\"$L2_NET6::2\",\"scanner_mac\":\"02:18:08:00:00:02\","
		int2ip "$base"
		echo "\"lan\":\"$IP/$L2_PLEN\",\"lan6\":\"$L2_NET6::/64\",\"gateway\":null,\"switch_ns\":\"$NS_SW\","
		echo "\"hosts\":[$hosts_json],"
		echo "\"empty\":[$empty_json]"
		echo "}"
	} >"$STATE/truth.json"
	trap - ERR
	check_scanner || { cmd_down; die "scanner namespace lost its isolation"; }
	say "up in $((SECONDS - t0)) s: one L2 segment $L2_NET/$L2_PLEN, $n hosts, scanner namespace $NS_SCAN"
}

cmd_up() {
	local base plen lan_mask gw_int gw n_farm size farm_offsets
	[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
	command -v ip >/dev/null || die "iproute2 (ip) is missing"
	[ -x "$SNMPD" ] || die "$SNMPD is missing (apt-get install snmpd)"
	[ -x "$PY" ] || die "$PY is missing"
	command -v nft >/dev/null || die "nft is missing (apt-get install nftables)"
	if [ -n "$(lab_namespaces)" ] || [ -d "$STATE" ]; then
		die "lab '$PREFIX' is already up (or left over): run lab.sh down --prefix $PREFIX"
	fi
	if [ "$L2" = 1 ]; then
		[ "$SPARSE$AGENTS$SSHN$ROUTED" = 0000 ] ||
			die "--l2 takes only --hosts and --prefix"
		cmd_up_l2
		return
	fi
	if [ "$SPARSE" = 1 ]; then
		base=$(ip2int 198.18.16.0); plen=20; size=4096
		n_farm=${HOSTS:-32}
	else
		base=$(ip2int 198.18.0.0); plen=24; size=256
		n_farm=${HOSTS:-20}
	fi
	int2ip $((base + 1)); gw=$IP
	mkdir -p "$STATE"
	: >"$STATE/pids"
	trap 'echo "lab.sh: up failed; tearing down" >&2; cmd_down >/dev/null 2>&1 || true' ERR
	local t0=$SECONDS

	# Scanner and router first, then the safety check, then everything else.
	ip netns add "$NS_RTR"
	ip netns add "$NS_SCAN"
	ip -n "$NS_SCAN" link add eth0 type veth peer name pscan netns "$NS_RTR"
	ip -n "$NS_SCAN" addr add "$SCAN_IP/30" dev eth0
	ip -n "$NS_SCAN" link set lo up
	ip -n "$NS_SCAN" link set eth0 up
	ip -n "$NS_SCAN" route add "$LAB_NET" via "$RTR_SCAN_IP"
	sysctls "$NS_SCAN" net/ipv6/conf/all/disable_ipv6=1 \
		net/ipv4/ping_group_range="0 2147483647"
	check_scanner || die "scanner namespace is not closed; refusing to go on"

	ip -n "$NS_RTR" link set lo up
	ip -n "$NS_RTR" addr add "$RTR_SCAN_IP/30" dev pscan
	ip -n "$NS_RTR" link set pscan up
	ip -n "$NS_RTR" link add br0 type bridge
	ip -n "$NS_RTR" link set br0 address "$RTR_MAC"
	ip -n "$NS_RTR" addr add "$gw/$plen" dev br0
	ip -n "$NS_RTR" addr add "$AGENT_NET.1/24" dev br0
	ip -n "$NS_RTR" link set br0 up
	sysctls "$NS_RTR" net/ipv6/conf/all/disable_ipv6=1 \
		net/ipv4/ip_forward=1 net/ipv4/conf/all/rp_filter=0 \
		net/ipv4/ip_default_ttl=255

	# Service hosts.
	local hosts_json="" line off role mac ttl snmp oid name descr loc contact tcp flags
	local ns addr port
	hosts_json+="{\"ip\":\"$gw\",\"role\":\"gateway\",\"ns\":\"$NS_RTR\",\"mac\":\"$RTR_MAC\",\"ttl\":255,\"ping\":true,\"tcp_open\":[],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true}"
	while IFS='|' read -r off role mac ttl snmp oid name descr loc contact tcp flags; do
		[ -n "$off" ] || continue
		ns=$PREFIX-h$off
		int2ip $((base + off)); addr=$IP
		add_host "$ns" "$mac" "$ttl" "$addr/$plen" "$gw" "p$off"
		local ping=true found=true delay=0 v3only=false snmp_json=null tcp_json=""
		local snmp_bind=$addr delay_icmp=false
		case $flags in
		delay)
			delay=300
			if ip netns exec "$ns" tc qdisc add dev eth0 root netem \
				delay 300ms 2>/dev/null; then
				delay_icmp=true
			else
				# No sch_netem in this kernel: snmpd listens on the
				# namespace's loopback behind a relay that holds
				# each reply 300 ms. Ping is not delayed then.
				snmp_bind=127.0.0.1
				start_bg "$ns" "udp:$addr:161" "$STATE/$role-delay.log" \
					"$PY" "$LABDIR/udp_delay.py" "$addr" 161 \
					127.0.0.1 161 "$delay"
			fi ;;
		noicmp)
			sysctls "$ns" net/ipv4/icmp_echo_ignore_all=1
			ping=false ;;
		dropall)
			ip netns exec "$ns" nft -f - <<-EOF
				table inet nclab {
					chain input { type filter hook input priority 0; policy drop; iif "lo" accept; }
					chain output { type filter hook output priority 0; policy drop; oif "lo" accept; }
				}
			EOF
			ping=false; found=false ;;
		esac
		if [ "$snmp" != none ]; then
			snmpd_conf "$STATE/$role.conf" "$snmp" "$oid" "$name" \
				"$descr" "$loc" "$contact"
			start_snmpd "$ns" "$snmp_bind" "$role"
			local versions
			case $snmp in
			v2c) versions='["2c","1"]' ;;
			v1) versions='["1"]' ;;
			v3) versions='["3"]'; v3only=true ;;
			esac
			snmp_json="{\"versions\":$versions,"
			[ "$snmp" = v3 ] || snmp_json+="\"community\":\"$COMMUNITY\","
			snmp_json+="\"sysName\":$(json_str "$name"),\"sysObjectID\":\"$oid\","
			snmp_json+="\"sysDescr\":$(json_str "$descr"),\"sysLocation\":$(json_str "$loc"),"
			snmp_json+="\"sysContact\":$(json_str "$contact")}"
		fi
		for port in $tcp; do
			start_listener "$ns" "$addr" "$port"
			tcp_json+="${tcp_json:+,}$port"
		done
		hosts_json+=",{\"ip\":\"$addr\",\"role\":\"$role\",\"ns\":\"$ns\",\"mac\":\"$mac\",\"ttl\":$ttl,\"ping\":$ping,\"tcp_open\":[$tcp_json],\"snmp\":$snmp_json,\"v3_only\":$v3only,\"delay_ms\":$delay,\"delay_icmp\":$delay_icmp,\"found\":$found}"
	done <<<"$HOST_TABLE"

	# Ping-only hosts: extra addresses on one interface of one namespace.
	int2ip $((base + 19)); addr=$IP
	add_host "$NS_FARM" "$FARM_MAC" 64 "$addr/$plen" "$gw" pfarm
	hosts_json+=",{\"ip\":\"$addr\",\"role\":\"ping-only\",\"ns\":\"$NS_FARM\",\"mac\":\"$FARM_MAC\",\"ttl\":64,\"ping\":true,\"tcp_open\":[],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true}"
	farm_offsets=$(pick_offsets "$((n_farm > 0 ? n_farm - 1 : 0))" 20 $((size - 2)))
	if [ -n "$farm_offsets" ]; then
		for off in $farm_offsets; do
			int2ip $((base + off)); addr=$IP
			echo "addr add $addr/$plen dev eth0"
			hosts_json+=",{\"ip\":\"$addr\",\"role\":\"ping-only\",\"ns\":\"$NS_FARM\",\"mac\":\"$FARM_MAC\",\"ttl\":64,\"ping\":true,\"tcp_open\":[],\"snmp\":null,\"v3_only\":false,\"delay_ms\":0,\"found\":true}"
		done >"$STATE/farm.batch"
		ip -n "$NS_FARM" -batch "$STATE/farm.batch"
	fi

	# Benchmark agents: one namespace each, like real devices (an agent
	# sharing a namespace would list every other agent's address too).
	# Namespaces and links are made in two batches, so each agent costs
	# one `ip` process and its snmpd.
	local i mac
	if [ "$AGENTS" -gt 0 ]; then
		for ((i = 0; i < AGENTS; i++)); do
			echo "netns add $PREFIX-a$i"
		done | ip -batch -
		for ((i = 0; i < AGENTS; i++)); do
			echo "link add pa$i type veth peer name eth0 netns $PREFIX-a$i"
			echo "link set pa$i master br0 up"
		done | ip -n "$NS_RTR" -batch -
	fi
	for ((i = 0; i < AGENTS; i++)); do
		addr=$AGENT_NET.$((10 + i))
		name=$(printf 'agent-%03d' "$i")
		printf -v mac '98:e7:43:18:02:%02x' "$i"
		printf '%s\n' "link set eth0 address $mac" \
			"addr add $addr/24 dev eth0" "link set lo up" \
			"link set eth0 up" "route add $LAB_NET via $AGENT_NET.1" |
			ip -n "$PREFIX-a$i" -batch -
		snmpd_conf "$STATE/$name.conf" v2c 1.3.6.1.4.1.8072.3.2.10 \
			"$name" "Linux $name 6.1.0-18-amd64 #1 SMP Debian x86_64" \
			"Bench rack" "bench@lab.example"
		start_snmpd "$PREFIX-a$i" "$addr" "$name"
		hosts_json+=",{\"ip\":\"$addr\",\"role\":\"bench-agent\",\"ns\":\"$PREFIX-a$i\",\"mac\":\"$mac\",\"ttl\":64,\"ping\":true,\"tcp_open\":[],\"snmp\":{\"versions\":[\"2c\",\"1\"],\"community\":\"$COMMUNITY\",\"sysName\":\"$name\",\"sysObjectID\":\"1.3.6.1.4.1.8072.3.2.10\",\"sysDescr\":\"Linux $name 6.1.0-18-amd64 #1 SMP Debian x86_64\",\"sysLocation\":\"Bench rack\",\"sysContact\":\"bench@lab.example\"},\"v3_only\":false,\"delay_ms\":0,\"found\":true}"
	done

	if [ "$SSHN" -gt 0 ]; then add_ssh_hosts; fi
	if [ "$ROUTED" -gt 0 ]; then add_routed_farm; fi
	if [ "$SMB" = 1 ]; then add_smb_hosts; fi

	# Addresses guaranteed to hold no host (for "none invented" checks).
	local empty_json="" used
	used=" 1 19 $(cut -d'|' -f1 <<<"$HOST_TABLE" | tr '\n' ' ') $(echo $farm_offsets) "
	for ((off = 2; off < size - 1; off++)); do
		case $used in *" $off "*) continue ;; esac
		int2ip $((base + off))
		empty_json+="${empty_json:+,}\"$IP\""
	done

	int2ip "$base"
	local lan=$IP/$plen
	{
		echo "{"
		echo "\"prefix\":\"$PREFIX\",\"scanner_ns\":\"$NS_SCAN\",\"scanner_ip\":\"$SCAN_IP\","
		echo "\"lan\":\"$lan\",\"gateway\":\"$gw\","
		echo "\"agents_lan\":\"$AGENT_NET.0/24\",\"agents\":$AGENTS,"
		echo "\"snmp_v3\":{\"type\":\"snmp_v3\",\"security_name\":\"$V3_USER\",\"security_level\":\"authPriv\",\"auth_protocol\":\"SHA\",\"auth_passphrase\":\"$V3_AUTH\",\"priv_protocol\":\"AES\",\"priv_passphrase\":\"$V3_PRIV\",\"context_name\":\"\",\"engine_id_text\":\"$V3_ENGINE\"},"
		echo "\"community\":\"$COMMUNITY\","
		if [ "$SSHN" -gt 0 ]; then
			echo "\"ssh_lan\":\"$SSH_NET.0/24\",\"ssh_hosts\":$SSHN,"
			echo "\"ssh\":{\"username\":\"$SSH_USER\",\"password\":\"$SSH_PASS\",\"key_file\":\"$STATE/ssh/id_ed25519\",\"port\":22},"
		fi
		if [ "$SMB" = 1 ]; then echo "\"smb_lan\":\"$SMB_NET.0/24\","; fi
		echo "\"hosts\":[$hosts_json],"
		echo "\"empty\":[$empty_json]"
		echo "}"
	} >"$STATE/truth.json"

	wait_ready
	trap - ERR
	check_scanner || { cmd_down; die "scanner namespace lost its isolation"; }
	say "up in $((SECONDS - t0)) s: lan $lan, $(grep -c . "$STATE/pids") processes, scanner namespace $NS_SCAN"
}

# Waits (bounded by LAB_WAIT seconds, a ceiling for a busy machine) until
# every recorded daemon listens; listing sockets sends nothing on the
# network.
LAB_WAIT=${LAB_WAIT:-60}
wait_ready() {
	local pid ns what addr port end
	while read -r pid ns what; do
		case $what in
		snmpd:*) addr=${what#snmpd:}; port=161; proto=-u ;;
		sshd:*) addr=${what#sshd:}; port=${addr##*:}; addr=${addr%:*}; proto=-t ;;
		tcp:*) addr=${what#tcp:}; port=${addr##*:}; addr=${addr%:*}; proto=-t ;;
		udp:*) addr=${what#udp:}; port=${addr##*:}; addr=${addr%:*}; proto=-u ;;
		*) continue ;;
		esac
		end=$((SECONDS + LAB_WAIT))
		until ss -N "$ns" -Hln $proto "src $addr:$port" | grep -q .; do
			kill -0 "$pid" 2>/dev/null || die "$what in $ns died (see $STATE/*.log)"
			[ "$SECONDS" -lt "$end" ] || die "$what in $ns did not start listening in $LAB_WAIT s"
			sleep 0.05
		done
	done <"$STATE/pids"
}

# ---------------------------------------------------------------- down
pid_in_lab() {
	# pid_in_lab PID — true when PID lives in one of this lab's namespaces.
	local ns
	ns=$(ip netns identify "$1" 2>/dev/null) || return 1
	[[ $ns =~ ^$PREFIX-[a-z0-9]+$ ]]
}

alive() {
	# a zombie is dead for our purposes (PID 1 reaps it later)
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

lab_pids() {
	local ns pid _
	if [ -f "$STATE/pids" ]; then
		while read -r pid _; do
			alive "$pid" && pid_in_lab "$pid" && echo "$pid"
		done <"$STATE/pids"
	fi
	for ns in $(lab_namespaces); do
		ip netns pids "$ns" 2>/dev/null || true
	done
}

cmd_down() {
	local pids pid i ns
	[ "$(id -u)" = 0 ] || die "must run as root"
	pids=$(lab_pids | sort -un)
	for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
	for ((i = 0; i < 40; i++)); do
		local left=""
		for pid in $pids; do alive "$pid" && left+=" $pid"; done
		[ -z "$left" ] && break
		sleep 0.05
	done
	for pid in $pids; do alive "$pid" && kill -KILL "$pid" 2>/dev/null || true; done
	for ns in $(lab_namespaces); do
		ip netns del "$ns" 2>/dev/null || echo "lab.sh: could not delete $ns" >&2
	done
	if [ -d "$STATE" ]; then
		rm -rf -- "$STATE"
	fi
	rmdir "$STATE_ROOT" 2>/dev/null || true
	[ -z "$(lab_namespaces)" ] || die "namespaces left: $(lab_namespaces | tr '\n' ' ')"
	say "down: lab '$PREFIX' removed"
}

cmd_truth() {
	[ -f "$STATE/truth.json" ] || die "lab '$PREFIX' is not up"
	cat "$STATE/truth.json"
}

cmd_check() {
	check_scanner && say "scanner namespace $NS_SCAN: no default route, only $LAB_NET"
}

cmd_exec() {
	[ ${#REST[@]} -gt 0 ] || die "exec needs a command"
	check_scanner || die "refusing to run anything in $NS_SCAN"
	exec ip netns exec "$NS_SCAN" "${REST[@]}"
}

cmd_hexec() {
	[ ${#REST[@]} -ge 2 ] || die "hexec needs a host and a command"
	ssh_host "${REST[0]}"
	# the sshd's own network, UTS (hostname) and mount (/sys) namespaces
	exec nsenter -t "$(ssh_pid)" -n -u -m -- "${REST[@]:1}"
}

cmd_rotate_key() {
	local old new pid end
	[ ${#REST[@]} -eq 1 ] || die "rotate-key needs one host"
	ssh_host "${REST[0]}"
	pid=$(ssh_pid)
	old=$(ssh_fingerprint "$SSH_DIR")
	rm -f "$SSH_DIR/hostkey" "$SSH_DIR/hostkey.pub"
	ssh-keygen -q -t ed25519 -N '' -C "$SSH_NAME" -f "$SSH_DIR/hostkey"
	new=$(ssh_fingerprint "$SSH_DIR")
	# a new sshd (a SIGHUP re-exec would race the listener check)
	kill -TERM "$pid"
	end=$((SECONDS + LAB_WAIT))
	while alive "$pid"; do
		[ "$SECONDS" -lt "$end" ] || die "sshd of $SSH_ADDR did not stop"
		sleep 0.05
	done
	start_sshd "$SSH_NS" "$SSH_ADDR" "$SSH_NAME" "$SSH_DIR"
	end=$((SECONDS + LAB_WAIT))
	until ss -N "$SSH_NS" -Hlnt "src $SSH_ADDR:22" | grep -q .; do
		[ "$SECONDS" -lt "$end" ] || die "sshd of $SSH_ADDR did not come back"
		sleep 0.05
	done
	"$PY" -c 'import sys
p, old, new = sys.argv[1:]
t = open(p).read().replace(old, new)
open(p, "w").write(t)' "$STATE/truth.json" "$old" "$new"
	say "rotate-key: $SSH_NAME ($SSH_ADDR) $old -> $new"
}

cmd_status() {
	local n=0 pid
	echo "namespaces: $(lab_namespaces | tr '\n' ' ')"
	[ -f "$STATE/pids" ] && while read -r pid _; do
		alive "$pid" && n=$((n + 1))
	done <"$STATE/pids"
	echo "processes alive: $n"
	echo "state: $STATE"
}

[ $# -ge 1 ] || usage
CMD=$1
shift
parse_opts "$@"
case $CMD in
up) cmd_up ;;
down) cmd_down ;;
truth) cmd_truth ;;
check) cmd_check ;;
exec) cmd_exec ;;
hexec) cmd_hexec ;;
rotate-key) cmd_rotate_key ;;
status) cmd_status ;;
*) usage ;;
esac
