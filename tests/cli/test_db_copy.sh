#!/bin/sh
# `netcensus admin db copy` (issue 17: moving a site) against a real
# PostgreSQL (a throwaway cluster of this test, pg_start in tests/lib.sh):
# a SQLite store with devices and components (imported audits), users,
# an API token, a credential with a secret, discovery definitions with a
# finished and a queued run (made through the server's API on loopback),
# a task and a location is copied to PostgreSQL and back to a new SQLite
# file: every table's rows and checksum are the same at each step (the
# copy's own report, and `admin db checksum` of each store), `devices
# --json` is the same, the credential's secret is still the same
# ciphertext under the same key file (copied along as TO.key) and still
# decrypts there (a `db check` and the credential list); PostgreSQL's id
# sequences continue after the copied ids; a target that holds data is
# refused without --force (nothing changed), replaced with it; a missing
# source, the same database twice and a missing --to are refused with a
# clear message; a row PostgreSQL refuses (a NUL in a JSON string) fails
# the whole copy and leaves the target as it was. "ok # skip" only when
# PostgreSQL is not installed. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
need_tools jq curl sqlite3
N=$NETCENSUS
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
tmp_init dbcopy
unset NETCENSUS_DB NETCENSUS_NOW

not_ok() {
	nok "$1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | head -20; done
}

if ! pg_start; then
	not_ok "PostgreSQL cluster did not start" "$T/pg.log"
	tap_finish
fi

# ---- a store with something in every kind of table ----
"$N" import --db "$DB" "$FIX/audit-linux-min.xml" "$FIX/switch-min.json" \
	"$FIX/report-router-min.json" >"$T/imp.out" 2>&1 ||
	{ not_ok "import" "$T/imp.out"; tap_finish; }
printf '%s\n' 'a long passphrase' |
	"$N" admin --db "$DB" user add alice --role admin >/dev/null 2>&1
printf '%s\n' 'public-ro' | "$N" admin --db "$DB" credential add \
	--name lab --type snmp >/dev/null 2>&1
serve_start "$T/serve.log" || { not_ok "server" "$T/serve.log"; tap_finish; }
TOKEN=$(admin_token alice)
req POST /api/v1/discoveries -d '{"name":"loop","targets":"127.0.0.1","options":{"dns":false,"ports":"1"}}'
D=$(J .id)
req POST "/api/v1/discoveries/$D/run"
R=$(J .id)
run_done() {
	req GET "/api/v1/discovery-runs/$R"
	[ "$(J .state)" = done ]
}
wait_until "$WAIT_LONG" run_done || nok "the loopback run finished"
req POST /api/v1/tasks -d '{"name":"weekly purge","type":"purge","schedule":"@weekly","days":90}'
[ "$S" = 201 ] || nok "task created ($S)"
req POST /api/v1/locations -d '{"name":"HQ","city":"Berlin","latitude":52.520008,"longitude":13.404954}'
serve_stop
# a queued run too (the server is gone, nothing claims it)
sqlite3 "$DB" "INSERT INTO discovery_run (discovery_id, state, queued)
	VALUES ($D, 'queued', '2026-01-01 00:00:00')"
"$N" admin --db "$DB" db checksum >"$T/sum0" 2>"$T/sum0.err" ||
	not_ok "db checksum of the SQLite store" "$T/sum0.err"
for t in device component user token credential discovery discovery_run \
	discovery_log task location; do
	rows=$(awk -v t="$t" '$1 == t {print $2}' "$T/sum0")
	[ "${rows:-0}" -gt 0 ] || nok "the source has rows in $t"
done
ok "a SQLite store with devices, components, users, a token, a credential, runs, a task and a location"

# ---- refused before anything is copied ----
"$N" admin db copy --from "$T/none.db" --to "$PG_URL" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 1 ] && grep -q "none.db" "$T/e" && [ ! -e "$T/none.db" ]; then
	ok "a missing source is refused (and not created)"
else not_ok "missing source (rc $rc)" "$T/e"; fi
"$N" admin db copy --from "$DB" --to "$DB" >"$T/o" 2>"$T/e"
[ $? = 2 ] && grep -q "same database" "$T/e" &&
	ok "the same database twice is a usage error" ||
	not_ok "same database twice" "$T/e"
"$N" admin db copy --from "$DB" >"$T/o" 2>"$T/e"
[ $? = 2 ] && grep -q -- "--to" "$T/e" &&
	ok "no --to is a usage error" || not_ok "no --to" "$T/e"

# ---- SQLite -> PostgreSQL ----
"$N" admin db copy --from "$DB" --to "$PG_URL" >"$T/c1" 2>"$T/c1.err"
rc=$?
if [ $rc = 0 ] && grep -q "every table's rows and checksum are the same" \
	"$T/c1.err" && grep -q "^copy: device " "$T/c1.err"; then
	ok "copied to PostgreSQL, verified, with progress on stderr"
else not_ok "copy to PostgreSQL (rc $rc)" "$T/c1.err"; fi
if cmp -s "$T/sum0" "$T/c1"; then
	ok "the copy's report: every table's rows and checksum as the source's"
else not_ok "the copy's report differs from the source's" "$T/c1"; fi
"$N" admin --db "$PG_URL" db checksum >"$T/sum1" 2>"$T/sum1.err"
if cmp -s "$T/sum0" "$T/sum1"; then
	ok "db checksum on PostgreSQL equals the SQLite store's"
else not_ok "db checksum differs" "$T/sum1" "$T/sum1.err"; fi
"$N" devices --db "$DB" --json >"$T/d0.json" 2>&1
"$N" devices --db "$PG_URL" --json >"$T/d1.json" 2>&1
ndev=$(jq length "$T/d0.json")
if [ "$ndev" -ge 3 ] &&
	[ "$(jq -S . "$T/d0.json")" = "$(jq -S . "$T/d1.json")" ]; then
	ok "devices --json: the same $ndev devices on PostgreSQL"
else not_ok "devices --json differ" "$T/d1.json"; fi
# PostgreSQL's sequences continue after the copied ids
maxdev=$(sqlite3 "$DB" "SELECT max(id) FROM device")
printf '%s\n' '{"report_version": 1, "sys": {"hostname": "added-later",' \
	'"ip": "198.18.10.99", "serial": "LATER-1", "type": "router"}}' \
	>"$T/later.json"
"$N" import --db "$PG_URL" "$T/later.json" >"$T/later.out" 2>&1
newid=$(sed -n 's/.*created device \([0-9]*\).*/\1/p' "$T/later.out")
if [ -n "$newid" ] && [ "$newid" -gt "$maxdev" ]; then
	ok "a device added on PostgreSQL after the copy gets id $newid (> $maxdev)"
else not_ok "new device id '$newid' after the copy (max $maxdev)" \
	"$T/later.out"; fi

# ---- a target with data: refused, then --force ----
"$N" admin db copy --from "$DB" --to "$PG_URL" >"$T/o" 2>"$T/e"
rc=$?
"$N" devices --db "$PG_URL" --json >"$T/d2.json" 2>&1
if [ $rc = 1 ] && grep -q "already holds data" "$T/e" &&
	[ "$(jq length "$T/d2.json")" = $((ndev + 1)) ]; then
	ok "a target holding data is refused without --force, left as it was"
else not_ok "non-empty target (rc $rc)" "$T/e"; fi
"$N" admin db copy --from "$DB" --to "$PG_URL" --force >"$T/c2" 2>"$T/e"
rc=$?
"$N" devices --db "$PG_URL" --json >"$T/d3.json" 2>&1
if [ $rc = 0 ] && cmp -s "$T/sum0" "$T/c2" &&
	[ "$(jq -S . "$T/d0.json")" = "$(jq -S . "$T/d3.json")" ]; then
	ok "--force replaces what the target held: the source's tables again"
else not_ok "--force (rc $rc)" "$T/e"; fi

# ---- PostgreSQL -> a new SQLite file ----
"$N" admin db copy --from "$PG_URL" --to "$T/back.db" --key "$DB.key" \
	>"$T/c3" 2>"$T/c3.err"
rc=$?
if [ $rc = 0 ] && cmp -s "$T/sum0" "$T/c3"; then
	ok "copied back to a new SQLite file: the same rows and checksums"
else not_ok "copy back (rc $rc)" "$T/c3.err"; fi
"$N" admin --db "$T/back.db" db checksum >"$T/sum3" 2>&1
cmp -s "$T/sum0" "$T/sum3" &&
	ok "db checksum of the round trip equals the original's" ||
	not_ok "round trip checksum" "$T/sum3"
"$N" devices --db "$T/back.db" --json >"$T/d4.json" 2>&1
[ "$(jq -S . "$T/d0.json")" = "$(jq -S . "$T/d4.json")" ] &&
	ok "devices --json of the round trip equals the original's" ||
	not_ok "devices --json of the round trip" "$T/d4.json"
if cmp -s "$DB.key" "$T/back.db.key" &&
	[ "$(stat -c %a "$T/back.db.key")" = 600 ]; then
	ok "the key file went along (mode 0600)"
else nok "the key file went along"; fi
# the secret: the same ciphertext (jsonb re-spaces the JSON around it)
s0=$(sqlite3 "$DB" "SELECT secrets FROM credential" | jq -S -c .)
s3=$(sqlite3 "$T/back.db" "SELECT secrets FROM credential" | jq -S -c .)
case $s0 in *v1:*) enc=1 ;; *) enc=0 ;; esac
if [ "$enc" = 1 ] && [ "$s0" = "$s3" ] && ! grep -q public-ro "$T/back.db"; then
	ok "the credential's secret is the same ciphertext, never in clear"
else nok "the secret after the round trip ('$s0' / '$s3')"; fi
"$N" admin --db "$T/back.db" credential list >"$T/cl" 2>&1
grep -q "community" "$T/cl" && ok "the credential lists with its secret set" ||
	not_ok "credential list" "$T/cl"
"$N" admin --db "$T/back.db" user list >"$T/ul" 2>&1
grep -q alice "$T/ul" && ok "the users came along" || not_ok "users" "$T/ul"
"$N" admin --db "$T/back.db" db check >"$T/ck" 2>&1 &&
	ok "db check: the round trip is healthy" || not_ok "db check" "$T/ck"

# ---- a row the target refuses: nothing of the copy is stored ----
# (jsonb refuses a NUL character in a JSON string, SQLite keeps it)
cp "$DB" "$T/bad.db"
cp "$DB.key" "$T/bad.db.key"
sqlite3 "$T/bad.db" "UPDATE component SET data = '{\"name\":\"a\\u0000b\"}'
	WHERE id = (SELECT max(id) FROM component)"
"$N" admin db copy --from "$T/bad.db" --to "$PG_URL" --force >"$T/o" \
	2>"$T/e"
rc=$?
"$N" admin --db "$PG_URL" db checksum >"$T/sum5" 2>&1
if [ $rc = 1 ] && grep -q "refused by the target" "$T/e" &&
	grep -q "nothing was stored" "$T/e" && cmp -s "$T/sum0" "$T/sum5"; then
	ok "a row the target refuses: the copy fails and the target is as before"
else not_ok "a refused row (rc $rc)" "$T/e" "$T/sum5"; fi

# ---- a key file of another store is not overwritten ----
"$N" admin --db "$T/other.db" db check >/dev/null 2>&1
"$N" admin db copy --from "$PG_URL" --to "$T/other.db" --key "$DB.key" \
	--force >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 1 ] && grep -q "another key" "$T/e" &&
	! cmp -s "$DB.key" "$T/other.db.key"; then
	ok "a target with another key file is refused (its key kept)"
else not_ok "another key (rc $rc)" "$T/e"; fi
tap_finish
