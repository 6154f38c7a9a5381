#!/bin/sh
# Data management (docs/api.md, "Data management"): custom fields per org
# and global, a devices CSV in Open-AudIT's columns imported with a dry
# run (per line: create / update and the rule), a file with bad lines
# refused whole (each line and column named, nothing stored), the fixed
# file stored through intake (audit log, change log on a second import),
# `netcensus import --csv`, manual create with field errors, bulk edits by
# ids and by filter (change-logged; another org's id refused as if it did
# not exist), filters on custom.NAME, the CSV export of custom fields; two
# orgs, and an org admin of one never reaches the other. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3
need_netcensus
tmp_init data

"$NETCENSUS" admin org add --db "$DB" blue >/dev/null 2>&1
"$NETCENSUS" admin org add --db "$DB" red >/dev/null 2>&1
for u in "ada admin Default" "bob org_admin blue" "rita org_admin red" "una user blue"; do
	set -- $u
	printf 'a long enough password\n' |
		"$NETCENSUS" admin user add --db "$DB" --role "$2" --org "$3" "$1" >/dev/null 2>&1
done
ADA=$(admin_token ada)
BOB=$(admin_token bob)
RITA=$(admin_token rita)
UNA=$(admin_token una)
BLUE=$(db_sql "SELECT id FROM org WHERE name = 'blue'")
RED=$(db_sql "SELECT id FROM org WHERE name = 'red'")
serve_start "$T/log" || { cat "$T/log"; skip_all "server did not start"; }

# as TOKEN METHOD PATH [BODY]: JSON body; status in $S, reply in $T/body
as() {
	_t=$1 _m=$2 _p=$3
	if [ $# -ge 4 ]; then
		S=$(curl -s -o "$T/body" -w '%{http_code}' -X "$_m" -H "Authorization: Bearer $_t" \
			-H 'Content-Type: application/json' --data-binary "$4" "$U$_p")
	else
		S=$(curl -s -o "$T/body" -w '%{http_code}' -X "$_m" -H "Authorization: Bearer $_t" "$U$_p")
	fi
}
# csv TOKEN QUERY FILE: the file as the body (text/csv)
csv() {
	S=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
		-H 'Content-Type: text/csv' --data-binary "@$3" "$U/api/v1/devices/import$2")
}
ndev() { db_sql "SELECT count(*) FROM device${1:+ WHERE $1}"; }
# on_db SQLITE_SQL PG_SQL: the query in the test database's own dialect
# (JSON paths, string aggregates)
on_db() {
	if [ "${NETCENSUS_TEST_DB:-sqlite}" = pg ]; then db_sql "$2"; else db_sql "$1"; fi
}

# ---- custom fields ----
as "$BOB" POST /api/v1/custom-fields '{"name":"rack","label":"Rack","type":"list","allowed":["R1","R12"]}'
check "org admin adds a list field to its org (201)" test "$S" = 201
RACK=$(J .id)
check "... which belongs to blue" test "$(J .org_id)" = "$BLUE"
as "$RITA" POST /api/v1/custom-fields '{"name":"rack","type":"text"}'
check "another org may have its own field of the same name (201)" test "$S" = 201
as "$ADA" POST /api/v1/custom-fields '{"name":"rack","type":"text","org_id":null}'
check "a global field of a name an org uses: 409 naming name" \
	test "$S:$(J .field)" = "409:name"
as "$ADA" POST /api/v1/custom-fields '{"name":"warranty","label":"Warranty until","type":"date","org_id":null}'
check "root admin adds a global date field (201, org_id null)" test "$S:$(J .org_id)" = "201:null"
as "$BOB" POST /api/v1/custom-fields '{"name":"weight","type":"number"}'
check "org admin adds a number field" test "$S" = 201
as "$BOB" POST /api/v1/custom-fields '{"name":"Rack!","type":"text"}'
check "a bad name: 400 with fields.name" test "$S:$(J '.fields.name != null')" = "400:true"
as "$BOB" POST /api/v1/custom-fields '{"name":"os","type":"list"}'
check "a list without allowed values: 400 naming allowed" test "$S:$(J .field)" = "400:allowed"
as "$BOB" POST /api/v1/custom-fields '{"name":"g","type":"text","org_id":null}'
check "an org admin may not add a global field (403)" test "$S" = 403
as "$UNA" POST /api/v1/custom-fields '{"name":"x","type":"text"}'
check "a read-only user may not add a field (403)" test "$S" = 403
as "$UNA" GET /api/v1/custom-fields
check "blue's user sees blue's fields and the global one, not red's" \
	test "$(J '[.results[] | "\(.name):\(.org_id)"] | sort | join(",")')" = "rack:$BLUE,warranty:null,weight:$BLUE"
as "$RITA" GET /api/v1/custom-fields
check "red's admin sees only red's rack and the global field" \
	test "$(J '[.results[] | "\(.name):\(.org_id)"] | sort | join(",")')" = "rack:$RED,warranty:null"
as "$RITA" PATCH "/api/v1/custom-fields/$RACK" '{"label":"x"}'
check "another org's field: 404 (not 403)" test "$S" = 404
as "$BOB" PATCH "/api/v1/custom-fields/$RACK" '{"allowed":["R1","R12","R20"]}'
check "its org admin adds an allowed value" test "$S:$(J '.allowed | length')" = "200:3"
WARR=$(db_sql "SELECT id FROM custom_field WHERE name = 'warranty'")
as "$BOB" DELETE "/api/v1/custom-fields/$WARR"
check "an org admin may not delete the global field (403)" test "$S" = 403

# ---- CSV import: Open-AudIT's columns, quoting, BOM ----
# a UTF-8 BOM, Open-AudIT's column names (name, mac_address), a column
# netcensus ignores (icon), a quoted cell with a comma and a line break
printf '\357\273\277name,ip,mac_address,serial,manufacturer,os_family,status,location,description,icon,custom.rack,custom.weight\r\n' >"$T/good.csv"
i=1
while [ $i -le 40 ]; do
	printf 'csv-%02d,198.18.9.%d,02:00:00:09:00:%02x,CSV-SN-%d,Dell Inc.,Debian,production,dc1,"rack row %d, shelf 2",computer,R%s,%d.5\r\n' \
		$i $i $i $i $i "$([ $((i % 4)) = 0 ] && echo 12 || echo 1)" $i >>"$T/good.csv"
	i=$((i + 1))
done
printf 'csv-multi,198.18.9.200,,,,,,,"first line\nsecond line",,,\r\n' >>"$T/good.csv"
LINES=$(wc -l <"$T/good.csv")

csv "$BOB" "?dry_run=true" "$T/good.csv"
check "dry run: 200, 41 to create, nothing stored" \
	test "$S:$(J .created):$(J .stored):$(ndev)" = "200:41:false:0"
check "dry run: one result per record, numbered by file line (the last starts at line $((LINES - 1)))" \
	test "$(J '.rows | length'):$(J '.rows[0].line'):$(J '.rows[40].line')" = "41:2:$((LINES - 1))"
check "dry run: Open-AudIT's icon column is listed as ignored" test "$(J '.ignored | join(",")')" = icon

# three bad lines: an address, a MAC, a list value
sed -e 's/^csv-05,198.18.9.5,/csv-05,198.18.9.500,/' \
	-e 's/^csv-17,198.18.9.17,02:00:00:09:00:11/csv-17,198.18.9.17,02:00:00:09:00:zz/' \
	-e 's/^csv-30,\(.*\),R1,30.5/csv-30,\1,R99,30.5/' "$T/good.csv" >"$T/bad.csv"
csv "$BOB" "" "$T/bad.csv"
check "a file with 3 bad lines: 422, 3 errors, stored false" \
	test "$S:$(J .errors):$(J .stored)" = "422:3:false"
check "... each line and column named" \
	test "$(J '[.rows[] | select(.action == "error") | "\(.line):\(.errors[0].column)"] | join(" ")')" = "6:ip 18:mac_address 31:custom.rack"
check "... the list error names the allowed values" \
	sh -c "jq -r '.rows[] | select(.line == 31) | .errors[0].message' '$T/body' | grep -q 'R1, R12, R20'"
check "... and nothing at all was stored (no device, no audit row, no value)" \
	test "$(ndev):$(db_sql 'SELECT count(*) FROM audit_log'):$(db_sql 'SELECT count(*) FROM device_custom')" = "0:0:0"

csv "$BOB" "" "$T/good.csv"
check "the fixed file is stored: 200, 41 devices in blue" \
	test "$S:$(J .stored):$(ndev "org_id = $BLUE")" = "200:true:41"
check "the quoted cell keeps its comma, the multi-line one its line break" \
	test "$(db_sql "SELECT description FROM device WHERE hostname = 'csv-03'")|$(on_db "SELECT length(description) - length(replace(description, char(10), '')) FROM device WHERE hostname = 'csv-multi'" "SELECT length(description) - length(replace(description, chr(10), '')) FROM device WHERE hostname = 'csv-multi'")" = "rack row 3, shelf 2|1"
check "MACs are stored in colon form, Open-AudIT's name is the host name" \
	test "$(db_sql "SELECT hostname || ' ' || mac FROM device WHERE serial = 'CSV-SN-10'")" = "csv-10 02:00:00:09:00:0a"
check "every line went through intake: 41 audit-log rows naming bob" \
	test "$(db_sql "SELECT count(*) FROM audit_log WHERE result = 'created' AND source LIKE 'user bob%' AND format = 'csv'")" = 41
check "custom values stored (10 in R12, numbers in canonical form)" \
	test "$(db_sql "SELECT count(*) FROM device_custom WHERE value = 'R12'"):$(db_sql "SELECT value FROM device_custom v JOIN device d ON d.id = v.device_id WHERE d.hostname = 'csv-02' AND v.field_id = (SELECT id FROM custom_field WHERE name = 'weight')")" = "10:2.5"

sed 's/^csv-07,\(.*\),production,/csv-07,\1,spare,/' "$T/good.csv" >"$T/again.csv"
csv "$BOB" "?dry_run=1" "$T/again.csv"
check "importing again previews updates with the rule that matched" \
	test "$(J .updated):$(J '.rows[0].action'):$(J '.rows[0].rule')" = "41:update:hostname+serial"
csv "$BOB" "" "$T/again.csv"
check "... stored: the changed status is in the change log" \
	test "$S:$(on_db "SELECT json_extract(detail, '\$.from.status') || '>' || json_extract(detail, '\$.to.status') FROM change_log c JOIN device d ON d.id = c.device_id WHERE d.hostname = 'csv-07'" "SELECT (detail->'from'->>'status') || '>' || (detail->'to'->>'status') FROM change_log c JOIN device d ON d.id = c.device_id WHERE d.hostname = 'csv-07'")" = "200:production>spare"

printf 'hostname,ip,org\nred-from-blue,198.18.9.250,red\n' >"$T/org.csv"
csv "$BOB" "" "$T/org.csv"
check "an org admin cannot import into another org (the org is 'no org')" \
	test "$S:$(J '.rows[0].errors[0].column'):$(ndev "hostname = 'red-from-blue'")" = "422:org:0"
csv "$BOB" "?org_id=$RED" "$T/org.csv"
check "... nor name it as the target (400 org_id)" test "$S:$(J .field)" = "400:org_id"
csv "$UNA" "?dry_run=true" "$T/good.csv"
check "a read-only user may not import (403)" test "$S" = 403
printf 'name,ip\n"broken,198.18.9.1\n' >"$T/quote.csv"
csv "$BOB" "" "$T/quote.csv"
check "an unclosed quote refuses the file naming its line (400, field csv)" \
	sh -c "[ '$S' = 400 ] && jq -r .error '$T/body' | grep -q 'on line 2'"
as "$BOB" POST "/api/v1/devices/import?dry_run=true" "$(jq -n --rawfile c "$T/good.csv" '{csv: $c}')"
check "the web UI's JSON form {csv} gives the same preview" test "$S:$(J .updated)" = "200:41"

# the CLI: one transaction, errors on stderr, exit 1
"$NETCENSUS" import --db "$DB" --org blue --csv "$T/bad.csv" >"$T/cli.out" 2>"$T/cli.err"
rc=$?
check "netcensus import --csv of the bad file: exit 1, three lines named" \
	test "$rc:$(grep -c ': column ' "$T/cli.err")" = "1:3"
check "... 'bad.csv:6: column ip: ...'" grep -q "bad.csv:6: column ip: '198.18.9.500' is not an IP address" "$T/cli.err"
printf 'hostname,ip,serial\ncli-one,198.18.9.251,CLI-1\n' >"$T/cli.csv"
"$NETCENSUS" import --db "$DB" --csv --dry-run "$T/cli.csv" >"$T/cli.out" 2>&1
check "netcensus import --csv --dry-run stores nothing" \
	test "$?:$(ndev "hostname = 'cli-one'")" = "0:0"
"$NETCENSUS" import --db "$DB" --org blue --csv "$T/cli.csv" >"$T/cli.out" 2>&1
check "netcensus import --csv --org blue stores it in blue" \
	test "$?:$(ndev "hostname = 'cli-one' AND org_id = $BLUE")" = "0:1"

# ---- manual create ----
as "$BOB" POST /api/v1/devices '{"hostname":"hand-1","ip":"198.18.9.999","custom":{"rack":"R7"}}'
check "create with a bad address and a bad rack: 400 with both fields" \
	test "$S:$(J .field):$(J '.fields | keys | join(",")')" = "400:ip:custom.rack,ip"
as "$BOB" POST /api/v1/devices '{"owner":"ops"}'
check "create without anything identifying: 400 naming hostname" test "$S:$(J .field)" = "400:hostname"
as "$BOB" POST /api/v1/devices '{"hostname":"hand-1","colour":"red"}'
check "an unknown field: 400 naming it" test "$S:$(J .field)" = "400:colour"
as "$BOB" POST /api/v1/devices '{"hostname":"hand-1","ip":"198.18.9.240","type":"printer","status":"production","custom":{"rack":"R20","weight":3}}'
check "create: 201 in the caller's org with its custom fields" \
	test "$S:$(J .org_id):$(J .custom.rack):$(J .custom.weight)" = "201:$BLUE:R20:3"
HAND=$(J .id)
as "$BOB" POST /api/v1/devices '{"hostname":"hand-1","ip":"198.18.9.240"}'
check "the same device again: 409 naming the stored one" \
	sh -c "[ '$S' = 409 ] && jq -r .error '$T/body' | grep -q 'device $HAND'"
as "$RITA" POST /api/v1/devices '{"hostname":"hand-1","ip":"198.18.9.240"}'
check "red's admin creates its own hand-1 (red never matches blue's)" test "$S:$(J .org_id)" = "201:$RED"
REDDEV=$(J .id)

# ---- device custom values ----
as "$BOB" PUT "/api/v1/devices/$HAND/custom" '{"weight":"heavy"}'
check "a number field refuses text: 400 naming weight" test "$S:$(J .field)" = "400:weight"
as "$BOB" PUT "/api/v1/devices/$HAND/custom" '{"rack":"R1","warranty":"2027-02-30"}'
check "a date that does not exist: 400 naming warranty, nothing set" \
	test "$S:$(J .field):$(db_sql "SELECT value FROM device_custom WHERE device_id = $HAND AND field_id = $RACK")" = "400:warranty:R20"
as "$BOB" PUT "/api/v1/devices/$HAND/custom" '{"rack":"R1","warranty":"2027-02-28","weight":null}'
check "set two, clear one" test "$S:$(jq -c .custom "$T/body")" = '200:{"rack":"R1","warranty":"2027-02-28"}'
check "... change-logged as section custom" \
	test "$(on_db "SELECT group_concat(action || ':' || key, ' ') FROM (SELECT * FROM change_log WHERE device_id = $HAND AND section = 'custom' ORDER BY id)" "SELECT string_agg(action || ':' || key, ' ' ORDER BY id) FROM change_log WHERE device_id = $HAND AND section = 'custom'")" = "change:rack add:warranty remove:weight"
as "$RITA" PUT "/api/v1/devices/$HAND/custom" '{"rack":"x"}'
check "red's admin cannot set a blue device's field (404)" test "$S" = 404
as "$BOB" GET "/api/v1/devices/$HAND"
check "the device shows its custom fields" test "$(J .custom.warranty)" = 2027-02-28

# ---- filters on custom fields ----
as "$UNA" GET "/api/v1/devices?custom.rack=R12&limit=100"
check "custom.rack=R12 finds the 10 devices in R12" test "$S:$(J .count)" = "200:10"
as "$UNA" GET "/api/v1/devices?custom.weight__isw=3&custom.rack__n=R12&ordering=hostname"
check "lookups work on custom fields (weight starts with 3, rack not R12)" \
	test "$(J '[.results[].hostname] | join(",")')" = "csv-03,csv-30,csv-31,csv-33,csv-34,csv-35,csv-37,csv-38,csv-39"
as "$UNA" GET "/api/v1/devices?custom.rack__empty=true&hostname__isw=csv-"
check "custom.rack__empty=true: the CSV device without a rack" test "$(J '[.results[].hostname] | join(",")')" = "csv-multi"
as "$UNA" GET "/api/v1/devices?custom.colour=red"
check "an unknown custom field: 400 naming it" test "$S:$(J .field)" = "400:custom.colour"
as "$UNA" GET "/api/v1/devices?ordering=custom.rack"
check "ordering by a custom field: 400" test "$S:$(J .field)" = "400:ordering"
as "$RITA" GET "/api/v1/devices?custom.rack=R12"
check "red's admin filters on its own rack: blue's values never show" test "$S:$(J .count)" = "200:0"
"$NETCENSUS" admin org add --db "$DB" --parent blue blue-lab >/dev/null 2>&1
LAB=$(db_sql "SELECT id FROM org WHERE name = 'blue-lab'")
as "$BOB" POST /api/v1/custom-fields "{\"name\":\"shelf\",\"type\":\"text\",\"org_id\":$LAB}"
as "$BOB" GET "/api/v1/devices?custom.shelf=3"
check "blue's admin filters on a field of its sub-org" test "$S:$(J .count)" = "200:0"
as "$UNA" GET "/api/v1/custom-fields"
check "... which blue's users see too" test "$(J '[.results[].name] | index("shelf") != null')" = true
as "$RITA" GET "/api/v1/devices?custom.shelf=3"
check "... and red's admin does not (400 unknown field)" test "$S:$(J .field)" = "400:custom.shelf"
curl -s -H "Authorization: Bearer $UNA" "$U/api/v1/devices?hostname__isw=csv-0&ordering=hostname&format=csv" >"$T/export.csv"
check "the CSV export has the custom columns and values" \
	sh -c "head -1 '$T/export.csv' | grep -q '\"custom.rack\",\"custom.shelf\",\"custom.warranty\",\"custom.weight\"' && grep '\"csv-04\"' '$T/export.csv' | grep -q '\"R12\",\"\",\"\",\"4.5\"'"
# the export imports back: a round trip updates the same devices
csv "$BOB" "?dry_run=true" "$T/export.csv"
check "the export imports back: 9 updates, no error" test "$S:$(J .updated):$(J .errors)" = "200:9:0"

# ---- bulk edit ----
IDS=$(on_db "SELECT json_group_array(id) FROM (SELECT id FROM device WHERE hostname IN ('csv-01','csv-02','csv-03'))" "SELECT json_agg(id) FROM (SELECT id FROM device WHERE hostname IN ('csv-01','csv-02','csv-03')) s")
as "$BOB" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"status\":\"retired\",\"location\":\"store room\",\"tags_add\":[\"old\",\"sale\"]}}"
check "bulk by ids: 3 matched, 3 changed" test "$S:$(J .matched):$(J .changed)" = "200:3:3"
check "... the fields set, tags merged" \
	test "$(db_sql "SELECT DISTINCT status || '|' || location || '|' || tags FROM device WHERE hostname IN ('csv-01','csv-02','csv-03')")" = "retired|store room|old,sale"
check "... one change-log row each, old and new values" \
	test "$(on_db "SELECT count(*) FROM change_log c JOIN device d ON d.id = c.device_id WHERE d.hostname IN ('csv-01','csv-02','csv-03') AND json_extract(c.detail, '\$.to.status') = 'retired' AND json_extract(c.detail, '\$.from.location') = 'dc1'" "SELECT count(*) FROM change_log c JOIN device d ON d.id = c.device_id WHERE d.hostname IN ('csv-01','csv-02','csv-03') AND c.detail->'to'->>'status' = 'retired' AND c.detail->'from'->>'location' = 'dc1'")" = 3
as "$BOB" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"tags_remove\":[\"sale\"]}}"
check "tags_remove takes one tag off" \
	test "$(db_sql "SELECT DISTINCT tags FROM device WHERE hostname IN ('csv-01','csv-02','csv-03')")" = old
BOTH=$(on_db "SELECT json_array(min(id), $REDDEV) FROM device WHERE hostname = 'csv-05'" "SELECT json_build_array(min(id), $REDDEV) FROM device WHERE hostname = 'csv-05'")
as "$BOB" POST /api/v1/devices/bulk "{\"ids\":$BOTH,\"set\":{\"status\":\"gone\"}}"
check "an id of another org: 404 'no device N', as if it did not exist" \
	test "$S:$(J .error)" = "404:no device $REDDEV"
check "... and nothing changed, not even the blue device" \
	test "$(ndev "status = 'gone'")" = 0
as "$BOB" POST /api/v1/devices/bulk '{"ids":[999999],"set":{"status":"gone"}}'
check "an id that does not exist: the same 404" test "$S:$(J .error)" = "404:no device 999999"
as "$BOB" POST /api/v1/devices/bulk '{"filter":"custom.rack=R12&status=production","set":{"location":"rack 12"}}'
check "bulk by filter (custom.rack=R12 in production): the R12 devices" \
	test "$S:$(J .matched):$(ndev "location = 'rack 12'")" = "200:10:10"
as "$RITA" POST /api/v1/devices/bulk '{"filter":"hostname__isw=csv-","set":{"status":"red-owned"}}'
check "red's admin's filter never selects blue devices" test "$S:$(J .matched):$(ndev "status = 'red-owned'")" = "200:0:0"
as "$BOB" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"org_id\":$RED}}"
check "an org admin cannot move devices to another org (400 org_id)" test "$S:$(J .field)" = "400:org_id"
as "$BOB" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"owner\":\"x\"}}"
check "a field bulk edits do not set: 400 naming it" test "$S:$(J .field)" = "400:owner"
as "$BOB" POST /api/v1/devices/bulk '{"filter":"","set":{"status":"x"}}'
check "an empty filter is refused (no accidental 'every device')" test "$S:$(J .field)" = "400:filter"
as "$UNA" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"status\":\"x\"}}"
check "a read-only user may not bulk edit (403)" test "$S" = 403
as "$ADA" POST /api/v1/devices/bulk "{\"ids\":$IDS,\"set\":{\"org_id\":$RED}}"
check "the root admin moves 3 devices to red (change-logged)" \
	test "$S:$(ndev "org_id = $RED AND hostname IN ('csv-01','csv-02','csv-03')"):$(on_db "SELECT count(*) FROM change_log WHERE json_extract(detail, '\$.to.org_id') = $RED" "SELECT count(*) FROM change_log WHERE CAST(detail->'to'->>'org_id' AS BIGINT) = $RED")" = "200:3:3"
as "$BOB" GET "/api/v1/devices?hostname=csv-01"
check "... which blue's admin no longer sees" test "$(J .count)" = 0
as "$RITA" GET "/api/v1/devices/$(db_sql "SELECT id FROM device WHERE hostname = 'csv-01'")"
check "... and whose blue custom values are gone (red sees no blue field)" \
	test "$S:$(jq -c .custom "$T/body")" = '200:{}'

as "$ADA" DELETE "/api/v1/custom-fields/$WARR"
check "root admin deletes the global field: its values go with it" \
	test "$S:$(db_sql "SELECT count(*) FROM device_custom WHERE field_id = $WARR")" = "204:0"

serve_stop
tap_finish
