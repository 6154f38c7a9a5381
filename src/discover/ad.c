/*
 * ad.c: Active Directory discovery over LDAP (ad.h).
 *
 * Two paged searches on one bound connection - the subnets of the
 * configuration NC, then the computers under the base - each entry turned
 * at once into what is kept (a subnet pair, or a device report as compact
 * JSON text, about half a kilobyte) so memory follows the number of
 * objects, capped, never the size of what the DC sent. The reports go to
 * the sinks only after both searches ended well.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ldap.h>

#include "auth/dirauth.h"
#include "core/log.h"
#include "core/util.h"
#include "discover/ad.h"
#include "discover/discover_def.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"

#define AD_BIND_TIMEOUT_S 10
#define AD_URL_MAX 300
#define AD_WHO_MAX 512
#define AD_DN_MAX 1024
#define AD_MESSAGE_MAX (32 << 20)
/* 100-ns ticks from 1601-01-01 to 1970-01-01 */
#define AD_FILETIME_UNIX 116444736000000000LL
#define UAC_ACCOUNTDISABLE 0x2

struct ad_read {
	const struct ad_opts *o;
	const struct discover_sink *sinks;
	size_t n_sinks;
	LDAP *ld;
	struct timespec deadline;
	time_t now;
	long objects, max_objects;
	json_t *subnets;
	char **reports; /* compact JSON text, one per computer */
	size_t n_reports, cap_reports;
	struct ad_result *res;
	char *why;
	size_t whylen;
};

json_t *ad_credential_pick(json_t *creds)
{
	json_t *c;
	size_t i;

	json_array_foreach(creds, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && (!strcmp(t, "windows") || !strcmp(t, "ldap")))
			return c;
	}
	return NULL;
}

/* ---- log rows to the sinks ---- */

static void ad_log(struct ad_read *r, const char *host, const char *outcome,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void ad_log(struct ad_read *r, const char *host, const char *outcome,
		   const char *fmt, ...)
{
	struct discover_log row;
	char msg[1024];
	va_list ap;
	size_t i;

	memset(&row, 0, sizeof(row));
	snprintf(row.ip, sizeof(row.ip), "%s", host ? host : "");
	row.stage = "active_directory";
	snprintf(row.outcome, sizeof(row.outcome), "%s", outcome);
	row.duration_ms = -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	row.message = msg;
	util_now(row.time);
	for (i = 0; i < r->n_sinks; i++)
		if (r->sinks[i].log)
			r->sinks[i].log(r->sinks[i].ud, &row, 1);
}

/* ---- values ---- */

/* v as text for a report: NULL when absent, too long or not UTF-8 (the
 * last two counted and logged against dn); control characters become
 * spaces. A new string. */
static char *ad_text(struct ad_read *r, const char *dn, const char *attr,
		     struct berval *v)
{
	char *out;
	size_t i;

	if (!v || !v->bv_len)
		return NULL;
	if (v->bv_len > AD_TEXT_MAX || !util_utf8_valid(v->bv_val, v->bv_len)) {
		r->res->dropped++;
		ad_log(r, NULL, "dropped", "%s: %s of %lu bytes %s; not stored",
		       dn, attr, (unsigned long)v->bv_len,
		       v->bv_len > AD_TEXT_MAX ? "is over the ceiling of "
						 "1024"
					       : "is not UTF-8");
		return NULL;
	}
	out = xmalloc(v->bv_len + 1);
	memcpy(out, v->bv_val, v->bv_len);
	out[v->bv_len] = '\0';
	for (i = 0; i < v->bv_len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return out;
}

/* The first value of attr of e as text (ad_text()), or NULL. */
static char *ad_attr(struct ad_read *r, LDAPMessage *e, const char *dn,
		     const char *attr)
{
	struct berval **v = ldap_get_values_len(r->ld, e, attr);
	char *s = v && v[0] ? ad_text(r, dn, attr, v[0]) : NULL;

	ldap_value_free_len(v);
	return s;
}

static void ad_lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* 1 when s is a DNS name: labels of letters, digits, '-' and '_'. */
static int ad_hostname_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

/* "YYYYMMDDHHMMSS.0Z" -> "YYYY-MM-DD HH:MM:SS" into out; 0 or -1. */
static int ad_gentime(const char *g, char out[20])
{
	if (!g || strlen(g) < 14 || strspn(g, "0123456789") < 14)
		return -1;
	snprintf(out, 20, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", g, g + 4, g + 6,
		 g + 8, g + 10, g + 12);
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" (UTC) as a Unix time; 0 when it does not parse. */
static time_t ad_time_parse(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* A FILETIME (100 ns since 1601) as a Unix time; 0 when absent or 0. */
static time_t ad_filetime(const char *s)
{
	long long v;
	char *end;

	if (!s)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v <= AD_FILETIME_UNIX)
		return 0;
	return (time_t)((v - AD_FILETIME_UNIX) / 10000000LL);
}

/* Clean text of an RDN value: commas and control characters become
 * spaces (a tag list is comma-separated). */
static size_t ad_rdn_put(const struct berval *v, char *out, size_t w,
			 size_t len)
{
	size_t k;

	for (k = 0; k < v->bv_len && w + 1 < len; k++) {
		char c = v->bv_val[k];

		out[w++] = (c == ',' || (unsigned char)c < 0x20 || c == 0x7f)
				   ? ' '
				   : c;
	}
	out[w] = '\0';
	return w;
}

/* With first: the value of dn's first RDN ("CN=Berlin,CN=Sites,..." ->
 * "Berlin"). Else the containers above the object, outermost first,
 * without the domain: "CN=pc1,OU=Workstations,OU=Corp,DC=lab,DC=test" ->
 * "Corp/Workstations". "" when dn does not parse. */
static void ad_dn_text(const char *dn, int first, char *out, size_t len)
{
	LDAPDN ldn = NULL;
	size_t w = 0;
	int i, n;

	out[0] = '\0';
	if (ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    !ldn)
		return;
	for (n = 0; ldn[n]; n++)
		;
	if (first && n && ldn[0][0])
		ad_rdn_put(&ldn[0][0]->la_value, out, 0, len);
	for (i = n - 1; !first && i >= 1; i--) {
		LDAPAVA *a = ldn[i][0];

		if (!a || (a->la_attr.bv_len == 2 &&
			   !strncasecmp(a->la_attr.bv_val, "DC", 2)))
			continue;
		if (w && w + 1 < len)
			out[w++] = '/';
		w = ad_rdn_put(&a->la_value, out, w, len);
	}
	ldap_dnfree(ldn);
}

/* ---- the paged searches ---- */

/* Milliseconds to the deadline (<= 0: passed). */
static long ad_left_ms(const struct ad_read *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(r->deadline.tv_sec - now.tv_sec) * 1000 +
	       (r->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/* 1 when the caller asked the run to stop (res->stopped set, why says
 * so), else 0. */
static int ad_stopped(struct ad_read *r)
{
	if (!r->res->stopped && (!r->o->stop || !r->o->stop(r->o->stop_ud)))
		return 0;
	if (!r->res->stopped)
		snprintf(r->why, r->whylen,
			 "stopped while reading the directory (%ld pages, "
			 "%ld objects read); nothing was stored",
			 r->res->pages, r->objects);
	r->res->stopped = 1;
	return 1;
}

static void ad_progress(struct ad_read *r)
{
	r->res->objects = r->objects;
	if (r->o->progress)
		r->o->progress(r->o->progress_ud, r->res);
}

typedef int (*ad_entry_fn)(struct ad_read *r, LDAPMessage *e);

/* The end of one page: its result code and the cookie of the next
 * (emptied when this was the last). 0 or -1 with why. */
static int ad_page_end(struct ad_read *r, LDAPMessage *msg,
		       struct berval *cookie, const char *what)
{
	LDAPControl **ctrls = NULL, *pc;
	ber_int_t count = 0;
	char *errmsg = NULL;
	int err = 0, rc;

	rc = ldap_parse_result(r->ld, msg, &err, NULL, &errmsg, NULL, &ctrls,
			       0);
	if (rc != LDAP_SUCCESS || err != LDAP_SUCCESS) {
		snprintf(r->why, r->whylen, "reading %s: %s%s%s", what,
			 ldap_err2string(rc != LDAP_SUCCESS ? rc : err),
			 errmsg && *errmsg ? " - " : "", errmsg ? errmsg : "");
		ldap_memfree(errmsg);
		ldap_controls_free(ctrls);
		return -1;
	}
	ldap_memfree(errmsg);
	ber_memfree(cookie->bv_val);
	cookie->bv_val = NULL;
	cookie->bv_len = 0;
	pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL);
	if (pc && ldap_parse_pageresponse_control(r->ld, pc, &count, cookie) !=
			  LDAP_SUCCESS) {
		snprintf(r->why, r->whylen,
			 "reading %s: the server's paged-results answer "
			 "does not parse",
			 what);
		ldap_controls_free(ctrls);
		return -1;
	}
	ldap_controls_free(ctrls);
	r->res->pages++;
	log_debug("active directory: %s: page %ld read", what, r->res->pages);
	ad_progress(r);
	return ad_stopped(r) ? -1 : 0;
}

/* Waits for the next message of msgid until the deadline, asking
 * o->stop every AD_STOP_POLL_MS: 1 with *msg, or -1 with why (the search
 * abandoned). */
static int ad_next(struct ad_read *r, int msgid, LDAPMessage **msg,
		   const char *what)
{
	struct timeval tv;
	long left;
	int rc;

	*msg = NULL;
	for (;;) {
		left = ad_left_ms(r);
		if (left <= 0)
			left = 1;
		if (r->o->stop && left > AD_STOP_POLL_MS)
			left = AD_STOP_POLL_MS;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		rc = ldap_result(r->ld, msgid, LDAP_MSG_ONE, &tv, msg);
		if (rc != 0 || ad_left_ms(r) <= 0 || ad_stopped(r))
			break;
	}
	if (rc > 0)
		return 1;
	if (rc == 0 && !r->res->stopped)
		snprintf(r->why, r->whylen,
			 "reading %s: the domain controller did not answer "
			 "within the deadline of %d ms (ad_deadline_ms); "
			 "nothing was stored",
			 what, r->o->deadline_ms);
	else if (rc < 0)
		dirauth_why(r->why, r->whylen, "reading the directory", rc,
			    r->ld);
	if (rc == 0)
		ldap_abandon_ext(r->ld, msgid, NULL, NULL);
	ldap_msgfree(*msg);
	*msg = NULL;
	return -1;
}

/* One paged search, fn called for each entry. 0 or -1 with why. */
static int ad_search(struct ad_read *r, const char *base, int scope,
		     const char *filter, char **attrs, ad_entry_fn fn,
		     const char *what)
{
	struct berval cookie = {0, NULL};
	LDAPControl *ctrl = NULL, *ctrls[2] = {NULL, NULL};
	LDAPMessage *msg = NULL;
	int msgid, rc, ret = -1, type;

	do {
		rc = ldap_create_page_control(r->ld, (ber_int_t)r->o->page_size,
					      cookie.bv_val ? &cookie : NULL, 1,
					      &ctrl);
		if (rc != LDAP_SUCCESS) {
			dirauth_why(r->why, r->whylen, "paged results", rc,
				    r->ld);
			goto out;
		}
		ctrls[0] = ctrl;
		rc = ldap_search_ext(r->ld, base, scope, filter, attrs, 0,
				     ctrls, NULL, NULL, LDAP_NO_LIMIT, &msgid);
		ldap_control_free(ctrl);
		ctrl = NULL;
		if (rc != LDAP_SUCCESS) {
			dirauth_why(r->why, r->whylen, what, rc, r->ld);
			goto out;
		}
		for (;;) {
			if (ad_next(r, msgid, &msg, what) < 0)
				goto out;
			type = ldap_msgtype(msg);
			if (type == LDAP_RES_SEARCH_RESULT)
				break;
			if (type == LDAP_RES_SEARCH_ENTRY) {
				if (++r->objects > r->max_objects) {
					snprintf(r->why, r->whylen,
						 "more than %ld objects "
						 "(ad_max_objects); nothing "
						 "was stored",
						 r->max_objects);
					ldap_abandon_ext(r->ld, msgid, NULL,
							 NULL);
					goto out;
				}
				if (fn(r, msg) < 0)
					goto out;
			}
			ldap_msgfree(msg);
			msg = NULL;
		}
		if (ad_page_end(r, msg, &cookie, what) < 0)
			goto out;
		ldap_msgfree(msg);
		msg = NULL;
	} while (cookie.bv_val && cookie.bv_len);
	ret = 0;
out:
	ldap_msgfree(msg);
	ber_memfree(cookie.bv_val);
	return ret;
}

/* ---- what is kept of each entry ---- */

static char *ad_dn(struct ad_read *r, LDAPMessage *e)
{
	char *dn = ldap_get_dn(r->ld, e), *out;
	size_t i;

	out = xstrdup(dn ? dn : "");
	ldap_memfree(dn);
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	if (strlen(out) > AD_DN_MAX)
		out[AD_DN_MAX] = '\0';
	return out;
}

static int ad_subnet(struct ad_read *r, LDAPMessage *e)
{
	char *dn = ad_dn(r, e), *net = ad_attr(r, e, dn, "cn");
	char *site = ad_attr(r, e, dn, "siteObject");
	char sitename[256] = "", why[256];
	struct targets *t = NULL;

	if (site)
		ad_dn_text(site, 1, sitename, sizeof(sitename));
	if (!net ||
	    discover_def_targets(net, NULL, 0, &t, why, sizeof(why)) < 0) {
		r->res->skipped++;
		ad_log(r, NULL, "skipped", "%s: not a subnet (%s)", dn,
		       net ? why : "no cn");
	} else {
		json_array_append_new(
			r->subnets,
			json_pack("{ssss}", "subnet", net, "site",
				  sitename[0] ? sitename : "no site"));
	}
	targets_free(t);
	free(site);
	free(net);
	free(dn);
	return 0;
}

/* Sets sys[k] to v (stolen) when v is not NULL. */
static void ad_set(json_t *sys, const char *k, char *v)
{
	if (v)
		json_object_set_new(sys, k, json_string(v));
	free(v);
}

/* The host names of a computer into sys: hostname and fqdn from
 * dNSHostName, else hostname from the object's name. 0, or -1 when neither
 * is a DNS name. */
static int ad_names(struct ad_read *r, LDAPMessage *e, const char *dn,
		    json_t *sys)
{
	char *fqdn = ad_attr(r, e, dn, "dNSHostName");
	char *name = ad_attr(r, e, dn, "name");
	int ok = 0;

	ad_lower(fqdn);
	ad_lower(name);
	if (ad_hostname_ok(fqdn)) {
		char *dot = strchr(fqdn, '.');

		json_object_set_new(sys, "fqdn", json_string(fqdn));
		json_object_set_new(
			sys, "hostname",
			json_stringn(fqdn, dot ? (size_t)(dot - fqdn)
					       : strlen(fqdn)));
		ok = 1;
	} else if (ad_hostname_ok(name) && !strchr(name, '.')) {
		json_object_set_new(sys, "hostname", json_string(name));
		ok = 1;
	}
	free(fqdn);
	free(name);
	return ok ? 0 : -1;
}

/* The flags and times: ad_disabled, ad_stale, ad_last_logon, ad_created;
 * the tags. */
static void ad_flags(struct ad_read *r, LDAPMessage *e, const char *dn,
		     json_t *sys)
{
	char *uac = ad_attr(r, e, dn, "userAccountControl");
	char *llt = ad_attr(r, e, dn, "lastLogonTimestamp");
	char *created = ad_attr(r, e, dn, "whenCreated");
	char ou[512], tags[600], when[20] = "", born[20] = "";
	time_t logon = ad_filetime(llt);
	time_t limit = r->now - (time_t)r->o->stale_days * 86400;
	int disabled = uac && (strtol(uac, NULL, 10) & UAC_ACCOUNTDISABLE);
	int stale;

	if (logon)
		util_time_format(logon, when);
	if (ad_gentime(created, born) == 0)
		json_object_set_new(sys, "ad_created", json_string(born));
	/* never logged on: stale once it is older than the window */
	stale = logon ? logon < limit : born[0] && ad_time_parse(born) < limit;
	if (when[0])
		json_object_set_new(sys, "ad_last_logon", json_string(when));
	json_object_set_new(sys, "ad_disabled",
			    json_string(disabled ? "true" : "false"));
	json_object_set_new(sys, "ad_stale",
			    json_string(stale ? "true" : "false"));
	ad_dn_text(dn, 0, ou, sizeof(ou));
	snprintf(tags, sizeof(tags), "active_directory%s%s%s%s",
		 ou[0] ? ",ou:" : "", ou, disabled ? ",ad_disabled" : "",
		 stale ? ",ad_stale" : "");
	json_object_set_new(sys, "tags", json_string(tags));
	free(uac);
	free(llt);
	free(created);
}

static int ad_computer(struct ad_read *r, LDAPMessage *e)
{
	char *dn = ad_dn(r, e), *os, *text;
	json_t *sys = json_object(), *rep;
	char now[20];

	if (ad_names(r, e, dn, sys) < 0) {
		r->res->skipped++;
		ad_log(r, NULL, "skipped",
		       "%s: neither dNSHostName nor name is a host name; "
		       "not stored",
		       dn);
		goto out;
	}
	os = ad_attr(r, e, dn, "operatingSystem");
	if (os && strstr(os, "Windows"))
		json_object_set_new(sys, "os_group", json_string("Windows"));
	ad_set(sys, "os_name", os);
	ad_set(sys, "os_version", ad_attr(r, e, dn, "operatingSystemVersion"));
	ad_set(sys, "os_service_pack",
	       ad_attr(r, e, dn, "operatingSystemServicePack"));
	ad_set(sys, "description", ad_attr(r, e, dn, "description"));
	ad_set(sys, "ad_managed_by", ad_attr(r, e, dn, "managedBy"));
	json_object_set_new(sys, "ad_dn", json_string(dn));
	json_object_set_new(sys, "type", json_string("computer"));
	json_object_set_new(sys, "last_seen_by",
			    json_string("active_directory"));
	ad_flags(r, e, dn, sys);
	util_now(now);
	rep = json_pack("{sis{ssssss}so}", "report_version", 1, "source",
			"name", "active_directory", "format", "netcensus",
			"time", now, "sys", sys);
	sys = NULL;
	text = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	if (r->n_reports == r->cap_reports) {
		r->cap_reports = r->cap_reports ? r->cap_reports * 2 : 256;
		r->reports = xrealloc(r->reports,
				      r->cap_reports * sizeof(*r->reports));
	}
	r->reports[r->n_reports++] = text;
out:
	json_decref(sys);
	free(dn);
	return 0;
}

/* ---- binding ---- */

/* The URL and whether StartTLS is done; 0 or -1 with why. */
static int ad_url(const struct ad_opts *o, char *url, size_t len, int *starttls,
		  char *why, size_t whylen)
{
	const char *s = o->server;

	*starttls = 0;
	if (!strncmp(s, "ldaps://", 8)) {
		snprintf(url, len, "%s", s);
	} else if (!strncmp(s, "ldap://", 7)) {
		snprintf(url, len, "%s", s);
		*starttls = !o->allow_plain;
	} else if (strstr(s, "://")) {
		snprintf(why, whylen,
			 "ad_server '%.64s': give a host name, ldaps://HOST "
			 "or ldap://HOST",
			 s);
		return -1;
	} else {
		snprintf(url, len, "ldaps://%s", s);
	}
	return 0;
}

/* The bind name: an ldap credential's bind_dn as it is; a windows one's
 * username as given when it is a UPN, DN or DOMAIN\user, else
 * user@domain. */
static void ad_who(json_t *cred, char *out, size_t len)
{
	const char *u = json_string_value(json_object_get(cred, "username"));
	const char *d = json_string_value(json_object_get(cred, "domain"));
	const char *dn = json_string_value(json_object_get(cred, "bind_dn"));

	if (dn)
		u = dn;
	if (!u)
		u = "";
	if (dn || strpbrk(u, "@=\\") || !d || !*d)
		snprintf(out, len, "%s", u);
	else
		snprintf(out, len, "%s@%s", u, d);
}

/* No message from the DC over AD_MESSAGE_MAX (one entry is one message):
 * past it libldap drops the connection and the read fails, instead of
 * growing a buffer to whatever the DC sends. */
static void ad_cap_incoming(LDAP *ld)
{
	ber_len_t max = AD_MESSAGE_MAX;
	Sockbuf *sb = NULL;

	if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb)
		ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max);
}

/* Connects and binds; then reads the naming contexts from the root DSE
 * into dflt and config. 0 or -1 with why. */
static int ad_bind(struct ad_read *r, char *dflt, char *config, size_t len)
{
	const struct ad_opts *o = r->o;
	char *attrs[] = {"defaultNamingContext", "configurationNamingContext",
			 NULL};
	char url[AD_URL_MAX], who[AD_WHO_MAX];
	const char *pw =
		json_string_value(json_object_get(o->credential, "password"));
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	struct timeval tv = {AD_BIND_TIMEOUT_S, 0};
	int starttls, rc;

	if (ad_url(o, url, sizeof(url), &starttls, r->why, r->whylen) < 0)
		return -1;
	if (!pw || !*pw) {
		snprintf(r->why, r->whylen,
			 "the %s credential '%s' has no password (an empty "
			 "one would be an anonymous bind)",
			 json_string_value(
				 json_object_get(o->credential, "type")),
			 json_string_value(
				 json_object_get(o->credential, "name")));
		return -1;
	}
	r->ld = dirauth_connect(url, starttls, o->ca_file, AD_BIND_TIMEOUT_S,
				r->why, r->whylen);
	if (!r->ld)
		return -1;
	ad_who(o->credential, who, sizeof(who));
	rc = dirauth_bind(r->ld, who, pw);
	if (rc != LDAP_SUCCESS) {
		char what[AD_WHO_MAX + AD_URL_MAX + 32];

		snprintf(what, sizeof(what), "binding to %s as %s", url, who);
		dirauth_why(r->why, r->whylen, what, rc, r->ld);
		return -1;
	}
	if (ad_stopped(r))
		return -1;
	ad_cap_incoming(r->ld);
	rc = ldap_search_ext_s(r->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
			       attrs, 0, NULL, NULL, &tv, 1, &res);
	e = rc == LDAP_SUCCESS ? ldap_first_entry(r->ld, res) : NULL;
	v = e ? ldap_get_values_len(r->ld, e, attrs[0]) : NULL;
	if (v && v[0] && v[0]->bv_len < len)
		snprintf(dflt, len, "%.*s", (int)v[0]->bv_len, v[0]->bv_val);
	ldap_value_free_len(v);
	v = e ? ldap_get_values_len(r->ld, e, attrs[1]) : NULL;
	if (v && v[0] && v[0]->bv_len < len)
		snprintf(config, len, "%.*s", (int)v[0]->bv_len, v[0]->bv_val);
	ldap_value_free_len(v);
	ldap_msgfree(res);
	if (!dflt[0] || !config[0]) {
		snprintf(r->why, r->whylen,
			 "%s answers, but its root DSE names no "
			 "defaultNamingContext / configurationNamingContext: "
			 "is it an Active Directory domain controller?",
			 url);
		return -1;
	}
	return 0;
}

/* ---- the run ---- */

static int ad_read_all(struct ad_read *r)
{
	char *sub_attrs[] = {"cn", "siteObject", NULL};
	char *pc_attrs[] = {"dNSHostName",
			    "name",
			    "operatingSystem",
			    "operatingSystemVersion",
			    "operatingSystemServicePack",
			    "lastLogonTimestamp",
			    "whenCreated",
			    "description",
			    "userAccountControl",
			    "managedBy",
			    NULL};
	char dflt[AD_DN_MAX] = "", config[AD_DN_MAX] = "";
	char subnets[AD_DN_MAX + 64];

	if (ad_bind(r, dflt, config, sizeof(dflt)) < 0)
		return -1;
	snprintf(subnets, sizeof(subnets), "CN=Subnets,CN=Sites,%s", config);
	if (ad_search(r, subnets, LDAP_SCOPE_ONELEVEL, "(objectClass=subnet)",
		      sub_attrs, ad_subnet, "the sites' subnets") < 0)
		return -1;
	return ad_search(r, r->o->base ? r->o->base : dflt, LDAP_SCOPE_SUBTREE,
			 "(objectClass=computer)", pc_attrs, ad_computer,
			 "the computer objects");
}

static time_t ad_now(void)
{
	char now[20];
	time_t t;

	util_now(now);
	t = ad_time_parse(now);
	return t ? t : time(NULL);
}

/* Gives the kept reports to the sinks, until o->stop says stop; the
 * count given. */
static long ad_deliver(struct ad_read *r)
{
	size_t i, k;

	r->res->found = (long)r->n_reports;
	r->res->storing = 1;
	for (i = 0; i < r->n_reports; i++) {
		json_t *rep;

		if (r->o->stop && r->o->stop(r->o->stop_ud)) {
			r->res->stopped = 1;
			snprintf(r->why, r->whylen,
				 "stopped while storing: %ld of %ld computers "
				 "stored (each whole); no subnets proposed",
				 r->res->computers, r->res->found);
			break;
		}
		rep = json_loads(r->reports[i], 0, NULL);
		for (k = 0; rep && k < r->n_sinks; k++)
			r->sinks[k].report(r->sinks[k].ud, rep, NULL);
		r->res->computers += rep != NULL;
		json_decref(rep);
		ad_progress(r);
	}
	return r->res->computers;
}

int ad_discover(const struct ad_opts *o, const struct discover_sink *sinks,
		size_t n_sinks, struct ad_result *res, char *why, size_t whylen)
{
	struct ad_opts eff = *o;
	struct ad_read r;
	struct timespec t0, t1;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	if (!eff.deadline_ms)
		eff.deadline_ms = AD_DEADLINE_MS_DEFAULT;
	if (!eff.max_objects)
		eff.max_objects = AD_MAX_OBJECTS_DEFAULT;
	if (!eff.stale_days)
		eff.stale_days = AD_STALE_DAYS_DEFAULT;
	if (!eff.page_size)
		eff.page_size = AD_PAGE_SIZE_DEFAULT;
	r.o = &eff;
	r.sinks = sinks;
	r.n_sinks = n_sinks;
	r.res = res;
	r.why = why;
	r.whylen = whylen;
	r.max_objects = eff.max_objects;
	r.now = ad_now();
	r.subnets = json_array();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r.deadline = t0;
	r.deadline.tv_sec += eff.deadline_ms / 1000;
	r.deadline.tv_nsec += (long)(eff.deadline_ms % 1000) * 1000000L;
	if (r.deadline.tv_nsec >= 1000000000L) {
		r.deadline.tv_sec++;
		r.deadline.tv_nsec -= 1000000000L;
	}
	if (!eff.credential) {
		snprintf(why, whylen,
			 "an active_directory discovery needs a credential "
			 "to bind with: an ldap one (bind_dn, password) or a "
			 "windows one (username, password, domain)");
		rc = -1;
	} else {
		rc = ad_read_all(&r);
	}
	if (r.ld)
		ldap_unbind_ext_s(r.ld, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->read_s = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == 0) {
		ad_log(&r, NULL, "read",
		       "%zu computers and %zu subnets in %ld pages, %.1f s; "
		       "%ld skipped, %ld values dropped",
		       r.n_reports, json_array_size(r.subnets), res->pages,
		       res->read_s, res->skipped, res->dropped);
		ad_deliver(&r);
	}
	if (rc == 0 && !res->stopped) {
		res->subnets = r.subnets;
		r.subnets = NULL;
	} else {
		rc = -1;
		ad_log(&r, NULL, res->stopped ? "cancelled" : "failed", "%s",
		       why);
	}
	for (i = 0; i < r.n_reports; i++)
		free(r.reports[i]);
	free(r.reports);
	json_decref(r.subnets);
	return rc;
}

void ad_result_free(struct ad_result *res)
{
	if (!res)
		return;
	json_decref(res->subnets);
	res->subnets = NULL;
}

int ad_propose_subnets(struct store *st, int64_t org_id,
		       const struct ad_result *res, int enabled, long *created)
{
	json_t *s;
	size_t i;

	*created = 0;
	json_array_foreach(res->subnets, i, s) {
		const char *net =
			json_string_value(json_object_get(s, "subnet"));
		char name[320];
		int64_t id = 0;
		json_t *def;
		int rc;

		snprintf(name, sizeof(name), "AD site %s: %s",
			 json_string_value(json_object_get(s, "site")), net);
		if (store_discodef_find(st, org_id, name, &id) < 0)
			return -1;
		if (id)
			continue;
		def = json_pack("{sssssIs{sb}s[]}", "name", name, "targets",
				net, "org_id", (json_int_t)org_id, "options",
				"disabled", !enabled, "credentials");
		rc = store_discodef_add(st, def, &id);
		json_decref(def);
		if (rc < 0) {
			log_err("active directory: cannot store the proposed "
				"discovery '%s'",
				name);
			return -1;
		}
		(*created)++;
	}
	return 0;
}

int ad_run(const struct discover_setup *s, struct store *st, int64_t run_id,
	   const struct discover_sink *extra, size_t n_extra,
	   struct ad_result *res, char *why, size_t whylen)
{
	struct discover_sink sinks[8] = {{0}};
	struct discover_store_sink ss;
	struct store_discovery_counts c = {0, 0, 0, 0};
	size_t n = 0, i;
	const char *state = "done";
	long created = 0;
	char msg[600] = "";
	int rc;

	memset(&ss, 0, sizeof(ss));
	if (st) {
		ss.st = st;
		ss.run_id = run_id;
		ss.org_id = s->org_id;
		discover_sink_store(&ss, &sinks[n++]);
	}
	for (i = 0; i < n_extra && n < sizeof(sinks) / sizeof(sinks[0]); i++)
		sinks[n++] = extra[i];
	rc = ad_discover(&s->ad, sinks, n, res, why, whylen);
	if (!st)
		return rc;
	c.total = res->found;
	c.done = res->computers;
	c.stored = ss.stored;
	if (rc == 0 &&
	    ad_propose_subnets(st, s->org_id, res, s->ad_subnets_enabled,
			       &created) < 0) {
		snprintf(why, whylen, "cannot store the proposed discoveries");
		rc = -1;
	}
	if (rc == 0)
		snprintf(msg, sizeof(msg),
			 "Active Directory: %ld computers (%ld skipped), %zu "
			 "subnets, %ld new proposed discoveries",
			 res->computers, res->skipped,
			 json_array_size(res->subnets), created);
	if (res->stopped) {
		state = "cancelled";
		snprintf(msg, sizeof(msg), "cancelled: %s", why);
	} else if (rc < 0) {
		state = "failed";
		snprintf(msg, sizeof(msg), "%s", why);
	}
	if (store_discovery_run_finish(st, run_id, state, &c, msg) < 0 ||
	    ss.failed) {
		if (rc == 0)
			snprintf(why, whylen,
				 "some reports or log rows were refused (see "
				 "the run's log)");
		rc = -1;
	}
	return rc;
}
