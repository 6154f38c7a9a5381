#!/bin/sh
# Runs libFuzzer targets built by `make fuzz`, one after the other.
# usage: tests/fuzz/fuzz.sh BUILD SECONDS NAME...
#
# Each target starts from its saved corpus (tests/fuzz/corpus/NAME, read
# only) and writes what it finds to BUILD/fuzz-corpus/NAME; a crash or a
# leak is saved as BUILD/fuzz-crash/NAME-crash-<sha1> and ends that target.
# tests/fuzz/NAME.dict is used when present. The last status line of each
# run (executions, coverage) is printed; the full log is
# BUILD/fuzz-logs/NAME.log. Exits non-zero when any target found something.
# FUZZ_KEEP_GOING=1 fuzzes on past crashes (-fork=1 -ignore_crashes=1:
# one child process at a time), to look beyond a bug already reported.
# Keep the machine usable: one process, no -jobs/-workers fan-out.
set -u
cd "$(dirname "$0")/../.."
BUILD=$1
SECS=$2
shift 2
status=0
mkdir -p "$BUILD/fuzz-logs" "$BUILD/fuzz-crash"
for name in "$@"; do
	bin="$BUILD/fuzz/$name"
	if [ ! -x "$bin" ]; then
		echo "$name: no fuzzer at $bin (run make fuzz)"
		status=1
		continue
	fi
	mkdir -p "$BUILD/fuzz-corpus/$name"
	more=""
	[ "${FUZZ_KEEP_GOING:-0}" = 1 ] && more="-fork=1 -ignore_crashes=1"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	log="$BUILD/fuzz-logs/$name.log"
	# shellcheck disable=SC2086 # $dict and $more: options or nothing
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 $dict $more \
		-artifact_prefix="$BUILD/fuzz-crash/$name-" \
		"$BUILD/fuzz-corpus/$name" "tests/fuzz/corpus/$name" \
		>"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "$name: ${last:-no status line} (average ${execs:-?} exec/s)"
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "$name: FOUND SOMETHING (exit $rc); see $log:"
		grep -E 'ERROR:|SUMMARY:|Test unit written' "$log" | head -5
	fi
done
exit $status
