#!/usr/bin/python3
"""Writes a netcensus device report of one machine whose component rows all
carry TAG in their names: imported once with one TAG and again with
another, every row is renamed (a removed row and an added one with a
different pair key), the worst case of the change log's pairing.

usage: gen_rename.py OUT ROWS [SECTIONS] [TAG]
  ROWS rows in each of SECTIONS sections (1 to 4: software, software_key,
  share, certificate; default 1), TAG default "a".
"""
import json
import sys


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    nsec = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    tag = sys.argv[4] if len(sys.argv) > 4 else "a"
    doc = {
        "report_version": 1,
        "sys": {"hostname": "rename-bench", "serial": "RENAME-0001",
                "uuid": "5E7A1B2C-0000-4000-8000-00000000BE0C",
                "type": "computer"},
    }
    makers = [
        ("software", lambda i: {"name": "pkg-%s-%06d" % (tag, i),
                                "version": "1.%d" % (i % 97)}),
        ("software_key", lambda i: {"name": "key-%s-%06d" % (tag, i),
                                    "string": "HKLM\\S\\%d" % i}),
        ("share", lambda i: {"name": "share-%s-%06d" % (tag, i),
                             "path": "/srv/%d" % i}),
        ("certificate", lambda i: {"name": "cert-%s-%06d" % (tag, i),
                                   "issuer": "CA %d" % (i % 13),
                                   "serial": "%08x" % i}),
    ]
    for name, make in makers[:nsec]:
        doc[name] = [dict(make(i), note="r%06d" % i) for i in range(rows)]
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, separators=(",", ":"))


main()
