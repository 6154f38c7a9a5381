#!/bin/sh
# A collector in the namespace lab (docs/collectors.md): the server runs
# in a namespace of its own (PREFIX-srv) that reaches only the collector,
# over one veth; the collector runs in the lab's scanner namespace, the
# only one that reaches the lab LAN. A discovery of the LAN assigned to
# the collector is stored at the server in the discovery's org, and it
# survives, one run each:
#   1. the link cut (veth down) mid-run and restored after the run ended
#      at the collector: the reports waited in the spool;
#   2. the collector killed with SIGKILL mid-run and started again: what
#      it had spooled is uploaded and the run says "interrupted";
#   3. the server stopped mid-run, with reports waiting, and started again.
# Every live host is stored once, none twice, none lost, and each run's
# state says what happened. Waits for conditions (spool files, API rows),
# never for a time. TAP; skips without root.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/snmpd jq curl openssl timeout
need_netcensus

P=ncc$(($$ % 100000))
export NCLAB_QUIET=1 MIBS=
tmp_init coll-lab
SCAN=$P-scan
SRV=$P-srv
SRV_IP=198.19.254.1
COLL_IP=198.19.254.2
SPORT=8443
WAIT_RUN=240 # a run of the LAN at a slow rate, on a busy machine

on_cleanup() {
	ip netns del "$SRV" 2>/dev/null
	"$LAB" down --prefix "$P" >/dev/null 2>&1 || true
}
srv() { ip netns exec "$SRV" "$@"; }
scan() { ip netns exec "$SCAN" "$@"; }

if ! "$LAB" up --prefix "$P" 2>"$T/up.log"; then
	nok "lab.sh up --prefix $P"
	sed 's/^/# /' "$T/up.log"
	tap_finish
fi
"$LAB" truth --prefix "$P" >"$T/truth.json"
LAN=$(jq -r .lan "$T/truth.json")
jq -r '.hosts[] | select(.found) | .ip' "$T/truth.json" | sort >"$T/want"
NWANT=$(wc -l <"$T/want")
if ! "$LAB" check --prefix "$P" 2>/dev/null; then
	nok "scanner namespace has a default route: stopping before sending"
	tap_finish
fi

# the server's namespace: one veth to the scanner namespace, nothing else
ip netns add "$SRV" &&
	ip link add "${P}s0" netns "$SRV" type veth peer name vsrv netns "$SCAN" &&
	ip -n "$SRV" link set lo up &&
	ip -n "$SRV" addr add "$SRV_IP/30" dev "${P}s0" &&
	ip -n "$SRV" link set "${P}s0" up &&
	ip -n "$SCAN" addr add "$COLL_IP/30" dev vsrv &&
	ip -n "$SCAN" link set vsrv up
srv ip route get "$(head -1 "$T/want")" >/dev/null 2>&1 && R=reach || R=none
check "lab up ($NWANT live hosts on $LAN); the server's namespace cannot reach the LAN" \
	test "$R" = none -a -z "$(ip -n "$SRV" route show default)"

# ---- the server ----
SERVER_PID=
server_start() {
	# not through srv(): $! must be the server itself (ip netns exec
	# execs it), not a subshell
	ip netns exec "$SRV" "$NETCENSUS" -v serve --db "$DB" \
		--listen "https://$SRV_IP:$SPORT" --tls-self-signed \
		2>>"$T/server.log" &
	SERVER_PID=$!
	wait_until "$WAIT_LONG" srv curl -sk -o /dev/null \
		"https://$SRV_IP:$SPORT/api/v1/health"
}
server_stop() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
}
server_start || { nok "server starts in $SRV"; sed 's/^/# /' "$T/server.log"; tap_finish; }
BG_PIDS="$BG_PIDS $SERVER_PID"
U=https://$SRV_IP:$SPORT
TOKEN=$("$NETCENSUS" admin --db "$DB" token create --user admin 2>/dev/null)
echo "pw-site-lab-long" | "$NETCENSUS" admin --db "$DB" user add site-lab \
	--role collector >/dev/null 2>&1
"$NETCENSUS" admin --db "$DB" token create --user site-lab 2>/dev/null >"$T/ctoken"
api() { # api METHOD PATH [BODY]: the reply in $T/body, status in S
	S=$(srv curl -s --cacert "$T/tls-self-signed.crt" -o "$T/body" \
		-w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
		"https://localhost:$SPORT$2" --resolve "localhost:$SPORT:$SRV_IP")
}
J() { jq -r "$1" "$T/body"; }
api POST /api/v1/orgs '{"name":"site"}'
ORG=$(J .id)
PIN=sha256//$(openssl x509 -in "$T/tls-self-signed.crt" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)

# ---- the collector ----
CPID=
collector_start() {
	ip netns exec "$SCAN" "$NETCENSUS" -v collector --server "$U" \
		--token-file "$T/ctoken" \
		--pin "$PIN" --name site-lab --subnets "$LAN" --spool "$T/spool" \
		--poll 1 --retry-max 2 2>>"$T/collector.log" &
	CPID=$!
	BG_PIDS="$BG_PIDS $CPID"
}
collector_start
online() {
	api GET /api/v1/collectors
	[ "$(J '.results[0].state')" = online ]
}
check "the collector registers over the veth (pinned key) and is online" \
	wait_until "$WAIT_LONG" online

# a slow run: 256 addresses at 100 packets/s take long enough to cut
# things in the middle
api POST /api/v1/discoveries "{\"name\":\"lan\",\"targets\":\"$LAN\",\"org_id\":$ORG,\"collector\":\"site-lab\",\"options\":{\"dns\":false,\"rate\":100,\"ports\":\"22,80,3389\"}}"
DISC=$(J .id)
check "discovery of $LAN in org $ORG assigned to the collector" test "$S" = 201

run_start() { api POST "/api/v1/discoveries/$DISC/run"; RUN=$(J .id); }
run_state() { api GET "/api/v1/discovery-runs/$1"; J .state; }
run_ended() { case $(run_state "$1") in queued | running | "") return 1 ;; esac; }
stored() { # stored RUN: store rows of the run (created + updated)
	api GET "/api/v1/discovery-runs/$1"
	J '(.log_counts.store.created // 0) + (.log_counts.store.updated // 0)'
}
at_least_stored() { [ "$(stored "$1")" -ge "$2" ]; }
spooled() { find "$T/spool" -maxdepth 1 -name "*-report-*.json" | wc -l; }
spooled_state() { find "$T/spool" -maxdepth 1 -name "*-state.json" | wc -l; }
# the devices of the org: every live host once, nothing else
devices_once() {
	api GET "/api/v1/devices?org_id=$ORG&limit=1000"
	J '.results[].ip' | sort >"$T/got"
	[ "$(sort -u "$T/got" | wc -l)" = "$(wc -l <"$T/got")" ] &&
		cmp -s "$T/got" "$T/want"
}
# the addresses a run stored (its "store" log rows)
run_ips() {
	api GET "/api/v1/discovery-runs/$1/log?limit=1000"
	jq -r '.results[] | select(.stage == "store") | .ip' "$T/body" | sort
}

# ---- 1. the link cut mid-run ----
run_start
R1=$RUN
wait_until "$WAIT_RUN" at_least_stored "$R1" 3
ip -n "$SCAN" link set vsrv down
CUT_AT=$(wc -l <"$T/collector.log")
S1=$(run_state "$R1")
check "run 1: 3 devices stored, then the link is cut while it runs ($S1)" \
	test "$S1" = running
check "run 1: with the link down the collector finishes the run into its spool" \
	wait_until "$WAIT_RUN" eval '[ "$(spooled_state)" -ge 1 ]'
N1=$(spooled)
check "run 1: $N1 reports wait in the spool; the server still says running" \
	eval '[ "$N1" -ge 1 ] && [ "$(run_state "$R1")" = running ]'
noticed() { tail -n "+$CUT_AT" "$T/collector.log" | grep -q "failed ("; }
check "run 1: the collector notices the server is gone (a request failed)" \
	wait_until "$WAIT_LONG" noticed
ip -n "$SCAN" link set vsrv up
check "run 1: link restored: the run ends done at the server" \
	wait_until "$WAIT_RUN" run_ended "$R1"
check "run 1: done, and its message tells of the outage" \
	eval '[ "$(run_state "$R1")" = done ] && J .message | grep -q "unreachable"'
J .message | sed 's/^/# /'
run_ips "$R1" >"$T/r1"
check "run 1: every live host stored once, none twice, none lost ($(wc -l <"$T/r1") of $NWANT)" \
	cmp -s "$T/r1" "$T/want"
check "the org holds every live host once and nothing else" devices_once

# ---- 2. the collector killed with SIGKILL mid-run ----
run_start
R2=$RUN
wait_until "$WAIT_RUN" at_least_stored "$R2" 3
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null
S2=$(run_state "$R2")
check "run 2: 3 devices stored, then the collector is killed (-9) while it runs ($S2)" \
	test "$S2" = running
check "run 2: a run marker is left in the spool" \
	test -n "$(find "$T/spool" -maxdepth 1 -name 'run-*.json')"
collector_start
check "run 2: restarted, the collector reports it interrupted" \
	wait_until "$WAIT_RUN" run_ended "$R2"
msg_says() { run_state "$1" >/dev/null; J .message | grep -q "$2"; }
check "run 2: interrupted, and the message says the collector stopped while it ran" \
	eval 'wait_until "$WAIT_LONG" msg_says "$R2" "collector stopped while it ran" &&
		[ "$(run_state "$R2")" = interrupted ]'
check "run 2: its spool is uploaded and empty, the marker gone" \
	wait_until "$WAIT_LONG" eval '[ "$(spooled)" = 0 ] && [ -z "$(find "$T/spool" -maxdepth 1 -name "run-*.json")" ]'
run_ips "$R2" >"$T/r2"
check "run 2: what it stored is stored once ($(wc -l <"$T/r2") hosts, no address twice)" \
	eval '[ -s "$T/r2" ] && [ "$(sort -u "$T/r2" | wc -l)" = "$(wc -l <"$T/r2")" ]'
check "the org still holds every live host once" devices_once

# ---- 3. the server stopped mid-run, restarted with reports waiting ----
run_start
R3=$RUN
wait_until "$WAIT_RUN" at_least_stored "$R3" 3
server_stop
SRC=$?
check "run 3: 3 devices stored, then the server stops (SIGTERM) mid-run (exit $SRC)" \
	eval '[ "$SRC" = 0 ] && ! kill -0 "$SERVER_PID" 2>/dev/null'
check "run 3: reports pile up in the collector's spool" \
	wait_until "$WAIT_RUN" eval '[ "$(spooled)" -ge 2 ]'
server_start
BG_PIDS="$BG_PIDS $SERVER_PID"
check "run 3: the server back, the run ends" wait_until "$WAIT_RUN" run_ended "$R3"
check "run 3: done (the server's restart did not interrupt a collector's run)" \
	test "$(run_state "$R3")" = done
run_ips "$R3" >"$T/r3"
check "run 3: every live host stored once, none twice, none lost ($(wc -l <"$T/r3") of $NWANT)" \
	cmp -s "$T/r3" "$T/want"
check "the org holds every live host once and nothing else" devices_once

# ---- 4. cancelled through the API mid-run ----
run_start
R4=$RUN
wait_until "$WAIT_RUN" at_least_stored "$R4" 3
api POST "/api/v1/discovery-runs/$R4/cancel"
check "run 4: cancel while the collector runs it: 202 stopping" \
	eval '[ "$S" = 202 ] && [ "$(J .state)" = stopping ]'
check "run 4: the collector stops it and says so (cancelled, its counters)" \
	wait_until "$WAIT_RUN" msg_says "$R4" "spooled by collector"
check "run 4: cancelled before every address was done" \
	eval '[ "$(run_state "$R4")" = cancelled ] && [ "$(J .addresses_done)" -lt 256 ]'
check "the org still holds every live host once" devices_once
api GET /api/v1/collectors
check "the collector's page: online, spool empty, none dropped" \
	eval '[ "$(J ".results[0].state")" = online ] && [ "$(J ".results[0].spool_dropped")" = 0 ]'
kill -TERM "$CPID"
wait "$CPID"
check "the collector stops on SIGTERM (exit 0)" test $? = 0
server_stop
tap_finish
