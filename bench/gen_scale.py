#!/usr/bin/python3
"""Writes N Open-AudIT audit posts for bench/scale.sh, each a different
machine: the Debian sample audit (audit_linux.sh's XML) with hostname,
fqdn, uuid, serial, dbus id, IP and MACs made unique per copy
(gen_variants.py), and its software list replaced by 20 packages, or by
1,200 for every tenth machine (a full desktop audit). Each file is the
POST body as audit_linux.sh sends it: the form field data=, URL-encoded.
Also writes K curl config files (client0 .. client{K-1}), machine i in
client i % K, each posting its share one after the other on one
keep-alive connection.

usage: gen_scale.py SAMPLE_XML OUT_DIR N K URL
"""
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_variants import xml_variant  # noqa: E402


def software(i, n):
    items = []
    for k in range(n):
        items.append(
            "\t\t<item>\n\t\t\t<name><![CDATA[scale-pkg-%04d]]></name>\n"
            "\t\t\t<version><![CDATA[%d.%d.%d-1]]></version>\n"
            "\t\t\t<url></url>\n\t\t</item>\n" % (k, k % 9, i % 13, k % 5))
    return "\t<software>\n" + "".join(items) + "\t</software>"


def main():
    sample, out, n, k, url = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                              int(sys.argv[4]), sys.argv[5])
    with open(sample, encoding="utf-8-sig") as fh:
        text = fh.read()
    pat = re.compile(r"\t<software>.*?</software>", re.S)
    if not pat.search(text):
        sys.exit("no <software> section in " + sample)
    os.makedirs(out, exist_ok=True)
    cfgs = [open(os.path.join(out, "client%d" % c), "w") for c in range(k)]
    total = rows = 0
    for i in range(n):
        nsw = 1200 if i % 10 == 0 else 20
        body = pat.sub(lambda m: software(i, nsw), xml_variant(text, i), 1)
        body = body.replace("bench-", "scale-")
        data = ("data=" + urllib.parse.quote_plus(body)).encode()
        path = os.path.join(out, "p%06d" % i)
        with open(path, "wb") as fh:
            fh.write(data)
        # "next" between two posts (one after the last is an error)
        cfgs[i % k].write('%surl = "%s"\ndata-binary = "@%s"\n'
                          'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
                          % ("next\n" if i >= k else "", url, path))
        total += len(data)
        rows += nsw
    for f in cfgs:
        f.close()
    print("%d audits, %d software rows, %.0f MB of posts, mean %.0f KB"
          % (n, rows, total / 1e6, total / n / 1e3))


main()
