#!/usr/bin/python3
"""Writes N audit results derived from the Open-AudIT samples, each a
different machine: hostname, fqdn, uuid, serial, dbus id, IP and MACs are
made unique per copy, everything else (software, services, ...) is kept.

usage: gen_variants.py SAMPLES_DIR OUT_DIR N [--only NAME]
"""
import json
import os
import re
import sys


def ident(i):
    return {
        "hostname": "bench-%05d" % i,
        "uuid": "BE0C%04X-0000-4000-8000-%012X" % (i & 0xFFFF, i),
        "serial": "BENCH%07d" % i,
        "dbus": "%032x" % (0xBE0C << 100 | i),
        "ip": "198.18.%d.%d" % (i // 250, i % 250 + 1),
        "mac": "02:be:%02x:%02x:%02x:01" % ((i >> 16) & 255, (i >> 8) & 255,
                                           i & 255),
    }


def xml_variant(text, i):
    d = ident(i)
    subs = {
        "hostname": d["hostname"], "uuid": d["uuid"], "serial": d["serial"],
        "dbus_identifier": d["dbus"], "ip": d["ip"],
        "fqdn": d["hostname"] + ".bench.example",
    }
    head, sep, rest = text.partition("</sys>")
    for tag, val in subs.items():
        head = re.sub(r"<%s>[^<]*</%s>" % (tag, tag),
                      "<%s>%s</%s>" % (tag, val, tag), head)
    # every MAC in the file becomes unique to this copy
    rest = re.sub(r"<mac>[^<]*</mac>", "<mac>%s</mac>" % d["mac"], rest)
    rest = re.sub(r"<net_mac_address>[^<]*</net_mac_address>",
                  "<net_mac_address>%s</net_mac_address>" % d["mac"], rest)
    return head + sep + rest


def json_variant(text, i):
    d = ident(i)
    doc = json.loads(text)
    sys_ = doc.setdefault("sys", {})
    sys_.update({"hostname": d["hostname"], "name": d["hostname"],
                 "serial": d["serial"], "ip": d["ip"],
                 "sysName": d["hostname"],
                 "fqdn": d["hostname"] + ".bench.example"})
    for sec in ("network", "ip"):
        for row in doc.get(sec, []):
            if row.get("mac"):
                row["mac"] = d["mac"]
    return json.dumps(doc)


def main():
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    only = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--only" else None
    names = sorted(f for f in os.listdir(src) if f.endswith((".xml", ".json")))
    if only:
        names = [f for f in names if f == only]
    texts = {}
    for f in names:
        with open(os.path.join(src, f), encoding="utf-8-sig") as fh:
            texts[f] = fh.read()
    os.makedirs(out, exist_ok=True)
    total = 0
    for i in range(n):
        f = names[i % len(names)]
        ext = os.path.splitext(f)[1]
        body = (xml_variant if ext == ".xml" else json_variant)(texts[f], i)
        path = os.path.join(out, "v%05d%s" % (i, ext))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(body)
        total += len(body)
    print("%d files, %.1f MB, mean %.0f KB" % (n, total / 1e6, total / n / 1e3))


if __name__ == "__main__":
    main()
