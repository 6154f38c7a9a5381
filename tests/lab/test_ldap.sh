#!/bin/sh
# Directory sign-in against a real slapd on 127.0.0.1 (high ports) with a
# test CA made by openssl: two directory users in two groups log in with
# different roles through POST /api/v1/auth/login; a wrong or empty
# password is refused; the name *)(uid=*))(|(uid=* is refused and finds
# nobody; StartTLS and LDAPS with the test CA work (DN-template bind, and
# search-then-bind with a service account and memberUid groups); a server
# certificate from another CA is refused; a user removed from every mapped
# group loses access, its open session too; local users keep working.
# Prints TAP; skips when slapd, ldap-utils or openssl are missing.
set -u
. "$(dirname "$0")/../lib.sh"
need_tools curl jq openssl /usr/sbin/slapd /usr/sbin/slapadd \
	/usr/sbin/slaptest ldapmodify
need_netcensus
[ -f /etc/ldap/schema/nis.schema ] || skip_all "no OpenLDAP schema files"

tmp_init ldap
# ---- a test CA, the server's certificate, and one from another CA ----
mkca() { # mkca NAME
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
}
mkcert() { # mkcert CA NAME
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$T/$2.key" -out "$T/$2.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/$2.ext" &&
	openssl x509 -req -in "$T/$2.csr" -CA "$T/$1.crt" -CAkey "$T/$1.key" \
		-CAcreateserial -days 2 -extfile "$T/$2.ext" \
		-out "$T/$2.crt" 2>/dev/null
}
mkca testca && mkcert testca server && mkca otherca && mkcert otherca rogue
check "test CA and certificates made with openssl" \
	openssl verify -CAfile "$T/testca.crt" "$T/server.crt"

BASE=dc=example,dc=org
cat >"$T/data.ldif" <<LDIF
dn: $BASE
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=People,$BASE
objectClass: organizationalUnit
ou: People

dn: ou=Groups,$BASE
objectClass: organizationalUnit
ou: Groups

dn: uid=alice,ou=People,$BASE
objectClass: inetOrgPerson
uid: alice
cn: Alice Admin
sn: Admin
mail: alice@example.org
userPassword: alice-Passw0rd

dn: uid=bob,ou=People,$BASE
objectClass: inetOrgPerson
uid: bob
cn: Bob Viewer
sn: Viewer
userPassword: bob-Passw0rd

dn: uid=carol,ou=People,$BASE
objectClass: inetOrgPerson
uid: carol
cn: Carol Nogroup
sn: Nogroup
userPassword: carol-Passw0rd

dn: cn=svc,$BASE
objectClass: inetOrgPerson
cn: svc
sn: service
userPassword: svc-Passw0rd

dn: cn=netadmins,ou=Groups,$BASE
objectClass: groupOfNames
cn: netadmins
member: uid=alice,ou=People,$BASE

dn: cn=viewers,ou=Groups,$BASE
objectClass: groupOfNames
cn: viewers
member: uid=bob,ou=People,$BASE

dn: cn=posixops,ou=Groups,$BASE
objectClass: posixGroup
cn: posixops
gidNumber: 5000
memberUid: bob
LDIF

# slapd_start DIR CERT: a directory with data.ldif on two free ports, set
# in LDAP_PORT and LDAPS_PORT once it listens (other ports when one was
# taken between free_port and slapd's bind; three tries)
slapd_start() {
	d=$T/$1
	mkdir -p "$d/db" "$d/slapd.d"
	cat >"$d/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $d/slapd.pid
argsfile $d/slapd.args
TLSCACertificateFile $T/testca.crt
TLSCertificateFile $T/$2.crt
TLSCertificateKeyFile $T/$2.key
database mdb
maxsize 10485760
suffix "$BASE"
rootdn "cn=admin,$BASE"
rootpw admin-Passw0rd
directory $d/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
CONF
	/usr/sbin/slapadd -f "$d/slapd.conf" -l "$T/data.ldif" \
		>"$d/slapadd.log" 2>&1 || return 1
	/usr/sbin/slaptest -f "$d/slapd.conf" -F "$d/slapd.d" \
		>"$d/slaptest.log" 2>&1 || return 1
	# slapd looks up its own host name at start; on a machine whose name
	# is not in /etc/hosts that waits for DNS timeouts. In a UTS namespace
	# of its own the name is "localhost", which always resolves at once.
	# -d none: stay in the foreground and print only errors.
	for try in 1 2 3; do
		LDAP_PORT=$(free_port)
		LDAPS_PORT=$(free_port)
		set -- /usr/sbin/slapd -d none -F "$d/slapd.d" \
			-h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/"
		if [ -n "$UTS" ]; then
			unshare -u sh -c 'hostname localhost && exec "$@"' \
				slapd "$@" >>"$d/slapd.log" 2>&1 &
		else
			"$@" >>"$d/slapd.log" 2>&1 &
		fi
		sp=$!
		BG_PIDS="$BG_PIDS $sp"
		wait_port "$WAIT_LONG" "$sp" "$LDAP_PORT" "$LDAPS_PORT" &&
			return 0
		kill "$sp" 2>/dev/null
		wait "$sp" 2>/dev/null
	done
	return 1
}
UTS=
if [ "$(id -u)" = 0 ] && unshare -u true 2>/dev/null; then
	UTS="unshare -u"
fi
if ! slapd_start good server; then
	cat "$T"/good/*.log
	nok "slapd starts"
	tap_finish
fi
P_LDAP=$LDAP_PORT
P_LDAPS=$LDAPS_PORT
ok "slapd with the test CA's certificate on 127.0.0.1:$P_LDAP and :$P_LDAPS"
check "a second slapd with a certificate from another CA" \
	slapd_start rogue rogue
R_LDAP=$LDAP_PORT
R_LDAPS=$LDAPS_PORT

# ---- netcensus with a source from the config file (StartTLS) ----
# @PORT@: serve_start puts a free port there (and sets PORT and U)
SERVE_CONFIG=$T/netcensus.conf
cat >"$T/netcensus.conf" <<CONF
listen = http://127.0.0.1:@PORT@
db = $DB
ldap.corp.type = openldap
ldap.corp.url = ldap://127.0.0.1:$P_LDAP
ldap.corp.starttls = yes
ldap.corp.ca_file = $T/testca.crt
ldap.corp.base_dn = $BASE
ldap.corp.user_dn_template = uid=%s,ou=People,$BASE
ldap.corp.group_base_dn = ou=Groups,$BASE
ldap.corp.group_attribute = member
ldap.corp.mapping = netadmins | admin | Default
ldap.corp.mapping = cn=viewers,ou=Groups,$BASE | user
CONF
sed 's/@PORT@/1/' "$T/netcensus.conf" >"$T/check.conf"
check "serve -n accepts the ldap.* settings" \
	"$NETCENSUS" serve -n --config "$T/check.conf"
serve_start "$T/log" || { cat "$T/log"; nok "server starts"; tap_finish; }
ok "server starts"
AD=$(admin_token admin)

login() { # login USER PASSWORD [JAR]
	req POST /api/v1/auth/login -H 'Content-Type: application/json' -c "${3:-$T/jar}" \
		-d "$(jq -nc --arg u "$1" --arg p "$2" \
			'{username: $u, password: $p}')"
}

req GET /api/v1/auth-sources -H "Authorization: Bearer $AD"
check "the config file's source is listed (origin config)" \
	sh -c "[ $S = 200 ] && jq -e '.results[0].name == \"corp\" and .results[0].origin == \"config\" and .results[0].starttls == true' '$T/body'"

login alice alice-Passw0rd "$T/alice.jar"
check "alice (netadmins) logs in over StartTLS as admin" \
	sh -c "[ $S = 200 ] && jq -e '.username == \"alice\" and .role == \"admin\" and .org_id == 1' '$T/body'"
login bob bob-Passw0rd "$T/bob.jar"
check "bob (viewers) logs in as user" \
	sh -c "[ $S = 200 ] && jq -e '.role == \"user\"' '$T/body'"
BOB_CSRF=$(J .csrf_token)
req GET /api/v1/devices -b "$T/bob.jar"
check "bob's session works" test "$S" = 200
req POST /api/v1/orgs -b "$T/bob.jar" -H "X-CSRF-Token: $BOB_CSRF" -d '{"name":"x"}'
check "bob's role is read-only (403 on a write)" test "$S" = 403
req GET /api/v1/users -H "Authorization: Bearer $AD"
check "directory users are stored with source ldap and their names" \
	sh -c "jq -e '[.results[] | select(.source == \"ldap\") | .username] | sort == [\"alice\",\"bob\"]' '$T/body' && jq -e '.results[] | select(.username == \"alice\") | .full_name == \"Alice Admin\"' '$T/body'"
login alice wrong-password
check "a wrong password is refused (401)" test "$S" = 401
login alice ""
check "an empty password is refused (no unauthenticated bind)" \
	test "$S" = 401
login '*)(uid=*))(|(uid=*' alice-Passw0rd
check "the name *)(uid=*))(|(uid=* is refused" test "$S" = 401
login carol carol-Passw0rd
check "carol, in no mapped group, is refused" test "$S" = 401
login admin wrong-password
check "a local user is never tried against the directory" \
	sh -c "[ $S = 401 ] && ! grep -q \"auth source.*'admin'\" '$T/log'"
req GET /api/v1/auth/me -H "Authorization: Bearer $AD"
check "local users keep working" sh -c "[ $S = 200 ] && jq -e '.role == \"admin\"' '$T/body'"

# ---- LDAPS, search-then-bind with a service account, memberUid ----
req POST /api/v1/orgs -H "Authorization: Bearer $AD" -d '{"name":"ops"}'
req POST /api/v1/auth-sources -H "Authorization: Bearer $AD" -d "{
	\"name\":\"corp\",\"type\":\"openldap\",
	\"url\":\"ldaps://127.0.0.1:$P_LDAPS\",\"ca_file\":\"$T/testca.crt\",
	\"base_dn\":\"$BASE\",\"bind_dn\":\"cn=svc,$BASE\",
	\"bind_password\":\"svc-Passw0rd\",\"user_filter\":\"(uid=%s)\",
	\"group_base_dn\":\"ou=Groups,$BASE\",\"group_attribute\":\"memberUid\",
	\"mappings\":[{\"group\":\"posixops\",\"role\":\"org_admin\",\"org\":\"ops\"}]}"
check "POST /auth-sources replaces corp (201, bind password write-only)" \
	sh -c "[ $S = 201 ] && jq -e '.bind_password_set == true and (has(\"bind_password\") | not) and .origin == \"api\"' '$T/body' && ! grep -q svc-Passw0rd '$T/body'"
SID=$(J .id)
check "the bind password is encrypted in the database" \
	sh -c "! cat '$DB' '$DB-wal' 2>/dev/null | grep -aq svc-Passw0rd"
login bob bob-Passw0rd
check "bob logs in over LDAPS via the service account as org_admin of ops" \
	sh -c "[ $S = 200 ] && jq -e '.role == \"org_admin\" and .org_id != 1' '$T/body'"
req POST "/api/v1/auth-sources/$SID/test" -H "Authorization: Bearer $AD" \
	-d '{"username":"*)(uid=*))(|(uid=*","password":"alice-Passw0rd"}'
check "the injection finds nobody in a search" \
	sh -c "[ $S = 200 ] && jq -e '.authenticated == false and (.reason | test(\"no such user\"))' '$T/body'"
req POST "/api/v1/auth-sources/$SID/test" -H "Authorization: Bearer $AD" \
	-d '{"username":"bob","password":"bob-Passw0rd"}'
check "the test action shows bob's DN, groups and role" \
	sh -c "jq -e '.authenticated and .dn == \"uid=bob,ou=People,$BASE\" and .role == \"org_admin\" and (.groups | length) == 1' '$T/body'"

# ---- a certificate from another CA is refused ----
for url in "ldaps://127.0.0.1:$R_LDAPS" "ldap://127.0.0.1:$R_LDAP"; do
	tls=false
	case $url in ldap:*) tls=true ;; esac
	req POST /api/v1/auth-sources -H "Authorization: Bearer $AD" -d "{
		\"name\":\"rogue\",\"type\":\"openldap\",\"url\":\"$url\",
		\"starttls\":$tls,\"ca_file\":\"$T/testca.crt\",\"base_dn\":\"$BASE\",
		\"user_dn_template\":\"uid=%s,ou=People,$BASE\",
		\"mappings\":[{\"group\":\"netadmins\",\"role\":\"admin\"}]}"
	RID=$(J .id)
	req POST "/api/v1/auth-sources/$RID/test" -H "Authorization: Bearer $AD" \
		-d '{"username":"alice","password":"alice-Passw0rd"}'
	check "$url with another CA's certificate is refused" \
		sh -c "[ $S = 502 ] && jq -e '.authenticated == false' '$T/body'"
	echo "# $(J .reason)"
	req DELETE "/api/v1/auth-sources/$RID" -H "Authorization: Bearer $AD"
done

# ---- removed from every mapped group: access ends ----
login bob bob-Passw0rd "$T/bob2.jar"
check "bob has a session" test "$S" = 200
ldapmodify -x -H "ldap://127.0.0.1:$P_LDAP" -D "cn=admin,$BASE" \
	-w admin-Passw0rd >/dev/null 2>&1 <<LDIF
dn: cn=posixops,ou=Groups,$BASE
changetype: modify
delete: memberUid
memberUid: bob
LDIF
check "bob removed from posixops in the directory" test $? = 0
login bob bob-Passw0rd
check "bob can no longer log in" test "$S" = 401
req GET /api/v1/devices -b "$T/bob2.jar"
check "and his open session is refused" test "$S" = 403

serve_stop
check "server stops cleanly" test $? = 0
tap_finish
