#!/bin/sh
# bench/scale: issue 17's scale bench. N distinct machines (default
# 100,000) posted through the Open-AudIT intake by K clients at once
# (default 4), then the device API under wrk, in three configurations in
# one run:
#   sqlite   one `netcensus serve` on a SQLite file
#   pg1      one server on PostgreSQL
#   pg3      three servers on the same PostgreSQL, behind one port
#            (haproxy, Debian package, mode http, round robin per request)
# The PostgreSQL is a throwaway cluster of this run: initdb in a temp dir
# (as the user postgres when run as root), listening on 127.0.0.1 only,
# on a free port, default settings (fsync on); a new database for pg1 and
# for pg3. Everything is on loopback.
#
# The machines (bench/gen_scale.py): the Debian sample audit as
# audit_linux.sh posts it (form field data=, URL-encoded), made unique per
# machine, with 20 software rows, every tenth with 1,200. Each client is
# one curl process posting its share one after the other on one
# keep-alive connection; the same files are posted to each configuration,
# every post a machine its store has not seen (the create path).
#
# For each configuration: intake devices/s (N / wall time of the K
# clients together; every post must answer 200 and the API must then
# count N devices), then wrk -t2 -cCONN -dDUR on
#   list    GET /api/v1/devices?limit=50
#   filter  GET /api/v1/devices?hostname__ic=scale-0042&type__n=printer&limit=50
#   order   GET /api/v1/devices?ordering=-last_seen,hostname&limit=50
#   search  GET /api/v1/search?q=scale-00421&limit=20
# (req/s, p50, p99), and each server's RSS (VmRSS) after all that. On
# PostgreSQL, how many backends waited for an advisory lock (the write
# turn, intake's keys) during the intake, sampled every 0.5 s.
# Prints a table and the ratios pg3/pg1 and pg1/sqlite, with the load
# average before and after. Figures, not pass/fail.
# Targets (issue 17, at 100,000 devices): pg3 intake >= 2x pg1's; RSS of
# each server < 150 MB (VmRSS, printed with its anonymous and file-mapped
# parts: the SQLite server maps its database file).
#
# -q CPUS puts each netcensus server in a cgroup of its own capped at CPUS
# cores (cpu.cfs_quota_us or cpu.max; root only), as if each server had a
# small machine of its own: on a machine with few cores, the only way to
# ask whether a second and third server add capacity rather than share
# the same cores. PostgreSQL, haproxy and the clients are not capped.
# -P DIR keeps the generated posts in DIR and reuses them when DIR already
# holds posts for the same N and K (runs of one configuration at a time).
#
# usage: nice -n 19 bench/scale.sh [-n N] [-k CLIENTS] [-d WRK_SECONDS]
#        [-c WRK_CONNECTIONS] [-o sqlite,pg1,pg3] [-q CPUS] [-P DIR]
#        (release build: make; wrk, haproxy, PostgreSQL: scripts/install-deps.sh)
set -eu
cd "$(dirname "$0")/.."
N=100000 K=4 DUR=10 CONN=32 CONFIGS=sqlite,pg1,pg3 CAP='' POSTS=''
while getopts n:k:d:c:o:q:P: o; do
	case $o in
	n) N=$OPTARG ;;
	k) K=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONN=$OPTARG ;;
	o) CONFIGS=$OPTARG ;;
	q) CAP=$OPTARG ;;
	P) POSTS=$(realpath -m "$OPTARG") ;;
	*) sed -n '/^# usage/,/^$/p' "$0" >&2; exit 2 ;;
	esac
done
BIN=$(realpath "${NETCENSUS:-./build/netcensus}")
SAMPLE=${NETCENSUS_SAMPLES:-../shared/samples/open-audit}/debian.xml
[ -x "$BIN" ] || { echo "build first: make" >&2; exit 1; }
[ -r "$SAMPLE" ] || { echo "no sample audit at $SAMPLE" >&2; exit 1; }
for t in wrk curl jq haproxy; do
	command -v $t >/dev/null || { echo "install $t (scripts/install-deps.sh)" >&2; exit 1; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "install postgresql (scripts/install-deps.sh)" >&2; exit 1; }

T=$(mktemp -d /tmp/scale-bench.XXXXXX)
PIDS='' PGUP='' CGROUPS=''
# the cgroup file system for -q: v1's cpu controller or v2's cpu.max
CGV1=/sys/fs/cgroup/cpu CGV2=/sys/fs/cgroup
if [ -n "$CAP" ]; then
	[ "$(id -u)" = 0 ] || { echo "-q needs root (cgroups)" >&2; exit 1; }
	QUOTA=$(echo "$CAP" | awk '{ q = int($1 * 100000); print (q >= 1000 ? q : "") }')
	[ -n "$QUOTA" ] || { echo "-q CPUS: a number of cores such as 0.25" >&2; exit 2; }
	if [ -f "$CGV1/cpu.cfs_quota_us" ]; then
		CGMODE=v1
	elif grep -qw cpu "$CGV2/cgroup.subtree_control" 2>/dev/null; then
		CGMODE=v2
	else
		echo "-q: no cgroup cpu controller (neither $CGV1 nor cpu in $CGV2/cgroup.subtree_control)" >&2
		exit 1
	fi
fi
# cap PID NAME: PID into a new cgroup NAME capped at $QUOTA per 100 ms
cap() {
	if [ $CGMODE = v1 ]; then
		d=$CGV1/$2
		mkdir "$d" && echo 100000 >"$d/cpu.cfs_period_us" &&
			echo "$QUOTA" >"$d/cpu.cfs_quota_us"
	else
		d=$CGV2/$2
		mkdir "$d" && echo "$QUOTA 100000" >"$d/cpu.max"
	fi || { echo "cannot make the cgroup $d" >&2; exit 1; }
	CGROUPS="$CGROUPS $d"
	echo "$1" >"$d/cgroup.procs"
}
AS=
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$T"
	AS="setpriv --reuid=postgres --regid=postgres --init-groups"
fi
cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $PIDS; do wait "$p" 2>/dev/null || :; done
	[ -n "$PGUP" ] && $AS "$PGBIN/pg_ctl" stop -D "$T/pg" -m fast -w >/dev/null 2>&1
	for d in $CGROUPS; do rmdir "$d" 2>/dev/null || :; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	while :; do
		p=$(($(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo "$p"; return; }
	done
}
# wait_up URL PID: the server answers /api/v1/health (ceiling 120 s)
wait_up() {
	i=0
	until curl -s -o /dev/null "$1/api/v1/health"; do
		kill -0 "$2" 2>/dev/null || return 1
		i=$((i + 1)); [ $i -gt 1200 ] && return 1
		sleep 0.1
	done
}

echo "netcensus bench/scale, $N devices, $K posting clients, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$CAP" ] && echo "each netcensus server capped at $CAP cores (cgroup $CGMODE)"
if [ -n "$POSTS" ] && [ "$(cat "$POSTS/made" 2>/dev/null)" = "$N $K" ]; then
	echo "posts: reused from $POSTS"
else
	[ -z "$POSTS" ] && POSTS=$T/posts
	rm -rf "$POSTS"
	python3 bench/gen_scale.py "$SAMPLE" "$POSTS" "$N" "$K" \
		"http://127.0.0.1:@PORT@/open-audit/index.php/input/devices?token=@TOKEN@"
	echo "$N $K" >"$POSTS/made"
fi

# the throwaway PostgreSQL, when a pg configuration is asked for
case ,$CONFIGS, in *,pg*)
	mkdir "$T/pg" "$T/pgs"
	[ -n "$AS" ] && chown postgres: "$T/pg" "$T/pgs"
	$AS "$PGBIN/initdb" -D "$T/pg" -U netcensus -A trust -E UTF8 \
		--locale=C.UTF-8 >"$T/pg.log" 2>&1 ||
		{ cat "$T/pg.log" >&2; exit 1; }
	PGPORT=$(free_port)
	$AS "$PGBIN/pg_ctl" start -D "$T/pg" -w -t 120 -l "$T/pgs/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $T/pgs" \
		>>"$T/pg.log" 2>&1 || { cat "$T/pg.log" "$T/pgs/server.log" >&2; exit 1; }
	PGUP=1
	echo "PostgreSQL $("$PGBIN/postgres" -V | awk '{ print $3 }') on 127.0.0.1:$PGPORT"
	;;
esac

# run_config NAME: store, servers, intake, wrk, RSS; appends to $T/table
run_config() {
	name=$1 nserv=1
	case $name in
	sqlite) DB=$T/sqlite.db ;;
	pg1 | pg3)
		"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U netcensus "$name"
		DB="postgresql://netcensus@127.0.0.1:$PGPORT/$name?keyfile=$T/$name.key"
		[ $name = pg3 ] && nserv=3
		;;
	*) echo "unknown configuration $name" >&2; exit 2 ;;
	esac
	# the store's schema, users and tokens, before any server
	echo "scale-admin-password" |
		"$BIN" admin user add scale --role admin --db "$DB" >/dev/null
	TOK=$("$BIN" admin token create --db "$DB" --user scale 2>/dev/null | grep -o 'nc_[A-Za-z0-9_-]*' | head -1)
	echo "scale-collector-password" |
		"$BIN" admin user add audits --role collector --db "$DB" >/dev/null
	CTOK=$("$BIN" admin token create --db "$DB" --user audits 2>/dev/null | grep -o 'nc_[A-Za-z0-9_-]*' | head -1)
	[ -n "$TOK" ] && [ -n "$CTOK" ] || { echo "$name: no token" >&2; exit 1; }
	SPIDS='' k=0
	while [ $k -lt $nserv ]; do
		port=$(free_port)
		"$BIN" -q serve --db "$DB" --listen "127.0.0.1:$port" 2>"$T/$name.log$k" &
		p=$!
		PIDS="$PIDS $p" SPIDS="$SPIDS $p"
		eval "PORT$k=$port"
		[ -n "$CAP" ] && cap $p "netcensus-scale-$$-$name-$k"
		wait_up "http://127.0.0.1:$port" $p ||
			{ cat "$T/$name.log$k" >&2; exit 1; }
		k=$((k + 1))
	done
	if [ $nserv = 3 ]; then
		# chosen now, not at the start: a port free minutes ago may
		# have been taken by another program since
		LB_PORT=$(free_port)
		cat >"$T/haproxy.cfg" <<-EOF
		global
		    maxconn 4096
		defaults
		    mode http
		    timeout connect 10s
		    timeout client 300s
		    timeout server 300s
		frontend scale
		    bind 127.0.0.1:$LB_PORT
		    default_backend servers
		backend servers
		    balance roundrobin
		    server s0 127.0.0.1:$PORT0
		    server s1 127.0.0.1:$PORT1
		    server s2 127.0.0.1:$PORT2
		EOF
		haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
		p=$!
		PIDS="$PIDS $p"
		U=http://127.0.0.1:$LB_PORT
		wait_up "$U" $p || { cat "$T/haproxy.log" >&2; exit 1; }
	else
		U=http://127.0.0.1:$PORT0
	fi

	# intake: K curl processes at once, each its share one after another
	port=${U##*:}
	# on PostgreSQL, a sampler beside the intake: every 0.5 s, how many
	# of the database's backends wait for an advisory lock (the write
	# turn, or intake's keys), until $T/stop-sampler appears
	SPID=
	if [ $name != sqlite ]; then
		rm -f "$T/stop-sampler" "$T/locks"
		while [ ! -e "$T/stop-sampler" ]; do
			"$PGBIN/psql" -X -At -h 127.0.0.1 -p "$PGPORT" -U netcensus \
				-d "$name" -c "SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database()
				AND wait_event_type = 'Lock' AND wait_event = 'advisory'" \
				>>"$T/locks" 2>/dev/null
			sleep 0.5
		done &
		SPID=$!
	fi
	t0=$(date +%s.%N)
	k=0 CPIDS=''
	while [ $k -lt "$K" ]; do
		sed -e "s/@PORT@/$port/" -e "s/@TOKEN@/$CTOK/" "$POSTS/client$k" |
			curl -s -K - >"$T/codes$k" 2>&1 &
		CPIDS="$CPIDS $!"
		k=$((k + 1))
	done
	for p in $CPIDS; do wait "$p" || :; done
	t1=$(date +%s.%N)
	if [ -n "$SPID" ]; then
		touch "$T/stop-sampler"
		wait "$SPID" || :
		awk '{ n++; w += $1; if ($1 > 0) a++ }
			END { if (n) printf "%s: during intake, backends waiting for an advisory lock: %.2f on average, some in %d%% of %d samples\n",
				name, w / n, 100 * a / n, n }' name="$name" "$T/locks"
	fi
	ok=$(cat "$T"/codes* | grep -c '^200$' || :)
	bad=$(cat "$T"/codes* | grep -vc '^200$' || :)
	rm -f "$T"/codes*
	AUTH="Authorization: Bearer $TOK"
	count=$(curl -s -H "$AUTH" "$U/api/v1/devices?limit=1" | jq .count)
	rate=$(echo "$N $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
	wall=$(echo "$t0 $t1" | awk '{ printf "%.0f", $2 - $1 }')
	echo "$name: $ok posts answered 200, $bad not; the API counts $count devices; $wall s, $rate devices/s"
	[ "$ok" = "$N" ] && [ "$count" = "$N" ] ||
		echo "$name: WARNING: not every machine was stored (see above)"

	line="$name $rate"
	for q in "list /api/v1/devices?limit=50" \
		"filter /api/v1/devices?hostname__ic=scale-0042&type__n=printer&limit=50" \
		"order /api/v1/devices?ordering=-last_seen,hostname&limit=50" \
		"search /api/v1/search?q=scale-00421&limit=20"; do
		path=${q#* }
		wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "$AUTH" "$U$path" >"$T/wrk" 2>&1
		line="$line $(awk '/Requests\/sec/ { rps = $2 }
			/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
			END { printf "%.0f %s %s %d", rps, p50, p99, bad + 0 }' "$T/wrk")"
	done
	rss=''
	for p in $SPIDS; do
		rss="$rss${rss:+/}$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' /proc/$p/status)"
		awk '/^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM)/ { printf " %s %.0f MB", $1, $2 / 1024 }
			END { printf "\n" }' name="$name" /proc/$p/status |
			sed "s/^/$name: server $p:/"
	done
	echo "$line $rss" >>"$T/table"
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $PIDS; do wait "$p" 2>/dev/null || :; done
	PIDS=''
}

for c in $(echo "$CONFIGS" | tr , ' '); do
	run_config "$c"
done
echo
echo "| config | intake dev/s | list req/s p50 p99 | filter req/s p50 p99 | order req/s p50 p99 | search req/s p50 p99 | RSS MB |"
echo "|---|---|---|---|---|---|---|"
awk '{ printf "| %s | %s |", $1, $2
	for (i = 3; i < 19; i += 4)
		printf " %s %s %s%s |", $i, $(i + 1), $(i + 2), $(i + 3) ? " (" $(i + 3) " non-2xx)" : ""
	printf " %s |\n", $19 }' "$T/table"
echo
awk '{ v[$1] = $2; for (i = 3; i < 19; i += 4) r[$1, i] = $i }
END {
	split("intake list filter order search", lab)
	if (("pg3" in v) && ("pg1" in v)) {
		printf "pg3 / pg1:   intake %.2fx", v["pg3"] / v["pg1"]
		for (i = 3; i < 19; i += 4) printf ", %s %.2fx", lab[(i + 1) / 4 + 1], r["pg3", i] / r["pg1", i]
		printf "\n"
	}
	if (("pg1" in v) && ("sqlite" in v)) {
		printf "pg1 / sqlite: intake %.2fx", v["pg1"] / v["sqlite"]
		for (i = 3; i < 19; i += 4) printf ", %s %.2fx", lab[(i + 1) / 4 + 1], r["pg1", i] / r["sqlite", i]
		printf "\n"
	}
}' "$T/table"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
