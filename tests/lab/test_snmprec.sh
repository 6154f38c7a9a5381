#!/bin/sh
# `netcensus discover` against SNMP recordings of real devices: every
# recording in ../shared/snmprec (relative to the repository, skipped when
# absent) and in tests/lab/snmprec-eval (committed) is replayed by Debian's
# snmpsimd, one process per lab address, and what netcensus says about each
# device is compared with tests/lab/snmprec-expected.json and
# tests/lab/snmprec-eval/expected.json, written by reading the recordings
# themselves (sysDescr, sysObjectID, ENTITY-MIB, vendor MIBs, the ifTable
# and the address tables), never from netcensus's output. Checks per
# device: found, sysName and sysObjectID exact, type, manufacturer, model,
# OS name, interface and IPv4 address counts. Each expectation names a set
# (docs/classification.md): the development set "dev" must meet the
# issue's targets; every other set ("held-out", "eval", ...) is measured
# and printed as TAP comments, and only gated on every device being found
# with exact sysName/sysObjectID.
# NETCENSUS_SNMPREC="DIR..." and NETCENSUS_SNMPREC_EXPECT="FILE..." replace
# both lists (e.g. to run an evaluation set kept outside the repository).
#
# Topology: PREFIX-scan (198.18.40.1/24) -- veth -- PREFIX-rec, which holds
# one address per recording (198.18.40.10 and up) and runs the agents.
# The scanner namespace has only the connected /24: it is checked for a
# default route before anything is sent.
#
# Needs root, ip netns, snmpsimd (package snmpsim), snmpget, jq, bzip2 and
# the recordings; prints "ok 1 # skip" otherwise. SNMPREC_OUT=FILE keeps
# the discovery's JSON; SNMPREC_ONLY=REGEX serves only matching files.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools snmpsimd snmpget jq bzcat timeout
need_netcensus
HERE=$(dirname "$0")
REC=${NETCENSUS_SNMPREC:-"$HERE/../../../shared/snmprec $HERE/snmprec-eval"}
EXPECT=${NETCENSUS_SNMPREC_EXPECT:-"$HERE/snmprec-expected.json $HERE/snmprec-eval/expected.json"}
FILES=
for d in $REC; do
	[ -d "$d" ] || continue
	FILES="$FILES $(LC_ALL=C ls "$d"/*.snmprec.bz2 2>/dev/null)"
done
[ -n "$(echo $FILES)" ] || skip_all "no *.snmprec.bz2 in $REC"

P=nsr$(($$ % 100000))
SCAN=$P-scan
AG=$P-rec
NET=198.18.40
tmp_init snmprec
chmod 755 "$T"

on_cleanup() {
	ip netns del "$SCAN" 2>/dev/null
	ip netns del "$AG" 2>/dev/null
}

# ------------------------------------------------------------ topology
if ! { ip netns add "$SCAN" && ip netns add "$AG" &&
	ip -n "$SCAN" link add eth0 type veth peer name eth0 netns "$AG" &&
	ip -n "$SCAN" addr add "$NET.1/24" dev eth0 &&
	ip -n "$SCAN" link set lo up && ip -n "$SCAN" link set eth0 up &&
	ip -n "$AG" link set lo up && ip -n "$AG" link set eth0 up; }; then
	nok "namespaces $SCAN and $AG"
	tap_finish
fi
if [ -z "$(ip -n "$SCAN" -4 route show default)" ] &&
	[ -z "$(ip -n "$SCAN" -6 route show default 2>/dev/null)" ] &&
	[ "$(ip -n "$SCAN" -4 route show | awk '{print $1}')" = "$NET.0/24" ]; then
	ok "scanner namespace $SCAN has no default route, only $NET.0/24"
else
	nok "scanner namespace has other routes: stopping before sending"
	tap_finish
fi

# ------------------------------------------------------------- agents
# One snmpsimd per address, its recording as DATADIR/public.snmprec
# (the community selects the file). Files sorted by name (C locale).
i=0
: >"$T/map"
for f in $FILES; do
	name=$(basename "$f" .snmprec.bz2)
	if [ -n "${SNMPREC_ONLY:-}" ] && ! echo "$name" | grep -Eq "$SNMPREC_ONLY"; then
		continue
	fi
	addr=$NET.$((10 + i))
	d=$T/a$i
	mkdir -p "$d/data" "$d/cache"
	bzcat "$f" >"$d/data/public.snmprec"
	chmod -R a+rX "$d"
	chown nobody "$d/cache"
	ip -n "$AG" addr add "$addr/24" dev eth0
	ip netns exec "$AG" snmpsimd --data-dir="$d/data" \
		--cache-dir="$d/cache" --agent-udpv4-endpoint="$addr:161" \
		--process-user=nobody --process-group=nogroup \
		>"$d/log" 2>&1 </dev/null &
	BG_PIDS="$BG_PIDS $!"
	echo "$addr $name" >>"$T/map"
	i=$((i + 1))
done
N=$i
[ "$N" -gt 0 ] || skip_all "no recording matched SNMPREC_ONLY"

# Ready when each agent answers a GET of sysObjectID (indexing a large
# recording takes snmpsimd a few seconds; at most 600 tries of 0.3 s).
up=0
while read -r addr name; do
	tries=0
	while ! ip netns exec "$SCAN" snmpget -v2c -c public -t 0.3 -r 0 \
		-On "$addr" 1.3.6.1.2.1.1.2.0 >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || break
	done
	[ "$tries" -lt 600 ] && up=$((up + 1))
done <"$T/map"
if [ "$up" -eq "$N" ]; then
	ok "$N snmpsimd agents answer"
else
	nok "only $up of $N snmpsimd agents answer"
fi

# ------------------------------------------------------------ discover
# snmpsimd (Python) answers slowly on a busy machine, and an ASan build
# of netcensus is slow too: generous waits (--timeout, --retries, and the
# whole-host SNMP deadline), so that a loaded machine changes how long the
# test takes, never what it reads. Still bounded: timeout 900.
last=$NET.$((9 + N))
if ip netns exec "$SCAN" env NETCENSUS_SNMP_DEADLINE_MS=300000 \
	timeout 900 "$NETCENSUS" discover --no-dns \
	--ports 161/udp --discovery-ports none --timeout 10000 --retries 2 \
	--json \
	"$NET.10-$last" >"$T/out.json" 2>"$T/err"; then
	ok "discover over $N recordings finished"
else
	nok "discover over $N recordings (exit $?)"
	sed 's/^/# /' "$T/err" | tail -20
fi
[ -n "${SNMPREC_OUT:-}" ] && cp "$T/out.json" "$SNMPREC_OUT"
jq -e 'type == "array"' "$T/out.json" >/dev/null || {
	nok "discover printed a JSON array"
	tap_finish
}

# ------------------------------------------------------------- compare
# One row per recording: what netcensus said against the expectation.
# A value "a|b" accepts either; null means the recording names nothing
# (not counted), for the counts too (a set that copies only the system
# group and ENTITY-MIB counts no interfaces). os: a text that netcensus's
# os_name must contain.
awk '{ printf "%s\t%s\n", $2, $1 }' "$T/map" |
	jq -R 'split("\t") | {(.[0]): .[1]}' | jq -s add >"$T/addr.json"
# shellcheck disable=SC2086
jq -s add $EXPECT >"$T/expect.json" || { nok "expectations (jq)"; tap_finish; }
jq --slurpfile exp "$T/expect.json" --slurpfile addr "$T/addr.json" '
  def ok($want; $got):
    if $want == null then null
    else ($want | split("|")) as $alts | any($alts[]; . == ($got // "")) end;
  . as $reports
  | [ $exp[0][] | select($addr[0][.file]) | . as $e
      | ($reports | map(select(.sys.ip == $addr[0][$e.file])) | .[0]) as $r
      | ($r.sys // {}) as $s
      | { file, set,
          found: ($r != null),
          sys_ok: ((($s.sysName // "") == $e.sysName) and
                   ($s.sysObjectID == $e.sysObjectID)),
          type: ok($e.type; $s.type),
          manufacturer: ok($e.manufacturer; $s.manufacturer),
          model: ok($e.model; $s.model),
          os: (if $e.os == null then null
               else (($s.os_name // "") | contains($e.os)) end),
          interfaces: (if $e.interfaces == null then null
                       else ((($r.network // []) | length) == $e.interfaces)
                       end),
          ipv4: (if $e.ipv4 == null then null
                 else (([($r.ip // [])[] | select(.version == "4")] | length)
                       == $e.ipv4) end),
          got: [$s.type, $s.manufacturer, $s.model, $s.os_name],
          why: ($s.classification // "") } ]
' "$T/out.json" >"$T/rows.json" || { nok "comparison (jq)"; tap_finish; }
[ -n "${SNMPREC_OUT:-}" ] && cp "$T/rows.json" "$SNMPREC_OUT.rows"

# Per set: every device found with exact sysName/sysObjectID; type,
# manufacturer and interface/IPv4 counts right on >= 90 %, model on
# >= 80 % of those whose recording names one (the issue's targets). The
# development set must meet them (the rules were written against it: a
# regression check); every other set (the evaluation recordings) is
# measured and reported, not asserted, except that each of its devices is
# found with exact sysName/sysObjectID and nothing crashed (the run above).
for set in $(jq -r 'map(.set) | unique | .[]' "$T/rows.json"); do
	for f in found sys_ok type manufacturer model os interfaces ipv4; do
		# shellcheck disable=SC2046
		set -- $(jq -r --arg s "$set" --arg f "$f" \
			'map(select(.set == $s and .[$f] != null)) |
			 "\(map(select(.[$f] == true)) | length) \(length)"' \
			"$T/rows.json")
		good=$1 all=$2
		[ "$all" -gt 0 ] || continue
		case $f in
		found|sys_ok) need=100 ;;
		model) need=80 ;;
		os) need=0 ;;	# reported; the issue sets no target
		*) need=90 ;;
		esac
		if [ "$set" != dev ] && [ "$f" != found ] &&
			[ "$f" != sys_ok ]; then
			echo "# $set: $f right on $good of $all" \
				"($((good * 100 / all)) %, target $need %)"
		elif [ $((good * 100)) -ge $((need * all)) ]; then
			ok "$set: $f right on $good of $all (target $need %)"
		else
			nok "$set: $f right on only $good of $all (target $need %)"
		fi
	done
	jq -r --arg s "$set" 'map(select(.set == $s))[] |
		[.file, (to_entries | map(select(.value == false) | .key) |
		 join(",")), (.got | map(. // "-") | join(" / "))] |
		select(.[1] != "") | "# \(.[0]): wrong \(.[1]); got \(.[2])"' \
		"$T/rows.json"
done

tap_finish
