#!/bin/sh
# The banned-function gate (docs/testing.md): no call of an unbounded or
# unsafe C library function in src/, tests/unit or tests/fuzz. One TAP
# line per function; a failure lists every file:line that calls it.
#
#   unbounded copies   strcpy strcat stpcpy sprintf vsprintf gets
#   truncating copies  strncpy stpncpy strncat: strncpy leaves no NUL when
#                      it truncates and pads with NULs when it does not,
#                      strncat's size is what is left, not the buffer's;
#                      snprintf (or memcpy with the length known) says
#                      what it means
#   hidden state       strtok (strtok_r is allowed)
#   no error report    atoi atol atoll atof: "abc" and "0" both give 0 and
#                      overflow is undefined; use strtol/strtoull/strtod
#                      with the end pointer and errno checked
#   racy temp files    tmpnam tempnam mktemp (use mkstemp, mkdtemp)
#
# Comments and string and character literals are left out first, so a
# comment naming a function (like this one) is no call. Needs perl (part
# of every Debian system).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_tools perl

BANNED="strcpy strcat stpcpy sprintf vsprintf gets strncpy stpncpy strncat
strtok atoi atol atoll atof tmpnam tempnam mktemp"
DIRS="src tests/unit tests/fuzz"

T=$(mktemp -d /tmp/nccheck-banned.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

# every C file and header as "FILE:LINE:code" lines, comments and
# literals blanked (newlines kept, so the line numbers stay true)
find $DIRS -type f \( -name '*.c' -o -name '*.h' \) | sort |
	while read -r f; do
		perl -0777 -ne '
			s{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]//g; $c }gse;
			s{//[^\n]*}{}g;
			s{"(?:\\.|[^"\\\n])*"}{""}g;
			s{\x27(?:\\.|[^\x27\\\n])*\x27}{0}g;
			my $n = 0;
			print "$ARGV:", ++$n, ":$_\n" for split /\n/, $_, -1;
		' "$f"
	done >"$T/code"

files=$(find $DIRS -type f \( -name '*.c' -o -name '*.h' \) | wc -l)
[ "$files" -gt 0 ] || { nok "C files found in $DIRS"; tap_finish; }

for fn in $BANNED; do
	# a call: the name as a whole identifier followed by "(" (a member
	# or a longer name is not one: .atoi, my_atoi, snprintf)
	grep -E "(^|[^A-Za-z0-9_.>])$fn[[:space:]]*\(" "$T/code" |
		cut -d: -f1,2 >"$T/hits"
	if [ -s "$T/hits" ]; then
		nok "no $fn() in $DIRS ($files files)"
		sed 's/^/#   /' "$T/hits"
	else
		ok "no $fn() in $DIRS ($files files)"
	fi
done
tap_finish
