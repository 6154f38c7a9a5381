/*
 * oui: the IEEE MAC address registries as three sorted arrays (24, 28 and
 * 36-bit prefixes) searched longest first. The CSV files are parsed as
 * RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line
 * breaks (several addresses in oui.csv do), records end in CRLF or LF.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define OUI_FILE_MAX (64u * 1024 * 1024)
#define OUI_FIELD_MAX 4096
#define OUI_FIELDS 3 /* registry, assignment, name; the address is skipped */

struct oui_entry {
	uint64_t prefix; /* the top `bits` bits of the MAC */
	uint32_t seq;	 /* file order, so the first of duplicates wins */
	uint32_t name;	 /* offset into pool */
};

struct oui_table {
	struct oui_entry *v;
	size_t n, cap;
};

enum { OUI_24, OUI_28, OUI_36, OUI_NTABLES };
static const int oui_bits[OUI_NTABLES] = {24, 28, 36};

struct classify_oui {
	struct oui_table t[OUI_NTABLES];
	struct strbuf pool;
	uint32_t seq;
};

/* One CSV record: fields decoded into f[i] (NUL-terminated, truncated at
 * OUI_FIELD_MAX - 1). Returns the number of fields, 0 at end of input. */
static int csv_next_record(const char **pp, const char *end,
			   char f[OUI_FIELDS][OUI_FIELD_MAX])
{
	const char *p = *pp;
	int nf = 0;
	size_t len = 0;
	int quoted = 0;

	if (p >= end)
		return 0;
	for (int i = 0; i < OUI_FIELDS; i++)
		f[i][0] = '\0';
	for (;;) {
		int c = p < end ? (unsigned char)*p : -1;

		if (quoted) {
			if (c == -1) {
				break;
			} else if (c == '"' && p + 1 < end && p[1] == '"') {
				p++;
			} else if (c == '"') {
				quoted = 0;
				p++;
				continue;
			}
		} else if (c == '"') {
			quoted = 1;
			p++;
			continue;
		} else if (c == ',' || c == '\n' || c == '\r' || c == -1) {
			if (nf < OUI_FIELDS)
				f[nf][len] = '\0';
			nf++;
			len = 0;
			if (c == ',') {
				p++;
				continue;
			}
			if (c == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			if (c != -1)
				p++;
			break;
		}
		if (nf < OUI_FIELDS && len < OUI_FIELD_MAX - 1)
			f[nf][len++] = (char)c;
		p++;
	}
	if (quoted && nf < OUI_FIELDS) {
		f[nf][len] = '\0';
		nf++;
	}
	*pp = p;
	return nf;
}

static void oui_trim(char *s)
{
	size_t n = strlen(s);
	size_t i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}

int classify_mac_parse(const char *mac, unsigned char out[6])
{
	char hex[13];
	size_t n = 0;
	int seps = 0;
	unsigned long long v;

	if (!mac)
		return -1;
	for (const char *p = mac; *p; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (n == 12)
				return -1;
			hex[n++] = *p;
		} else if ((*p != ':' && *p != '-' && *p != '.') ||
			   ++seps > 5) {
			return -1;
		}
	}
	if (n != 12)
		return -1;
	hex[n] = '\0';
	v = strtoull(hex, NULL, 16);
	for (int i = 5; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)(v & 0xff);
	return 0;
}

static void oui_add(struct classify_oui *o, int which, uint64_t prefix,
		    const char *name)
{
	struct oui_table *t = &o->t[which];
	char trimmed[OUI_FIELD_MAX + 1];

	name = classify_vendor_trim(name, trimmed, sizeof(trimmed));
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].prefix = prefix;
	t->v[t->n].seq = o->seq++;
	t->v[t->n].name = (uint32_t)o->pool.len;
	/* the pool has no ceiling; names are bounded by OUI_FIELD_MAX */
	strbuf_append(&o->pool, name, strlen(name) + 1);
	t->n++;
}

/* Rows whose organisation says nothing about the maker are left out, so a
 * lookup falls through to "unknown" rather than to "Private" or to the
 * registration authority that sub-let the block. */
static int oui_name_useless(const char *name)
{
	return !*name || util_streq_ci(name, "Private") ||
	       util_streq_ci(name, "IEEE Registration Authority");
}

/* 0, or -1 with the reason in *why when the file cannot be read. */
static int oui_load_csv(struct classify_oui *o, const char *path,
			const char **why)
{
	char f[OUI_FIELDS][OUI_FIELD_MAX];
	size_t len;
	char *buf = util_read_file(path, OUI_FILE_MAX, &len, why);
	const char *p, *end;
	int line = 0, bad = 0, nf;

	if (!buf)
		return -1;
	p = buf;
	end = buf + len;
	while ((nf = csv_next_record(&p, end, f)) > 0) {
		size_t digits = strlen(f[1]);
		uint64_t prefix = 0;
		int which;

		if (line++ == 0 && util_streq_ci(f[0], "Registry"))
			continue;
		if (nf == 1 && !f[0][0])
			continue; /* blank line */
		if (digits == 6)
			which = OUI_24;
		else if (digits == 7)
			which = OUI_28;
		else if (digits == 9)
			which = OUI_36;
		else
			which = -1;
		if (strspn(f[1], "0123456789abcdefABCDEF") != digits)
			which = -1;
		else
			prefix = strtoull(f[1], NULL, 16);
		if (nf < 3 || which < 0) {
			bad++;
			continue;
		}
		oui_trim(f[2]);
		if (!oui_name_useless(f[2]))
			oui_add(o, which, prefix, f[2]);
	}
	if (bad)
		log_debug("%s: %d rows without a valid assignment skipped",
			  path, bad);
	free(buf);
	return 0;
}

static int oui_cmp(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts and keeps the first row (in file order) of each prefix. */
static void oui_sort(struct oui_table *t)
{
	size_t k = 0;

	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof(*t->v), oui_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i].prefix != t->v[k].prefix)
			t->v[++k] = t->v[i];
	t->n = k + 1;
}

struct classify_oui *classify_oui_load(const char *dir)
{
	static const char *const files[] = {"oui.csv", "mam.csv", "oui36.csv",
					    "iab.csv"};
	struct classify_oui *o = xcalloc(1, sizeof(*o));
	const char *why[sizeof(files) / sizeof(files[0])] = {NULL};
	int loaded = 0;

	strbuf_init(&o->pool, 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);

		if (oui_load_csv(o, path, &why[i]) == 0)
			loaded++;
		free(path);
	}
	if (!loaded) {
		log_warn("no IEEE MAC registry in %s (%s: %s): MAC "
			 "manufacturers will be unknown (install the Debian "
			 "package ieee-data)",
			 dir, files[0], why[0]);
		classify_oui_free(o);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (why[i])
			log_warn("%s/%s: %s: MAC blocks it lists fall back to "
				 "their 24-bit owner",
				 dir, files[i], why[i]);
	for (int i = 0; i < OUI_NTABLES; i++)
		oui_sort(&o->t[i]);
	return o;
}

static const struct oui_entry *oui_find(const struct oui_table *t,
					uint64_t prefix)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].prefix == prefix)
			return &t->v[mid];
		if (t->v[mid].prefix < prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *classify_oui_lookup(const struct classify_oui *t, const char *mac)
{
	unsigned char b[6];
	uint64_t v = 0;

	if (!t || classify_mac_parse(mac, b) < 0)
		return NULL;
	for (int i = 0; i < 6; i++)
		v = v << 8 | b[i];
	for (int i = OUI_NTABLES - 1; i >= 0; i--) {
		const struct oui_entry *e =
			oui_find(&t->t[i], v >> (48 - oui_bits[i]));

		if (e)
			return t->pool.data + e->name;
	}
	return NULL;
}

size_t classify_oui_count(const struct classify_oui *t)
{
	size_t n = 0;

	for (int i = 0; t && i < OUI_NTABLES; i++)
		n += t->t[i].n;
	return n;
}

void classify_oui_free(struct classify_oui *t)
{
	if (!t)
		return;
	for (int i = 0; i < OUI_NTABLES; i++)
		free(t->t[i].v);
	strbuf_free(&t->pool);
	free(t);
}
