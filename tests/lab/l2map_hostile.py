#!/usr/bin/python3
"""Writes the hostile switch recordings of tests/lab/test_l2map.sh into DIR:
big.snmprec (a switch with N Q-BRIDGE forwarding rows, 95% on one trunk
port), loopa.snmprec and loopb.snmprec (two switches whose CDP and LLDP
tables point at each other, with control characters, invalid UTF-8,
over-long values and impossible address lengths in the neighbour fields).

usage: l2map_hostile.py DIR N ADDR_A ADDR_B"""
import sys

out, n, addr_a, addr_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def oid_key(line):
    return [int(x) for x in line.split("|", 1)[0].split(".")]


def write(path, lines):
    with open(path, "w") as f:
        for line in sorted(lines, key=oid_key):
            f.write(line + "\n")


def hexs(b):
    return b.hex()


def system(name, oid):
    return [
        "1.3.6.1.2.1.1.1.0|4|netcensus hostile test switch %s" % name,
        "1.3.6.1.2.1.1.2.0|6|%s" % oid,
        "1.3.6.1.2.1.1.3.0|67|12345",
        "1.3.6.1.2.1.1.5.0|4|%s" % name,
    ]


def ports(count):
    lines = []
    for i in range(1, count + 1):
        lines.append("1.3.6.1.2.1.2.2.1.1.%d|2|%d" % (i, i))
        lines.append("1.3.6.1.2.1.2.2.1.2.%d|4|port %d" % (i, i))
        lines.append("1.3.6.1.2.1.2.2.1.3.%d|2|6" % i)
        lines.append("1.3.6.1.2.1.31.1.1.1.1.%d|4|ge-0/0/%d" % (i, i))
        lines.append("1.3.6.1.2.1.17.1.4.1.2.%d|2|%d" % (i, i))
    return lines


# a switch with n forwarding rows
big = system("big-fdb", "1.3.6.1.4.1.32473.9.1") + ports(48)
for i in range(n):
    mac = [2, 0, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255]
    port = 48 if i % 20 else 1 + (i // 20) % 47
    idx = "1." + ".".join(str(b) for b in mac)
    big.append("1.3.6.1.2.1.17.7.1.2.2.1.2.%s|2|%d" % (idx, port))
    big.append("1.3.6.1.2.1.17.7.1.2.2.1.3.%s|2|3" % idx)
write(out + "/big.snmprec", big)

garbage = b"\x01\x02\x1b[31m\xff\xfe\xc3(" + b"X" * 1500 + b"\x00\x07"


def ip_bytes(a):
    return bytes(int(x) for x in a.split("."))


def cdp(ifindex, dev, name, ip):
    pre = "1.3.6.1.4.1.9.9.23.1.2.1.1"
    return [
        "%s.3.%d.%d|2|1" % (pre, ifindex, dev),
        "%s.4.%d.%d|4x|%s" % (pre, ifindex, dev, hexs(ip)),
        "%s.5.%d.%d|4x|%s" % (pre, ifindex, dev, hexs(garbage)),
        "%s.6.%d.%d|4x|%s" % (pre, ifindex, dev, hexs(name)),
        "%s.7.%d.%d|4x|%s" % (pre, ifindex, dev, hexs(b"Gi0/1\x00\x07\xff")),
        "%s.8.%d.%d|4x|%s" % (pre, ifindex, dev, hexs(garbage[:40])),
    ]


def lldp(port, rem, name, chassis):
    pre = "1.0.8802.1.1.2.1.4.1.1"
    idx = "0.%d.%d" % (port, rem)
    man = "1.0.8802.1.1.2.1.4.2.1.3.%s.1.200.%s" % (
        idx, ".".join(["1"] * 200))
    return [
        "%s.4.%s|2|4" % (pre, idx),
        "%s.5.%s|4x|%s" % (pre, idx, hexs(chassis)),
        "%s.6.%s|2|5" % (pre, idx),
        "%s.7.%s|4x|%s" % (pre, idx, hexs(garbage[:300])),
        "%s.8.%s|4x|%s" % (pre, idx, hexs(garbage)),
        "%s.9.%s|4x|%s" % (pre, idx, hexs(name)),
        "%s.10.%s|4x|%s" % (pre, idx, hexs(garbage)),
        man + "|2|2",
    ]


# loopa and loopb: each names the other as its CDP and LLDP neighbour, on
# every one of its 4 ports, plus one CDP entry with a 7-byte address
for me, other, other_ip in (("loopa", b"loopb", addr_b),
                            ("loopb", b"loopa", addr_a)):
    lines = system(me, "1.3.6.1.4.1.32473.9.2") + ports(4)
    for p in range(1, 5):
        lines += cdp(p, 1, other + garbage[:12], ip_bytes(other_ip))
        lines += lldp(p, 1, other, b"\x02\x00\x5e\x00\x00" + bytes([p]))
    lines += [
        "1.3.6.1.4.1.9.9.23.1.2.1.1.3.1.2|2|1",
        "1.3.6.1.4.1.9.9.23.1.2.1.1.4.1.2|4x|01020304050607",
        "1.3.6.1.4.1.9.9.23.1.2.1.1.6.1.2|4x|%s" % hexs(garbage),
    ]
    write("%s/%s.snmprec" % (out, me), lines)
