# shellcheck shell=sh
# The harness every shell test in tests/cli and tests/lab shares, so a test
# file holds only its scenario. POSIX sh (the lab tests source it from
# bash). Source it right after `set -u`:
#
#     . "$(dirname "$0")/../lib.sh"
#
# It is not a test: tests/run runs tests/cli/*.sh and tests/lab/test_*.sh.
#
# TAP     ok WHAT, nok WHAT: one numbered line each (n counts them, failed
#         counts the "not ok"). check WHAT CMD...: ok when CMD succeeds; CMD
#         runs in this shell (it may set variables) with its stdout
#         discarded and its stderr left for the log. skip_all WHY: the file
#         cannot run here ("ok N # skip WHY", exit 0). tap_finish: prints the
#         plan "1..n" and exits 1 when any check failed, else 0.
# tools   need_tools TOOL...: skip_all naming the first one not installed.
#         need_netcensus: skip_all unless $NETCENSUS is executable.
#         lab_init "$@": the namespace lab tests' start: re-runs the file
#         under bash (as lab.sh), skips unless root with `ip netns`, and
#         sets LAB to tests/lab/lab.sh.
# files   tmp_init NAME: T=/tmp/nctest-NAME.XXXXXX (fresh), DB=$T/nc.db, and
#         (with NETCENSUS_TEST_DB=pg) DB a PostgreSQL URL instead: a
#         throwaway cluster of pg_start, its key file $T/nc.key, so every
#         --db "$DB" of the test (serve_start, admin, import) runs on
#         PostgreSQL; db_sql SQL runs SQL on the test's database either
#         way (sqlite3 or psql; the rows on stdout, '|' between columns);
#         db_dump prints the whole database as SQL (sqlite3 .dump or
#         pg_dump).
#         a trap that on exit (INT and TERM exit 1) kills the server in PID
#         and every process in BG_PIDS (add the daemons you start: slapd,
#         mail sinks), calls on_cleanup - a no-op here; define your own
#         after sourcing, e.g. to take a lab down - and removes $T.
# waits   wait_until SECONDS CMD...: runs CMD (in this shell, stdout
#         discarded) every 0.1 s until it succeeds: 0 then, 1 once SECONDS
#         of wall time have passed. Tests wait for the condition they
#         assert, never for a fixed time (docs/testing.md); SECONDS is only
#         a ceiling, so make it generous (WAIT_LONG, 60 s, unless a test
#         has a reason).
# ports   free_port: a random port 30000-49999 nothing listens on now.
#         wait_port SECONDS PID PORT...: 0 once every PORT listens on
#         127.0.0.1 (in process PID when PID is not empty); 1 after
#         SECONDS, or at once when PID has died.
#         listen_start LOG CMD...: runs CMD in the background with every
#         @PORT@ in its arguments replaced by a free port, output appended
#         to LOG, until it listens there (wait_port WAIT_LONG); another
#         port when it died (the port was taken between free_port and its
#         bind), three tries. Sets LPORT and LPID (added to BG_PIDS);
#         returns 1 when it never listened.
# server  serve_start LOG [ARGS...]: `netcensus -v serve --db $DB --listen
#         127.0.0.1:$PORT ARGS` in the background (PID; stderr appended to
#         LOG), waiting up to WAIT_LONG for this server's own "listening
#         on" line and then for $U/api/v1/health (so another process that
#         took the port first is never mistaken for it). An empty PORT
#         gets a free one; when another process took the port first, up to
#         two other ports are tried. Sets U=$SERVE_SCHEME://127.0.0.1:$PORT
#         (set SERVE_SCHEME=https when ARGS turn TLS on). With SERVE_CONFIG
#         set, runs `--config FILE ARGS` instead, where FILE is
#         SERVE_CONFIG with every @PORT@ replaced by $PORT (so the retry on
#         another port works there too; write "listen =
#         http://127.0.0.1:@PORT@" in it); without @PORT@ in it the file
#         names the port and the caller sets PORT and U. With SERVE_NS
#         set (lab tests), the server runs inside that network namespace
#         (ip netns exec), and the health check and req() reach it there.
#         Returns 1 when it did not come up. serve_stop: SIGTERM, wait,
#         return the exit status.
#         serve_start_many COUNT [ARGS...]: COUNT servers on $DB (one
#         database: a PostgreSQL one for several servers), each with
#         serve_start $T/logK ARGS (K = 1..COUNT); sets URLS, PIDS and
#         LOGS (words, in that order; the PIDs are in BG_PIDS too), prints
#         the log of one that did not start and returns 1. url K: the
#         K-th server's URL; logged PATTERN: how many lines of the LOGS
#         together match.
#         serve_password LOG: the first admin's password the server printed.
#         admin_token USER: a new API token for USER made with `netcensus
#         admin`. req METHOD PATH [CURL-ARGS...]: a request to $U$PATH, the
#         status in S, the body in $T/body, with "Authorization: Bearer
#         $TOKEN" when TOKEN is set. J EXPR: jq -r EXPR over that body.
# snmprec rec_lab_up PREFIX NET: for tests that replay SNMP recordings -
#         namespaces SCAN=PREFIX-scan and AG=PREFIX-rec joined by a veth
#         pair, the scanner at NET.1/24 with no other route (checked
#         before anything is sent: ok, or nok and tap_finish); on_cleanup
#         deletes both (call it after tmp_init). rec_agent ADDR NAME FILE:
#         one snmpsimd in AG serving FILE (plain text) at ADDR, its files
#         in $T/a-NAME, appended to $T/map as "ADDR NAME". rec_agents_wait:
#         ok when every agent of $T/map answers (at most 600 tries of
#         0.3 s each: indexing a big recording takes snmpsimd a while).
# pg      pg_start: a throwaway PostgreSQL cluster owned by the test (after
#         tmp_init): initdb in $T/pg as the user postgres when run as root
#         (PostgreSQL refuses root), listening on a Unix socket in $T/pgs
#         only (no TCP port at all), a database "netcensus"; sets PG_URL
#         (postgresql:///netcensus?host=$T/pgs&...) and PG_BIN (the folder
#         of psql, pg_ctl...), and stops the cluster
#         (pg_ctl stop on its own data directory, nothing else) on exit.
#         skip_all when PostgreSQL is not installed; returns 1 when it
#         did not start (its logs: $T/pg.log, $T/pgs/server.log).
# tasks   task_runs ID: the run count of scheduled task ID (through $U).
#         tasks_ran_twice ID...: 0 when every task ran at least twice.
#         tasks_once_a_minute START LOG... -- ID...: 0 when each task's
#         "task ID (" lines in the LOGs together equal its run count and
#         that is at most the minutes since START (date +%s) + 1; a "#"
#         line for each task that is not so.
#
# Helpers keep their own variables in _lib_* names, so a test's are safe;
# the names above (n, failed, T, DB, PID, PORT, U, S, TOKEN, LAB, SAMPLES,
# NETCENSUS, BG_PIDS, PG_URL, PG_BIN, URLS, PIDS, LOGS) are the shared state: a test must not reuse them for
# anything else (a device count in n would renumber the TAP lines).

NETCENSUS=${NETCENSUS:-$(dirname "$0")/../../build/netcensus}
SAMPLES=${NETCENSUS_SAMPLES:-$(dirname "$0")/../../../shared/samples/open-audit}
n=0
failed=0
T=
DB=
PID=
PORT=
U=
SERVE_SCHEME=http
SERVE_CONFIG=
SERVE_NS=
BG_PIDS=
URLS=
PIDS=
LOGS=
PG_URL=
PG_BIN=
_lib_pg=
# the ceiling of a wait for something that normally takes a second: the
# machine running the tests may be busy with other work (docs/testing.md)
WAIT_LONG=${WAIT_LONG:-60}

# ---------------------------------------------------------------- TAP
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check WHAT CMD...
	_lib_what=$1
	shift
	if "$@" >/dev/null; then ok "$_lib_what"; else nok "$_lib_what"; fi
}
tap_finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
skip_all() {
	n=$((n + 1))
	echo "ok $n # skip $*"
	tap_finish
}

# -------------------------------------------------------------- tools
need_tools() {
	for _lib_tool in "$@"; do
		command -v "$_lib_tool" >/dev/null 2>&1 ||
			skip_all "$_lib_tool is not installed"
	done
}
need_netcensus() {
	[ -x "$NETCENSUS" ] || skip_all "no netcensus binary at $NETCENSUS"
}
lab_init() { # lab_init "$@"
	[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
	[ "$(id -u)" = 0 ] || skip_all "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || skip_all "ip netns is not available"
	LAB=$(cd "$(dirname "$0")" && pwd)/lab.sh
}
# lab_up WHAT ARGS... — lab.sh up --prefix $P ARGS (after tmp_init), the
# ground truth into $T/truth.json, and the scanner namespace checked for a
# default route; the test ends there when either fails.
rec_lab_up() {
	SCAN=$1-scan
	AG=$1-rec
	_lib_net=$2
	on_cleanup() {
		ip netns del "$SCAN" 2>/dev/null
		ip netns del "$AG" 2>/dev/null
	}
	if ! { ip netns add "$SCAN" && ip netns add "$AG" &&
		ip -n "$SCAN" link add eth0 type veth peer name eth0 netns "$AG" &&
		ip -n "$SCAN" addr add "$_lib_net.1/24" dev eth0 &&
		ip -n "$SCAN" link set lo up && ip -n "$SCAN" link set eth0 up &&
		ip -n "$AG" link set lo up && ip -n "$AG" link set eth0 up; }; then
		nok "namespaces $SCAN and $AG"
		tap_finish
	fi
	if [ -z "$(ip -n "$SCAN" -4 route show default)" ] &&
		[ -z "$(ip -n "$SCAN" -6 route show default 2>/dev/null)" ] &&
		[ "$(ip -n "$SCAN" -4 route show | awk '{print $1}')" = "$_lib_net.0/24" ]; then
		ok "scanner namespace $SCAN has no default route, only $_lib_net.0/24"
	else
		nok "scanner namespace has other routes: stopping before sending"
		tap_finish
	fi
	: >"$T/map"
}
rec_agent() {
	_lib_d=$T/a-$2
	mkdir -p "$_lib_d/data" "$_lib_d/cache"
	cp "$3" "$_lib_d/data/public.snmprec"
	chmod -R a+rX "$_lib_d"
	chown nobody "$_lib_d/cache"
	ip -n "$AG" addr add "$1/24" dev eth0
	ip netns exec "$AG" snmpsimd --data-dir="$_lib_d/data" \
		--cache-dir="$_lib_d/cache" --agent-udpv4-endpoint="$1:161" \
		--process-user=nobody --process-group=nogroup \
		>"$_lib_d/log" 2>&1 </dev/null &
	BG_PIDS="$BG_PIDS $!"
	echo "$1 $2" >>"$T/map"
}
rec_agents_wait() {
	_lib_up=0
	_lib_all=$(wc -l <"$T/map")
	while read -r _lib_addr _lib_name; do
		_lib_tries=0
		while ! ip netns exec "$SCAN" snmpget -v2c -c public -t 0.3 \
			-r 0 -On "$_lib_addr" 1.3.6.1.2.1.1.2.0 >/dev/null 2>&1; do
			_lib_tries=$((_lib_tries + 1))
			[ "$_lib_tries" -lt 600 ] || break
		done
		[ "$_lib_tries" -lt 600 ] && _lib_up=$((_lib_up + 1))
	done <"$T/map"
	if [ "$_lib_up" -eq "$_lib_all" ]; then
		ok "$_lib_all snmpsimd agents answer"
	else
		nok "only $_lib_up of $_lib_all snmpsimd agents answer"
	fi
}

# rec_discover RANGE: netcensus discover of the agents at RANGE, from the
# scanner namespace, into $T/out.json. Generous waits (snmpsimd and an
# ASan build are slow on a busy machine): load changes how long it takes,
# never what it reads.
rec_discover() {
	if ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=300000 \
		timeout 900 "$NETCENSUS" discover --no-dns --json \
		--ports 161/udp --discovery-ports none --timeout 10000 \
		--retries 2 "$1" >"$T/out.json" 2>"$T/err"; then
		ok "discover of $1 finished"
	else
		nok "discover of $1 (exit $?)"
		tail -5 "$T/err" | sed 's/^/# /'
	fi
}
# rec_sysf IP FIELD: the sys field of the device at IP in $T/out.json
rec_sysf() {
	jq -r --arg ip "$1" --arg f "$2" \
		'[.[] | select(.sys.ip == $ip)][0].sys[$f] // ""' "$T/out.json"
}

lab_up() {
	_lib_what=$1
	shift
	if ! "$LAB" up --prefix "$P" "$@" 2>"$T/up.log"; then
		nok "lab.sh up --prefix $P $*"
		sed 's/^/# /' "$T/up.log"
		tap_finish
	fi
	ok "lab up with $_lib_what (prefix $P)"
	"$LAB" truth --prefix "$P" >"$T/truth.json"
	if [ -z "$(ip -n "$P-scan" -4 route show default)" ] &&
		"$LAB" check --prefix "$P" 2>/dev/null; then
		ok "scanner namespace has no default route, only 198.18.0.0/15"
	else
		nok "scanner namespace has a default route: stopping before sending"
		tap_finish
	fi
}

# -------------------------------------------------------------- files
on_cleanup() { :; }
_lib_cleanup() {
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	fi
	for _lib_p in $BG_PIDS; do
		kill "$_lib_p" 2>/dev/null && wait "$_lib_p" 2>/dev/null
	done
	on_cleanup
	[ -n "$_lib_pg" ] && $_lib_pg_as "$_lib_pg/pg_ctl" stop -D "$T/pg" \
		-m immediate -w >/dev/null 2>&1
	# NC_KEEP_TMP=1 keeps a test's files (logs, databases) to look at
	if [ -n "${NC_KEEP_TMP:-}" ]; then
		[ -n "$T" ] && echo "# files kept in $T" >&2
	else
		[ -n "$T" ] && rm -rf "$T"
	fi
}
tmp_init() { # tmp_init NAME
	T=$(mktemp -d "/tmp/nctest-$1.XXXXXX") || exit 1
	DB=$T/nc.db
	trap _lib_cleanup EXIT
	trap 'exit 1' INT TERM
	case ${NETCENSUS_TEST_DB:-sqlite} in
	sqlite) ;;
	pg)
		# a cluster that cannot start here is no finding about
		# netcensus: the file skips, saying why
		pg_start || skip_all "PostgreSQL did not start" \
			"(NETCENSUS_TEST_DB=pg):" \
			"$(tail -3 "$T/pg.log" "$T/pgs/server.log" \
				2>/dev/null | tr '\n' ' ')"
		DB="$PG_URL&keyfile=$T/nc.key"
		;;
	*)
		echo "NETCENSUS_TEST_DB=$NETCENSUS_TEST_DB: sqlite or pg" >&2
		exit 2
		;;
	esac
}
db_dump() { # the test's whole database as SQL text, on stdout
	if [ -n "$PG_URL" ] && [ "$DB" != "$T/nc.db" ]; then
		"$PG_BIN/pg_dump" -d "$PG_URL"
	else
		sqlite3 "$DB" .dump
	fi
}
db_sql() { # db_sql SQL
	if [ -n "$PG_URL" ] && [ "$DB" != "$T/nc.db" ]; then
		"$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_URL" \
			-c "$1"
	else
		sqlite3 "$DB" ".timeout 10000" "$1"
	fi
}

# ----------------------------------------------------------------- pg
pg_start_or_finish() { # pg_start, or the test ends failing with its logs
	pg_start && return 0
	nok "PostgreSQL cluster did not start"
	sed 's/^/# /' "$T/pg.log" "$T/pgs/server.log" 2>/dev/null | tail -20
	tap_finish
}
pg_start() {
	_lib_pg=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V |
		tail -1)
	if [ -z "$_lib_pg" ] || [ ! -x "$_lib_pg/initdb" ]; then
		_lib_pg=
		skip_all "PostgreSQL is not installed (scripts/install-deps.sh" \
			"test installs it)"
	fi
	_lib_pg_as=
	mkdir -p "$T/pg" "$T/pgs"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
			skip_all "no user postgres to run PostgreSQL as"
		chmod 711 "$T"
		chown postgres: "$T/pg" "$T/pgs"
		_lib_pg_as="setpriv --reuid=postgres --regid=postgres --init-groups"
	fi
	$_lib_pg_as "$_lib_pg/initdb" -D "$T/pg" -U netcensus -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$T/pg.log" 2>&1 || return 1
	# -w waits for the server to accept connections (-t: a ceiling on a
	# busy machine, not a delay)
	$_lib_pg_as "$_lib_pg/pg_ctl" start -D "$T/pg" -w -t 120 \
		-l "$T/pgs/server.log" -o "-c listen_addresses='' -k $T/pgs -p 5432 \
-c fsync=off" >>"$T/pg.log" 2>&1 || return 1
	"$_lib_pg/createdb" -h "$T/pgs" -p 5432 -U netcensus netcensus \
		>>"$T/pg.log" 2>&1 || return 1
	PG_URL="postgresql:///netcensus?host=$T/pgs&port=5432&user=netcensus"
	PG_BIN=$_lib_pg
}

# -------------------------------------------------------------- waits
wait_until() { # wait_until SECONDS CMD...
	_lib_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null && return 0
		[ "$(date +%s)" -lt "$_lib_end" ] || return 1
		sleep 0.1
	done
}

# -------------------------------------------------------------- ports
free_port() {
	while :; do
		_lib_p=$(($(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000))
		ss -ltn 2>/dev/null | grep -q ":$_lib_p " || { echo "$_lib_p"; return; }
	done
}
wait_port() { # wait_port SECONDS PID PORT...
	_lib_end=$(($(date +%s) + $1))
	_lib_pid=$2
	shift 2
	while :; do
		[ -n "$_lib_pid" ] && ! kill -0 "$_lib_pid" 2>/dev/null && return 1
		# with a PID, the listener must be that process (not another
		# one that took the port first)
		_lib_ss=$(ss -ltnH ${_lib_pid:+-p} 2>/dev/null)
		_lib_all=1
		for _lib_p in "$@"; do
			printf '%s\n' "$_lib_ss" | grep "127.0.0.1:$_lib_p " |
				grep -q "${_lib_pid:+pid=$_lib_pid,}" || _lib_all=0
		done
		[ "$_lib_all" = 1 ] && return 0
		[ "$(date +%s)" -lt "$_lib_end" ] || return 1
		sleep 0.1
	done
}
listen_start() { # listen_start LOG CMD...
	_lib_l=$1
	shift
	for _lib_t in 1 2 3; do
		LPORT=$(free_port)
		(
			for _lib_a; do
				shift
				set -- "$@" "$(printf '%s\n' "$_lib_a" |
					sed "s/@PORT@/$LPORT/g")"
			done
			exec "$@"
		) >>"$_lib_l" 2>&1 &
		LPID=$!
		if wait_port "$WAIT_LONG" "$LPID" "$LPORT"; then
			BG_PIDS="$BG_PIDS $LPID"
			return 0
		fi
		kill "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
	done
	return 1
}

# ------------------------------------------------------------- server
# _lib_in CMD...: CMD, inside network namespace $SERVE_NS when it is set.
_lib_in() {
	if [ -n "$SERVE_NS" ]; then
		ip netns exec "$SERVE_NS" "$@"
	else
		"$@"
	fi
}
# _lib_up FROM: 0 once the server in PID printed its "listening on" line for
# the port of $U (in LOG after line FROM) and answers /api/v1/health; 1 when
# it died or WAIT_LONG passed.
_lib_up() {
	_lib_end=$(($(date +%s) + WAIT_LONG))
	_lib_port=${U##*:}
	while :; do
		kill -0 "$PID" 2>/dev/null || return 1
		if tail -n "+$1" "$_lib_log" 2>/dev/null |
			grep -q "listening on .*:$_lib_port/" &&
			_lib_in curl -sk -o /dev/null "$U/api/v1/health" 2>/dev/null; then
			return 0
		fi
		[ "$(date +%s)" -lt "$_lib_end" ] || return 1
		sleep 0.1
	done
}
serve_start() { # serve_start LOG [ARGS...]
	_lib_log=$1
	shift
	_lib_try=1
	_lib_retry=1
	if [ -n "$SERVE_CONFIG" ] && ! grep -q '@PORT@' "$SERVE_CONFIG"; then
		_lib_retry=0
	fi
	while :; do
		_lib_from=$(($(cat "$_lib_log" 2>/dev/null | wc -l) + 1))
		[ "$_lib_retry" = 1 ] && [ -z "$PORT" ] && PORT=$(free_port)
		[ "$_lib_retry" = 1 ] && U=$SERVE_SCHEME://127.0.0.1:$PORT
		if [ -n "$SERVE_CONFIG" ]; then
			_lib_conf=$SERVE_CONFIG
			if [ "$_lib_retry" = 1 ]; then
				_lib_conf=$SERVE_CONFIG.run
				sed "s/@PORT@/$PORT/g" "$SERVE_CONFIG" >"$_lib_conf"
			fi
			# a simple command, not _lib_in: PID must be the
			# server's own (a function would run in a subshell)
			${SERVE_NS:+ip netns exec "$SERVE_NS"} "$NETCENSUS" -v \
				serve --config "$_lib_conf" "$@" 2>>"$_lib_log" &
		else
			${SERVE_NS:+ip netns exec "$SERVE_NS"} "$NETCENSUS" -v \
				serve --db "$DB" --listen "127.0.0.1:$PORT" "$@" \
				2>>"$_lib_log" &
		fi
		PID=$!
		_lib_up "$_lib_from" && return 0
		# free_port's port was free a moment ago; another process may
		# have taken it first
		[ "$_lib_retry" = 1 ] && [ "$_lib_try" -lt 3 ] &&
			! kill -0 "$PID" 2>/dev/null &&
			tail -n "+$_lib_from" "$_lib_log" | grep -q 'cannot listen' ||
			return 1
		wait "$PID" 2>/dev/null
		PID=
		PORT=$(free_port)
		_lib_try=$((_lib_try + 1))
	done
}
serve_start_many() { # serve_start_many COUNT [ARGS...]
	_lib_count=$1
	shift
	URLS='' PIDS='' LOGS=''
	_lib_k=1
	while [ "$_lib_k" -le "$_lib_count" ]; do
		PORT=
		serve_start "$T/log$_lib_k" "$@" ||
			{ cat "$T/log$_lib_k"; return 1; }
		URLS="$URLS $U" PIDS="$PIDS $PID" LOGS="$LOGS $T/log$_lib_k"
		BG_PIDS="$BG_PIDS $PID"
		PID=
		_lib_k=$((_lib_k + 1))
	done
}
url() { echo "$URLS" | cut -d' ' -f$(($1 + 1)); }
logged() {
	# shellcheck disable=SC2086 # LOGS: words
	cat $LOGS | grep -c -- "$1"
}
serve_stop() {
	kill -TERM "$PID"
	wait "$PID"
	_lib_st=$?
	PID=
	return $_lib_st
}
serve_password() { # serve_password LOG
	sed -n 's/.*created the first user: admin \/ \([^ ]*\).*/\1/p' "$1"
}
admin_token() { # admin_token USER
	"$NETCENSUS" admin --db "$DB" token create --user "$1" 2>/dev/null |
		grep -o 'nc_[A-Za-z0-9_-]*' | head -1
}
req() { # req METHOD PATH [CURL-ARGS...]
	_lib_m=$1
	_lib_path=$2
	shift 2
	S=$(_lib_in curl -s -o "$T/body" -w '%{http_code}' -X "$_lib_m" \
		${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$@" "$U$_lib_path")
}
J() { jq -r "$1" "$T/body"; }

# -------------------------------------------------------------- tasks
task_runs() { # task_runs ID
	req GET "/api/v1/tasks/$1"
	J .runs
}
tasks_ran_twice() { # tasks_ran_twice ID...
	for _lib_t; do
		[ "$(task_runs "$_lib_t")" -ge 2 ] || return 1
	done
}
tasks_once_a_minute() { # tasks_once_a_minute START LOG... -- ID...
	_lib_min=$((($(date +%s) - $1) / 60 + 1))
	shift
	_lib_logs=
	while [ "$1" != -- ]; do
		_lib_logs="$_lib_logs $1"
		shift
	done
	shift
	_lib_ok=0
	for _lib_t; do
		_lib_runs=$(task_runs "$_lib_t")
		# shellcheck disable=SC2086 # _lib_logs: words
		_lib_lines=$(cat $_lib_logs | grep -c -- "task $_lib_t (")
		if [ "$_lib_lines" != "$_lib_runs" ] ||
			[ "$_lib_runs" -gt $((_lib_min + 1)) ]; then
			echo "# task $_lib_t: $_lib_runs runs, $_lib_lines log lines, $_lib_min minutes" >&2
			_lib_ok=1
		fi
	done
	return $_lib_ok
}
