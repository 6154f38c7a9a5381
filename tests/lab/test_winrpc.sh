#!/bin/sh
# Windows inventory with `windows` credentials over DCE/RPC (docs/windows.md),
# against the lab's Samba host 198.18.6.10 (tests/lab/lab.sh up --smb) as the
# Windows stand-in. The test configures it as an administrator would a
# Windows server - two local users, a local group with both as members,
# Uninstall entries in the 64- and the 32-bit hive, the BIOS key and
# MachineGuid written with `net registry` - and checks that a discovery with a
# wrong and a right windows credential reads back exactly that: shares (the
# same as Samba's own `net rpc share list`), services (the same as `net rpc
# service list`), users, the group with its members, software from both
# hives, the BIOS and OS values. The wrong password is tried once per host and
# logged by credential name and NT status, never its value. The device is
# stored through intake; an Open-AudIT audit_windows result of the same
# machine (the sample win2012r2_db01.xml with its name and address changed to
# the lab machine's, as a user re-auditing it would get) is then the same
# device. Last, a port 445 that accepts and never answers (in the scanner
# namespace, on 127.0.0.1) ends the RPC job at its per-call deadline with a
# log line, and the run goes on. Then the API's credential test (POST
# /credentials/{id}/test, the server in the scanner namespace): the right
# password logs in and reads the computer's name, the wrong one is refused
# with the server's NT status, no server and a silent one say so, and no
# password is in a reply or the server's log. TAP output.
#
# Needs root, ip netns, smbd, nmbd, net, python3-samba, jq, sqlite3; prints
# "ok 1 # skip" otherwise. Every packet stays in the lab.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/smbd /usr/sbin/nmbd net smbpasswd useradd jq sqlite3
/usr/bin/python3 -c 'import samba.dcerpc.winreg' 2>/dev/null ||
	skip_all "python3-samba is not installed"
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")
SAMPLE=$(cd "$SAMPLES" 2>/dev/null && pwd)/win2012r2_db01.xml

N=$(($$ % 100000))
P=ncr$N
U1=ncra$N
U2=ncrb$N
G=ncrg$N
PW=Lab-$N-Secret-pw
BAD=Wrong-$N-Guess-pw
export NCLAB_QUIET=1
tmp_init winrpc-lab
on_cleanup() {
	[ -n "${HANG_PID:-}" ] && kill "$HANG_PID" 2>/dev/null
	"$LAB" down --prefix "$P" >/dev/null 2>&1 || true
	userdel "$U1" 2>/dev/null
	userdel "$U2" 2>/dev/null
	groupdel "$G" 2>/dev/null
	true
}
scan() { ip netns exec "$P-scan" "$@"; }
jqe() { jq -e "$@" >/dev/null; }

lab_up "two Samba hosts" --hosts 1 --smb
IP=$(jq -r '.hosts[] | select(.role == "smbd" and .ping) | .ip' "$T/truth.json")
NB=$(jq -r --arg ip "$IP" '.hosts[] | select(.ip == $ip) | .smb.netbios_name' "$T/truth.json")
HN=$(jq -r --arg ip "$IP" '.hosts[] | select(.ip == $ip) | .smb.hostname' "$T/truth.json")
CONF=$(ls /run/netcensus-lab/"$P"/smb/w0/smb.conf 2>/dev/null || echo "${NCLAB_STATE:-}/$P/smb/w0/smb.conf")
net_() { net -s "$CONF" "$@" >>"$T/setup.log" 2>&1; }

# --- the "Windows server": users, a group, registry values
useradd -M -s /usr/sbin/nologin "$U1" && useradd -M -s /usr/sbin/nologin "$U2" &&
	groupadd "$G"
printf '%s\n%s\n' "$PW" "$PW" | smbpasswd -c "$CONF" -s -a "$U1" >>"$T/setup.log"
printf '%s\n%s\n' "$PW-2" "$PW-2" | smbpasswd -c "$CONF" -s -a "$U2" >>"$T/setup.log"
net_ groupmap add ntgroup=NcLabOps unixgroup="$G" type=local
net_ sam addmem NcLabOps "$U1"
net_ sam addmem NcLabOps "$U2"
UNI='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
UNI32='HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
BIOS='HKLM\HARDWARE\DESCRIPTION\System\BIOS'
GUID_KEY='HKLM\SOFTWARE\Microsoft\Cryptography'
reg() { # reg KEY NAME TYPE VALUE
	net_ registry createkey "$1"
	net_ registry setvalue "$1" "$2" "$3" "$4"
}
reg "$UNI\\NcLabEditor" DisplayName sz "NcLab Editor"
reg "$UNI\\NcLabEditor" DisplayVersion sz "4.2.1"
reg "$UNI\\NcLabEditor" Publisher sz "NcLab Software Ltd"
reg "$UNI\\NcLabEditor" InstallDate sz "20240131"
reg "$UNI\\{6F2C5E1A-NOTSHOWN}" SystemComponent dword 1
reg "$UNI32\\NcLabLegacy" DisplayName sz "NcLab Legacy Tool (x86)"
reg "$UNI32\\NcLabLegacy" DisplayVersion sz "1.0.7"
reg "$UNI32\\NcLabLegacy" Publisher sz "NcLab Old Corp"
reg "$BIOS" SystemManufacturer sz "NcLab Hardware Inc."
reg "$BIOS" SystemProductName sz "NcLab Server 9000"
reg "$BIOS" BIOSVendor sz "NcLab BIOS Works"
reg "$BIOS" BIOSVersion sz "NCL1.23.4"
reg "$GUID_KEY" MachineGuid sz "5f1d6c2e-$N-4c1b-9b7e-0123456789ab"
check "the lab machine is configured with net (users, group, registry)" \
	sh -c "net -s '$CONF' sam listmem NcLabOps | grep -q '$U2'"

cat >"$T/creds.json" <<EOF
[{"type": "windows", "name": "lab-wrong", "username": "$U1", "password": "$BAD"},
 {"type": "windows", "name": "lab-right", "username": "$U1", "password": "$PW"}]
EOF
chmod 600 "$T/creds.json"

FW=$(jq -r '.hosts[] | select(.role == "smbd" and .ping == false) | .ip' "$T/truth.json")
scan "$NETCENSUS" discover --json --no-dns --db "$DB" --windows-timeout 60000 --credentials \
	"$T/creds.json" "$IP" "$FW" >"$T/run.json" 2>"$T/run.err"
rc=$?
check "discover $IP $FW with a wrong and a right windows credential exits 0" \
	[ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/run.err"
jq --arg ip "$IP" '.[] | select(.sys.ip == $ip)' "$T/run.json" >"$T/dev.json"
sqlite3 "$DB" "select stage, outcome, message from discovery_log where ip = '$IP'" \
	>"$T/log-$IP.txt"
check "$IP: inventoried with credential lab-right (log: winrpc ok)" \
	grep -q "^winrpc|ok|credential 'lab-right'" "$T/log-$IP.txt"
[ -s "$T/dev.json" ] || sed 's/^/# /' "$T/log-$IP.txt"

# shares: the same names and paths as Samba's own client lists them
# Samba's own client reads the password from a file, not the command line
printf 'username = %s\npassword = %s\n' "$U1" "$PW" >"$T/auth"
chmod 600 "$T/auth"
scan net rpc share list -S "$IP" -A "$T/auth" >"$T/shares.txt" 2>/dev/null
check "$IP: shares are the ones 'net rpc share list' lists (share, IPC\$)" \
	sh -c "test \"\$(jq -r '[.share[].name] | sort | join(\",\")' '$T/dev.json')\" = \
	\"\$(sort '$T/shares.txt' | grep -v '^\$' | paste -sd, -)\""
check "$IP: the share 'share' has its path and type" jqe \
	'.share[] | select(.name == "share") | (.path | test("smb.w0.share$")) and .type == "Disk Drive"' \
	"$T/dev.json"

# services: Samba's svcctl lists its own
scan net rpc service list -S "$IP" -A "$T/auth" >"$T/services.txt" 2>/dev/null
check "$IP: services are the ones 'net rpc service list' lists" \
	sh -c "test \"\$(jq -r '[.service[].name] | sort | join(\",\")' '$T/dev.json')\" = \
	\"\$(awk '{print \$1}' '$T/services.txt' | grep -v '^\$' | sort | paste -sd, -)\" &&
	jq -e '.service | length >= 3' '$T/dev.json' >/dev/null"
check "$IP: each service has display name, state, start mode, binary and account" \
	jqe '[.service[] | select(.description != "" and (.state | test("Running|Stopped")) and
	(.start_mode | test("Auto|Manual|Disabled")) and (.executable | length > 0) and
	.user == "LocalSystem")] | length == (input | .service | length)' \
	"$T/dev.json" "$T/dev.json"

# users and the group with its members
check "$IP: local users $U1 and $U2 with SIDs of the machine's domain" \
	jqe --arg a "$U1" --arg b "$U2" --arg nb "$NB" \
	'([.user[] | select(.name == $a or .name == $b) | select(.domain == $nb and
	(.sid | test("^S-1-5-21-[0-9-]+$")) and .disabled == "False")] | length) == 2' \
	"$T/dev.json"
check "$IP: group NcLabOps with members $U1@$NB and $U2@$NB" \
	jqe --arg m "$U1@$NB,$U2@$NB" \
	'.user_group[] | select(.name == "NcLabOps") | (.members | split(", ") | sort | join(",")) == $m' "$T/dev.json" ||
	jq -c .user_group "$T/dev.json" | sed 's/^/# /'

# software from both Uninstall hives; a key without DisplayName is no software
check "$IP: software from the 64-bit hive: NcLab Editor 4.2.1, its publisher and date" \
	jqe '.software[] | select(.name == "NcLab Editor") | .version == "4.2.1" and
	.publisher == "NcLab Software Ltd" and .install_date == "20240131" and
	.type == "windows 64-bit"' "$T/dev.json"
check "$IP: software from the 32-bit hive (WOW6432Node): NcLab Legacy Tool 1.0.7" \
	jqe '.software[] | select(.name == "NcLab Legacy Tool (x86)") | .version == "1.0.7" and
	.publisher == "NcLab Old Corp" and .type == "windows 32-bit"' "$T/dev.json"
check "$IP: exactly the two configured programs (a key with no DisplayName is none)" \
	jqe '.software | length == 2' "$T/dev.json"

# registry values: BIOS, MachineGuid, and CurrentVersion as Samba serves it
# (the maker's name without its legal form, as for every source)
check "$IP: manufacturer and model from the BIOS key" jqe \
	'.sys.manufacturer == "NcLab Hardware" and .sys.model == "NcLab Server 9000"' \
	"$T/dev.json"
check "$IP: bios section: vendor and version" jqe \
	'.bios[0].manufacturer == "NcLab BIOS Works" and .bios[0].version == "NCL1.23.4"' \
	"$T/dev.json"
check "$IP: MachineGuid, workgroup, SystemRoot and CurrentVersion in the windows section" \
	jqe --arg g "5f1d6c2e-$N-4c1b-9b7e-0123456789ab" \
	'.windows[0] | .machine_guid == $g and .workgroup == "NCLABWG" and
	.part_of_domain == "False" and .install_directory == "c:\\Windows" and .version == "6.1"' \
	"$T/dev.json"
# Samba serves CurrentVersion from code (SystemRoot, CurrentVersion 6.1),
# without ProductName: no Windows release may be claimed for it
check "$IP: no ProductName served, so no os_name claimed; host name $HN, machine SID" \
	jqe --arg hn "$HN" '.sys.os_name == null and .sys.hostname == $hn and
	(.sys.windows_machine_sid | test("^S-1-5-21-")) and .sys.windows_credential == "lab-right"' \
	"$T/dev.json"

# the wrong password: once per host, by name and status, never the value
check "$IP: the wrong credential was refused once, logged with its NT status" \
	test "$(grep -c "^winrpc|auth-refused|.*'lab-wrong' (NT_STATUS_LOGON_FAILURE)" "$T/log-$IP.txt")" = 1
sqlite3 "$DB" "select stage, outcome, message from discovery_log where ip = '$FW'" \
	>"$T/log-$FW.txt"
check "$FW (no such account): each credential tried once, then no inventory" \
	sh -c "test \"\$(grep -c '^winrpc|auth-refused|' '$T/log-$FW.txt')\" = 1 &&
	grep -q \"^winrpc|auth-refused|.*'lab-wrong' (NT_STATUS_[A-Z_]*), 'lab-right' (NT_STATUS_[A-Z_]*)\$\" '$T/log-$FW.txt' &&
	grep -q '^winrpc|failed|every credential refused' '$T/log-$FW.txt'" ||
	sed 's/^/# /' "$T/log-$FW.txt"
check "neither password appears in the database, the output or the log" \
	sh -c "! grep -aq -e '$BAD' -e '$PW' '$DB' '$T/run.json' '$T/run.err'"


# the next run tries the credential that worked first: no refusal at all
scan "$NETCENSUS" discover --json --no-dns --db "$DB" --windows-timeout 60000 --credentials \
	"$T/creds.json" "$IP" >/dev/null 2>"$T/run2.err"
check "$IP: a second run tries lab-right first (remembered): no new refusal" \
	sh -c "test \"\$(sqlite3 '$DB' \"select count(*) from discovery_log where ip = '$IP' and stage = 'winrpc' and outcome = 'auth-refused'\")\" = 1 &&
	test \"\$(sqlite3 '$DB' \"select count(*) from discovery_log where ip = '$IP' and stage = 'winrpc' and outcome = 'ok' and message like 'credential ''lab-right''%'\")\" = 2"

# stored through intake, then Open-AudIT's audit of the same machine
DEV=$("$NETCENSUS" device --db "$DB" --json "$IP" | jq -r .sys.id)
check "$IP: stored as one device with its sections" sh -c \
	"'$NETCENSUS' device --db '$DB' --json '$IP' | jq -e '(.share | length) >= 2 and (.software | length) == 2 and (.user_group | length) >= 1' >/dev/null"
if [ -f "$SAMPLE" ]; then
	NDEV=$(sqlite3 "$DB" "select count(*) from device")
	sed -e "s/win2012-db01\.open-audit\.local/$HN/g" -e "s/win2012-db01/$HN/g" \
		-e "s/192\.168\.1\.120/$IP/g" -e "s/open-audit\.local//g" \
		"$SAMPLE" >"$T/oa.xml"
	"$NETCENSUS" import --db "$DB" "$T/oa.xml" >"$T/import.out" 2>&1
	check "the Open-AudIT audit of the same machine is imported" [ $? -eq 0 ]
	check "... and matched to the discovered device $DEV (no new device)" \
		sh -c "test \"\$(sqlite3 '$DB' 'select count(*) from device')\" = '$NDEV' &&
		'$NETCENSUS' device --db '$DB' --json '$IP' | jq -e --argjson id '$DEV' '.sys.id == \$id and (.software | length) > 2' >/dev/null"
else
	# CI's clean checkout has no ../shared: only this check needs it
	ok "# skip the Open-AudIT sample win2012r2_db01.xml is not in $SAMPLES"
fi

# a 445 that accepts and never answers: the per-call deadline ends it
# (the runs above wait up to 60 s per reading, so a busy machine cannot
# make them fail; this one needs a deadline that is reached)
scan /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 445)); s.listen(8)
c = []
while True:
    c.append(s.accept()[0])
' >/dev/null 2>&1 &
HANG_PID=$!
wait_until 30 scan bash -c "exec 3<>/dev/tcp/127.0.0.1/445" 2>/dev/null
scan "$NETCENSUS" discover --json --no-dns --no-smb --db "$T/hang.db" \
	--credentials "$T/creds.json" --windows-timeout 15000 --ports 445 \
	127.0.0.1 >"$T/hang.json" 2>"$T/hang.err" &
RUN_PID=$!
# while the worker waits on the silent peer: its command line and
# environment, as any local user could read them, hold no password. The
# poll that finds the worker reads both at once (a worker found by one
# poll and read after it had reached its deadline and gone: session 10,
# once at load 10-20), and the deadline is 15 s, far from the polls.
worker() {
	W=$(pgrep -f 'netcensus Windows inventory worker' | head -n 1)
	[ -n "$W" ] &&
		tr '\0' ' ' <"/proc/$W/cmdline" >"$T/worker.cmd" 2>/dev/null &&
		tr '\0' '\n' <"/proc/$W/environ" >"$T/worker.env" 2>/dev/null &&
		grep -q 'inventory worker' "$T/worker.cmd"
}
if wait_until 60 worker; then
	check "the RPC worker's command line and environment hold no credential" \
		sh -c "! grep -q -e '$PW' -e '$BAD' -e '$U1' '$T/worker.cmd' '$T/worker.env'"
	grep -o -e "$PW" -e "$BAD" -e "$U1" "$T/worker.cmd" "$T/worker.env" | sed 's/^/# found: /'
else
	nok "the RPC worker process was seen"
fi
wait "$RUN_PID"
check "a 445 that never answers: the run ends (exit 0), the host is still reported" \
	sh -c "jq -e 'length == 1' '$T/hang.json' >/dev/null"
check "... with the log line: no answer within the call's 15000 ms, killed" \
	sh -c "sqlite3 '$T/hang.db' \"select message from discovery_log where stage = 'winrpc' and outcome = 'failed'\" |
	grep -q 'within the call.s 15000 ms: killed'"

# --- the API's credential test (POST /credentials/{id}/test): the server
# runs in the scanner namespace, so its one login goes to the lab host;
# curl asks it there on the namespace's loopback
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$P-scan" "$NETCENSUS" >"$T/nc-scan"
chmod +x "$T/nc-scan"
NETCENSUS=$T/nc-scan
curl() { scan /usr/bin/curl "$@"; }
serve_start "$T/serve.log" || { sed 's/^/# /' "$T/serve.log"; nok "the server starts in the scanner namespace"; tap_finish; }
TOKEN=$(admin_token admin)
cred() { # cred NAME PASSWORD: a windows credential made through the API; its id
	req POST /api/v1/credentials -H 'Content-Type: application/json' \
		-d "{\"type\":\"windows\",\"name\":\"$1\",\"username\":\"$U1\",\"password\":\"$2\"}"
	J .id
}
RIGHT=$(cred api-right "$PW")
WRONG=$(cred api-wrong "$BAD")
try() { # try ID ADDRESS TIMEOUT_MS: the test's reply in $T/try-ID-ADDRESS.json
	req POST "/api/v1/credentials/$1/test" -H 'Content-Type: application/json' \
		-d "{\"address\":\"$2\",\"timeout_ms\":$3}"
	cp "$T/body" "$T/try-$1-$2.json"
}
tcheck() { # tcheck WHAT FILE [JQ-ARGS...] FILTER: a check of one reply,
	# shown when it fails
	_what=$1 _file=$2
	shift 2
	if jq -e "$@" "$_file" >/dev/null; then
		ok "$_what"
	else
		nok "$_what"
		sed 's/^/# /' "$_file"
	fi
}
try "$RIGHT" "$IP" 30000
tcheck "credential test, right password on $IP: ok, the computer's name and workgroup read" \
	"$T/try-$RIGHT-$IP.json" --arg nb "$NB" \
	'.ok == true and .port == 445 and (.message | test("^logged in as .'"$U1"'.: computer .\($nb).*, workgroup ...+"; "i"))'
tcheck "... and what the registry serves: CurrentVersion, no Windows release claimed for Samba" \
	"$T/try-$RIGHT-$IP.json" '.message | test("CurrentVersion 6\\.1.*no Windows release claimed")'
try "$WRONG" "$IP" 30000
tcheck "credential test, wrong password: refused, with the server's NT status" \
	"$T/try-$WRONG-$IP.json" \
	'.ok == false and .message == "login refused by the server: '"'"'api-wrong'"'"' (NT_STATUS_LOGON_FAILURE)"'
# nothing listens on 127.0.0.2 in the scanner namespace: refused at once
try "$RIGHT" 127.0.0.2 30000
tcheck "credential test, no SMB server there: not ok, the refused connection named" \
	"$T/try-$RIGHT-127.0.0.2.json" \
	'.ok == false and .message == "wkssvc: 445/tcp: Connection refused"'
# the silent 445 above (127.0.0.1) is still there: the per-step deadline
try "$RIGHT" 127.0.0.1 2000
tcheck "credential test, a 445 that never answers: not ok after its 2000 ms deadline" \
	"$T/try-$RIGHT-127.0.0.1.json" \
	'.ok == false and (.message | test("within the call.s 2000 ms: killed"))'
req POST "/api/v1/credentials/$RIGHT/test" -H 'Content-Type: application/json' \
	-d "{\"address\":\"$IP\",\"port\":139}"
check "credential test of a windows credential on another port than 445: 400, port named" \
	sh -c "[ '$S' = 400 ] && jq -e '.field == \"port\"' '$T/body' >/dev/null"
req POST "/api/v1/credentials/$RIGHT/test" -H 'Content-Type: application/json' \
	-d "{\"address\":\"$IP\",\"timeout_ms\":600000}"
check "credential test with timeout_ms over 30000: 400, timeout_ms named" \
	sh -c "[ '$S' = 400 ] && jq -e '.field == \"timeout_ms\"' '$T/body' >/dev/null"
serve_stop
check "neither password in the replies or the server's log" \
	sh -c "! grep -aq -e '$BAD' -e '$PW' '$T'/try-*.json '$T/serve.log'"
check "the server's log names each test and its outcome" \
	sh -c "grep -q \"credential $RIGHT tested by 'admin' on $IP: ok\" '$T/serve.log' &&
	grep -q \"credential $WRONG tested by 'admin' on $IP: failed\" '$T/serve.log'"
tap_finish
