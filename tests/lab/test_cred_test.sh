#!/bin/sh
# POST /api/v1/credentials/{id}/test with SSH credentials against the lab's
# real OpenSSH servers (tests/lab/lab.sh up --ssh 2: one host takes
# passwords and keys, one keys only, and a server that never sends a
# banner), from a server running in the scanner namespace: the right
# password logs in and the reply names the user and the host key sshd
# really has (ssh-keygen's fingerprint of its key file); the key logs in
# on the key-only host; a wrong password, a password on the key-only
# host and the silent server each answer ok: false with the reason: the
# stage, and for a refused login the methods the SSH server said it
# accepts (its own answer: "publickey" on the key-only host); no secret is in any reply or in the server's
# log. TAP output.
#
# Needs root, ip netns, sshd, ssh-keygen, jq, curl; prints "ok 1 # skip"
# otherwise. Every packet stays in the lab: the scanner namespace is
# checked for a default route before anything is sent.
set -u
. "$(dirname "$0")/../lib.sh"
lab_init "$@"
need_tools /usr/sbin/sshd ssh-keygen unshare jq curl
need_netcensus
NETCENSUS=$(cd "$(dirname "$NETCENSUS")" && pwd)/$(basename "$NETCENSUS")

P=nct$(($$ % 100000))
WRONG_SECRET=Wrong-Secret-5821y
export NCLAB_QUIET=1
tmp_init cred-test
on_cleanup() { "$LAB" down --prefix "$P" >/dev/null 2>&1 || true; }

lab_up "2 sshd hosts and a banner-less one" --ssh 2

USER_=$(jq -r .ssh.username "$T/truth.json")
PASS=$(jq -r .ssh.password "$T/truth.json")
KEY_FILE=$(jq -r .ssh.key_file "$T/truth.json")
PWHOST=$(jq -c '[.hosts[] | select(.role == "sshd" and (.ssh.auth | index("password")))][0]' "$T/truth.json")
KEYHOST=$(jq -c '[.hosts[] | select(.role == "sshd" and (.ssh.auth | index("password") | not))][0]' "$T/truth.json")
NOBANNER=$(jq -r '.hosts[] | select(.role == "ssh-nobanner") | .ip' "$T/truth.json")
PW_IP=$(jq -r .ip <<<"$PWHOST")
KEY_IP=$(jq -r .ip <<<"$KEYHOST")
# the fingerprint of each host's key file, as lab.sh computed it with
# ssh-keygen -l (SHA256:...)
PW_FP=$(jq -r .ssh.hostkey <<<"$PWHOST")
KEY_FP=$(jq -r .ssh.hostkey <<<"$KEYHOST")

# ---------------------------------------------- the server, in the lab
DB=$T/server.db
SERVE_NS=$P-scan
serve_start "$T/serve.log" || { sed 's/^/# /' "$T/serve.log"; nok "server starts"; tap_finish; }
TOKEN=$(admin_token admin)
check "server up in the scanner namespace ($U), with a token" [ -n "$TOKEN" ]
: >"$T/replies"
sreq() { # sreq METHOD PATH [CURL-ARGS...]: req(), every reply kept
	req "$@"
	cat "$T/body" >>"$T/replies"
}
cred() { # cred JSON: creates it; its id in $CRED
	sreq POST /api/v1/credentials -d "$1"
	CRED=$(jq -r .id "$T/body")
}
try() { # try CRED ADDRESS: tests it; the reply in $T/body, "ok message" in $R
	sreq POST "/api/v1/credentials/$1/test" -d "{\"address\":\"$2\",\"port\":22}"
	R=$(jq -r '"\(.ok) \(.message)"' "$T/body")
}

cred "$(jq -nc --arg u "$USER_" --arg p "$PASS" '{type: "ssh", name: "lab-pw", username: $u, password: $p}')"
PW_CRED=$CRED
cred "$(jq -nc --arg u "$USER_" --arg p "$WRONG_SECRET" '{type: "ssh", name: "wrong-pw", username: $u, password: $p}')"
WRONG_CRED=$CRED
cred "$(jq -nc --arg u "$USER_" --rawfile k "$KEY_FILE" '{type: "ssh_key", name: "lab-key", username: $u, key: $k}')"
KEY_CRED=$CRED
check "three SSH credentials stored ($PW_CRED, $WRONG_CRED, $KEY_CRED)" \
	test "$PW_CRED" != null -a "$WRONG_CRED" != null -a "$KEY_CRED" != null

# ---------------------------------------------- the success path
try "$PW_CRED" "$PW_IP"
check "password on $PW_IP: HTTP $S, the login worked ($R)" \
	jq -e --arg s "$S" --arg ip "$PW_IP" '$s == "200" and .ok == true and .address == $ip and .port == 22' "$T/body"
check "the reply names the user and the host key sshd has ($PW_FP)" \
	jq -e --arg u "$USER_" --arg fp "$PW_FP" '.message | contains("logged in as '"'"'\($u)'"'"'") and contains("host key \($fp)")' "$T/body"
try "$KEY_CRED" "$KEY_IP"
check "key on the key-only host $KEY_IP: the login worked, host key $KEY_FP ($R)" \
	jq -e --arg fp "$KEY_FP" '.ok == true and (.message | contains("host key \($fp)"))' "$T/body"

# ---------------------------------------------- refusals, with reasons
try "$WRONG_CRED" "$PW_IP"
check "wrong password on $PW_IP: ok false, refused at authentication, with the methods sshd offers ($R)" \
	jq -e '.ok == false and (.message | test("^authentication failed: .*'"'"'wrong-pw'"'"' \\(user [^)]*\\): refused \\(the server accepts password, publickey\\)$"))' "$T/body"
try "$PW_CRED" "$KEY_IP"
check "a password on the key-only host: ok false, the server accepts keys only ($R)" \
	jq -e '.ok == false and (.message | test("^authentication failed: .*: refused \\(the server accepts publickey\\)$"))' "$T/body"
try "$PW_CRED" "$NOBANNER"
check "the server that sends no banner: ok false at the banner ($R)" \
	jq -e '.ok == false and (.message | test("^banner failed: "))' "$T/body"

# ---------------------------------------------- no secret anywhere
check "no secret in any reply" \
	sh -c "! grep -qF -e '$PASS' -e '$WRONG_SECRET' -e 'PRIVATE KEY' '$T/replies'"
serve_stop
check "no secret in the server's log; each test logged by credential id" \
	sh -c "! grep -qF -e '$PASS' -e '$WRONG_SECRET' -e 'PRIVATE KEY' '$T/serve.log' &&
		grep -q 'credential $WRONG_CRED tested by .* on $PW_IP: failed' '$T/serve.log'"

tap_finish
