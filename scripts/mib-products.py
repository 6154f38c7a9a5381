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

--strip-prefix is repeatable, and the longest given prefix a name starts
with is removed: HH3C-PRODUCT-ID-MIB writes "hh3c-s5500-28C-EI" in its
early assignments, "hh3cS5830V224S" in later ones (and "hh3CWAP722S"
once), and its HP-branded products "hpA580024G" and "hpeFF7904".

--describe REGEX takes each product's name from its DESCRIPTION text
(whitespace runs made one space): the first group REGEX finds there, e.g.
"identify the Nokia (.+?) device" in TIMETRA-GLOBAL-MIB or "Model Name:
(\\S+)" in ALCATEL-IND1-DEVICES; a definition whose DESCRIPTION does not
match keeps its descriptor. --only REGEX keeps only the descriptors it
matches (the chassis among a MIB's modules and power supplies).

--object-types also reads "name OBJECT-TYPE SYNTAX OBJECT IDENTIFIER ...
::= { parent N }" (MELLANOX-PRODUCTS-MIB registers its switches so).

--not-in FILE leaves out the OIDs FILE (data/sysobjectid-products.txt)
already lists: an older revision of a MIB that is in the table adds only
the products the newer one dropped (FORTINET-FORTIGATE-MIB no longer
lists the FortiGate-60D).

--upper writes the whole name in capitals, for a maker whose product
names are all capitals but whose MIB writes its descriptors all in lower
case ("gs748t" for the GS748T in NETGEAR-REF-MIB).

--names same-line takes each product's name from the comment on its own
definition's line (FOUNDRY-SN-ROOT-MIB writes "snICX745024Switch OBJECT
IDENTIFIER ::= { snICX745024 1 } -- ICX745024 switch"); a definition
without one keeps its descriptor. --descriptor-names REGEX keeps the
descriptor for the definitions it matches, where the comment names no
product ("-- 24X1G fiber" on snCes2024F) or misspells it.

--leaves keeps only the nodes no other definition in the file hangs under:
FOUNDRY-SN-ROOT-MIB nests families, series and models
("registration 61 > snICX7450Family > snICX745024Family > ... >
snICX745024Switch"), and only the leaves are sysObjectIDs a device sends.

--sub 'REGEX=>TEXT' rewrites each name (after --strip-prefix) with
re.sub, repeatable, in order: "--sub '(?i)\s*(base l3 |premium )*
(switch|router)\b.*$=>'" cuts the image a Foundry leaf names ("ICX7450
Base L3 router") from the product (ICX7450).

--capital turns one to three lower-case letters that open a name (after
--strip-prefix) and are followed by a digit into capitals: SMI makes a
descriptor open in lower case, so HH3C-PRODUCT-ID-MIB writes
"hh3c-s5500-28C-EI" and "hh3c-msr20-20" for the S5500-28C-EI and the
MSR20-20 (longer words such as "secpathF100-C" are left as they are).
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


def assignments(toks, any_case=False, macros=MACROS):
    """name -> (parent, "N" or "N.M...") for OBJECT IDENTIFIER-like
    definitions."""
    found = {}
    for k in range(1, len(toks) - 5):
        if toks[k] not in macros or not is_descriptor(toks[k - 1],
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


def same_line_names(text):
    """descriptor -> the comment on its own definition line."""
    names = {}
    want = re.compile(r"\s*([a-z][A-Za-z0-9_-]*)\s+OBJECT\s+IDENTIFIER"
                      r"\s*::=\s*\{[^}]*\}\s*--\s*(.*?)\s*$")
    for line in text.splitlines():
        m = want.match(line)
        if m and m.group(2):
            names[m.group(1)] = " ".join(m.group(2).split())
    return names


def description_names(text, pattern):
    """descriptor -> first group of pattern in its DESCRIPTION text."""
    names = {}
    want = re.compile(pattern)
    defn = re.compile(r'([a-zA-Z][A-Za-z0-9_-]*)\s+OBJECT-(?:IDENTITY|TYPE)\b'
                      r'[^"]*?DESCRIPTION\s*"([^"]*)"')
    for m in defn.finditer(text):
        found = want.search(" ".join(m.group(2).split()))
        group = next((g for g in (found.groups() if found else ()) if g),
                     None)
        if group:
            names[m.group(1)] = group
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
                                        "comment-line", "same-line"),
                    default="descriptor")
    ap.add_argument("--strip-prefix", action="append", default=[])
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--any-case", action="store_true")
    ap.add_argument("--capital", action="store_true")
    ap.add_argument("--upper", action="store_true")
    ap.add_argument("--object-types", action="store_true")
    ap.add_argument("--describe", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--not-in", default="")
    ap.add_argument("--leaves", action="store_true")
    ap.add_argument("--descriptor-names", default="")
    ap.add_argument("--sub", action="append", default=[])
    ap.add_argument("mib")
    a = ap.parse_args()
    roots = {"enterprises": "1.3.6.1.4.1"}
    for r in a.root:
        k, _, v = r.partition("=")
        roots[k] = v
    with open(a.mib, encoding="utf-8", errors="replace") as f:
        text = f.read()
    macros = MACROS | ({"OBJECT-TYPE"} if a.object_types else set())
    defs = assignments(tokens(text), a.any_case, macros)
    if a.names == "same-line":
        label = same_line_names(text)
    elif a.names != "descriptor":
        label = comment_names(text, a.names == "comment-line")
    else:
        label = {}
    if a.descriptor_names:
        label = {k: v for k, v in label.items()
                 if not re.search(a.descriptor_names, k)}
    subs = []
    for rule in a.sub:
        pat, sep, repl = rule.partition("=>")
        if not sep:
            sys.exit("mib-products: --sub wants REGEX=>TEXT, not %s" % rule)
        subs.append((re.compile(pat), repl))
    parents = {p for p, _ in defs.values()} if a.leaves else set()
    if a.describe:
        label.update(description_names(text, a.describe))
    top = resolve(a.under, defs, roots)
    if top is None:
        sys.exit("mib-products: cannot resolve %s (give --root)" % a.under)
    known = set()
    if a.not_in:
        with open(a.not_in, encoding="utf-8") as f:
            known = {ln.split("\t", 1)[0] for ln in f
                     if ln[:1].isdigit() and "\t" in ln}
    rows = []
    for name in defs:
        oid = resolve(name, defs, roots)
        if a.only and not re.search(a.only, name):
            continue
        if oid in known or name in parents:
            continue
        if oid and oid.startswith(top + ".") and name not in a.exclude:
            shown = label.get(name, name)
            cut = max((p for p in a.strip_prefix if shown.startswith(p)),
                      key=len, default="")
            shown = shown[len(cut):]
            for pat, repl in subs:
                shown = pat.sub(repl, shown).strip()
            if a.upper:
                shown = shown.upper()
            if a.capital:
                shown = re.sub(r"^[a-z]{1,3}(?=[0-9])",
                               lambda m: m.group(0).upper(), shown)
            rows.append((tuple(int(x) for x in oid.split(".")), oid, shown))
    print("# source: %s (%d products under %s = %s)" %
          (a.source, len(rows), a.under, top))
    for _, oid, name in sorted(rows):
        print("%s\t%s" % (oid, name))


if __name__ == "__main__":
    main()
