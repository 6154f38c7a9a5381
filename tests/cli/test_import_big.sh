#!/bin/sh
# One report must not freeze the store: a 26 MB audit of 4 x 100,000 rows
# is refused up front (before any database work) naming the ceiling and
# the variable that sets it; a device whose 100,000 software rows are all
# renamed imports (the change log pairs removed and added rows in n log n;
# it was quadratic: 16,000 such rows took 13 CPU-seconds), with exactly
# its 200,000 changes; a lowered ceiling refuses a smaller report; a bad
# ceiling value is reported and ignored. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools python3 timeout
need_netcensus
tmp_init importbig
N=$NETCENSUS
GEN=$(dirname "$0")/../../bench/gen_rename.py
unset NETCENSUS_DB NETCENSUS_REPORT_MAX_BYTES NETCENSUS_REPORT_MAX_ROWS \
	NETCENSUS_REPORT_MAX_TOTAL_ROWS

# 4 sections x 100,000 rows, 26 MB: over the default 100,000 in all
python3 "$GEN" "$T/big.json" 100000 4 a || { nok "generate"; tap_finish; }
"$N" import --db "$DB" "$T/big.json" >"$T/big.out" 2>"$T/big.err"
rc=$?
if [ $rc = 1 ] && grep -q '400000 rows in 4 sections, the limit is 100000 rows in a report (NETCENSUS_REPORT_MAX_TOTAL_ROWS)' "$T/big.err"; then
	ok "26 MB, 400,000 rows: refused up front, naming the ceiling"
else
	nok "26 MB report refused (rc $rc)"
	sed 's/^# //' "$T/big.err" | head -5
fi
"$N" status --db "$DB" >"$T/st.out" 2>&1
check "nothing of it stored (0 devices, 0 components), the refusal logged" \
	eval "grep -q '^devices: *0\$' '$T/st.out' &&
	      grep -q '^components: *0 ' '$T/st.out' &&
	      grep -q '^imports: *1\$' '$T/st.out'"

# 100,000 software rows, then all renamed. The bound is generous (ASan, a
# loaded machine); the old pairing needed hours for this.
python3 "$GEN" "$T/s-a.json" 100000 1 a &&
	python3 "$GEN" "$T/s-b.json" 100000 1 b || { nok "generate"; tap_finish; }
timeout 900 "$N" -q import --db "$DB" "$T/s-a.json" >"$T/a.out" 2>&1
check "100,000 software rows: stored" grep -q 'created device 1 ' "$T/a.out"
timeout 900 "$N" -q import --db "$DB" "$T/s-b.json" >"$T/b.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'updated device 1, matched by hostname+uuid, 200000 changes' "$T/b.out"; then
	ok "all 100,000 renamed: stored, 200,000 changes (100,000 removed, 100,000 added)"
else
	nok "100,000 renamed rows (rc $rc)"
	sed 's/^/# /' "$T/b.out" | head -5
fi

# a ceiling set lower refuses what the default takes; a bad value is named
python3 "$GEN" "$T/small.json" 1001 1 c || { nok "generate"; tap_finish; }
NETCENSUS_REPORT_MAX_ROWS=1000 "$N" import --db "$DB" "$T/small.json" \
	>"$T/small.out" 2>"$T/small.err"
rc=$?
check "NETCENSUS_REPORT_MAX_ROWS=1000 refuses a 1,001-row section, naming it" \
	eval "[ $rc = 1 ] && grep -q 'section software: 1001 rows, the limit is 1000 rows in a section (NETCENSUS_REPORT_MAX_ROWS)' '$T/small.err'"
NETCENSUS_REPORT_MAX_TOTAL_ROWS=lots "$N" import --db "$DB" "$T/small.json" \
	>"$T/bad.out" 2>"$T/bad.err"
rc=$?
check "a bad NETCENSUS_REPORT_MAX_TOTAL_ROWS is named and the default kept" \
	eval "[ $rc = 0 ] && grep -q 'NETCENSUS_REPORT_MAX_TOTAL_ROWS=lots ignored' '$T/bad.err'"
tap_finish
