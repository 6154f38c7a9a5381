#!/bin/sh
# GET /api/v1/search (the header search, docs/ui.md): a device found by
# its second NIC's MAC typed without separators, by serial, by a second
# address, by a software name (with the devices that have it), each with
# the field that matched; two orgs, and a user of one sees nothing of the
# other (devices, software names, discoveries, users); bad input is a 400
# naming the parameter; device lists sort addresses as numbers. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
tmp_init search

cat >"$T/blue.json" <<'J'
{"report_version":1,"sys":{"hostname":"blue-web","ip":"198.18.7.2","mac":"02:00:00:07:00:01","type":"computer","serial":"SRCH-BLUE-1"},
 "network":[{"mac":"02:00:00:07:00:01","net_index":"1"},{"mac":"02:00:00:07:00:02","net_index":"2"}],
 "ip":[{"ip":"198.18.7.2","mac":"02:00:00:07:00:01","netmask":"255.255.255.0","version":"4"},
       {"ip":"198.18.70.9","mac":"02:00:00:07:00:02","netmask":"255.255.255.0","version":"4"}],
 "software":[{"name":"bluetool","version":"1.0"},{"name":"sharedpkg","version":"2.0"}]}
J
cat >"$T/red.json" <<'J'
{"report_version":1,"sys":{"hostname":"red-web","ip":"198.18.7.10","mac":"02:00:00:08:00:01","type":"computer","serial":"SRCH-RED-1"},
 "arp":[{"ip":"198.18.7.2","mac":"02:00:00:07:00:02"}],
 "software":[{"name":"redtool","version":"1.0"},{"name":"sharedpkg","version":"2.0"}]}
J
"$NETCENSUS" admin org add --db "$DB" blue >/dev/null 2>&1
"$NETCENSUS" admin org add --db "$DB" red >/dev/null 2>&1
"$NETCENSUS" import --db "$DB" --org blue "$T/blue.json" >/dev/null 2>&1
"$NETCENSUS" import --db "$DB" --org red "$T/red.json" >/dev/null 2>&1
check "two devices in two orgs" test "$(db_sql 'SELECT count(DISTINCT org_id) FROM device')" = 2
printf 'a long enough password\n' | "$NETCENSUS" admin user add --db "$DB" --role admin ada >/dev/null 2>&1
printf 'a long enough password\n' | "$NETCENSUS" admin user add --db "$DB" --role org_admin --org blue bob >/dev/null 2>&1
printf 'a long enough password\n' | "$NETCENSUS" admin user add --db "$DB" --role org_admin --org red rita >/dev/null 2>&1
db_sql "INSERT INTO discovery (org_id, name, targets, created, updated) SELECT id, name || ' lan', '198.18.7.0/24', 't', 't' FROM org WHERE name IN ('blue', 'red')"

serve_start "$T/log"
login() { # login JAR USER PASSWORD
	curl -s -c "$1" -o /dev/null -X POST -H 'Content-Type: application/json' \
		"$U/api/v1/auth/login" -d "{\"username\":\"$2\",\"password\":\"$3\"}"
}
login "$T/admin" ada 'a long enough password'
login "$T/bob" bob 'a long enough password'
s() { curl -s -b "$T/$1" "$U/api/v1/search?q=$2"; }

r=$(s admin 020000070002)
check "second NIC's MAC without separators: blue-web, matched on mac ($r)" \
	test "$(echo "$r" | jq -c '[.devices[] | [.hostname, .match.field, .match.value]]')" = '[["blue-web","mac","02:00:00:07:00:02"]]'
check "the same MAC as 0200.0007.0002 (the ARP entry of red-web is not red-web's)" \
	test "$(s admin 0200.0007.0002 | jq -c '[.devices[].hostname]')" = '["blue-web"]'
check "by serial, any case" \
	test "$(s admin srch-blue | jq -c '[.devices[] | [.hostname, .match.field]]')" = '[["blue-web","serial"]]'
check "by a second address" \
	test "$(s admin 198.18.70 | jq -c '[.devices[] | [.hostname, .match.value]]')" = '[["blue-web","198.18.70.9"]]'
check "by software name: the devices that have it" \
	test "$(s admin sharedpkg | jq -c '.software[] | [.name, .device_count, ([.devices[].hostname] | sort)]')" = '["sharedpkg",2,["blue-web","red-web"]]'
check "discoveries and users are searched too (admin sees both orgs)" \
	test "$(s admin lan | jq -c '[(.discoveries | length), (.users | length)]')" = '[2,0]'
check "users by name" test "$(s admin rit | jq -c '[.users[].username]')" = '["rita"]'

# ---- a user of org blue sees nothing of org red ----
check "blue: its own device by software" \
	test "$(s bob sharedpkg | jq -c '.software[] | [.device_count, [.devices[].hostname]]')" = '[1,["blue-web"]]'
check "blue: red's software name is not even listed" test "$(s bob redtool | jq '.software | length')" = 0
check "blue: red's device by serial: nothing" test "$(s bob srch-red | jq '.devices | length')" = 0
check "blue: red's device by hostname: nothing" test "$(s bob red-web | jq '.devices | length')" = 0
check "blue: only its own discovery" test "$(s bob lan | jq -c '[.discoveries[].name]')" = '["blue lan"]'
check "blue: not red's user" test "$(s bob rit | jq '.users | length')" = 0

# ---- bad input ----
r=$(curl -s -b "$T/admin" -w ' %{http_code}' "$U/api/v1/search")
check "no q: 400 naming q ($r)" sh -c "echo '$r' | grep -q '\"field\":\"q\".* 400$'"
r=$(curl -s -b "$T/admin" -w ' %{http_code}' "$U/api/v1/search?q=x&limit=1000")
check "limit 1000: 400 naming limit" sh -c "echo '$r' | grep -q '\"field\":\"limit\".* 400$'"
r=$(curl -s -b "$T/admin" -o /dev/null -w '%{http_code}' "$U/api/v1/search?q=x&bogus=1")
check "an unknown parameter: 400" test "$r" = 400
r=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/search?q=x")
check "needs a login (401)" test "$r" = 401

# ---- addresses sort as numbers ----
check "devices ordered by ip: 198.18.7.2 before 198.18.7.10" \
	test "$(curl -s -b "$T/admin" "$U/api/v1/devices?ordering=ip" | jq -c '[.results[].ip]')" = '["198.18.7.2","198.18.7.10"]'
check "and descending" \
	test "$(curl -s -b "$T/admin" "$U/api/v1/devices?ordering=-ip" | jq -c '[.results[].ip]')" = '["198.18.7.10","198.18.7.2"]'

serve_stop
check "server stops cleanly" test $? = 0
tap_finish
