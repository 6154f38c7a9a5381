#!/bin/sh
# The web UI's server side without a browser: the embedded files and their
# headers (CSP, ETag/304, 404, 405), and the summary endpoints the UI draws
# (/api/v1/stats, /discovery-runs, /network) checked against the database
# with db_sql (sqlite3 or psql), org scoping included. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
tmp_init ui

# two devices that see each other: an ARP entry and an LLDP neighbour
cat >"$T/a.json" <<'J'
{"report_version":1,"sys":{"hostname":"sw-a","ip":"198.18.5.1","mac":"02:00:00:00:05:01","type":"switch","serial":"UI-A","sysName":"sw-a"},
 "ip":[{"ip":"198.18.5.1","netmask":"255.255.255.0","mac":"02:00:00:00:05:01","version":"4"}],
 "arp":[{"ip":"198.18.5.2","mac":"02:00:00:00:05:02"}],
 "lldp":[{"local_port":"1","remote_mac":"02:00:00:00:06:01","remote_port":"24","remote_name":"sw-b"}]}
J
cat >"$T/b.json" <<'J'
{"report_version":1,"sys":{"hostname":"pc-b","ip":"198.18.5.2","mac":"02:00:00:00:05:02","type":"computer","uuid":"UI-B"}}
J
cat >"$T/c.json" <<'J'
{"report_version":1,"sys":{"hostname":"sw-b","ip":"198.18.6.1","mac":"02:00:00:00:06:01","type":"switch","serial":"UI-C","sysName":"sw-b"}}
J
files="$T/a.json $T/b.json $T/c.json"
[ -d "$SAMPLES" ] && files="$files $SAMPLES/*"
# shellcheck disable=SC2086
"$NETCENSUS" import --db "$DB" $files >/dev/null 2>&1
check "devices imported" test "$(db_sql 'SELECT count(*) FROM device')" -ge 3

serve_start "$T/log"
PW=$(serve_password "$T/log")
curl -s -c "$T/jar" -o /dev/null -X POST -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d "{\"username\":\"admin\",\"password\":\"$PW\"}"
get() { curl -s -b "$T/jar" "$U/api/v1$1"; }

# ---- the embedded UI ----
curl -s -D "$T/h" -o "$T/index" "$U/"
check "/ serves the page" grep -q 'src="/ui/main.js"' "$T/index"
check "with a CSP that allows no inline script" \
	grep -qi "^content-security-policy: default-src 'none'; script-src 'self';" "$T/h"
check "and no unsafe-inline anywhere in it" sh -c "! grep -i '^content-security-policy' '$T/h' | grep -q unsafe"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$T/h")
s=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/ui/index.html")
check "an unchanged file answers 304 to its ETag ($etag)" test "$s" = 304
s=$(curl -s -o "$T/js" -w '%{http_code} %{content_type}' "$U/ui/vendor/chart.umd.min.js")
check "the pinned Chart.js is embedded ($s)" sh -c "[ '$s' = '200 text/javascript; charset=utf-8' ] && grep -q 'Chart.js v4' '$T/js'"
s=$(curl -s -o /dev/null -w '%{http_code}' "$U/ui/vendor/cytoscape.min.js")
check "the pinned Cytoscape is embedded" test "$s" = 200
s=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$U/ui/../api/v1/health")
check "no path outside the table: /ui/../ is 404" test "$s" = 404
s=$(curl -s -o /dev/null -w '%{http_code}' "$U/ui/package.json")
check "package.json is not served" test "$s" = 404
s=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$U/ui/main.js")
check "POST to a UI file is 405" test "$s" = 405
s=$(curl -s -o /dev/null -o /dev/null -w "%{num_connects}" "$U/ui/core.js" "$U/ui/main.js")
check "UI files keep the connection alive ($s)" test "$s" = 10

# ---- /api/v1/stats against the database ----
get /stats >"$T/stats"
check "stats: devices = SELECT count(*)" \
	test "$(jq .devices "$T/stats")" = "$(db_sql 'SELECT count(*) FROM device')"
want=$(db_sql "SELECT count(*) FROM device WHERE type = 'switch'")
check "stats: switches = $want" test "$(jq '.by_type[] | select(.value=="switch") | .count' "$T/stats")" = "$want"
for f in type os_family manufacturer; do
	check "stats: by_$f and other add up to every device" \
		test "$(jq "([.by_$f[].count] | add) + .other.$f" "$T/stats")" = "$(jq .devices "$T/stats")"
done
unknown=$(db_sql "SELECT count(*) FROM device WHERE os_family IS NULL OR os_family = ''")
check "stats: empty os_family counted as unknown ($unknown)" \
	test "$(jq '[.by_os_family[] | select(.value=="unknown") | .count] | add // 0' "$T/stats")" = "$unknown"
check "stats: 30 days of new devices, today holds them all" \
	test "$(jq '(.new_devices | length) == 30 and .new_devices[29].count == .devices' "$T/stats")" = true
check "stats: days=7 gives 7 days" test "$(get '/stats?days=7' | jq '.changes | length')" = 7
s=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/v1/stats?days=0")
check "stats: days=0 is refused (400)" test "$s" = 400
s=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/v1/stats?bogus=1")
check "stats: an unknown parameter is refused (400)" test "$s" = 400
s=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/stats")
check "stats: needs a login (401)" test "$s" = 401
curl -s -b "$T/jar" -D "$T/hs" -o /dev/null "$U/api/v1/search?q=sw-a"
check "an API reply says the server's own time ($(grep -i '^server-timing' "$T/hs" | tr -d '\r'))" \
	grep -qiE '^server-timing: app;dur=[0-9]+\.[0-9]{2}, cpu;dur=[0-9]+\.[0-9]{2}' "$T/hs"

# ---- discovery runs ----
# run 3 is held by another live server (its lease far ahead): a running
# run without a lease is one the server's sweep (every 30 s) marks
# interrupted, which this check would otherwise race
db_sql "INSERT INTO discovery (id, org_id, name, targets, created, updated) VALUES (7, 1, 'lab', '198.18.5.0/24', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO discovery_run (id, discovery_id, state, started, addresses_total, addresses_done, alive, lease_owner, lease_until) VALUES (3, 7, 'running', '2026-01-01 00:00:00', 256, 10, 2, 'another-server', '2999-01-01 00:00:00');
INSERT INTO discovery_run (id, discovery_id, state) VALUES (4, NULL, 'done');
INSERT INTO discovery_log (run_id, time, ip, stage, outcome, duration_ms) VALUES (3, '2026-01-01 00:00:01', '198.18.5.1', 'discovery', 'alive', 3), (3, '2026-01-01 00:00:02', '198.18.5.9', 'discovery', 'dead', NULL);"
check "runs: newest first, with the discovery's name" \
	test "$(get /discovery-runs | jq -c '[.count, .results[0].id, .results[1].discovery]')" = '[2,4,"lab"]'
check "runs: one run" test "$(get /discovery-runs/3 | jq -c '[.state, .addresses_done]')" = '["running",10]'
check "runs: its log in order" \
	test "$(get /discovery-runs/3/log | jq -c '[.count, .results[1].outcome, .results[1].duration_ms]')" = '[2,"dead",null]'
s=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/v1/discovery-runs/99")
check "runs: no run 99 (404)" test "$s" = 404

# ---- org scoping: a user of another org sees none of it ----
"$NETCENSUS" admin org add --db "$DB" east >/dev/null 2>&1
printf 'a long enough password\n' | "$NETCENSUS" admin user add --db "$DB" --role user --org east eve >/dev/null 2>&1
curl -s -c "$T/jar2" -o /dev/null -X POST -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d '{"username":"eve","password":"a long enough password"}'
check "scope: another org's user counts 0 devices" \
	test "$(curl -s -b "$T/jar2" "$U/api/v1/stats" | jq .devices)" = 0
check "scope: and sees no run, not even the org-less one" \
	test "$(curl -s -b "$T/jar2" "$U/api/v1/discovery-runs" | jq .count)" = 0
s=$(curl -s -b "$T/jar2" -o /dev/null -w '%{http_code}' "$U/api/v1/discovery-runs/3")
check "scope: another org's run is 404" test "$s" = 404
check "scope: an empty network picture" \
	test "$(curl -s -b "$T/jar2" "$U/api/v1/network" | jq '.nodes | length')" = 0

# ---- the network picture ----
get '/network?ip__isw=198.18.' >"$T/net"
check "network: the three devices under 198.18." test "$(jq '.nodes | length' "$T/net")" = 3
check "network: the netmask of sw-a's address" \
	test "$(jq -r '.nodes[] | select(.hostname=="sw-a") | .netmask' "$T/net")" = 255.255.255.0
check "network: ARP link sw-a - pc-b" \
	test "$(jq '[.links[] | select(.kind=="arp")] | length' "$T/net")" = 1
check "network: LLDP link sw-a - sw-b with its ports" \
	test "$(jq -r '.links[] | select(.kind=="lldp") | .label' "$T/net")" = "1 - 24"
check "network: limit=2 adds the neighbour the links reach" \
	test "$(get '/network?ip__isw=198.18.&limit=2' | jq -c '[.count, (.nodes | length), (.links | length)]')" = '[3,3,2]'
check "network: a LIKE wildcard is literal" \
	test "$(get '/network?ip__isw=%25' | jq '.nodes | length')" = 0

# ---- one device, with or without its sections' rows ----
swa=$(db_sql "SELECT id FROM device WHERE hostname = 'sw-a'")
check "device: the full answer by default (every section's rows, their counts)" \
	test "$(get "/devices/$swa" | jq -c '[(.components | keys), .section_counts]')" = '[["arp","ip","lldp"],{"arp":1,"ip":1,"lldp":1}]'
check "device: sections=summary gives the counts and no rows" \
	test "$(get "/devices/$swa?sections=summary" | jq -c '[.components, .section_counts, .hostname]')" = '[{},{"arp":1,"ip":1,"lldp":1},"sw-a"]'
check "device: sections=ip,lldp gives those two sections' rows" \
	test "$(get "/devices/$swa?sections=ip,lldp" | jq -c '.components | keys')" = '["ip","lldp"]'
s=$(get "/devices/$swa?sections=ip,,x" | jq -r '[.field, .error] | join(": ")')
check "device: a malformed list is refused, naming the parameter ($s)" \
	test "$s" = "sections: sections is all, summary (no rows) or a comma-separated list of section names, not ''"
s=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/v1/devices/$swa?section=ip")
check "device: an unknown parameter is refused (400)" test "$s" = 400

# ---- the network picture, org by org ----
# east's switch holds pc-e on an access port, and sees in its ARP table
# pc-e and pc-b (pc-b is of the root org, and its MAC is on the switch's
# port 3 too): east's user gets east's links only; the admin also gets
# the ARP link to pc-b, but no attachment of pc-b to another org's switch
cat >"$T/sw-e.json" <<'J'
{"report_version":1,"sys":{"hostname":"sw-e","ip":"198.18.7.1","mac":"02:00:00:00:07:01","type":"switch","serial":"UI-E1"},
 "fdb":[{"mac":"02:00:00:00:07:02","port":"2","net_index":"2","interface":"Gi0/2","vlan":"1"},
        {"mac":"02:00:00:00:05:02","port":"3","net_index":"3","interface":"Gi0/3","vlan":"1"}],
 "arp":[{"ip":"198.18.7.2","mac":"02:00:00:00:07:02"},{"ip":"198.18.5.2","mac":"02:00:00:00:05:02"}]}
J
cat >"$T/pc-e.json" <<'J'
{"report_version":1,"sys":{"hostname":"pc-e","ip":"198.18.7.2","mac":"02:00:00:00:07:02","type":"computer","uuid":"UI-E2"}}
J
"$NETCENSUS" import --db "$DB" --org east "$T/sw-e.json" "$T/pc-e.json" >/dev/null 2>&1
links='[.links[] | [.kind, .label]] | sort'
curl -s -b "$T/jar2" "$U/api/v1/network" >"$T/net-e"
check "network, east: its two devices" \
	test "$(jq -c '[.nodes[].hostname] | sort' "$T/net-e")" = '["pc-e","sw-e"]'
check "network, east: ARP and the switch port to pc-e, nothing to pc-b ($(jq -c "$links" "$T/net-e"))" \
	test "$(jq -c "$links" "$T/net-e")" = '[["arp",""],["attach","Gi0/2"]]'
get '/network?ip__isw=198.18.7.' >"$T/net-a"
check "network, admin: the ARP link to pc-b (another org) too" \
	test "$(jq -c '[.nodes[].hostname] | sort' "$T/net-a")" = '["pc-b","pc-e","sw-e"]'
check "network, admin: but pc-b is plugged into no switch of another org ($(jq -c "$links" "$T/net-a"))" \
	test "$(jq -c "$links" "$T/net-a")" = '[["arp",""],["arp",""],["attach","Gi0/2"]]'
check "network: pc-e's device page says the same port" \
	test "$(get "/devices/$(db_sql "SELECT id FROM device WHERE hostname = 'pc-e'")" | jq -r '.attachment.port_name')" = Gi0/2

serve_stop
check "server stops cleanly" test $? = 0
tap_finish
