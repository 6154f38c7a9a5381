#!/bin/sh
# Where every device is plugged in (docs/device-report.md#attachments),
# against SNMP recordings of real switches: the switches in
# ../shared/snmprec (override with NETCENSUS_SNMPREC) that carry bridge,
# LLDP or CDP tables are replayed by snmpsimd, discovered into a database,
# and one end device per MAC is imported; then the API's attachment of
# each device must equal tests/lab/l2map-expected.json, which
# tests/lab/l2map_expect.py wrote by reading the recordings themselves
# (BRIDGE-MIB, Q-BRIDGE-MIB, IF-MIB, LLDP-MIB, CISCO-CDP-MIB), never from
# netcensus's output. Also: the switch=/switch_id=/switch_port= filters,
# MACs on uplinks (many MACs, or an LLDP neighbour) attached to nothing,
# and hostile agents written by tests/lab/l2map_hostile.py: a switch with
# 100,000 forwarding rows (the read stops at 8,192 rows, bounded in time
# and memory, and says so; with a long deadline, the row cap alone: exactly
# the first 8,192 rows, logged, the rest of the switch kept), and two
# switches whose CDP/LLDP neighbours
# point at each other with garbage in every field (stored as valid text,
# one link each way in the network picture, the run finishes).
#
# Topology: PREFIX-scan (198.18.44.1/24) -- veth -- PREFIX-rec, which holds
# one address per agent. The scanner namespace has only the connected /24,
# checked before anything is sent.
#
# Needs root, ip netns, snmpsimd, snmpget, jq, bzip2, curl, python3.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools snmpsimd snmpget jq bzcat timeout curl sqlite3 /usr/bin/python3
need_netcensus
HERE=$(cd "$(dirname "$0")" && pwd)
REC=${NETCENSUS_SNMPREC:-$HERE/../../../shared/snmprec}
EXPECT=$HERE/l2map-expected.json
[ -d "$REC" ] || skip_all "no recordings at $REC (NETCENSUS_SNMPREC)"

NET=198.18.44
tmp_init l2map
chmod 755 "$T"
rec_lab_up "nl2$(($$ % 100000))" "$NET"

# ------------------------------------------------------------- agents
i=10
for name in $(jq -r 'keys[]' "$EXPECT"); do
	f=$REC/$name.snmprec.bz2
	[ -f "$f" ] || skip_all "recording $f missing"
	bzcat "$f" >"$T/$name.snmprec"
	rec_agent "$NET.$i" "$name" "$T/$name.snmprec"
	i=$((i + 1))
done
mkdir -p "$T/h"
/usr/bin/python3 "$HERE/l2map_hostile.py" "$T/h" 100000 "$NET.30" "$NET.31"
rec_agent "$NET.29" big "$T/h/big.snmprec"
rec_agent "$NET.30" loopa "$T/h/loopa.snmprec"
rec_agent "$NET.31" loopb "$T/h/loopb.snmprec"
N=$(wc -l <"$T/map")
rec_agents_wait

# ------------------------------------------------------------ discover
# The recorded switches and the loop: generous waits for a loaded machine
# (they change how long the test takes, never what it reads).
addr_of() { awk -v n="$1" '$2 == n { print $1 }' "$T/map"; }
big=$(addr_of big)
list=$(awk -v b="$big" '$1 != b { printf "%s ", $1 }' "$T/map")
start=$(date +%s)
if ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=300000 \
	timeout 900 "$NETCENSUS" discover --no-dns --db "$DB" \
	--ports 161/udp --discovery-ports none --timeout 10000 --retries 2 \
	--json $list >"$T/out.json" 2>"$T/err"; then
	ok "discover over $((N - 1)) agents finished in $(($(date +%s) - start)) s"
else
	nok "discover over $((N - 1)) agents (exit $?)"
	sed 's/^/# /' "$T/err" | tail -20
fi

# The 100,000-row switch with the default per-host SNMP deadline (10 s):
# the read stops at the row cap or the deadline, whichever comes first
# (load decides which), and says so; time and memory stay bounded.
start=$(date +%s)
ip netns exec "$SCAN" /usr/bin/time -f '%M' -o "$T/rss" \
	timeout 300 "$NETCENSUS" discover --no-dns --db "$DB" \
	--ports 161/udp --discovery-ports none --json "$big" \
	>"$T/big.json" 2>"$T/err"
secs=$(($(date +%s) - start))
rss=$(tail -1 "$T/rss" 2>/dev/null)
rows=$(jq '[.[] | .fdb // [] | length] | add // 0' "$T/big.json")
why=$(jq -r '.[] | .sys.fdb_truncated // ""' "$T/big.json")
if [ "$rows" -gt 0 ] && [ "$rows" -le 8192 ] && [ -n "$why" ] &&
	[ "$secs" -lt 120 ]; then
	ok "100,000-row switch: $rows fdb rows kept in $secs s, fdb_truncated=$why"
else
	nok "100,000-row switch: $rows fdb rows in $secs s, fdb_truncated='$why'"
fi
if [ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 1048576 ]; then
	ok "its memory stays bounded (max RSS $rss KiB, ASan build)"
else
	nok "its memory: max RSS '$rss' KiB"
fi

# The row cap alone: the same switch with a deadline long enough that only
# the 8,192-row cap can stop the read. Exactly 8,192 forwarding rows - the
# first 8,192 in the agent's order (MACs 02:00:00:00:00:00-1f:ff) -
# fdb_truncated=rows, a "partial" row in the discovery log saying so, and
# the rest of the switch all there (its identity, its 48 interfaces).
ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=600000 \
	timeout 900 "$NETCENSUS" discover --no-dns --db "$T/cap.db" \
	--ports 161/udp --discovery-ports none --timeout 10000 --retries 2 \
	--json "$big" >"$T/cap.json" 2>"$T/cap.err"
jq -c '.[] | {fdb: (.fdb | length), why: .sys.fdb_truncated,
	first: ([.fdb[].mac] | min), last: ([.fdb[].mac] | max),
	network: (.network | length), name: .sys.sysName}' "$T/cap.json" |
	sed 's/^/# row cap read: /'
if jq -e '.[] | (.fdb | length) == 8192 and .sys.fdb_truncated == "rows" and
	([.fdb[].mac] | min) == "02:00:00:00:00:00" and
	([.fdb[].mac] | max) == "02:00:00:00:1f:ff" and
	(.network | length) == 48 and .sys.sysName == "big-fdb"' \
	"$T/cap.json" >/dev/null; then
	ok "row cap alone: exactly the first 8192 fdb rows, fdb_truncated=rows, the 48 interfaces and identity kept"
else
	nok "row cap alone"
	tail -5 "$T/cap.err" | sed 's/^/# /'
fi
msg=$(sqlite3 "$T/cap.db" "SELECT message FROM discovery_log WHERE stage = 'snmp' AND outcome = 'partial' AND ip = '$big'")
if [ "$msg" = "forwarding table cut at 8192 rows; the rows read are kept" ]; then
	ok "the discovery log says so: snmp partial '$msg'"
else
	nok "discovery log row for the cap: '$msg'"
fi

# garbage neighbour fields arrive as valid text, cut at 1024 bytes; the
# CDP entry with a 7-byte address keeps no address
a=$(addr_of loopa)
jq -c --arg ip "$a" '.[] | select(.sys.ip == $ip) |
	{cdp: (.cdp | length), lldp: (.lldp | length)}' "$T/out.json" |
	sed 's/^/# loopa read: /'
if jq -e --arg ip "$a" --arg b "$(addr_of loopb)" '.[] | select(.sys.ip == $ip) |
	(.cdp | length) == 5 and (.lldp | length) >= 1 and
	all(.cdp[], .lldp[]; all(.[]; length <= 1024)) and
	([.cdp[] | select(.remote_ip == $b)] | length) == 4 and
	([.cdp[] | select(.remote_ip == "")] | length) == 1' \
	"$T/out.json" >/dev/null; then
	ok "garbage CDP/LLDP fields: stored as text of at most 1024 bytes, bad address dropped"
else
	nok "garbage CDP/LLDP fields"
	jq -c --arg ip "$a" '.[] | select(.sys.ip == $ip) | {cdp, lldp}' "$T/out.json" | cut -c1-600 | sed 's/^/# /'
fi

# ------------------------------------------------------- end devices
# One device per MAC of the expectations, known only by that MAC.
mkdir -p "$T/dev"
jq -r '.[] | (.attached[].mac, .not_attached[:3][])' "$EXPECT" | sort -u >"$T/macs"
# (addresses in 198.18.45.0/24 for the network picture: stored, never
# probed)
k=0
while read -r mac; do
	h=end-$(echo "$mac" | tr -d :)
	k=$((k + 1))
	printf '{"sys":{"hostname":"%s","ip":"198.18.45.%d","mac":"%s"},"network":[{"mac":"%s","net_index":"1"}]}\n' \
		"$h" "$k" "$mac" "$mac" >"$T/dev/$h.json"
done <"$T/macs"
if "$NETCENSUS" import --db "$DB" "$T"/dev/*.json >"$T/import" 2>&1; then
	ok "imported $(wc -l <"$T/macs") end devices"
else
	nok "import of end devices"
	tail -5 "$T/import" | sed 's/^/# /'
fi

serve_start "$T/serve.log" || { nok "server"; tap_finish; }
TOKEN=$(admin_token admin)

# attachment MAC: "switch-address port vlan" of the device with that MAC,
# or "none"
attachment() {
	req GET "/api/v1/devices?hostname=end-$(echo "$1" | tr -d :)"
	_id=$(J '.results[0].id')
	req GET "/api/v1/devices/$_id"
	J 'if .attachment == null then "none" else
	   "\(.attachment.switch_ip) \(.attachment.port_name) \(.attachment.vlan)" end'
}

good=0
bad=0
for name in $(jq -r 'keys[]' "$EXPECT"); do
	addr=$(addr_of "$name")
	jq -r --arg n "$name" '.[$n].attached[] | "\(.mac) \(.port_name) \(.vlan)"' "$EXPECT" |
		while read -r mac port vlan; do
			got=$(attachment "$mac")
			if [ "$got" = "$addr $port $vlan" ]; then
				echo good
			else
				echo "bad $name $mac: want '$addr $port $vlan', got '$got'"
			fi
		done >>"$T/verdicts"
	jq -r --arg n "$name" '.[$n].not_attached[:3][]' "$EXPECT" |
		while read -r mac; do
			got=$(attachment "$mac")
			if [ "$got" = none ]; then
				echo good
			else
				echo "bad $name $mac (uplink): want none, got '$got'"
			fi
		done >>"$T/verdicts"
done
good=$(grep -c '^good' "$T/verdicts")
bad=$(grep -c '^bad' "$T/verdicts")
if [ "$bad" -eq 0 ] && [ "$good" -gt 0 ]; then
	ok "$good attachments equal the recordings' (MACs on access ports and on uplinks)"
else
	nok "$bad of $((good + bad)) attachments differ from the recordings"
	grep '^bad' "$T/verdicts" | head -20 | sed 's/^/# /'
fi

# the list filters: every expected device of the D-Link, and only those
dl=network_switch_dlink-des3200
want=$(jq --arg n "$dl" '.[$n].attached | length' "$EXPECT")
req GET "/api/v1/devices?ip=$(addr_of $dl)"
swid=$(J '.results[0].id')
swname=$(J '.results[0].hostname // .results[0].sysName')
req GET "/api/v1/devices?switch_id=$swid&limit=1000"
c1=$(J .count)
req GET "/api/v1/devices?switch=$swname&limit=1000"
c2=$(J .count)
port=$(jq -r --arg n "$dl" '.[$n].attached[0].port_name' "$EXPECT")
wantp=$(jq --arg n "$dl" --arg p "$port" '[.[$n].attached[] | select(.port_name == $p)] | length' "$EXPECT")
req GET "/api/v1/devices?switch_id=$swid&switch_port=$port&limit=1000"
c3=$(J .count)
if [ "$c1" = "$want" ] && [ "$c2" = "$want" ] && [ "$c3" = "$wantp" ]; then
	ok "filters switch_id=, switch=, switch_port=: $c1, $c2, $c3 devices"
else
	nok "filters: switch_id=$c1 switch=$c2 (want $want), switch_port=$c3 (want $wantp)"
fi
req GET "/api/v1/devices?switch__bogus=1"
check "a wrong lookup on switch is refused (400)" [ "$S" = 400 ]

# the network picture: device-switch edges, and the CDP/LLDP loop is one
# link of each kind between loopa and loopb
req GET "/api/v1/network?limit=1000"
na=$(J '[.links[] | select(.kind == "attach")] | length')
ida=$(J '.nodes[] | select(.ip == "'"$a"'") | .id')
idb=$(J '.nodes[] | select(.ip == "'"$(addr_of loopb)"'") | .id')
loops=$(jq --argjson a "${ida:-0}" --argjson b "${idb:-0}" \
	'[.links[] | select((.source == $a and .target == $b) or (.source == $b and .target == $a)) | .kind] | sort | join(",")' "$T/body")
total=$(jq '[.[].attached | length] | add' "$EXPECT")
if [ "$S" = 200 ] && [ "$na" = "$total" ] && [ "$loops" = '"cdp,lldp"' ]; then
	ok "network picture: $na switch-device edges, loopa-loopb linked once by cdp and once by lldp"
else
	nok "network picture: status $S, $na attach edges (want $total), loop links $loops"
fi
serve_stop

tap_finish
