#!/usr/bin/python3
"""Turns makers' MIBs into identity-object lines for
data/snmp-identity-mibs.txt (docs/classification.md, "The generated
identity table").

    scripts/mib-identity.py --mibs DIR [--hand data/snmp-identity.txt] LIST

LIST (scripts/identity-mibs.txt) names one MIB a line:

    FILE  ALSO-ASKED  KIND  SOURCE...

FILE is read from DIR: the MIB's text (or the part of it that holds the
identity objects and the assignments above them), or a pysmi-compiled copy
of it (FILE ending in ".compiled-excerpt": lines such as
"name = _Name_Object((1, 3, 6, ...)," with the type on a "_Name_Type" line).
ALSO-ASKED is a comma list of enterprises besides the MIB's own whose
agents are asked too ("8072" where the maker's box answers as net-snmp,
"311" for Windows hosts), or "-". KIND is the kind of device the MIB is
for (ups, pdu, environment, storage, firewall, switch, bmc, printer,
wan-accelerator, load-balancer, pbx...; a dash stands for a space); the kinds KIND_TYPE maps to one of
netcensus's types give --rules a type rule, the others are for the
reader only. SOURCE is where the MIB was read, for the header.

Every MIB's OID assignments are pooled first, so one MIB may name a root
another defines (STORMSHIELD-SMI-MIB's stormshieldMIB); a MIB's own
assignments win over the pool (SOCOMECUPS-MIB and ABBMODULARUPS-MIB both
define upsIdent). Then, of each
MIB, every OBJECT-TYPE whose SYNTAX is a string (DisplayString, OCTET
STRING as OctetString in compiled copies, SnmpAdminString) and whose descriptor names the model or product
(...Model, ...ModelName, ...ModelNumber, ...ProductName, ...ProdName,
...ProductType, ...DeviceType, ...DevType, ...MachineType, ...HardwareModel)
becomes a "model" line,
and one whose descriptor names the maker (...Manufacturer, ...ManufName,
...Vendor) a "manufacturer" line; descriptors that also name a serial, a
version, a date, a status, an index or a location never do, nor ones
that name a part (a disk's, a port's transceiver's, a fan's, a card's or a
module's model is not the device's). Within a MIB,
model objects come before product names (the first one a device answers
wins). An object is asked with one GETNEXT, as every identity object is:
a scalar's .0 and a column's first row are read alike.

Three more shapes name the device's model (round 17): a chassis type
written as text (...ChassisType with a string SYNTAX: Palo Alto's
panChassisType; an enumerated chassis type is an INTEGER and never
passes the string test), and a product's description (...ProductDescr,
...ProductDescription: Hirschmann HiOS's hm2DevMgmtProductDescr, the
product code), ranked after model names and product names. Other
descriptions (sysDescr-like ...Descr, a port's or a card's) stay out.
"status" is no longer a refusing word on its own: a descriptor must end
in the model word to be taken, so an object that reports a status
(...Status, ...State, ...ModelStatus) never is, while a status group's
model column is (EqualLogic's eqlMemberStatusModel). And an object the
MIB makes writable (MAX-ACCESS read-write or read-create, or
setMaxAccess("read-write") in a compiled copy) is never taken: a name an
administrator sets is not the model (UPS-MIB's upsIdentName is one).

Some makers write the bare descriptors all lower case (modelName,
modelNumber, modelname, productname, manufacturer), or a prefix and
modelName run together (ASUSTOR-SYSTEM-MIB's hwmodelName): those count too.

Lines whose OID data/snmp-identity.txt already lists are left out (the
hand-written line wins), and a descriptor that the hand-written table
already uses as a field, or that the device record uses for a field of
its own (manufacturer, model, type...), gets the enterprise number
appended, so every field stays unique. The MIBs are data: no part of them is executed.
"""
import argparse
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "mib_products", os.path.join(HERE, "mib-products.py"))
mp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mp)

MODEL = re.compile(r"(ModelNumber|[Mm]odelName|ModelNo|Model|ProductModel|"
                   r"ProductName|ProdName|ProductType|DeviceType|DevType|"
                   r"MachineType|ChassisType|ProductDescr|ProductDescription|"
                   r"HardwareModel)$|^(productName|model|modelName|modelNumber|"
                   # descriptors some makers write all lower case
                   # (ARHANGELSK-GLOBAL-REG's modelname, ServersCheck's
                   # productname)
                   r"modelname|productname)$")
MAKER = re.compile(r"(Manufacturer|ManufName|Manuf|Vendor|VendorName)$|"
                   r"^manufacturer$")
NEVER = re.compile(r"(?i)serial|version|vers$|rev|date|time|index|"
                   r"location|contact|url|(?-i:[Oo]id(?![a-z])|OID)|count|"
                   r"table|entry|descr(?!(iption)?$)|"
                   # a part's model, not the device's
                   r"disk|drive|transceiver|sfp|port|trap|fan|psu|supply|"
                   r"batter|slot|dimm|memory|cpu|sensor|module|card|toner|"
                   r"cartridge|tray|inlet|outlet|lamp|"
                   # a UPS MIB's own identity group (upsIdent..., upsId...)
                   # is the device's
                   r"ups(?![a-z]*Ident|Id[A-Z]|Base)")
READABLE = ("read-only", "accessible-for-notify")
STRINGS = ("DisplayString", "OCTET", "OctetString", "SnmpAdminString",
           "Utf8String")
ENTERPRISES = "1.3.6.1.4.1."
# KIND -> the type an answer decides (--rules); bmc is left out: the
# ServerView-style MIBs are answered by host agents too.
KIND_TYPE = {"ups": "ups", "pdu": "pdu", "environment": "environment monitor",
             "printer": "printer", "firewall": "firewall", "storage": "storage",
             "switch": "switch", "vpn": "vpn gateway", "nas": "nas",
             "console": "console server", "wap": "wap",
             "timing": "time server",
             "wan-accelerator": "wan accelerator",
             "load-balancer": "load balancer", "pbx": "pbx",
             "video-conference": "video conference"}


# keys the device record already uses for its own fields: a MIB
# descriptor spelt the same (ARHANGELSK-GLOBAL-REG's "manufacturer") gets
# the enterprise number appended like a taken one
RESERVED = {"type", "manufacturer", "model", "serial", "firmware",
            "os_group", "os_family", "os_name", "os_version", "form_factor",
            "vendor"}


def unique_field(name, ent, taken):
    """The descriptor, or with the enterprise appended where the name is
    taken or is one of the device record's own, then _2, _3... where two
    MIBs of one maker share the descriptor (MOXA-IAW5x50A_IO-MIB's and
    MOXA-NP6000-MIB's modelName)."""
    if name not in taken and name not in RESERVED:
        return name
    field, k = name + ent, 2
    while field in taken:
        field, k = "%s%s_%d" % (name, ent, k), k + 1
    return field


def model_rank(name):
    """Model numbers first, then product names (smaller is stronger)."""
    if re.search(r"Model(Number|Name|No)?$", name) or name == "model":
        return 0
    if re.search(r"Descr(iption)?$", name):
        return 2
    return 1


def smi_clause(toks, words, reach):
    """name -> the word after the first of WORDS in each OBJECT-TYPE's
    first REACH tokens (its SYNTAX, its MAX-ACCESS), for every
    OBJECT-TYPE that has one before its "::="."""
    out = {}
    for k in range(1, len(toks) - 2):
        if toks[k] != "OBJECT-TYPE" or not toks[k - 1][:1].islower():
            continue
        for j in range(k + 1, min(len(toks) - 1, k + reach)):
            if toks[j] in words:
                out[toks[k - 1]] = toks[j + 1]
                break
            if toks[j] == "::=":
                break
    return out


def smi_objects(toks):
    """name -> SYNTAX's first word, for every OBJECT-TYPE."""
    return smi_clause(toks, ("SYNTAX",), 60)


def smi_access(toks):
    """name -> MAX-ACCESS (or SMIv1 ACCESS), for every OBJECT-TYPE."""
    return smi_clause(toks, ("MAX-ACCESS", "ACCESS"), 400)


def compiled_access(text):
    """name -> access of a pysmi-compiled copy's setMaxAccess() calls."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"\b([a-z][A-Za-z0-9]*)\.setMaxAccess\(\s*\"([a-z-]+)\"", text)}


def smi_assignments(toks):
    """mib-products.assignments(), with OBJECT-TYPE definitions too."""
    found = dict(mp.assignments(toks))
    for k in range(1, len(toks) - 5):
        if toks[k] != "OBJECT-TYPE" or not toks[k - 1][:1].islower():
            continue
        for j in range(k, min(len(toks) - 4, k + 400)):
            if toks[j] != "::=":
                continue
            if (toks[j + 1] == "{" and toks[j + 3].isdigit() and
                    toks[j + 4] == "}"):
                found[toks[k - 1]] = (toks[j + 2], toks[j + 3])
            break
    return found


def compiled_objects(text):
    """name -> (OID, type) of a pysmi-compiled copy."""
    oids, types = {}, {}
    for m in re.finditer(r"\b([a-z][A-Za-z0-9]*)\s*=\s*_\w+_Object\(\s*"
                         r"\(\s*([0-9][0-9,\s]*)\)", text):
        oids[m.group(1)] = ".".join(
            x.strip() for x in m.group(2).split(",") if x.strip())
    for m in re.finditer(r"_([A-Z][A-Za-z0-9]*)_Type(?:\.__name__)?\s*=\s*"
                         r"\"?([A-Za-z][A-Za-z0-9]*)|"
                         r"class _([A-Z][A-Za-z0-9]*)_Type"
                         r"\(([A-Za-z][A-Za-z0-9]*)\)", text):
        name = m.group(1) or m.group(3)
        types[name[:1].lower() + name[1:]] = m.group(2) or m.group(4)
    return {n: (o, types.get(n, "")) for n, o in oids.items()}


def hand_table(path):
    """(fields, OIDs) of the hand-written identity table."""
    fields, oids = set(), set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            col = line.split()
            if len(col) >= 5 and not line.startswith("#"):
                fields.add(col[1])
                oids.add(col[2])
    return fields, oids


def print_rules(out):
    """One type rule per MIB that gave a line, in the list's order."""
    print("# --- generated by scripts/mib-identity.py --rules from")
    print("# scripts/identity-mibs.txt: a device that answers an identity")
    print("# object of a MIB written for one kind of device is of that kind")
    done = set()
    for i, _, _, line, col in out:
        mib = line.split("\t")[3]
        kind = KIND_TYPE.get(col[2])
        if i in done or not kind:
            continue
        done.add(i)
        t = kind if " " not in kind else '"%s"' % kind
        print('sys.snmp_mibs*=%s -> type=%s why="answers %s, a MIB for %s devices"' %
              (mib, t, mib, col[2].replace("-", " ")))
    print("# --- end of the generated block")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mibs", required=True)
    ap.add_argument("--hand", default=os.path.join(HERE, "..", "data",
                                                   "snmp-identity.txt"))
    ap.add_argument("--rules", action="store_true",
                    help="print the rules block of data/classify-rules.txt "
                    "instead: a device that answers a MIB of one kind is "
                    "of that kind")
    ap.add_argument("list")
    a = ap.parse_args()
    fields, hand_oids = hand_table(a.hand)
    mibs = []
    with open(a.list, encoding="utf-8") as f:
        for line in f:
            col = line.split(None, 3)
            if len(col) < 4 or line.startswith("#"):
                continue
            with open(os.path.join(a.mibs, col[0]), encoding="utf-8",
                      errors="replace") as m:
                mibs.append((col, m.read()))
    defs, objs, local, access = {}, [], {}, {}
    for i, (col, text) in enumerate(mibs):
        if col[0].endswith(".compiled-excerpt"):
            access[i] = compiled_access(text)
            for name, (oid, syn) in compiled_objects(text).items():
                objs.append((i, col, name, oid, syn))
            continue
        toks = mp.tokens(text)
        access[i] = smi_access(toks)
        local[i] = smi_assignments(toks)
        defs.update(local[i])
        for name, syn in smi_objects(toks).items():
            objs.append((i, col, name, None, syn))
    roots = {"enterprises": "1.3.6.1.4.1"}
    out = []
    for i, col, name, oid, syn in objs:
        mib = os.path.basename(col[0]).split(".")[0]
        if NEVER.search(name) or syn not in STRINGS:
            continue
        if (re.search(r"(?i)descr(iption)?$", name) and
                not re.search(r"ProductDescr(iption)?$", name)):
            continue
        if access[i].get(name, "read-only") not in READABLE:
            continue
        gives = ("model" if MODEL.search(name) else
                 "manufacturer" if MAKER.search(name) else None)
        if not gives:
            continue
        if not oid:
            # a MIB's own names first: two MIBs may both define
            # upsIdentModel (the pooled ones only give other MIBs' roots)
            mine = dict(defs)
            mine.update(local[i])
            oid = mp.resolve(name, mine, roots)
        if not oid or not oid.startswith(ENTERPRISES):
            sys.exit("mib-identity: cannot resolve %s in %s" % (name, mib))
        if oid in hand_oids:
            continue
        ent = oid[len(ENTERPRISES):].split(".")[0]
        asked = [ent] + [x for x in col[1].split(",") if x not in ("-", ent)]
        field = unique_field(name, ent, fields)
        fields.add(field)
        rank = (0 if gives == "manufacturer" else 1 + model_rank(name))
        out.append((i, rank, tuple(int(x) for x in oid.split(".")),
                    "%s\t%s\t%s\t%s\t%s" % (",".join(asked), field, oid, mib,
                                            gives), col))
    out.sort()
    if a.rules:
        print_rules(out)
        return
    print("# netcensus SNMP identity objects generated from makers' MIBs by")
    print("# scripts/mib-identity.py from scripts/identity-mibs.txt; do not")
    print("# edit: fix the generator or the list and run it again. Format as")
    print("# data/snmp-identity.txt, whose lines come first.")
    last = None
    for i, _, _, line, col in out:
        if i != last:
            print("# source: %s (%s, %s)" %
                  (col[3].strip(), os.path.basename(col[0]), col[2]))
            last = i
        print(line)


if __name__ == "__main__":
    main()
