#!/bin/sh
# Installs the Debian 12 packages netcensus needs. Idempotent: packages
# already present are not touched, and nothing is done at all when
# everything is there.
#
#   scripts/install-deps.sh run    to build and run it (make, make run)
#   scripts/install-deps.sh test   also the test peers: snmpd, snmpsim, sshd,
#                                  slapd, smbd/nmbd, a Samba AD DC, an RDP
#                                  server, an SMTP sink, PostgreSQL (a
#                                  throwaway cluster per test), Chromium, wrk,
#                                  cppcheck (make test)
set -eu
SET=${1:-test}

BUILD="build-essential pkg-config libsqlite3-dev libsodium-dev libxml2-dev
libjansson-dev libcmocka-dev libsnmp-dev libc-ares-dev libmicrohttpd-dev
libgnutls28-dev libssh-dev libcurl4-openssl-dev libldap2-dev libcsv-dev
libpq-dev"
RUN="ieee-data libwireshark-data nmap-common tzdata"
TEST="sqlite3 iproute2 snmpd snmp procps python3 jq curl time openssh-server strace
iputils-ping nftables ksh slapd ldap-utils python3-aiosmtpd openssl wget
snmpsim bzip2 samba smbclient freerdp2-shadow-x11 xvfb iputils-arping samba-ad-dc samba-ad-provision
samba-dsdb-modules python3-samba ldb-tools winbind postgresql"
# the hygiene gate (tests/check/cppcheck.sh, format.sh)
CHECK="cppcheck clang-format"
# The web UI: npm installs the browser libraries it embeds (ui/package.json)
# and the browser tests' playwright-core; Chromium runs those tests.
UI="nodejs"
command -v npm >/dev/null 2>&1 || UI="$UI npm" # a NodeSource nodejs has it
E2E="chromium fonts-liberation"
# bench/api.sh: HTTP load generator; bench/discovery.sh: the scanners it
# compares netcensus against (arp-scan: the L2 scenario); bench/scale.sh:
# haproxy, the balancer in front of three servers
BENCH="wrk nmap fping arp-scan haproxy tcpdump"

case $SET in
run) WANT="$BUILD $RUN $UI" ;;
test) WANT="$BUILD $RUN $UI $TEST $CHECK $E2E $BENCH" ;;
*)
	echo "install-deps: unknown set '$SET' (use run or test)" >&2
	exit 2
	;;
esac

missing=""
for p in $WANT; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
