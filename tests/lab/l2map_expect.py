#!/usr/bin/python3
"""Where each MAC of a recorded switch is plugged in, read straight from the
.snmprec recording (BRIDGE-MIB, Q-BRIDGE-MIB, IF-MIB, LLDP-MIB,
CISCO-CDP-MIB), independently of netcensus, with the rule of
docs/device-report.md#attachments: a MAC on a bridge port with at most
4 distinct MACs and no LLDP/CDP neighbour on that port's interface.

usage: l2map_expect.py RECORDING.snmprec[.bz2]...  > l2map-expected.json
Prints {file: {"attached": [{"mac", "port_name", "vlan"}],
"not_attached": [mac, ...]}} (MACs seen on two access ports with the
same MAC count are left out: the recording does not decide them)."""
import bz2
import collections
import json
import os
import sys

MAX_MACS = 4
BP = "1.3.6.1.2.1.17.1.4.1.2."
QVLAN = "1.3.6.1.2.1.17.7.1.4.2.1.3."
QPORT = "1.3.6.1.2.1.17.7.1.2.2.1.2."
QSTAT = "1.3.6.1.2.1.17.7.1.2.2.1.3."
DPORT = "1.3.6.1.2.1.17.4.3.1.2."
DSTAT = "1.3.6.1.2.1.17.4.3.1.3."
IFNAME = "1.3.6.1.2.1.31.1.1.1.1."
IFDESCR = "1.3.6.1.2.1.2.2.1.2."
IFALIAS = "1.3.6.1.2.1.31.1.1.1.18."
CDP = "1.3.6.1.4.1.9.9.23.1.2.1.1.6."
LLDPREM = "1.0.8802.1.1.2.1.4.1.1.5."
LOCID = "1.0.8802.1.1.2.1.3.7.1.3."
LOCDESC = "1.0.8802.1.1.2.1.3.7.1.4."


def load(path):
    opener = bz2.open if path.endswith(".bz2") else open
    d = {}
    with opener(path, "rt", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) == 3:
                d[parts[0]] = (parts[1], parts[2])
    return d


def text(v):
    t, val = v
    if t.endswith("x"):
        return bytes.fromhex(val).rstrip(b"\0").decode("utf-8", "replace")
    return val


def table(d, prefix):
    return {k[len(prefix):]: v for k, v in d.items() if k.startswith(prefix)}


def expect(path):
    d = load(path)
    bp = {int(k): int(v[1]) for k, v in table(d, BP).items()}
    names = {}
    for k, v in table(d, IFDESCR).items():
        names[int(k)] = text(v)
    for k, v in table(d, IFNAME).items():
        if text(v):
            names[int(k)] = text(v)
    labels = collections.defaultdict(set)
    for pre in (IFNAME, IFDESCR, IFALIAS):
        for k, v in table(d, pre).items():
            if text(v):
                labels[text(v)].add(int(k))
    vlan_of = {int(v[1]): int(k.split(".")[1])
               for k, v in table(d, QVLAN).items()}
    rows = []  # (mac, vlan, port)
    q = table(d, QPORT)
    qs = table(d, QSTAT)
    if q:
        for k, v in q.items():
            idx = [int(x) for x in k.split(".")]
            st = int(qs[k][1]) if k in qs else 0
            if len(idx) != 7 or int(v[1]) == 0 or st in (2, 4):
                continue
            mac = ":".join("%02x" % b for b in idx[1:])
            rows.append((mac, str(vlan_of.get(idx[0], idx[0])), int(v[1])))
    else:
        ds = table(d, DSTAT)
        for k, v in table(d, DPORT).items():
            idx = [int(x) for x in k.split(".")]
            st = int(ds[k][1]) if k in ds else 0
            if len(idx) != 6 or int(v[1]) == 0 or st in (2, 4):
                continue
            rows.append((":".join("%02x" % b for b in idx), "", int(v[1])))
    # interfaces with a neighbour
    nb = set(int(k.split(".")[0]) for k in table(d, CDP))
    loc = {}
    for pre in (LOCID, LOCDESC):
        for k, v in table(d, pre).items():
            loc.setdefault(int(k), []).append(text(v))
    for k in table(d, LLDPREM):
        num = int(k.split(".")[1])
        ifi = None
        for lab in loc.get(num, []):
            if labels.get(lab):
                ifi = min(labels[lab])
                break
        if ifi is None:
            ifi = bp.get(num) or (num if num in names else None)
        if ifi is not None:
            nb.add(ifi)
    macs_on = collections.defaultdict(set)
    for mac, vlan, port in rows:
        macs_on[port].add(mac)
    cand = collections.defaultdict(list)
    seen = set()
    for mac, vlan, port in rows:
        seen.add(mac)
        ifi = bp.get(port)
        if len(macs_on[port]) > MAX_MACS or (ifi is not None and ifi in nb):
            continue
        name = names.get(ifi, "") if ifi else ""
        cand[mac].append((len(macs_on[port]), name or "port %d" % port,
                          vlan))
    attached = []
    for mac, c in sorted(cand.items()):
        c.sort()
        if len(c) > 1 and c[0][0] == c[1][0] and c[0] != c[1]:
            continue  # two equal candidates: undecided
        attached.append({"mac": mac, "port_name": c[0][1], "vlan": c[0][2]})
    not_attached = sorted(seen - set(cand))
    return {"attached": attached, "not_attached": not_attached}


out = {}
for p in sys.argv[1:]:
    name = os.path.basename(p).split(".snmprec")[0]
    out[name] = expect(p)
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
