#!/bin/sh
# RDP without credentials, against a real CredSSP server: FreeRDP 2.11's
# shadow server (Debian freerdp2-shadow-x11, on an Xvfb display) in a
# network namespace of its own, on its loopback, with its own host name
# (unshare --uts). Checks what an administrator would: with NLA the
# security protocol is reported as "NLA (CredSSP)" and the NTLMSSP
# challenge gives the server's name (WinPR's NTLM, not Windows', so its
# version is the 6.1 build 7601 it poses as); with TLS only, the protocol
# is "TLS" and no name is claimed; the log names what was found. TAP output.
#
# Needs root, ip netns, Xvfb, freerdp-shadow-cli, unshare, jq, sqlite3;
# prints "ok 1 # skip" otherwise. Nothing leaves the namespace's loopback.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools Xvfb freerdp-shadow-cli unshare jq sqlite3 ss
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")

NS=ncr$(($$ % 100000))
NAME=lab-rdp-00
tmp_init rdp-lab
XPID=
SPID=
on_cleanup() {
	for p in $SPID $XPID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null || true
}
inns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" && ip -n "$NS" link set lo up || {
	nok "namespace $NS"
	tap_finish
}
# a display number nobody holds (Xvfb's lock files are machine-wide)
D=$((400 + $$ % 500))
while [ -e "/tmp/.X$D-lock" ]; do D=$((D + 1)); done
# -noreset: the shadow server opens the display twice
ip netns exec "$NS" Xvfb ":$D" -ac -noreset -nolisten tcp -screen 0 640x480x24 \
	>"$T/xvfb.log" 2>&1 &
XPID=$!
if wait_until "$WAIT_LONG" sh -c "ip netns exec $NS ss -xl | grep -q 'X11-unix/X$D '"; then
	ok "Xvfb :$D in namespace $NS"
else
	nok "Xvfb :$D did not start"
	sed 's/^/# /' "$T/xvfb.log"
	tap_finish
fi
mkdir -p "$T/home"
# a SAM file is what NLA needs to run; no client ever logs in here
echo 'nctest:LABRDP:aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::' >"$T/sam"

shadow_start() { # shadow_start SEC
	# not through inns: $! must be the server itself (each step execs)
	ip netns exec "$NS" unshare --uts /bin/sh -c 'hostname "$0" && exec env HOME="$1" \
		DISPLAY="$2" freerdp-shadow-cli /bind-address:127.0.0.1 \
		/port:3389 /sec:"$3" /sam-file:"$4"' \
		"$NAME" "$T/home" ":$D" "$1" "$T/sam" >"$T/shadow-$1.log" 2>&1 &
	SPID=$!
	wait_until "$WAIT_LONG" sh -c "ip netns exec $NS ss -ltn | grep -q '127.0.0.1:3389 '"
}
shadow_stop() {
	kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	SPID=
	wait_until "$WAIT_LONG" sh -c "! ip netns exec $NS ss -ltn | grep -q '127.0.0.1:3389 '"
}

# ---------------------------------------------------------------- NLA
if shadow_start nla; then
	ok "freerdp-shadow-cli /sec:nla listens on 127.0.0.1:3389"
else
	nok "freerdp-shadow-cli /sec:nla did not start"
	sed 's/^/# /' "$T/shadow-nla.log"
	tap_finish
fi
inns "$NETCENSUS" discover --json --no-dns --no-ping --ports 3389 --no-snmp \
	--db "$DB" 127.0.0.1 >"$T/nla.json" 2>"$T/nla.err"
check "discover 127.0.0.1 --ports 3389 exits 0" [ $? -eq 0 ]
jq -c '.[0].sys' "$T/nla.json" >"$T/nla.sys"
check "security protocol: NLA (CredSSP)" \
	jq -e '.rdp_security == "NLA (CredSSP)"' "$T/nla.sys"
check "NTLMSSP over CredSSP names the server ${NAME} (NetBIOS ${NAME^^})" \
	jq -e --arg n "$NAME" --arg N "${NAME^^}" \
	'.hostname == $n and .ntlm_nb_computer == $N and .ntlm_dns_computer == $n' \
	"$T/nla.sys"
check "its version is WinPR's 6.1 build 7601, read as sent" \
	jq -e '.ntlm_os_version == "6.1.7601"' "$T/nla.sys"
check "the log row says RDP NLA and NTLMSSP over CredSSP" \
	test "$(sqlite3 "$DB" "select count(*) from discovery_log where stage = 'smb' and outcome = 'ok' and message like 'RDP: NLA (CredSSP); NTLMSSP (RDP CredSSP): computer ''${NAME^^}''%'")" = 1
shadow_stop

# ---------------------------------------------------------------- TLS
if shadow_start tls; then
	ok "freerdp-shadow-cli /sec:tls listens on 127.0.0.1:3389"
else
	nok "freerdp-shadow-cli /sec:tls did not start"
	tap_finish
fi
inns "$NETCENSUS" discover --json --no-dns --no-ping --ports 3389 --no-snmp \
	127.0.0.1 >"$T/tls.json" 2>/dev/null
check "TLS only: security protocol TLS, no NTLMSSP, no name claimed" \
	jq -e '.[0].sys | .rdp_security == "TLS" and .ntlm_nb_computer == null and .os_name == null' \
	"$T/tls.json"
shadow_stop
tap_finish
