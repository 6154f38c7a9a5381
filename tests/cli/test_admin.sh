#!/bin/sh
# netcensus admin, driven as an administrator would: users, orgs, tokens,
# credentials and the database check, against a throw-away database.
# Prints TAP lines; exits non-zero when any check fails.
set -u
. "$(dirname "$0")/../lib.sh"
need_netcensus
tmp_init admin
export NETCENSUS_DB="$DB"

ok_rc() { # ok_rc EXIT-STATUS "what": ok when the status is 0
	if [ "$1" -eq 0 ]; then ok "$2"; else nok "$2"; fi
}

# run EXPECTED-STATUS "what" CMD...: runs CMD with stdin from $IN (empty
# by default), keeping stdout in $T/out and stderr in $T/err.
IN=/dev/null
run() {
	want=$1
	what=$2
	shift 2
	"$@" <"$IN" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ]
	ok_rc $? "$what (exit $got, want $want)"
	if [ "$got" -ne "$want" ]; then
		sed 's/^/# out: /' "$T/out"
		sed 's/^/# err: /' "$T/err"
	fi
	IN=/dev/null
}

secret() { # secret TEXT: stdin for the next run
	printf '%s\n' "$@" >"$T/in"
	IN="$T/in"
}

has() { grep -q -- "$1" "$2"; }

# 1. help and usage
run 0 "admin --help" "$NETCENSUS" admin --help
has "Examples:" "$T/out" && has "credential add" "$T/out"
ok_rc $? "help teaches with examples"
run 2 "admin without an object is a usage error" "$NETCENSUS" admin
run 2 "unknown action is a usage error" "$NETCENSUS" admin user frobnicate
has "user add NAME" "$T/err"
ok_rc $? "the usage error lists what user takes"
run 2 "unknown option is a usage error" "$NETCENSUS" admin user list --colour

# 2. users
secret "alice-password-1"
run 0 "user add with the password on stdin" \
	"$NETCENSUS" admin user add alice --role admin
[ "$(stat -c %a "$T/nc.db.key")" = 600 ]
ok_rc $? "the key file beside the database has mode 0600"
secret "short"
run 1 "a short password is refused" "$NETCENSUS" admin user add bob --role user
has "at least 8" "$T/err"
ok_rc $? "the refusal says how long a password must be"
run 1 "an empty stdin gives no password" "$NETCENSUS" admin user add bob --role user
secret "bob-password-1"
run 2 "user add without --role is a usage error" "$NETCENSUS" admin user add bob
secret "bob-password-1"
run 1 "a role that does not exist is refused" \
	"$NETCENSUS" admin user add bob --role root
secret "alice-password-2"
run 1 "a second alice is refused" "$NETCENSUS" admin user add alice --role user

# 3. orgs
run 0 "org add" "$NETCENSUS" admin org add Branch
run 0 "org add with a parent" "$NETCENSUS" admin org add "Branch East" --parent Branch
run 1 "org add under a missing parent" "$NETCENSUS" admin org add X --parent Nowhere
has "Nowhere" "$T/err"
ok_rc $? "the error names the missing org"
run 0 "org list --json" "$NETCENSUS" admin org list --json
has '"parent": "Branch"' "$T/out"
ok_rc $? "Branch East sits under Branch"
secret "bob-password-1"
run 0 "user add into an org" \
	"$NETCENSUS" admin user add bob --role user --org "Branch East"

run 0 "user list" "$NETCENSUS" admin user list
has alice "$T/out" && has "Branch East" "$T/out"
ok_rc $? "the list shows alice and bob's org"
run 0 "user list --json" "$NETCENSUS" admin user list --json
has '"name": "bob"' "$T/out" && ! has argon2 "$T/out" &&
	! has password "$T/out"
ok_rc $? "the JSON list has users and no password hashes"

hash1=$(sqlite3 "$NETCENSUS_DB" "SELECT password_hash FROM user WHERE name='alice'")
case $hash1 in '$argon2id$'*) r=0 ;; *) r=1 ;; esac
ok_rc $r "passwords are stored as argon2id hashes"
secret "alice-new-password"
run 0 "user passwd" "$NETCENSUS" admin user passwd alice
hash2=$(sqlite3 "$NETCENSUS_DB" "SELECT password_hash FROM user WHERE name='alice'")
[ -n "$hash2" ] && [ "$hash1" != "$hash2" ]
ok_rc $? "passwd stored a new hash"
secret "whatever-password"
run 1 "passwd of a user that does not exist" "$NETCENSUS" admin user passwd nobody

# 4. tokens
run 0 "token create" "$NETCENSUS" admin token create --user alice --name ci
token=$(cat "$T/out")
case $token in nc_*) r=0 ;; *) r=1 ;; esac
[ "$r" -eq 0 ] && [ "${#token}" -eq 46 ] && [ "$(wc -l <"$T/out")" -eq 1 ]
ok_rc $? "stdout is exactly one nc_ token of 46 characters"
has "will not be shown again" "$T/err"
ok_rc $? "stderr says the token will not be shown again"
run 1 "token for a user that does not exist" \
	"$NETCENSUS" admin token create --user nobody
run 2 "token create without --user" "$NETCENSUS" admin token create
run 0 "token list" "$NETCENSUS" admin token list --json
has '"label": "ci"' "$T/out" && ! has "$token" "$T/out" &&
	has "$(printf %.10s "$token")" "$T/out"
ok_rc $? "the list shows the token's prefix and label, never the token"
! grep -a -q -- "${token#nc_}" "$NETCENSUS_DB"
ok_rc $? "the token is not in the database file"
id=$(sqlite3 "$NETCENSUS_DB" "SELECT id FROM token WHERE label='ci'")
run 0 "token revoke" "$NETCENSUS" admin token revoke "$id"
run 0 "token list after revoke" "$NETCENSUS" admin token list --json
has '"revoked": true' "$T/out"
ok_rc $? "the token shows as revoked"
run 1 "revoking a token that does not exist" "$NETCENSUS" admin token revoke 999
run 2 "revoking something that is not an id" "$NETCENSUS" admin token revoke abc

# 5. credentials
secret "Zq7-community-secret"
run 0 "credential add snmp, community on stdin" \
	"$NETCENSUS" admin credential add --name lab --type snmp
run 2 "a secret on the command line is refused" \
	"$NETCENSUS" admin credential add --name lab2 --type snmp community=public
has "shell history" "$T/err"
ok_rc $? "the refusal says why and how to give it"
run 1 "a credential without its secret on stdin is refused" \
	"$NETCENSUS" admin credential add --name lab3 --type snmp
has community "$T/err"
ok_rc $? "the refusal names the missing field"
run 1 "a credential type that does not exist" \
	"$NETCENSUS" admin credential add --name t --type telnet username=x
secret "Auth-pass-4711" "Priv-pass-4712"
run 0 "credential add snmp_v3 into an org" \
	"$NETCENSUS" admin credential add --name core --type snmp_v3 --org Branch \
	security_name=ncuser security_level=authPriv auth_protocol=SHA \
	priv_protocol=AES
run 1 "snmp_v3 authPriv without priv_protocol" \
	"$NETCENSUS" admin credential add --name core2 --type snmp_v3 \
	security_name=ncuser security_level=authPriv auth_protocol=SHA
has priv_protocol "$T/err"
ok_rc $? "the refusal names priv_protocol"
cat >"$T/creds.json" <<'EOF'
{"data": [
 {"type": "credentials", "attributes": {"name": "oa ssh", "type": "ssh",
  "org_id": 1, "credentials": {"username": "root",
  "password": "Oa-ssh-pass-9"}}},
 {"type": "credentials", "attributes": {"name": "oa win", "type": "windows",
  "credentials": {"username": "adm", "password": "Oa-win-pass-9"}}}]}
EOF
run 0 "credential add --from-file with an Open-AudIT export" \
	"$NETCENSUS" admin credential add --from-file "$T/creds.json"
run 1 "the same file again is refused whole" \
	"$NETCENSUS" admin credential add --from-file "$T/creds.json"
run 0 "credential list" "$NETCENSUS" admin credential list
has "oa win" "$T/out" && has "community" "$T/out"
ok_rc $? "the table lists the credentials and which secrets are set"
run 0 "credential list --json" "$NETCENSUS" admin credential list --json
has '"secrets_set"' "$T/out" && has '"security_name": "ncuser"' "$T/out"
ok_rc $? "the JSON list has fields and secrets_set"
! grep -q -E 'Zq7-community|Auth-pass-4711|Priv-pass-4712|Oa-ssh-pass|Oa-win-pass|v1:' "$T/out"
ok_rc $? "no secret, clear or sealed, in credential list --json"
! cat "$NETCENSUS_DB" "$NETCENSUS_DB-wal" 2>/dev/null |
	grep -a -q -E 'Zq7-community|Auth-pass-4711|Priv-pass-4712|Oa-ssh-pass|Oa-win-pass'
ok_rc $? "no secret in clear in the database file or its WAL"
sqlite3 "$NETCENSUS_DB" "SELECT secrets FROM credential WHERE name='lab'" |
	grep -q '"community":"v1:'
ok_rc $? "the community is stored sealed (v1:)"
id=$(sqlite3 "$NETCENSUS_DB" "SELECT id FROM credential WHERE name='oa win'")
run 0 "credential delete" "$NETCENSUS" admin credential delete "$id"
run 1 "deleting it twice" "$NETCENSUS" admin credential delete "$id"

# 6. database check and the key file
run 0 "db check on a healthy database" "$NETCENSUS" admin db check
has "integrity: ok" "$T/out"
ok_rc $? "db check reports integrity"
sqlite3 "$NETCENSUS_DB" "INSERT INTO user (name, role, org_id, created) VALUES ('ghost', 'user', 999, 'x')"
run 1 "db check finds a user in an org that does not exist" \
	"$NETCENSUS" admin db check
sqlite3 "$NETCENSUS_DB" "DELETE FROM user WHERE name = 'ghost'"
chmod 644 "$NETCENSUS_DB.key"
run 1 "a key file others can read is refused" "$NETCENSUS" admin user list
has "chmod 600" "$T/err"
ok_rc $? "the refusal says how to fix the mode"
chmod 600 "$NETCENSUS_DB.key"
run 0 "--db names another database" \
	"$NETCENSUS" admin --db "$T/other.db" user list
[ -f "$T/other.db" ] && [ -f "$T/other.db.key" ]
ok_rc $? "--db created that database and its key"

# 7. prompts on a terminal (no echo, asked twice)
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/answer_prompts.py" <<'EOF'
import os, pty, signal, sys
# Runs argv on a pseudo-terminal, answering each prompt (a line ending in
# ": ") with the next of ANSWERS; prints what the terminal showed. Gives
# up after 120 seconds (a ceiling for a busy machine, not a wait) so a
# stuck prompt fails the test instead of hanging.
answers = os.environ["ANSWERS"].split(",")
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
def give_up(*_):
    os.kill(pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, give_up)
signal.alarm(120)
out = b""
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    out += data
    if out.endswith(b": ") and answers:
        os.write(fd, (answers.pop(0) + "\n").encode())
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
	export ANSWERS="tty-pass-123,tty-pass-123"
	run 0 "user add prompts on a terminal" \
		python3 "$T/answer_prompts.py" "$NETCENSUS" admin user add dave --role user
	has "Repeat" "$T/out" && ! has "tty-pass-123" "$T/out"
	ok_rc $? "the password is asked twice and not echoed"
	export ANSWERS="tty-pass-123,tty-pass-124"
	run 1 "two different entries are refused" \
		python3 "$T/answer_prompts.py" "$NETCENSUS" admin user add erin --role user
else
	n=$((n + 1))
	echo "ok $n # skip python3 not installed: terminal prompts not tested"
fi

tap_finish
