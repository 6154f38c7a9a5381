#!/bin/sh
# The format gate (docs/testing.md): every C file and header in src/,
# tests/unit and tests/fuzz is as clang-format lays it out with the
# checked-in .clang-format (Linux-kernel-like: tabs, 8-column indents and
# continuations, 80 columns, Linux braces). One TAP line per directory; a
# failure names each file and `make fmt` fixes them.
#
# clang-format's layout changes between major versions, so the gate runs
# only with the version the tree was formatted with (Debian 12's 14) and
# skips, saying so, with any other.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_tools clang-format
FORMAT_MAJOR=14

v=$(clang-format --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
[ "$v" = "$FORMAT_MAJOR" ] ||
	skip_all "clang-format ${v:-?} is not $FORMAT_MAJOR, the version the tree is formatted with"

for d in src tests/unit tests/fuzz; do
	bad=$(find "$d" -type f \( -name '*.c' -o -name '*.h' \) | sort |
		while read -r f; do
			clang-format --dry-run -Werror "$f" >/dev/null 2>&1 ||
				echo "$f"
		done)
	if [ -z "$bad" ]; then
		ok "clang-format: $d is formatted"
	else
		nok "clang-format: $d has files to format (make fmt):"
		echo "$bad" | sed 's/^/#   /'
	fi
done
tap_finish
