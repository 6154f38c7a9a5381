#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/ports.h"

#define TOP_MAX 1000

/* Every preset probes these: SSH, the Windows ports (RPC, NetBIOS
 * session, SMB, RDP: the SMB/NetBIOS enricher needs 139/445 known open)
 * and Apple's iOS sync. */
static const uint16_t ports_needed[] = {22, 135, 139, 445, 3389, 62078};

const uint16_t ports_discovery_default[PORTS_DISCOVERY_DEFAULT_N] = {
	80, 443, 22, 135, 139, 445, 3389};

/* Appends; the array grows when its length reaches a power of two. */
static void ports_push(uint16_t **v, size_t *n, uint16_t port)
{
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*v = xrealloc(*v, (*n < 4 ? 8 : *n * 2) * sizeof(**v));
	(*v)[(*n)++] = port;
}

/* Drops repeated ports, keeping each one's first position. */
static void ports_dedupe(uint16_t *v, size_t *n)
{
	uint8_t seen[65536 / 8];
	size_t i, o = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < *n; i++) {
		if (seen[v[i] / 8] & (1u << (v[i] % 8)))
			continue;
		seen[v[i] / 8] |= (uint8_t)(1u << (v[i] % 8));
		v[o++] = v[i];
	}
	*n = o;
}

static void ports_finish(struct port_list *l)
{
	ports_dedupe(l->tcp, &l->n_tcp);
	ports_dedupe(l->udp, &l->n_udp);
}

void ports_clear(struct port_list *l)
{
	if (!l)
		return;
	free(l->tcp);
	free(l->udp);
	memset(l, 0, sizeof(*l));
}

static int ports_in(const uint16_t *v, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == port)
			return 1;
	return 0;
}

int ports_has_tcp(const struct port_list *l, uint16_t port)
{
	return ports_in(l->tcp, l->n_tcp, port);
}

int ports_has_udp(const struct port_list *l, uint16_t port)
{
	return ports_in(l->udp, l->n_udp, port);
}

static int ports_number(const char *s, size_t n, long *out)
{
	char buf[8];

	if (n == 0 || n > 5 || strspn(s, "0123456789") < n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return util_parse_long(buf, 1, 65535, out);
}

/* One item "N", "N-M", optionally "/tcp" or "/udp"; udp in/out. */
static int ports_item(const char *item, size_t len, int *udp,
		      struct port_list *out)
{
	char buf[64];
	const char *dash, *slash;
	long lo, hi;
	size_t nlen;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, item, len);
	buf[len] = '\0';
	if (strncmp(buf, "T:", 2) == 0 || strncmp(buf, "U:", 2) == 0) {
		*udp = buf[0] == 'U';
		memmove(buf, buf + 2, len - 1);
	}
	int this_udp = *udp;

	slash = strchr(buf, '/');
	if (slash) {
		if (strcmp(slash, "/udp") == 0)
			this_udp = 1;
		else if (strcmp(slash, "/tcp") == 0)
			this_udp = 0;
		else
			return -1;
	}
	nlen = slash ? (size_t)(slash - buf) : strlen(buf);
	dash = memchr(buf, '-', nlen);
	if (dash) {
		if (ports_number(buf, (size_t)(dash - buf), &lo) < 0 ||
		    ports_number(dash + 1, nlen - (size_t)(dash - buf) - 1,
				 &hi) < 0 ||
		    hi < lo)
			return -1;
	} else {
		if (ports_number(buf, nlen, &lo) < 0)
			return -1;
		hi = lo;
	}
	for (; lo <= hi; lo++) {
		if (this_udp)
			ports_push(&out->udp, &out->n_udp, (uint16_t)lo);
		else
			ports_push(&out->tcp, &out->n_tcp, (uint16_t)lo);
	}
	return 0;
}

int ports_parse(const char *spec, struct port_list *out)
{
	const char *p = spec;
	int udp = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(spec) > PORTS_SPEC_MAX) {
		log_err("--ports: the list is longer than %d characters",
			PORTS_SPEC_MAX);
		return -1;
	}
	if (!*spec) {
		log_err("--ports: the list is empty");
		return -1;
	}
	for (;;) {
		size_t len = strcspn(p, ",");

		if (ports_item(p, len, &udp, out) < 0) {
			log_err("--ports: '%.*s' is not a port or span of "
				"ports "
				"(1-65535, e.g. 22, 1000-1100, 161/udp)",
				(int)(len > 64 ? 64 : len), p);
			ports_clear(out);
			return -1;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	ports_finish(out);
	return 0;
}

struct nmap_entry {
	double freq;
	uint16_t port;
};

static int nmap_entry_cmp(const void *a, const void *b)
{
	const struct nmap_entry *x = a, *y = b;

	if (x->freq != y->freq)
		return x->freq > y->freq ? -1 : 1;
	return (int)x->port - (int)y->port;
}

const char *ports_services_path(void)
{
	const char *env = getenv("NETCENSUS_NMAP_SERVICES");

	return env && *env ? env : PORTS_NMAP_SERVICES;
}

/* The TCP ports of nmap-services, most often open first (ties by port
 * number), at most TOP_MAX; 0, or -1 when the file cannot be read. Lines
 * are "name port/proto frequency [comment]"; anything else is skipped. */
static int ports_read_nmap(const char *path, uint16_t *top, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct nmap_entry *e = NULL;
	size_t ne = 0, cap = 0, i;
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128], proto[8];
		unsigned port;
		double freq;

		if (line[0] == '#' ||
		    sscanf(line, "%127s %u/%7s %lf", name, &port, proto,
			   &freq) != 4 ||
		    strcmp(proto, "tcp") != 0 || port == 0 || port > 65535 ||
		    !(freq > 0 && freq <= 1))
			continue;
		if (ne == cap) {
			cap = cap ? cap * 2 : 1024;
			e = xrealloc(e, cap * sizeof(*e));
		}
		e[ne].freq = freq;
		e[ne++].port = (uint16_t)port;
	}
	fclose(f);
	if (ne)
		qsort(e, ne, sizeof(*e), nmap_entry_cmp);
	for (i = 0; i < ne && i < TOP_MAX; i++)
		top[i] = e[i].port;
	*n = i;
	free(e);
	return 0;
}

int ports_add_top_tcp(struct port_list *out, size_t n)
{
	uint16_t top[TOP_MAX];
	const char *path = ports_services_path();
	size_t have = 0, i;

	if (n > TOP_MAX) {
		log_err("at most the top %d ports are known", TOP_MAX);
		return -1;
	}
	if (ports_read_nmap(path, top, &have) < 0) {
		log_err("port presets other than ultrafast need nmap's port "
			"frequency table %s, which cannot be read (%s): "
			"install the Debian package nmap-common, or use "
			"--preset ultrafast or --ports LIST",
			path, strerror(errno));
		return -1;
	}
	if (have < n) {
		log_err("%s lists only %zu TCP ports with a frequency; the "
			"preset needs %zu",
			path, have, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		ports_push(&out->tcp, &out->n_tcp, top[i]);
	ports_finish(out);
	return 0;
}

int ports_preset(const char *name, struct port_list *out)
{
	static const struct {
		const char *name;
		size_t top;
	} presets[] = {{"ultrafast", 0},
		       {"superfast", 10},
		       {"fast", 100},
		       {"medium", 1000}};
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		size_t k;

		if (strcmp(name, presets[i].name) != 0)
			continue;
		if (presets[i].top &&
		    ports_add_top_tcp(out, presets[i].top) < 0)
			return -1;
		for (k = 0; k < sizeof(ports_needed) / sizeof(ports_needed[0]);
		     k++)
			ports_push(&out->tcp, &out->n_tcp, ports_needed[k]);
		ports_push(&out->udp, &out->n_udp, 161);
		ports_finish(out);
		return 0;
	}
	log_err("--preset '%.32s': unknown; use ultrafast, superfast, fast or "
		"medium",
		name);
	return -1;
}
