#!/usr/bin/python3
"""Reads the routing table of an SNMP recording (.snmprec, plain text) by
hand and prints, as JSON, the route rows netcensus must report for it:
inetCidrRouteTable (RFC 4292), else ipCidrRouteTable (RFC 2096), else
ipRouteTable (RFC 1213) - the first that yields a row - as a sorted list
of [destination, cidr, next_hop], next_hop "" for a connected route (a
next hop of 0.0.0.0 or ::, or type local);
reject (2), blackhole (5) and invalid rows dropped, masks with holes
dropped. Written from the MIBs, not from netcensus's code.

usage: routes_expect.py FILE.snmprec"""
import json
import socket
import sys

INET = "1.3.6.1.2.1.4.24.7.1."
CIDR = "1.3.6.1.2.1.4.24.4.1."
OLD = "1.3.6.1.2.1.4.21.1."

cols = {}  # (table prefix, column) -> {index tuple: (type, value)}
for line in open(sys.argv[1], errors="replace"):
    parts = line.rstrip("\n").split("|", 2)
    if len(parts) != 3:
        continue
    oid, typ, val = parts
    if typ.endswith("x"):  # a hex-encoded value
        typ = typ[:-1]
        try:
            raw = bytes.fromhex(val)
        except ValueError:
            continue
        val = ".".join(map(str, raw)) if typ == "64" else raw.decode("latin-1")
    for pre in (INET, CIDR, OLD):
        if oid.startswith(pre):
            rest = oid[len(pre):].split(".")
            try:
                col, idx = int(rest[0]), tuple(int(x) for x in rest[1:])
            except ValueError:
                continue
            cols.setdefault((pre, col), {})[idx] = (typ, val)


def num(pre, col, idx):
    v = cols.get((pre, col), {}).get(idx)
    try:
        return int(v[1]) if v else None
    except ValueError:
        return None


def addr(idx):
    """(text, rest) of an InetAddress in an index: len then bytes."""
    n = idx[0]
    b = idx[1:1 + n]
    if n not in (4, 16) or len(b) != n or any(x > 255 for x in b):
        return None, None
    fam = socket.AF_INET if n == 4 else socket.AF_INET6
    return socket.inet_ntop(fam, bytes(b)), idx[1 + n:]


def hop(h, t):
    """A connected route has no next hop: 0.0.0.0 / ::, or type local (3),
    where agents often name their own interface address."""
    return "" if h in ("0.0.0.0", "::") or t == 3 else h


def kept(t):
    return t is None or t in (1, 3, 4)


def masklen(m):
    try:
        v = int.from_bytes(socket.inet_aton(m), "big")
    except OSError:
        return None
    n = bin(v).count("1")
    return n if v == ((1 << 32) - 1) ^ ((1 << (32 - n)) - 1) else None


def indexes(pre, columns):
    s = set()
    for c in columns:
        s |= set(cols.get((pre, c), {}))
    return sorted(s)


def inet():
    out = []
    for idx in indexes(INET, (7, 8, 9)):
        if len(idx) < 2:
            continue
        dest, rest = addr(idx[1:])
        if dest is None or len(rest) < 2:
            continue
        pfx, plen = rest[0], rest[1]
        rest = rest[2 + plen:]
        nh = ""
        if len(rest) >= 2:
            h, _ = addr(rest[1:])
            nh = h or ""
        t = num(INET, 8, idx)
        if pfx <= 128 and kept(t):
            out.append([dest, str(pfx), hop(nh, t)])
    return out


def cidr():
    out = []
    for idx in indexes(CIDR, (5, 6, 7)):
        if len(idx) != 13 or any(x > 255 for x in idx):
            continue
        dest = ".".join(map(str, idx[0:4]))
        m = masklen(".".join(map(str, idx[4:8])))
        t = num(CIDR, 6, idx)
        if m is not None and kept(t):
            out.append([dest, str(m), hop(".".join(map(str, idx[9:13])), t)])
    return out


def old():
    out = []
    for idx in indexes(OLD, (2, 7, 8, 9, 11)):
        if len(idx) != 4 or any(x > 255 for x in idx):
            continue
        nh = cols.get((OLD, 7), {}).get(idx)
        mk = cols.get((OLD, 11), {}).get(idx)
        if not nh or not mk or nh[0] != "64" or mk[0] != "64":
            continue
        m = masklen(mk[1])
        t = num(OLD, 8, idx)
        if m is not None and kept(t):
            out.append([".".join(map(str, idx)), str(m), hop(nh[1], t)])
    return out


for table in (inet, cidr, old):
    rows = table()
    if rows:
        print(json.dumps(sorted(rows)))
        break
else:
    print("[]")
