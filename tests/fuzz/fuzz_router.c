/*
 * fuzz_router: the request line's method and path against the server's
 * real route table (server/router.h, server_routes). The input's first
 * line is the method, the rest the path. A route found must have the
 * method asked for, and its {id} placeholders must be in 1..2^53.
 */
#include "fuzz.h"
#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *method = fuzz_cstr(data, size);
	char *path = fuzz_split(method, '\n');
	const struct route *r;
	struct route_params p;
	char allow[64];
	int i;

	if (!path || strlen(path) >= ROUTER_PATH_MAX)
		goto out;
	memset(&p, 0, sizeof(p));
	if (router_match(server_routes, server_nroutes, method, path, &r, &p) ==
	    ROUTER_FOUND) {
		if (!r || strcmp(r->method, method) || p.n < 0 ||
		    p.n > ROUTER_MAX_PARAMS)
			abort();
		for (i = 0; i < p.n; i++)
			if (p.id[i] < 0 || p.id[i] > (int64_t)1 << 53 ||
			    strlen(p.v[i]) >= ROUTER_PARAM_MAX)
				abort();
	}
	router_allowed(server_routes, server_nroutes, path, allow,
		       sizeof(allow));
	if (strlen(allow) >= sizeof(allow))
		abort();
out:
	free(method);
	return 0;
}
