/*
 * fuzz_ports: the --ports syntax (probe/ports.h), typed by users and sent
 * through the discovery API. An accepted list holds no duplicates and
 * every port it holds is found by ports_has_tcp / ports_has_udp.
 */
#include "fuzz.h"
#include "probe/ports.h"

static void check_list(const struct port_list *l, const uint16_t *v, size_t n,
		       int udp)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!(udp ? ports_has_udp(l, v[i]) : ports_has_tcp(l, v[i])))
			abort();
		for (j = 0; j < i; j++)
			if (v[j] == v[i])
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_cstr(data, size);
	struct port_list l = {0};

	if (ports_parse(spec, &l) == 0 && l.n_tcp + l.n_udp < 4096) {
		check_list(&l, l.tcp, l.n_tcp, 0);
		check_list(&l, l.udp, l.n_udp, 1);
	}
	ports_clear(&l);
	free(spec);
	return 0;
}
