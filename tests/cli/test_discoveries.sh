#!/bin/sh
# Locations and discoveries in the server, on loopback only (127.0.0.0/8):
# location CRUD and its checks; discovery definitions checked whole;
# runs queued, run by the server's engine, live progress while running,
# the log and its counts, devices stored in the discovery's org; the run
# options the server built equal those of `discover --discovery ID`; a run
# cancelled while queued; a run stopped by SIGTERM and one killed with
# SIGKILL marked "interrupted" by the next server once its lease ran out
# (--lease-seconds 3 here; 60 by default), keeping what they stored; queued runs running after a restart; /metrics. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init disc

# run_is RUN JQ: the run (read now, into $T/body) satisfies JQ
run_is() {
	req GET "/api/v1/discovery-runs/$1"
	jq -e "$2" "$T/body"
}
# wait_state RUN STATE: waits (WAIT_LONG at most) until the run is in STATE
wait_state() {
	wait_until "$WAIT_LONG" run_is "$1" ".state == \"$2\""
}

serve_start "$T/log1" || { cat "$T/log1"; skip_all "server did not start"; }
TOKEN=$(admin_token admin)
[ -n "$TOKEN" ] || { nok "admin token"; tap_finish; }

# ---- locations ----
req POST /api/v1/locations -d '{"name":"Brisbane DC","city":"Brisbane","latitude":-27.47,"longitude":153.02}'
LOC=$(J .id)
check "location created: 201 with its fields" \
	test "$S" = 201 -a "$(J .city)" = Brisbane -a "$(J .latitude)" = -27.47 -a "$(J .devices)" = 0
req POST /api/v1/locations -d '{"name":"Brisbane DC"}'
check "same name in the same org: 409" test "$S" = 409
req POST /api/v1/locations -d '{"city":"x"}'
check "no name: 400 naming it" test "$S" = 400 -a "$(J .field)" = name
req POST /api/v1/locations -d '{"name":"x","latitude":91}'
check "latitude out of range: 400" test "$S" = 400 -a "$(J .field)" = latitude
req POST /api/v1/locations -d '{"name":"x","floor":3}'
check "unknown field: 400 naming it" test "$S" = 400 -a "$(J .field)" = floor
req PATCH "/api/v1/locations/$LOC" -d '{"address":"1 Queen St","latitude":null}'
check "PATCH sets and clears fields" test "$S" = 200 -a "$(J .address)" = "1 Queen St" -a "$(J .latitude)" = null
req GET /api/v1/locations
check "list envelope with the location" test "$S" = 200 -a "$(J .count)" = 1 -a "$(J '.results[0].name')" = "Brisbane DC"
req GET /api/v1/locations/99
check "missing location: 404" test "$S" = 404

# ---- discovery definitions ----
req POST /api/v1/credentials -d '{"name":"lo snmp","type":"snmp","community":"discS3cret"}'
CRED=$(J .id)
req POST /api/v1/discoveries -d '{"name":"bad","targets":"198.18.0.0/33"}'
check "bad targets: 400 on targets" test "$S" = 400 -a "$(J .field)" = targets
req POST /api/v1/discoveries -d '{"name":"bad","targets":"example.com"}'
check "host names are refused (nothing resolved for the caller)" test "$S" = 400 -a "$(J .field)" = targets
req POST /api/v1/discoveries -d '{"name":"bad","targets":"127.0.0.1","options":{"rate":"fast"}}'
check "option of the wrong type: 400 naming it" test "$S" = 400 -a "$(J .field)" = rate
req POST /api/v1/discoveries -d '{"name":"bad","targets":"127.0.0.1","options":{"ports":"22,99999"}}'
check "bad port list: 400" test "$S" = 400 -a "$(J .field)" = ports
# Active Directory: the DC and a credential that can bind are required;
# an ldap credential (bind_dn + password) binds, encrypted like the others
req POST /api/v1/discoveries -d "{\"name\":\"ad\",\"options\":{\"ad_server\":\"\"},\"credentials\":[$CRED]}"
check "AD discovery without a DC: 400 on ad_server" test "$S" = 400 -a "$(J .field)" = ad_server
req POST /api/v1/discoveries -d "{\"name\":\"ad\",\"options\":{\"ad_server\":\"dc1.lab.test\"},\"credentials\":[$CRED]}"
check "AD discovery with only an snmp credential: 400 on credentials ($(J .error))" \
	test "$S" = 400 -a "$(J .field)" = credentials
req POST /api/v1/credentials -d '{"name":"ad bind","type":"ldap","bind_dn":"svc-reader","password":"ldapS3cret-9"}'
check "ldap credential with a bind_dn that is no directory name: 400 on bind_dn" \
	test "$S" = 400 -a "$(J .field)" = bind_dn
req POST /api/v1/credentials -d '{"name":"ad bind","type":"ldap","bind_dn":"CN=reader,CN=Users,DC=lab,DC=test"}'
check "ldap credential without a password: 400 on password" \
	test "$S" = 400 -a "$(J .field)" = password
req POST /api/v1/credentials -d '{"name":"ad bind","type":"ldap","bind_dn":"CN=reader,CN=Users,DC=lab,DC=test","password":"ldapS3cret-9"}'
LCRED=$(J .id)
check "ldap credential stored: 201" test "$S" = 201
req GET /api/v1/credentials
check "the ldap password is never returned, its bind_dn is" \
	sh -c "! grep -q ldapS3cret-9 '$T/body' && grep -q 'CN=reader,CN=Users' '$T/body'"
check "the ldap password is encrypted at rest" \
	eval 'db_dump >"$T/dump.sql" && ! grep -q ldapS3cret-9 "$T/dump.sql"'
req POST /api/v1/discoveries -d "{\"name\":\"ad\",\"options\":{\"ad_server\":\"dc1.lab.test\"},\"credentials\":[$LCRED]}"
check "AD discovery with the ldap credential: 201" test "$S" = 201
req DELETE "/api/v1/discoveries/$(J .id)"
req POST /api/v1/discoveries -d '{"name":"bad","targets":"127.0.0.1","credentials":[4242]}'
check "unknown credential: 400" test "$S" = 400 -a "$(J .field)" = credentials
req POST /api/v1/discoveries -d '{"name":"bad","targets":"127.0.0.1","options":{"speed":1}}'
check "unknown option: 400 naming it" test "$S" = 400 -a "$(J .field)" = speed
req POST /api/v1/discoveries -d "{\"name\":\"lo small\",\"targets\":\"127.0.0.1, 127.0.0.2-127.0.0.4\",\"exclude\":\"127.0.0.3\",\"credentials\":[$CRED],\"options\":{\"dns\":false,\"ports\":\"22,$PORT\",\"timeout_ms\":300}}"
SMALL=$(J .id)
check "discovery created: 201, credentials by id, no secret" \
	sh -c "[ $S = 201 ] && [ \"\$(jq -c .credentials '$T/body')\" = '[$CRED]' ] && ! grep -q discS3cret '$T/body'"
req POST /api/v1/discoveries -d '{"name":"lo small","targets":"127.0.0.1"}'
check "same name: 409" test "$S" = 409
req PATCH "/api/v1/discoveries/$SMALL" -d '{"targets":"not an address"}'
check "PATCH is checked too: 400" test "$S" = 400
req GET "/api/v1/discoveries/$SMALL"
check "definition unchanged after a refused PATCH" test "$(J .targets)" = "127.0.0.1, 127.0.0.2-127.0.0.4"
req PATCH "/api/v1/discoveries/$SMALL" -d '{"exclude":""}'
check "PATCH exclude \"\" clears it (null), the rest unchanged" \
	test "$S" = 200 -a "$(J .exclude)" = null -a "$(J .options.ports)" = "22,$PORT"
req PATCH "/api/v1/discoveries/$SMALL" -d '{"exclude":"127.0.0.3"}'
check "PATCH sets it again" test "$S" = 200 -a "$(J .exclude)" = 127.0.0.3

# ---- a run, start to end ----
req POST "/api/v1/discoveries/$SMALL/run"
RUN=$(J .id)
check "run queued: 202 with its URL" test "$S" = 202 -a "$(J .url)" = "/api/v1/discovery-runs/$RUN"
if wait_state "$RUN" done; then ok "the run ends done"; else nok "the run ends done (state $(J .state))"; fi
check "counters: 3 addresses (one excluded), 3 alive, 3 stored" \
	test "$(J .addresses_total)/$(J .addresses_done)/$(J .alive)/$(J .devices_stored)" = 3/3/3/3
check "log counted by stage and outcome" \
	test "$(J '.log_counts.discovery.alive')" = 3 -a "$(J '.log_counts.store.created')" = 3
sed -n "s/.*discovery run $RUN options: //p" "$T/log1" | jq -S . >"$T/opt-server.json" 2>/dev/null
"$NETCENSUS" discover --db "$DB" --discovery "$SMALL" --dry-run --json 2>/dev/null |
	jq -S . >"$T/opt-cli.json" 2>/dev/null
check "the server's run and 'discover --discovery $SMALL' build identical options (3 addresses, credential $CRED, ports 22,$PORT)" \
	sh -c "[ -s '$T/opt-server.json' ] && cmp -s '$T/opt-server.json' '$T/opt-cli.json' && jq -e '.targets.addresses == 3 and .credentials[0].id == $CRED and .tcp_ports != null' '$T/opt-cli.json' >/dev/null"
# one table of defaults: a definition that sets no option and the command
# line with no option build the same run (what credentials each brings
# aside: the command line's default community, the stored SSH facts)
req POST /api/v1/discoveries -d '{"name":"defaults","targets":"127.0.0.1"}'
DEFS=$(J .id)
"$NETCENSUS" discover --db "$DB" --discovery "$DEFS" --dry-run --json 2>/dev/null |
	jq -S 'del(.credentials, .snmp, .ssh_known)' >"$T/def-api.json" 2>/dev/null
"$NETCENSUS" discover --db "$DB" --dry-run --json 127.0.0.1 2>/dev/null |
	jq -S 'del(.credentials, .snmp, .ssh_known)' >"$T/def-cli.json" 2>/dev/null
check "an API definition with no options and 'discover' with no flags build the same run options (SSH $(jq -c .ssh "$T/def-cli.json" 2>/dev/null), SMB $(jq -c .smb "$T/def-cli.json" 2>/dev/null))" \
	sh -c "[ -s '$T/def-cli.json' ] && cmp -s '$T/def-api.json' '$T/def-cli.json' && jq -e '.ssh.timeout_ms == 5000 and .ssh.command_timeout_ms == 60000 and .smb.timeout_ms == 5000 and .winrpc.timeout_ms == 10000 and .pool.ssh_jobs == 16' '$T/def-cli.json' >/dev/null"
req GET "/api/v1/discovery-runs/$RUN/log"
check "the log lists every address" \
	test "$(J '[.results[].ip] | unique | join(",")')" = "127.0.0.1,127.0.0.2,127.0.0.4"
check "the log has the open port of this server" \
	test "$(J "[.results[] | select(.stage == \"ports\" and .outcome == \"open\")] | length")" -ge 1
req GET "/api/v1/devices?ip__isw=127.0.0.&ordering=ip"
check "devices stored in the discovery's org" \
	test "$(J '[.results[].ip] | join(",")')" = "127.0.0.1,127.0.0.2,127.0.0.4"
DEV=$(J '.results[0].id')
req GET "/api/v1/discoveries/$SMALL"
check "definition shows its last run" test "$(J .last_run.id)" = "$RUN" -a "$(J .last_run.state)" = done
check "the secret is not in the server log" sh -c "! grep -q discS3cret '$T/log1'"

# a device in the location; renaming carries it; delete refused
req PATCH "/api/v1/devices/$DEV" -d '{"location":"Brisbane DC"}'
req GET "/api/v1/locations/$LOC"
check "location counts the device naming it" test "$(J .devices)" = 1
req PATCH "/api/v1/locations/$LOC" -d '{"name":"BNE1"}'
req GET "/api/v1/devices/$DEV"
check "renaming the location renames the device's location" test "$(J .location)" = BNE1
req DELETE "/api/v1/locations/$LOC"
check "delete refused while a device is in it: 409" test "$S" = 409
req PATCH "/api/v1/devices/$DEV" -d '{"location":null}'
req DELETE "/api/v1/locations/$LOC"
check "delete after the device moved: 204" test "$S" = 204

# ---- a long run: live progress, 409, a queued run cancelled ----
# 1024 addresses at 40 packets/s: at least 25 s of running, so that the
# checks below, which need it running, are not raced by its end on a busy
# machine (it is stopped long before)
req POST /api/v1/discoveries -d '{"name":"lo big","targets":"127.1.0.0/22","options":{"dns":false,"ports":"22","rate":40,"timeout_ms":200,"retries":0}}'
BIG=$(J .id)
req POST /api/v1/discoveries -d '{"name":"lo later","targets":"127.0.0.5","options":{"dns":false,"ports":"22"}}'
LATER=$(J .id)
req POST "/api/v1/discoveries/$BIG/run"
BRUN=$(J .id)
wait_state "$BRUN" running
# live progress shows once the first addresses are done
wait_until "$WAIT_LONG" run_is "$BRUN" '.progress.done > 0 and .progress.eta_s != null'
check "live progress while running: total, done, alive, stages, eta" \
	sh -c "jq -e '.state == \"running\" and .progress.total == 1024 and .progress.done > 0 and .progress.done < 1024 and (.progress.stages | has(\"discovery\")) and (.progress.eta_s > 0)' '$T/body' >/dev/null"
req POST "/api/v1/discoveries/$BIG/run"
check "running it again while it runs: 409" test "$S" = 409
req POST "/api/v1/discoveries/$LATER/run"
QRUN=$(J .id)
req GET "/api/v1/discovery-runs/$QRUN"
check "a second discovery waits queued (one worker)" test "$(J .state)" = queued
req POST "/api/v1/discovery-runs/$QRUN/cancel"
check "cancel a queued run: 202, then cancelled" \
	sh -c "[ $S = 202 ] && curl -s -H 'Authorization: Bearer $TOKEN' '$U/api/v1/discovery-runs/$QRUN' | jq -e '.state == \"cancelled\"' >/dev/null"
req DELETE "/api/v1/discoveries/$BIG"
check "delete refused while its run is running: 409" test "$S" = 409
# the ticker writes the live counters to the run's row now and then
ticked() {
	req GET "/api/v1/discovery-runs"
	jq -e ".results[] | select(.id == $BRUN) | .addresses_done > 0" "$T/body"
}
wait_until "$WAIT_LONG" ticked
check "the run list shows progress written by the ticker" \
	sh -c "jq -e '.results[] | select(.id == $BRUN) | .addresses_done > 0' '$T/body' >/dev/null"
req GET /metrics
check "metrics: requests, intakes, runs by state, live addresses" \
	sh -c "grep -q '^netcensus_http_requests_total{code=\"2xx\"} [1-9]' '$T/body' && grep -q '^netcensus_intakes_total{result=\"created\"} ' '$T/body' && grep -q '^netcensus_discovery_runs{state=\"running\"} 1' '$T/body' && grep -q '^netcensus_discovery_addresses{run=\"$BRUN\",kind=\"done\"} [1-9]' '$T/body'"
# queue one more, then stop the server mid-run
req POST "/api/v1/discoveries/$LATER/run"
Q2=$(J .id)
serve_stop
check "SIGTERM during a run: exit 0" test $? = 0

serve_start "$T/log2" --lease-seconds 3 || nok "restart"
req GET "/api/v1/discovery-runs/$BRUN"
check "the run stopped by SIGTERM is interrupted, its finds stored" \
	sh -c "jq -e '.state == \"interrupted\" and .devices_stored > 0 and .addresses_done < 1024' '$T/body' >/dev/null"
STORED=$(J .devices_stored)
req GET "/api/v1/devices?ip__isw=127.1.&limit=1"
check "its devices are in the inventory" test "$(J .count)" = "$STORED"
if wait_state "$Q2" done; then ok "the run queued before the stop runs after the restart"; else nok "queued run after restart ($(J .state))"; fi

# ---- a crash: SIGKILL mid-run, marked interrupted at the next start ----
req POST "/api/v1/discoveries/$BIG/run"
KRUN=$(J .id)
wait_state "$KRUN" running
kill -KILL "$PID"
wait "$PID" 2>/dev/null
PID=
serve_start "$T/log3" --lease-seconds 3 || nok "restart after SIGKILL"
wait_state "$KRUN" interrupted
req GET "/api/v1/discovery-runs/$KRUN"
check "a run killed with the server is interrupted by the next one once its lease ran out" \
	sh -c "jq -e '.state == \"interrupted\" and (.message | test(\"interrupted\"))' '$T/body' >/dev/null"
check "the server says so" grep -q 'marked interrupted' "$T/log3"
req POST "/api/v1/discovery-runs/$KRUN/cancel"
check "cancel a finished run: 409" test "$S" = 409
req DELETE "/api/v1/discoveries/$BIG"
check "delete a discovery with finished runs: 204" test "$S" = 204
req GET "/api/v1/discovery-runs/$KRUN"
check "its runs went with it" test "$S" = 404

tap_finish
