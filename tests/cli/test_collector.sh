#!/bin/sh
# `netcensus collector` against a real server on loopback (HTTPS with the
# server's self-signed certificate): refused with a clear message and
# nothing stored for a plain http:// URL, a wrong token, an untrusted
# certificate or a wrong pin; registers with --ca and with the right pin;
# runs a discovery assigned to it (127.0.0.1 only) and the device lands in
# the discovery's org, once, with the run's state and log from the
# collector, the server's own runner leaving the run alone; the SNMP
# secret of the job is in no spool file and no log; a re-sent item is
# stored once; a collector token reaches nothing else (other runs, the
# device list, another collector's jobs, jobs over plain HTTP); a job
# whose target is outside the collector's --subnets is refused before
# anything is sent; PATCH enabled=false holds jobs back, DELETE revokes
# the token. TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq sqlite3 openssl
need_netcensus

tmp_init collector
SECRET=CollectorS3cretCommunity42
SERVE_SCHEME=https
# serve_start picks a new port for its own listener when another process
# took it first; the second listener's port gets the same three tries here
for _try in 1 2 3; do
	HTTP_PORT=$(free_port)
	serve_start "$T/log" --tls-self-signed --data "$T" \
		--access-log "$T/access.log" \
		--listen "http://127.0.0.1:$HTTP_PORT" && break
	grep -q "cannot listen on 127.0.0.1:$HTTP_PORT" "$T/log" &&
		[ "$_try" -lt 3 ] || { cat "$T/log"; skip_all "server did not start"; }
	[ -n "$PID" ] && wait "$PID" 2>/dev/null
	PID=
	PORT=
done
CRT=$T/tls-self-signed.crt
export CURL_CA_BUNDLE="$CRT" # for the test's own curl; libcurl ignores it
TOKEN=$(admin_token admin)
for u in site-a site-b; do
	echo "pw-$u-long-enough" | "$NETCENSUS" admin --db "$DB" user add "$u" \
		--role collector >/dev/null 2>&1
done
TA=$(admin_token site-a)
TB=$(admin_token site-b)
printf '%s\n' "$TA" >"$T/ta"
printf '%s\n' "$TB" >"$T/tb"
req POST /api/v1/orgs -d '{"name":"west"}'
WEST=$(J .id)
req POST /api/v1/credentials -d "{\"name\":\"c1\",\"type\":\"snmp\",\"community\":\"$SECRET\"}"
CRED=$(J .id)
check "cast made (tokens, org west $WEST, credential $CRED)" \
	test -n "$TA" -a -n "$TB" -a "$WEST" -gt 1 -a "$CRED" -gt 0

# as TOKEN METHOD PATH [CURL-ARGS...]: req with another token
as() {
	_as_keep=$TOKEN
	TOKEN=$1
	shift
	req "$@"
	TOKEN=$_as_keep
}
# collector ARGS...: runs it in the foreground, exit status in RC, stderr
# in $T/c.err
collector() {
	"$NETCENSUS" collector --spool "$T/spool-x" --poll 1 --retry-max 1 \
		"$@" 2>"$T/c.err" >/dev/null
	RC=$?
}
lines() { wc -l <"$T/access.log"; }

# ---- refused before anything is stored ----
collector --server "http://127.0.0.1:$HTTP_PORT" --token-file "$T/ta" --name x
check "plain http:// without --insecure-http: exit 2, says why" \
	eval '[ $RC = 2 ] && grep -q "plain HTTP" "$T/c.err"'
collector --server "$U" --token nc_wrong_token_0000 --ca "$CRT" --name x
check "a wrong token: exit 2, 'wrong or revoked'" \
	eval '[ $RC = 2 ] && grep -q "wrong or revoked" "$T/c.err"'
L0=$(lines)
collector --server "$U" --token-file "$T/ta" --name x
L1=$(lines)
check "an untrusted certificate: exit 2, 'not trusted', no request reached the server" \
	eval '[ $RC = 2 ] && grep -q "not trusted" "$T/c.err" && [ "$L0" = "$L1" ]'
collector --server "$U" --token-file "$T/ta" --name x \
	--pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
L2=$(lines)
check "a wrong pin: exit 2, nothing reached the server" \
	eval '[ $RC = 2 ] && grep -q "not trusted" "$T/c.err" && [ "$L1" = "$L2" ]'
req GET /api/v1/collectors
check "no collector was registered by any of them" test "$(J .count)" = 0

PIN=sha256//$(openssl x509 -in "$CRT" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
"$NETCENSUS" collector --server "$U" --token-file "$T/tb" --name site-b \
	--pin "$PIN" --subnets 198.18.0.0/24 --spool "$T/spool-b" --poll 1 \
	--retry-max 1 2>"$T/b.err" &
CB=$!
BG_PIDS="$BG_PIDS $CB"
"$NETCENSUS" -v collector --server "$U" --token-file "$T/ta" --name site-a \
	--ca "$CRT" --spool "$T/spool-a" --poll 1 --retry-max 1 2>"$T/a.err" &
CA=$!
BG_PIDS="$BG_PIDS $CA"
online() {
	req GET /api/v1/collectors
	[ "$(jq -r "[.results[] | select(.state == \"online\")] | length" "$T/body")" = 2 ]
}
if wait_until "$WAIT_LONG" online; then
	ok "site-a (--ca) and site-b (--pin) registered and online"
else
	nok "collectors online"
	sed 's/^/# /' "$T/a.err" "$T/b.err" "$T/body"
fi
check "site-a's subnets are its interfaces' (127.0.0.0/8 among them)" \
	jq -e '.results[] | select(.name == "site-a") | .subnets | index("127.0.0.0/8")' "$T/body"
A_ID=$(jq '.results[] | select(.name == "site-a") | .id' "$T/body")

# ---- a discovery assigned to site-a ----
req POST /api/v1/discoveries -H 'Content-Type: application/json' -d "{\"name\":\"d1\",\"targets\":\"127.0.0.1\",\"org_id\":$WEST,\"collector\":\"site-a\",\"credentials\":[$CRED],\"options\":{\"dns\":false,\"ports\":\"$PORT,161/udp\"}}"
D1=$(J .id)
check "discovery d1 assigned to site-a (collector $A_ID)" \
	test "$S" = 201 -a "$(J .collector)" = "$A_ID"
req POST "/api/v1/discoveries/$D1/run"
R1=$(J .id)
run_ended() { # run_ended RUN
	req GET "/api/v1/discovery-runs/$1"
	case $(J .state) in queued | running) return 1 ;; esac
}
wait_until "$WAIT_LONG" run_ended "$R1"
check "the run ends done, told by the collector (message names site-a)" \
	eval '[ "$(J .state)" = done ] && J .message | grep -q "collector .site-a."'
check "its counters: 1 address, 1 alive, 1 device stored" \
	eval '[ "$(J .addresses_total)" = 1 ] && [ "$(J .alive)" = 1 ] && [ "$(J .devices_stored)" = 1 ]'
check "its log arrived: discovery alive 1, ports open, store created 1" \
	eval '[ "$(J .log_counts.discovery.alive)" = 1 ] && [ "$(J .log_counts.store.created)" = 1 ]'
req GET "/api/v1/devices?ip=127.0.0.1"
check "one device 127.0.0.1, in the discovery's org (west)" \
	eval '[ "$(J .count)" = 1 ] && [ "$(J ".results[0].org_id")" = "$WEST" ]'
DEV=$(J '.results[0].id')
spool_items() { find "$1" -maxdepth 1 -name '*.json' ! -name 'run-*' | wc -l; }
check "site-a's spool is empty once the server stored everything" \
	wait_until "$WAIT_LONG" eval '[ "$(spool_items "$T/spool-a")" = 0 ]'
if grep -rq "$SECRET" "$T/spool-a" "$T/a.err" "$T/b.err" "$T/log"; then
	nok "the SNMP secret is in a spool file or a log"
else
	ok "the SNMP secret is in no spool file and no log"
fi

# ---- a re-sent item is stored once ----
# (127.0.0.1 never identifies a device - every host has it - so each
# report of it that is stored makes a new device: a re-send stored twice
# would show as two)
ITEM="{\"id\":\"0123456789abcdef0123456789abcdef\",\"kind\":\"report\",\"run_id\":$R1,\"body\":{\"report\":{\"sys\":{\"ip\":\"127.0.0.1\"}},\"ssh\":null}}"
as "$TA" POST /api/v1/collectors/results -d "$ITEM"
S1=$S
as "$TA" POST /api/v1/collectors/results -d "$ITEM"
S2=$S
R2=$(J .result)
req GET "/api/v1/devices?ip=127.0.0.1"
check "the same item twice: 201 stored, then 200 duplicate; one device more, not two" \
	eval '[ "$S1" = 201 ] && [ "$S2" = 200 ] && [ "$R2" = duplicate ] && [ "$(J .count)" = 2 ]'
req GET "/api/v1/discovery-runs/$R1"
check "the run's log has one more store row, not two" \
	test "$(J .log_counts.store.created)" = 2

# ---- what a collector token cannot do ----
as "$TA" GET /api/v1/devices
check "a collector token lists no devices: 403" test "$S" = 403
req POST /api/v1/discoveries -d '{"name":"own","targets":"127.0.0.1","options":{"dns":false,"ports":"1"}}'
D0=$(J .id)
as "$TA" POST /api/v1/collectors/results \
	-d "{\"id\":\"fedcba9876543210fedcba9876543210\",\"kind\":\"report\",\"run_id\":$R1,\"body\":{\"report\":{\"sys\":{\"ip\":\"127.0.0.1\"}}}}"
as "$TB" POST /api/v1/collectors/results \
	-d "{\"id\":\"fedcba9876543210fedcba9876543211\",\"kind\":\"report\",\"run_id\":$R1,\"body\":{\"report\":{\"sys\":{\"ip\":\"127.0.0.9\"}}}}"
check "site-b posting into site-a's run: 403 'not one of this collector's runs'" \
	eval '[ "$S" = 403 ] && J .error | grep -q "not one of this collector"'
as "$TB" POST /api/v1/collectors/register -d '{"name":"site-a"}'
check "site-b registering as site-a: 409" test "$S" = 409
as "$TB" GET /api/v1/collectors
check "a collector token cannot list collectors: 403" test "$S" = 403
S=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TA" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/collectors/jobs")
check "jobs over plain HTTP: 403 'only over HTTPS'" \
	eval '[ "$S" = 403 ] && J .error | grep -q "only over HTTPS"'

# site-a disabled: its queued run waits, site-b never gets it
req PATCH "/api/v1/collectors/$A_ID" -d '{"enabled":false}'
check "PATCH enabled=false: 200" test "$S" = 200
req POST "/api/v1/discoveries/$D1/run"
R3=$(J .id)
as "$TB" GET /api/v1/collectors/jobs
check "site-b's jobs hold none of site-a's runs" test "$(J '.jobs | length')" = 0
as "$TA" GET /api/v1/collectors/jobs
check "disabled site-a gets 403 'disabled'" \
	eval '[ "$S" = 403 ] && J .error | grep -q disabled'
req GET "/api/v1/discovery-runs/$R3"
check "run $R3 stays queued (neither the server's runner nor site-b took it)" \
	test "$(J .state)" = queued
req PATCH "/api/v1/collectors/$A_ID" -d '{"enabled":true}'
wait_until "$WAIT_LONG" run_ended "$R3"
check "enabled again: site-a runs it (done)" test "$(J .state)" = done

# ---- a job outside the collector's subnets ----
req POST /api/v1/discoveries -d "{\"name\":\"d2\",\"targets\":\"127.0.0.1\",\"collector\":\"site-b\",\"options\":{\"dns\":false,\"ports\":\"$PORT\"}}"
D2=$(J .id)
req POST "/api/v1/discoveries/$D2/run"
R4=$(J .id)
wait_until "$WAIT_LONG" run_ended "$R4"
check "site-b (--subnets 198.18.0.0/24) refuses 127.0.0.1: failed, says why" \
	eval '[ "$(J .state)" = failed ] && J .message | grep -q "outside the subnets"'
check "... and sent nothing: the run has no discovery log rows" \
	test "$(J '.log_counts.discovery // {} | length')" = 0

# ---- the collectors' page data, and DELETE ----
req GET "/api/v1/collectors/$A_ID"
check "GET /collectors/ID: online, recent runs $R3 and $R1 done" \
	eval '[ "$(J .state)" = online ] && [ "$(J "[.recent_runs[] | select(.state == \"done\")] | length")" = 2 ]'
kill -TERM "$CA"
wait "$CA"
check "SIGTERM: the collector exits 0" test $? = 0
req DELETE "/api/v1/collectors/$A_ID"
check "DELETE /collectors/ID: 204" test "$S" = 204
as "$TA" POST /api/v1/collectors/register -d '{"name":"site-a"}'
check "its token is revoked: register gets 401" test "$S" = 401
req GET "/api/v1/discoveries/$D1"
check "its discovery goes back to the server (collector null)" \
	test "$(J .collector)" = null
kill -TERM "$CB"
wait "$CB"
tap_finish
