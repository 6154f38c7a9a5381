/*
 * report: format detection, validation and normalisation of device reports.
 *
 * Validation is one pass over the report that converts in place: every
 * scalar becomes a string, nulls go, names and ceilings are checked, and
 * the fields that identify a device (hostname, uuid, serial, MAC, IP) are
 * brought to one spelling so that intake can compare them exactly. A report
 * that breaks a rule is refused whole, with a message naming the field.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"
#include "report/fields.h"
#include "report/report.h"
#include "report/report_int.h"
#include "report/sections.h"

/* Serials and uuids that firmware writes when nobody filled them in; two
 * devices sharing one of these are not the same device, so they are dropped
 * from sys before intake can match on them. Compared case-insensitively.
 * Values made only of '0', ' ', '.', '-', ':' are placeholders too. */
/* ---- ceilings ---- */

static struct report_limits limits = {REPORT_MAX_BYTES, REPORT_MAX_ROWS,
				      REPORT_DEFAULT_TOTAL_ROWS};
static pthread_once_t limits_once = PTHREAD_ONCE_INIT;

/* Sets *v from the environment variable name, 1 to max. */
static void limit_from_env(const char *name, size_t max, size_t *v)
{
	const char *e = getenv(name);
	long n;

	if (!e || !*e)
		return;
	if (util_parse_long(e, 1, (long)max, &n) < 0) {
		log_warn("%s=%s ignored: expected a number from 1 to %zu", name,
			 e, max);
		return;
	}
	*v = (size_t)n;
}

static void limits_load(void)
{
	limit_from_env("NETCENSUS_REPORT_MAX_BYTES", REPORT_MAX_BYTES,
		       &limits.max_bytes);
	limit_from_env("NETCENSUS_REPORT_MAX_ROWS", REPORT_MAX_ROWS,
		       &limits.max_rows);
	limit_from_env("NETCENSUS_REPORT_MAX_TOTAL_ROWS", REPORT_MAX_TOTAL_ROWS,
		       &limits.max_total_rows);
}

const struct report_limits *report_limits(void)
{
	pthread_once(&limits_once, limits_load);
	return &limits;
}

static size_t clamp(size_t v, size_t max)
{
	return v < 1 ? 1 : v > max ? max : v;
}

void report_limits_set(const struct report_limits *l)
{
	report_limits();
	limits.max_bytes = clamp(l->max_bytes, REPORT_MAX_BYTES);
	limits.max_rows = clamp(l->max_rows, REPORT_MAX_ROWS);
	limits.max_total_rows = clamp(l->max_total_rows, REPORT_MAX_TOTAL_ROWS);
}

/* Fields holding MAC addresses. */
static const char *const report_mac_fields[] = {"mac", "remote_mac", NULL};

/* sys fields that are DNS names, compared case-insensitively by nature. */
static const char *const report_lower_fields[] = {
	"hostname", "fqdn",	  "domain", "dns_hostname",
	"dns_fqdn", "dns_domain", NULL,
};

/* The audit script behind an Open-AudIT os_group, for source.name. */
static const struct {
	const char *os_group;
	const char *script;
} report_scripts[] = {
	{"Windows", "audit_windows"}, {"Linux", "audit_linux"},
	{"VMware", "audit_esxi"},     {"AIX", "audit_aix"},
	{"Solaris", "audit_solaris"}, {"HP-UX", "audit_hpux"},
	{"Apple", "audit_osx"},	      {NULL, NULL},
};

void report_fail(struct report_error *err, const char *fmt, ...)
{
	char tmp[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	log_debug("report: %s", tmp);
	if (err)
		memcpy(err->msg, tmp, sizeof(tmp));
}

void report_fail_name(struct report_error *err, const char *prefix,
		      const char *what, const char *name)
{
	char q[80];

	report_quote(name, q, sizeof(q));
	report_fail(err,
		    "%s\"%s\" is not a valid %s name (letters, digits and _, "
		    "starting with a letter, at most 64)",
		    prefix, q, what);
}

void report_quote(const char *in, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (!outlen)
		return;
	for (i = 0; in && in[i] && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (i >= 64) {
			if (o + 4 < outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
}

const char *report_format_name(enum report_format fmt)
{
	switch (fmt) {
	case REPORT_FMT_NETCENSUS:
		return "netcensus";
	case REPORT_FMT_OA_XML:
		return "openaudit-xml";
	case REPORT_FMT_OA_JSON:
		return "openaudit-json";
	default:
		return "unknown";
	}
}

static const char *report_sys_str(json_t *sys, const char *key)
{
	const char *s = json_string_value(json_object_get(sys, key));

	return (s && *s) ? s : NULL;
}

void report_set_source(json_t *rep, json_t *sys, const char *format)
{
	const char *by = report_sys_str(sys, "last_seen_by");
	const char *group = report_sys_str(sys, "os_group");
	const char *when = report_sys_str(sys, "timestamp");
	const char *name = NULL;
	json_t *src;
	size_t i;

	if (by && strcmp(by, "audit") != 0)
		name = by;
	for (i = 0; !name && group && report_scripts[i].os_group; i++)
		if (util_streq_ci(group, report_scripts[i].os_group))
			name = report_scripts[i].script;
	if (!name)
		name = by ? by : "open-audit";
	if (!when)
		when = report_sys_str(sys, "last_seen");
	src = json_object();
	json_object_set_new(src, "name", json_string(name));
	json_object_set_new(src, "format", json_string(format));
	if (when)
		json_object_set_new(src, "time", json_string(when));
	json_object_set_new(rep, "report_version",
			    json_integer(REPORT_VERSION));
	json_object_set_new(rep, "source", src);
}

/* ---- addresses ---- */

/* Dotted quad with 1-3 decimal digits per part; leading zeros are
 * padding (Open-AudIT's 192.168.001.007), never octal. */
static int report_parse_ipv4(const char *s, unsigned char b[4])
{
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (++digits > 3)
				return -1;
			v = v * 10 + (unsigned)(*s++ - '0');
		}
		if (!digits || v > 255)
			return -1;
		b[part] = (unsigned char)v;
		if (part < 3 && *s++ != '.')
			return -1;
	}
	return *s ? -1 : 0;
}

int report_normalise_ip(const char *in, char *out, size_t outlen)
{
	unsigned char b[16];
	char addr[INET6_ADDRSTRLEN + 1];
	char text[INET6_ADDRSTRLEN];
	const char *zone;
	size_t alen;
	int n;

	if (!in || !out || !outlen)
		return -1;
	if (report_parse_ipv4(in, b) == 0) {
		n = snprintf(out, outlen, "%u.%u.%u.%u", b[0], b[1], b[2],
			     b[3]);
		return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
	}
	if (!strchr(in, ':'))
		return -1;
	/* fe80::1%eth0: the zone is kept as written. */
	zone = strchr(in, '%');
	alen = zone ? (size_t)(zone - in) : strlen(in);
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, in, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, b) != 1 ||
	    !inet_ntop(AF_INET6, b, text, sizeof(text)))
		return -1;
	if (zone) {
		size_t i;

		for (i = 1; zone[i]; i++)
			if (!((zone[i] >= 'a' && zone[i] <= 'z') ||
			      (zone[i] >= 'A' && zone[i] <= 'Z') ||
			      (zone[i] >= '0' && zone[i] <= '9') ||
			      zone[i] == '_' || zone[i] == '-' ||
			      zone[i] == '.'))
				return -1;
		if (i == 1 || i > 32)
			return -1;
		n = snprintf(out, outlen, "%s%s", text, zone);
	} else {
		n = snprintf(out, outlen, "%s", text);
	}
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

/* Reads groups of hex digits separated by sep into b[6]: groups of
 * `width` digits (exactly, or 1..width when loose). */
static int report_mac_groups(const char *s, char sep, int groups, int width,
			     int loose, unsigned char b[6])
{
	unsigned long long v = 0;
	int g, bits = 0;

	for (g = 0; g < groups; g++) {
		unsigned long long gv = 0;
		int d = 0, h;

		while ((h = util_hexval(*s)) >= 0) {
			if (++d > width)
				return -1;
			gv = gv * 16 + (unsigned)h;
			s++;
		}
		if (d == 0 || (!loose && d != width))
			return -1;
		v = (v << (width * 4)) | gv;
		bits += width * 4;
		if (g < groups - 1 && *s++ != sep)
			return -1;
	}
	if (*s || bits != 48)
		return -1;
	for (g = 5; g >= 0; g--) {
		b[g] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	return 0;
}

int report_normalise_mac(const char *in, char out[18])
{
	unsigned char b[6];
	size_t len;

	if (!in || !out)
		return -1;
	len = strlen(in);
	if (len > 17)
		return -1;
	if (report_mac_groups(in, ':', 6, 2, 1, b) != 0 &&
	    report_mac_groups(in, '-', 6, 2, 1, b) != 0 &&
	    report_mac_groups(in, ' ', 6, 2, 0, b) != 0 &&
	    report_mac_groups(in, '.', 3, 4, 0, b) != 0 &&
	    report_mac_groups(in, '\0', 1, 12, 0, b) != 0)
		return -1;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return 0;
}

/* Normalises an address or a list of them ("192.168.0.16,192.168.0.15")
 * in place; values that do not parse are left as they are. */
static void report_fix_ip(json_t *val)
{
	const char *s = json_string_value(val);
	char one[INET6_ADDRSTRLEN + 40];
	struct strbuf sb;
	const char *p;

	if (!s || !*s)
		return;
	if (report_normalise_ip(s, one, sizeof(one)) == 0) {
		if (strcmp(one, s) != 0)
			json_string_set(val, one);
		return;
	}
	if (!strpbrk(s, ", "))
		return;
	strbuf_init(&sb, REPORT_MAX_FIELD * 2);
	for (p = s; *p;) {
		size_t n = strcspn(p, ", ");
		char tok[INET6_ADDRSTRLEN + 40];

		if (n) {
			if (n >= sizeof(tok))
				goto out;
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (report_normalise_ip(tok, one, sizeof(one)) != 0)
				goto out;
			if ((sb.len && strbuf_puts(&sb, ",") != 0) ||
			    strbuf_puts(&sb, one) != 0)
				goto out;
		}
		p += n;
		p += strspn(p, ", ");
	}
	if (sb.len)
		json_string_set(val, sb.data);
out:
	strbuf_free(&sb);
}

static void report_fix_mac(json_t *val)
{
	const char *s = json_string_value(val);
	char mac[18];

	if (s && *s && report_normalise_mac(s, mac) == 0 && strcmp(mac, s) != 0)
		json_string_set(val, mac);
}

static void report_fix_case(json_t *val, int upper)
{
	const char *s = json_string_value(val);
	size_t i, n = json_string_length(val);
	char *t;

	for (i = 0; i < n; i++)
		if (upper ? (s[i] >= 'a' && s[i] <= 'z')
			  : (s[i] >= 'A' && s[i] <= 'Z'))
			break;
	if (i == n)
		return;
	t = xstrndup(s, n);
	for (; i < n; i++) {
		if (upper && t[i] >= 'a' && t[i] <= 'z')
			t[i] = (char)(t[i] - 'a' + 'A');
		else if (!upper && t[i] >= 'A' && t[i] <= 'Z')
			t[i] = (char)(t[i] - 'A' + 'a');
	}
	json_string_setn(val, t, n);
	free(t);
}

/* ---- fields ---- */

static int report_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static const char *report_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* The shortest decimal that reads back as the same double. */
static void report_format_real(double d, char *buf, size_t len)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* Names an object in messages: "sys", "source" or "software[3]". */
static const char *report_where(char buf[96], const char *sec, long idx)
{
	if (idx < 0)
		return sec;
	snprintf(buf, 96, "%s[%ld]", sec, idx);
	return buf;
}

static int report_fix_string(json_t *val, const char *sec, long idx,
			     const char *key, struct report_error *err)
{
	char w[96];
	const char *s = json_string_value(val);
	size_t n = json_string_length(val), a = 0, z = n;
	char *t;

	if (n > REPORT_MAX_FIELD) {
		report_fail(err, "field %s.%s: %zu bytes, the limit is %u",
			    report_where(w, sec, idx), key, n,
			    REPORT_MAX_FIELD);
		return -1;
	}
	while (a < z && report_is_space(s[a]))
		a++;
	while (z > a && report_is_space(s[z - 1]))
		z--;
	if (a == 0 && z == n)
		return 0;
	t = xstrndup(s + a, z - a);
	json_string_setn(val, t, z - a);
	free(t);
	return 0;
}

/* Converts every field of obj (sys, source or row idx of section sec;
 * idx -1 for an object that is not a row) to a trimmed string and drops
 * nulls. */
static int report_fix_fields(json_t *obj, const char *sec, long idx,
			     struct report_error *err)
{
	const char *key;
	json_t *val;
	void *tmp;
	char num[64], w[96];

	if (json_object_size(obj) > REPORT_MAX_FIELDS) {
		report_fail(err, "%s: %zu fields, the limit is %d",
			    report_where(w, sec, idx), json_object_size(obj),
			    REPORT_MAX_FIELDS);
		return -1;
	}
	json_object_foreach_safe(obj, tmp, key, val) {
		if (!section_name_valid(key)) {
			char prefix[112];

			snprintf(prefix, sizeof(prefix), "field %s.",
				 report_where(w, sec, idx));
			report_fail_name(err, prefix, "field", key);
			return -1;
		}
		switch (json_typeof(val)) {
		case JSON_STRING:
			if (report_fix_string(val, sec, idx, key, err) != 0)
				return -1;
			break;
		case JSON_INTEGER:
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(val));
			json_object_set_new(obj, key, json_string(num));
			break;
		case JSON_REAL:
			report_format_real(json_real_value(val), num,
					   sizeof(num));
			json_object_set_new(obj, key, json_string(num));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			json_object_set_new(obj, key,
					    json_string(json_is_true(val)
								? "true"
								: "false"));
			break;
		case JSON_NULL:
			json_object_del(obj, key);
			break;
		default:
			report_fail(err,
				    "field %s.%s: expected a string, got %s",
				    report_where(w, sec, idx), key,
				    report_type_name(val));
			return -1;
		}
	}
	return 0;
}

static void report_fix_addresses(json_t *obj)
{
	const struct field_def *d;
	const char *const *f;
	json_t *v;

	for (d = fields_all(); d->name; d++)
		if ((d->flags & FIELD_IP) &&
		    (v = json_object_get(obj, d->name)))
			report_fix_ip(v);
	for (f = report_mac_fields; *f; f++)
		if ((v = json_object_get(obj, *f)))
			report_fix_mac(v);
}

static int report_is_placeholder(const char *s)
{
	const char *c;

	for (c = s; *c && strchr("0 .-:", *c); c++)
		;
	if (!*c)
		return 1;
	if (util_streq_ci(s, "ff:ff:ff:ff:ff:ff"))
		return 1;
	return fields_is_placeholder(s);
}

/* Trims sys.key again after it was derived from another field; drops it
 * when nothing is left. Trimming only shortens, so it cannot fail. */
static void report_retrim(json_t *sys, const char *key)
{
	struct report_error ignored;
	json_t *v = json_object_get(sys, key);

	if (!v)
		return;
	report_fix_string(v, "sys", -1, key, &ignored);
	if (json_string_length(v) == 0)
		json_object_del(sys, key);
}

/* hostname "web1.example.com" becomes hostname "web1" with fqdn and domain
 * filled in when the report did not say. */
static void report_split_hostname(json_t *sys)
{
	json_t *h = json_object_get(sys, "hostname");
	const char *s = json_string_value(h);
	char ipbuf[INET6_ADDRSTRLEN + 40];
	const char *dot;
	size_t n;
	char *copy;

	if (!s || !(dot = strchr(s, '.')) ||
	    report_normalise_ip(s, ipbuf, sizeof(ipbuf)) == 0)
		return;
	copy = xstrdup(s);
	n = strlen(copy);
	if (n && copy[n - 1] == '.')
		copy[--n] = '\0';
	dot = strchr(copy, '.');
	if (dot && dot != copy && dot[1]) {
		if (!json_object_get(sys, "fqdn"))
			json_object_set_new(sys, "fqdn", json_string(copy));
		if (!json_object_get(sys, "domain"))
			json_object_set_new(sys, "domain",
					    json_string(dot + 1));
		json_string_setn(h, copy, (size_t)(dot - copy));
	} else if (n && !dot) {
		json_string_set(h, copy);
	}
	free(copy);
	/* the parts may carry the white space that stood around the dot */
	report_retrim(sys, "hostname");
	report_retrim(sys, "fqdn");
	report_retrim(sys, "domain");
}

static void report_fix_sys(json_t *sys)
{
	const struct field_def *d;
	const char *const *f;
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(sys, tmp, key, v)
		if (json_string_length(v) == 0)
			json_object_del(sys, key);
	for (f = report_lower_fields; *f; f++)
		if ((v = json_object_get(sys, *f)))
			report_fix_case(v, 0);
	if ((v = json_object_get(sys, "uuid")))
		report_fix_case(v, 1);
	report_fix_addresses(sys);
	report_split_hostname(sys);
	classify_sys_vendor(sys); /* one maker, one name, every source */
	for (d = fields_all(); d->name; d++) {
		if (!(d->flags & FIELD_IDENTITY))
			continue;
		v = json_object_get(sys, d->name);
		if (v && report_is_placeholder(json_string_value(v))) {
			log_debug("report: dropping placeholder sys.%s \"%s\"",
				  d->name, json_string_value(v));
			json_object_del(sys, d->name);
		}
	}
}

static int report_row_empty(json_t *row)
{
	const char *key;
	json_t *v;

	json_object_foreach(row, key, v)
		if (json_string_length(v))
			return 0;
	return 1;
}

void report_rows_fail(struct report_error *err, const char *section, size_t n)
{
	report_fail(err,
		    "section %s: %zu rows, the limit is %zu rows in a "
		    "section (NETCENSUS_REPORT_MAX_ROWS)",
		    section, n, report_limits()->max_rows);
}

/* Validates the rows of one section; rows with nothing in them go. */
static int report_fix_rows(const char *name, json_t *rows,
			   struct report_error *err)
{
	size_t i, out = 0, n = json_array_size(rows);
	char w[96];

	if (n > report_limits()->max_rows) {
		report_rows_fail(err, name, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_t *row = json_array_get(rows, i);

		if (!json_is_object(row)) {
			report_fail(err,
				    "%s: expected an object (one row), "
				    "got %s",
				    report_where(w, name, (long)i),
				    report_type_name(row));
			return -1;
		}
		if (report_fix_fields(row, name, (long)i, err) != 0)
			return -1;
		report_fix_addresses(row);
		if (report_row_empty(row))
			continue;
		if (out != i)
			json_array_set(rows, out, row);
		out++;
	}
	while (json_array_size(rows) > out)
		json_array_remove(rows, json_array_size(rows) - 1);
	return 0;
}

/* Renames an alias section to its canonical name, appending to the
 * canonical section when the report has both. */
static int report_merge_alias(json_t *report, const char *alias,
			      struct report_error *err)
{
	const struct section_def *def = section_find(alias);
	json_t *from = json_object_get(report, alias);
	json_t *to = json_object_get(report, def->name);

	if (to) {
		json_array_extend(to, from);
		json_object_del(report, alias);
		if (json_array_size(to) > report_limits()->max_rows) {
			report_rows_fail(err, def->name, json_array_size(to));
			return -1;
		}
		return 0;
	}
	json_incref(from);
	json_object_del(report, alias);
	json_object_set_new(report, def->name, from);
	return 0;
}

static int report_is_reserved(const char *key)
{
	return strcmp(key, "report_version") == 0 ||
	       strcmp(key, "source") == 0 || strcmp(key, "sys") == 0;
}

/* Refuses a report whose sections hold more rows together than the
 * ceiling: storing, retiring and logging each row costs the store work,
 * and one report must not hold the store's one writer for minutes. */
static int report_check_total(json_t *report, struct report_error *err)
{
	size_t total = 0, nsec = 0;
	const char *key;
	json_t *v;

	json_object_foreach(report, key, v) {
		if (report_is_reserved(key) || !json_is_array(v))
			continue;
		total += json_array_size(v);
		nsec++;
	}
	if (total <= report_limits()->max_total_rows)
		return 0;
	report_fail(err,
		    "%zu rows in %zu sections, the limit is %zu rows in a "
		    "report (NETCENSUS_REPORT_MAX_TOTAL_ROWS)",
		    total, nsec, report_limits()->max_total_rows);
	return -1;
}

static int report_check_head(json_t *report, struct report_error *err)
{
	json_t *v = json_object_get(report, "report_version");
	json_int_t ver;

	if (!v) {
		report_fail(err,
			    "report_version: missing (this build reads "
			    "version %d)",
			    REPORT_VERSION);
		return -1;
	}
	if (!json_is_integer(v)) {
		report_fail(err, "report_version: expected an integer, got %s",
			    report_type_name(v));
		return -1;
	}
	ver = json_integer_value(v);
	if (ver > REPORT_VERSION) {
		report_fail(err,
			    "report_version %" JSON_INTEGER_FORMAT
			    " is newer than this netcensus reads (%d): "
			    "upgrade netcensus",
			    ver, REPORT_VERSION);
		return -1;
	}
	if (ver < 1) {
		report_fail(err,
			    "report_version %" JSON_INTEGER_FORMAT
			    " is not valid (1 to %d)",
			    ver, REPORT_VERSION);
		return -1;
	}
	v = json_object_get(report, "source");
	if (v && !json_is_object(v)) {
		report_fail(err, "field source: expected an object, got %s",
			    report_type_name(v));
		return -1;
	}
	if (v && report_fix_fields(v, "source", -1, err) != 0)
		return -1;
	v = json_object_get(report, "sys");
	if (!v) {
		report_fail(err, "sys: missing (a report needs the device's "
				 "own fields: hostname, ip, ...)");
		return -1;
	}
	if (!json_is_object(v)) {
		report_fail(err, "field sys: expected an object, got %s",
			    report_type_name(v));
		return -1;
	}
	if (report_fix_fields(v, "sys", -1, err) != 0)
		return -1;
	report_fix_sys(v);
	return 0;
}

int report_validate(json_t *report, struct report_error *err)
{
	const struct section_def *def;
	char **aliases = NULL;
	size_t i, nalias = 0, nsec = 0;
	const char *key;
	json_t *v;
	void *tmp;
	int rc = -1;

	if (!json_is_object(report)) {
		report_fail(err, "a device report is a JSON object");
		return -1;
	}
	if (report_check_head(report, err) != 0)
		return -1;
	json_object_foreach(report, key, v)
		if (!report_is_reserved(key))
			nsec++;
	if (nsec > REPORT_MAX_SECTIONS) {
		report_fail(err, "%zu sections, the limit is %d", nsec,
			    REPORT_MAX_SECTIONS);
		return -1;
	}
	aliases = xcalloc(nsec + 1, sizeof(*aliases));
	json_object_foreach_safe(report, tmp, key, v) {
		if (report_is_reserved(key))
			continue;
		if (!section_name_valid(key)) {
			report_fail_name(err, "section ", "section", key);
			goto fail;
		}
		if (json_is_null(v)) {
			json_object_del(report, key);
			continue;
		}
		if (!json_is_array(v)) {
			report_fail(err,
				    "section %s: expected an array of rows, "
				    "got %s",
				    key, report_type_name(v));
			goto fail;
		}
		if (report_fix_rows(key, v, err) != 0)
			goto fail;
		if (json_array_size(v) == 0) {
			json_object_del(report, key);
			continue;
		}
		def = section_find(key);
		if (def && strcmp(def->name, key) != 0)
			aliases[nalias++] = xstrdup(key);
	}
	for (i = 0; i < nalias; i++)
		if (report_merge_alias(report, aliases[i], err) != 0)
			goto fail;
	if (report_check_total(report, err) != 0)
		goto fail;
	rc = 0;
fail:
	for (i = 0; i < nalias; i++)
		free(aliases[i]);
	free(aliases);
	return rc;
}

json_t *report_parse(const char *buf, size_t len, enum report_format *fmt,
		     struct report_error *err)
{
	enum report_format f = REPORT_FMT_UNKNOWN;
	json_t *root = NULL, *rep = NULL;
	json_error_t jerr;
	size_t bom = 0, off;

	if (fmt)
		*fmt = f;
	if (!buf) {
		report_fail(err, "no input");
		return NULL;
	}
	if (len > report_limits()->max_bytes) {
		report_fail(err,
			    "input is %zu bytes, the limit is %zu "
			    "(NETCENSUS_REPORT_MAX_BYTES)",
			    len, report_limits()->max_bytes);
		return NULL;
	}
	/* Windows tools may write UTF-16 XML; libxml2 reads it by its BOM. */
	if (len >= 2 && (memcmp(buf, "\xff\xfe", 2) == 0 ||
			 memcmp(buf, "\xfe\xff", 2) == 0)) {
		if (fmt)
			*fmt = REPORT_FMT_OA_XML;
		return report_from_oa_xml(buf, len, err);
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		bom = 3;
	off = bom;
	while (off < len && report_is_space(buf[off]))
		off++;
	if (off == len) {
		report_fail(err, "input is empty: expected a device report "
				 "or an Open-AudIT audit (XML or JSON)");
		return NULL;
	}
	if (buf[off] == '<') {
		f = REPORT_FMT_OA_XML;
		if (fmt)
			*fmt = f;
		return report_from_oa_xml(buf, len, err);
	}
	if (buf[off] != '{') {
		report_fail(err,
			    "not a device report: expected Open-AudIT XML "
			    "(starting with '<') or JSON (starting with '{'), "
			    "got byte 0x%02x at offset %zu",
			    (unsigned char)buf[off], off);
		return NULL;
	}
	/* From after the BOM, not after the blanks, so lines count right. */
	root = json_loadb(buf + bom, len - bom, JSON_REJECT_DUPLICATES, &jerr);
	if (!root && json_error_code(&jerr) == json_error_null_character) {
		/* refused on every back end alike: PostgreSQL's jsonb cannot
		 * hold one, and a string cut at it would store a lie */
		report_fail(err,
			    "line %d: a NUL character (\\u0000) in a string; "
			    "netcensus stores no text with NUL in it (remove "
			    "it from the audit)",
			    jerr.line);
		return NULL;
	}
	if (!root) {
		report_fail(err, "line %d: %s", jerr.line, jerr.text);
		return NULL;
	}
	if (json_object_get(root, "report_version")) {
		f = REPORT_FMT_NETCENSUS;
		if (report_validate(root, err) == 0)
			rep = json_incref(root);
	} else {
		f = REPORT_FMT_OA_JSON;
		rep = report_from_oa_json(root, err);
	}
	if (fmt)
		*fmt = f;
	json_decref(root);
	return rep;
}
