#!/usr/bin/python3
"""Counts read straight from .snmprec recordings (plain or .bz2), for the
expectations of tests/lab/test_snmprec.sh: the ground truth comes from the
recording, never from netcensus.

    snmprec_counts.py FILE...   one JSON object per line:
    {"file": NAME, "sysName": ..., "sysObjectID": ..., "sysDescr": ...,
     "interfaces": N, "ipv4": N}

interfaces: distinct ifIndex values of the ifTable (1.3.6.1.2.1.2.2.1.*);
ipv4: distinct IPv4 unicast addresses of the ipAddrTable (1.3.6.1.2.1.4.20)
and the ipAddressTable (1.3.6.1.2.1.4.34, type unicast(1) or absent).
"""
import bz2
import json
import os
import sys

IF_COL = "1.3.6.1.2.1.2.2.1."
IPAD = "1.3.6.1.2.1.4.20.1."
IPA = "1.3.6.1.2.1.4.34.1."


def value(tag, raw):
    if tag.endswith("x"):
        try:
            return bytes.fromhex(raw).decode("utf-8", "replace")
        except ValueError:
            return raw
    return raw


def read(path):
    opener = bz2.open if path.endswith(".bz2") else open
    rows = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) == 3:
                rows[parts[0]] = (parts[1], parts[2])
    return rows


def counts(path):
    rows = read(path)
    ifs, v4 = set(), set()
    ipa_type = {}
    for oid, (tag, raw) in rows.items():
        if oid.startswith(IF_COL):
            rest = oid[len(IF_COL):].split(".")
            if len(rest) == 2:
                ifs.add(rest[1])
        elif oid.startswith(IPAD):
            rest = oid[len(IPAD):].split(".")
            if len(rest) == 5:
                v4.add(".".join(rest[1:]))
        elif oid.startswith(IPA):
            rest = oid[len(IPA):].split(".")
            # column . addrtype(1) . len(4) . a.b.c.d
            if len(rest) == 7 and rest[1] == "1" and rest[2] == "4":
                addr = ".".join(rest[3:])
                ipa_type.setdefault(addr, None)
                if rest[0] == "4":
                    ipa_type[addr] = raw
    for addr, t in ipa_type.items():
        if t in (None, "1"):
            v4.add(addr)

    def sysval(n):
        t = rows.get("1.3.6.1.2.1.1.%d.0" % n)
        return value(*t) if t else None

    name = os.path.basename(path)
    for ext in (".bz2", ".snmprec"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return {"file": name, "sysName": sysval(5), "sysObjectID": sysval(2),
            "sysDescr": sysval(1), "interfaces": len(ifs), "ipv4": len(v4)}


for p in sys.argv[1:]:
    print(json.dumps(counts(p)))
