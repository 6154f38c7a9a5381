#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/targets.h"
#include "core/util.h"

/* Addresses as 128-bit integers; IPv4 sits at ::ffff:a.b.c.d. */
typedef unsigned __int128 u128;

#define V4_BASE ((u128)0xffff << 32)
#define V4_LAST (V4_BASE | 0xffffffffu)
#define U128_MAX (~(u128)0)
/* Ceiling on ranges held, so an exclusion like 1-255.1-255.1-255.1 cannot
 * eat memory. */
#define RANGES_MAX (1u << 20)

struct range {
	u128 lo, hi;
};

struct rlist {
	struct range *v;
	size_t n, cap;
};

struct targets {
	uint64_t max;
	unsigned flags;
	int finished;
	int quiet; /* set while reading a file: the caller logs */
	struct rlist inc, exc;
	uint64_t *cum; /* cum[i]: addresses in ranges before i */
	uint64_t count;
	char err[384];
};

static int targets_fail(struct targets *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int targets_fail(struct targets *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	if (!t->quiet)
		log_err("%s", t->err);
	return -1;
}

/* A printable copy of an untrusted token for messages. */
static void token_show(const char *tok, char out[TARGETS_TOKEN_MAX + 1])
{
	size_t i;

	for (i = 0; i < TARGETS_TOKEN_MAX && tok[i]; i++)
		out[i] = isprint((unsigned char)tok[i]) ? tok[i] : '?';
	out[i] = '\0';
}

static u128 addr_to_u128(const struct targets_addr *a)
{
	u128 v = 0;
	int i;

	if (a->family == AF_INET)
		return V4_BASE | ((u128)a->a[0] << 24) | ((u128)a->a[1] << 16) |
		       ((u128)a->a[2] << 8) | a->a[3];
	for (i = 0; i < 16; i++)
		v = (v << 8) | a->a[i];
	return v;
}

static void u128_to_addr(u128 v, struct targets_addr *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	if (v >= V4_BASE && v <= V4_LAST) {
		a->family = AF_INET;
		for (i = 3; i >= 0; i--, v >>= 8)
			a->a[i] = (uint8_t)v;
		return;
	}
	a->family = AF_INET6;
	for (i = 15; i >= 0; i--, v >>= 8)
		a->a[i] = (uint8_t)v;
}

int targets_addr_parse(const char *s, struct targets_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		/* ::ffff:a.b.c.d is the IPv4 address it maps */
		u128_to_addr(addr_to_u128(out), out);
		return 0;
	}
	return -1;
}

const char *targets_addr_format(const struct targets_addr *a, char *buf,
				size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

socklen_t targets_addr_to_sockaddr(const struct targets_addr *a, uint16_t port,
				   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->a, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->a, 16);
	return sizeof(*sin6);
}

int targets_addr_from_sockaddr(const struct sockaddr *sa,
			       struct targets_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		out->family = AF_INET;
		memcpy(out->a, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		out->family = AF_INET6;
		memcpy(out->a, &s6->sin6_addr, 16);
		u128_to_addr(addr_to_u128(out), out);
		return 0;
	}
	return -1;
}

int targets_addr_equal(const struct targets_addr *a,
		       const struct targets_addr *b)
{
	return addr_to_u128(a) == addr_to_u128(b);
}

struct targets *targets_new(uint64_t max, unsigned flags)
{
	struct targets *t = xcalloc(1, sizeof(*t));

	t->max = max ? max : TARGETS_DEFAULT_MAX;
	t->flags = flags;
	return t;
}

void targets_free(struct targets *t)
{
	if (!t)
		return;
	free(t->inc.v);
	free(t->exc.v);
	free(t->cum);
	free(t);
}

static void rlist_append(struct rlist *l, u128 lo, u128 hi)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].lo = lo;
	l->v[l->n].hi = hi;
	l->n++;
}

static int rlist_push(struct targets *t, struct rlist *l, u128 lo, u128 hi,
		      const char *shown)
{
	if (l->n >= RANGES_MAX)
		return targets_fail(t,
				    "'%s': more than %u separate ranges "
				    "in total; use CIDR blocks",
				    shown, RANGES_MAX);
	rlist_append(l, lo, hi);
	return 0;
}

/* Writes a count that may not fit in 64 bits: the number, or 2^bits. */
static void size_show(u128 size, unsigned bits, char *buf, size_t len)
{
	if (size > 0 && size <= UINT64_MAX)
		snprintf(buf, len, "%llu", (unsigned long long)size);
	else
		snprintf(buf, len, "2^%u", bits);
}

static int parse_cidr(struct targets *t, char *tok, const char *shown,
		      uint64_t cap, u128 *lo, u128 *hi)
{
	char *slash = strchr(tok, '/');
	struct targets_addr a;
	unsigned width, hostbits;
	long prefix;
	u128 size, mask;
	char sz[48];

	*slash = '\0';
	if (targets_addr_parse(tok, &a) < 0)
		return targets_fail(t,
				    "'%s': '%s' is not an IPv4 or IPv6 "
				    "address",
				    shown, tok);
	width = a.family == AF_INET ? 32 : 128;
	if (!slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    util_parse_long(slash + 1, 0, width, &prefix) < 0)
		return targets_fail(t,
				    "'%s': the prefix must be a number "
				    "from 0 to %u",
				    shown, width);
	hostbits = width - (unsigned)prefix;
	size = hostbits == 128 ? 0 : (u128)1 << hostbits; /* 0: 2^128 */
	if (size == 0 || size > cap) {
		size_show(size, hostbits, sz, sizeof(sz));
		return targets_fail(t,
				    "'%s': prefix /%ld gives %s addresses, "
				    "more than --max-targets %llu",
				    shown, prefix, sz, (unsigned long long)cap);
	}
	mask = size - 1;
	*lo = addr_to_u128(&a) & ~mask;
	*hi = *lo | mask;
	return 0;
}

static int check_size(struct targets *t, const char *shown, u128 lo, u128 hi,
		      uint64_t cap)
{
	u128 size = hi - lo + 1; /* 0 when the range is all of 2^128 */
	char sz[48];

	if (size != 0 && size <= cap)
		return 0;
	size_show(size, 128, sz, sizeof(sz));
	return targets_fail(t,
			    "'%s': the range gives %s addresses, more than "
			    "--max-targets %llu",
			    shown, sz, (unsigned long long)cap);
}

/* "a-b" where both ends are whole addresses of one family; 1 if it was
 * such a range (result in lo/hi or an error), 0 if not a range at all. */
static int parse_full_range(struct targets *t, char *tok, const char *shown,
			    uint64_t cap, u128 *lo, u128 *hi, int *rc)
{
	char *dash = strchr(tok, '-');
	struct targets_addr a, b;

	if (!dash || strchr(dash + 1, '-'))
		return 0;
	*dash = '\0';
	if (targets_addr_parse(tok, &a) < 0 ||
	    targets_addr_parse(dash + 1, &b) < 0) {
		*dash = '-';
		return 0;
	}
	*dash = '-';
	if (a.family != b.family) {
		*rc = targets_fail(t,
				   "'%s': the two ends are of different "
				   "address families",
				   shown);
		return 1;
	}
	*lo = addr_to_u128(&a);
	*hi = addr_to_u128(&b);
	if (*lo > *hi) {
		*rc = targets_fail(t, "'%s': the range ends before it starts",
				   shown);
		return 1;
	}
	*rc = check_size(t, shown, *lo, *hi, cap);
	return 1;
}

/* Reads one octet value at *p and advances; 0, -1 when there is no
 * number, -2 when it is past 255. */
static int octet_number(const char **p, long *out)
{
	char num[4];
	size_t n = strspn(*p, "0123456789");

	if (n == 0 || n > 3)
		return -1;
	memcpy(num, *p, n);
	num[n] = '\0';
	*p += n;
	return util_parse_long(num, 0, 255, out) < 0 ? -2 : 0;
}

/* One octet of an nmap-style range: "7", "1-254", "1,3,5-9" into a set. */
static int parse_octet(struct targets *t, const char *part, const char *shown,
		       uint8_t set[256], unsigned *bits)
{
	const char *p = part;
	int rc;

	memset(set, 0, 256);
	*bits = 0;
	while (*p) {
		long a, b;

		if ((rc = octet_number(&p, &a)) < 0)
			goto fail;
		b = a;
		if (*p == '-') {
			p++;
			if ((rc = octet_number(&p, &b)) < 0)
				goto fail;
			if (b < a)
				return targets_fail(t,
						    "'%s': the span %ld-%ld "
						    "runs backwards",
						    shown, a, b);
		}
		for (; a <= b; a++) {
			*bits += !set[a];
			set[a] = 1;
		}
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (*bits)
		return 0;
bad:
	rc = -1;
fail:
	if (rc == -2)
		return targets_fail(t, "'%s': octet values go from 0 to 255",
				    shown);
	return targets_fail(t,
			    "'%s': '%s' is not an octet, a span like 1-254 "
			    "or a list like 1,3,5",
			    shown, part);
}

static int parse_octets(struct targets *t, char *tok, const char *shown,
			uint64_t cap, struct rlist *out)
{
	uint8_t set[4][256];
	unsigned bits[4], o0, o1, o2, o3;
	uint64_t total = 1;
	char *parts[4], *p = tok;
	int i;

	for (i = 0; i < 4; i++) {
		parts[i] = p;
		p = strchr(p, '.');
		if ((i < 3 && !p) || (i == 3 && p))
			return targets_fail(t,
					    "'%s': an octet range needs four "
					    "parts separated by dots",
					    shown);
		if (p)
			*p++ = '\0';
	}
	for (i = 0; i < 4; i++) {
		if (parse_octet(t, parts[i], shown, set[i], &bits[i]) < 0)
			return -1;
		total *= bits[i];
	}
	if (total > cap)
		return targets_fail(t,
				    "'%s': the octet range gives %llu "
				    "addresses, more than --max-targets %llu",
				    shown, (unsigned long long)total,
				    (unsigned long long)cap);
	for (o0 = 0; o0 < 256; o0++) {
		for (o1 = 0; set[0][o0] && o1 < 256; o1++) {
			for (o2 = 0; set[1][o1] && o2 < 256; o2++) {
				u128 base;

				if (!set[2][o2])
					continue;
				base = V4_BASE | (o0 << 24) | (o1 << 16) |
				       (o2 << 8);
				for (o3 = 0; o3 < 256; o3++) {
					unsigned end = o3;

					if (!set[3][o3])
						continue;
					while (end + 1 < 256 && set[3][end + 1])
						end++;
					if (rlist_push(t, out, base | o3,
						       base | end, shown) < 0)
						return -1;
					o3 = end;
				}
			}
		}
	}
	return 0;
}

static int hostname_valid(const char *s)
{
	size_t label = 0, len = strlen(s);
	int alpha = 0;

	if (len == 0 || len > 253)
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
		if (isalpha((unsigned char)*s))
			alpha = 1;
		if (++label > 63)
			return 0;
	}
	return alpha;
}

static int resolve_name(struct targets *t, const char *name, struct rlist *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct targets_addr a;
	int rc;

	if (!(t->flags & TARGETS_RESOLVE))
		return targets_fail(t,
				    "'%s': host names are not allowed here; "
				    "give an address, CIDR or range",
				    name);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		return targets_fail(t, "'%s': cannot resolve the host name: %s",
				    name, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		if (targets_addr_from_sockaddr(ai->ai_addr, &a) < 0)
			continue;
		if (rlist_push(t, out, addr_to_u128(&a), addr_to_u128(&a),
			       name) < 0) {
			freeaddrinfo(res);
			return -1;
		}
	}
	freeaddrinfo(res);
	return 0;
}

static int parse_token(struct targets *t, const char *token, uint64_t cap,
		       struct rlist *out)
{
	char tok[TARGETS_TOKEN_MAX + 1], shown[TARGETS_TOKEN_MAX + 1];
	size_t len = strlen(token), bad;
	struct targets_addr a;
	u128 lo = 0, hi = 0;
	int rc = 0;

	token_show(token, shown);
	if (t->finished)
		return targets_fail(t, "'%s': targets already finished", shown);
	if (len == 0)
		return targets_fail(t, "an empty target was given");
	if (len > TARGETS_TOKEN_MAX)
		return targets_fail(t, "'%.40s...': longer than %d characters",
				    shown, TARGETS_TOKEN_MAX);
	bad = strspn(token, "0123456789abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.:/,-_");
	if (token[bad])
		return targets_fail(
			t,
			"'%s': character '%c' is not allowed; "
			"give an address, CIDR, range or host name",
			shown,
			isprint((unsigned char)token[bad]) ? token[bad] : '?');
	memcpy(tok, token, len + 1);

	if (strchr(tok, '/'))
		rc = parse_cidr(t, tok, shown, cap, &lo, &hi);
	else if (targets_addr_parse(tok, &a) == 0)
		lo = hi = addr_to_u128(&a);
	else if (parse_full_range(t, tok, shown, cap, &lo, &hi, &rc))
		;
	else if (strspn(tok, "0123456789.,-") == len)
		return parse_octets(t, tok, shown, cap, out);
	else if (hostname_valid(tok))
		return resolve_name(t, tok, out);
	else
		return targets_fail(t,
				    "'%s': not an address, CIDR, range or "
				    "host name",
				    shown);
	if (rc < 0)
		return -1;
	/* an IPv6 range may not straddle the IPv4-mapped block */
	if ((lo < V4_BASE && hi >= V4_BASE) || (lo <= V4_LAST && hi > V4_LAST))
		return targets_fail(t,
				    "'%s': the range mixes IPv4-mapped and "
				    "other IPv6 addresses",
				    shown);
	return rlist_push(t, out, lo, hi, shown);
}

int targets_add(struct targets *t, const char *token)
{
	return parse_token(t, token, t->max, &t->inc);
}

int targets_exclude(struct targets *t, const char *token)
{
	return parse_token(t, token, UINT64_MAX, &t->exc);
}

int targets_add_file(struct targets *t, const char *path, int exclude)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	int rc = -1;

	if (!f)
		return targets_fail(t, "%s: cannot open the targets file: %s",
				    path, strerror(errno));
	t->quiet = 1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line, *end, *hash;

		lineno++;
		if ((hash = strchr(p, '#')))
			*hash = '\0';
		while (*p && isspace((unsigned char)*p))
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*p)
			continue;
		if (strpbrk(p, " \t")) {
			t->quiet = 0;
			targets_fail(t, "%s:%u: one target per line, please",
				     path, lineno);
			goto fail;
		}
		if ((exclude ? targets_exclude(t, p) : targets_add(t, p)) < 0) {
			char why[sizeof(t->err)];

			snprintf(why, sizeof(why), "%s", t->err);
			t->quiet = 0;
			targets_fail(t, "%s:%u: %.300s", path, lineno, why);
			goto fail;
		}
	}
	t->quiet = 0;
	if (ferror(f)) {
		targets_fail(t, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	rc = 0;
fail:
	t->quiet = 0;
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static void rlist_normalise(struct rlist *l)
{
	size_t i, o = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), range_cmp);
	for (i = 1; i < l->n; i++) {
		struct range *cur = &l->v[o];

		if (cur->hi == U128_MAX || l->v[i].lo <= cur->hi + 1) {
			if (l->v[i].hi > cur->hi)
				cur->hi = l->v[i].hi;
		} else {
			l->v[++o] = l->v[i];
		}
	}
	l->n = o + 1;
}

/* inc := inc minus exc; both sorted and disjoint. */
static void rlist_subtract(struct targets *t)
{
	struct rlist out = {0};
	size_t i, j = 0;

	for (i = 0; i < t->inc.n; i++) {
		u128 lo = t->inc.v[i].lo, hi = t->inc.v[i].hi;
		int gone = 0;

		while (j < t->exc.n && t->exc.v[j].hi < lo)
			j++;
		for (size_t k = j; k < t->exc.n && t->exc.v[k].lo <= hi; k++) {
			const struct range *x = &t->exc.v[k];

			if (x->lo > lo)
				rlist_append(&out, lo, x->lo - 1);
			if (x->hi >= hi) {
				gone = 1;
				break;
			}
			lo = x->hi + 1;
		}
		if (!gone)
			rlist_append(&out, lo, hi);
	}
	free(t->inc.v);
	t->inc = out;
}

int targets_finish(struct targets *t)
{
	size_t i;
	u128 total = 0;

	if (t->finished)
		return 0;
	rlist_normalise(&t->inc);
	rlist_normalise(&t->exc);
	rlist_subtract(t);
	for (i = 0; i < t->inc.n; i++)
		total += t->inc.v[i].hi - t->inc.v[i].lo + 1;
	if (total > t->max)
		return targets_fail(t,
				    "the targets add up to %llu addresses "
				    "after exclusions, more than --max-targets "
				    "%llu",
				    (unsigned long long)total,
				    (unsigned long long)t->max);
	t->cum = xcalloc(t->inc.n + 1, sizeof(*t->cum));
	for (i = 0; i < t->inc.n; i++)
		t->cum[i + 1] = t->cum[i] +
				(uint64_t)(t->inc.v[i].hi - t->inc.v[i].lo + 1);
	t->count = (uint64_t)total;
	t->finished = 1;
	return 0;
}

uint64_t targets_count(const struct targets *t)
{
	return t->finished ? t->count : 0;
}

size_t targets_range_count(const struct targets *t)
{
	return t->finished ? t->inc.n : 0;
}

int targets_get(const struct targets *t, uint64_t i, struct targets_addr *out)
{
	size_t lo = 0, hi;

	if (!t->finished || i >= t->count)
		return -1;
	hi = t->inc.n - 1;
	while (lo < hi) { /* last range whose cum <= i */
		size_t mid = lo + (hi - lo + 1) / 2;

		if (t->cum[mid] <= i)
			lo = mid;
		else
			hi = mid - 1;
	}
	u128_to_addr(t->inc.v[lo].lo + (i - t->cum[lo]), out);
	return 0;
}

int targets_contains(const struct targets *t, const struct targets_addr *a)
{
	u128 v = addr_to_u128(a);
	size_t lo = 0, hi;

	if (!t || !t->finished || !t->inc.n)
		return 0;
	hi = t->inc.n;
	while (lo < hi) { /* the first range whose hi >= v */
		size_t mid = lo + (hi - lo) / 2;

		if (t->inc.v[mid].hi < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->inc.n && t->inc.v[lo].lo <= v;
}

const char *targets_error(const struct targets *t)
{
	return t->err;
}
