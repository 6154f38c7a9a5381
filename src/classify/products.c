/*
 * products: the sysObjectID -> product table (data/sysobjectid-products.txt,
 * generated from vendor product MIBs by scripts/mib-products.sh). A line is
 * "OID<TAB>NAME"; '#' lines are comments (the generator names each block's
 * source MIB in one). Kept as one sorted array of (OID text, name) offsets
 * into a pool, looked up by binary search on the exact OID text.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define PRODUCT_LINE_MAX 512

struct product_entry {
	size_t oid, name;   /* offsets into pool while it grows */
	const char *o, *nm; /* the same, as pointers, once it is built */
};

struct classify_products {
	struct product_entry *v;
	size_t n, cap;
	struct strbuf pool;
};

static int product_cmp(const void *a, const void *b)
{
	const struct product_entry *x = a, *y = b;

	return strcmp(x->o, y->o);
}

/* "1.3.6.1..." made only of digits and single dots. */
static int product_oid_ok(const char *s, size_t n)
{
	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(s[i] == '.' && s[i + 1] != '.'))
			return 0;
	return 1;
}

struct classify_products *classify_products_parse(const char *text, size_t len,
						  const char *name)
{
	struct classify_products *t = xcalloc(1, sizeof(*t));
	const char *p = text, *end = text + len;
	int lineno = 0;

	strbuf_init(&t->pool, 0);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *tab;
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);

		lineno++;
		/* cppcheck-suppress knownConditionTrueFalse ; a false
		 * positive: l is 0 for an empty line */
		if (l && p[l - 1] == '\r')
			l--;
		tab = memchr(p, '\t', l);
		if (l && *p != '#') {
			if (!tab || !product_oid_ok(p, (size_t)(tab - p)) ||
			    tab + 1 == p + l || l > PRODUCT_LINE_MAX) {
				log_warn("%s:%d: not OID<TAB>NAME, skipped",
					 name, lineno);
			} else {
				if (t->n == t->cap) {
					t->cap = t->cap ? t->cap * 2 : 1024;
					t->v = xrealloc(t->v,
							t->cap * sizeof(*t->v));
				}
				t->v[t->n].oid = t->pool.len;
				strbuf_append(&t->pool, p, (size_t)(tab - p));
				strbuf_append(&t->pool, "", 1);
				t->v[t->n].name = t->pool.len;
				strbuf_append(&t->pool, tab + 1,
					      (size_t)(p + l - tab - 1));
				strbuf_append(&t->pool, "", 1);
				t->n++;
			}
		}
		p = eol ? eol + 1 : end;
	}
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].o = t->pool.data + t->v[i].oid;
		t->v[i].nm = t->pool.data + t->v[i].name;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), product_cmp);
	return t;
}

const char *classify_products_lookup(const struct classify_products *t,
				     const char *oid)
{
	size_t lo = 0, hi;

	if (!t || !oid || !t->n)
		return NULL;
	if (*oid == '.')
		oid++;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(oid, t->v[mid].o);

		if (c == 0)
			return t->v[mid].nm;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t classify_products_count(const struct classify_products *t)
{
	return t ? t->n : 0;
}

void classify_products_free(struct classify_products *t)
{
	if (!t)
		return;
	free(t->v);
	strbuf_free(&t->pool);
	free(t);
}
