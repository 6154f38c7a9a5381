/*
 * Intake over HTTP: POST /api/v1/intake (a device report in any format
 * report_parse() knows; bearer token or session of a collector, org_admin
 * or admin) and the Open-AudIT paths that audit_linux.sh, audit_windows.vbs
 * and audit_windows.ps1 post to, with the document in the form field
 * "data". The Open-AudIT paths authenticate by ?token=, by the token as
 * the password of HTTP Basic authentication (what curl sends for
 * http://user:TOKEN@host/...: audit_linux.sh keeps only the text before
 * the second '=' of its url= argument, so "?token=..." never reaches us
 * from it), or by the source address being in intake_allow, and are
 * closed when none applies. Their 401s carry a Basic challenge: wget
 * (what audit_linux.sh posts with when curl is missing) sends the URL's
 * password only when asked, so its first post gets a 401 and its retry
 * lands.
 * The Open-AudIT paths authenticate from the request's head, before its
 * body is read (http.c drops a refused body unread). Every stored or
 * rejected document leaves a row in the audit log, whose source names who
 * submitted it (intake_submitter()); posts refused for want of
 * credentials are counted per address, reason and minute into one row
 * (worker.c), so they cannot flood the log. A report is matched only
 * against the devices of the org it is stored into and the orgs below it,
 * so neither the stored data nor the reply can touch or reveal another
 * org's device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/log.h"
#include "report/report.h"
#include "core/util.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/intake.h"
#include "store/store_api.h"

#define INTAKE_OA_CHALLENGE "Basic realm=\"netcensus audit intake\""

/* 1 when s[0..n) holds a byte that a form encoder always escapes: then it
 * is audit_linux.sh's raw document with only + " & escaped (sed to %2B,
 * %22, %26), and any other %XX or + in it is the document's own text. */
static int form_is_raw(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] && strchr("<>{} \t\r\n", s[i]))
			return 1;
	return 0;
}

/* The byte that %XX at s (two hex digits follow) stands for, or -1 when
 * raw and it is not one of audit_linux.sh's three escapes. */
static int form_escape(const char *s, int raw)
{
	int c = util_hexval(s[1]) << 4 | util_hexval(s[2]);

	if (raw && c != '+' && c != '"' && c != '&')
		return -1;
	return c;
}

/* Decodes s[0..n) into a new string; see intake_form_field(). */
static char *form_decode(const char *s, size_t n, size_t *out_len)
{
	char *out = xmalloc(n + 1);
	int raw = form_is_raw(s, n);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c;

		if (s[i] == '+' && !raw) {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
			   util_hexval(s[i + 1]) >= 0 &&
			   util_hexval(s[i + 2]) >= 0 &&
			   (c = form_escape(s + i, raw)) >= 0) {
			out[o++] = (char)c;
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return out;
}

char *intake_form_field(const char *body, size_t len, const char *name,
			size_t *out_len)
{
	const char *p = body, *end = body + len;
	size_t nl = strlen(name);

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fend = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(fend - p));

		if (eq && (size_t)(eq - p) == nl && !memcmp(p, name, nl))
			return form_decode(eq + 1, (size_t)(fend - eq - 1),
					   out_len);
		p = fend + 1;
	}
	return NULL;
}

/* mem_find() without _GNU_SOURCE. */
static const char *mem_find(const char *hay, size_t hlen, const char *needle,
			    size_t nlen)
{
	const char *p = hay, *end = hay + hlen;

	if (!nlen)
		return hay;
	while ((size_t)(end - p) >= nlen &&
	       (p = memchr(p, needle[0], (size_t)(end - p) - nlen + 1))) {
		if (!memcmp(p, needle, nlen))
			return p;
		p++;
	}
	return NULL;
}

/* str_find_ci() for ASCII without _GNU_SOURCE. */
static const char *str_find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

/* The boundary parameter of a multipart content type into b. */
static int multipart_boundary(const char *ct, char *b, size_t blen)
{
	const char *p = str_find_ci(ct, "boundary=");
	size_t n;

	if (!p)
		return -1;
	p += 9;
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else {
		n = strcspn(p, "; \t");
	}
	if (!n || n + 3 > blen)
		return -1;
	b[0] = '-';
	b[1] = '-';
	memcpy(b + 2, p, n);
	b[n + 2] = '\0';
	return 0;
}

/* 1 when the part headers h[0..n) name the form field name. */
static int multipart_names(const char *h, size_t n, const char *name)
{
	char want[96];
	char *hdr = xstrndup(h, n);
	int yes;

	snprintf(want, sizeof(want), "name=\"%s\"", name);
	yes = str_find_ci(hdr, "content-disposition") && strstr(hdr, want);
	free(hdr);
	return yes;
}

char *intake_multipart_field(const char *body, size_t len,
			     const char *content_type, const char *name,
			     size_t *out_len)
{
	char b[128];
	const char *p, *end = body + len;
	size_t bl;

	if (multipart_boundary(content_type, b, sizeof(b)) < 0)
		return NULL;
	bl = strlen(b);
	p = mem_find(body, len, b, bl);
	while (p) {
		const char *hdr = p + bl, *hend, *next;

		if (hdr + 2 > end || !memcmp(hdr, "--", 2))
			return NULL;
		hend = mem_find(hdr, (size_t)(end - hdr), "\r\n\r\n", 4);
		if (!hend)
			return NULL;
		next = mem_find(hend + 4, (size_t)(end - hend - 4), b, bl);
		if (!next)
			return NULL;
		if (multipart_names(hdr, (size_t)(hend - hdr), name)) {
			const char *v = hend + 4, *vend = next;

			if (vend - v >= 2 && vend[-2] == '\r' &&
			    vend[-1] == '\n')
				vend -= 2;
			if (out_len)
				*out_len = (size_t)(vend - v);
			return xstrndup(v, (size_t)(vend - v));
		}
		p = next;
	}
	return NULL;
}

/* Who submitted the request, for the audit log's source: "token 7 of
 * user coll-b, from ADDR", "user alice (session), from ADDR", "allow-list
 * ADDR" (stored without a token: allowed is 1), or the bare address of a
 * request not authenticated. */
static void intake_submitter(const struct request *rq, int allowed, char *buf,
			     size_t len)
{
	if (rq->who.name[0] && rq->token_id)
		snprintf(buf, len, "token %lld of user %s, from %s",
			 (long long)rq->token_id, rq->who.name, rq->client);
	else if (rq->who.name[0])
		snprintf(buf, len, "user %s (session), from %s", rq->who.name,
			 rq->client);
	else if (allowed)
		snprintf(buf, len, "allow-list %s", rq->client);
	else
		snprintf(buf, len, "%s", rq->client);
}

/* Writes a "rejected" audit-log row for an intake that never reached
 * intake_report(). A post refused from its head (message a literal) is
 * counted into its address's row of the minute instead. */
static void intake_audit_refusal(struct request *rq, const char *format,
				 const char *message)
{
	char who[sizeof(rq->who.name) + 128], now[20];
	struct store_audit a = {who, format, "rejected", NULL, message, 0};

	if (rq->stage == RQ_READING) {
		metrics_intake("refused");
		if (worker_refusal_note(rq->srv, rq->client, message)) {
			rq->refusal = message; /* written before the reply */
			log_warn("intake from %s refused: %s (further "
				 "refusals this minute are counted into "
				 "its audit-log row)",
				 rq->client, message);
		}
		return;
	}
	intake_submitter(rq, 0, who, sizeof(who));
	util_now(now);
	store_audit_add(rq->st, &a, now);
	/* a document that was read but not understood is rejected; no
	 * document, token or permission is refused */
	metrics_intake(format ? "rejected" : "refused");
	log_warn("intake from %s refused: %s", rq->client, message);
}

/* Parses and stores doc for org. 0 stored, 1 rejected (res->message and
 * *fmt set). */
static int intake_store(struct request *rq, const char *doc, size_t len,
			int64_t org, struct intake_result *res,
			enum report_format *fmt)
{
	char who[sizeof(rq->who.name) + 128];
	struct intake_config cfg;
	struct report_error err;
	json_t *report;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&err, 0, sizeof(err));
	*fmt = REPORT_FMT_UNKNOWN;
	report = report_parse(doc, len, fmt, &err);
	if (!report) {
		snprintf(res->message, sizeof(res->message), "%s", err.msg);
		intake_audit_refusal(rq, report_format_name(*fmt), err.msg);
		return 1;
	}
	if (server_stopping()) { /* do not start a write now */
		json_decref(report);
		snprintf(res->message, sizeof(res->message),
			 "the server is stopping");
		return 1;
	}
	intake_config_default(&cfg);
	intake_submitter(rq, 1, who, sizeof(who));
	rc = intake_report(rq->st, &cfg, report, org, who,
			   report_format_name(*fmt), res);
	json_decref(report);
	metrics_intake(rc < 0	      ? "rejected"
		       : res->created ? "created"
				      : "updated");
	return rc < 0 ? 1 : 0;
}

/* A report that failed because the server is stopping (its transaction
 * was interrupted and rolled back). */
static int intake_reply_stopping(struct request *rq)
{
	snprintf(rq->retry_after, sizeof(rq->retry_after), "30");
	return api_reply_error(rq, 503, NULL,
			       "the server is stopping; the report was not "
			       "stored: send it again");
}

/* A report the database kept rolling back to let concurrent ones finish
 * (intake_result.busy): nothing stored, for the sender to send again. */
static int intake_reply_busy(struct request *rq, const char *message)
{
	snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
	return api_reply_error(rq, 503, NULL, "%s", message);
}

static int intake_role_ok(enum role r)
{
	return r == ROLE_COLLECTOR || r == ROLE_ORG_ADMIN || r == ROLE_ADMIN;
}

int api_intake(struct request *rq)
{
	const char *org_arg = request_arg(rq, "org_id");
	struct intake_result res;
	enum report_format fmt;
	int64_t org = rq->who.org_id;
	long v;

	if (!intake_role_ok(rq->who.role))
		return api_reply_error(rq, 403, NULL,
				       "role '%s' may not submit device "
				       "reports; use a collector, org_admin "
				       "or admin account",
				       auth_role_name(rq->who.role));
	if (org_arg) {
		if (util_parse_long(org_arg, 1, INT64_MAX, &v) < 0 ||
		    !api_org_visible(rq, v))
			return api_reply_error(rq, 400, "org_id", "no org '%s'",
					       org_arg);
		org = v;
	}
	if (!rq->body.len)
		return api_reply_error(rq, 400, NULL,
				       "the body must hold a device report");
	if (intake_store(rq, rq->body.data, rq->body.len, org, &res, &fmt)) {
		if (server_stopping())
			return intake_reply_stopping(rq);
		if (res.busy)
			return intake_reply_busy(rq, res.message);
		return api_reply_error(rq, 422, NULL, "report rejected: %s",
				       res.message);
	}
	return api_reply_json(
		rq, res.created ? 201 : 200,
		json_pack("{sIsbsssissss}", "device_id",
			  (json_int_t)res.device_id, "created", res.created,
			  "rule", res.rule ? res.rule : "", "changes",
			  res.changes, "format", report_format_name(fmt),
			  "result", res.created ? "created" : "updated"));
}

/* The password of an "Authorization: Basic" header into pw (the user name
 * is not used: the token names its user). 0, or -1 when there is none. */
static int intake_basic_password(struct request *rq, char *pw, size_t pwlen)
{
	const char *h = request_header(rq, "Authorization");
	unsigned char raw[256];
	const char *colon;
	size_t n = 0;
	int rc = -1;

	if (!h || strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	h += 6;
	while (*h == ' ')
		h++;
	if (sodium_base642bin(raw, sizeof(raw) - 1, h, strlen(h), NULL, &n,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		goto fail;
	raw[n] = '\0';
	colon = memchr(raw, ':', n);
	if (!colon || strlen(colon + 1) + 1 > pwlen)
		goto fail;
	memcpy(pw, colon + 1, strlen(colon + 1) + 1);
	rc = 0;
fail:
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

/* Checks token for an Open-AudIT post and sets rq->who. 0, or -1 after
 * replying. */
static int intake_oa_token(struct request *rq, const char *token)
{
	char *name = auth_token_user(rq, token);
	json_t *user = name ? store_api_user_get(rq->st, name) : NULL;

	free(name);
	if (!user) {
		intake_audit_refusal(rq, NULL, "invalid or revoked token");
		api_reply_text(rq, 401,
			       "netcensus: invalid or revoked token\n");
		return -1;
	}
	auth_principal(rq, user, &rq->who);
	json_decref(user);
	if (!intake_role_ok(rq->who.role)) {
		intake_audit_refusal(rq, NULL,
				     "token of a user without the "
				     "collector/admin role");
		api_reply_text(rq, 403,
			       "netcensus: this token's user may not submit "
			       "audits (needs collector, org_admin or "
			       "admin)\n");
		return -1;
	}
	return 0;
}

/* Authenticates an Open-AudIT post: *org receives the org the device goes
 * to. 0, or -1 after replying: 401 for no, an empty or a bad token, 403
 * for a token whose user may not submit. */
static int intake_oa_auth(struct request *rq, int64_t *org)
{
	const struct server_config *cfg = rq->srv->cfg;
	const char *arg = request_arg(rq, "token");
	const char *token = arg && *arg ? arg : NULL;
	char basic[256] = "";
	int stored, rc;

	if (!token && intake_basic_password(rq, basic, sizeof(basic)) == 0 &&
	    *basic)
		token = basic;
	if (token) {
		rc = intake_oa_token(rq, token);
		sodium_memzero(basic, sizeof(basic));
		if (rc < 0)
			return -1;
		*org = rq->who.org_id;
		return 0;
	}
	if (server_net_contains(cfg->intake_allow, cfg->nintake_allow,
				rq->client)) {
		*org = cfg->intake_org > 0 ? cfg->intake_org : 1;
		return 0;
	}
	stored = api_intake_allowed(rq, org);
	if (stored > 0)
		return 0;
	if (arg) { /* "?token" or "?token=": what audit_linux.sh sends */
		intake_audit_refusal(rq, NULL, "empty ?token=");
		api_reply_text(rq, 401,
			       "netcensus: ?token= is empty. audit_linux.sh "
			       "keeps only the text before the second '=' of "
			       "its url= argument; give the token as the "
			       "password in the URL instead: "
			       "url=http://audit:TOKEN@HOST:PORT/open-audit/"
			       "index.php/input/devices\n");
		return -1;
	}
	if (!cfg->nintake_allow && stored == 0) {
		intake_audit_refusal(rq, NULL, "intake closed: no token");
		api_reply_text(rq, 401,
			       "netcensus: audit intake is closed. Add "
			       "?token=TOKEN to the URL (audit_linux.sh: "
			       "http://audit:TOKEN@HOST:PORT/...; create one "
			       "with "
			       "'netcensus admin token create --user NAME' "
			       "for a collector user), or list the "
			       "auditing networks under Administration > "
			       "Audit intake, or in the server config: "
			       "intake_allow = 192.0.2.0/24\n");
		return -1;
	}
	intake_audit_refusal(rq, NULL, "address not in the intake allow-list");
	api_reply_text(rq, 401,
		       "netcensus: %s is not in the intake allow-list and no "
		       "token was given: add ?token=TOKEN to the URL "
		       "(audit_linux.sh: "
		       "http://audit:TOKEN@HOST:PORT/...)\n",
		       rq->client);
	return -1;
}

/* The audit document of an Open-AudIT post (free()), or NULL. */
static char *intake_oa_document(struct request *rq, size_t *len)
{
	const char *ct = request_header(rq, "Content-Type");
	const char *b = rq->body.data ? rq->body.data : "";
	size_t n = rq->body.len;
	char *doc;

	if (ct && !strncasecmp(ct, "multipart/form-data", 19))
		return intake_multipart_field(b, n, ct, "data", len);
	doc = intake_form_field(b, n, "data", len);
	if (doc)
		return doc;
	while (n && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) {
		b++;
		n--;
	}
	if (n && (*b == '<' || *b == '{')) { /* a bare document */
		*len = n;
		return xstrndup(b, n);
	}
	return NULL;
}

int api_intake_oa_admit(struct request *rq)
{
	if (intake_oa_auth(rq, &rq->intake_org) == 0)
		return 0;
	if (rq->status == 401)
		rq->www_authenticate = INTAKE_OA_CHALLENGE;
	return -1;
}

int api_intake_oa(struct request *rq)
{
	struct intake_result res;
	enum report_format fmt;
	int64_t org = rq->intake_org;
	size_t len = 0;
	char *doc;

	doc = intake_oa_document(rq, &len);
	if (!doc) {
		intake_audit_refusal(rq, NULL, "no form field 'data'");
		return api_reply_text(rq, 400,
				      "netcensus: no form field 'data' in "
				      "the request\n");
	}
	if (intake_store(rq, doc, len, org, &res, &fmt)) {
		free(doc);
		if (server_stopping())
			return intake_reply_stopping(rq);
		if (res.busy) {
			snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
			return api_reply_text(rq, 503, "netcensus: %s\n",
					      res.message);
		}
		return api_reply_text(rq, 400, "netcensus: rejected: %s\n",
				      res.message);
	}
	free(doc);
	return api_reply_text(
		rq, 200,
		"netcensus: device %lld %s (%s%s%s, %d "
		"changes)\n",
		(long long)res.device_id, res.created ? "created" : "updated",
		report_format_name(fmt), res.rule ? ", rule " : "",
		res.rule ? res.rule : "", res.changes);
}
