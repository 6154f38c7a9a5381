#!/bin/sh
# `netcensus discover` in the namespace lab, compared with the lab's own
# ground truth (tests/lab/lab.sh truth): every live host found (the
# ICMP-dropping one through TCP, the 300 ms agent too), none invented, SNMP
# fields exactly as configured, the v3-only agent read with v3 credentials
# from --credentials; --db stores the devices and the discovery log, and a
# second run finds the same device ids; MACs from the neighbour table on
# the scanner's own segment; --dry-run and hostile input send nothing
# (packet counters of the scanner's interface). TAP output.
#
# Needs root, ip netns, snmpd, jq, sqlite3; prints "ok 1 # skip" otherwise.
# Every packet stays inside the lab's namespaces: the scanner namespace is
# checked for a default route before anything is sent.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/snmpd jq sqlite3 nft timeout
need_netcensus

P=ncd$(($$ % 100000))
export NCLAB_QUIET=1 MIBS=
tmp_init disc-lab
jqe() { jq -e "$@" >/dev/null; }

on_cleanup() { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; }

SCAN=$P-scan
RTR=$P-rtr
scan() { ip netns exec "$SCAN" "$@"; }
tx() { ip netns exec "$1" cat /sys/class/net/"$2"/statistics/tx_packets; }
no_default_route() {
	[ -z "$(ip -n "$1" -4 route show default)" ] &&
		[ -z "$(ip -n "$1" -6 route show default 2>/dev/null)" ]
}

# ------------------------------------------------------------------ up
if ! "$LAB" up --prefix "$P" 2>"$T/up.log"; then
	nok "lab.sh up --prefix $P"
	sed 's/^/# /' "$T/up.log"
	tap_finish
fi
ok "lab up (prefix $P)"
"$LAB" truth --prefix "$P" >"$T/truth.json"
LAN=$(jq -r .lan "$T/truth.json")

# Nothing is sent before this holds.
if no_default_route "$SCAN" && "$LAB" check --prefix "$P" 2>/dev/null; then
	ok "scanner namespace $SCAN has no default route, only 198.18.0.0/15"
else
	nok "scanner namespace has a default route: stopping before sending"
	tap_finish
fi

# v3 credentials exactly as the lab configured them, plus an ssh entry
# (ignored by SNMP) to show mixed files are read.
jq '[(.snmp_v3 | del(.engine_id_text) | . + {name: "lab-v3"}),
     {type: "ssh", name: "lab-ssh", username: "nobody", password: "not-used-here"}]' \
	"$T/truth.json" >"$T/creds.json"
COMMUNITY=$(jq -r .community "$T/truth.json")

# ------------------------------------------------------ hostile input
hostile() {
	# hostile "what" "expected message" args... — exit 2, message, no packet
	local what=$1 msg=$2 t0 t1 rc
	shift 2
	t0=$(tx "$SCAN" eth0)
	scan "$NETCENSUS" discover --no-dns "$@" >"$T/h.out" 2>"$T/h.err"
	rc=$?
	t1=$(tx "$SCAN" eth0)
	if [ "$rc" -eq 2 ] && grep -q -- "$msg" "$T/h.err" &&
		grep -q "nothing was sent" "$T/h.err" && [ "$t0" = "$t1" ]; then
		ok "$what: exit 2, '$msg', no packet sent"
	else
		nok "$what: rc=$rc, packets $t0 -> $t1"
		sed 's/^/# /' "$T/h.err"
	fi
}
hostile "shell metacharacters" "character ';' is not allowed" '198.18.0.10;reboot'
hostile "command substitution" "character '\$' is not allowed" '$(id)'
hostile "a huge range" "more than --max-targets 65536" 198.18.0.0/8
hostile "over --max-targets" "more than --max-targets 100" --max-targets 100 "$LAN"
printf '[{"type":"snmp_v3","name":"bad","security_name":"u","security_level":"authPriv","auth_protocol":"SHA","auth_passphrase":"supersecret1","priv_protocol":"ROT13","priv_passphrase":"supersecret2"}]' >"$T/bad1.json"
hostile "credentials: bad field value" "credential 'bad': priv_protocol 'ROT13'" --credentials "$T/bad1.json" "$LAN"
if grep -q supersecret "$T/h.err"; then
	nok "the refusal printed a secret"
else
	ok "the refusal printed no secret"
fi
printf '[{"type":"snmp","community":"public"},{"type":"telnet","password":"supersecret3"}]' >"$T/bad2.json"
hostile "credentials: unknown type in entry 2" "credential 2 of the file was refused" --credentials "$T/bad2.json" "$LAN"
printf '[{"type":"snmp","community":"supersecret4",' >"$T/bad3.json"
hostile "credentials: not JSON" "not valid JSON" --credentials "$T/bad3.json" "$LAN"
grep -q supersecret "$T/h.err" && nok "bad JSON: a secret was printed" || ok "bad JSON: no secret printed"
hostile "bad port list" "'22;id' is not a port" --ports '22;id' "$LAN"

# ----------------------------------------------------------- dry run
t0=$(tx "$SCAN" eth0)
scan "$NETCENSUS" discover --dry-run --credentials "$T/creds.json" "$LAN" >"$T/dry.out" 2>&1
rc=$?
t1=$(tx "$SCAN" eth0)
if [ "$rc" -eq 0 ] && [ "$t0" = "$t1" ] && grep -q "^addresses *256" "$T/dry.out" &&
	grep -q "^rate" "$T/dry.out" && grep -q "^ETA" "$T/dry.out"; then
	ok "--dry-run prints the plan (256 addresses, rate, ETA) and sends nothing"
else
	nok "--dry-run: rc=$rc, packets $t0 -> $t1"
	sed 's/^/# /' "$T/dry.out"
fi

# ------------------------------------------------------- the real run
t0=$(date +%s%N)
scan "$NETCENSUS" discover --json --no-dns --credentials "$T/creds.json" \
	--community "$COMMUNITY" "$LAN" >"$T/run1.json" 2>"$T/run1.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "discover --json exits 0 (${ms} ms)" [ "$rc" -eq 0 ]
jq -e 'type == "array"' "$T/run1.json" >/dev/null || { nok "output is not a JSON array"; sed 's/^/# /' "$T/run1.err"; tap_finish; }

jq -r '.hosts[] | select(.found) | .ip' "$T/truth.json" | sort >"$T/want"
jq -r '.[].sys.ip' "$T/run1.json" | sort >"$T/got"
missing=$(comm -23 "$T/want" "$T/got" | tr '\n' ' ')
invented=$(comm -13 "$T/want" "$T/got" | tr '\n' ' ')
check "every live host found ($(wc -l <"$T/want") of them)${missing:+; missing: $missing}" [ -z "$missing" ]
check "no host invented${invented:+: $invented}" [ -z "$invented" ]
dropall=$(jq -r '.hosts[] | select(.role == "dropall") | .ip' "$T/truth.json")
check "the drop-everything host $dropall is not reported" \
	sh -c "! grep -qx '$dropall' '$T/got'"

noicmp=$(jq -r '.hosts[] | select(.role == "noicmp-web") | .ip' "$T/truth.json")
noicmp_port=$(jq -r '.hosts[] | select(.role == "noicmp-web") | .tcp_open[0]' "$T/truth.json")
check "the ICMP-dropping host $noicmp is found through TCP $noicmp_port" \
	jqe --arg ip "$noicmp" --arg p "$noicmp_port" \
	'.[] | select(.sys.ip == $ip) | .ports | any(.protocol == "tcp" and .port == $p and .state == "open")' \
	"$T/run1.json"

# SNMP: every agent's system group exactly as configured.
jq -c '.hosts[] | select(.snmp != null)' "$T/truth.json" >"$T/agents"
while read -r h; do
	ip=$(jq -r .ip <<<"$h")
	role=$(jq -r .role <<<"$h")
	bad=""
	for f in sysName sysObjectID sysDescr sysLocation sysContact; do
		want=$(jq -r ".snmp.$f" <<<"$h")
		got=$(jq -r --arg ip "$ip" --arg f "$f" '.[] | select(.sys.ip == $ip) | .sys[$f] // ""' "$T/run1.json")
		[ "$want" = "$got" ] || bad+=" $f('$got' != '$want')"
	done
	mac=$(jq -r .mac <<<"$h")
	got=$(jq -r --arg ip "$ip" '.[] | select(.sys.ip == $ip) | .sys.mac // ""' "$T/run1.json")
	[ "$mac" = "$got" ] || bad+=" mac('$got' != '$mac')"
	sections=$(jq -r --arg ip "$ip" '.[] | select(.sys.ip == $ip) | [(.network|length) > 0, (.ip|length) > 0] | all' "$T/run1.json")
	[ "$sections" = true ] || bad+=" network/ip sections missing"
	extra=""
	[ "$(jq -r .delay_ms <<<"$h")" != 0 ] && extra=" (behind a $(jq -r .delay_ms <<<"$h") ms delay)"
	check "SNMP $role $ip$extra: sysName, sysObjectID, sysDescr, sysLocation, sysContact, MAC, interfaces, addresses${bad:+:$bad}" [ -z "$bad" ]
done <"$T/agents"

v3=$(jq -r '.hosts[] | select(.v3_only) | .ip' "$T/truth.json")
check "the v3-only agent $v3 was read with SNMPv3 and the file's credential" \
	jqe --arg ip "$v3" '.[] | select(.sys.ip == $ip) | .sys.snmp_version == "3" and .sys.snmp_credential_name == "lab-v3"' \
	"$T/run1.json"
v1=$(jq -r '.hosts[] | select(.snmp.versions == ["1"]) | .ip' "$T/truth.json")
check "the v1-only agent $v1 was read with v1" \
	jqe --arg ip "$v1" '.[] | select(.sys.ip == $ip) | .sys.snmp_version == "1"' "$T/run1.json"
silent=$(jq -r '[.hosts[] | select(.found and .snmp == null) | .ip] | join(" ")' "$T/truth.json")
check "no SNMP facts invented for hosts without an agent" \
	jqe --arg s "$silent" '[.[] | select(.sys.ip as $i | $s | split(" ") | index($i)) | .sys.sysName] | all(. == null)' \
	"$T/run1.json"
check "device types classified (router, printer, switch, ups, wap)" \
	jqe '[.[].sys.type] | contains(["router", "printer", "switch", "ups", "wap"])' "$T/run1.json"
check "no secret in the output" sh -c "! grep -q -e not-used-here -e '$(jq -r .snmp_v3.auth_passphrase "$T/truth.json")' '$T/run1.json' '$T/run1.err'"

# ---------------------------------------------------------- table output
scan "$NETCENSUS" discover --no-dns --no-snmp --ports none "$LAN" >"$T/table.out" 2>/dev/null
rows=$(($(wc -l <"$T/table.out") - 1))
check "the default table lists every live host ($rows rows)" \
	sh -c "head -1 '$T/table.out' | grep -q 'IP *HOSTNAME *MAC *MANUFACTURER *TYPE *OPEN PORTS *SYSNAME' && [ $rows -eq $(wc -l <"$T/want") ]"

# ------------------------------------------------------------------ --db
DB=$T/disc.db
live=$(wc -l <"$T/want")
for run in 1 2; do
	scan "$NETCENSUS" discover --db "$DB" --no-dns --credentials "$T/creds.json" \
		--community "$COMMUNITY" "$LAN" >"$T/db$run.out" 2>"$T/db$run.err"
	rc=$?
	"$NETCENSUS" devices --db "$DB" --json >"$T/devices$run.json" 2>/dev/null
	count=$(jq length "$T/devices$run.json")
	check "--db run $run: exit $rc, $count devices stored for $live live hosts" \
		[ "$rc" -eq 0 -a "$count" -eq "$live" ]
	jq -r '.[] | "\(.ip) \(.id)"' "$T/devices$run.json" | sort >"$T/ids$run"
done
check "the second run matched every host to the same device id" cmp -s "$T/ids1" "$T/ids2"
runs=$(sqlite3 "$DB" "SELECT count(*) FROM discovery_run WHERE state = 'done' AND addresses_total = 256 AND alive = $live")
check "two discovery runs recorded (done, 256 addresses, $live alive)" [ "$runs" -eq 2 ]
logs=$(sqlite3 "$DB" "SELECT count(DISTINCT ip) FROM discovery_log WHERE stage = 'discovery' AND outcome = 'alive' AND run_id = 2")
dead=$(sqlite3 "$DB" "SELECT count(*) FROM discovery_log WHERE stage = 'discovery' AND outcome = 'dead' AND run_id = 2")
check "discovery log: $logs alive + $dead dead rows = 256 addresses" [ "$logs" -eq "$live" -a $((logs + dead)) -eq 256 ]
snmp_ok=$(sqlite3 "$DB" "SELECT count(*) FROM discovery_log WHERE stage = 'snmp' AND outcome = 'ok' AND run_id = 2 AND duration_ms IS NOT NULL")
check "discovery log: SNMP rows with durations ($snmp_ok ok)" [ "$snmp_ok" -eq "$(wc -l <"$T/agents")" ]
stored=$(sqlite3 "$DB" "SELECT count(*) FROM discovery_log WHERE stage = 'store' AND outcome = 'updated' AND run_id = 2")
check "discovery log: the second run updated $stored devices, created none" [ "$stored" -eq "$live" ]

# ------------------------------------------- MACs from the neighbour table
# From the router namespace, which sits on the LAN: hosts without an SNMP
# agent still get their MAC, from the kernel's neighbour table.
if no_default_route "$RTR"; then
	plain=$(jq -r '[.hosts[] | select(.found and .snmp == null and .role != "gateway") | .ip][0:3] | join(" ")' "$T/truth.json")
	ip netns exec "$RTR" "$NETCENSUS" discover --json --no-dns --no-snmp --ports none $plain \
		>"$T/rtr.json" 2>/dev/null
	bad=""
	for ip in $plain; do
		want=$(jq -r --arg ip "$ip" '.hosts[] | select(.ip == $ip) | .mac' "$T/truth.json")
		got=$(jq -r --arg ip "$ip" '.[] | select(.sys.ip == $ip) | .sys.mac // ""' "$T/rtr.json")
		[ "$want" = "$got" ] || bad+=" $ip('$got' != '$want')"
	done
	check "MACs on the scanner's own segment from the neighbour table ($plain)${bad:+:$bad}" [ -z "$bad" ]
else
	nok "router namespace has a default route: neighbour-table check not run"
fi

tap_finish
