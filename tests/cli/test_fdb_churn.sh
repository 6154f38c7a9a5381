#!/bin/sh
# A switch's forwarding table churning between runs (issue 13): what the
# change log shows a user. A switch report with 2,000 fdb rows is imported,
# then the same rows in another order (a walk that came back shuffled, as
# an agent's table is rehashed): no change row at all. Then a run where
# one MAC moved to another port, one aged out and one was learned: exactly
# three rows - a "change" of that MAC's port (from/to), a "remove" and an
# "add" - not thousands of removes and adds (a row's identity is its MAC
# and VLAN; the port is what changes). TAP output; needs $NETCENSUS.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
need_tools /usr/bin/python3
N=$NETCENSUS
tmp_init fdb-churn
unset NETCENSUS_DB NETCENSUS_NOW

# gen OUT SEED [EDIT]: the switch's report, its 2,000 rows shuffled by
# SEED; EDIT "churn" moves 02:00:00:00:00:05 (vlan 10) from port 6 to 7,
# drops 02:00:00:00:00:06 and adds 02:00:00:00:99:99
gen() {
	/usr/bin/python3 - "$@" <<'PY'
import json, random, sys
out, seed = sys.argv[1], int(sys.argv[2])
edit = sys.argv[3] if len(sys.argv) > 3 else ""
rows = []
for i in range(2000):
    mac = "02:00:00:00:%02x:%02x" % (i >> 8, i & 255)
    port = 1 + i % 47
    rows.append({"mac": mac, "vlan": "10" if i % 2 else "20",
                 "port": str(port), "net_index": str(port),
                 "interface": "ge-0/0/%d" % port, "status": "learned"})
if edit == "churn":
    for r in rows:
        if r["mac"] == "02:00:00:00:00:05":
            r["port"] = r["net_index"] = "7"
            r["interface"] = "ge-0/0/7"
    rows = [r for r in rows if r["mac"] != "02:00:00:00:00:06"]
    rows.append({"mac": "02:00:00:00:99:99", "vlan": "10", "port": "3",
                 "net_index": "3", "interface": "ge-0/0/3",
                 "status": "learned"})
random.Random(seed).shuffle(rows)
rep = {"sys": {"hostname": "sw-churn", "sysName": "sw-churn",
               "serial": "NC-CHURN-1", "ip": "198.18.44.5",
               "type": "switch"},
       "fdb": rows}
json.dump(rep, open(out, "w"))
PY
}
nchanges() { # nchanges: change rows of section fdb in the database
	"$N" changes --db "$DB" --json 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print(len([c for c in json.load(sys.stdin) if c["section"] == "fdb"]))'
}

gen "$T/r1.json" 1
gen "$T/r2.json" 2
gen "$T/r3.json" 3 churn
if "$N" import --db "$DB" "$T/r1.json" >"$T/i1" 2>&1 &&
	grep -q "created device" "$T/i1"; then
	ok "a switch with 2,000 forwarding rows imported ($(nchanges) fdb rows in the change log)"
else
	nok "first import"
	sed 's/^/# /' "$T/i1" | head
fi
base=$(nchanges)
"$N" import --db "$DB" "$T/r2.json" >"$T/i2" 2>&1
after=$(nchanges)
if grep -q "updated device [0-9]*, matched by .*, 0 changes" "$T/i2" &&
	[ "$after" = "$base" ]; then
	ok "the same rows in another order: 0 changes ($(sed 's/.*: //' "$T/i2"))"
else
	nok "reordered rows: $((after - base)) fdb change rows"
	sed 's/^/# /' "$T/i2" | head
fi
"$N" import --db "$DB" "$T/r3.json" >"$T/i3" 2>&1
"$N" changes --db "$DB" --json >"$T/ch.json" 2>/dev/null
got=$(/usr/bin/python3 - "$T/ch.json" "$base" <<'PY'
import json, sys
d = [c for c in json.load(open(sys.argv[1])) if c["section"] == "fdb"]
d = d[int(sys.argv[2]):] if len(d) > int(sys.argv[2]) else []
print(len(d))
for c in sorted(d, key=lambda c: c["action"]):
    print(c["action"], c["key"].get("mac"), c["key"].get("vlan"),
          c["key"].get("port"), json.dumps(c["detail"], sort_keys=True))
PY
)
want=$(printf '%s\n' 3 \
	'add 02:00:00:00:99:99 10 3 {}' \
	'change 02:00:00:00:00:05 10 7 {"from": {"interface": "ge-0/0/6", "net_index": "6", "port": "6"}, "to": {"interface": "ge-0/0/7", "net_index": "7", "port": "7"}}' \
	'remove 02:00:00:00:00:06 20 7 {}')
if grep -q "updated device [0-9]*, matched by .*, 3 changes" "$T/i3" &&
	[ "$got" = "$want" ]; then
	ok "one MAC moved, one aged out, one learned: exactly 3 change rows (change, remove, add)"
else
	nok "churn: change rows"
	echo "$got" | sed 's/^/# got:  /'
	echo "$want" | sed 's/^/# want: /'
	sed 's/^/# /' "$T/i3" | head -3
fi
tap_finish
