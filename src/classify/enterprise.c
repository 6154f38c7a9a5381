/*
 * enterprise: IANA private enterprise numbers from Wireshark's
 * enterprises.tsv. The format (checked against Debian 12's file): comment
 * lines start with '#'; a row is the number, a run of spaces or tabs, the
 * name, and optionally a tab followed by "# formerly ..." which is not part
 * of the name (a '#' after a space is: "School District # 37"), nor is a
 * trailing " (previous was '...')".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define ENT_FILE_MAX (64u * 1024 * 1024)
#define ENT_NAME_MAX 1024

struct ent_entry {
	uint32_t number;
	uint32_t name; /* offset into pool */
};

struct classify_ent {
	struct ent_entry *v;
	size_t n, cap;
	struct strbuf pool;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent_entry *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* Parses one line [p, eol); 0 and fills *num / name[], or -1. */
/* IANA notes a registrant's earlier name after the name: "Barracuda
 * Networks AG (previous was 'phion Information Technologies')"; the note
 * is not part of the name. The name's length without it. */
static size_t ent_drop_previous(const char *s, size_t n)
{
	static const char note[] = " (previous was '";
	size_t k = sizeof(note) - 1;

	if (!n || s[n - 1] != ')')
		return n;
	for (size_t i = 1; i + k < n; i++)
		if (memcmp(s + i, note, k) == 0)
			return i;
	return n;
}

static int ent_parse_line(const char *p, const char *eol, unsigned long *num,
			  char name[ENT_NAME_MAX])
{
	const char *s;
	size_t n;
	char *end;

	if (p == eol || !(*p >= '0' && *p <= '9'))
		return -1;
	errno = 0;
	*num = strtoul(p, &end, 10);
	if (errno || end >= eol || *num > UINT32_MAX ||
	    (*end != ' ' && *end != '\t'))
		return -1;
	s = end;
	while (s < eol && (*s == ' ' || *s == '\t'))
		s++;
	n = 0;
	while (s + n < eol &&
	       !(s[n] == '\t' && s + n + 1 < eol && s[n + 1] == '#'))
		n++;
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	n = ent_drop_previous(s, n);
	if (n == 0)
		return -1;
	if (n >= ENT_NAME_MAX)
		n = ENT_NAME_MAX - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
}

struct classify_ent *classify_ent_load(const char *path)
{
	struct classify_ent *t = NULL;
	const char *why;
	size_t len;
	char *buf = util_read_file(path, ENT_FILE_MAX, &len, &why);
	const char *p, *end;
	char name[ENT_NAME_MAX], trimmed[ENT_NAME_MAX];
	int bad = 0;

	if (!buf) {
		log_warn("%s: %s: sysObjectID organisations will be unknown "
			 "(install the Debian package libwireshark-data)",
			 path, why);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	strbuf_init(&t->pool, 0);
	for (p = buf, end = buf + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		unsigned long num;

		if (!eol)
			eol = end;
		if (p < eol && *p != '#' && *p != '\r') {
			if (ent_parse_line(p, eol, &num, name) < 0) {
				bad++;
			} else {
				if (t->n == t->cap) {
					t->cap = t->cap ? t->cap * 2 : 4096;
					t->v = xrealloc(t->v,
							t->cap * sizeof(*t->v));
				}
				const char *nm = classify_vendor_trim(
					name, trimmed, sizeof(trimmed));

				t->v[t->n].number = (uint32_t)num;
				t->v[t->n].name = (uint32_t)t->pool.len;
				strbuf_append(&t->pool, nm, strlen(nm) + 1);
				t->n++;
			}
		}
		p = eol < end ? eol + 1 : end;
	}
	free(buf);
	if (bad)
		log_debug("%s: %d lines not understood, skipped", path, bad);
	if (!t->n) {
		log_warn("%s: no enterprise numbers found", path);
		classify_ent_free(t);
		return NULL;
	}
	qsort(t->v, t->n, sizeof(*t->v), ent_cmp);
	return t;
}

const char *classify_ent_lookup(const struct classify_ent *t,
				unsigned long number)
{
	size_t lo = 0, hi;

	if (!t)
		return NULL;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].number == number)
			return t->pool.data + t->v[mid].name;
		if (t->v[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *classify_ent_find(const struct classify_ent *t, const char *name)
{
	size_t i;

	for (i = 0; t && name && *name && i < t->n; i++)
		if (strcasecmp(t->pool.data + t->v[i].name, name) == 0)
			return t->pool.data + t->v[i].name;
	return NULL;
}

size_t classify_ent_count(const struct classify_ent *t)
{
	return t ? t->n : 0;
}

void classify_ent_free(struct classify_ent *t)
{
	if (!t)
		return;
	free(t->v);
	strbuf_free(&t->pool);
	free(t);
}

int classify_enterprise_of(const char *oid, unsigned long *number)
{
	static const char base[] = "1.3.6.1.4.1.";
	unsigned long n = 0;
	int digits = 0;

	if (!oid)
		return -1;
	if (*oid == '.')
		oid++;
	if (strncmp(oid, base, sizeof(base) - 1) != 0)
		return -1;
	for (oid += sizeof(base) - 1; *oid >= '0' && *oid <= '9'; oid++) {
		if (++digits > 10)
			return -1;
		n = n * 10 + (unsigned long)(*oid - '0');
	}
	if (!digits || (*oid && *oid != '.'))
		return -1;
	*number = n;
	return 0;
}
