#!/bin/sh
# netcensus audit-unix.sh: read-only inventory of one Unix host.
#
# Embedded into the netcensus binary and run either locally (`netcensus
# audit`) or over one SSH exec channel (`sh -s`, script on stdin). It writes
# nothing to disk and changes nothing. POSIX sh only (dash, bash, ksh, BSD
# sh): no arrays, no [[ ]], no local, no $'..', no echo -e.
#
# Output format (netcensus audit line format, version 1), one record a line:
#
#   @audit<TAB>version=1<TAB>...       first line
#   SECTION<TAB>field=value<TAB>...    one row of a section ("sys" rows are
#                                      merged into one object)
#   @needs_root<TAB>fact=sys.uuid      a fact that needed root, which was
#                                      not available (no root, no sudo -n)
#   @end<TAB>status=0                  last line; absent = truncated output
#
# Field names are [a-z_]; values escape backslash as \\, tab as \t, newline
# as \n and carriage return as \r. Nothing else is escaped.
#
# Every external command is looked up with `command -v` first and wrapped in
# `timeout` (when present) so a hung NFS mount or a slow package database
# costs seconds, not the whole audit.

LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
umask 077

have() { command -v "$1" >/dev/null 2>&1; }

if have timeout; then
	T() { timeout 20 "$@"; }
else
	T() { "$@"; }
fi

# The escaping filter: reads "name<TAB>value" or TSV rows and writes records.
# usage: ... | rows SECTION field1 field2 ...  (TSV columns in that order;
# empty values are dropped, extra columns ignored)
ESC='
function esc(v,   out, i, c) {
	if (index(v, "\\") == 0 && index(v, "\r") == 0)
		return v
	out = ""
	for (i = 1; i <= length(v); i++) {
		c = substr(v, i, 1)
		if (c == "\\") out = out "\\\\"
		else if (c == "\r") out = out "\\r"
		else out = out c
	}
	return out
}'
# MASK: awk function turning an IPv4 prefix length into a dotted netmask.
MASK='
function mask(c,   m, i, o, b) {
	m = ""
	for (i = 0; i < 4; i++) {
		b = c - i * 8; if (b > 8) b = 8; if (b < 0) b = 0
		o = 256 - 2 ^ (8 - b)
		m = m (i ? "." : "") o
	}
	return m
}'
rows() {
	sec=$1
	shift
	awk -F '\t' -v sec="$sec" -v names="$*" "$ESC"'
	BEGIN { n = split(names, nm, " ") }
	{
		line = sec
		got = 0
		for (i = 1; i <= n && i <= NF; i++) {
			if ($i == "" || nm[i] == "-") continue
			line = line "\t" nm[i] "=" esc($i)
			got = 1
		}
		if (got) print line
	}'
}

# sys facts: "name<TAB>value" lines; only the first line of a value counts.
sysf() {
	[ -n "$2" ] || return 0
	printf '%s\t%s\n' "$1" "$2"
}
first() { sed -n '1{s/[[:space:]]*$//;p;}'; }
# readf FILE: its first line without trailing blanks. The shell's own read,
# not a sed: on a busy host every process started costs more than the file.
readf() {
	[ -r "$1" ] || return 0
	_l=""
	IFS= read -r _l 2>/dev/null <"$1"
	[ -n "$_l" ] && printf '%s\n' "${_l%"${_l##*[![:space:]]}"}"
	return 0
}

needs_root() { printf '@needs_root\tfact=%s\n' "$1"; }

# ---- privileges ----
SUDO=""
ROOT=0
if [ "$(id -u 2>/dev/null)" = 0 ]; then
	ROOT=1
elif have sudo && T sudo -n true >/dev/null 2>&1; then
	SUDO="sudo -n"
	ROOT=1
fi
# R cmd...: runs cmd as root when we can.
R() { if [ -n "$SUDO" ]; then T $SUDO "$@"; else T "$@"; fi; }

# One uname for the kernel's name, node name, release and machine.
# shellcheck disable=SC2046
set -- $(uname -snrm 2>/dev/null)
OS=${1:-} UNAME_N=${2:-} KREL=${3:-} ARCH=${4:-}
printf '@audit\tversion=1\tos=%s\troot=%s\tsudo=%s\n' "$OS" "$ROOT" \
	"$([ -n "$SUDO" ] && echo 1 || echo 0)"

# ---- sys ----
audit_sys() {
	hn=${UNAME_N%%.*}
	fqdn=""
	if have hostname; then
		fqdn=$(T hostname -f 2>/dev/null | first)
	fi
	case "$fqdn" in
	*.*) ;;
	*) fqdn="" ;;
	esac
	sysf hostname "$hn"
	sysf fqdn "$fqdn"
	[ -n "$fqdn" ] && sysf domain "${fqdn#*.}"
	sysf kernel "$KREL"
	sysf architecture "$ARCH"
	case "$ARCH" in
	*64*) sysf os_bit 64 ;;
	i?86 | armv7* | armv6*) sysf os_bit 32 ;;
	esac
	mid=$(readf /etc/machine-id)
	[ -n "$mid" ] || mid=$(readf /var/lib/dbus/machine-id)
	sysf dbus_identifier "$mid"

	case "$OS" in
	Linux) sys_linux ;;
	FreeBSD | OpenBSD | NetBSD | DragonFly) sys_bsd ;;
	Darwin) sys_darwin ;;
	SunOS) sys_sunos ;;
	AIX) sys_aix ;;
	*) sysf os_group "$OS"; sysf os_name "$OS $KREL" ;;
	esac
}

sys_linux() {
	sysf os_group Linux
	if [ -r /etc/os-release ]; then
		# shellcheck disable=SC1091
		osr=$(. /etc/os-release 2>/dev/null
		      printf '%s\t%s\t%s\t%s\n' "$ID" "$PRETTY_NAME" \
			      "$VERSION_ID" "$NAME")
		id=$(printf '%s' "$osr" | cut -f1)
		name=$(printf '%s' "$osr" | cut -f2)
		ver=$(printf '%s' "$osr" | cut -f3)
		case "$id" in
		debian) fam=Debian ;; ubuntu) fam=Ubuntu ;;
		rhel) fam=RedHat ;; centos) fam=CentOS ;; fedora) fam=Fedora ;;
		rocky) fam=Rocky ;; almalinux) fam=AlmaLinux ;;
		ol) fam=Oracle ;; amzn) fam=Amazon ;; alpine) fam=Alpine ;;
		arch) fam=Arch ;; opensuse* | sles) fam=Suse ;;
		linuxmint) fam=Mint ;; raspbian) fam=Raspbian ;;
		*) fam=$(printf '%s' "$osr" | cut -f4 | cut -d' ' -f1) ;;
		esac
		sysf os_family "$fam"
		sysf os_name "$name"
		sysf os_version "$ver"
	fi
	up=$(cut -d. -f1 /proc/uptime 2>/dev/null)
	sysf uptime "$up"
	sysf memory_count "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)"
	np=$(getconf _NPROCESSORS_ONLN 2>/dev/null)
	sysf processor_count "$np"
	d=/sys/class/dmi/id
	sysf manufacturer "$(readf $d/sys_vendor)"
	sysf model "$(readf $d/product_name)"
	uuid="" serial=""
	if [ "$ROOT" = 1 ]; then
		uuid=$(R cat $d/product_uuid 2>/dev/null | first)
		serial=$(R cat $d/product_serial 2>/dev/null | first)
		if [ -z "$uuid" ] && have dmidecode; then
			uuid=$(R dmidecode -s system-uuid 2>/dev/null | grep -v '^#' | first)
			serial=$(R dmidecode -s system-serial-number 2>/dev/null | grep -v '^#' | first)
		fi
	elif [ -e $d/product_uuid ] || have dmidecode; then
		needs_root sys.uuid >&3
		needs_root sys.serial >&3
	fi
	sysf uuid "$uuid"
	sysf serial "$serial"
	# Install date: birth time of /, else the installer log, else the
	# oldest of a few files written at install.
	t=$(stat -c %W / 2>/dev/null)
	case "$t" in '' | 0 | -*) t="" ;; esac
	if [ -z "$t" ]; then
		for f in /var/log/installer /root /lost+found /etc/hostname; do
			[ -e "$f" ] || continue
			t=$(stat -c %Y "$f" 2>/dev/null) && break
		done
	fi
	if [ -n "$t" ]; then
		sysf os_installation_date "$(date -u -d "@$t" '+%Y-%m-%d' 2>/dev/null)"
	fi
}

sys_bsd() {
	sysf os_group BSD
	sysf os_family "$OS"
	sysf os_name "$OS $KREL"
	sysf os_version "$KREL"
	sysf memory_count "$(sysctl -n hw.physmem 2>/dev/null | awk '{print int($1/1024)}')"
	sysf processor_count "$(sysctl -n hw.ncpu 2>/dev/null)"
	bt=$(sysctl -n kern.boottime 2>/dev/null | sed -n 's/.*sec = \([0-9]*\).*/\1/p')
	[ -n "$bt" ] && sysf uptime "$(( $(date +%s) - bt ))"
	if have kenv; then
		sysf manufacturer "$(kenv -q smbios.system.maker)"
		sysf model "$(kenv -q smbios.system.product)"
		sysf serial "$(kenv -q smbios.system.serial)"
		sysf uuid "$(kenv -q smbios.system.uuid)"
	else
		sysf manufacturer "$(sysctl -n hw.vendor 2>/dev/null)"
		sysf model "$(sysctl -n hw.product 2>/dev/null)"
		sysf serial "$(sysctl -n hw.serialno 2>/dev/null)"
		sysf uuid "$(sysctl -n hw.uuid 2>/dev/null)"
	fi
}

sys_darwin() {
	sysf os_group Apple
	sysf os_family "macOS"
	sysf os_name "$(sw_vers -productName 2>/dev/null) $(sw_vers -productVersion 2>/dev/null)"
	sysf os_version "$(sw_vers -productVersion 2>/dev/null)"
	sysf manufacturer Apple
	sysf model "$(sysctl -n hw.model 2>/dev/null)"
	sysf memory_count "$(sysctl -n hw.memsize 2>/dev/null | awk '{print int($1/1024)}')"
	sysf processor_count "$(sysctl -n hw.ncpu 2>/dev/null)"
	io=$(T ioreg -rd1 -c IOPlatformExpertDevice 2>/dev/null)
	sysf uuid "$(printf '%s\n' "$io" | sed -n 's/.*"IOPlatformUUID" = "\(.*\)"/\1/p')"
	sysf serial "$(printf '%s\n' "$io" | sed -n 's/.*"IOPlatformSerialNumber" = "\(.*\)"/\1/p')"
	bt=$(sysctl -n kern.boottime 2>/dev/null | sed -n 's/.*sec = \([0-9]*\).*/\1/p')
	[ -n "$bt" ] && sysf uptime "$(( $(date +%s) - bt ))"
}

sys_sunos() {
	sysf os_group Solaris
	sysf os_family Solaris
	sysf os_name "$(head -n 1 /etc/release 2>/dev/null | sed 's/^ *//')"
	sysf os_version "$(uname -v)"
	sysf processor_count "$(psrinfo 2>/dev/null | wc -l | tr -d ' ')"
	sysf memory_count "$(prtconf 2>/dev/null | awk '/^Memory size/ {print $3 * 1024}')"
	sysf serial "$(T sneep 2>/dev/null)"
	sysf uuid "$(hostid 2>/dev/null)"
}

sys_aix() {
	sysf os_group AIX
	sysf os_family AIX
	sysf os_name "AIX $(oslevel 2>/dev/null)"
	sysf os_version "$(oslevel -s 2>/dev/null)"
	sysf model "$(uname -M 2>/dev/null)"
	sysf serial "$(lsattr -El sys0 -a systemid 2>/dev/null | awk '{print $2}')"
	sysf manufacturer IBM
	sysf uuid "$(uname -u 2>/dev/null)"
}

# ---- processor ----
audit_processor() {
	if [ -r /proc/cpuinfo ]; then
		awk -F ': *' '
		/^model name/ && !d { d = $2 }
		/^vendor_id/ && !v { v = $2 }
		/^cpu MHz/ && !s { s = int($2) }
		/^processor/ { n++ }
		/^physical id/ { p[$2] = 1 }
		/^core id/ { c[$2] = 1 }
		END {
			np = 0; for (k in p) np++; if (np == 0) np = 1
			nc = 0; for (k in c) nc++; if (nc == 0) nc = n
			printf "%s\t%s\t%s\t%d\t%d\t%d\n", d, v, s, np, nc * np, n
		}' /proc/cpuinfo
	elif have sysctl; then
		printf '%s\t\t\t1\t%s\t%s\n' \
			"$(sysctl -n hw.model machdep.cpu.brand_string 2>/dev/null | first)" \
			"$(sysctl -n hw.ncpu 2>/dev/null)" "$(sysctl -n hw.ncpu 2>/dev/null)"
	fi | rows processor description manufacturer speed physical_count core_count logical_count
}

# ---- memory (DIMMs: root only) ----
audit_memory() {
	if ! have dmidecode; then
		return 0
	fi
	if [ "$ROOT" != 1 ]; then
		needs_root memory
		return 0
	fi
	R dmidecode -t 17 2>/dev/null | awk -F ': *' '
	function out() {
		if (have && size != "" && size !~ /No Module/)
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", bank, type, ff, size, speed, tag, serial
		have = 0; bank = type = ff = size = speed = tag = serial = ""
	}
	/^Memory Device/ { out(); have = 1 }
	/^\tBank Locator/ { bank = $2 }
	/^\tLocator/ { tag = $2 }
	/^\tType:/ { type = $2 }
	/^\tForm Factor/ { ff = $2 }
	/^\tSize/ {
		size = $2
		if (size ~ / GB$/) size = int(size) * 1024
		else if (size ~ / MB$/) size = int(size)
	}
	/^\tSpeed/ { speed = int($2) }
	/^\tSerial Number/ { serial = $2 }
	END { out() }' | rows memory bank type form_factor size speed tag serial
}

# ---- disk and partition ----
audit_disk() {
	if have lsblk; then
		T lsblk -P -d -b -o NAME,SIZE,MODEL,SERIAL,TYPE,TRAN,VENDOR,REV 2>/dev/null |
		awk '
		function val(k,   r) {
			if (match($0, k "=\"[^\"]*\"")) {
				r = substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 3)
				gsub(/\\x20/, " ", r); gsub(/ +$/, "", r)
				return r
			}
			return ""
		}
		val("TYPE") == "disk" {
			printf "/dev/%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", val("NAME"),
				val("NAME"), val("MODEL"), val("SERIAL"), val("VENDOR"),
				val("SIZE") / 1048576, val("TRAN"), val("REV"), "/dev/" val("NAME")
		}' | rows disk caption hard_drive_index model serial manufacturer size interface_type firmware device
	elif have geom; then
		T geom disk list 2>/dev/null | awk -F ': *' '
		/^Geom name/ { if (n) print l; n = $2; m = s = d = "" }
		/Mediasize/ { s = int($2 / 1048576) }
		/descr/ { d = $2 }
		/ident/ { id = $2 }
		{ l = "/dev/" n "\t" n "\t" d "\t" id "\t\t" s }
		END { if (n) print l }' | rows disk caption hard_drive_index model serial manufacturer size
	fi
}

audit_partition() {
	# df -P: POSIX columns; the file-system type comes from /proc/mounts
	# where it exists. Pseudo file systems are left out.
	have df || return 0
	{
		[ -r /proc/mounts ] && awk '{ printf "M\t%s\t%s\n", $2, $3 }' /proc/mounts
		T df -P -k 2>/dev/null | awk 'NR > 1 && NF >= 6 {
			mp = $6; for (i = 7; i <= NF; i++) mp = mp " " $i
			printf "D\t%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, mp }'
	} | awk -F '\t' '
	$1 == "M" { fs[$2] = $3; next }
	$1 == "D" {
		t = fs[$6]
		if (t ~ /^(tmpfs|devtmpfs|proc|sysfs|cgroup2?|overlay|squashfs|devpts|mqueue|debugfs|tracefs|securityfs|pstore|bpf|autofs|fusectl|configfs|hugetlbfs|nsfs|ramfs|binfmt_misc|efivarfs|devfs|fdescfs|procfs|rpc_pipefs)$/) next
		if ($2 !~ /^\//) {
			if (t !~ /^(nfs|nfs4|cifs|smbfs|zfs|btrfs)$/) next
		}
		d = $2; hd = d; sub(/^\/dev\//, "", hd); sub(/p?[0-9]+$/, "", hd)
		ty = (t ~ /^(nfs|nfs4|cifs|smbfs)$/) ? "remote" : "local"
		printf "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\tpartition\n", d, hd, $6,
			$3 / 1024, $5 / 1024, $4 / 1024, t, ty
	}' | rows partition device hard_drive_index mount_point size free used format type mount_type
}

# ---- network interfaces and addresses ----
audit_network() {
	if [ -d /sys/class/net ]; then
		for p in /sys/class/net/*; do
			[ -e "$p" ] || continue
			n=${p##*/}
			sp=$(readf "$p/speed")
			case "$sp" in '' | -*) sp="" ;; *) sp=$((sp * 1000000)) ;; esac
			case "$(readf "$p/type")" in
			1) ty="Ethernet 802.3" ;; 772) ty="Software Loopback" ;;
			801) ty="Wireless" ;; 65534) ty="Tunnel" ;; *) ty="Other" ;;
			esac
			[ -d "$p/wireless" ] && ty="Wireless"
			drv=$(cd -P "$p/device/driver" 2>/dev/null && pwd)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" \
				"$(readf "$p/address")" "$(readf "$p/ifindex")" \
				"$sp" "$ty" "$(readf "$p/operstate")" \
				"$(readf "$p/mtu")" "${drv##*/}"
		done
	elif have ifconfig; then
		T ifconfig -a 2>/dev/null | awk '
		/^[^ \t]/ { if (n != "") print n "\t" m "\t" i; n = $1; sub(/:$/, "", n); m = ""; i++ }
		/ether |lladdr / { for (k = 1; k < NF; k++) if ($k == "ether" || $k == "lladdr") m = $(k + 1) }
		END { if (n != "") print n "\t" m "\t" i }'
	fi | rows network connection mac net_index speed type connection_status mtu driver
}

audit_ip() {
	if have ip; then
		T ip -o addr show 2>/dev/null | awk "$MASK"'
		$3 == "inet" || $3 == "inet6" {
			n = $2; sub(/@.*/, "", n)
			split($4, a, "/")
			v = ($3 == "inet") ? 4 : 6
			printf "%s\t%s\t%s\t%s\t%s\t%s\n", n, int($1), a[1], a[2],
				(v == 4 ? mask(a[2]) : ""), v
		}'
	elif have ifconfig; then
		T ifconfig -a 2>/dev/null | awk '
		function hexmask(h,   m, i, d) {
			sub(/^0x/, "", h); m = ""
			for (i = 0; i < 4; i++) {
				d = index("0123456789abcdef", substr(h, 2 * i + 1, 1)) - 1
				d = d * 16 + index("0123456789abcdef", substr(h, 2 * i + 2, 1)) - 1
				m = m (i ? "." : "") d
			}
			return m
		}
		function cidr(m,   p, i, c, o) {
			split(m, p, "."); c = 0
			for (i = 1; i <= 4; i++) for (o = 128; o >= 1; o /= 2) if (p[i] >= o) { c++; p[i] -= o }
			return c
		}
		/^[^ \t]/ { n = $1; sub(/:$/, "", n); idx++ }
		$1 == "inet" {
			ip = $2; sub(/^addr:/, "", ip); m = ""
			for (k = 3; k < NF; k++) if ($k == "netmask") m = $(k + 1)
			if (m ~ /^0x/) m = hexmask(m)
			printf "%s\t%s\t%s\t%s\t%s\t4\n", n, idx, ip, (m != "" ? cidr(m) : ""), m
		}
		$1 == "inet6" {
			ip = $2; sub(/%.*/, "", ip); c = ""
			for (k = 3; k < NF; k++) if ($k == "prefixlen") c = $(k + 1)
			printf "%s\t%s\t%s\t%s\t\t6\n", n, idx, ip, c
		}'
	fi | rows ip connection net_index ip cidr netmask version
}

audit_route() {
	if have ip; then
		{ T ip -4 route show 2>/dev/null; T ip -6 route show 2>/dev/null; } | awk "$MASK"'
		{
			d = $1; via = ""; dev = ""; met = ""; pr = ""
			if (d == "unreachable" || d == "blackhole" || d == "prohibit") next
			for (i = 2; i < NF; i++) {
				if ($i == "via") via = $(i + 1)
				else if ($i == "dev") dev = $(i + 1)
				else if ($i == "metric") met = $(i + 1)
				else if ($i == "proto") pr = $(i + 1)
			}
			c = ""
			if (d == "default") { d = (index(via, ":") ? "::" : "0.0.0.0"); c = "0" }
			else if (index(d, "/")) { split(d, a, "/"); d = a[1]; c = a[2] }
			else c = (index(d, ":") ? "128" : "32")
			m = index(d, ":") ? "" : mask(c)
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d, m, c, via, met, dev, pr
		}'
	elif have netstat; then
		T netstat -rn 2>/dev/null | awk '
		$1 ~ /^[0-9a-f:.\/]+$|^default$/ && NF >= 3 {
			d = $1; c = ""
			if (index(d, "/")) { split(d, a, "/"); d = a[1]; c = a[2] }
			if (d == "default") { d = "0.0.0.0"; c = "0" }
			printf "%s\t\t%s\t%s\t\t%s\t\n", d, c, $2, $NF
		}'
	fi | rows route destination mask cidr next_hop metric interface protocol
}

# The neighbour table, IPv4 (ARP) and IPv6 (NDP): who this host has
# talked to on its links, with their MACs (seed discovery's source).
# Entries without a link-layer address (INCOMPLETE, FAILED) are not there.
audit_arp() {
	if have ip; then
		T ip neigh show 2>/dev/null | awk '
		{
			mac = ""; dev = ""
			for (i = 2; i < NF; i++) {
				if ($i == "lladdr") mac = $(i + 1)
				else if ($i == "dev") dev = $(i + 1)
			}
			if (mac != "") printf "%s\t%s\t%s\n", $1, mac, dev
		}'
	fi | rows arp ip mac interface
}

# ---- software ----
audit_software() {
	if have dpkg-query; then
		T dpkg-query -W -f='${binary:Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${binary:Summary}\n' 2>/dev/null |
			awk -F '\t' '{ sub(/ +$/, "", $4); print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 "\tdpkg" }'
	fi
	if have rpm; then
		T rpm -qa --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{ARCH}\tii\t%{SUMMARY}\trpm\t%{INSTALLTIME}\n' 2>/dev/null |
			sed 's/\t(none):/\t/'
	fi
	if have apk; then
		T apk info -v 2>/dev/null | sed -n 's/^\(.*\)-\([0-9][^-]*-r[0-9]*\)$/\1\t\2\t\tii\t\tapk/p'
	fi
	if have pacman; then
		T pacman -Q 2>/dev/null | awk '{ print $1 "\t" $2 "\t\tii\t\tpacman" }'
	fi
	if have pkg && [ "$OS" = FreeBSD ]; then
		T pkg query '%n\t%v\t%q\tii\t%c\tpkg' 2>/dev/null
	elif have pkg_info && [ "$OS" = OpenBSD ]; then
		T pkg_info -q 2>/dev/null | sed -n 's/^\(.*\)-\([0-9][^-]*\)$/\1\t\2\t\tii\t\tpkg/p'
	fi
	if have brew && [ "$OS" = Darwin ]; then
		T brew list --versions 2>/dev/null | awk '{ print $1 "\t" $2 "\t\tii\t\tbrew" }'
	fi
} 2>/dev/null
audit_software_rows() {
	audit_software | rows software name version architecture status description packager installed_on
}

# ---- services ----
# Unit files as systemctl list-unit-files reports them: masked (a link to
# /dev/null), alias (a link to another unit), enabled (wanted by a target),
# static (no [Install] section) or disabled.
service_unit_files() {
	{
		set --
		for d in /etc/systemd/system /run/systemd/system \
			/usr/lib/systemd/system /lib/systemd/system; do
			for f in "$d"/*.service; do
				[ -e "$f" ] || [ -L "$f" ] || continue
				m=""
				if [ -L "$f" ]; then
					[ "$f" -ef /dev/null ] && m=masked || m=alias
				fi
				printf 'U\t%s\t%s\n' "${f##*/}" "$m"
				[ -z "$m" ] && set -- "$@" "$f"
			done
		done
		# One reader for every plain unit file, not one grep each:
		# a process costs more than reading a few hundred small files.
		[ $# -gt 0 ] && awk '
		function flush() { if (f != "" && !inst) { sub(/.*\//, "", f); print "S\t" f } }
		FNR == 1 { flush(); f = FILENAME; inst = 0 }
		/^\[Install\]/ { inst = 1 }
		END { flush() }' "$@" 2>/dev/null
		for f in /etc/systemd/system/*.wants/*.service; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			printf 'E\t%s\n' "${f##*/}"
		done
	} | awk -F '\t' '
	$1 == "U" && !($2 in mode) { mode[$2] = $3; ord[++n] = $2 }
	$1 == "S" && mode[$2] == "" { st[$2] = 1 }
	$1 == "E" { en[$2] = 1 }
	END {
		for (i = 1; i <= n; i++) {
			u = ord[i]
			if (u ~ /@\.service$/) continue
			m = mode[u]
			if (m == "") m = en[u] ? "enabled" : (st[u] ? "static" : "disabled")
			printf "%s\t\t%s\t\n", u, m
		}
	}'
}

audit_service() {
	if have systemctl && [ -d /run/systemd/system ]; then
		{
			T systemctl list-unit-files --type=service --no-legend --no-pager 2>/dev/null |
				awk '{ print "F\t" $1 "\t" $2 }'
			T systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null |
				awk '{ d = ""; for (i = 5; i <= NF; i++) d = d (i > 5 ? " " : "") $i
				       print "U\t" $1 "\t" $3 "\t" $4 "\t" d }'
		} | awk -F '\t' '
		$1 == "F" { mode[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; ord[++n] = $2 }; next }
		$1 == "U" { st[$2] = $3 "/" $4; desc[$2] = $5; if (!($2 in seen)) { seen[$2] = 1; ord[++n] = $2 } }
		END {
			for (i = 1; i <= n; i++) {
				u = ord[i]
				if (u ~ /@\.service$/) continue
				printf "%s\t%s\t%s\t%s\n", u, desc[u], mode[u], st[u]
			}
		}'
	elif [ -d /etc/systemd/system ]; then
		# systemd installed but not running (containers, namespaces):
		# read the unit directories; `systemctl list-unit-files` would
		# take seconds to say the same.
		service_unit_files
	elif have service && [ "$OS" = FreeBSD ]; then
		T service -e 2>/dev/null | awk '{ n = $1; sub(/.*\//, "", n); print n "\t\tenabled\t" }'
	elif have rcctl; then
		T rcctl ls on 2>/dev/null | awk '{ print $1 "\t\tenabled\t" }'
	elif have launchctl; then
		T launchctl list 2>/dev/null | awk 'NR > 1 { print $3 "\t\t\t" ($1 == "-" ? "stopped" : "running") }'
	elif [ -d /etc/init.d ]; then
		for f in /etc/init.d/*; do
			[ -x "$f" ] || continue
			printf '%s\t\t\t\n' "${f##*/}"
		done
	fi | rows service name description start_mode state
}

# ---- users and groups (local files only: no LDAP enumeration) ----
audit_user() {
	[ -r /etc/passwd ] || return 0
	awk -F: '!/^[+-]/ && NF >= 7 {
		g = $5; sub(/,.*/, "", g)
		print $1 "\t" g "\t" $3 "\t" $4 "\t" $6 "\t" $7 "\tlocal"
	}' /etc/passwd | rows user name full_name sid gid home shell type
}

audit_user_group() {
	[ -r /etc/group ] || return 0
	awk -F: '!/^[+-]/ && NF >= 3 { print $1 "\t" $3 "\t" $4 }' /etc/group |
		rows user_group name sid members
}

# ---- listening sockets ----
audit_netstat() {
	if [ "$ROOT" != 1 ]; then
		needs_root netstat.program
	fi
	if have ss; then
		R ss -ltunp 2>/dev/null | awk '
		NR > 1 {
			pr = $1; la = $5
			p = la; sub(/.*:/, "", p)
			a = substr(la, 1, length(la) - length(p) - 1)
			gsub(/^\[|\]$/, "", a); sub(/%.*/, "", a)
			if (a == "*") a = (index(la, "[") ? "::" : "0.0.0.0")
			prog = ""; pid = ""
			if (match($0, /users:\(\("[^"]*",pid=[0-9]+/)) {
				s = substr($0, RSTART + 9, RLENGTH - 9)
				prog = s; sub(/".*/, "", prog)
				pid = s; sub(/.*pid=/, "", pid)
			}
			printf "%s\t%s\t%s\t%s\t%s\n", pr, a, p, prog, pid
		}'
	elif have netstat && [ "$OS" = Linux ]; then
		R netstat -ltunp 2>/dev/null | awk '
		$1 ~ /^(tcp|udp)/ {
			la = $4; p = la; sub(/.*:/, "", p)
			a = substr(la, 1, length(la) - length(p) - 1)
			pp = $NF; pid = pp; sub(/\/.*/, "", pid); prog = pp; sub(/^[0-9]+\//, "", prog)
			if (pid !~ /^[0-9]+$/) { pid = ""; prog = "" }
			pr = $1; sub(/6$/, "", pr)
			printf "%s\t%s\t%s\t%s\t%s\n", pr, a, p, prog, pid
		}'
	elif have sockstat; then
		R sockstat -l 2>/dev/null | awk '
		NR > 1 && $5 ~ /^(tcp|udp)/ {
			la = $6; p = la; sub(/.*:/, "", p)
			a = substr(la, 1, length(la) - length(p) - 1)
			pr = $5; sub(/[46]$/, "", pr)
			printf "%s\t%s\t%s\t%s\t%s\n", pr, a, p, $2, $3
		}'
	fi | rows netstat protocol ip port program pid
}

# sys helpers write "name<TAB>value" pairs to the pipe and @needs_root
# markers to fd 3, the real output.
exec 3>&1
audit_sys | awk -F '\t' "$ESC"'
	NF >= 2 && $2 != "" { print "sys\t" $1 "=" esc($2) }'
audit_processor
audit_memory
audit_disk
audit_partition
audit_network
audit_ip
audit_route
audit_arp
audit_software_rows
audit_service
audit_user
audit_user_group
audit_netstat
printf '@end\tstatus=0\n'
