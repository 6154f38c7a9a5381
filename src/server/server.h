/*
 * server: `netcensus serve` — the HTTP/HTTPS JSON API, sessions and tokens,
 * and the intake endpoints, on libmicrohttpd.
 *
 * server_run() opens the store, makes sure an admin exists (printing a
 * generated password once when it had to create one), starts one
 * libmicrohttpd daemon per listener with a small thread pool, and blocks
 * until SIGTERM or SIGINT. Then it stops accepting, lets requests in
 * flight finish (up to SERVER_DRAIN_SECONDS), interrupts an intake still
 * being stored, and returns (or exits at once when that intake does not
 * return: it was never acknowledged). Each pool thread has its own store
 * handle; writes are serialised by one mutex so SQLite never sees two
 * writers. The configuration is owned by the caller.
 */
#ifndef NC_SERVER_H
#define NC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#define SERVER_MAX_LISTEN 8
#define SERVER_MAX_ALLOW 64
#define SERVER_DRAIN_SECONDS 3 /* then a running intake is interrupted */

struct server_listen {
	char host[64]; /* numeric address: "127.0.0.1", "::1", "0.0.0.0" */
	uint16_t port;
	int tls; /* 1: https, 0: http, -1: https when TLS is set up */
};

struct server_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix;
};

struct server_config {
	struct server_listen listen[SERVER_MAX_LISTEN];
	int nlisten;
	char *db;	/* store URL (owned) */
	char *data_dir; /* where generated files go (owned) */
	char *tls_cert; /* PEM files (owned), or NULL */
	char *tls_key;
	int tls_self_signed;
	struct server_net intake_allow[SERVER_MAX_ALLOW];
	int nintake_allow;
	int64_t intake_org;    /* org for allow-listed intakes (default 1) */
	int threads;	       /* pool size per listener */
	char *access_log;      /* access-log file, "-" for stderr (owned) */
	int request_timeout;   /* seconds a connection may stay idle */
	int header_timeout;    /* seconds to send a request's head */
	int max_conns;	       /* connections at once, all clients */
	int max_conns_ip;      /* connections at once from one address */
	int body_buffer_mib;   /* request bodies held in memory, all together */
	int discovery_workers; /* discovery runs at once (0: none run) */
	int lease_seconds; /* a claimed run's lease (store_discorun_claim) */
	int db_wait;	   /* seconds serve waits at start for its database */
	int collector_plain_http; /* collectors' jobs (with credentials)
				   * over plain HTTP too */
	char *timezone;		  /* schedules' zone (owned); NULL: UTC */
	char *map_tiles;    /* the Locations map's tile URL template (owned);
			     * NULL: SERVER_MAP_TILES; "none": no tiles */
	void *auth_sources; /* ldap.NAME.KEY lines: a json_t (owned;
			     * server/api_sched.h) */
};

#define SERVER_MAP_TILES "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

/* The origin of a map tile URL template into out (scheme and host, the
 * host's first label a "*" wildcard when it is {s}), for the page's
 * Content-Security-Policy; "" for "none". 0, or -1 with *why when the template
 * is not an http(s) URL with {z}, {x} and {y} and a plain host. */
int server_map_origin(const char *tiles, char *out, size_t len,
		      const char **why);

/* Defaults: 127.0.0.1:8080, ./netcensus.db, 4 threads, a 60 s request
 * timeout, a 10 s header timeout, 1000 connections (200 per address),
 * 256 MiB of buffered bodies, one discovery worker, no access log. */
void server_config_init(struct server_config *cfg);
void server_config_free(struct server_config *cfg);

/* "ADDR:PORT", "[V6]:PORT", optionally prefixed "http://" or "https://"
 * (out->tls = -1 when neither is given). 0 or -1 with *why. */
int server_listen_parse(const char *s, struct server_listen *out,
			const char **why);
/* "198.18.0.0/15", "127.0.0.1", "::1/128". 0 or -1. */
int server_net_parse(const char *s, struct server_net *out);
/* Writes net as "ADDR/PREFIX" into buf. */
void server_net_format(const struct server_net *net, char *buf, size_t len);
/* 1 when the numeric address addr lies in one of nets. */
int server_net_contains(const struct server_net *nets, int n, const char *addr);

/* Applies one setting of the config file (key as there). 0, or -1 with
 * *why saying what is wrong. */
int server_config_set(struct server_config *cfg, const char *key,
		      const char *value, const char **why);

/* Reads a "key = value" file (listen, db, data, tls_cert, tls_key,
 * tls_self_signed, intake_allow, intake_org, threads, access_log,
 * request_timeout, header_timeout, max_connections,
 * max_connections_per_ip, body_buffer_max, discovery_workers,
 * map_tiles; '#' comments) into
 * cfg. 0, or -1 after printing "FILE:LINE: what is wrong". */
int server_config_load(struct server_config *cfg, const char *path);

/* Fills what is still unset: the default listener, the data directory
 * (beside the database), and whether unprefixed listeners use TLS (yes
 * when a certificate or --tls-self-signed is given). */
void server_config_finish(struct server_config *cfg);

/* Checks cfg (files readable, TLS consistent) without starting. 0 or -1. */
int server_config_check(const struct server_config *cfg);

/* Runs the server until SIGTERM/SIGINT. 0 after a clean stop, -1 when it
 * could not start. */
int server_run(const struct server_config *cfg);

#endif
