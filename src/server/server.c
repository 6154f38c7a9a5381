/*
 * Configuration (file and defaults), the first admin, TLS set-up, and
 * server_run() tying them to the HTTP daemons in http.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "sched/sched.h"
#include "server/api_sched.h"
#include "server/assets.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_api.h"

#define CONFIG_MAX_BYTES (256 * 1024)
#define TLS_PEM_MAX (64 * 1024)

void server_config_init(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->intake_org = 1;
	cfg->threads = 4;
	cfg->request_timeout = 60;
	cfg->header_timeout = 10;
	cfg->max_conns = 1000;
	cfg->max_conns_ip = 200;
	cfg->body_buffer_mib = 256;
	cfg->discovery_workers = 1;
	cfg->lease_seconds = 60;
	cfg->db_wait = 60;
}

void server_config_free(struct server_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->db);
	free(cfg->data_dir);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->access_log);
	free(cfg->timezone);
	free(cfg->map_tiles);
	auth_sources_config_free(cfg->auth_sources);
	memset(cfg, 0, sizeof(*cfg));
}

int server_listen_parse(const char *s, struct server_listen *out,
			const char **why)
{
	const char *host, *colon;
	unsigned char buf[16];
	size_t hn;
	long port;

	memset(out, 0, sizeof(*out));
	out->tls = -1;
	if (!strncmp(s, "https://", 8)) {
		out->tls = 1;
		s += 8;
	} else if (!strncmp(s, "http://", 7)) {
		out->tls = 0;
		s += 7;
	}
	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			goto bad;
		host = s + 1;
		hn = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto bad;
		host = s;
		hn = (size_t)(colon - s);
	}
	if (!hn || hn >= sizeof(out->host))
		goto bad;
	memcpy(out->host, host, hn);
	out->host[hn] = '\0';
	if (util_parse_long(colon + 1, 1, 65535, &port) < 0) {
		*why = "the port must be a number from 1 to 65535";
		return -1;
	}
	out->port = (uint16_t)port;
	if (inet_pton(strchr(out->host, ':') ? AF_INET6 : AF_INET, out->host,
		      buf) != 1) {
		*why = "the address must be a numeric IPv4 or [IPv6] address";
		return -1;
	}
	return 0;
bad:
	*why = "expected ADDRESS:PORT, [IPv6]:PORT, optionally after "
	       "http:// or https://";
	return -1;
}

int server_net_parse(const char *s, struct server_net *out)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hn = slash ? (size_t)(slash - s) : strlen(s);
	long prefix;

	memset(out, 0, sizeof(*out));
	if (!hn || hn >= sizeof(host))
		return -1;
	memcpy(host, s, hn);
	host[hn] = '\0';
	out->family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, host, out->addr) != 1)
		return -1;
	prefix = out->family == AF_INET ? 32 : 128;
	if (slash && util_parse_long(slash + 1, 0, prefix, &prefix) < 0)
		return -1;
	out->prefix = (int)prefix;
	return 0;
}

static int net_match(const struct server_net *n, const unsigned char *a)
{
	int full = n->prefix / 8, rest = n->prefix % 8;

	if (memcmp(n->addr, a, (size_t)full))
		return 0;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((n->addr[full] & mask) != (a[full] & mask))
			return 0;
	}
	return 1;
}

void server_net_format(const struct server_net *net, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(net->family, net->addr, a, sizeof(a)))
		a[0] = '\0';
	snprintf(buf, len, "%s/%d", a, net->prefix);
}

int server_net_contains(const struct server_net *nets, int n, const char *addr)
{
	unsigned char a[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET, i;

	if (inet_pton(fam, addr, a) != 1)
		return 0;
	for (i = 0; i < n; i++)
		if (nets[i].family == fam && net_match(&nets[i], a))
			return 1;
	return 0;
}

static char *config_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int config_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int config_allow(struct server_config *cfg, const char *v,
			const char **why)
{
	char item[80];
	const char *p = v;

	while (*p) {
		size_t n = strcspn(p, ", \t");

		if (n) {
			if (n >= sizeof(item) ||
			    cfg->nintake_allow >= SERVER_MAX_ALLOW) {
				*why = "too many or too long networks";
				return -1;
			}
			memcpy(item, p, n);
			item[n] = '\0';
			if (server_net_parse(
				    item,
				    &cfg->intake_allow[cfg->nintake_allow]) <
			    0) {
				*why = "expected networks like "
				       "198.18.0.0/15, 127.0.0.1/32";
				return -1;
			}
			cfg->nintake_allow++;
		}
		p += n;
		p += strspn(p, ", \t");
	}
	return 0;
}

/* A setting that is a bounded integer. */
struct config_int {
	const char *key;
	int *slot;
	long min, max;
	const char *why;
};

/* Fills out with the integer setting k of cfg. 0, or -1 when k is none. */
static int config_int_find(struct server_config *cfg, const char *k,
			   struct config_int *out)
{
	const struct config_int all[] = {
		{"request_timeout", &cfg->request_timeout, 1, 3600,
		 "expected seconds, 1 to 3600"},
		{"header_timeout", &cfg->header_timeout, 1, 3600,
		 "expected seconds, 1 to 3600"},
		{"max_connections", &cfg->max_conns, 16, 100000,
		 "expected 16 to 100000"},
		{"max_connections_per_ip", &cfg->max_conns_ip, 2, 100000,
		 "expected 2 to 100000"},
		{"body_buffer_max", &cfg->body_buffer_mib, 65, 1048576,
		 "expected MiB, 65 to 1048576 (more than one 64 MiB "
		 "audit)"},
		{"discovery_workers", &cfg->discovery_workers, 0,
		 RUNNER_MAX_WORKERS, "expected 0 to 4"},
		{"lease_seconds", &cfg->lease_seconds, 2, 3600,
		 "expected seconds, 2 to 3600"},
		{"db_wait", &cfg->db_wait, 0, 86400,
		 "expected seconds, 0 to 86400"},
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i].key, k)) {
			*out = all[i];
			return 0;
		}
	return -1;
}

int server_config_set(struct server_config *cfg, const char *k, const char *v,
		      const char **why)
{
	struct config_int ci;
	long n;

	*why = NULL;
	if (!strcmp(k, "listen")) {
		if (cfg->nlisten >= SERVER_MAX_LISTEN) {
			*why = "too many listen lines";
			return -1;
		}
		return server_listen_parse(v, &cfg->listen[cfg->nlisten++],
					   why);
	}
	if (!strcmp(k, "intake_allow"))
		return config_allow(cfg, v, why);
	if (!strncmp(k, "ldap.", 5)) /* directory sign-in: api_sched.h */
		return auth_sources_config_set(&cfg->auth_sources, k + 5, v,
					       why);
	if (!strcmp(k, "tls_self_signed") ||
	    !strcmp(k, "collector_plain_http")) {
		*why = "expected yes or no";
		return config_bool(v, !strcmp(k, "tls_self_signed")
					      ? &cfg->tls_self_signed
					      : &cfg->collector_plain_http);
	}
	if (!strcmp(k, "intake_org") || !strcmp(k, "threads")) {
		if (util_parse_long(v, 1,
				    !strcmp(k, "threads") ? 64 : INT32_MAX,
				    &n) < 0) {
			*why = "expected a positive integer";
			return -1;
		}
		if (!strcmp(k, "threads"))
			cfg->threads = (int)n;
		else
			cfg->intake_org = n;
		return 0;
	}
	if (!strcmp(k, "map_tiles")) {
		char origin[256];

		if (server_map_origin(v, origin, sizeof(origin), why) < 0)
			return -1;
	}
	if (config_int_find(cfg, k, &ci) == 0) {
		if (util_parse_long(v, ci.min, ci.max, &n) < 0) {
			*why = ci.why;
			return -1;
		}
		*ci.slot = (int)n;
		return 0;
	}
	{
		char **slot = !strcmp(k, "db")		 ? &cfg->db
			      : !strcmp(k, "data")	 ? &cfg->data_dir
			      : !strcmp(k, "tls_cert")	 ? &cfg->tls_cert
			      : !strcmp(k, "tls_key")	 ? &cfg->tls_key
			      : !strcmp(k, "access_log") ? &cfg->access_log
			      : !strcmp(k, "timezone")	 ? &cfg->timezone
			      : !strcmp(k, "map_tiles")	 ? &cfg->map_tiles
							 : NULL;
		if (!slot) {
			*why = "unknown setting (listen, db, data, tls_cert, "
			       "tls_key, tls_self_signed, intake_allow, "
			       "intake_org, threads, access_log, "
			       "request_timeout, header_timeout, "
			       "max_connections, max_connections_per_ip, "
			       "body_buffer_max, discovery_workers, "
			       "lease_seconds, db_wait, collector_plain_http, "
			       "timezone, "
			       "map_tiles, "
			       "ldap.NAME.KEY)";
			return -1;
		}
		free(*slot);
		*slot = xstrdup(v);
	}
	return 0;
}

int server_map_origin(const char *tiles, char *out, size_t len,
		      const char **why)
{
	const char *host, *end;
	size_t n;
	int wild;

	*why = "expected none, or an http:// or https:// URL with {z}, {x} "
	       "and {y} (and {s} only as the first label of the host), "
	       "e.g. " SERVER_MAP_TILES;
	if (!strcmp(tiles, "none")) {
		snprintf(out, len, "%s", "");
		return 0;
	}
	if (strlen(tiles) > 500 || !strstr(tiles, "{z}") ||
	    !strstr(tiles, "{x}") || !strstr(tiles, "{y}") ||
	    strpbrk(tiles, " \t\r\n\"';,<>\\"))
		return -1;
	if (!strncmp(tiles, "https://", 8))
		host = tiles + 8;
	else if (!strncmp(tiles, "http://", 7))
		host = tiles + 7;
	else
		return -1;
	end = host + strcspn(host, "/");
	n = (size_t)(end - host);
	if (!n || *end != '/')
		return -1;
	/* {s}.tile.example.org: any subdomain of the rest */
	wild = n > 4 && !strncmp(host, "{s}.", 4);
	if (wild) {
		host += 4;
		n -= 4;
	}
	if (strspn(host, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") < n)
		return -1;
	snprintf(out, len, "%.*s%s%.*s", (int)(host - tiles - (wild ? 4 : 0)),
		 tiles, wild ? "*." : "", (int)n, host);
	return 0;
}

int server_config_load(struct server_config *cfg, const char *path)
{
	const char *why = NULL;
	size_t len;
	char *text = util_read_file(path, CONFIG_MAX_BYTES, &len, &why);
	char *line, *next;
	int lineno = 0, rc = 0;

	if (!text) {
		fprintf(stderr, "netcensus: %s: %s\n", path, why);
		return -1;
	}
	for (line = text; line; line = next) {
		char *eq, *k, *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "#")] = '\0';
		k = config_trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			fprintf(stderr,
				"netcensus: %s:%d: expected "
				"key = value\n",
				path, lineno);
			rc = -1;
			continue;
		}
		*eq = '\0';
		k = config_trim(k);
		v = config_trim(eq + 1);
		if (server_config_set(cfg, k, v, &why) < 0) {
			fprintf(stderr, "netcensus: %s:%d: %s: %s\n", path,
				lineno, k, why ? why : "bad value");
			rc = -1;
		}
	}
	free(text);
	return rc;
}

void server_config_finish(struct server_config *cfg)
{
	int i, tls = cfg->tls_self_signed || cfg->tls_cert;

	if (!cfg->nlisten) {
		snprintf(cfg->listen[0].host, sizeof(cfg->listen[0].host),
			 "127.0.0.1");
		cfg->listen[0].port = 8080;
		cfg->listen[0].tls = -1;
		cfg->nlisten = 1;
	}
	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].tls < 0)
			cfg->listen[i].tls = tls;
	if (!cfg->db)
		cfg->db = xstrdup(store_default_path(NULL));
	if (!cfg->data_dir) {
		const char *p = cfg->db;
		const char *slash;

		if (!strncmp(p, "sqlite:", 7))
			p += 7;
		/* a database URL (postgresql://) names no folder here */
		slash = strstr(p, "://") ? NULL : strrchr(p, '/');
		cfg->data_dir =
			slash ? xstrndup(p, (size_t)(slash - p + (slash == p)))
			      : xstrdup(".");
	}
}

static int server_tls_any(const struct server_config *cfg)
{
	int i;

	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].tls > 0)
			return 1;
	return 0;
}

int server_config_check(const struct server_config *cfg)
{
	struct stat sb;

	if (cfg->tls_self_signed && (cfg->tls_cert || cfg->tls_key)) {
		log_err("give either --tls-cert/--tls-key or "
			"--tls-self-signed, not both");
		return -1;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		log_err("--tls-cert and --tls-key go together");
		return -1;
	}
	if (server_tls_any(cfg) && !cfg->tls_cert && !cfg->tls_self_signed) {
		log_err("an https listener needs --tls-cert and --tls-key, "
			"or --tls-self-signed");
		return -1;
	}
	if (cfg->tls_cert &&
	    tls_check_pair_files(cfg->tls_cert, cfg->tls_key) < 0)
		return -1;
	if (stat(cfg->data_dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_err("data directory %s does not exist", cfg->data_dir);
		return -1;
	}
	if (auth_sources_config_check(cfg->auth_sources) < 0 ||
	    sched_set_timezone(cfg->timezone) < 0)
		return -1;
	return 0;
}

/* The database at start: store_open(), tried again while the database
 * cannot be reached (a PostgreSQL starting with the machine, or
 * restarting) for up to cfg->db_wait seconds; NULL then, or at once on
 * any other failure (logged). */
static struct store *server_open_db(const struct server_config *cfg)
{
	time_t until = time(NULL) + cfg->db_wait;
	unsigned pause = 1;
	struct store *st;
	char *shown;

	while (!(st = store_open(cfg->db)) && store_open_unavailable()) {
		shown = store_url_shown(cfg->db);
		if (time(NULL) >= until) {
			log_err("database %s is unavailable: start it (or fix "
				"--db), or let serve wait longer for it with "
				"--db-wait SECONDS (waited %d s)",
				shown, cfg->db_wait);
			free(shown);
			return NULL;
		}
		log_warn("database %s is unavailable: waiting for the "
			 "database (%lld s more; --db-wait)",
			 shown, (long long)(until - time(NULL)));
		free(shown);
		sleep(pause);
		pause = pause < 4 ? pause * 2 : 5;
	}
	return st;
}

/* Creates user admin with a random password when there are no users. */
static int server_first_admin(struct store *st)
{
	unsigned char raw[18];
	char pw[32];
	int64_t n = 0;

	if (store_api_user_count(st, &n) < 0)
		return -1;
	if (n > 0)
		return 0;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (store_user_add(st, "admin", "admin", 1, pw) < 0)
		return -1;
	fprintf(stderr,
		"netcensus: created the first user: admin / %s\n"
		"netcensus: this password is shown only once; change it with "
		"'netcensus admin user passwd admin'\n",
		pw);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

/* The scheduler's hook: a task queued a discovery run. */
static void server_run_queued(void *ud)
{
	runner_wake();
}

int server_run(const struct server_config *cfg)
{
	static const struct sched_hooks sched_hooks = {server_run_queued, NULL};
	struct server_state srv;
	struct store *st = NULL;
	struct sched *sched = NULL;
	char *cert_path = NULL, *key_path = NULL, *cert = NULL, *key = NULL;
	const char *why;
	size_t len;
	int rc = -1;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	if (server_config_check(cfg) < 0 || auth_init() < 0)
		goto out;
	{
		char origin[256];

		if (server_map_origin(cfg->map_tiles ? cfg->map_tiles
						     : SERVER_MAP_TILES,
				      origin, sizeof(origin), &why) < 0) {
			log_err("map_tiles: %s", why);
			goto out;
		}
		assets_set_map_origin(origin);
	}
	st = server_open_db(cfg);
	if (!st || store_api_tune(st) < 0 || server_first_admin(st) < 0 ||
	    auth_sources_config_apply(st, cfg->auth_sources) < 0)
		goto out;
	if (server_tls_any(cfg)) {
		if (cfg->tls_cert) {
			cert_path = xstrdup(cfg->tls_cert);
			key_path = xstrdup(cfg->tls_key);
		} else if (tls_self_signed(cfg->data_dir, &cert_path,
					   &key_path) < 0) {
			goto out;
		}
		cert = util_read_file(cert_path, TLS_PEM_MAX, &len, &why);
		key = cert ? util_read_file(key_path, TLS_PEM_MAX, &len, &why)
			   : NULL;
		if (!key) {
			log_err("%s: %s", cert ? key_path : cert_path, why);
			goto out;
		}
	}
	if (cfg->nintake_allow == 0)
		log_info("Open-AudIT intake needs a token unless networks "
			 "are allowed under Administration > Audit intake "
			 "(no intake_allow in the config)");
	if (metrics_access_open(cfg->access_log) < 0)
		goto out;
	sched = sched_start(cfg->db, &sched_hooks);
	rc = http_serve(&srv, cert, key);
	sched_stop(sched);
	metrics_access_close();
out:
	if (key)
		sodium_memzero(key, strlen(key));
	free(key);
	free(cert);
	free(cert_path);
	free(key_path);
	store_close(st);
	auth_cleanup();
	return rc;
}
