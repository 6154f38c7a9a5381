#!/usr/bin/python3
"""Writes the recording of a router with N routes (ipCidrRouteTable only,
RFC 2096) for tests/lab/test_routes.sh: host routes to 198.18.128.0 and
up (data only: a destination is never probed), each of type remote via
NEXT_HOP on ifIndex 1, learned by OSPF.

usage: routes_big.py FILE N NEXT_HOP"""
import sys

path, n, hop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
T = "1.3.6.1.2.1.4.24.4.1"
lines = [
    "1.3.6.1.2.1.1.1.0|4|netcensus test router with %d routes" % n,
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.32473.9.2",
    "1.3.6.1.2.1.1.3.0|67|12345",
    "1.3.6.1.2.1.1.5.0|4|big-routes",
    "1.3.6.1.2.1.2.2.1.1.1|2|1",
    "1.3.6.1.2.1.2.2.1.2.1|4|eth0",
    "1.3.6.1.2.1.2.2.1.3.1|2|6",
]
for i in range(n):
    dest = "198.18.%d.%d" % (128 + i // 256, i % 256)
    idx = "%s.255.255.255.255.0.%s" % (dest, hop)
    lines.append("%s.5.%s|2|1" % (T, idx))  # ipCidrRouteIfIndex
    lines.append("%s.6.%s|2|4" % (T, idx))  # ipCidrRouteType: remote
    lines.append("%s.7.%s|2|13" % (T, idx))  # ipCidrRouteProto: ospf


def oid_key(line):
    return [int(x) for x in line.split("|", 1)[0].split(".")]


with open(path, "w") as f:
    for line in sorted(lines, key=oid_key):
        f.write(line + "\n")
