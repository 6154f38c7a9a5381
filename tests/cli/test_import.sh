#!/bin/sh
# netcensus import / devices / device / changes / status, run as a user
# would: every Open-AudIT sample imports into its own device, a second
# import changes nothing, a modified audit gives exactly its changes, bad
# input leaves the database as it was, a newer database is refused.
# Prints TAP lines; needs $NETCENSUS (set by tests/run) and the samples.
set -u
N=${NETCENSUS:?set NETCENSUS to the netcensus binary}
S=${NETCENSUS_SAMPLES:-}
if [ -z "$S" ] || [ ! -d "$S" ]; then
	echo "ok 1 # skip Open-AudIT samples not found (NETCENSUS_SAMPLES)"
	exit 0
fi
W=$(mktemp -d /tmp/nctest-import.XXXXXX)
trap 'rm -rf "$W"' EXIT
DB=$W/nc.db
unset NETCENSUS_DB NETCENSUS_NOW
t=0
failed=0

ok() { t=$((t + 1)); echo "ok $t - $1"; }
not_ok() {
	t=$((t + 1))
	failed=$((failed + 1))
	echo "not ok $t - $1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | head -20; done
}
# json EXPR FILE: evaluates a Python expression over the JSON in FILE (d)
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[2])); print($1)" "$1" "$2"; }
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO audit_log'; }

nfiles=$(ls "$S" | wc -l)

# --- status creates the database and key ---
"$N" status --db "$DB" >"$W/status.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "schema version: [0-9]" "$W/status.out" &&
	[ -f "$DB.key" ] && [ "$(stat -c %a "$DB.key")" = 600 ]; then
	ok "status creates the database and a 0600 key file"
else not_ok "status creates the database (rc $rc)" "$W/status.out"; fi

# --- every sample imports into its own device ---
"$N" import --db "$DB" "$S"/* >"$W/imp1.out" 2>"$W/imp1.err"
rc=$?
created=$(grep -c ': created device ' "$W/imp1.out")
if [ $rc -eq 0 ] && [ "$created" -eq "$nfiles" ]; then
	ok "import of $nfiles samples: $created devices created"
else not_ok "import of samples (rc $rc, $created created)" "$W/imp1.out" \
	"$W/imp1.err"; fi
grep -q '/debian.xml: created device [0-9]* (openaudit-xml: [0-9]* software' "$W/imp1.out" &&
	ok "import says what it created (format, software count)" ||
	not_ok "import output names format and software count" "$W/imp1.out"

"$N" devices --db "$DB" --json >"$W/devs.json" 2>&1
n=$(json "len(d)" "$W/devs.json" 2>/dev/null)
keys=$(json "all(all(k in x for k in ('id','hostname','ip','mac','type','manufacturer','os_name','first_seen','last_seen')) for x in d)" "$W/devs.json" 2>/dev/null)
if [ "$n" = "$nfiles" ] && [ "$keys" = True ]; then
	ok "devices --json: $n devices with the documented fields"
else not_ok "devices --json ($n devices, fields: $keys)" "$W/devs.json"; fi

# Linux and Windows audits of different machines never merge
lin=$(json "[x['id'] for x in d if x['hostname']=='debian'][0]" "$W/devs.json")
win=$(json "[x['id'] for x in d if x['hostname']=='win2012-db01'][0]" "$W/devs.json")
if [ -n "$lin" ] && [ -n "$win" ] && [ "$lin" != "$win" ]; then
	ok "a Linux and a Windows audit are two devices ($lin, $win)"
else not_ok "Linux ($lin) and Windows ($win) devices distinct"; fi

"$N" devices --db "$DB" >"$W/devs.txt" 2>&1
if head -1 "$W/devs.txt" | grep -q '^ID *HOSTNAME *IP' &&
	[ "$(($(wc -l <"$W/devs.txt") - 1))" -eq "$nfiles" ]; then
	ok "devices prints an aligned table, one line per device"
else not_ok "devices table" "$W/devs.txt"; fi

# --- the same audits again: one device each, no change rows ---
"$N" import --db "$DB" "$S"/* >"$W/imp2.out" 2>&1
rc=$?
updated=$(grep -c ': updated device [0-9]*, matched by .*, 0 changes' "$W/imp2.out")
"$N" changes --db "$DB" --json >"$W/ch0.json" 2>&1
nch=$(json "len(d)" "$W/ch0.json" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$updated" -eq "$nfiles" ] && [ "$nch" = 0 ]; then
	ok "re-import: $updated devices updated, 0 change rows"
else not_ok "re-import (rc $rc, $updated updated, $nch changes)" \
	"$W/imp2.out" "$W/ch0.json"; fi
"$N" devices --db "$DB" --json >"$W/devs2.json" 2>&1
[ "$(json "len(d)" "$W/devs2.json")" = "$nfiles" ] &&
	ok "re-import created no device" || not_ok "re-import device count"

# --- one package removed, one upgraded, one added ---
python3 - "$S/debian.xml" "$W/debian.xml" >"$W/mod.txt" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
i, j = s.index('<software>'), s.index('</software>')
items = re.findall(r'<item>.*?</item>', s[i:j], re.S)
name = lambda it: re.search(r'<name>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</name>', it, re.S).group(1)
ver = lambda it: re.search(r'<version>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</version>', it, re.S).group(1)
gone, up = items[3], items[7]
body = s[i:j].replace(gone, '', 1)
body = body.replace(up, up.replace(ver(up), ver(up) + '.nc1'), 1)
body = body.replace('<software>', '<software><item><name>netcensus-test-pkg</name>'
                    '<version>1.0</version></item>', 1)
open(sys.argv[2], 'w').write(s[:i] + body + s[j:])
print(name(gone), ver(gone))
print(name(up), ver(up), ver(up) + '.nc1')
EOF
read -r gone_name gone_ver <"$W/mod.txt"
up_name=$(sed -n 2p "$W/mod.txt" | cut -d' ' -f1)
up_old=$(sed -n 2p "$W/mod.txt" | cut -d' ' -f2)
"$N" import --db "$DB" "$W/debian.xml" >"$W/imp3.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "updated device $lin, matched by hostname+uuid, 3 changes" "$W/imp3.out"; then
	ok "modified debian.xml: updated device $lin, 3 changes"
else not_ok "modified debian.xml (rc $rc)" "$W/imp3.out"; fi
"$N" changes --db "$DB" --json >"$W/ch3.json" 2>&1
got=$(python3 - "$W/ch3.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d))
for c in sorted(d, key=lambda c: c['action']):
    print(c['device_id'], c['section'], c['action'], c['key'].get('name'),
          c['key'].get('version'), json.dumps(c['detail'], sort_keys=True),
          bool(c['time']))
EOF
)
want=$(printf '%s\n' 3 \
	"$lin software add netcensus-test-pkg 1.0 {} True" \
	"$lin software change $up_name $up_old.nc1 {\"from\": {\"version\": \"$up_old\"}, \"to\": {\"version\": \"$up_old.nc1\"}} True" \
	"$lin software remove $gone_name $gone_ver {} True")
if [ "$got" = "$want" ]; then
	ok "changes --json: exactly the add, the upgrade and the removal"
else
	echo "$got" >"$W/got"
	echo "$want" >"$W/want"
	not_ok "changes --json rows" "$W/got" "$W/want"
fi
"$N" changes --db "$DB" --device debian >"$W/ch3.txt" 2>&1
"$N" changes --db "$DB" --device laptop --json >"$W/ch3l.json" 2>&1
if [ "$(grep -c ' software ' "$W/ch3.txt")" = 3 ] &&
	grep -q "$up_old -> $up_old.nc1" "$W/ch3.txt" &&
	[ "$(json "len(d)" "$W/ch3l.json")" = 0 ]; then
	ok "changes --device filters by device and shows the upgrade"
else not_ok "changes --device" "$W/ch3.txt" "$W/ch3l.json"; fi

# device --json: the device-report shape with current components
"$N" device --db "$DB" --json debian >"$W/dev.json" 2>&1
r=$(json "(d['sys']['id'], d['sys']['hostname'], any(x['name']=='netcensus-test-pkg' for x in d['software']), any(x['name']=='$gone_name' and x.get('version')=='$gone_ver' for x in d['software']))" "$W/dev.json" 2>&1)
[ "$r" = "($lin, 'debian', True, False)" ] &&
	ok "device --json: sys.id and only current components" ||
	not_ok "device --json ($r)" "$W/dev.json"

# the same machine from another address (same uuid and hostname) merges
sed '0,/<ip>[^<]*<\/ip>/s||<ip>198.18.30.40</ip>|' "$W/debian.xml" >"$W/debian-ip.xml"
"$N" import --db "$DB" "$W/debian-ip.xml" >"$W/imp4.out" 2>&1 &&
	grep -q "updated device $lin, matched by hostname+uuid" "$W/imp4.out" &&
	ok "same uuid+hostname from another IP: same device" ||
	not_ok "merge by uuid+hostname" "$W/imp4.out"
# the device is now found by its new address
"$N" device --db "$DB" 198.18.30.40 >"$W/dev.txt" 2>&1 &&
	grep -q "^device $lin: debian" "$W/dev.txt" && grep -q ' software ' "$W/dev.txt" &&
	ok "device by IP shows fields and component counts" ||
	not_ok "device by IP" "$W/dev.txt"

# --- bad input leaves the database unchanged, and is in the audit log ---
head -c 20000 "$S/debian.xml" >"$W/truncated.xml"
printf '{"sys": {"hostname": ["not", "a", "string"]}}' >"$W/wrongtype.json"
dump "$DB" >"$W/before.sql"
"$N" import --db "$DB" "$W/truncated.xml" >"$W/bad.out" 2>"$W/bad.err"
rc1=$?
"$N" import --db "$DB" "$W/wrongtype.json" >>"$W/bad.out" 2>>"$W/bad.err"
rc2=$?
dump "$DB" >"$W/after.sql"
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && cmp -s "$W/before.sql" "$W/after.sql"; then
	ok "truncated XML and wrong types: exit 1, database dump unchanged"
else not_ok "bad input (rc $rc1 $rc2)" "$W/bad.err"; diff "$W/before.sql" "$W/after.sql" | head -5 | sed 's/^/# /'; fi
grep -q 'truncated.xml: rejected: .*line [0-9]' "$W/bad.err" &&
	ok "the rejection names the line" || not_ok "rejection message" "$W/bad.err"
rej=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE result = 'rejected' AND source LIKE '%truncated.xml' AND message <> ''")
[ "$rej" = 1 ] && ok "the rejection is in the audit log" ||
	not_ok "audit log rejected row ($rej)"
"$N" import --db "$DB" "$W/truncated.xml" "$S/laptop.xml" >"$W/mix.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'laptop.xml: updated device' "$W/mix.out" &&
	ok "a rejected file does not stop the others (exit 1)" ||
	not_ok "mixed import (rc $rc)" "$W/mix.out"

# --- stdin and $NETCENSUS_DB ---
NETCENSUS_DB=$DB "$N" import - <"$S/switch.json" >"$W/stdin.out" 2>&1 &&
	grep -q '^stdin: updated device' "$W/stdin.out" &&
	ok "import - reads stdin; NETCENSUS_DB names the database" ||
	not_ok "stdin import" "$W/stdin.out"

# --- errors name what to fix; exit codes ---
"$N" import --db "$DB" --org Nowhere "$S/switch.json" >"$W/org.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'netcensus admin org add Nowhere' "$W/org.out" &&
	ok "--org with an unknown org says how to create it" ||
	not_ok "--org unknown (rc $rc)" "$W/org.out"
"$N" import --db "$DB" >"$W/u1" 2>&1
rc1=$?
"$N" devices --db "$DB" --bogus >"$W/u2" 2>&1
rc2=$?
"$N" device --db "$DB" >"$W/u3" 2>&1
rc3=$?
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && grep -q -- '--help' "$W/u2" &&
	ok "usage errors exit 2 and point at --help" ||
	not_ok "usage errors ($rc1 $rc2 $rc3)" "$W/u1" "$W/u2" "$W/u3"
"$N" device --db "$DB" no-such-host >"$W/nf" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "netcensus devices" "$W/nf" &&
	ok "an unknown device exits 1 and says how to list them" ||
	not_ok "unknown device (rc $rc)" "$W/nf"
allhelp=0
for c in import devices device changes status; do
	"$N" $c --help >"$W/h" 2>&1 && grep -qi 'example' "$W/h" || allhelp=1
done
[ $allhelp -eq 0 ] && ok "every data command has --help with an example" ||
	not_ok "--help" "$W/h"

# --- a database from a newer netcensus is refused, untouched ---
cp "$DB" "$W/newer.db"
sqlite3 "$W/newer.db" "PRAGMA user_version = 999"
cp "$DB.key" "$W/newer.db.key"
sum1=$(md5sum <"$W/newer.db")
"$N" devices --db "$W/newer.db" >"$W/newer.out" 2>&1
rc=$?
sum2=$(md5sum <"$W/newer.db")
[ $rc -eq 1 ] && grep -q 'version 999.*upgrade netcensus' "$W/newer.out" &&
	[ "$sum1" = "$sum2" ] &&
	ok "a newer database is refused with 'upgrade netcensus', unchanged" ||
	not_ok "newer database (rc $rc)" "$W/newer.out"

"$N" status --db "$DB" >"$W/status2.out" 2>&1 &&
	grep -q "devices: *$nfiles" "$W/status2.out" &&
	grep -q 'changes: *[1-9]' "$W/status2.out" &&
	ok "status counts devices and changes" ||
	not_ok "status counts" "$W/status2.out"

echo "1..$t"
[ $failed -eq 0 ]
