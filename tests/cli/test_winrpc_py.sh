#!/bin/sh
# The Windows RPC worker's own parsers and caps (data/winrpc.py), with
# Debian's python3-samba but no server: services_parse() on svcctl answers
# whose offsets and counts lie, and the registry walk against a stand-in
# connection announcing a key with 100,000 values - what Samba's registry
# cannot hold (docs/windows.md) - read only up to the cap, with the problem
# line, in bounded time and memory. A real Samba serves the rest in
# tests/lab/test_winrpc.sh. TAP output.
set -u
. "$(dirname "$0")/../lib.sh"
/usr/bin/python3 -c 'import samba.dcerpc.winreg' 2>/dev/null ||
	skip_all "python3-samba is not installed"
WORKER=$(cd "$(dirname "$0")/../.." && pwd)/data/winrpc.py
tmp_init winrpc-py

cat >"$T/t.py" <<'PY'
import importlib.util, resource, struct, sys
spec = importlib.util.spec_from_file_location("winrpc", sys.argv[1])
w = importlib.util.module_from_spec(spec)
spec.loader.exec_module(w)

def entry(name_off, disp_off, state):
    return struct.pack("<II7I", name_off, disp_off, 0x10, state, 0, 0, 0, 0, 0)

def s16(t):
    return (t + "\0").encode("utf-16-le")

# two good entries: strings after the fixed part
names = s16("Spooler") + s16("Print Spooler") + s16("WINS") + s16("WINS svc")
base = 2 * 36
o1 = base; o2 = o1 + len(s16("Spooler")); o3 = o2 + len(s16("Print Spooler"))
o4 = o3 + len(s16("WINS"))
good = entry(o1, o2, 4) + entry(o3, o4, 1) + names
rows, problem = w.services_parse(good, 2, 10000)
print("good", len(rows), rows[0]["name"], rows[0]["state"], rows[1]["description"], problem)
# a count larger than the buffer
rows, problem = w.services_parse(good, 1000000, 10000)
print("count", len(rows), problem)
# an offset past the end, an odd offset, a string with no NUL
for bad in (entry(10 ** 6, o2, 4), entry(o1 + 1, o2, 4)):
    rows, problem = w.services_parse(bad + good[36:], 2, 10000)
    print("offset", len(rows), problem)
rows, problem = w.services_parse(entry(36, 36, 4) + b"A\0B\0", 1, 10000)
print("nonul", len(rows), problem)

# a key with 100,000 values, as a stand-in connection announces it
class Name: pass
class Conn:
    calls = 0
    def OpenKey(self, h, name, opt, acc): return "h"
    def CloseKey(self, h): return None
    def QueryInfoKey(self, h, cls): return ("", 0, 0, 0, 100000, 16, 16, 0, 0)
    def EnumValue(self, h, i, name, typ, val, size, length):
        Conn.calls += 1
        n = Name(); n.name = "v%06d" % i
        return n, 1, list(s16("x")), 4, 4
reg = w.Reg(Conn(), "hklm", 10000)
vals = reg.values("SOFTWARE\\Huge")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print("huge", len(vals), Conn.calls, reg.problems[0], "rss_mb", rss)

# random and mutated svcctl buffers and registry values (seeded: the same
# inputs every run): the parsers return or say what lied, never raise
import random
rnd = random.Random(int(sys.argv[2]))
runs = int(sys.argv[3])
for i in range(runs):
    b = bytearray(good)
    for _ in range(rnd.randint(0, 8)):
        b[rnd.randrange(len(b))] = rnd.randrange(256)
    if rnd.random() < 0.3:
        b = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 200)))
    rows, problem = w.services_parse(bytes(b), rnd.randint(0, 10), 10000)
    assert isinstance(rows, list) and (problem is None or isinstance(problem, str))
    w.reg_value(rnd.choice([1, 2, 4, 7, 11, 3, 0, 99]), bytes(b[:rnd.randint(0, 40)]))
print("fuzz", runs, "inputs, no exception")
PY
/usr/bin/python3 "$T/t.py" "$WORKER" 14 "${WINRPC_PY_FUZZ_RUNS:-20000}" \
	>"$T/out" 2>"$T/err"
check "the checks ran" [ $? -eq 0 ]
sed 's/^/# /' "$T/out" "$T/err"
check "two honest svcctl entries: names, state, display name" \
	grep -qx 'good 2 Spooler Running WINS svc None' "$T/out"
check "a count that does not fit the buffer: nothing read, said so" \
	grep -qx 'count 0 1000000 entries do not fit in 144 bytes' "$T/out"
check "an offset outside the buffer, an odd one: entry dropped, said so" \
	test "$(grep -c '^offset 0 entry 0 names a string outside the buffer$' "$T/out")" = 2
check "a string with no terminating NUL: dropped, said so" \
	grep -qx 'nonul 0 entry 0 names a string outside the buffer' "$T/out"
check "a key with 100,000 values: 10,000 read, the problem named" \
	grep -q '^huge 10000 10000 SOFTWARE\\Huge: 100000 values, only the first 10000 read rss_mb' "$T/out"
check "... in bounded memory (under 200 MB)" \
	sh -c "test \"\$(sed -n 's/.*rss_mb \([0-9]*\)$/\1/p' '$T/out')\" -lt 200"
check "20,000 seeded random and mutated svcctl buffers and registry values: no exception" \
	grep -q '^fuzz [0-9]* inputs, no exception$' "$T/out"
tap_finish
