#!/bin/sh
# Reports mailed over SMTP to a real sink (python3-aiosmtpd on loopback):
# the SMTP settings (password write-only, encrypted at rest), the "send a
# test mail" action reporting the server's answer (and a failure's
# reason), saved reports through the API (JSON and CSV), a report task
# run on demand whose mail has the right recipients, subject and a CSV
# attachment equal to the API's answer, and one real scheduled firing at
# its minute. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
need_tools curl jq
need_netcensus
$PY -c 'import aiosmtpd' 2>/dev/null ||
	skip_all "python3-aiosmtpd not installed (scripts/install-deps.sh)"

tmp_init mail
MAIL=$T/mail
mkdir -p "$MAIL/tmp" "$MAIL/new" "$MAIL/cur"

# the sink: every message becomes a file in $MAIL/new. Python's start-up
# can take seconds on a busy machine; listen_start waits for it (and
# tries another port when one was taken meanwhile).
listen_start "$T/sink.log" $PY -m aiosmtpd -n -l "127.0.0.1:@PORT@" \
	-c aiosmtpd.handlers.Mailbox "$MAIL" ||
	sed 's/^/# sink: /' "$T/sink.log"
SPORT=$LPORT

# summary FILE: one JSON object describing a stored message; the CSV
# attachment goes to FILE.csv
cat >"$T/summary.py" <<'PYEOF'
import email, email.policy, json, sys
path = sys.argv[1]
with open(path, 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
out = {"subject": str(m["subject"]), "to": str(m["to"]),
       "rcpt": str(m.get("X-RcptTo", "")), "from": str(m["from"]),
       "date": str(m["date"]), "attachments": [], "html": ""}
for part in m.walk():
    if part.get_content_disposition() == "attachment":
        data = part.get_payload(decode=True)
        with open(path + ".csv", "wb") as f:
            f.write(data)
        out["attachments"].append({"name": part.get_filename(),
                                   "type": part.get_content_type()})
    elif part.get_content_type() == "text/html":
        out["html"] = part.get_content()
print(json.dumps(out))
PYEOF

# newest message whose subject contains $1, summarised into $T/msg.json
find_mail() {
	for f in $(ls -t "$MAIL/new" 2>/dev/null); do
		$PY "$T/summary.py" "$MAIL/new/$f" >"$T/msg.json" 2>/dev/null ||
			continue
		if jq -e --arg s "$1" '.subject | contains($s)' "$T/msg.json" \
			>/dev/null; then
			MSG=$MAIL/new/$f
			return 0
		fi
	done
	return 1
}
wait_mail() { # wait_mail SUBJECT SECONDS
	wait_until "$2" find_mail "$1"
}
count_mail() { # how many messages have a subject containing $1
	c=0
	for f in $(ls "$MAIL/new" 2>/dev/null); do
		$PY "$T/summary.py" "$MAIL/new/$f" 2>/dev/null |
			jq -e --arg s "$1" '.subject | contains($s)' \
				>/dev/null && c=$((c + 1))
	done
	echo $c
}

serve_start "$T/log" || { cat "$T/log"; nok "server starts"; tap_finish; }
ok "server starts"
PW=$(serve_password "$T/log")
curl -s -c "$T/jar" -o "$T/login" -H 'Content-Type: application/json' "$U/api/v1/auth/login" \
	-d "{\"username\":\"admin\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$T/login")
TOKEN=$(curl -s -b "$T/jar" -H "X-CSRF-Token: $CSRF" "$U/api/v1/tokens" \
	-d '{"label":"mail test"}' | jq -r .token)
check "admin token" test "${TOKEN#nc_}" != "$TOKEN"

check "SMTP sink listens on 127.0.0.1:$SPORT" \
	sh -c "ss -ltn | grep -q '127.0.0.1:$SPORT '"

# ---- settings ----
req PUT /api/v1/settings/smtp -d '{"host":"127.0.0.1","port":1,
	"security":"none","from":"netcensus@example.org",
	"password":"smtp-S3cret-pw"}'
check "PUT settings/smtp: 200" test "$S" = 200
check "the password is never returned, only password_set" \
	sh -c "! grep -q S3cret '$T/body' && jq -e '.password_set == true and (has(\"password\") | not) and .verify_tls == true' '$T/body' >/dev/null"
req GET /api/v1/settings/smtp
check "GET settings/smtp: no password" \
	sh -c "[ $S = 200 ] && ! grep -q S3cret '$T/body'"
check "the password is encrypted in the database" \
	sh -c "! cat '$DB' '$DB-wal' 2>/dev/null | grep -aq S3cret"
req POST /api/v1/settings/smtp/test -d '{"to":"ops@example.org"}'
check "test mail to a closed port: 502 with the reason" \
	sh -c "[ $S = 502 ] && jq -e '.sent == false and (.answer | test(\"connect\"; \"i\"))' '$T/body' >/dev/null"
req PUT /api/v1/settings/smtp -d "{\"host\":\"127.0.0.1\",\"port\":$SPORT,
	\"security\":\"none\",\"from\":\"netcensus@example.org\",
	\"password\":\"\"}"
check "PUT settings/smtp again (password removed)" \
	sh -c "[ $S = 200 ] && jq -e '.password_set | not' '$T/body' >/dev/null"
req PUT /api/v1/settings/smtp -d '{"host":"127.0.0.1","from":"x"}'
check "a bad from address is refused naming the field" \
	sh -c "[ $S = 400 ] && [ \"\$(jq -r .field '$T/body')\" = from ]"
req POST /api/v1/settings/smtp/test -d '{"to":"ops@example.org"}'
check "test mail: the server's answer is reported" \
	sh -c "[ $S = 200 ] && jq -e '.sent and (.answer | test(\"^250\"))' '$T/body' >/dev/null"
ANSWER=$(J .answer)
check "test mail arrives at the sink" wait_mail "netcensus test message" "$WAIT_LONG"
req POST /api/v1/settings/smtp/test -d '{"to":"ops@example.org\r\nBcc: x@example.org"}'
check "test mail to an address with CR LF: 400" test "$S" = 400

# ---- data and reports ----
for h in web1 db1; do
	cat >"$T/$h.json" <<JSON
{"report_version":1,"source":{"name":"test","format":"netcensus"},
 "sys":{"hostname":"$h","ip":"198.18.0.$(printf %d "'${h%1}")",
        "type":"computer","os_family":"Debian"},
 "software":[{"name":"openssh-server","version":"1:9.2p1-2"}]}
JSON
	req POST /api/v1/intake --data-binary "@$T/$h.json"
done
check "two devices stored" test "$S" = 201
req GET /api/v1/reports
check "four shipped reports" test "$(J .count)" -ge 4
RID=$(J '.results[] | select(.name == "New devices in the last 7 days") | .id')
check "GET /reports lists id and name" test -n "$RID"
req GET "/api/v1/reports/$RID/run?format=json"
check "run as JSON: 2 devices" \
	sh -c "[ $S = 200 ] && [ \"\$(jq -r .count '$T/body')\" = 2 ]"
curl -s -H "Authorization: Bearer $TOKEN" -o "$T/api.csv" -D "$T/api.h" \
	"$U/api/v1/reports/$RID/run?format=csv"
check "run as CSV: X-Total-Count 2, nothing cut" \
	sh -c "grep -qi '^x-total-count: 2' '$T/api.h' && ! grep -qi '^x-truncated' '$T/api.h'"
req GET "/api/v1/reports/$RID/run?format=json&limit=1"
check "run as JSON with limit=1: one row, count still 2" \
	test "$(jq -c '[.count, (.results | length), .limit]' "$T/body")" = '[2,1,1]'
check "run as CSV: header and 2 rows" \
	sh -c "[ \"\$(wc -l <'$T/api.csv')\" = 3 ] && head -1 '$T/api.csv' | grep -q '\"hostname\"'"
req GET "/api/v1/reports/$RID/run?format=csv&hostname=db1"
check "extra filters narrow a run" \
	sh -c "[ \"\$(wc -l <'$T/body')\" = 2 ] && grep -q db1 '$T/body'"
req GET "/api/v1/reports/$RID/run?password=x"
check "an unknown filter in a run: 400" test "$S" = 400
req POST /api/v1/reports -d '{"name":"debian","resource":"devices",
	"query":"os_family=Debian&last_seen__gte=-1h&ordering=hostname",
	"columns":["hostname","ip"]}'
check "POST /reports saves a query" test "$S" = 201
req POST /api/v1/reports -d '{"name":"sql","resource":"devices",
	"query":"1=1; DROP TABLE device"}'
check "a saved query is the filter language, never SQL: 400" \
	test "$S" = 400

# ---- a report task run on demand ----
req POST /api/v1/tasks -d '{"name":"new devices","schedule":"0 6 * * 1",
	"type":"report","report":"New devices in the last 7 days",
	"recipients":["ops@example.org","noc@example.net"]}'
check "POST /tasks (report): 201 with next_run" \
	sh -c "[ $S = 201 ] && jq -e '.next_run | test(\" 06:00:00$\")' '$T/body' >/dev/null"
TID=$(J .id)
req POST "/api/v1/tasks/$TID/run"
check "run the task now: ok, last_result has the server's answer" \
	sh -c "[ $S = 200 ] && jq -e '.ok and .last_status == \"ok\" and (.last_result | test(\"250\")) and .runs == 1' '$T/body' >/dev/null"
check "the report mail arrives" \
	wait_mail "netcensus report: New devices in the last 7 days" "$WAIT_LONG"
check "to both recipients (header and envelope)" \
	jq -e '(.to | contains("ops@example.org") and contains("noc@example.net")) and (.rcpt | contains("noc@example.net"))' "$T/msg.json"
check "subject names the report and its row count" \
	jq -e '.subject == "netcensus report: New devices in the last 7 days (2 rows)"' "$T/msg.json"
check "a CSV attachment" \
	jq -e '.attachments[0].type == "text/csv" and (.attachments[0].name | test("^new-devices-in-the-last-7-days-[0-9]{8}-[0-9]{4}\\.csv$"))' "$T/msg.json"
check "the attachment equals the API's CSV for the same report" \
	cmp -s "$MSG.csv" "$T/api.csv"
check "the HTML summary lists the devices" \
	jq -e '.html | contains("<td>web1</td>") and contains("<td>db1</td>")' "$T/msg.json"

# ---- one real scheduled firing ----
req POST /api/v1/tasks -d '{"name":"every minute","schedule":"* * * * *",
	"type":"report","report":"debian","subject":"scheduled minute",
	"recipients":["ops@example.org"]}'
check "an every-minute task" test "$S" = 201
MID=$(J .id)
NEXT=$(J .next_run)
# task_recorded: the task's run is written (the mail leaves before the
# scheduler writes last_run, last_status and last_result)
task_recorded() {
	req GET "/api/v1/tasks/$MID"
	jq -e '.runs >= 1 and .last_status != null' "$T/body"
}
# at most a minute until its minute, then the ceiling of any wait
if wait_mail "scheduled minute" $((60 + WAIT_LONG)); then
	ok "the scheduled report arrives"
	wait_until "$WAIT_LONG" task_recorded
	check "it ran at its minute ($NEXT) with last_result" \
		sh -c "[ \"\$(jq -r '.last_run[0:16]' '$T/body')\" = '${NEXT%:00}' ] && jq -e '.last_status == \"ok\" and (.last_result | test(\"^mailed\")) and .runs >= 1' '$T/body' >/dev/null"
	check "its attachment is the debian report (2 rows)" \
		sh -c "[ \"\$(wc -l <'$MSG.csv')\" = 3 ] && head -1 '$MSG.csv' | grep -qx '\"hostname\",\"ip\".'"
else
	nok "the scheduled report arrives"
	tail -5 "$T/log"
fi
req PATCH "/api/v1/tasks/$MID" -d '{"enabled":false}'
check "disable it" sh -c "[ $S = 200 ] && jq -e '.enabled == false' '$T/body' >/dev/null"

# ---- STARTTLS (587-style) and implicit TLS (465-style) with a test CA ----
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mail test CA" \
		-keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$T/smtp.key" -out "$T/smtp.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/smtp.ext"
	openssl x509 -req -in "$T/smtp.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
		-CAcreateserial -days 2 -extfile "$T/smtp.ext" -out "$T/smtp.crt" \
		2>/dev/null
	listen_start "$T/stls.log" $PY -m aiosmtpd -n -l "127.0.0.1:@PORT@" \
		-c aiosmtpd.handlers.Mailbox \
		--tlscert "$T/smtp.crt" --tlskey "$T/smtp.key" "$MAIL"
	STLS=$LPORT
	listen_start "$T/smtps.log" $PY -m aiosmtpd -n -l "127.0.0.1:@PORT@" \
		-c aiosmtpd.handlers.Mailbox \
		--smtpscert "$T/smtp.crt" --smtpskey "$T/smtp.key" "$MAIL"
	SMTPS=$LPORT
	smtp_set() { # smtp_set PORT SECURITY CA_FILE
		req PUT /api/v1/settings/smtp -d "{\"host\":\"127.0.0.1\",
			\"port\":$1,\"security\":\"$2\",\"ca_file\":\"$3\",
			\"from\":\"netcensus@example.org\"}"
	}
	smtp_set "$STLS" starttls "$T/ca.crt"
	req POST /api/v1/settings/smtp/test -d '{"to":"tls@example.org"}'
	check "STARTTLS with the test CA: delivered (250)" \
		sh -c "[ $S = 200 ] && jq -e '.answer | test(\"^250\")' '$T/body'"
	smtp_set "$SMTPS" tls "$T/ca.crt"
	req POST /api/v1/settings/smtp/test -d '{"to":"tls@example.org"}'
	check "implicit TLS with the test CA: delivered (250)" \
		sh -c "[ $S = 200 ] && jq -e '.answer | test(\"^250\")' '$T/body'"
	smtp_set "$STLS" starttls ""
	req POST /api/v1/settings/smtp/test -d '{"to":"tls@example.org"}'
	check "STARTTLS to a certificate the system does not trust: refused" \
		sh -c "[ $S = 502 ] && jq -e '.sent == false' '$T/body'"
	echo "# $(J .answer)"
fi

serve_stop
check "server stops cleanly with the scheduler" test $? = 0
tap_finish
