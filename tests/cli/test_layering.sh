#!/bin/sh
# The layering of src/ as the includes show it (README.md, Layout):
# lower rooms never include a higher one's headers. One TAP line per rule;
# a failing rule prints every offending "file: #include" line.
#
#   tests/cli/test_layering.sh [SRC_DIR]   (default: the tree's src/)
#
# Rules (ROOM: what its files may not include):
#   core   anything but core/            (the bottom: logging, targets...)
#   ev     anything but core/ and ev/    (the reactor and timers)
#   probe  engine/                       (the engine drives probes, not
#                                         the other way round)
#   sched  server/                       (the server starts the scheduler
#                                         and hands it its hooks)
#   store  server/                       (the filter language is the
#                                         store's: store/query.h)
#   collector server/                    (a collector talks to a server
#                                         over HTTPS, never links into it)
#   discover collector/                  (the spool is a sink the
#                                         collector hands to a run)
#   every room but store: store/backend.h and store/sqlite*.h (callers
#                                         see store.h and store_*.h only,
#                                         so a back end can be added
#                                         behind them)
# and the server and the scheduler hold no database lock of their own
# (the SQLite back end serialises its writers itself).
# No compiler is needed: it reads the #include "..." lines only.
set -u
. "$(dirname "$0")/../lib.sh"
SRC=${1:-$(dirname "$0")/../../src}

# bad_includes ROOM ALLOWED_RE DENIED_RE: the include lines of src/ROOM
# that name a header outside ALLOWED_RE (when not empty) or inside
# DENIED_RE (when not empty), as "path: line".
bad_includes() {
	[ -d "$SRC/$1" ] || return 0
	# one awk for the room, not a sed and a grep per line: under load
	# thousands of tiny processes took minutes
	find "$SRC/$1" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) \
		-exec awk -v allowed="$2" -v denied="$3" -v src="$SRC/" '
			/^[[:space:]]*#[[:space:]]*include[[:space:]]*"/ {
				h = $0
				sub(/^[^"]*"/, "", h)
				sub(/".*$/, "", h)
				if ((allowed != "" && h !~ allowed) ||
				    (denied != "" && h ~ denied))
					print substr(FILENAME, length(src) + 1) \
						": " $0
			}' {} +
}

# rule WHAT ROOM ALLOWED_RE DENIED_RE
rule() {
	out=$(bad_includes "$2" "$3" "$4")
	if [ -z "$out" ]; then
		ok "$1"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		nok "$1"
	fi
}

[ -d "$SRC/core" ] || skip_all "no src/core under $SRC"
rule "src/core includes only src/core" core '^core/' ''
rule "src/ev includes only src/core and src/ev" ev '^(core|ev)/' ''
check "the reactor and timers live in src/ev, below engine and probes" \
	test -f "$SRC/ev/reactor.h" -a -f "$SRC/ev/timer.h" \
	-a ! -e "$SRC/engine/reactor.h"
rule "src/probe does not include src/engine" probe '' '^engine/'
check "the filter language lives in src/store (store/query.h)" \
	test -f "$SRC/store/query.h" -a ! -e "$SRC/server/query.h"
rule "src/sched does not include src/server" sched '' '^server/'
rule "src/store does not include src/server" store '' '^server/'
rule "src/collector does not include src/server" collector '' '^server/'
rule "src/discover does not include src/collector (the spool is a sink the collector adds)" \
	discover '' '^collector/'
for room in $(ls "$SRC"); do
	[ -d "$SRC/$room" ] && [ "$room" != store ] || continue
	rule "src/$room does not include a store back end's headers" \
		"$room" '' '^store/(backend|sqlite)'
done
if grep -rnE 'write_(try)?lock|server_writer' "$SRC/server" "$SRC/sched" \
	>/dev/null 2>&1; then
	grep -rnE 'write_(try)?lock|server_writer' "$SRC/server" \
		"$SRC/sched" | sed 's/^/# /'
	nok "the server and the scheduler take no database write lock"
else
	ok "the server and the scheduler take no database write lock"
fi
tap_finish
