/*
 * audit_parse: the netcensus audit line format (see audit.h) to a device
 * report.
 *
 * One pass over the text, one record per line. A record's fields are
 * unescaped into a bounded scratch buffer and added to a row object; rows
 * go to their section's array, created on first use; sys rows merge. Any
 * line that breaks the format stops the parse with its line number: a
 * report built from half-understood output would store wrong facts, and
 * intake refuses reports whole anyway.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/log.h"
#include "core/util.h"
#include "report/sections.h"

extern const char embed_audit_unix_sh[];
extern const unsigned long embed_audit_unix_sh_len;

const char *audit_script(size_t *len)
{
	if (len)
		*len = (size_t)embed_audit_unix_sh_len;
	return embed_audit_unix_sh;
}

struct audit_parser {
	json_t *rep;
	json_t *sys;
	struct strbuf needs_root;
	size_t lineno;
	size_t total_rows;
	int seen_header;
	int seen_end;
	struct report_error *err;
};

static void audit_fail(struct audit_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void audit_fail(struct audit_parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err)
		snprintf(p->err->msg, sizeof(p->err->msg), "line %zu: %s",
			 p->lineno, msg);
	log_debug("audit: line %zu: %s", p->lineno, msg);
}

/* Copies a name for an error message: printable ASCII only, cut at 40. */
static void audit_quote(const char *s, size_t n, char out[48])
{
	size_t i, o = 0;

	for (i = 0; i < n && o < 40; i++)
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n) {
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t audit_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Unescapes value[0..n) into out (which holds n + 1 bytes), replacing
 * invalid UTF-8 bytes with '?'. 0, or -1 with the bad escape in *bad. */
static int audit_unescape(const char *v, size_t n, char *out, char *bad)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t l;

		if (v[i] == '\\') {
			if (i + 1 >= n) {
				*bad = '\0';
				return -1;
			}
			switch (v[i + 1]) {
			case '\\':
				out[o++] = '\\';
				break;
			case 't':
				out[o++] = '\t';
				break;
			case 'n':
				out[o++] = '\n';
				break;
			case 'r':
				out[o++] = '\r';
				break;
			default:
				*bad = v[i + 1];
				return -1;
			}
			i += 2;
			continue;
		}
		l = audit_utf8_len((const unsigned char *)v + i, n - i);
		if (l == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, v + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
	return 0;
}

/* Parses the TAB-separated name=value fields of rec into obj. */
static int audit_parse_fields(struct audit_parser *p, const char *rec, size_t n,
			      json_t *obj, int merge)
{
	size_t i = 0, nfields = 0;
	char *val = xmalloc(n + 1);
	char q[48];

	while (i < n) {
		const char *f = rec + i;
		size_t flen = 0, nlen;
		const char *eq;
		char name[72], bad;

		while (i + flen < n && f[flen] != '\t')
			flen++;
		i += flen + 1;
		if (flen == 0)
			continue;
		eq = memchr(f, '=', flen);
		if (!eq) {
			audit_quote(f, flen, q);
			audit_fail(p, "field '%s' has no '='", q);
			goto fail;
		}
		nlen = (size_t)(eq - f);
		if (nlen == 0 || nlen >= 64) {
			audit_quote(f, nlen, q);
			audit_fail(p, "bad field name '%s'", q);
			goto fail;
		}
		memcpy(name, f, nlen);
		name[nlen] = '\0';
		if (!section_name_valid(name)) {
			audit_quote(f, nlen, q);
			audit_fail(p, "bad field name '%s'", q);
			goto fail;
		}
		if (!merge && json_object_get(obj, name)) {
			audit_fail(p, "field '%s' appears twice", name);
			goto fail;
		}
		if (++nfields > REPORT_MAX_FIELDS) {
			audit_fail(p, "more than %u fields", REPORT_MAX_FIELDS);
			goto fail;
		}
		if (flen - nlen - 1 > REPORT_MAX_FIELD) {
			audit_fail(p, "field '%s' is longer than %u bytes",
				   name, REPORT_MAX_FIELD);
			goto fail;
		}
		if (audit_unescape(eq + 1, flen - nlen - 1, val, &bad) != 0) {
			if (bad)
				audit_fail(p, "field '%s': bad escape '\\%c'",
					   name,
					   (bad > 0x20 && bad < 0x7f) ? bad
								      : '?');
			else
				audit_fail(p,
					   "field '%s' ends in a lone "
					   "backslash",
					   name);
			goto fail;
		}
		json_object_set_new(obj, name, json_string(val));
	}
	free(val);
	return 0;
fail:
	free(val);
	return -1;
}

static int audit_parse_directive(struct audit_parser *p, const char *name,
				 const char *rec, size_t n)
{
	json_t *f = json_object();
	const char *v;
	int rc = -1;

	if (audit_parse_fields(p, rec, n, f, 0) != 0)
		goto out;
	if (!strcmp(name, "@audit")) {
		long ver;

		v = json_string_value(json_object_get(f, "version"));
		if (p->seen_header || !v ||
		    util_parse_long(v, 1, 1000, &ver) != 0) {
			audit_fail(p, "bad @audit line");
			goto out;
		}
		if (ver != AUDIT_FORMAT_VERSION) {
			audit_fail(p,
				   "audit format version %ld; this netcensus "
				   "reads version %d",
				   ver, AUDIT_FORMAT_VERSION);
			goto out;
		}
		p->seen_header = 1;
		v = json_string_value(json_object_get(f, "root"));
		if (v)
			json_object_set_new(json_object_get(p->rep, "source"),
					    "root", json_string(v));
	} else if (!strcmp(name, "@needs_root")) {
		v = json_string_value(json_object_get(f, "fact"));
		if (!v || !*v) {
			audit_fail(p, "@needs_root without fact=");
			goto out;
		}
		if ((p->needs_root.len && strbuf_puts(&p->needs_root, ",")) ||
		    strbuf_puts(&p->needs_root, v)) {
			audit_fail(p, "too many @needs_root lines");
			goto out;
		}
	} else if (!strcmp(name, "@end")) {
		p->seen_end = 1;
	} else {
		audit_fail(p, "unknown directive '%s'", name);
		goto out;
	}
	rc = 0;
out:
	json_decref(f);
	return rc;
}

static int audit_parse_line(struct audit_parser *p, const char *line, size_t n)
{
	size_t slen = 0;
	char name[72], q[48];
	json_t *arr, *row;
	const struct section_def *def;

	while (slen < n && line[slen] != '\t')
		slen++;
	if (slen == 0 || slen >= 64) {
		audit_quote(line, slen, q);
		audit_fail(p, "bad section name '%s'", q);
		return -1;
	}
	memcpy(name, line, slen);
	name[slen] = '\0';
	line += slen;
	n -= slen;
	if (name[0] == '@')
		return audit_parse_directive(p, name, line, n);
	if (!p->seen_header) {
		audit_fail(p, "no @audit line first: this is not netcensus "
			      "audit output");
		return -1;
	}
	if (p->seen_end) {
		audit_fail(p, "data after @end");
		return -1;
	}
	if (!strcmp(name, "sys"))
		return audit_parse_fields(p, line, n, p->sys, 1);
	def = section_find(name);
	if (!section_name_valid(name) || !def || strcmp(def->name, name)) {
		audit_quote(name, slen, q);
		audit_fail(p, "unknown section '%s'", q);
		return -1;
	}
	if (++p->total_rows > AUDIT_MAX_TOTAL_ROWS) {
		audit_fail(p, "more than %u rows", AUDIT_MAX_TOTAL_ROWS);
		return -1;
	}
	arr = json_object_get(p->rep, name);
	if (!arr) {
		if (json_object_size(p->rep) >= REPORT_MAX_SECTIONS) {
			audit_fail(p, "too many sections");
			return -1;
		}
		arr = json_array();
		json_object_set_new(p->rep, name, arr);
	}
	if (json_array_size(arr) >= REPORT_MAX_ROWS) {
		audit_fail(p, "section %s has more than %u rows", name,
			   REPORT_MAX_ROWS);
		return -1;
	}
	row = json_object();
	if (audit_parse_fields(p, line, n, row, 0) != 0) {
		json_decref(row);
		return -1;
	}
	json_array_append_new(arr, row);
	return 0;
}

/* ip rows carry the interface name; the MAC lives on the network row.
 * Copying it over lets intake key addresses by (ip, mac) as it does for
 * Open-AudIT audits. */
static void audit_join_ip_mac(json_t *rep)
{
	json_t *ips = json_object_get(rep, "ip");
	json_t *nets = json_object_get(rep, "network");
	json_t *ip, *net;
	size_t i, j;

	json_array_foreach(ips, i, ip) {
		const char *c =
			json_string_value(json_object_get(ip, "connection"));

		if (!c || json_object_get(ip, "mac"))
			continue;
		json_array_foreach(nets, j, net) {
			const char *nc = json_string_value(
				json_object_get(net, "connection"));
			json_t *mac = json_object_get(net, "mac");

			if (nc && mac && !strcmp(nc, c)) {
				json_object_set(ip, "mac", mac);
				break;
			}
		}
	}
}

/* sys.ip, as Open-AudIT sets it: the first IPv4 address on the interface
 * of the default route, else the first one not on loopback. */
static void audit_set_primary_ip(json_t *rep, json_t *sys)
{
	json_t *routes = json_object_get(rep, "route");
	json_t *ips = json_object_get(rep, "ip");
	const char *dev = NULL, *fallback = NULL;
	json_t *row;
	size_t i;

	if (json_object_get(sys, "ip"))
		return;
	json_array_foreach(routes, i, row) {
		const char *d =
			json_string_value(json_object_get(row, "destination"));
		const char *c = json_string_value(json_object_get(row, "cidr"));

		if (d && c && !strcmp(d, "0.0.0.0") && !strcmp(c, "0")) {
			dev = json_string_value(
				json_object_get(row, "interface"));
			break;
		}
	}
	json_array_foreach(ips, i, row) {
		const char *ip = json_string_value(json_object_get(row, "ip"));
		const char *v =
			json_string_value(json_object_get(row, "version"));
		const char *c =
			json_string_value(json_object_get(row, "connection"));

		if (!ip || !v || strcmp(v, "4") || !strncmp(ip, "127.", 4))
			continue;
		if (dev && c && !strcmp(c, dev)) {
			json_object_set_new(sys, "ip", json_string(ip));
			return;
		}
		if (!fallback)
			fallback = ip;
	}
	if (fallback)
		json_object_set_new(sys, "ip", json_string(fallback));
}

const char *audit_find_start(const char *buf, size_t len)
{
	size_t lim = len < 65536 ? len : 65536, off = 0;

	/* cppcheck-suppress knownConditionTrueFalse ; a false positive of
	 * cppcheck 2.10: lim is len capped at 64 KiB, 0 only for len 0 */
	while (off < lim) {
		const char *nl;

		if (len - off >= 7 && !memcmp(buf + off, "@audit\t", 7))
			return buf + off;
		nl = memchr(buf + off, '\n', lim - off);
		if (!nl)
			break;
		off = (size_t)(nl - buf) + 1;
	}
	return NULL;
}

json_t *audit_parse(const char *buf, size_t len, struct report_error *err)
{
	struct audit_parser p = {0};
	json_t *src;
	size_t off = 0;
	char now[20];

	p.err = err;
	strbuf_init(&p.needs_root, 4096);
	if (len > AUDIT_MAX_OUTPUT) {
		audit_fail(&p,
			   "audit output is %zu bytes, more than the %u "
			   "allowed",
			   len, AUDIT_MAX_OUTPUT);
		goto fail;
	}
	if (memchr(buf, '\0', len)) {
		p.lineno = 0;
		audit_fail(&p, "audit output contains a NUL byte");
		goto fail;
	}
	p.rep = json_object();
	p.sys = json_object();
	src = json_object();
	util_now(now);
	json_object_set_new(src, "name", json_string(AUDIT_SOURCE_NAME));
	json_object_set_new(src, "format", json_string(AUDIT_SOURCE_FORMAT));
	json_object_set_new(src, "time", json_string(now));
	json_object_set_new(p.rep, "report_version",
			    json_integer(REPORT_VERSION));
	json_object_set_new(p.rep, "source", src);
	json_object_set(p.rep, "sys", p.sys);
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		p.lineno++;
		if (n > AUDIT_MAX_LINE) {
			audit_fail(&p, "line longer than %u bytes",
				   AUDIT_MAX_LINE);
			goto fail;
		}
		if (n > 0 && audit_parse_line(&p, buf + off, n) != 0)
			goto fail;
		off += n + 1;
	}
	if (!p.seen_header) {
		audit_fail(&p, "no @audit line: this is not netcensus audit "
			       "output");
		goto fail;
	}
	if (!p.seen_end) {
		audit_fail(&p, "no @end line: the audit output was cut short");
		goto fail;
	}
	if (p.needs_root.len)
		json_object_set_new(src, "needs_root",
				    json_string(p.needs_root.data));
	audit_join_ip_mac(p.rep);
	audit_set_primary_ip(p.rep, p.sys);
	if (report_validate(p.rep, err) != 0)
		goto fail;
	json_decref(p.sys);
	strbuf_free(&p.needs_root);
	return p.rep;
fail:
	json_decref(p.sys);
	json_decref(p.rep);
	strbuf_free(&p.needs_root);
	return NULL;
}
