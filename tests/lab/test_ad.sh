#!/bin/bash
# Active Directory discovery and sign-in against a real Samba AD domain
# controller (tests/lab/ad_dc.sh) in a network namespace of the test's own
# (198.18.250.0/24 on a veth pair inside it, no route anywhere else).
# netcensus, the DC, two snmpd agents, ldapsearch and curl all run inside
# that namespace, which the test deletes at the end.
#
# An AD run cancelled through the API while the DC hangs mid-read (the
# stall relay) ends cancelled at once with nothing stored; it binds with
# an ldap credential (a bind DN).
#
# Refusals store nothing: a wrong password, a CA that did not sign the DC's
# certificate, plain LDAP (the DC refuses it), a DC stopped (SIGSTOP) in the
# middle of a page behind a relay (tests/lab/ad_stall.py) with a 15 s
# deadline. The CLI reads 1,203 computers in pages (time and peak RSS
# printed); an AD discovery stored and run through the API stores every
# computer with its OS fields and OU, flags exactly the disabled and stale
# ones, proposes one disabled discovery per subnet named after its site
# (which does not run), drops a 10 MB description, turns control
# characters into spaces and skips a filter-looking name; network discovery
# of two Windows-looking SNMP agents matches one to its AD device, and the
# two shipped difference reports list what they should; an
# active_directory task refreshes without doubling anything; users of the
# domain sign in with roles from (nested) groups.
#
# Prints TAP; skips without root, ip netns, samba or the Samba AD
# provisioning files.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools samba samba-tool ldbadd openssl ldapsearch jq curl /usr/bin/python3
need_netcensus
[ -d /usr/share/samba/setup/ad-schema ] ||
	skip_all "samba-ad-provision is not installed"
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")
HERE=$(cd "$(dirname "$0")" && pwd)

# ---- outside: a namespace of our own, the test inside it ----
if [ "${1:-}" != --inside ]; then
	NS=ncad$(($$ % 100000))
	ip netns add "$NS" || skip_all "cannot make a network namespace"
	ip netns exec "$NS" bash "$0" --inside
	rc=$?
	for p in $(ip netns pids "$NS" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	ip netns del "$NS"
	exit $rc
fi

# v0: the DC; v1: two SNMP agents standing for machines on the wire
ip link set lo up
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 198.18.250.10/24 dev v0
ip addr add 198.18.250.11/24 dev v1
ip addr add 198.18.250.12/24 dev v1

tmp_init ad
DC_IF=v0
. "$HERE/ad_dc.sh"
N_COMPUTERS=${N_COMPUTERS:-1200}
phase_t0=$(date +%s.%N)
phase() { # phase WHAT: prints how long since the last phase
	now=$(date +%s.%N)
	printf '# %s: %.1f s\n' "$1" "$(echo "$now - $phase_t0" | bc)"
	phase_t0=$now
}
sql() { sqlite3 "$DB" "$@"; }
q() { sql "$1"; }

# ---- a test CA, the DC's certificate, and another CA ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=testca \
	-keyout "$T/testca.key" -out "$T/testca.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=otherca \
	-keyout "$T/otherca.key" -out "$T/otherca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=dc1.lab.test \
	-keyout "$T/dc.key" -out "$T/dc.csr" 2>/dev/null
printf 'subjectAltName=IP:%s,DNS:dc1.lab.test\n' "$DC_IP" >"$T/dc.ext"
openssl x509 -req -in "$T/dc.csr" -CA "$T/testca.crt" -CAkey "$T/testca.key" \
	-CAcreateserial -days 2 -extfile "$T/dc.ext" -out "$T/dc.crt" 2>/dev/null
chmod 600 "$T/dc.key"
check "test CA and the DC's certificate" \
	openssl verify -CAfile "$T/testca.crt" "$T/dc.crt"

# ---- the domain controller ----
if ! ad_dc_provision; then
	tail -20 "$T/provision.log"
	nok "samba-tool domain provision"
	tap_finish
fi
ok "samba-tool domain provision into $T/dc (realm LAB.TEST)"
phase provision
ad_dc_ldif "$N_COMPUTERS" >"$T/bulk.ldif"
if ! ad_dc_load "$T/bulk.ldif"; then
	tail -20 "$T/ldbadd.log"
	nok "ldbadd of $N_COMPUTERS computers"
	tap_finish
fi
ok "ldbadd: $N_COMPUTERS computers + 3 hostile ones, 2 sites, 3 subnets, users, nested groups"
phase "bulk load"
if ! ad_dc_start; then
	tail -30 "$T/dc/log/samba.out"
	nok "samba answers LDAPS as Administrator"
	tap_finish
fi
ok "samba answers LDAPS as Administrator"
phase "DC start"
ALL=$((N_COMPUTERS + 3)) # + dc1, huge-desc, ctrl-chars (evil is skipped)

creds() { # creds FILE USER PASSWORD
	jq -n --arg u "$2" --arg p "$3" '[{type: "windows", name: "lab ad",
		username: $u, password: $p, domain: "lab.test"}]' >"$1"
}
creds "$T/good.json" Administrator "$DC_ADMIN_PW"
creds "$T/bad.json" Administrator wrong-Password-1
ndev() { sqlite3 "$1" "SELECT count(*) FROM device" 2>/dev/null || echo 0; }
# stall_start NAME: the stall relay (tests/lab/ad_stall.py) to the DC's
# LDAPS, stopping the DC after 150,000 bytes and then writing $T/NAME.mark;
# STALL (its pid) and STALL_PORT, once it listens
stall_start() {
	STALL_PORT=$(free_port)
	/usr/bin/python3 "$HERE/ad_stall.py" "$DC_IP" "$STALL_PORT" "$DC_IP" \
		636 150000 "$DC_PID" "$T/$1.mark" >"$T/$1.log" 2>&1 &
	STALL=$!
	BG_PIDS="$BG_PIDS $STALL"
	wait_until "$WAIT_LONG" stall_up
}
stall_up() { ss -ltn | grep -q "$DC_IP:$STALL_PORT "; }

# ad_cli NAME ARGS...: netcensus discover ARGS --db $T/NAME.db, stdout to
# $T/NAME.out, stderr to $T/NAME.err, the exit status in rc
ad_cli() {
	_n=$1
	shift
	"$NETCENSUS" discover "$@" --db "$T/$_n.db" >"$T/$_n.out" 2>"$T/$_n.err"
	rc=$?
}

# ---- refusals: nothing stored ----
ad_cli bad --ad-server "$DC_IP" --ad-ca "$T/testca.crt" \
	--credentials "$T/bad.json"
check "wrong password: exit 1" test "$rc" = 1
check "wrong password: the error names the bind and the refusal" \
	grep -q "binding to ldaps://$DC_IP as Administrator@lab.test: Invalid credentials" "$T/bad.err"
check "wrong password: nothing stored" test "$(ndev "$T/bad.db")" = 0
check "wrong password: the password is never printed" \
	sh -c "! grep -q wrong-Password-1 '$T/bad.err'"
ad_cli rogue --ad-server "$DC_IP" --ad-ca "$T/otherca.crt" \
	--credentials "$T/good.json"
check "a CA that did not sign the DC's certificate: exit 1" test "$rc" = 1
check "untrusted certificate: the error says why" \
	grep -q "certificate" "$T/rogue.err"
check "untrusted certificate: nothing stored" test "$(ndev "$T/rogue.db")" = 0
ad_cli plain --ad-server "ldap://$DC_IP" --ad-allow-plain \
	--credentials "$T/good.json"
check "plain LDAP (allowed by netcensus): the DC refuses a simple bind, nothing stored" \
	test "$rc" = 1 -a "$(ndev "$T/plain.db")" = 0
"$NETCENSUS" discover --ad-server "ldap://$DC_IP" --ad-ca "$T/testca.crt" \
	--credentials "$T/good.json" --json >"$T/starttls.json" 2>"$T/starttls.err"
check "ldap:// uses StartTLS: every computer read" \
	test "$(jq length "$T/starttls.json")" = "$ALL"

# ---- the CLI read: time and memory ----
/usr/bin/time -f '%e %M' -o "$T/cli.time" "$NETCENSUS" discover \
	--ad-server "$DC_IP" --ad-ca "$T/testca.crt" --credentials "$T/good.json" \
	--jsonl >"$T/cli.jsonl" 2>"$T/cli.err"
rc=$?
read -r secs rss <"$T/cli.time"
echo "# CLI read of $ALL computers: ${secs} s wall, peak RSS $((rss / 1024)) MB ($(grep -o '[0-9]* pages' "$T/cli.err"))"
check "CLI: every computer object is a report ($ALL)" \
	test "$rc" = 0 -a "$(wc -l <"$T/cli.jsonl")" = "$ALL"
check "CLI: paged (more than one page of computers)" \
	test "$(grep -o '[0-9]* pages' "$T/cli.err" | cut -d' ' -f1)" -ge 3
check "CLI: read within 120 s and 400 MB peak RSS" \
	test "${secs%.*}" -lt 120 -a "$rss" -lt 409600

# ---- the server: a stored AD discovery, run through the API ----
SERVE_CONFIG=$T/netcensus.conf
cat >"$T/netcensus.conf" <<CONF
listen = http://127.0.0.1:@PORT@
db = $DB
ldap.lab.type = active_directory
ldap.lab.url = ldaps://$DC_IP
ldap.lab.ca_file = $T/testca.crt
ldap.lab.base_dn = $DC_BASE
ldap.lab.mapping = nc-admins | admin | Default
ldap.lab.mapping = nc-viewers | user
CONF
serve_start "$T/log" || { cat "$T/log"; nok "server starts"; tap_finish; }
ok "server starts (with the DC as a sign-in source)"
TOKEN=$(admin_token admin)

req POST /api/v1/credentials -H 'Content-Type: application/json' \
	-d "$(jq -c '.[0] + {org_id: 1}' "$T/good.json")"
CRED=$(J .id)
check "a windows credential stored (201)" test "$S" = 201
req POST /api/v1/discoveries -H 'Content-Type: application/json' \
	-d "$(jq -nc --arg s "$DC_IP" --arg ca "$T/testca.crt" --argjson c "$CRED" \
		'{name: "lab AD", options: {ad_server: $s, ad_ca: $ca,
		  ad_page_size: 250}, credentials: [$c]}')"
AD_ID=$(J .id)
check "an active_directory discovery needs no targets (201)" test "$S" = 201

# ---- cancelling a run mid-read (before anything was stored) ----
# an ldap credential (a bind DN) binds; the DC is reached through the
# stall relay, which stops it (SIGSTOP) after 150,000 bytes: the read is
# then waiting for the DC mid-page, with pages read, and stays there
req POST /api/v1/credentials -H 'Content-Type: application/json' \
	-d "$(jq -nc --arg dn "CN=Administrator,CN=Users,$DC_BASE" \
		--arg p "$DC_ADMIN_PW" '{name: "lab ldap", type: "ldap",
		bind_dn: $dn, password: $p, org_id: 1}')"
LCRED=$(J .id)
check "an ldap credential (bind DN) stored (201)" test "$S" = 201
stall_start cancel
CP=$STALL_PORT
CSTALL=$STALL
req POST /api/v1/discoveries -H 'Content-Type: application/json' \
	-d "$(jq -nc --arg s "ldaps://$DC_IP:$CP" --arg ca "$T/testca.crt" \
		--argjson c "$LCRED" '{name: "lab AD stalled", options:
		{ad_server: $s, ad_ca: $ca, ad_page_size: 100,
		 ad_deadline_ms: 3600000}, credentials: [$c]}')"
STALL_ID=$(J .id)
req POST "/api/v1/discoveries/$STALL_ID/run"
CRUN=$(J .id)
dc_stopped() { test -s "$T/cancel.mark"; }
reading() { # the run is reading, pages in, objects counted
	req GET "/api/v1/discovery-runs/$CRUN"
	jq -e '.state == "running" and .progress.phase == "reading" and
		.progress.pages >= 1 and .progress.objects >= 1' "$T/body" \
		>/dev/null
}
wait_until 300 dc_stopped
check "the DC stopped mid-read ($(cat "$T/cancel.mark" 2>/dev/null) bytes)" dc_stopped
wait_until "$WAIT_LONG" reading
check "live progress while reading with the ldap credential's bind: $(jq -c .progress "$T/body")" reading
req POST "/api/v1/discovery-runs/$CRUN/cancel"
check "cancel: 202 stopping" test "$S" = 202 -a "$(J .state)" = stopping
t0=$(date +%s)
cancelled() {
	req GET "/api/v1/discovery-runs/$CRUN"
	test "$(J .state)" = cancelled
}
wait_until "$WAIT_LONG" cancelled
echo "# the cancelled run ended $(($(date +%s) - t0)) s after the cancel (the DC still stopped)"
req GET "/api/v1/discovery-runs/$CRUN"
check "the run is cancelled, nothing stored: $(J .message)" \
	test "$(J .state)" = cancelled -a "$(J .devices_stored)" = 0 -a \
	-n "$(J .message | grep 'stopped while reading the directory.*nothing was stored')"
check "nothing half-stored: no device, no proposed discovery, a 'cancelled' log row" \
	test "$(q "SELECT count(*) FROM device")" = 0 -a \
	"$(q "SELECT count(*) FROM discovery WHERE name LIKE 'AD site %'")" = 0 -a \
	"$(q "SELECT count(*) FROM discovery_log WHERE run_id = $CRUN AND outcome = 'cancelled'")" = 1
kill "$CSTALL" 2>/dev/null
kill -CONT "$DC_PID" 2>/dev/null
wait_until "$WAIT_LONG" ad_dc_bound
phase "cancel"

run_disc() { # run_disc ID: queues a run and waits for its end; RUN, STATE
	req POST "/api/v1/discoveries/$1/run"
	RUN=$(J .id)
	wait_until 300 run_ended "$RUN"
	req GET "/api/v1/discovery-runs/$RUN"
	STATE=$(J .state)
}
run_ended() {
	req GET "/api/v1/discovery-runs/$1"
	case $(J .state) in done | failed | cancelled) return 0 ;; esac
	return 1
}
t0=$(date +%s)
run_disc "$AD_ID"
echo "# API run of the AD discovery (read + intake of $ALL devices): $(($(date +%s) - t0)) s"
check "the AD run is done: $(J .message)" test "$STATE" = done

check "every computer object is a device ($ALL)" \
	test "$(q "SELECT count(*) FROM device WHERE tags LIKE 'active_directory%'")" = "$ALL"
check "each ws-NNNN has its OS fields and its OU" \
	test "$(q "SELECT count(*) FROM device WHERE hostname LIKE 'ws-%'
		AND fqdn = hostname || '.lab.test' AND os_group = 'Windows'
		AND ((os_name = 'Windows 10 Enterprise' AND os_version = '10.0 (19045)'
		      AND tags LIKE '%,ou:Corp/Workstations%')
		  OR (os_name = 'Windows Server 2019 Standard'
		      AND os_version = '10.0 (17763)' AND tags LIKE '%,ou:Corp/Servers%'))")" = "$N_COMPUTERS"
check "the DC itself, in OU Domain Controllers" \
	test "$(q "SELECT tags FROM device WHERE hostname = 'dc1'")" = "active_directory,ou:Domain Controllers"
exp_dis=$(seq 50 50 "$N_COMPUTERS" | xargs printf 'ws-%04d\n' | sort)
got_dis=$(q "SELECT hostname FROM device WHERE tags LIKE '%ad_disabled%'
	AND json_extract(extra, '\$.ad_disabled') = 'true' ORDER BY 1")
check "disabled computers flagged: exactly every 50th ($(echo "$exp_dis" | wc -l))" \
	test "$got_dis" = "$exp_dis"
exp_st=$(seq 40 40 "$N_COMPUTERS" | xargs printf 'ws-%04d\n' | sort)
got_st=$(q "SELECT hostname FROM device WHERE tags LIKE '%ad_stale%' ORDER BY 1")
check "stale computers flagged: exactly every 40th ($(echo "$exp_st" | wc -l))" \
	test "$got_st" = "$exp_st"
check "subnets: one proposed discovery each, named after the site, disabled" \
	test "$(q "SELECT group_concat(name || '|' || targets || '|' ||
		json_extract(options, '\$.disabled'), ';') FROM (SELECT * FROM
		discovery WHERE name LIKE 'AD site %' ORDER BY name)")" = \
	"AD site Berlin: 198.18.250.0/24|198.18.250.0/24|1;AD site Berlin: 198.18.251.0/24|198.18.251.0/24|1;AD site Paris: 198.18.252.0/24|198.18.252.0/24|1"
P_ID=$(q "SELECT id FROM discovery WHERE name = 'AD site Paris: 198.18.252.0/24'")
run_disc "$P_ID"
check "a proposed (disabled) discovery does not run: $(J .message)" \
	test "$STATE" = failed
# hostile values
check "10 MB description: device stored without it, the drop logged" \
	test "$(q "SELECT count(*) FROM device WHERE hostname = 'huge-desc'
		AND description IS NULL")" = 1 -a \
	"$(q "SELECT count(*) FROM discovery_log WHERE outcome = 'dropped'
		AND message LIKE '%huge-desc%description of 10485760 bytes%'")" -ge 1
check "control characters stored as spaces" \
	test "$(q "SELECT os_name || '|' || description FROM device WHERE hostname = 'ctrl-chars'")" = \
	"Windows [31m 11|line1 line2 bell"
check "a filter-looking name that is no host name: skipped and logged, not stored" \
	test "$(q "SELECT count(*) FROM device WHERE hostname LIKE 'evil%'")" = 0 -a \
	"$(q "SELECT count(*) FROM discovery_log WHERE outcome = 'skipped'
		AND message LIKE 'CN=evil*)(cn%'")" -ge 1

# ---- the wire: two Windows-looking SNMP agents ----
agent() { # agent ADDR SYSNAME
	mkdir -p "$T/snmp-$1"
	cat >"$T/snmp-$1/conf" <<SNMP
sysObjectID .1.3.6.1.4.1.311.1.1.3.1.1
sysName $2
sysDescr Hardware: Intel64 Family 6 Model 85 Stepping 4 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 19045 Multiprocessor Free)
view wire included .1.3.6.1.2.1.1
rocommunity public default -V wire
SNMP
	env MIBS= /usr/sbin/snmpd -f -Lo -C -I -smux -c "$T/snmp-$1/conf" \
		-p "$T/snmp-$1/pid" --persistentDir="$T/snmp-$1" "udp:$1:161" \
		>"$T/snmp-$1/log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
}
agent 198.18.250.11 ws-0001.lab.test
agent 198.18.250.12 rogue-pc
snmp_up() { # sysName.0, numerically: Debian ships no MIB files
	snmpget -v2c -c public -t 1 -r 0 "$1" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1
}
if [ -x /usr/sbin/snmpd ] && wait_until "$WAIT_LONG" snmp_up 198.18.250.11 &&
	wait_until "$WAIT_LONG" snmp_up 198.18.250.12; then
	# the two agents are addresses of one interface (one MAC): each shows
	# only its system group (the interface table of the namespace, the same
	# MACs on both, would make them one machine in whichever order their
	# replies come), and --no-arp and --no-smb keep ARP's MAC and the DC's
	# Samba (445 on every address of this namespace) from doing the same
	# or naming them after the DC
	"$NETCENSUS" discover --db "$DB" --no-dns --no-ssh --no-smb --no-arp \
		--ports 161/udp 198.18.250.11-198.18.250.12 >/dev/null \
		2>"$T/wire.err"
	check "network discovery of 198.18.250.11-12 (SNMP)" test $? = 0
	echo "# wire devices: $(q "SELECT group_concat(id || ' ' || hostname || ' ' || coalesce(ip, '-') || ' ' || coalesce(tags, '-'), '; ') FROM device WHERE hostname IN ('ws-0001', 'rogue-pc') OR ip LIKE '198.18.250.1_'")"
	check "ws-0001 found on the wire matches its AD device (no new device)" \
		test "$(q "SELECT count(*) || '|' || min(ip) || '|' || min(tags) FROM device WHERE hostname = 'ws-0001'")" = \
		"1|198.18.250.11|active_directory,ou:Corp/Workstations"
	report_run() { # report_run NAME: the saved report's rows in $T/body
		rid=$(q "SELECT id FROM report WHERE name = '$1'")
		req GET "/api/v1/reports/$rid/run"
	}
	report_run "In Active Directory, never seen on the network"
	check "report 'in AD, never seen': $(J .count) rows, ws-0001 not among them" \
		test "$(J .count)" = $((ALL - 1)) -a \
		"$(J '[.results[] | select(.hostname == "ws-0001")] | length')" = 0
	report_run "Windows on the network, not in Active Directory"
	check "report 'Windows on the network, not in AD': exactly rogue-pc" \
		test "$(J '[.results[].hostname] | join(",")')" = rogue-pc
else
	tail -n 5 "$T"/snmp-*/log
	nok "the SNMP agents answer (snmpd, snmpget)"
fi

# ---- a scheduled refresh from AD ----
req POST /api/v1/tasks -H 'Content-Type: application/json' \
	-d "{\"name\": \"AD refresh\", \"type\": \"active_directory\",
	     \"schedule\": \"@daily\", \"discovery\": \"lab AD\"}"
TASK=$(J .id)
check "an active_directory task is stored (201)" test "$S" = 201
req POST "/api/v1/tasks/$TASK/run"
RUN=$(J .last_result | grep -o 'run [0-9]*' | cut -d' ' -f2)
check "running it queues a run of the AD discovery: $(J .last_result)" \
	test -n "$RUN"
wait_until 300 run_ended "$RUN"
req GET "/api/v1/discovery-runs/$RUN"
check "the task's run (a second read) is done; nothing doubled: $ALL AD devices, 3 proposed discoveries" \
	test "$(J .state)" = done -a \
	"$(q "SELECT count(*) FROM device WHERE tags LIKE 'active_directory%'")" = "$ALL" -a \
	"$(q "SELECT count(*) FROM discovery WHERE name LIKE 'AD site %'")" = 3
req POST /api/v1/tasks -H 'Content-Type: application/json' \
	-d "{\"name\": \"not AD\", \"type\": \"active_directory\",
	     \"schedule\": \"@daily\", \"discovery\": \"AD site Paris: 198.18.252.0/24\"}"
req POST "/api/v1/tasks/$(J .id)/run"
check "an active_directory task over a network discovery is refused: $(J .last_result)" \
	sh -c "echo '$(J .last_result)' | grep -q 'reads no directory'"

# ---- sign-in with users of the domain, nested groups ----
login() { # login USER PASSWORD
	TOKEN= req POST /api/v1/auth/login -H 'Content-Type: application/json' \
		-d "$(jq -nc --arg u "$1" --arg p "$2" '{username: $u, password: $p}')"
}
login alice "$ALICE_PW"
check "alice (it-staff, inside nc-admins) signs in as admin: nested group" \
	test "$S" = 200 -a "$(J .role)" = admin
login bob "$BOB_PW"
check "bob (nc-viewers) signs in as user" \
	test "$S" = 200 -a "$(J .role)" = user
login alice wrong-Pass-1
check "a wrong password is refused (401)" test "$S" = 401
serve_stop >/dev/null

# ---- a DC that stops mid-page ----
# The deadline (15 s) is what a DC that answers, however loaded, gets for
# each answer; the time asked of netcensus is counted from the moment the
# relay stopped the DC (its mark), not from the start: on a busy machine
# the pages before the stall may take long, and a DC slow to answer is not
# the DC stopped this check is about.
stall_start stall
SP=$STALL_PORT
timeout 600 "$NETCENSUS" -v -v discover --ad-server "ldaps://$DC_IP:$SP" \
	--ad-ca "$T/testca.crt" --ad-deadline 15000 \
	--credentials "$T/good.json" --db "$T/stop.db" \
	>/dev/null 2>"$T/stop.err"
rc=$?
t1=$(date +%s)
kill -CONT "$DC_PID" 2>/dev/null
el=-1
[ -s "$T/stall.mark" ] && el=$((t1 - $(stat -c %Y "$T/stall.mark")))
echo "# DC stopped after $(cat "$T/stall.mark" 2>/dev/null) bytes; netcensus gave up ${el} s after that"
check "the DC stopped mid-read (after a page: $(grep -c 'page .* read' "$T/stop.err") pages read)" \
	test -s "$T/stall.mark" -a "$(grep -c 'page .* read' "$T/stop.err")" -ge 1
check "DC stopped mid-page: exit 1 with the deadline named" \
	test "$rc" = 1 -a -n "$(grep 'did not answer within the deadline of 15000 ms' "$T/stop.err")"
check "DC stopped mid-page: nothing stored, the run marked failed" \
	test "$(ndev "$T/stop.db")" = 0 -a \
	"$(sqlite3 "$T/stop.db" "SELECT state FROM discovery_run")" = failed
check "DC stopped mid-page: gave up after the deadline, not hung (${el} s after the stop, deadline 15 s)" \
	test "$el" -ge 0 -a "$el" -lt 60
phase "tests"
tap_finish
