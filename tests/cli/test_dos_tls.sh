#!/bin/sh
# TLS 1.2 and 1.3 only (issue 10.8): an HTTPS listener refuses a TLS 1.0
# or 1.1 handshake and accepts 1.2 and 1.3, checked with openssl s_client
# against 127.0.0.1. The client is told to allow the old versions
# (@SECLEVEL=0: OpenSSL 3 refuses them itself otherwise), so a refusal
# comes from the server. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl openssl
need_netcensus
tmp_init tls

SERVE_SCHEME=https
serve_start "$T/log" --tls-self-signed ||
	{ cat "$T/log"; skip_all "server did not start"; }

hello() { # hello VERSION-FLAG: the protocol the server agreed to, or ""
	openssl s_client -brief -connect "127.0.0.1:$PORT" "$1" \
		-cipher 'DEFAULT:@SECLEVEL=0' </dev/null >"$T/s_client" 2>&1
	sed -n 's/^Protocol version: *\(TLSv[0-9.]*\).*/\1/p' "$T/s_client" |
		head -1
}
for v in 1:1.0 1_1:1.1; do
	got=$(hello "-tls${v%:*}")
	check "TLS ${v#*:} refused${got:+ (got $got)}" \
		sh -c "[ -z '$got' ] && ! grep -q 'CONNECTION ESTABLISHED' '$T/s_client'"
done
check "TLS 1.2 accepted" test "$(hello -tls1_2)" = TLSv1.2
check "TLS 1.3 accepted" test "$(hello -tls1_3)" = TLSv1.3
S=$(curl -sk -o /dev/null -w '%{http_code}' "$U/api/v1/health")
check "and the API answers over it" test "$S" = 200
serve_stop
tap_finish
