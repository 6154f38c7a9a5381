#!/bin/sh
# netcensus import / devices / device / changes / status, run as a user
# would: every Open-AudIT sample imports into its own device, a second
# import changes nothing, a modified audit gives exactly its changes, bad
# input leaves the database as it was, a newer database is refused.
# Prints TAP lines; needs $NETCENSUS (set by tests/run) and the samples.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
[ -d "$SAMPLES" ] ||
	skip_all "Open-AudIT samples not found (NETCENSUS_SAMPLES)"
N=$NETCENSUS
S=$SAMPLES
tmp_init import
unset NETCENSUS_DB NETCENSUS_NOW

# not_ok WHAT [FILE...]: nok, showing the first lines of each FILE
not_ok() {
	nok "$1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | head -20; done
}
# json EXPR FILE: evaluates a Python expression over the JSON in FILE (d)
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[2])); print($1)" "$1" "$2"; }
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO audit_log'; }

nfiles=$(ls "$S" | wc -l)

# --- status creates the database and key ---
"$N" status --db "$DB" >"$T/status.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "schema version: [0-9]" "$T/status.out" &&
	[ -f "$DB.key" ] && [ "$(stat -c %a "$DB.key")" = 600 ]; then
	ok "status creates the database and a 0600 key file"
else not_ok "status creates the database (rc $rc)" "$T/status.out"; fi

# --- every sample imports into its own device ---
"$N" import --db "$DB" "$S"/* >"$T/imp1.out" 2>"$T/imp1.err"
rc=$?
created=$(grep -c ': created device ' "$T/imp1.out")
if [ $rc -eq 0 ] && [ "$created" -eq "$nfiles" ]; then
	ok "import of $nfiles samples: $created devices created"
else not_ok "import of samples (rc $rc, $created created)" "$T/imp1.out" \
	"$T/imp1.err"; fi
grep -q '/debian.xml: created device [0-9]* (openaudit-xml: [0-9]* software' "$T/imp1.out" &&
	ok "import says what it created (format, software count)" ||
	not_ok "import output names format and software count" "$T/imp1.out"

"$N" devices --db "$DB" --json >"$T/devs.json" 2>&1
ndev=$(json "len(d)" "$T/devs.json" 2>/dev/null)
keys=$(json "all(all(k in x for k in ('id','hostname','ip','mac','type','manufacturer','os_name','first_seen','last_seen')) for x in d)" "$T/devs.json" 2>/dev/null)
if [ "$ndev" = "$nfiles" ] && [ "$keys" = True ]; then
	ok "devices --json: $ndev devices with the documented fields"
else not_ok "devices --json ($ndev devices, fields: $keys)" "$T/devs.json"; fi

# Linux and Windows audits of different machines never merge
lin=$(json "[x['id'] for x in d if x['hostname']=='debian'][0]" "$T/devs.json")
win=$(json "[x['id'] for x in d if x['hostname']=='win2012-db01'][0]" "$T/devs.json")
if [ -n "$lin" ] && [ -n "$win" ] && [ "$lin" != "$win" ]; then
	ok "a Linux and a Windows audit are two devices ($lin, $win)"
else not_ok "Linux ($lin) and Windows ($win) devices distinct"; fi

"$N" devices --db "$DB" >"$T/devs.txt" 2>&1
if head -1 "$T/devs.txt" | grep -q '^ID *HOSTNAME *IP' &&
	[ "$(($(wc -l <"$T/devs.txt") - 1))" -eq "$nfiles" ]; then
	ok "devices prints an aligned table, one line per device"
else not_ok "devices table" "$T/devs.txt"; fi

# --- the same audits again: one device each, no change rows ---
"$N" import --db "$DB" "$S"/* >"$T/imp2.out" 2>&1
rc=$?
updated=$(grep -c ': updated device [0-9]*, matched by .*, 0 changes' "$T/imp2.out")
"$N" changes --db "$DB" --json >"$T/ch0.json" 2>&1
nch=$(json "len(d)" "$T/ch0.json" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$updated" -eq "$nfiles" ] && [ "$nch" = 0 ]; then
	ok "re-import: $updated devices updated, 0 change rows"
else not_ok "re-import (rc $rc, $updated updated, $nch changes)" \
	"$T/imp2.out" "$T/ch0.json"; fi
"$N" devices --db "$DB" --json >"$T/devs2.json" 2>&1
[ "$(json "len(d)" "$T/devs2.json")" = "$nfiles" ] &&
	ok "re-import created no device" || not_ok "re-import device count"

# --- one package removed, one upgraded, one added ---
python3 - "$S/debian.xml" "$T/debian.xml" >"$T/mod.txt" <<'EOF'
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
read -r gone_name gone_ver <"$T/mod.txt"
up_name=$(sed -n 2p "$T/mod.txt" | cut -d' ' -f1)
up_old=$(sed -n 2p "$T/mod.txt" | cut -d' ' -f2)
"$N" import --db "$DB" "$T/debian.xml" >"$T/imp3.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "updated device $lin, matched by hostname+uuid, 3 changes" "$T/imp3.out"; then
	ok "modified debian.xml: updated device $lin, 3 changes"
else not_ok "modified debian.xml (rc $rc)" "$T/imp3.out"; fi
"$N" changes --db "$DB" --json >"$T/ch3.json" 2>&1
got=$(python3 - "$T/ch3.json" <<'EOF'
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
	echo "$got" >"$T/got"
	echo "$want" >"$T/want"
	not_ok "changes --json rows" "$T/got" "$T/want"
fi
"$N" changes --db "$DB" --device debian >"$T/ch3.txt" 2>&1
"$N" changes --db "$DB" --device laptop --json >"$T/ch3l.json" 2>&1
if [ "$(grep -c ' software ' "$T/ch3.txt")" = 3 ] &&
	grep -q "$up_old -> $up_old.nc1" "$T/ch3.txt" &&
	[ "$(json "len(d)" "$T/ch3l.json")" = 0 ]; then
	ok "changes --device filters by device and shows the upgrade"
else not_ok "changes --device" "$T/ch3.txt" "$T/ch3l.json"; fi

# device --json: the device-report shape with current components
"$N" device --db "$DB" --json debian >"$T/dev.json" 2>&1
r=$(json "(d['sys']['id'], d['sys']['hostname'], any(x['name']=='netcensus-test-pkg' for x in d['software']), any(x['name']=='$gone_name' and x.get('version')=='$gone_ver' for x in d['software']))" "$T/dev.json" 2>&1)
[ "$r" = "($lin, 'debian', True, False)" ] &&
	ok "device --json: sys.id and only current components" ||
	not_ok "device --json ($r)" "$T/dev.json"

# the same machine from another address (same uuid and hostname) merges
sed '0,/<ip>[^<]*<\/ip>/s||<ip>198.18.30.40</ip>|' "$T/debian.xml" >"$T/debian-ip.xml"
"$N" import --db "$DB" "$T/debian-ip.xml" >"$T/imp4.out" 2>&1 &&
	grep -q "updated device $lin, matched by hostname+uuid" "$T/imp4.out" &&
	ok "same uuid+hostname from another IP: same device" ||
	not_ok "merge by uuid+hostname" "$T/imp4.out"
# the device is now found by its new address
"$N" device --db "$DB" 198.18.30.40 >"$T/dev.txt" 2>&1 &&
	grep -q "^device $lin: debian" "$T/dev.txt" && grep -q ' software ' "$T/dev.txt" &&
	ok "device by IP shows fields and component counts" ||
	not_ok "device by IP" "$T/dev.txt"

# --- bad input leaves the database unchanged, and is in the audit log ---
head -c 20000 "$S/debian.xml" >"$T/truncated.xml"
printf '{"sys": {"hostname": ["not", "a", "string"]}}' >"$T/wrongtype.json"
dump "$DB" >"$T/before.sql"
"$N" import --db "$DB" "$T/truncated.xml" >"$T/bad.out" 2>"$T/bad.err"
rc1=$?
"$N" import --db "$DB" "$T/wrongtype.json" >>"$T/bad.out" 2>>"$T/bad.err"
rc2=$?
dump "$DB" >"$T/after.sql"
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && cmp -s "$T/before.sql" "$T/after.sql"; then
	ok "truncated XML and wrong types: exit 1, database dump unchanged"
else not_ok "bad input (rc $rc1 $rc2)" "$T/bad.err"; diff "$T/before.sql" "$T/after.sql" | head -5 | sed 's/^/# /'; fi
grep -q 'truncated.xml: rejected: .*line [0-9]' "$T/bad.err" &&
	ok "the rejection names the line" || not_ok "rejection message" "$T/bad.err"
rej=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE result = 'rejected' AND source LIKE '%truncated.xml' AND message <> ''")
[ "$rej" = 1 ] && ok "the rejection is in the audit log" ||
	not_ok "audit log rejected row ($rej)"
"$N" import --db "$DB" "$T/truncated.xml" "$S/laptop.xml" >"$T/mix.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'laptop.xml: updated device' "$T/mix.out" &&
	ok "a rejected file does not stop the others (exit 1)" ||
	not_ok "mixed import (rc $rc)" "$T/mix.out"

# --- stdin and $NETCENSUS_DB ---
NETCENSUS_DB=$DB "$N" import - <"$S/switch.json" >"$T/stdin.out" 2>&1 &&
	grep -q '^stdin: updated device' "$T/stdin.out" &&
	ok "import - reads stdin; NETCENSUS_DB names the database" ||
	not_ok "stdin import" "$T/stdin.out"

# --- errors name what to fix; exit codes ---
"$N" import --db "$DB" --org Nowhere "$S/switch.json" >"$T/org.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'netcensus admin org add Nowhere' "$T/org.out" &&
	ok "--org with an unknown org says how to create it" ||
	not_ok "--org unknown (rc $rc)" "$T/org.out"
"$N" import --db "$DB" >"$T/u1" 2>&1
rc1=$?
"$N" devices --db "$DB" --bogus >"$T/u2" 2>&1
rc2=$?
"$N" device --db "$DB" >"$T/u3" 2>&1
rc3=$?
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && grep -q -- '--help' "$T/u2" &&
	ok "usage errors exit 2 and point at --help" ||
	not_ok "usage errors ($rc1 $rc2 $rc3)" "$T/u1" "$T/u2" "$T/u3"
"$N" device --db "$DB" no-such-host >"$T/nf" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "netcensus devices" "$T/nf" &&
	ok "an unknown device exits 1 and says how to list them" ||
	not_ok "unknown device (rc $rc)" "$T/nf"
allhelp=0
for c in import devices device changes status; do
	"$N" $c --help >"$T/h" 2>&1 && grep -qi 'example' "$T/h" || allhelp=1
done
[ $allhelp -eq 0 ] && ok "every data command has --help with an example" ||
	not_ok "--help" "$T/h"

# --- a database from a newer netcensus is refused, untouched ---
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 999"
cp "$DB.key" "$T/newer.db.key"
sum1=$(md5sum <"$T/newer.db")
"$N" devices --db "$T/newer.db" >"$T/newer.out" 2>&1
rc=$?
sum2=$(md5sum <"$T/newer.db")
[ $rc -eq 1 ] && grep -q 'version 999.*upgrade netcensus' "$T/newer.out" &&
	[ "$sum1" = "$sum2" ] &&
	ok "a newer database is refused with 'upgrade netcensus', unchanged" ||
	not_ok "newer database (rc $rc)" "$T/newer.out"

"$N" status --db "$DB" >"$T/status2.out" 2>&1 &&
	grep -q "devices: *$nfiles" "$T/status2.out" &&
	grep -q 'changes: *[1-9]' "$T/status2.out" &&
	ok "status counts devices and changes" ||
	not_ok "status counts" "$T/status2.out"

tap_finish
