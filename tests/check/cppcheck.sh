#!/bin/sh
# The static-analysis gate (docs/testing.md): cppcheck over src/,
# tests/unit and tests/fuzz with jansson's iteration macros and cmocka's
# no-return calls configured (tests/check/cppcheck.cfg), so that every file
# is parsed. Two TAP lines:
#   - every file parsed: no syntaxError, unknownMacro, preprocessor or
#     internal error (such a file is otherwise silently not analysed);
#   - no finding of severity error, warning, style, performance or
#     portability, except the ids tests/check/cppcheck.supp turns off for
#     the whole tree (each with its reason) and the "cppcheck-suppress"
#     comments in the code (each with its reason).
# Skips when cppcheck is not installed (scripts/install-deps.sh test).
# CPPCHECK_JOBS (default: the number of CPUs) runs files in parallel.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_tools cppcheck

T=$(mktemp -d /tmp/nccheck-cppcheck.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
DIRS="src tests/unit tests/fuzz"
JOBS=${CPPCHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}

t0=$(date +%s)
cppcheck -q -j "$JOBS" --std=c11 \
	--library=gnu,sqlite3,libcurl,tests/check/cppcheck.cfg \
	--enable=warning,style,performance,portability,missingInclude \
	--inline-suppr --suppressions-list=tests/check/cppcheck.supp \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DFUZZ_NAME='"check"' \
	-Isrc -Itests/unit -Itests/fuzz \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	$DIRS >"$T/out" 2>&1
rc=$?
secs=$(($(date +%s) - t0))
files=$(find $DIRS -type f -name '*.c' | wc -l)
echo "# $(cppcheck --version), $files C files in $secs s (exit $rc)"

PARSE='syntaxError|unknownMacro|preprocessorErrorDirective|internalAstError|internalError|cppcheckError|missingInclude\]'
if grep -E "\[($PARSE)" "$T/out" >"$T/parse"; then
	nok "cppcheck parsed every file of $DIRS"
	sed 's/^/#   /' "$T/parse"
else
	ok "cppcheck parsed every file of $DIRS ($files C files)"
fi
grep -E '^[^ ]+:[0-9]+: (error|warning|style|performance|portability):' \
	"$T/out" >"$T/found"
if [ -s "$T/found" ] || [ "$rc" -ne 0 ]; then
	nok "cppcheck: no error, warning, style, performance or portability finding"
	sed 's/^/#   /' "$T/out"
else
	ok "cppcheck: no error, warning, style, performance or portability finding"
fi
tap_finish
