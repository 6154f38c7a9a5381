#!/usr/bin/python3
"""Turns a vendor product MIB into sysObjectID -> product lines for
data/sysobjectid-products.txt (docs/classification.md).

    scripts/mib-products.py --source TEXT --under NAME [--root NAME=OID]... MIB

Reads every "name OBJECT IDENTIFIER ::= { parent N }" (and the same with
OBJECT-IDENTITY / MODULE-IDENTITY, and with several arcs after the parent,
"{ parent 3011 7050 1958 128 }", as ARISTA-PRODUCTS-MIB writes them) of
MIB, resolves each parent inside the file or through --root (names the MIB
imports, e.g. ciscoProducts=1.3.6.1.4.1.9.1), and prints "OID<TAB>name"
for every node below --under, sorted by OID, after one "# source: TEXT"
header line. The MIB is data: no part of it is executed. Comments ("--" to
the end of the line) and quoted strings (DESCRIPTION texts) are skipped.

--names comment takes each product's name from the first word of the
comment line right above its definition instead of the descriptor (Arista
writes "-- DCS-7050TX-128 2RU 96-port ..." above aristaDCS7050TX128); a
definition without such a comment keeps its descriptor.

--names comment-line takes the whole comment line instead (HP-ICF-OID
gives each product's name only in its DESCRIPTION: a copy of the
assignments carries it as such a comment).

--any-case also takes descriptors that open with a capital (WATCHGUARD-
PRODUCTS-MIB writes T10, M440, FireboxV beside xtm330); SMI keywords in
capitals (SYNTAX ...) never count.

--strip-prefix P removes P from the start of each name (Palo Alto writes
panPA-3020 for the PA-3020); --exclude NAME leaves out a node that is no
product (a subtree for fans or cards), repeatable.
"""
import argparse
import re
import sys

MACROS = {"OBJECT", "OBJECT-IDENTITY", "MODULE-IDENTITY"}


def tokens(text):
    """Words of the MIB without comments and quoted strings."""
    out = []
    i, n = 0, len(text)
    word = re.compile(r"[A-Za-z0-9_-]+|::=|[{}()]")
    while i < n:
        c = text[i]
        if c == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        m = word.match(text, i)
        if m:
            out.append(m.group(0))
            i = m.end()
        else:
            i += 1
    return out


def is_descriptor(word, any_case=False):
    """A definition's name: lower-case first, or (any_case) any word that
    is not an SMI keyword in capitals."""
    if word[:1].islower():
        return True
    return (any_case and word[:1].isalpha() and
            not re.fullmatch(r"[A-Z][A-Z-]*", word))


def assignments(toks, any_case=False):
    """name -> (parent, "N" or "N.M...") for OBJECT IDENTIFIER-like
    definitions."""
    found = {}
    for k in range(1, len(toks) - 5):
        if toks[k] not in MACROS or not is_descriptor(toks[k - 1],
                                                        any_case):
            continue
        name = toks[k - 1]
        # the next "::= { parent N [M ...] }" closes this definition
        for j in range(k, min(len(toks) - 4, k + 400)):
            if toks[j] != "::=":
                continue
            if toks[j + 1] == "{":
                e = j + 3
                while e < len(toks) and toks[e].isdigit():
                    e += 1
                if e > j + 3 and e < len(toks) and toks[e] == "}":
                    found[name] = (toks[j + 2], ".".join(toks[j + 3:e]))
            break
    return found


def comment_names(text, whole=False):
    """descriptor -> first word (whole: all) of the comment line right above
    it."""
    names = {}
    prev = ""
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"([a-z][A-Za-z0-9_-]*)\s+(OBJECT|OBJECT-IDENTITY)\b", s)
        if m and prev.startswith("--"):
            word = prev[2:].split()
            if word:
                names[m.group(1)] = " ".join(word) if whole else word[0]
        prev = s
    return names


def resolve(name, defs, roots, seen=()):
    if name in roots:
        return roots[name]
    if name not in defs or name in seen:
        return None
    parent, arcs = defs[name]
    base = resolve(parent, defs, roots, seen + (name,))
    return None if base is None else base + "." + arcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--under", required=True)
    ap.add_argument("--root", action="append", default=[])
    ap.add_argument("--names", choices=("descriptor", "comment",
                                        "comment-line"),
                    default="descriptor")
    ap.add_argument("--strip-prefix", default="")
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--any-case", action="store_true")
    ap.add_argument("mib")
    a = ap.parse_args()
    roots = {"enterprises": "1.3.6.1.4.1"}
    for r in a.root:
        k, _, v = r.partition("=")
        roots[k] = v
    with open(a.mib, encoding="utf-8", errors="replace") as f:
        text = f.read()
    defs = assignments(tokens(text), a.any_case)
    label = (comment_names(text, a.names == "comment-line")
             if a.names != "descriptor" else {})
    top = resolve(a.under, defs, roots)
    if top is None:
        sys.exit("mib-products: cannot resolve %s (give --root)" % a.under)
    rows = []
    for name in defs:
        oid = resolve(name, defs, roots)
        if oid and oid.startswith(top + ".") and name not in a.exclude:
            shown = label.get(name, name)
            if a.strip_prefix and shown.startswith(a.strip_prefix):
                shown = shown[len(a.strip_prefix):]
            rows.append((tuple(int(x) for x in oid.split(".")), oid, shown))
    print("# source: %s (%d products under %s = %s)" %
          (a.source, len(rows), a.under, top))
    for _, oid, name in sorted(rows):
        print("%s\t%s" % (oid, name))


if __name__ == "__main__":
    main()
