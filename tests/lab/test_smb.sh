#!/bin/sh
# Windows discovery without credentials, against the lab's Samba hosts
# (tests/lab/lab.sh up --smb: smbd + nmbd on 198.18.6.10 with SMB1 on, and on
# .11 with SMB1 off, signing mandatory and a firewall that drops all but
# 137/udp, 139/tcp and 445/tcp). Checks what an administrator would: each
# host is found, with the NetBIOS name and workgroup nmbd registers (the same
# as Samba's own nmblookup -A shows), the host name, SMB dialect 3.1.1,
# signing and SMB1 state as configured, Samba's NTLMSSP version 6.1 build 0
# recorded but not reported as a Windows release; the firewalled host is
# found through 139/445 (and is not found with the old discovery ports
# 80,443,22); the device is stored with those fields; --no-smb asks nothing.
# TAP output.
#
# Needs root, ip netns, smbd, nmbd, nmblookup, jq, sqlite3; prints
# "ok 1 # skip" otherwise. Every packet stays in the lab: the scanner
# namespace is checked for a default route before anything is sent.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/smbd /usr/sbin/nmbd /usr/sbin/snmpd nmblookup jq sqlite3 nft
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")

P=ncw$(($$ % 100000))
export NCLAB_QUIET=1
tmp_init smb-lab
on_cleanup() { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; }
scan() { ip netns exec "$P-scan" "$@"; }
jqe() { jq -e "$@" >/dev/null; }

lab_up "two Samba hosts" --hosts 2 --smb
LAN=$(jq -r .smb_lan "$T/truth.json")
jq -c '.hosts[] | select(.role == "smbd")' "$T/truth.json" >"$T/smbd"

scan "$NETCENSUS" discover --json --no-dns --db "$DB" "$LAN" \
	>"$T/run.json" 2>"$T/run.err"
rc=$?
check "discover $LAN exits 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/run.err"

while read -r h; do
	ip=$(echo "$h" | jq -r .ip)
	nb=$(echo "$h" | jq -r .smb.netbios_name)
	wg=$(echo "$h" | jq -r .smb.workgroup)
	hn=$(echo "$h" | jq -r .smb.hostname)
	smb1=$(echo "$h" | jq -r .smb.smb1)
	sig=$(echo "$h" | jq -r .smb.signing)
	jq -c --arg ip "$ip" '.[] | select(.sys.ip == $ip) | .sys' \
		"$T/run.json" >"$T/sys-$ip.json"
	check "$ip found" test -s "$T/sys-$ip.json"
	check "$ip: NetBIOS name $nb and workgroup $wg (node status)" \
		jqe --arg nb "$nb" --arg wg "$wg" \
		'.netbios_name == $nb and .workgroup == $wg' "$T/sys-$ip.json"
	# an independent reading of the same node status: Samba's nmblookup
	scan nmblookup -A "$ip" >"$T/nmb-$ip.txt" 2>&1
	check "$ip: nmblookup -A lists the same name <00> and group $wg <00>" \
		sh -c "grep -q '^[[:space:]]*$nb[[:space:]]*<00> -[[:space:]]*[BHMP]' '$T/nmb-$ip.txt' &&
		grep -q '^[[:space:]]*$wg[[:space:]]*<00> - <GROUP>' '$T/nmb-$ip.txt'"
	check "$ip: hostname $hn" jqe --arg hn "$hn" '.hostname == $hn' \
		"$T/sys-$ip.json"
	check "$ip: SMB 3.1.1, signing $sig, SMB1 $smb1" \
		jqe --arg s "$sig" --arg o "$smb1" \
		'.smb_dialect == "3.1.1" and .smb_signing == $s and .smb1 == $o' \
		"$T/sys-$ip.json"
	check "$ip: Samba's NTLMSSP names it $nb, version 6.1 build 0, no Windows release claimed" \
		jqe --arg nb "$nb" '.ntlm_nb_computer == $nb and
		.ntlm_os_version == "6.1.0" and .os_name == null and
		.os_family == null' "$T/sys-$ip.json"
	check "$ip: stored with the same fields" sh -c \
		"'$NETCENSUS' device --db '$DB' --json '$ip' | jq -e --arg nb '$nb' --arg s '$sig' \
		'.sys.netbios_name == \$nb and .sys.workgroup == \"$wg\" and .sys.smb_signing == \$s and .sys.smb1 == \"$smb1\"' >/dev/null"
done <"$T/smbd"

FW=$(jq -r 'select(.ping == false) | .ip' "$T/smbd")
check "the firewalled host $FW was found through 139 or 445" \
	sh -c "sqlite3 '$DB' \"select message from discovery_log where ip = '$FW' and stage = 'discovery' and outcome = 'alive'\" |
	grep -Eq '^tcp (139|445) open'"
check "the log says what SMB found, in one line per host" \
	test "$(sqlite3 "$DB" "select count(*) from discovery_log where stage = 'smb' and outcome = 'ok' and message like '%SMB 3.1.1 on 445/tcp%build 0: not Windows%'")" = 2

# the discovery ports before Windows ones were added miss it
scan "$NETCENSUS" discover --json --no-dns --discovery-ports 80,443,22 \
	"$FW" >"$T/old.json" 2>/dev/null
check "with the old discovery ports 80,443,22 the firewalled host is not found" \
	jqe 'length == 0' "$T/old.json"

scan "$NETCENSUS" discover --json --no-dns --no-smb --db "$T/nosmb.db" "$LAN" \
	>"$T/nosmb.json" 2>/dev/null
check "--no-smb: both hosts found, no NetBIOS or SMB field, no smb log row" \
	sh -c "jq -e '[.[] | select(.sys.netbios_name or .sys.smb_dialect)] | length == 0' '$T/nosmb.json' >/dev/null &&
	jq -e 'length >= 2' '$T/nosmb.json' >/dev/null &&
	test \"\$(sqlite3 '$T/nosmb.db' \"select count(*) from discovery_log where stage = 'smb'\")\" = 0"
tap_finish
