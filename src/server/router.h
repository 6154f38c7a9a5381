/*
 * router: maps (method, path) to a handler through a constant table of
 * routes whose patterns have fixed segments and placeholders. "{id}"
 * matches a decimal integer from 1 to 2^53; any other "{name}" matches one
 * segment of 1-64 characters from [A-Za-z0-9_.-]. Nothing else matches, so
 * a path that reaches a handler has already been checked. The table is
 * searched in order; the first route whose pattern and method match wins.
 */
#ifndef NC_ROUTER_H
#define NC_ROUTER_H

#include <stdint.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_PARAM_MAX 65 /* one segment and its NUL */
#define ROUTER_PATH_MAX 1024

struct request;

struct route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/devices/{id}" */
	int (*fn)(struct request *rq);
	unsigned flags;	     /* ROUTE_* in server_int.h */
	const char *summary; /* one line, for openapi.json */
};

struct route_params {
	int n;
	char v[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX];
	int64_t id[ROUTER_MAX_PARAMS]; /* the value of each {id}, else 0 */
};

enum router_result {
	ROUTER_FOUND = 0,
	ROUTER_NOT_FOUND,  /* no pattern matches the path */
	ROUTER_BAD_METHOD, /* a pattern matches, not with this method */
};

/* Finds the route for method and path among routes[0..n). *out receives
 * it when ROUTER_FOUND; p receives the placeholders in order. */
enum router_result router_match(const struct route *routes, int n,
				const char *method, const char *path,
				const struct route **out,
				struct route_params *p);

/* The methods that pattern-match path, comma separated, for an Allow
 * header; buf is always NUL-terminated. */
void router_allowed(const struct route *routes, int n, const char *path,
		    char *buf, size_t len);

#endif
