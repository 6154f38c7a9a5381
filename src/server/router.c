#include <stdio.h>
#include <string.h>

#include "server/router.h"

#define ROUTER_ID_MAX 9007199254740992LL /* 2^53: exact in JSON */

/* The next segment of *s (without slashes) into seg; 0 at the end. */
static size_t router_segment(const char **s, const char **seg)
{
	const char *p = *s;
	size_t n;

	if (*p == '/')
		p++;
	*seg = p;
	n = strcspn(p, "/");
	*s = p + n;
	return n;
}

static int router_id(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (!n || n > 16 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > ROUTER_ID_MAX)
		return -1;
	*out = v;
	return 0;
}

static int router_word(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= ROUTER_PARAM_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '.' || s[i] == '-'))
			return -1;
	return 0;
}

/* 1 when path fits pattern, with the placeholders in p. */
static int router_fit(const char *pattern, const char *path,
		      struct route_params *p)
{
	const char *ps, *ss;
	size_t pn, sn;

	p->n = 0;
	if (strlen(path) >= ROUTER_PATH_MAX || path[0] != '/')
		return 0;
	for (;;) {
		pn = router_segment(&pattern, &ps);
		sn = router_segment(&path, &ss);
		if (!pn && !sn)
			return !*pattern && !*path;
		if (!pn || !sn)
			return 0;
		if (ps[0] == '{' && ps[pn - 1] == '}') {
			int64_t id = 0;

			if (p->n >= ROUTER_MAX_PARAMS)
				return 0;
			if (pn == 4 && !memcmp(ps, "{id}", 4)) {
				if (router_id(ss, sn, &id) < 0)
					return 0;
			} else if (router_word(ss, sn) < 0) {
				return 0;
			}
			memcpy(p->v[p->n], ss, sn);
			p->v[p->n][sn] = '\0';
			p->id[p->n++] = id;
		} else if (pn != sn || memcmp(ps, ss, pn)) {
			return 0;
		}
	}
}

enum router_result router_match(const struct route *routes, int n,
				const char *method, const char *path,
				const struct route **out,
				struct route_params *p)
{
	enum router_result r = ROUTER_NOT_FOUND;
	int i;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (!router_fit(routes[i].pattern, path, p))
			continue;
		if (!strcmp(routes[i].method, method)) {
			*out = &routes[i];
			return ROUTER_FOUND;
		}
		r = ROUTER_BAD_METHOD;
	}
	p->n = 0;
	return r;
}

void router_allowed(const struct route *routes, int n, const char *path,
		    char *buf, size_t len)
{
	struct route_params p;
	size_t used = 0;
	int i;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w;

		if (!router_fit(routes[i].pattern, path, &p) ||
		    strstr(buf, routes[i].method))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     routes[i].method);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			return;
		}
		used += (size_t)w;
	}
}
