#!/bin/sh
# netcensus audit: the local audit as JSON and as a summary, what import
# makes of it, and --submit against a listener on 127.0.0.1 that records
# the request. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
tmp_init audit
LPID=
on_cleanup() { if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null; fi; }

# packages may come and go while it runs (a shared machine): the counts
# before and after bracket what the audit may have seen
pkgs0=$(dpkg-query -W 2>/dev/null | wc -l)
"$NETCENSUS" audit --json >"$T/a.json" 2>"$T/a.err"
rc=$?
check "audit --json exits 0" eval '[ $rc -eq 0 ]'
check "audit --json is valid JSON" eval 'jq -e . "$T/a.json" >/dev/null'
want=$(hostname | cut -d. -f1)
got=$(jq -r .sys.hostname "$T/a.json")
check "sys.hostname ($got) is hostname ($want)" eval '[ "$got" = "$want" ]'
if command -v dpkg-query >/dev/null; then
	want=$(dpkg-query -W | wc -l)
	got=$(jq '.software | length' "$T/a.json")
	lo=$pkgs0 hi=$want
	[ "$lo" -gt "$hi" ] && lo=$want hi=$pkgs0
	check "software count ($got) equals dpkg-query -W ($want; $pkgs0 before)" \
		eval '[ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ]'
fi
. /etc/os-release
got=$(jq -r .sys.os_name "$T/a.json")
check "sys.os_name is PRETTY_NAME" eval '[ "$got" = "$PRETTY_NAME" ]'
want=$(ip -j addr | jq '[.[].addr_info[]] | length')
got=$(jq '.ip | length' "$T/a.json")
check "addresses ($got) equal ip -j addr ($want)" eval '[ "$got" -eq "$want" ]'
check "every value is a string" \
	eval '[ "$(jq "[.sys[], (.[] | arrays | .[] | .[])] | map(select(type != \"string\")) | length" "$T/a.json")" -eq 0 ]'

"$NETCENSUS" audit >"$T/s.txt" 2>&1
rc=$?
check "audit prints a summary" \
	eval '[ $rc -eq 0 ] && grep -q "^host *$(hostname | cut -d. -f1)" "$T/s.txt" && grep -q "software [0-9]" "$T/s.txt"'

"$NETCENSUS" audit --bogus >/dev/null 2>&1
rc=$?
check "an unknown option is a usage error (2)" eval '[ $rc -eq 2 ]'
"$NETCENSUS" audit --submit http://127.0.0.1:1 >/dev/null 2>"$T/e.txt"
rc=$?
check "--submit without a token is a usage error naming --token" \
	eval '[ $rc -eq 2 ] && grep -q -- "--token" "$T/e.txt"'

# The report is what import stores.
"$NETCENSUS" import --db "$T/t.db" "$T/a.json" >"$T/i.txt" 2>&1
rc=$?
check "import accepts the audit report" eval '[ $rc -eq 0 ]'

# --submit: a listener on 127.0.0.1 that answers with the status in $T/code
# and records the path, the Authorization header and the body.
cat >"$T/srv.py" <<'EOF'
import http.server, sys, os
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(os.path.join(d, "req.txt"), "w") as f:
            f.write(self.path + "\n" + self.headers.get("Authorization", "") + "\n")
        with open(os.path.join(d, "body.json"), "wb") as f:
            f.write(body)
        code = int(open(os.path.join(d, "code")).read())
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": "token refused"}' if code >= 400 else b'{"id": 1}')
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(d, "port.tmp"), "w").write(str(s.server_port))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
s.serve_forever()
EOF
echo 201 >"$T/code"
python3 "$T/srv.py" "$T" &
LPID=$!
# Python's start-up can take seconds on a busy machine
wait_until "$WAIT_LONG" test -f "$T/port"
PORT=$(cat "$T/port" 2>/dev/null)
"$NETCENSUS" audit --submit "http://127.0.0.1:$PORT/" --token nc_testtoken >"$T/o.txt" 2>"$T/e.txt"
rc=$?
check "--submit to a listener exits 0" eval '[ $rc -eq 0 ]'
check "--submit posts to /api/v1/intake" eval '[ "$(sed -n 1p "$T/req.txt")" = "/api/v1/intake" ]'
check "--submit sends the bearer token" \
	eval '[ "$(sed -n 2p "$T/req.txt")" = "Bearer nc_testtoken" ]'
check "--submit sends the report" \
	eval '[ "$(jq -r .sys.hostname "$T/body.json")" = "$(hostname | cut -d. -f1)" ]'
echo 401 >"$T/code"
NETCENSUS_TOKEN=nc_wrong "$NETCENSUS" audit --submit "http://127.0.0.1:$PORT" >/dev/null 2>"$T/e.txt"
rc=$?
check "a refused submit exits 1 and shows the server's reason" \
	eval '[ $rc -eq 1 ] && grep -q "401" "$T/e.txt" && grep -q "token refused" "$T/e.txt"'
check "the token from NETCENSUS_TOKEN is used" \
	eval '[ "$(sed -n 2p "$T/req.txt")" = "Bearer nc_wrong" ]'

tap_finish
