/*
 * netcensus serve: reads the configuration (file, then flags, which win)
 * and runs the server; -n only checks it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"
#include "server/server.h"
#include "store/store.h"

#define SERVE_DEFAULT_CONFIG "/etc/netcensus/netcensus.conf"

static void serve_usage(FILE *out)
{
	fprintf(out,
		"usage: netcensus serve [-n] [--listen [https://]ADDR:PORT]... "
		"[--db PATH]\n"
		"         [--data DIR] [--config FILE] [--tls-cert FILE "
		"--tls-key FILE | --tls-self-signed]\n"
		"         [--intake-allow NETS] [--threads N] "
		"[--access-log FILE|-]\n"
		"         [--request-timeout SECONDS] "
		"[--header-timeout SECONDS]\n"
		"         [--max-connections N] [--max-connections-per-ip N] "
		"[--body-buffer-max MIB]\n"
		"         [--discovery-workers N] [--lease-seconds S] "
		"[--db-wait S]\n"
		"         [--collector-plain-http]\n"
		"\n"
		"Runs the JSON API (and the Open-AudIT intake paths) until "
		"SIGTERM or SIGINT.\n"
		"\n"
		"  --listen ADDR:PORT  listen here (repeatable; default "
		"127.0.0.1:8080);\n"
		"                      https:// or http:// forces the "
		"scheme, otherwise TLS is\n"
		"                      used when a certificate is "
		"configured\n"
		"  --tls-cert/--tls-key PEM files for HTTPS\n"
		"  --tls-self-signed   make (once) and use "
		"DATA/tls-self-signed.{crt,key}\n"
		"  --db PATH           the database (default $NETCENSUS_DB "
		"or ./netcensus.db)\n"
		"  --data DIR          where generated files go (default: "
		"beside the database)\n"
		"  --config FILE       key = value settings (default %s when "
		"present):\n"
		"                      listen, db, data, tls_cert, tls_key, "
		"tls_self_signed,\n"
		"                      intake_allow, intake_org, threads, "
		"access_log,\n"
		"                      request_timeout, header_timeout, "
		"max_connections,\n"
		"                      max_connections_per_ip, "
		"body_buffer_max,\n"
		"                      discovery_workers, lease_seconds, "
		"db_wait,\n"
		"                      collector_plain_http, timezone,\n"
		"                      map_tiles, ldap.NAME.KEY\n"
		"  --intake-allow NETS networks allowed to post Open-AudIT "
		"audits without ?token=\n"
		"                      (e.g. 198.18.0.0/15,127.0.0.1/32); "
		"closed by default\n"
		"  --threads N         worker threads per listener "
		"(default 4)\n"
		"  --access-log FILE   one line per request (- for "
		"stderr); none by default\n"
		"  --request-timeout S close connections idle for S "
		"seconds (default 60)\n"
		"  --header-timeout S  close connections that have not sent "
		"a request's head\n"
		"                      within S seconds (default 10)\n"
		"  --max-connections N at most N connections (default "
		"1000); past it, or past\n"
		"  --max-connections-per-ip N  N from one address "
		"(default 200), a new\n"
		"                      connection closes the oldest one "
		"still sending its head\n"
		"  --body-buffer-max MIB  request bodies held in memory, "
		"all together (default\n"
		"                      256); past it a request gets 503\n"
		"  --discovery-workers N  discovery runs at once (0-4, "
		"default 1)\n"
		"  --lease-seconds S   a discovery run this server takes is "
		"leased to it for S\n"
		"                      seconds, renewed while it runs; when "
		"the server dies,\n"
		"                      another server on the database marks "
		"it interrupted once\n"
		"                      the lease runs out (default 60)\n"
		"  --db-wait S         at start, wait up to S seconds for a "
		"database that cannot\n"
		"                      be reached (PostgreSQL starting), "
		"then exit 1 (default 60;\n"
		"                      0: exit at once)\n"
		"  --collector-plain-http  hand collectors their jobs (which "
		"carry credentials)\n"
		"                      over plain HTTP too; without it only "
		"over HTTPS\n"
		"                      (docs/collectors.md)\n"
		"  -n                  check the configuration and exit\n"
		"\n"
		"On first start with no users, user 'admin' is created and its "
		"password printed\nonce on stderr.\n"
		"\n"
		"Example:\n"
		"  netcensus serve --listen 0.0.0.0:8443 --tls-self-signed\n",
		SERVE_DEFAULT_CONFIG);
}

/* The --config value, scanned before the real parse so flags can win. */
static const char *serve_config_path(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
	}
	return access(SERVE_DEFAULT_CONFIG, R_OK) == 0 ? SERVE_DEFAULT_CONFIG
						       : NULL;
}

/* The config file's key for the option letter c. */
static const char *serve_key(int c)
{
	switch (c) {
	case 'A':
		return "access_log";
	case 'T':
		return "request_timeout";
	case 'H':
		return "header_timeout";
	case 'M':
		return "max_connections";
	case 'I':
		return "max_connections_per_ip";
	case 'B':
		return "body_buffer_max";
	case 'L':
		return "lease_seconds";
	case 'w':
		return "db_wait";
	default:
		return "discovery_workers";
	}
}

static void serve_replace(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'k'},
		{"tls-self-signed", no_argument, NULL, 's'},
		{"db", required_argument, NULL, 'd'},
		{"data", required_argument, NULL, 'D'},
		{"config", required_argument, NULL, 'C'},
		{"intake-allow", required_argument, NULL, 'a'},
		{"threads", required_argument, NULL, 't'},
		{"access-log", required_argument, NULL, 'A'},
		{"request-timeout", required_argument, NULL, 'T'},
		{"discovery-workers", required_argument, NULL, 'W'},
		{"lease-seconds", required_argument, NULL, 'L'},
		{"db-wait", required_argument, NULL, 'w'},
		{"header-timeout", required_argument, NULL, 'H'},
		{"max-connections", required_argument, NULL, 'M'},
		{"max-connections-per-ip", required_argument, NULL, 'I'},
		{"body-buffer-max", required_argument, NULL, 'B'},
		{"collector-plain-http", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct server_config cfg;
	const char *conf = serve_config_path(argc, argv), *why = NULL;
	int check_only = 0, flag_listens = 0, flag_allows = 0, c, rc = 2, i;
	long n;

	server_config_init(&cfg);
	if (conf && server_config_load(&cfg, conf) < 0)
		goto out;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (!flag_listens++)
				cfg.nlisten = 0;
			if (cfg.nlisten >= SERVER_MAX_LISTEN ||
			    server_listen_parse(optarg,
						&cfg.listen[cfg.nlisten],
						&why) < 0) {
				fprintf(stderr,
					"netcensus: serve: --listen %s: %s\n",
					optarg,
					why ? why : "too many listeners");
				goto out;
			}
			cfg.nlisten++;
			break;
		case 'c':
			serve_replace(&cfg.tls_cert, optarg);
			break;
		case 'k':
			serve_replace(&cfg.tls_key, optarg);
			break;
		case 's':
			cfg.tls_self_signed = 1;
			break;
		case 'P':
			cfg.collector_plain_http = 1;
			break;
		case 'd':
			serve_replace(&cfg.db, optarg);
			break;
		case 'D':
			serve_replace(&cfg.data_dir, optarg);
			break;
		case 'C':
			break;
		case 'a':
			if (!flag_allows++)
				cfg.nintake_allow = 0;
			if (server_config_set(&cfg, "intake_allow", optarg,
					      &why) < 0) {
				fprintf(stderr,
					"netcensus: serve: --intake-allow %s: "
					"%s\n",
					optarg, why);
				goto out;
			}
			break;
		case 't':
			if (util_parse_long(optarg, 1, 64, &n) < 0) {
				fprintf(stderr, "netcensus: serve: --threads "
						"takes 1 to 64\n");
				goto out;
			}
			cfg.threads = (int)n;
			break;
		case 'A':
		case 'T':
		case 'W':
		case 'L':
		case 'w':
		case 'H':
		case 'M':
		case 'I':
		case 'B':
			if (server_config_set(&cfg, serve_key(c), optarg,
					      &why) < 0) {
				fprintf(stderr, "netcensus: serve: %s %s: %s\n",
					serve_key(c), optarg, why);
				goto out;
			}
			break;
		case 'n':
			check_only = 1;
			break;
		case 'h':
			serve_usage(stdout);
			rc = 0;
			goto out;
		default:
			serve_usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netcensus: serve: unexpected argument '%s'\n",
			argv[optind]);
		goto out;
	}
	if (!cfg.db)
		cfg.db = xstrdup(store_default_path(NULL));
	server_config_finish(&cfg);
	if (server_config_check(&cfg) < 0) {
		rc = 1;
		goto out;
	}
	if (check_only) {
		printf("configuration ok: database %s, data %s\n", cfg.db,
		       cfg.data_dir);
		for (i = 0; i < cfg.nlisten; i++)
			printf("listen %s://%s%s%s:%u\n",
			       cfg.listen[i].tls ? "https" : "http",
			       strchr(cfg.listen[i].host, ':') ? "[" : "",
			       cfg.listen[i].host,
			       strchr(cfg.listen[i].host, ':') ? "]" : "",
			       cfg.listen[i].port);
		printf("Open-AudIT intake: %s\n",
		       cfg.nintake_allow ? "?token= or intake_allow networks"
					 : "?token= only");
		rc = 0;
		goto out;
	}
	/* discoveries hold many sockets at once */
	util_nofile_raise();
	rc = server_run(&cfg) < 0 ? 1 : 0;
out:
	server_config_free(&cfg);
	return rc;
}
