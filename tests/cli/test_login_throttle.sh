#!/bin/sh
# Failed-login throttling (docs/api.md, "Failed logins"), seen from
# distinct source addresses: the server listens on 127.0.0.1 and curl
# sends from 127.0.0.2, .3, ... with --interface (on Linux every 127/8
# address is the loopback's); the server trusts no X-Forwarded-For.
#   - an address guessing an account's password gets 5 checks, then waits
#     (429 with Retry-After), even with the right password;
#   - the account still takes its right password from an address that has
#     not been failing (a typo included), and a new address gets 3
#     guesses, not 5;
#   - 40 concurrent guesses get at most 5 password checks, counted by
#     netcensus_logins_total in /metrics (no timing involved).
# TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq
need_netcensus
tmp_init throttle
serve_start "$T/log" --discovery-workers 0 ||
	{ cat "$T/log"; skip_all "server did not start"; }
PW=$(serve_password "$T/log")
TOKEN=$(admin_token admin)
S=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
	"$U/api/v1/health")
[ "$S" = 200 ] || skip_all "cannot send from 127.0.0.2 (curl --interface)"

login() { # FROM USER PASSWORD: status in S, headers in $T/hdr
	S=$(curl -s --interface "$1" -D "$T/hdr" -o "$T/body" \
		-w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		"$U/api/v1/auth/login" \
		-d "{\"username\":\"$2\",\"password\":\"$3\"}")
}
logins() { # RESULT...: the sum of netcensus_logins_total{result=RESULT}
	curl -s -H "Authorization: Bearer $TOKEN" "$U/metrics" >"$T/metrics"
	_sum=0
	for _r in "$@"; do
		_v=$(sed -n "s/^netcensus_logins_total{result=\"$_r\"} //p" \
			"$T/metrics")
		_sum=$((_sum + ${_v:-0}))
	done
	echo "$_sum"
}

# ---- one address guessing admin's password ----
C0=$(logins ok failed)
: >"$T/codes"
i=0
while [ $i -lt 30 ]; do
	login 127.0.0.2 admin "guess-number-$i"
	echo "$S" >>"$T/codes"
	i=$((i + 1))
done
n401=$(grep -c 401 "$T/codes")
n429=$(grep -c 429 "$T/codes")
check "30 guesses from 127.0.0.2: 5 checked (401), 25 told to wait (429): $n401/$n429" \
	test "$n401 $n429" = "5 25"
C1=$(logins ok failed)
check "/metrics counted 5 password checks ($C0 -> $C1)" test $((C1 - C0)) = 5
check "... and 25 throttled attempts" test "$(logins throttled)" = 25
login 127.0.0.2 admin "$PW"
check "from that address even the right password waits: 429 with Retry-After" \
	sh -c "[ $S = 429 ] && grep -qi '^retry-after: [1-9]' '$T/hdr'"
S=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}' -X POST \
	-H 'X-Forwarded-For: 127.0.0.9' -H 'Content-Type: application/json' \
	"$U/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$PW\"}")
check "a forged X-Forwarded-For changes nothing (429)" test "$S" = 429
login 127.0.0.3 admin "$PW"
check "admin logs in from another address meanwhile (200)" test "$S" = 200
login 127.0.0.3 admin typo-from-three
login 127.0.0.3 admin "$PW"
check "one typo there does not stop admin (401, then 200)" test "$S" = 200
: >"$T/codes"
for i in 1 2 3 4; do
	login 127.0.0.4 admin "wrong-from-four-$i"
	echo "$S" >>"$T/codes"
done
check "a new address gets 3 guesses checked, then waits: $(echo $(cat "$T/codes"))" \
	test "$(echo $(cat "$T/codes"))" = "401 401 401 429"
login 127.0.0.4 admin "$PW"
check "... even with the right password (429)" test "$S" = 429
login 127.0.0.3 admin "$PW"
check "the address that has not been failing still logs in (200)" \
	test "$S" = 200

# ---- 40 concurrent guesses for one account ----
printf 'target-password-1\n' |
	"$NETCENSUS" admin --db "$DB" user add target --role user >/dev/null 2>&1
C2=$(logins ok failed)
pids=
i=0
while [ $i -lt 40 ]; do
	curl -s --interface 127.0.0.5 -o /dev/null -w '%{http_code}\n' \
		-X POST -H 'Content-Type: application/json' \
		"$U/api/v1/auth/login" \
		-d "{\"username\":\"target\",\"password\":\"burst-$i\"}" \
		>"$T/burst.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
cat "$T"/burst.* >"$T/burst"
C3=$(logins ok failed)
check "40 concurrent guesses all answered" test "$(wc -l <"$T/burst")" = 40
n401=$(grep -c 401 "$T/burst")
n429=$(grep -c 429 "$T/burst")
echo "# the burst's answers: $(sort "$T/burst" | uniq -c | tr -s ' \n' ' ')"
check "at most 5 of the 40 had their password checked (401: $n401, 429: $n429)" \
	sh -c "[ $n401 -le 5 ] && [ $((n401 + n429)) = 40 ]"
check "/metrics agrees: $((C3 - C2)) password checks for the burst" \
	test $((C3 - C2)) = "$n401"
login 127.0.0.6 target target-password-1
check "target logs in from another address (200)" test "$S" = 200

check "the log names the throttled address" \
	grep -q "login for 'admin' from 127.0.0.2 throttled" "$T/log"
serve_stop
tap_finish
