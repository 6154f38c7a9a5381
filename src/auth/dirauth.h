/*
 * dirauth: signing in against a directory — OpenLDAP (or any LDAPv3
 * server) and Active Directory — and mapping its groups to a netcensus
 * role and org.
 *
 * A source is a JSON object (the API's and the config file's shape):
 *   name, type ("openldap" | "active_directory"), url ("ldap://HOST:389" |
 *   "ldaps://HOST:636"), starttls (bool), ca_file, base_dn,
 *   user_dn_template ("uid=%s,ou=People,dc=example,dc=org": bind directly)
 *   or bind_dn + bind_password + user_filter ("(uid=%s)": search, then
 *   bind), group_base_dn, group_attribute ("member" | "memberUid" |
 *   "memberOf"), domain (AD: the user@domain suffix; default from
 *   base_dn's dc= parts), mappings [{group, role, org}], enabled.
 *
 * The user name is put into DNs escaped per RFC 4514 and into filters
 * escaped per RFC 4515, so it can only ever be a value; an empty password
 * is refused before any bind (an LDAP "unauthenticated bind" would
 * succeed with any name). TLS (ldaps:// or StartTLS) always verifies the
 * server's certificate and name (LDAP_OPT_X_TLS_HARD), against ca_file
 * when given, in a TLS context of the connection's own.
 *
 * Active Directory: bind as user@domain, find the user by sAMAccountName,
 * and its groups, nested ones included, with the matching rule
 * LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941) unless
 * group_attribute is "memberOf" (direct groups only).
 *
 * Blocking, bounded by DIRAUTH_TIMEOUT_SECONDS per operation. Nothing here
 * touches the store.
 */
#ifndef NC_DIRAUTH_H
#define NC_DIRAUTH_H

#include <stddef.h>
#include <jansson.h>

#define DIRAUTH_TIMEOUT_SECONDS 10
#define DIRAUTH_DN_MAX 1024
#define DIRAUTH_GROUPS_MAX 1000

struct dirauth_user {
	char dn[DIRAUTH_DN_MAX];
	char full_name[256];
	char email[256];
	json_t *groups; /* group DNs (owned; dirauth_user_free) */
};

/* Escapes s as an RFC 4515 filter value ("*" -> "\2a", "(" -> "\28",
 * ")" -> "\29", "\" -> "\5c", NUL and non-printing bytes as \XX). 0, or -1
 * when out (len bytes) is too small. */
int dirauth_filter_escape(const char *s, char *out, size_t len);
/* Escapes s as an RFC 4514 attribute value in a DN (, + " \ < > ; = and
 * a leading space or #, a trailing space, control bytes). 0 or -1. */
int dirauth_dn_escape(const char *s, char *out, size_t len);
/* Replaces the one "%s" of tmpl with value into out (no escaping here).
 * 0, or -1 when tmpl has no or several %s or out is too small. */
int dirauth_fill(const char *tmpl, const char *value, char *out, size_t len);

/* Checks and normalises a source (defaults filled, unknown keys
 * refused). 0, or -1 with err and *field. */
int dirauth_check(json_t *src, char *err, size_t errlen, const char **field);

/* Signs user in against src (with its clear "bind_password" when it has
 * one). 1 when the directory accepted the password (u filled), 0 when it
 * refused or there is no such user (why says which), -1 when the
 * directory could not be asked (TLS, connection, service account; why
 * says what). */
int dirauth_login(json_t *src, const char *user, const char *password,
		  struct dirauth_user *u, char *why, size_t whylen);
void dirauth_user_free(struct dirauth_user *u);

/* ---- the connection, for other readers of a directory (discover/ad) ---- */
struct ldap; /* <ldap.h>'s LDAP */

/* A connection to url (ldap:// or ldaps://) whose TLS always verifies the
 * server's certificate and name, against ca_file when not NULL, in a TLS
 * context of its own; StartTLS done when starttls. Connect and each
 * synchronous operation time out after timeout_s. NULL with why. */
struct ldap *dirauth_connect(const char *url, int starttls, const char *ca_file,
			     int timeout_s, char *why, size_t whylen);
/* A simple bind as who; the LDAP result code. */
int dirauth_bind(struct ldap *ld, const char *who, const char *password);
/* why = "WHAT: the error text - the server's diagnostic (a hint)". */
void dirauth_why(char *why, size_t len, const char *what, int rc,
		 struct ldap *ld);

/* The mapping of src that u's groups select: the one giving the highest
 * role. 1 with *role and *org (borrowed from src; org may be NULL), or 0
 * when no mapped group holds u. */
int dirauth_map(json_t *src, const struct dirauth_user *u, const char **role,
		const char **org);

#endif
