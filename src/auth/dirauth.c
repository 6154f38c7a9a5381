/*
 * LDAP and Active Directory sign-in with OpenLDAP's libldap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>

#include "auth/dirauth.h"
#include "core/log.h"
#include "core/util.h"

#define DIRAUTH_NAME_MAX 100
#define DIRAUTH_TEXT_MAX 1024
#define DIRAUTH_USER_MAX 120
#define DIRAUTH_PASSWORD_MAX 1024
#define DIRAUTH_FILTER_MAX 2048
#define IN_CHAIN "1.2.840.113556.1.4.1941"

/* ---- escaping ---- */

static int esc_put(char *out, size_t len, size_t *w, const char *s, size_t n)
{
	if (*w + n + 1 > len)
		return -1;
	memcpy(out + *w, s, n);
	*w += n;
	out[*w] = '\0';
	return 0;
}

static int esc_hex(char *out, size_t len, size_t *w, unsigned char c)
{
	char h[4];

	snprintf(h, sizeof(h), "\\%02x", c);
	return esc_put(out, len, w, h, 3);
}

int dirauth_filter_escape(const char *s, char *out, size_t len)
{
	size_t w = 0;

	if (!len)
		return -1;
	out[0] = '\0';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc = (c == '*' || c == '(' || c == ')' || c == '\\' ||
			  c < 0x20 || c == 0x7f)
				 ? esc_hex(out, len, &w, c)
				 : esc_put(out, len, &w, s, 1);

		if (rc < 0)
			return -1;
	}
	return 0;
}

int dirauth_dn_escape(const char *s, char *out, size_t len)
{
	size_t w = 0, n = strlen(s), i;

	if (!len)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;

		if (c < 0x20 || c == 0x7f)
			rc = esc_hex(out, len, &w, c);
		else if (strchr(",+\"\\<>;=", c) ||
			 (i == 0 && (c == ' ' || c == '#')) ||
			 (i == n - 1 && c == ' '))
			rc = esc_put(out, len, &w, "\\", 1) < 0
				     ? -1
				     : esc_put(out, len, &w, s + i, 1);
		else
			rc = esc_put(out, len, &w, s + i, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int dirauth_fill(const char *tmpl, const char *value, char *out, size_t len)
{
	const char *p = strstr(tmpl, "%s");
	int n;

	if (!p || strstr(p + 2, "%s"))
		return -1;
	n = snprintf(out, len, "%.*s%s%s", (int)(p - tmpl), tmpl, value, p + 2);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- checking a source ---- */

static int src_fail(char *err, size_t errlen, const char **field, const char *f,
		    const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	*field = f;
	return -1;
}

static const char *src_str(json_t *src, const char *k)
{
	return json_string_value(json_object_get(src, k));
}

static int src_role_ok(const char *r)
{
	return r && (!strcmp(r, "admin") || !strcmp(r, "org_admin") ||
		     !strcmp(r, "user"));
}

static int src_check_mappings(json_t *maps, char *err, size_t errlen,
			      const char **field)
{
	json_t *m, *v;
	size_t i;
	const char *k;

	if (!json_is_array(maps) || !json_array_size(maps) ||
	    json_array_size(maps) > 100)
		return src_fail(err, errlen, field, "mappings",
				"mappings is required: a list of {group, "
				"role, org}; without one nobody can sign in");
	json_array_foreach(maps, i, m) {
		const char *g = src_str(m, "group");

		if (!json_is_object(m) || !g || !*g ||
		    strlen(g) > DIRAUTH_DN_MAX ||
		    !src_role_ok(src_str(m, "role"))) {
			snprintf(err, errlen,
				 "mappings[%zu] needs group (a "
				 "group DN or name) and role "
				 "(admin, org_admin or user)",
				 i);
			*field = "mappings";
			return -1;
		}
		json_object_foreach(m, k, v) {
			if (strcmp(k, "group") && strcmp(k, "role") &&
			    strcmp(k, "org")) {
				snprintf(err, errlen,
					 "mappings[%zu]: unknown "
					 "key '%.40s' (group, "
					 "role, org)",
					 i, k);
				*field = "mappings";
				return -1;
			}
		}
		v = json_object_get(m, "org");
		if (json_is_integer(v)) { /* an org id: kept as text */
			char id[24];

			snprintf(id, sizeof(id), "%lld",
				 (long long)json_integer_value(v));
			json_object_set_new(m, "org", json_string(id));
			continue;
		}
		if (v && !json_is_string(v) && !json_is_null(v)) {
			snprintf(err, errlen,
				 "mappings[%zu].org must be an "
				 "org name or id",
				 i);
			*field = "mappings";
			return -1;
		}
	}
	return 0;
}

int dirauth_check(json_t *src, char *err, size_t errlen, const char **field)
{
	static const char *const text_keys[] = {"name",
						"type",
						"url",
						"ca_file",
						"base_dn",
						"user_dn_template",
						"bind_dn",
						"bind_password",
						"user_filter",
						"group_base_dn",
						"group_attribute",
						"domain",
						NULL};
	const char *type, *url, *tmpl, *filter, *ga, *k;
	json_t *v;
	int i, ad;

	*field = NULL;
	json_object_foreach(src, k, v) {
		for (i = 0; text_keys[i] && strcmp(text_keys[i], k); i++)
			;
		if (text_keys[i]) {
			if (!json_is_string(v) && !json_is_null(v)) {
				snprintf(err, errlen, "%s must be text", k);
				*field = text_keys[i];
				return -1;
			}
			if (json_is_string(v) &&
			    strlen(json_string_value(v)) > DIRAUTH_TEXT_MAX) {
				snprintf(err, errlen, "%s is too long", k);
				*field = text_keys[i];
				return -1;
			}
			if (json_is_null(v))
				json_object_del(src, k);
			continue;
		}
		if (!strcmp(k, "starttls") || !strcmp(k, "enabled")) {
			if (!json_is_boolean(v)) {
				snprintf(err, errlen,
					 "%s must be true or "
					 "false",
					 k);
				*field = !strcmp(k, "enabled") ? "enabled"
							       : "starttls";
				return -1;
			}
			continue;
		}
		if (!strcmp(k, "mappings") || !strcmp(k, "id") ||
		    !strcmp(k, "origin"))
			continue;
		snprintf(err, errlen, "unknown setting '%.40s'", k);
		*field = "body";
		return -1;
	}
	v = json_object_get(src, "name");
	if (!json_is_string(v) || !*json_string_value(v) ||
	    strlen(json_string_value(v)) > DIRAUTH_NAME_MAX)
		return src_fail(err, errlen, field, "name",
				"name is required (at most 100 bytes)");
	type = src_str(src, "type");
	if (!type ||
	    (strcmp(type, "openldap") && strcmp(type, "active_directory")))
		return src_fail(err, errlen, field, "type",
				"type must be openldap or active_directory");
	ad = !strcmp(type, "active_directory");
	url = src_str(src, "url");
	if (!url ||
	    (strncmp(url, "ldap://", 7) && strncmp(url, "ldaps://", 8)) ||
	    strchr(url, ' ') || !ldap_is_ldap_url(url))
		return src_fail(err, errlen, field, "url",
				"url must be ldap://HOST:389 or "
				"ldaps://HOST:636");
	if (!strncmp(url, "ldaps://", 8) &&
	    json_is_true(json_object_get(src, "starttls")))
		return src_fail(err, errlen, field, "starttls",
				"starttls goes with ldap://, not ldaps:// "
				"(which is TLS already)");
	if (!json_object_get(src, "starttls"))
		json_object_set_new(src, "starttls", json_false());
	if (src_str(src, "ca_file") && access(src_str(src, "ca_file"), R_OK))
		return src_fail(err, errlen, field, "ca_file",
				"ca_file cannot be read by the server");
	if (!src_str(src, "base_dn") || !*src_str(src, "base_dn"))
		return src_fail(err, errlen, field, "base_dn",
				"base_dn is required (dc=example,dc=org)");
	tmpl = src_str(src, "user_dn_template");
	if (tmpl && (ad || dirauth_fill(tmpl, "x", (char[DIRAUTH_DN_MAX]){0},
					DIRAUTH_DN_MAX) < 0))
		return src_fail(err, errlen, field, "user_dn_template",
				ad ? "user_dn_template is for openldap; "
				     "Active Directory binds as user@domain"
				   : "user_dn_template needs exactly one %s "
				     "(uid=%s,ou=People,dc=example,dc=org)");
	if (!ad && !tmpl && !src_str(src, "bind_dn"))
		return src_fail(err, errlen, field, "user_dn_template",
				"give user_dn_template, or bind_dn and "
				"bind_password to search for the user");
	if (src_str(src, "bind_dn") && !json_object_get(src, "bind_password") &&
	    !json_is_true(json_object_get(src, "bind_password_set")))
		return src_fail(err, errlen, field, "bind_password",
				"bind_dn needs bind_password");
	json_object_del(src, "bind_password_set");
	filter = src_str(src, "user_filter");
	if (!filter)
		json_object_set_new(src, "user_filter",
				    json_string(ad ? "(&(objectClass=user)"
						     "(sAMAccountName=%s))"
						   : "(uid=%s)"));
	else if (filter[0] != '(' ||
		 dirauth_fill(filter, "x", (char[DIRAUTH_FILTER_MAX]){0},
			      DIRAUTH_FILTER_MAX) < 0)
		return src_fail(err, errlen, field, "user_filter",
				"user_filter must be an LDAP filter with "
				"exactly one %s, e.g. (uid=%s)");
	ga = src_str(src, "group_attribute");
	if (!ga)
		json_object_set_new(src, "group_attribute",
				    json_string("member"));
	else if (strcmp(ga, "member") && strcmp(ga, "memberUid") &&
		 strcmp(ga, "memberOf"))
		return src_fail(err, errlen, field, "group_attribute",
				"group_attribute must be member, memberUid "
				"or memberOf");
	if (!json_object_get(src, "enabled"))
		json_object_set_new(src, "enabled", json_true());
	return src_check_mappings(json_object_get(src, "mappings"), err, errlen,
				  field);
}

/* ---- talking to the directory ---- */

void dirauth_why(char *why, size_t len, const char *what, int rc, LDAP *ld)
{
	char *diag = NULL;

	if (ld)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag && (!*diag || strstr(diag, "unknown error"))) {
		ldap_memfree(diag);
		diag = NULL;
	}
	snprintf(why, len, "%s: %s%s%s%s", what, ldap_err2string(rc),
		 diag ? " - " : "", diag ? diag : "",
		 rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR
			 ? " (no answer, or TLS refused: is the server's "
			   "certificate from ca_file's CA and made for this "
			   "host name?)"
			 : "");
	ldap_memfree(diag);
}

LDAP *dirauth_connect(const char *url, int starttls, const char *ca_file,
		      int timeout_s, char *why, size_t whylen)
{
	struct timeval tv = {timeout_s, 0};
	int v3 = LDAP_VERSION3, hard = LDAP_OPT_X_TLS_HARD, zero = 0, rc;
	LDAP *ld = NULL;

	rc = ldap_initialize(&ld, url);
	if (rc != LDAP_SUCCESS) {
		dirauth_why(why, whylen, "bad url", rc, NULL);
		return NULL;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard);
	if (ca_file)
		ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file);
	/* a context of this connection's own, made after the options */
	rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	if (rc != LDAP_SUCCESS) {
		dirauth_why(why, whylen, "TLS set-up failed", rc, ld);
		goto fail;
	}
	if (starttls) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			dirauth_why(why, whylen, "StartTLS failed", rc, ld);
			goto fail;
		}
	}
	return ld;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

/* A connection to src's url with TLS set up (and StartTLS done). */
static LDAP *dir_connect(json_t *src, char *why, size_t whylen)
{
	return dirauth_connect(src_str(src, "url"),
			       json_is_true(json_object_get(src, "starttls")),
			       src_str(src, "ca_file"), DIRAUTH_TIMEOUT_SECONDS,
			       why, whylen);
}

int dirauth_bind(LDAP *ld, const char *who, const char *password)
{
	struct berval cred;

	cred.bv_val = (char *)(uintptr_t)password;
	cred.bv_len = strlen(password);
	return ldap_sasl_bind_s(ld, who, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
				NULL);
}

/* Searches and returns the result (ldap_msgfree()), or NULL with why. */
static LDAPMessage *dir_search(LDAP *ld, const char *base, int scope,
			       const char *filter, char **attrs, int limit,
			       char *why, size_t whylen)
{
	struct timeval tv = {DIRAUTH_TIMEOUT_SECONDS, 0};
	LDAPMessage *res = NULL;
	int rc;

	rc = ldap_search_ext_s(ld, base, scope, filter, attrs, 0, NULL, NULL,
			       &tv, limit, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED &&
	    rc != LDAP_NO_SUCH_OBJECT) {
		dirauth_why(why, whylen, "search failed", rc, ld);
		ldap_msgfree(res);
		return NULL;
	}
	return res;
}

static void dir_first_value(LDAP *ld, LDAPMessage *e, const char *attr,
			    char *out, size_t len)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);

	if (v && v[0]) {
		size_t n = v[0]->bv_len < len - 1 ? v[0]->bv_len : len - 1;

		memcpy(out, v[0]->bv_val, n);
		out[n] = '\0';
	}
	ldap_value_free_len(v);
}

/* Adds the DNs of the entries of res to groups. */
static void dir_add_dns(LDAP *ld, LDAPMessage *res, json_t *groups)
{
	LDAPMessage *e;

	for (e = ldap_first_entry(ld, res); e; e = ldap_next_entry(ld, e)) {
		char *dn = ldap_get_dn(ld, e);

		if (dn && json_array_size(groups) < DIRAUTH_GROUPS_MAX)
			json_array_append_new(groups, json_string(dn));
		ldap_memfree(dn);
	}
}

/* Reads the user's entry: names, mail and memberOf values. */
static int dir_read_user(LDAP *ld, struct dirauth_user *u, int want_memberof,
			 char *why, size_t whylen)
{
	char *attrs[] = {"cn", "displayName", "mail", "memberOf", NULL};
	LDAPMessage *res, *e;
	struct berval **v;
	int i;

	res = dir_search(ld, u->dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
			 1, why, whylen);
	if (!res)
		return -1;
	e = ldap_first_entry(ld, res);
	if (e) {
		dir_first_value(ld, e, "cn", u->full_name,
				sizeof(u->full_name));
		dir_first_value(ld, e, "displayName", u->full_name,
				sizeof(u->full_name));
		dir_first_value(ld, e, "mail", u->email, sizeof(u->email));
		v = want_memberof ? ldap_get_values_len(ld, e, "memberOf")
				  : NULL;
		for (i = 0; v && v[i] &&
			    json_array_size(u->groups) < DIRAUTH_GROUPS_MAX;
		     i++)
			json_array_append_new(
				u->groups,
				json_stringn(v[i]->bv_val, v[i]->bv_len));
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return 0;
}

/* The groups that hold the user, by group_attribute. */
static int dir_groups(LDAP *ld, json_t *src, const char *user,
		      struct dirauth_user *u, char *why, size_t whylen)
{
	const char *ga = src_str(src, "group_attribute");
	const char *base = src_str(src, "group_base_dn");
	char esc[DIRAUTH_DN_MAX * 3 + 1], filter[sizeof(esc) * 2 + 64];
	char *attrs[] = {"1.1", NULL};
	int ad = !strcmp(src_str(src, "type"), "active_directory");
	LDAPMessage *res;

	if (!base)
		base = src_str(src, "base_dn");
	if (!strcmp(ga, "memberOf"))
		return 0; /* read with the user's entry */
	if (!strcmp(ga, "memberUid")) {
		if (dirauth_filter_escape(user, esc, sizeof(esc)) < 0)
			return -1;
		snprintf(filter, sizeof(filter), "(memberUid=%s)", esc);
	} else {
		if (dirauth_filter_escape(u->dn, esc, sizeof(esc)) < 0)
			return -1;
		if (ad)
			snprintf(filter, sizeof(filter),
				 "(member:" IN_CHAIN ":=%s)", esc);
		else
			snprintf(filter, sizeof(filter),
				 "(|(member=%s)(uniqueMember=%s))", esc, esc);
	}
	res = dir_search(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs,
			 DIRAUTH_GROUPS_MAX, why, whylen);
	if (!res)
		return -1;
	dir_add_dns(ld, res, u->groups);
	ldap_msgfree(res);
	return 0;
}

/* The AD domain: src's "domain", else base_dn's dc= values joined by
 * dots. */
static void dir_ad_domain(json_t *src, char *out, size_t len)
{
	const char *d = src_str(src, "domain"), *p;
	size_t w = 0;

	out[0] = '\0';
	if (d) {
		snprintf(out, len, "%s", d);
		return;
	}
	for (p = src_str(src, "base_dn"); p && *p;) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, ",");
		if (n > 3 && !strncasecmp(p, "dc=", 3) && w + n < len) {
			if (w)
				out[w++] = '.';
			memcpy(out + w, p + 3, n - 3);
			w += n - 3;
			out[w] = '\0';
		}
		p += n;
	}
}

/* Finds the user's DN with a search; 1 found, 0 not, -1 error. */
static int dir_find_user(LDAP *ld, json_t *src, const char *user,
			 struct dirauth_user *u, char *why, size_t whylen)
{
	char esc[DIRAUTH_USER_MAX * 3 + 1], filter[DIRAUTH_FILTER_MAX * 2];
	char *attrs[] = {"1.1", NULL}, *dn;
	LDAPMessage *res, *e;
	int n;

	if (dirauth_filter_escape(user, esc, sizeof(esc)) < 0 ||
	    dirauth_fill(src_str(src, "user_filter"), esc, filter,
			 sizeof(filter)) < 0) {
		snprintf(why, whylen, "user name too long");
		return 0;
	}
	res = dir_search(ld, src_str(src, "base_dn"), LDAP_SCOPE_SUBTREE,
			 filter, attrs, 2, why, whylen);
	if (!res)
		return -1;
	n = ldap_count_entries(ld, res);
	e = ldap_first_entry(ld, res);
	if (n != 1 || !e) {
		snprintf(why, whylen, "%s",
			 n ? "several entries match" : "no such user");
		ldap_msgfree(res);
		return 0;
	}
	dn = ldap_get_dn(ld, e);
	snprintf(u->dn, sizeof(u->dn), "%s", dn ? dn : "");
	ldap_memfree(dn);
	ldap_msgfree(res);
	return u->dn[0] ? 1 : 0;
}

/* Binds as the service account, when src has one. 0 or -1. */
static int dir_service_bind(LDAP *ld, json_t *src, char *why, size_t whylen)
{
	const char *dn = src_str(src, "bind_dn");
	const char *pw = src_str(src, "bind_password");
	int rc;

	if (!dn)
		return 0;
	if (!pw || !*pw) {
		snprintf(why, whylen,
			 "the service account (bind_dn) has no "
			 "password");
		return -1;
	}
	rc = dirauth_bind(ld, dn, pw);
	if (rc != LDAP_SUCCESS) {
		dirauth_why(why, whylen, "the service account cannot bind", rc,
			    ld);
		return -1;
	}
	return 0;
}

/* 1 when user holds only characters a directory name may hold here. */
static int dir_user_ok(const char *user, int ad)
{
	size_t n = strlen(user);

	if (!n || n > DIRAUTH_USER_MAX)
		return 0;
	for (; *user; user++) {
		unsigned char c = (unsigned char)*user;

		if (c < 0x20 || c == 0x7f)
			return 0;
		/* characters AD forbids in sAMAccountName */
		if (ad && strchr("\"/\\[]:;|=,+*?<>@", c))
			return 0;
	}
	return 1;
}

/* Binds as the user (who: a DN, or a UPN for Active Directory): 1 bound,
 * 0 refused (wrong password or no such user), -1 with why. */
static int dir_bind_user(LDAP *ld, const char *who, const char *password,
			 char *why, size_t whylen)
{
	int rc = dirauth_bind(ld, who, password);

	if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX) {
		snprintf(why, whylen, "wrong password or no such user");
		return 0;
	}
	if (rc != LDAP_SUCCESS) {
		dirauth_why(why, whylen, "bind failed", rc, ld);
		return -1;
	}
	return 1;
}

/* Finds the user's entry (u->dn) by a search, bound as the service account
 * when src has one: 1 found, 0 not found, -1 with why. */
static int dir_lookup_user(LDAP *ld, json_t *src, const char *user,
			   struct dirauth_user *u, char *why, size_t whylen)
{
	if (dir_service_bind(ld, src, why, whylen) < 0)
		return -1;
	return dir_find_user(ld, src, user, u, why, whylen);
}

int dirauth_login(json_t *src, const char *user, const char *password,
		  struct dirauth_user *u, char *why, size_t whylen)
{
	int ad = !strcmp(src_str(src, "type") ? src_str(src, "type") : "",
			 "active_directory");
	const char *tmpl = src_str(src, "user_dn_template");
	char esc[DIRAUTH_USER_MAX * 3 + 1], domain[256],
		upn[DIRAUTH_USER_MAX + 260];
	LDAP *ld = NULL;
	int ret = -1;

	memset(u, 0, sizeof(*u));
	snprintf(why, whylen, "refused");
	/* an empty password would be an unauthenticated bind, which
	 * succeeds for any name */
	if (!password || !*password ||
	    strlen(password) > DIRAUTH_PASSWORD_MAX) {
		snprintf(why, whylen, "empty or over-long password");
		return 0;
	}
	if (!dir_user_ok(user, ad)) {
		snprintf(why, whylen,
			 "user name with characters a directory "
			 "name cannot hold");
		return 0;
	}
	ld = dir_connect(src, why, whylen);
	if (!ld)
		return -1;
	u->groups = json_array();
	if (ad) {
		dir_ad_domain(src, domain, sizeof(domain));
		snprintf(upn, sizeof(upn), "%s@%s", user, domain);
		ret = dir_bind_user(ld, upn, password, why, whylen);
		if (ret == 1)
			ret = dir_lookup_user(ld, src, user, u, why, whylen);
	} else if (tmpl &&
		   (dirauth_dn_escape(user, esc, sizeof(esc)) < 0 ||
		    dirauth_fill(tmpl, esc, u->dn, sizeof(u->dn)) < 0)) {
		snprintf(why, whylen, "user name too long");
		ret = 0;
	} else {
		ret = tmpl ? 1 : dir_lookup_user(ld, src, user, u, why, whylen);
		if (ret == 1)
			ret = dir_bind_user(ld, u->dn, password, why, whylen);
		/* groups are read as the service account when there is one */
		if (ret == 1 && dir_service_bind(ld, src, why, whylen) < 0)
			ret = -1;
	}
	if (ret != 1)
		goto out;
	ret = -1;
	if (dir_read_user(ld, u,
			  !strcmp(src_str(src, "group_attribute"), "memberOf"),
			  why, whylen) < 0 ||
	    dir_groups(ld, src, user, u, why, whylen) < 0)
		goto out;
	ret = 1;
out:
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (ret != 1) {
		json_decref(u->groups);
		u->groups = NULL;
	}
	return ret;
}

void dirauth_user_free(struct dirauth_user *u)
{
	if (!u)
		return;
	json_decref(u->groups);
	u->groups = NULL;
}

/* The value of a DN's first RDN ("cn=admins,ou=..." -> "admins"). */
static void dir_rdn_value(const char *dn, char *out, size_t len)
{
	const char *eq = strchr(dn, '=');
	size_t n;

	out[0] = '\0';
	if (!eq)
		return;
	n = strcspn(eq + 1, ",");
	if (n >= len)
		n = len - 1;
	memcpy(out, eq + 1, n);
	out[n] = '\0';
}

static int dir_role_rank(const char *r)
{
	return !strcmp(r, "admin") ? 3 : !strcmp(r, "org_admin") ? 2 : 1;
}

int dirauth_map(json_t *src, const struct dirauth_user *u, const char **role,
		const char **org)
{
	json_t *m, *g;
	size_t i, j;
	char rdn[256];
	int best = 0;

	*role = NULL;
	*org = NULL;
	json_array_foreach(json_object_get(src, "mappings"), i, m) {
		const char *want = src_str(m, "group"), *r = src_str(m, "role");

		if (!want || !r)
			continue;
		json_array_foreach(u->groups, j, g) {
			const char *dn = json_string_value(g);

			dir_rdn_value(dn, rdn, sizeof(rdn));
			if (!util_streq_ci(want, dn) &&
			    !(!strchr(want, '=') && util_streq_ci(want, rdn)))
				continue;
			if (dir_role_rank(r) > best) {
				best = dir_role_rank(r);
				*role = r;
				*org = src_str(m, "org");
			}
		}
	}
	return best > 0;
}
