# shellcheck shell=bash
# A Samba Active Directory domain controller for the lab tests, sourced by
# tests/lab/test_ad.sh (not a test itself). It runs inside the namespace the
# test made, provisioned into $T/dc: nothing under /etc, /var or /run is
# touched, and every directory Samba writes (private, state, cache, lock,
# pid, sockets, logs) is under $T/dc.
#
#   ad_dc_provision        samba-tool domain provision into $T/dc (LAB.TEST)
#   ad_dc_ldif N           the bulk objects as LDIF on stdout (below)
#   ad_dc_load FILE        ldbadd FILE into the offline sam.ldb
#   ad_dc_start            samba in the foreground (DC_PID), until LDAPS
#                          answers a bind as Administrator
#
# The objects (ad_dc_ldif N): OU=Workstations,OU=Corp and OU=Servers,OU=Corp
# with N computers ws-0001.. (Windows 10 Enterprise 10.0 (19045) in
# Workstations, every 10th Windows Server 2019 in Servers), every 50th
# disabled (userAccountControl 4098), every 40th stale (lastLogonTimestamp
# in 2020); sites Berlin and Paris with subnets 198.18.250.0/24 and
# 198.18.251.0/24 (Berlin) and 198.18.252.0/24 (Paris); three hostile
# computers: huge-desc (a 10 MB description), ctrl-chars (escape, newline
# and bell in operatingSystem and description) and "evil*)(cn=*" (no
# dNSHostName, a name that is no host name); users alice (in
# it-staff, which is a member of nc-admins: nested) and bob (in nc-viewers)
# with passwords $ALICE_PW and $BOB_PW.
DC_IP=${DC_IP:-198.18.250.10}
DC_REALM=LAB.TEST
DC_BASE=DC=lab,DC=test
DC_ADMIN_PW='Adm1n-Pass-77'
ALICE_PW='Alice-Pass-77'
BOB_PW='Bob-Pass-77x'
DC_PID=
# Samba's own test suite runs this way: no fsync of its databases (a DC
# thrown away at the end of the test needs none), several times faster on
# a busy disk
export TDB_NO_FSYNC=1

ad_dc_provision() {
	rm -rf "$T/dc"
	mkdir -p "$T/dc/run" "$T/dc/log"
	# the DNS forwarder is the DC itself: nothing is ever forwarded out
	samba-tool domain provision --targetdir="$T/dc" --realm=$DC_REALM \
		--domain=LAB --server-role=dc --dns-backend=SAMBA_INTERNAL \
		--adminpass="$DC_ADMIN_PW" --host-name=dc1 --host-ip="$DC_IP" \
		--option="bind interfaces only = yes" \
		--option="interfaces = ${DC_IF:-d0}" \
		--option="server services = ldap cldap kdc rpc dns" \
		--option="dns forwarder = $DC_IP" \
		--option="pid directory = $T/dc/run" \
		--option="ncalrpc dir = $T/dc/run/ncalrpc" \
		--option="winbindd socket directory = $T/dc/run/winbindd" \
		--option="log file = $T/dc/log/log.%m" \
		--option="tls enabled = yes" \
		--option="tls keyfile = $T/dc.key" \
		--option="tls certfile = $T/dc.crt" \
		--option="tls cafile = $T/testca.crt" \
		--option="disable netbios = yes" \
		>"$T/provision.log" 2>&1
}

# ad_dc_ldif N: see the top of this file
ad_dc_ldif() {
	/usr/bin/python3 - "$1" "$DC_BASE" "$ALICE_PW" "$BOB_PW" <<'EOF'
import base64, sys
n, base, alice_pw, bob_pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
w = sys.stdout.write
def pw(p):
    return base64.b64encode(('"%s"' % p).encode('utf-16-le')).decode()
for ou in ("OU=Corp", "OU=Workstations,OU=Corp", "OU=Servers,OU=Corp"):
    w("dn: %s,%s\nobjectClass: organizationalUnit\n\n" % (ou, base))
import time
def filetime(t):
    return int(t * 10000000) + 116444736000000000
recent = filetime(time.time() - 86400)  # yesterday
stale = filetime(time.time() - 400 * 86400)
for i in range(1, n + 1):
    name = "ws-%04d" % i
    server = i % 10 == 0
    ou = "OU=Servers,OU=Corp" if server else "OU=Workstations,OU=Corp"
    os_name = "Windows Server 2019 Standard" if server else "Windows 10 Enterprise"
    os_ver = "10.0 (17763)" if server else "10.0 (19045)"
    uac = 4098 if i % 50 == 0 else 4096
    llt = stale if i % 40 == 0 else recent
    w("dn: CN=%s,%s,%s\nobjectClass: computer\nsAMAccountName: %s$\n"
      "dNSHostName: %s.lab.test\noperatingSystem: %s\n"
      "operatingSystemVersion: %s\ndescription: desk %d\n"
      "userAccountControl: %d\nlastLogonTimestamp: %d\n\n"
      % (name, ou, base, name.upper(), name, os_name, os_ver, i, uac, llt))
sites = "CN=Sites,CN=Configuration," + base
for site in ("Berlin", "Paris"):
    w("dn: CN=%s,%s\nobjectClass: site\n\n" % (site, sites))
    w("dn: CN=NTDS Site Settings,CN=%s,%s\nobjectClass: nTDSSiteSettings\n\n"
      % (site, sites))
    w("dn: CN=Servers,CN=%s,%s\nobjectClass: serversContainer\n\n"
      % (site, sites))
for net, site in (("198.18.250.0/24", "Berlin"), ("198.18.251.0/24", "Berlin"),
                  ("198.18.252.0/24", "Paris")):
    w("dn: CN=%s,CN=Subnets,%s\nobjectClass: subnet\nsiteObject: CN=%s,%s\n\n"
      % (net, sites, site, sites))
# hostile values: a 10 MB description, control characters, a name that
# looks like an LDAP filter (and is no host name)
w("dn: CN=huge-desc,OU=Workstations,OU=Corp,%s\nobjectClass: computer\n"
  "sAMAccountName: HUGE-DESC$\ndNSHostName: huge-desc.lab.test\n"
  "operatingSystem: Windows 10 Enterprise\ndescription: placeholder\n"
  "userAccountControl: 4096\n"
  "lastLogonTimestamp: %d\n\n" % (base, recent))
w("dn: CN=ctrl-chars,OU=Workstations,OU=Corp,%s\nobjectClass: computer\n"
  "sAMAccountName: CTRL-CHARS$\ndNSHostName: ctrl-chars.lab.test\n"
  "operatingSystem:: %s\ndescription:: %s\nlastLogonTimestamp: %d\n"
  "userAccountControl: 4096\n\n"
  % (base, base64.b64encode(b"Windows\x1b[31m 11").decode(),
     base64.b64encode(b"line1\nline2\x07bell").decode(), recent))
w("dn: CN=evil\\*\\)\\(cn\\=\\*,OU=Workstations,OU=Corp,%s\n"
  "objectClass: computer\n"
  "sAMAccountName: EVIL1$\noperatingSystem: Windows 10 Enterprise\n\n"
  % base)
users = "CN=Users," + base
for u, p in (("alice", alice_pw), ("bob", bob_pw)):
    w("dn: CN=%s,%s\nobjectClass: user\nsAMAccountName: %s\n"
      "userPrincipalName: %s@lab.test\nunicodePwd:: %s\n"
      "userAccountControl: 512\n\n" % (u, users, u, u, pw(p)))
w("dn: CN=it-staff,%s\nobjectClass: group\nsAMAccountName: it-staff\n"
  "member: CN=alice,%s\n\n" % (users, users))
w("dn: CN=nc-admins,%s\nobjectClass: group\nsAMAccountName: nc-admins\n"
  "member: CN=it-staff,%s\n\n" % (users, users))
w("dn: CN=nc-viewers,%s\nobjectClass: group\nsAMAccountName: nc-viewers\n"
  "member: CN=bob,%s\n\n" % (users, users))
EOF
}

# ad_dc_load FILE: ldbadd FILE, then the 10 MB description of huge-desc
# written straight into the domain's partition (the DC's own checks refuse
# a description over 1,024 characters; a hostile or broken DC may not)
ad_dc_load() {
	ldbadd --nosync -H "$T/dc/private/sam.ldb" "$1" >"$T/ldbadd.log" 2>&1 &&
		grep -q "^Added $(grep -c '^dn: ' "$1") records successfully" \
			"$T/ldbadd.log" || return 1
	/usr/bin/python3 -c 'import sys; print("dn: CN=huge-desc,OU=Workstations,"
		"OU=Corp,%s\nchangetype: modify\nreplace: description\n"
		"description: %s\n" % (sys.argv[1], "x" * (10 << 20)))' \
		"$DC_BASE" >"$T/huge.ldif"
	ldbmodify --nosync -H "$T/dc/private/sam.ldb.d/DC=LAB,DC=TEST.ldb" \
		"$T/huge.ldif" >>"$T/ldbadd.log" 2>&1
}

# ad_dc_bound: 0 when Administrator can bind over LDAPS and read the base
ad_dc_bound() {
	LDAPTLS_CACERT=$T/testca.crt ldapsearch -x -o nettimeout=5 \
		-H "ldaps://$DC_IP" -D "Administrator@lab.test" \
		-w "$DC_ADMIN_PW" -b "$DC_BASE" -s base dn >/dev/null 2>&1
}

# ad_dc_up: bound, or 0 as soon as samba died (ad_dc_start then fails)
ad_dc_up() {
	kill -0 "$DC_PID" 2>/dev/null || return 0
	ad_dc_bound
}

ad_dc_start() {
	samba -i -M single -s "$T/dc/etc/smb.conf" >"$T/dc/log/samba.out" 2>&1 &
	DC_PID=$!
	BG_PIDS="$BG_PIDS $DC_PID"
	wait_until 180 ad_dc_up && kill -0 "$DC_PID" 2>/dev/null
}
