#!/bin/sh
# An audit carrying a NUL character (\u0000) inside a JSON string is
# refused whole, with a message that names it, on every path (import,
# /api/v1/intake, the Open-AudIT path) and on both back ends alike
# (PostgreSQL's jsonb cannot hold a NUL; SQLite gets the same answer):
# nothing of it is stored, and the same audit without the NUL is then
# stored. NETCENSUS_TEST_DB=pg runs it on PostgreSQL (tests/lib.sh).
# Loopback only. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init intakenul
N=$NETCENSUS

audit() { # OS_NAME SOFTWARE_NAME (printf escapes: \\u0000 stays text)
	printf '{"sys":{"hostname":"nul-host","ip":"198.18.0.9","serial":"NUL-1","os_name":"%s"},"software":[{"name":"%s","version":"1.0"}]}' "$1" "$2"
}
audit 'Deb\u0000ian' 'pkg\u0000x' >"$T/nul.json"
audit 'Debian' 'pkg' >"$T/clean.json"

"$N" import --db "$DB" "$T/nul.json" >"$T/imp.out" 2>&1
st=$?
check "import refuses it (exit 1) naming the NUL character" \
	eval "[ $st = 1 ] && grep -q 'NUL character' '$T/imp.out'"

serve_start "$T/log" || { cat "$T/log"; nok "server did not start"; tap_finish; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "token"; tap_finish; }

req POST /api/v1/intake -H 'Content-Type: application/json' \
	--data-binary @"$T/nul.json"
check "/api/v1/intake refuses it (422) naming the NUL character ($S)" \
	eval "[ '$S' = 422 ] && grep -q 'NUL character' '$T/body'"
S=$(curl -s -o "$T/body" -w '%{http_code}' -u "audit:$TOKEN" \
	--data-urlencode data@"$T/nul.json" \
	"$U/open-audit/index.php/input/devices")
check "the Open-AudIT path refuses it too ($S)" \
	eval "[ '$S' -ge 400 ] && grep -q 'NUL character' '$T/body'"

req GET /api/v1/devices
check "nothing of it was stored (no device)" test "$(J .count)" = 0
req GET /api/v1/changes
check "no change was logged" test "$(J .count)" = 0
req GET /api/v1/audit-log
check "the audit log holds the three refusals, no stored audit" \
	test "$(J '[.results[] | select(.result == "created")] | length')" = 0 \
	-a "$(J '[.results[] | select(.message | test("NUL character"))] | length')" = 3

req POST /api/v1/intake -H 'Content-Type: application/json' \
	--data-binary @"$T/clean.json"
check "the same audit without the NUL is stored (201)" test "$S" = 201
req GET "/api/v1/devices?hostname=nul-host"
check "its device reads back whole" \
	test "$(J '.results[0].os_name')" = Debian
tap_finish
