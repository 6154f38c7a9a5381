#!/bin/sh
# The PostgreSQL back end against a real PostgreSQL (a throwaway cluster
# of this test, on a Unix socket in its temp folder: pg_start in
# tests/lib.sh): the same audit files (Open-AudIT XML, a real
# audit_linux.sh run, Open-AudIT JSON, netcensus JSON; the Open-AudIT
# samples too when ../shared has them) imported into SQLite and into
# PostgreSQL give the same answers - `devices --json`, `device --json` of
# every device, the import lines, a re-import changing nothing, a changed
# audit's change log; users and a CSV naming an unknown custom field
# give the same answers; `admin db check` passes a healthy database and
# names a constraint left NOT VALID; serve starts and answers; a plain CSV
# import works; a rejected file is logged;
# the URL's password is never printed; pool= is checked; TLS by
# sslmode=verify-full against a test CA. "ok # skip" only
# when PostgreSQL is not installed. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
need_tools jq python3
N=$NETCENSUS
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
tmp_init pg
unset NETCENSUS_DB
# one clock for both databases, so the stored times match
export NETCENSUS_NOW="2026-01-02 03:04:05"

not_ok() {
	nok "$1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | head -20; done
}

if pg_start; then
	ok "a throwaway PostgreSQL cluster started (socket only, no TCP)"
else
	not_ok "PostgreSQL cluster did not start" "$T/pg.log" \
		"$T/pgs/server.log"
	tap_finish
fi

# the files: the fixtures, the real audit_linux.sh post decoded from its
# form, and the shared Open-AudIT samples when present
mkdir "$T/in"
cp "$FIX/audit-linux-min.xml" "$FIX/switch-min.json" \
	"$FIX/report-router-min.json" "$T/in/"
python3 -c 'import sys, urllib.parse
d = open(sys.argv[1]).read()
assert d.startswith("data=")
open(sys.argv[2], "w").write(urllib.parse.unquote(d[5:]))' \
	"$FIX/audit-linux-real.xml.form" "$T/in/real-linux.xml"
[ -d "$SAMPLES" ] && cp "$SAMPLES"/* "$T/in/"
nfiles=$(ls "$T/in" | wc -l)

# --- import into both ---
"$N" import --db "$DB" "$T/in"/* >"$T/sq-imp.out" 2>"$T/sq-imp.err"
sq_rc=$?
"$N" import --db "$PG_URL" "$T/in"/* >"$T/pg-imp.out" 2>"$T/pg-imp.err"
pg_rc=$?
created=$(grep -c ': created device ' "$T/pg-imp.out")
if [ $pg_rc -eq 0 ] && [ "$created" -eq "$nfiles" ]; then
	ok "import into PostgreSQL: $created of $nfiles files, a device each"
else not_ok "import into PostgreSQL (rc $pg_rc, $created created)" \
	"$T/pg-imp.out" "$T/pg-imp.err"; fi
if [ $sq_rc -eq 0 ] && cmp -s "$T/sq-imp.out" "$T/pg-imp.out"; then
	ok "the import lines are the same on SQLite and PostgreSQL"
else not_ok "import lines differ (SQLite rc $sq_rc)" "$T/sq-imp.out" \
	"$T/pg-imp.out"; fi

# --- the same answers ---
"$N" devices --db "$DB" --json >"$T/sq-devs.json" 2>&1
"$N" devices --db "$PG_URL" --json >"$T/pg-devs.json" 2>"$T/pg-devs.err"
ndev=$(jq length "$T/pg-devs.json" 2>/dev/null)
# JSONB keeps an object's keys in its own order: compare them sorted
if [ "$ndev" = "$nfiles" ] &&
	[ "$(jq -S . "$T/sq-devs.json")" = "$(jq -S . "$T/pg-devs.json")" ]; then
	ok "devices --json: the same $ndev devices on both"
else not_ok "devices --json differ ($ndev on PostgreSQL)" "$T/pg-devs.err"
	diff "$T/sq-devs.json" "$T/pg-devs.json" | head -20 | sed 's/^/# /'; fi
"$N" devices --db "$DB" >"$T/sq-devs.txt" 2>&1
"$N" devices --db "$PG_URL" >"$T/pg-devs.txt" 2>&1
check "devices (the table): the same on both" cmp -s "$T/sq-devs.txt" \
	"$T/pg-devs.txt"

same=0
differ=""
for host in $(jq -r '.[].hostname' "$T/sq-devs.json"); do
	"$N" device --db "$DB" --json "$host" >"$T/sq-dev.json" 2>&1
	"$N" device --db "$PG_URL" --json "$host" >"$T/pg-dev.json" 2>&1
	if jq -e '.sys.hostname' "$T/pg-dev.json" >/dev/null 2>&1 &&
		[ "$(jq -S . "$T/sq-dev.json")" = "$(jq -S . "$T/pg-dev.json")" ]; then
		same=$((same + 1))
	else
		differ="$differ $host"
		cp "$T/pg-dev.json" "$T/pg-dev-$host.json"
	fi
done
if [ "$same" -eq "$nfiles" ]; then
	ok "device --json HOST: every device and component the same ($same)"
else not_ok "device --json differs for:$differ" "$T/pg-dev.json"; fi
soft=$("$N" device --db "$PG_URL" --json vm | jq '.software | length')
if [ "${soft:-0}" -gt 100 ]; then
	ok "the real audit's $soft software rows are on PostgreSQL"
else nok "the real audit's software on PostgreSQL: ${soft:-none}"; fi
# by address and by id too (device_find, device_get)
"$N" device --db "$DB" --json 198.18.10.1 | jq -S . >"$T/sq-ip.json"
"$N" device --db "$PG_URL" --json 198.18.10.1 | jq -S . >"$T/pg-ip.json"
if jq -e '.sys.hostname == "fixture-router"' "$T/pg-ip.json" >/dev/null &&
	cmp -s "$T/sq-ip.json" "$T/pg-ip.json"; then
	ok "device --json IP finds the same device on both"
else not_ok "device by IP" "$T/pg-ip.json"; fi

# --- a second import changes nothing; a changed audit the same changes ---
"$N" import --db "$PG_URL" "$T/in"/* >"$T/pg-imp2.out" 2>&1
upd=$(grep -c ', 0 changes$' "$T/pg-imp2.out")
if [ "$upd" -eq "$nfiles" ]; then
	ok "re-import into PostgreSQL: $upd devices matched, 0 changes each"
else not_ok "re-import ($upd of $nfiles unchanged)" "$T/pg-imp2.out"; fi
"$N" import --db "$DB" "$T/in"/* >/dev/null 2>&1
sed -e '/<name>coreutils</d' \
	-e 's|<os_name>Debian GNU/Linux 12 (bookworm)|<os_name>Debian GNU/Linux 13 (trixie)|' \
	-e 's|</software>|<item><name>nftables</name><version>1.0.6-2</version></item></software>|' \
	"$FIX/audit-linux-min.xml" >"$T/changed.xml"
NETCENSUS_NOW="2026-01-03 03:04:05" "$N" import --db "$DB" "$T/changed.xml" \
	>"$T/sq-chg.out" 2>&1
NETCENSUS_NOW="2026-01-03 03:04:05" "$N" import --db "$PG_URL" \
	"$T/changed.xml" >"$T/pg-chg.out" 2>&1
if grep -q 'updated device [0-9]*, matched by .*, 3 changes$' \
	"$T/pg-chg.out" && cmp -s "$T/sq-chg.out" "$T/pg-chg.out"; then
	ok "a changed audit: the same 3 changes on both ($(cut -d: -f2 \
		"$T/pg-chg.out" | head -1))"
else not_ok "changed audit" "$T/sq-chg.out" "$T/pg-chg.out"; fi
"$N" changes --db "$DB" --json >"$T/sq-changes.json" 2>&1
"$N" changes --db "$PG_URL" --json >"$T/pg-changes.json" 2>&1
if [ "$(jq length "$T/pg-changes.json")" = 3 ] &&
	[ "$(jq -S . "$T/sq-changes.json")" = "$(jq -S . "$T/pg-changes.json")" ]; then
	ok "changes --json: the same change log on both"
else not_ok "changes --json differ" "$T/pg-changes.json"; fi

# --- intakes take turns, as on SQLite: a transaction of another session
# holding the write turn (the advisory lock pg.c takes) makes an import
# wait for it, so that two intakes of one new machine never both insert
# it; four imports of one new machine at once store one device ---
psql() { "$PG_BIN/psql" -h "$T/pgs" -p 5432 -U netcensus -d netcensus \
	-X -q -t -A "$@"; }
# pg_locks: advisory lock "ncwr" (pg.c PG_WRITE_LOCK) held (t) or waited (f)
turn() { [ "$(psql -c "SELECT count(*) FROM pg_locks WHERE locktype =
	'advisory' AND objid = 1852012402 AND granted = $1")" -ge 1 ]; }
mkfifo "$T/psql.in"
psql <"$T/psql.in" >"$T/psql.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
exec 7>"$T/psql.in"
echo "BEGIN; SELECT pg_advisory_xact_lock(1852012402);" >&7
sed -e 's/fixture-router/fixture-twin/g' -e 's/FIXRT-0001/FIXTW-0001/' \
	-e 's/198.18.10.1"/198.18.12.1"/' -e 's/02:00:5e:10:00:01/02:00:5e:12:00:01/g' \
	"$FIX/report-router-min.json" >"$T/twin.json"
pids=
if wait_until "$WAIT_LONG" turn true; then
	for i in 1 2 3 4; do
		"$N" import --db "$PG_URL" "$T/twin.json" >"$T/twin$i.out" 2>&1 &
		pids="$pids $!"
	done
	if wait_until "$WAIT_LONG" turn false; then
		ok "an import waits for another transaction's write turn"
	else nok "an import did not wait for the write turn"; fi
else nok "psql did not take the write turn"; fi
echo "COMMIT;" >&7
exec 7>&-
twin_rc=0
for p in $pids; do wait "$p" || twin_rc=1; done
ntwin=$("$N" devices --db "$PG_URL" --json | jq '[.[] |
	select(.hostname == "fixture-twin")] | length')
if [ $twin_rc -eq 0 ] && [ "$ntwin" = 1 ] &&
	[ "$(cat "$T"/twin?.out | grep -c ': created device ')" = 1 ]; then
	ok "4 imports of one new machine at once: one device, 3 updates"
else not_ok "concurrent imports (rc $twin_rc, $ntwin devices)" \
	"$T/twin1.out" "$T/twin2.out"; fi
nfiles=$((nfiles + 1))

# --- a rejected file is refused and logged, nothing else stored ---
printf '<system><sys><hostname>x</hostname>' >"$T/broken.xml"
"$N" import --db "$PG_URL" "$T/broken.xml" >"$T/bad.out" 2>&1
rc=$?
"$N" status --db "$PG_URL" >"$T/st.out" 2>&1
if [ $rc -ne 0 ] && grep -q 'rejected' "$T/bad.out" &&
	grep -q "devices: *$nfiles\$" "$T/st.out"; then
	ok "a broken file is rejected on PostgreSQL, no device added"
else not_ok "broken file (rc $rc)" "$T/bad.out" "$T/st.out"; fi

# --- the database check: what PostgreSQL lets stand is found ---
"$N" admin --db "$PG_URL" db check >"$T/check.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^integrity: ok' "$T/check.out" &&
	grep -q '^constraints: ok' "$T/check.out" &&
	grep -q '^schema version: \([0-9]*\) (this netcensus: \1)' \
		"$T/check.out"; then
	ok "admin db check on PostgreSQL: a healthy database"
else not_ok "admin db check on PostgreSQL (rc $rc)" "$T/check.out"; fi
db_sql_pg() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }
db_sql_pg "ALTER TABLE device ADD CONSTRAINT nc_test_id CHECK (id > 0)
	NOT VALID" >"$T/psql.out" 2>&1
"$N" admin --db "$PG_URL" db check >"$T/check2.out" 2>&1
rc=$?
db_sql_pg "ALTER TABLE device DROP CONSTRAINT nc_test_id" >>"$T/psql.out" 2>&1
if [ $rc -eq 1 ] &&
	grep -q '^constraint: nc_test_id on device is not validated' \
		"$T/check2.out"; then
	ok "admin db check on PostgreSQL names a constraint left NOT VALID"
else not_ok "admin db check of a NOT VALID constraint (rc $rc)" \
	"$T/check2.out" "$T/psql.out"; fi
# users are: the same list on both
for d in "$DB" "$PG_URL"; do
	echo 'a long enough password' |
		"$N" admin --db "$d" user add pat --role user >/dev/null 2>&1
	"$N" admin --db "$d" user list --json | jq -c 'map(del(.created))'
done >"$T/users.out" 2>&1
if [ "$(sort -u "$T/users.out" | wc -l)" = 1 ] &&
	grep -q '"name":"pat"' "$T/users.out"; then
	ok "admin user add/list: the same on PostgreSQL as on SQLite"
else not_ok "admin user list on PostgreSQL" "$T/users.out"; fi
# a CSV naming a custom field the org does not have: the same refusal on
# both, nothing half-written
printf 'hostname,ip,custom.rack\ncsv-host,198.18.10.99,R1\n' >"$T/custom.csv"
"$N" import --db "$DB" --csv "$T/custom.csv" >"$T/sq-csvc.out" 2>&1
"$N" import --db "$PG_URL" --csv "$T/custom.csv" >"$T/csv.out" 2>&1
rc=$?
"$N" status --db "$PG_URL" >"$T/st2.out" 2>&1
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && cmp -s "$T/sq-csvc.out" \
	"$T/csv.out" && grep -q "no custom field 'rack'" "$T/csv.out" &&
	grep -q "devices: *$nfiles\$" "$T/st2.out"; then
	ok "import --csv with an unknown custom field: refused as on SQLite"
else not_ok "import --csv with a custom field (rc $rc)" "$T/csv.out" \
	"$T/st2.out"; fi
printf 'hostname,ip\ncsv-host,198.18.10.99\n' >"$T/plain.csv"
"$N" import --db "$DB" --csv "$T/plain.csv" >"$T/sq-csv.out" 2>&1
"$N" import --db "$PG_URL" --csv "$T/plain.csv" >"$T/pg-csv.out" 2>&1
rc=$?
"$N" device --db "$PG_URL" --json csv-host >"$T/pg-csvdev.json" 2>&1
if [ $rc -eq 0 ] && cmp -s "$T/sq-csv.out" "$T/pg-csv.out" &&
	jq -e '.sys.ip == "198.18.10.99"' "$T/pg-csvdev.json" >/dev/null; then
	ok "import --csv of plain columns works on PostgreSQL as on SQLite"
else not_ok "import --csv on PostgreSQL (rc $rc)" "$T/pg-csv.out" \
	"$T/pg-csvdev.json"; fi

# the server on PostgreSQL starts and answers (the timeout is only a
# ceiling)
P=$(free_port)
timeout 300 "$N" serve --db "$PG_URL&keyfile=$T/pg.key" \
	--listen "127.0.0.1:$P" >"$T/serve.out" 2>&1 &
SPID=$!
BG_PIDS="$BG_PIDS $SPID"
wait_until "$WAIT_LONG" eval "curl -sf -o /dev/null \
	http://127.0.0.1:$P/api/v1/health || ! kill -0 $SPID 2>/dev/null"
if curl -sf -o /dev/null "http://127.0.0.1:$P/api/v1/health"; then
	ok "serve on PostgreSQL answers /api/v1/health"
	kill "$SPID"
	wait "$SPID"
else
	wait "$SPID"
	not_ok "serve on PostgreSQL (rc $?)" "$T/serve.out"
fi

# --- the URL: a password is never printed, pool= is checked ---
"$N" -v status --db "$PG_URL&password=s3cret-pw&pool=2" >"$T/pw.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 's3cret-pw' "$T/pw.out" &&
	grep -q 'password=\*\*\*' "$T/pw.out"; then
	ok "status with a password in the URL: shown as ***"
else not_ok "password in the URL (rc $rc)" "$T/pw.out"; fi
"$N" devices --db "$PG_URL&pool=0" >"$T/pool.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'pool=0 is not a number of connections' \
	"$T/pool.out"; then
	ok "pool=0 is refused with the allowed range"
else not_ok "pool=0 (rc $rc)" "$T/pool.out"; fi
"$N" devices --db "postgresql:///netcensus?host=$T/nowhere&port=5432" \
	>"$T/down.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'cannot connect to database' "$T/down.out"; then
	ok "no server at the URL: a clear error"
else not_ok "no server (rc $rc)" "$T/down.out"; fi

# --- TLS to the database, by libpq's sslmode in the URL: the cluster
# restarted on a loopback TCP port with a certificate from a test CA and
# only TLS allowed over TCP (pg_hba: hostnossl reject) ---
if command -v openssl >/dev/null 2>&1; then
	mk_ca() { # mk_ca NAME
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
			-subj "/CN=netcensus test $1" >>"$T/tls.log" 2>&1
	}
	mk_ca ca && mk_ca otherca
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/pgs/server.key" -out "$T/server.csr" \
		-subj "/CN=127.0.0.1" >>"$T/tls.log" 2>&1
	printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.ext"
	openssl x509 -req -in "$T/server.csr" -CA "$T/ca.pem" \
		-CAkey "$T/ca.key" -CAcreateserial -out "$T/pgs/server.pem" \
		-days 2 -extfile "$T/san.ext" >>"$T/tls.log" 2>&1
	[ "$(id -u)" = 0 ] &&
		chown postgres: "$T/pgs/server.key" "$T/pgs/server.pem"
	chmod 600 "$T/pgs/server.key"
	{ echo "hostnossl all all 127.0.0.1/32 reject"; cat "$T/pg/pg_hba.conf"; } \
		>"$T/hba" && cat "$T/hba" >"$T/pg/pg_hba.conf"
	as=
	[ "$(id -u)" = 0 ] &&
		as="setpriv --reuid=postgres --regid=postgres --init-groups"
	tls_up=
	for try in 1 2 3; do
		TP=$(free_port)
		if $as "$PG_BIN/pg_ctl" restart -D "$T/pg" -w -t 120 -m fast \
			-l "$T/pgs/server.log" -o "-c listen_addresses=127.0.0.1 \
-k $T/pgs -p $TP -c ssl=on -c ssl_cert_file=$T/pgs/server.pem \
-c ssl_key_file=$T/pgs/server.key" >>"$T/tls.log" 2>&1; then
			tls_up=1
			break
		fi
	done
	if [ -n "$tls_up" ]; then
		TLS_URL="postgresql://netcensus@127.0.0.1:$TP/netcensus"
		"$N" devices --db "$TLS_URL?sslmode=verify-full&sslrootcert=$T/ca.pem" \
			--json >"$T/tls-devs.json" 2>"$T/tls.err"
		"$N" devices --db "postgresql:///netcensus?host=$T/pgs&port=$TP&user=netcensus" \
			--json >"$T/sock-devs.json" 2>&1
		if [ "$(jq length "$T/tls-devs.json")" -gt "$nfiles" ] &&
			cmp -s "$T/tls-devs.json" "$T/sock-devs.json"; then
			ok "sslmode=verify-full with the server's CA: the devices over TLS"
		else not_ok "TLS connection" "$T/tls.err" "$T/tls.log"; fi
		"$N" devices --db "$TLS_URL?sslmode=disable" >"$T/notls.out" 2>&1
		rc1=$?
		"$N" devices --db "$TLS_URL?sslmode=verify-full&sslrootcert=$T/otherca.pem" \
			>"$T/badca.out" 2>&1
		rc2=$?
		if [ $rc1 -ne 0 ] && grep -q 'cannot connect' "$T/notls.out" &&
			[ $rc2 -ne 0 ] && grep -q 'certificate verify failed' \
			"$T/badca.out"; then
			ok "without TLS, or with another CA, no connection"
		else not_ok "plain or wrong-CA connection (rc $rc1, $rc2)" \
			"$T/notls.out" "$T/badca.out"; fi
	else
		not_ok "PostgreSQL did not restart with TLS" "$T/tls.log" \
			"$T/pgs/server.log"
	fi
fi

tap_finish
