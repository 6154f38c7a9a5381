#!/bin/sh
# Matching that cannot merge two machines, as `netcensus import` shows it:
# 300 audits of different machines (hostname, serial, uuid, machine-id)
# sharing one locally administered MAC are 300 devices; 20 sharing an
# ordinary vendor MAC too (the serial vetoes the MAC, then the MAC is on
# two devices); each refusal is printed and logged; a re-imaged machine
# (same serial, new hostname and machine-id) stays one device. Audits are
# made from tests/fixtures/audit-linux-min.xml. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools python3 sqlite3
need_netcensus
tmp_init importmatch
N=$NETCENSUS
FIXTURE=$(dirname "$0")/../fixtures/audit-linux-min.xml
unset NETCENSUS_DB

# clones DIR COUNT MAC FIRST: COUNT audits of distinct machines, one MAC
clones() {
	python3 - "$FIXTURE" "$@" <<'EOF'
import os, re, sys
src, out, count, mac, first = sys.argv[1:6]
text = open(src, encoding="utf-8").read()
os.makedirs(out, exist_ok=True)
for i in range(int(first), int(first) + int(count)):
    t = text
    for tag, val in (("hostname", "clone-%04d" % i),
                     ("fqdn", "clone-%04d.lab.example" % i),
                     ("serial", "CZ%08d" % i),
                     ("uuid", "4C4C4544-0000-4000-8000-%012d" % i),
                     ("ip", "198.18.%d.%d" % (20 + i // 250, i % 250 + 1))):
        t = re.sub(r"<%s>[^<]*</%s>" % (tag, tag),
                   "<%s>%s</%s>" % (tag, val, tag), t, count=1)
    t = t.replace("</os_version>", "</os_version><dbus_identifier>"
                  "%032x</dbus_identifier>" % (i + 1), 1)
    t = re.sub(r"<mac>[^<]*</mac>", "<mac>%s</mac>" % mac, t)
    t = re.sub(r"<ip>198\.18\.10\.7</ip>", "<ip>198.18.%d.%d</ip>" %
               (20 + i // 250, i % 250 + 1), t)
    open(os.path.join(out, "clone-%04d.xml" % i), "w").write(t)
EOF
}

clones "$T/laa" 300 02:fc:00:00:00:01 0 || { nok "generate"; tap_finish; }
"$N" import --db "$DB" "$T/laa"/*.xml >"$T/laa.out" 2>&1
rc=$?
created=$(grep -c ': created device ' "$T/laa.out")
check "300 clones sharing 02:fc:00:00:00:01: 300 devices (rc $rc, $created created)" \
	test "$rc" = 0 -a "$created" = 300
ndev=$(sqlite3 "$DB" 'SELECT count(*) FROM device')
check "the store holds 300 devices ($ndev)" test "$ndev" = 300
check "import names the refusal: mac 02:fc:00:00:00:01 matched device 1, refused: locally administered MAC" \
	grep -q 'clone-0001.xml: mac 02:fc:00:00:00:01 matched device 1, refused: locally administered MAC' "$T/laa.out"
nlog=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE result = 'created' AND message LIKE '%mac 02:fc:00:00:00:01 matched device %, refused: locally administered MAC%'")
check "the audit log explains each of the 299 refusals ($nlog)" test "$nlog" = 299

clones "$T/oui" 20 00:1b:21:aa:bb:cc 1000 || { nok "generate"; tap_finish; }
"$N" import --db "$DB" "$T/oui"/*.xml >"$T/oui.out" 2>&1
created=$(grep -c ': created device ' "$T/oui.out")
check "20 clones sharing a vendor MAC: 20 devices ($created)" test "$created" = 20
check "the second is refused by its serial: serial CZ00001000 ≠ CZ00001001" \
	grep -q 'clone-1001.xml: mac 00:1b:21:aa:bb:cc matched device 301, refused: serial CZ00001000 ≠ CZ00001001' "$T/oui.out"
check "later ones: the MAC is on two devices" \
	grep -q 'clone-1002.xml: mac 00:1b:21:aa:bb:cc matched device 301, refused: also on device 302, a MAC of two devices' "$T/oui.out"

# a re-imaged machine: same serial (and MAC), new hostname and machine-id
sed -e 's|<hostname>clone-0005</hostname>|<hostname>reimaged-5</hostname>|' \
	-e 's|<fqdn>clone-0005.lab.example</fqdn>|<fqdn>reimaged-5.lab.example</fqdn>|' \
	-e 's|<dbus_identifier>[0-9a-f]*</dbus_identifier>|<dbus_identifier>feedfacefeedfacefeedfacefeedface</dbus_identifier>|' \
	-e 's|<uuid>[^<]*</uuid>||' \
	"$T/laa/clone-0005.xml" >"$T/reimaged.xml"
"$N" import --db "$DB" "$T/reimaged.xml" >"$T/re.out" 2>&1
check "a re-imaged machine is the same device (by serial+type)" \
	grep -q 'reimaged.xml: updated device 6, matched by serial+type' "$T/re.out"
check "its new hostname is a change, not a new device" \
	test "$(sqlite3 "$DB" "SELECT hostname FROM device WHERE id = 6"),$(sqlite3 "$DB" 'SELECT count(*) FROM device')" = "reimaged-5,320"
tap_finish
