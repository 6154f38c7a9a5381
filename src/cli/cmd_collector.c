/*
 * collector: `netcensus collector --server URL --token TOKEN ...` - a
 * long-running discovery agent for a remote site (collector/collector.h,
 * docs/collectors.md). This file reads the options, checks them before
 * anything is sent, installs the stop signals and runs the collector.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "collector/collector.h"
#include "collector/spool.h"
#include "core/log.h"
#include "core/util.h"

#define COLL_DEFAULT_SPOOL "/var/lib/netcensus/collector-spool"
#define COLL_TOKEN_MAX 256

static const char collector_usage[] =
	"usage: netcensus collector --server URL (--token TOKEN | "
	"--token-file FILE)\n"
	"         [--spool DIR] [--ca FILE] [--pin sha256//HASH] "
	"[--insecure-http]\n"
	"         [--name NAME] [--subnets CIDRS] [--spool-max N] [--poll "
	"S]\n"
	"         [--retry-max S] [--once]\n"
	"\n"
	"Runs discovery at a site the server cannot reach, and reports to "
	"the server.\n"
	"Connections go from the collector to the server only, over HTTPS. "
	"The\n"
	"collector registers (name, version, host, the subnets it serves), "
	"asks for\n"
	"the discoveries assigned to it (PATCH /api/v1/discoveries/ID "
	"{\"collector\":\n"
	"\"NAME\"}), runs each with the same engine as 'netcensus "
	"discover', writes\n"
	"every device it finds to its spool at once (one fsynced file per "
	"report)\n"
	"and uploads the spool, deleting a file only when the server has "
	"stored it.\n"
	"When the server is away the spool waits; when the collector is "
	"killed, the\n"
	"next start uploads what was spooled and reports the run "
	"interrupted.\n"
	"Credentials come with each job and stay in memory; the spool holds "
	"results.\n"
	"\n"
	"  --server URL      the server, https://HOST[:PORT]\n"
	"  --token TOKEN     an API token of a user with the collector role\n"
	"  --token-file FILE read the token from FILE (keeps it out of ps); "
	"or set\n"
	"                    NETCENSUS_TOKEN\n"
	"  --spool DIR       the spool (default " COLL_DEFAULT_SPOOL
	", made 0700)\n"
	"  --ca FILE         trust the CA certificates in FILE (PEM) instead "
	"of the\n"
	"                    system's; for a server with --tls-self-signed: "
	"its\n"
	"                    DATA/tls-self-signed.crt\n"
	"  --pin sha256//HASH  trust the server whose public key has this "
	"SHA-256\n"
	"                    (base64), whoever signed it. Get it on the "
	"server with\n"
	"                    openssl x509 -in CERT -pubkey -noout | openssl "
	"pkey -pubin\n"
	"                    -outform der | openssl dgst -sha256 -binary | "
	"base64\n"
	"  --insecure-http   allow an http:// server (results and the token "
	"in clear;\n"
	"                    the server hands out jobs over HTTP only with\n"
	"                    --collector-plain-http)\n"
	"  --name NAME       the collector's name at the server (default: "
	"host name)\n"
	"  --subnets CIDRS   the networks it serves, comma separated "
	"(default: those of\n"
	"                    its interfaces); a job with a target outside "
	"is refused\n"
	"                    before anything is sent\n"
	"  --spool-max N     device reports the spool holds at most (default "
	"100000);\n"
	"                    past it the oldest report of the same device is "
	"dropped\n"
	"                    first, then of a device with two, then the "
	"oldest (counted,\n"
	"                    logged and reported to the server)\n"
	"  --poll S          seconds between asking for jobs (default 10)\n"
	"  --retry-max S     longest wait between retries when the server "
	"does not\n"
	"                    answer (1, 2, 4 ... S seconds; default 60)\n"
	"  --once            upload what is in the spool and exit; take no "
	"job\n"
	"\n"
	"Exit status: 0 stopped (SIGTERM, SIGINT), 1 failure, 2 refused for "
	"good (wrong\n"
	"or revoked token, untrusted certificate, name taken, bad "
	"options).\n"
	"\n"
	"Example:\n"
	"  netcensus admin user add site-a --role collector\n"
	"  netcensus admin token create --user site-a > /etc/netcensus/"
	"collector.token\n"
	"  netcensus collector --server https://nc.example.org:8443 \\\n"
	"      --token-file /etc/netcensus/collector.token --ca "
	"/etc/netcensus/server.crt\n";

static volatile sig_atomic_t collector_stop;

static void collector_on_signal(int sig)
{
	(void)sig;
	collector_stop = 1;
}

/* The token from --token, --token-file or $NETCENSUS_TOKEN into buf. */
static int collector_token(const char *arg, const char *file, char *buf,
			   size_t len)
{
	const char *env = getenv("NETCENSUS_TOKEN"), *why = NULL;
	char *text = NULL;
	size_t n = 0;

	if (file) {
		text = util_read_file(file, COLL_TOKEN_MAX, &n, &why);
		if (!text) {
			fprintf(stderr,
				"netcensus: collector: --token-file %s: %s\n",
				file, why ? why : "cannot read it");
			return -1;
		}
		arg = text;
	} else if (!arg) {
		arg = env;
	}
	if (!arg || !*arg) {
		fprintf(stderr, "netcensus: collector: give --token, "
				"--token-file or NETCENSUS_TOKEN "
				"(see --help)\n");
		free(text);
		return -1;
	}
	n = strcspn(arg, "\r\n");
	if (n >= len || !n) {
		fprintf(stderr, "netcensus: collector: the token is empty or "
				"too long\n");
		free(text);
		return -1;
	}
	memcpy(buf, arg, n);
	buf[n] = '\0';
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	return 0;
}

/* Checks the URL's scheme and the trust options. 0 or -1 (printed). */
static int collector_check(const struct collector_opts *o)
{
	if (!o->server) {
		fprintf(stderr, "netcensus: collector: --server URL is "
				"required (see --help)\n");
		return -1;
	}
	if (!strncmp(o->server, "http://", 7) && !o->insecure_http) {
		fprintf(stderr,
			"netcensus: collector: %s is plain HTTP: the token and "
			"the results would travel in clear. Use https://, or "
			"add --insecure-http on a network you trust\n",
			o->server);
		return -1;
	}
	if (strncmp(o->server, "https://", 8) &&
	    strncmp(o->server, "http://", 7)) {
		fprintf(stderr,
			"netcensus: collector: --server %s: expected "
			"https://HOST[:PORT]\n",
			o->server);
		return -1;
	}
	if (o->pin && strncmp(o->pin, "sha256//", 8)) {
		fprintf(stderr, "netcensus: collector: --pin takes "
				"sha256//BASE64 (see --help)\n");
		return -1;
	}
	if (o->ca_file && access(o->ca_file, R_OK) < 0) {
		fprintf(stderr,
			"netcensus: collector: --ca %s: cannot read it\n",
			o->ca_file);
		return -1;
	}
	return 0;
}

int cmd_collector(int argc, char **argv)
{
	static const struct option opts[] = {
		{"server", required_argument, NULL, 's'},
		{"token", required_argument, NULL, 't'},
		{"token-file", required_argument, NULL, 'T'},
		{"spool", required_argument, NULL, 'S'},
		{"ca", required_argument, NULL, 'c'},
		{"pin", required_argument, NULL, 'p'},
		{"insecure-http", no_argument, NULL, 'I'},
		{"name", required_argument, NULL, 'n'},
		{"subnets", required_argument, NULL, 'N'},
		{"spool-max", required_argument, NULL, 'm'},
		{"poll", required_argument, NULL, 'P'},
		{"retry-max", required_argument, NULL, 'r'},
		{"once", no_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct collector_opts o;
	struct sigaction sa;
	const char *token_arg = NULL, *token_file = NULL;
	char token[COLL_TOKEN_MAX], host[256] = "";
	long v;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.spool_dir = COLL_DEFAULT_SPOOL;
	o.poll_s = 10;
	o.retry_max_s = 60;
	o.version = NETCENSUS_VERSION;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.server = optarg;
			break;
		case 't':
			token_arg = optarg;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'S':
			o.spool_dir = optarg;
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'p':
			o.pin = optarg;
			break;
		case 'I':
			o.insecure_http = 1;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'N':
			o.subnets = optarg;
			break;
		case 'o':
			o.once = 1;
			break;
		case 'm':
		case 'P':
		case 'r':
			if (util_parse_long(optarg, 1,
					    c == 'm' ? 100000000L : 86400L,
					    &v) < 0) {
				fprintf(stderr,
					"netcensus: collector: --%s takes a "
					"positive number\n",
					c == 'm'   ? "spool-max"
					: c == 'P' ? "poll"
						   : "retry-max");
				return CLI_USAGE;
			}
			if (c == 'm')
				o.spool_max = (size_t)v;
			else if (c == 'P')
				o.poll_s = (int)v;
			else
				o.retry_max_s = (int)v;
			break;
		case 'h':
			fputs(collector_usage, stdout);
			return CLI_OK;
		default:
			fputs(collector_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"netcensus: collector: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (collector_check(&o) < 0 ||
	    collector_token(token_arg, token_file, token, sizeof(token)) < 0)
		return CLI_USAGE;
	if (!o.name) {
		gethostname(host, sizeof(host) - 1);
		o.name = host[0] ? host : "collector";
	}
	o.token = token;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "netcensus: collector: cannot initialise "
				"libsodium or libcurl\n");
		return CLI_FAIL;
	}
	util_nofile_raise();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = collector_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	o.stop = &collector_stop;
	rc = collector_run(&o);
	sodium_memzero(token, sizeof(token));
	curl_global_cleanup();
	return rc;
}
