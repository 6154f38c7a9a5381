/*
 * discover: `netcensus discover [options] TARGET...` - a one-shot discovery
 * from the shell. Everything the user typed (targets, exclusions, ports,
 * credentials, the database) is checked before the first packet, so a
 * mistake costs an error message and nothing on the wire. Prints a table
 * of live hosts, or --json device reports; --db stores them and the
 * discovery log; --dry-run prints the plan and sends nothing.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_run.h"
#include "core/log.h"
#include "core/targets.h"
#include "core/util.h"
#include "discover/ad.h"
#include "discover/discover.h"
#include "discover/discover_def.h"
#include "probe/ports.h"
#include "probe/snmp_ping.h"
#include "store/store_discovery.h"
#include "store/store_discoveries.h"

#define DISC_COMMUNITIES_MAX 16
#define DISC_FILES_MAX 16

#define STR_(x) #x
#define STR(x) STR_(x)

/* clang-format off */
static const char discover_usage[] =
"usage: netcensus discover [OPTIONS] TARGET...\n"
"\n"
"Finds the live hosts among the targets (ARP/NDP on this host's own\n"
"subnets; elsewhere ICMP echo plus TCP connects to a few common ports, so\n"
"hosts that drop ping are found too), probes their ports, looks up their\n"
"DNS names, reads SNMP agents (v1, v2c, v3) and says what each device is.\n"
"Prints a table, or --json device reports; --db stores them. Nothing is\n"
"sent until every option and target has been checked.\n"
"\n"
"Targets: 10.0.0.5, 10.0.0.0/24, 10.0.0.10-10.0.0.50, 10.0.1-3.1-254,\n"
"2001:db8::/120, host names (resolved once, before anything is sent).\n"
"  --targets-file FILE   one target per line ('#' comments; '-' = stdin)\n"
"  --exclude TARGET      never send to these (repeatable)\n"
"  --exclude-file FILE   exclusions, one per line\n"
"  --max-targets N       refuse more addresses than N (default 65536)\n"
"\n"
"Pacing:\n"
"  --rate N              packets per second, every probe and retry counted\n"
"                        (default " STR(ENGINE_DEFAULT_RATE) "; 0 = no limit)\n"
"                        new addresses start evenly at rate / (packets per\n"
"                        address), 300/s by default\n"
"  --timeout MS          each attempt's wait for an answer (default " STR(ENGINE_DEFAULT_TIMEOUT_MS) ")\n"
"  --retries N           extra attempts after a timeout (default " STR(ENGINE_DEFAULT_RETRIES) ")\n"
"\n"
"Probes:\n"
"  --no-ping             treat every address as live (no host discovery)\n"
"  --no-arp              no ARP/NDP on directly connected subnets:\n"
"                        ICMP/TCP discovery there too\n"
"  --no-syn              probe TCP ports with full connects, not\n"
"                        half-open SYNs from a raw socket (the default\n"
"                        with CAP_NET_RAW; a port's service then never\n"
"                        accepts a connection only to be asked if it is\n"
"                        there)\n"
"  --discovery-ports L   TCP ports that prove a host is there (default\n"
"                        " ENGINE_DEFAULT_DISCOVERY_PORTS_TEXT "; 'none' = ICMP only)\n"
"  --ports LIST          ports to probe on live hosts: 22,80,1000-1100,\n"
"                        161/udp; 'none' = host discovery only\n"
"  --preset NAME         ultrafast (22,135,139,445,3389,62078 + 161/udp; the\n"
"                        default), superfast / fast / medium (top\n"
"                        10/100/1000 TCP ports + 161/udp; need nmap-common)\n"
"  --dns-server ADDR     reverse DNS through this server only\n"
"  --no-dns              no reverse DNS\n"
"\n"
"SNMP (on hosts when 161/udp is in the port list):\n"
"  --community NAME      an SNMP v1/v2c community (repeatable; default\n"
"                        'public' when no SNMP credential is given)\n"
"  --credentials FILE    a JSON array of credentials in Open-AudIT's types:\n"
"                        snmp, snmp_v3, ssh, ssh_key, windows, ldap (see\n"
"                        docs/discovery.md); checked strictly first\n"
"  --no-snmp             no SNMP at all\n"
"\n"
"SSH (hosts with an SSH port open, when ssh / ssh_key credentials are\n"
"given in --credentials or stored in --db): one login and one audit\n"
"per host, merged into its report (SSH facts win over SNMP's):\n"
"  --ssh-ports LIST      TCP ports to try SSH on, first open one wins\n"
"                        (default 22; added to the probed ports)\n"
"  --ssh-concurrency N   SSH audits at once (default " STR(DISCOVER_DEF_SSH_CONCURRENCY) ")\n"
"  --ssh-timeout MS      connect, banner, key exchange and each login\n"
"                        (default " STR(DISCOVER_DEF_SSH_TIMEOUT_MS) ")\n"
"  --ssh-command-timeout MS  the audit script (default " STR(DISCOVER_DEF_SSH_COMMAND_MS) ")\n"
"  --ssh-accept-changed-keys  audit a host whose key differs from the\n"
"                        one stored in --db (default: flag it in the\n"
"                        change log and send no credential)\n"
"  --no-ssh              no SSH at all\n"
"\n"
"Windows (hosts with 445, 139 or 3389/tcp open; no credentials,\n"
"docs/windows.md): NetBIOS node status, SMB dialect, signing, SMB1, RDP\n"
"security, and the names and OS version in the NTLMSSP challenge:\n"
"  --smb-timeout MS      the whole exchange per host (default " STR(DISCOVER_DEF_SMB_TIMEOUT_MS) ")\n"
"  --no-smb              no NetBIOS / SMB / RDP questions\n"
"  --windows-timeout MS  with windows credentials: the longest wait for\n"
"                        each RPC reading of a host's inventory (default\n"
"                        " STR(DISCOVER_DEF_WINRPC_CALL_MS) "; docs/windows.md)\n"
"  --no-windows-audit    no RPC inventory even with windows credentials\n"
"\n"
"Output:\n"
"  --json                a JSON array of device reports (as 'netcensus\n"
"                        device --json'), one per live host, each written\n"
"                        as soon as the host is done\n"
"  --jsonl               the same, one report per line (JSON lines)\n"
"  --db PATH             store the devices and the discovery log\n"
"  --dry-run             print the plan (addresses, probes, rate, ETA) and\n"
"                        send nothing; with --json, the run options as JSON\n"
"  --discovery ID        run the discovery definition stored in --db (made\n"
"                        through the API) as the server would; no targets\n"
"                        or probe options with it\n"
"  -h, --help            show this help\n"
"\n"
"A progress line is shown on stderr when it is a terminal. Ctrl-C stops\n"
"taking new addresses; hosts under way finish and are reported.\n"
"\n"
"Exit status: 0 done; 1 runtime failure or interrupted; 2 usage error\n"
"(bad option, target, port list or credentials file: nothing sent).\n"
"\n"
"Examples:\n"
"  netcensus discover 192.168.1.0/24\n"
"  netcensus discover --preset fast --community private 10.0.0.0/22\n"
"  netcensus discover --credentials creds.json --db inv.db 10.1.0.0/16\n"
"  netcensus discover --dry-run --rate 500 10.0.0.0/16\n";
/* clang-format on */

static const char discover_usage_ad[] =
	"\n"
	"Active Directory (instead of targets: read the domain controller):\n"
	"  netcensus discover --ad-server HOST --credentials FILE [--db PATH]\n"
	"  --ad-server HOST      its host name or address (LDAPS, 636), or\n"
	"                        ldaps://HOST[:PORT], or ldap://HOST[:PORT]\n"
	"                        (StartTLS); the certificate is always "
	"verified.\n"
	"                        Binds with the first ldap or windows\n"
	"                        credential of --credentials (or stored in\n"
	"                        --db); reads the computer objects into\n"
	"                        device reports and the sites' subnets into\n"
	"                        proposed discoveries (--db)\n"
	"  --ad-ca FILE          the CA certificate(s) the DC's certificate "
	"is\n"
	"                        checked against (default: the system's CAs)\n"
	"  --ad-base DN          read computers under DN only (default: the\n"
	"                        domain)\n"
	"  --ad-allow-plain      with ldap://, no StartTLS (the password "
	"crosses\n"
	"                        the network in clear; never the default)\n"
	"  --ad-subnets-enabled  proposed discoveries start enabled (default:\n"
	"                        disabled until an admin enables them)\n"
	"  --ad-deadline MS      every page of the read together (default "
	"300000);\n"
	"                        connect, StartTLS and bind: 10 s each\n"
	"See docs/active-directory.md.\n";

/* Printed after discover_usage (kept apart so the table above keeps its
 * layout). */
static const char discover_usage_seed[] =
	"\n"
	"Seed discovery (docs/discovery.md#seed-discovery):\n"
	"  --seed                add what each device knows - over SNMP its "
	"ARP and\n"
	"                        IPv6 neighbour tables, LLDP/CDP neighbours, "
	"routes\n"
	"                        (next hops, connected subnets up to /22 or "
	"IPv6\n"
	"                        /118); over SSH `ip neigh` and `ip route` - "
	"as more\n"
	"                        targets, in rounds, only inside the targets "
	"and\n"
	"                        --seed-scope, never excluded\n"
	"  --seed-scope LIST     more addresses seeds may go to (CIDRs, "
	"ranges;\n"
	"                        repeatable; needs --seed)\n"
	"  --seed-depth N        rounds after the first (1-8, default " STR(
		DISCOVER_DEF_SEED_DEPTH) ")\n";

enum {
	OPT_TARGETS_FILE = 256,
	OPT_EXCLUDE,
	OPT_EXCLUDE_FILE,
	OPT_MAX_TARGETS,
	OPT_RATE,
	OPT_RETRIES,
	OPT_TIMEOUT,
	OPT_PORTS,
	OPT_PRESET,
	OPT_NO_PING,
	OPT_NO_ARP,
	OPT_NO_SYN,
	OPT_DISC_PORTS,
	OPT_DNS_SERVER,
	OPT_NO_DNS,
	OPT_COMMUNITY,
	OPT_CREDENTIALS,
	OPT_NO_SNMP,
	OPT_JSON,
	OPT_JSONL,
	OPT_DB,
	OPT_DRY_RUN,
	OPT_SSH_PORTS,
	OPT_SSH_CONCURRENCY,
	OPT_SSH_TIMEOUT,
	OPT_SSH_COMMAND_TIMEOUT,
	OPT_SSH_ACCEPT,
	OPT_NO_SSH,
	OPT_NO_SMB,
	OPT_SMB_TIMEOUT,
	OPT_NO_WINRPC,
	OPT_WINRPC_TIMEOUT,
	OPT_DISCOVERY,
	OPT_AD_SERVER,
	OPT_AD_CA,
	OPT_AD_BASE,
	OPT_AD_PLAIN,
	OPT_AD_SUBNETS,
	OPT_AD_DEADLINE,
	OPT_SEED,
	OPT_SEED_SCOPE,
	OPT_SEED_DEPTH,
};

struct dopts {
	const char *targets_files[DISC_FILES_MAX];
	int n_targets_files;
	const char *excludes[DISC_FILES_MAX * 4];
	int n_excludes;
	const char *exclude_files[DISC_FILES_MAX];
	int n_exclude_files;
	long max_targets, rate, retries, timeout;
	const char *ports, *preset, *disc_ports, *dns_server, *credentials;
	const char *db;
	const char *communities[DISC_COMMUNITIES_MAX];
	int n_communities;
	int no_ping, no_arp, no_syn, no_dns, no_snmp, json, jsonl, dry_run;
	const char *ssh_ports;
	long ssh_concurrency, ssh_timeout, ssh_command_timeout;
	int ssh_accept, no_ssh;
	int no_smb;
	long smb_timeout;
	int no_winrpc;
	long winrpc_timeout;
	long discovery; /* --discovery ID: a stored definition */
	const char *ad_server, *ad_ca, *ad_base;
	int ad_plain, ad_subnets;
	long ad_deadline;
	int seed;
	long seed_depth;
	const char *seed_scopes[DISC_FILES_MAX * 4];
	int n_seed_scopes;
	int shaped; /* flags that shape the run were given */
};

static int dopt_num(const char *opt, const char *v, long min, long max,
		    long *out)
{
	if (util_parse_long(v, min, max, out) < 0)
		return cli_usage_error("discover",
				       "%s '%.32s': give a whole "
				       "number from %ld to %ld",
				       opt, v, min, max);
	return -1;
}

/* A flag for the definition's integer option name: the API's range
 * (discover_def_range()), so both refuse the same values. */
static int dopt_def(const char *opt, const char *name, const char *v, long *out)
{
	long min = 0, max = -1;

	if (discover_def_range(name, &min, &max) < 0)
		return cli_usage_error("discover", "%s: no option %s", opt,
				       name);
	return dopt_num(opt, v, min, max, out);
}

static int dopt_push(const char **v, int *n, int max, const char *opt,
		     const char *val)
{
	if (*n >= max)
		return cli_usage_error("discover", "%s: at most %d times", opt,
				       max);
	v[(*n)++] = val;
	return -1;
}

/* -1 to go on, or the exit code. */
static int discover_parse(int argc, char **argv, struct dopts *o)
{
	static const struct option longopts[] = {
		{"targets-file", required_argument, NULL, OPT_TARGETS_FILE},
		{"exclude", required_argument, NULL, OPT_EXCLUDE},
		{"exclude-file", required_argument, NULL, OPT_EXCLUDE_FILE},
		{"max-targets", required_argument, NULL, OPT_MAX_TARGETS},
		{"rate", required_argument, NULL, OPT_RATE},
		{"retries", required_argument, NULL, OPT_RETRIES},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"ports", required_argument, NULL, OPT_PORTS},
		{"preset", required_argument, NULL, OPT_PRESET},
		{"no-ping", no_argument, NULL, OPT_NO_PING},
		{"no-arp", no_argument, NULL, OPT_NO_ARP},
		{"no-syn", no_argument, NULL, OPT_NO_SYN},
		{"discovery-ports", required_argument, NULL, OPT_DISC_PORTS},
		{"dns-server", required_argument, NULL, OPT_DNS_SERVER},
		{"no-dns", no_argument, NULL, OPT_NO_DNS},
		{"community", required_argument, NULL, OPT_COMMUNITY},
		{"credentials", required_argument, NULL, OPT_CREDENTIALS},
		{"no-snmp", no_argument, NULL, OPT_NO_SNMP},
		{"json", no_argument, NULL, OPT_JSON},
		{"jsonl", no_argument, NULL, OPT_JSONL},
		{"db", required_argument, NULL, OPT_DB},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"ssh-ports", required_argument, NULL, OPT_SSH_PORTS},
		{"ssh-concurrency", required_argument, NULL,
		 OPT_SSH_CONCURRENCY},
		{"ssh-timeout", required_argument, NULL, OPT_SSH_TIMEOUT},
		{"ssh-command-timeout", required_argument, NULL,
		 OPT_SSH_COMMAND_TIMEOUT},
		{"ssh-accept-changed-keys", no_argument, NULL, OPT_SSH_ACCEPT},
		{"no-ssh", no_argument, NULL, OPT_NO_SSH},
		{"no-smb", no_argument, NULL, OPT_NO_SMB},
		{"smb-timeout", required_argument, NULL, OPT_SMB_TIMEOUT},
		{"no-windows-audit", no_argument, NULL, OPT_NO_WINRPC},
		{"windows-timeout", required_argument, NULL,
		 OPT_WINRPC_TIMEOUT},
		{"discovery", required_argument, NULL, OPT_DISCOVERY},
		{"ad-server", required_argument, NULL, OPT_AD_SERVER},
		{"ad-ca", required_argument, NULL, OPT_AD_CA},
		{"ad-base", required_argument, NULL, OPT_AD_BASE},
		{"ad-allow-plain", no_argument, NULL, OPT_AD_PLAIN},
		{"ad-subnets-enabled", no_argument, NULL, OPT_AD_SUBNETS},
		{"ad-deadline", required_argument, NULL, OPT_AD_DEADLINE},
		{"seed", no_argument, NULL, OPT_SEED},
		{"seed-scope", required_argument, NULL, OPT_SEED_SCOPE},
		{"seed-depth", required_argument, NULL, OPT_SEED_DEPTH},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc = -1;

	memset(o, 0, sizeof(*o));
	o->max_targets = TARGETS_DEFAULT_MAX;
	o->rate = ENGINE_DEFAULT_RATE;
	o->retries = ENGINE_DEFAULT_RETRIES;
	o->timeout = ENGINE_DEFAULT_TIMEOUT_MS;
	optind = 1;
	opterr = 0;
	while (rc < 0 &&
	       (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c != OPT_JSON && c != OPT_JSONL && c != OPT_DB &&
		    c != OPT_DRY_RUN && c != OPT_DISCOVERY)
			o->shaped = 1;
		switch (c) {
		case 'h':
			fputs(discover_usage, stdout);
			fputs(discover_usage_ad, stdout);
			fputs(discover_usage_seed, stdout);
			return CLI_OK;
		case OPT_TARGETS_FILE:
			rc = dopt_push(o->targets_files, &o->n_targets_files,
				       DISC_FILES_MAX, "--targets-file",
				       optarg);
			break;
		case OPT_EXCLUDE:
			rc = dopt_push(o->excludes, &o->n_excludes,
				       DISC_FILES_MAX * 4, "--exclude", optarg);
			break;
		case OPT_EXCLUDE_FILE:
			rc = dopt_push(o->exclude_files, &o->n_exclude_files,
				       DISC_FILES_MAX, "--exclude-file",
				       optarg);
			break;
		case OPT_MAX_TARGETS:
			rc = dopt_def("--max-targets", "max_targets", optarg,
				      &o->max_targets);
			break;
		case OPT_RATE:
			rc = dopt_def("--rate", "rate", optarg, &o->rate);
			break;
		case OPT_RETRIES:
			rc = dopt_def("--retries", "retries", optarg,
				      &o->retries);
			break;
		case OPT_TIMEOUT:
			rc = dopt_def("--timeout", "timeout_ms", optarg,
				      &o->timeout);
			break;
		case OPT_PORTS:
			o->ports = optarg;
			break;
		case OPT_PRESET:
			o->preset = optarg;
			break;
		case OPT_NO_PING:
			o->no_ping = 1;
			break;
		case OPT_NO_ARP:
			o->no_arp = 1;
			break;
		case OPT_NO_SYN:
			o->no_syn = 1;
			break;
		case OPT_DISC_PORTS:
			o->disc_ports = optarg;
			break;
		case OPT_DNS_SERVER:
			o->dns_server = optarg;
			break;
		case OPT_NO_DNS:
			o->no_dns = 1;
			break;
		case OPT_COMMUNITY:
			if (!*optarg)
				return cli_usage_error("discover",
						       "--community: empty");
			rc = dopt_push(o->communities, &o->n_communities,
				       DISC_COMMUNITIES_MAX, "--community",
				       optarg);
			break;
		case OPT_CREDENTIALS:
			o->credentials = optarg;
			break;
		case OPT_NO_SNMP:
			o->no_snmp = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_JSONL:
			o->jsonl = 1;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_SSH_PORTS:
			o->ssh_ports = optarg;
			break;
		case OPT_SSH_CONCURRENCY:
			rc = dopt_def("--ssh-concurrency", "ssh_concurrency",
				      optarg, &o->ssh_concurrency);
			break;
		case OPT_SSH_TIMEOUT:
			rc = dopt_def("--ssh-timeout", "ssh_timeout_ms", optarg,
				      &o->ssh_timeout);
			break;
		case OPT_SSH_COMMAND_TIMEOUT:
			rc = dopt_def("--ssh-command-timeout",
				      "ssh_command_timeout_ms", optarg,
				      &o->ssh_command_timeout);
			break;
		case OPT_SSH_ACCEPT:
			o->ssh_accept = 1;
			break;
		case OPT_NO_SSH:
			o->no_ssh = 1;
			break;
		case OPT_NO_SMB:
			o->no_smb = 1;
			break;
		case OPT_SMB_TIMEOUT:
			rc = dopt_def("--smb-timeout", "smb_timeout_ms", optarg,
				      &o->smb_timeout);
			break;
		case OPT_NO_WINRPC:
			o->no_winrpc = 1;
			break;
		case OPT_WINRPC_TIMEOUT:
			rc = dopt_def("--windows-timeout", "winrpc_timeout_ms",
				      optarg, &o->winrpc_timeout);
			break;
		case OPT_DISCOVERY:
			rc = dopt_num("--discovery", optarg, 1, LONG_MAX,
				      &o->discovery);
			break;
		case OPT_AD_SERVER:
			o->ad_server = optarg;
			break;
		case OPT_AD_CA:
			o->ad_ca = optarg;
			break;
		case OPT_AD_BASE:
			o->ad_base = optarg;
			break;
		case OPT_AD_PLAIN:
			o->ad_plain = 1;
			break;
		case OPT_AD_SUBNETS:
			o->ad_subnets = 1;
			break;
		case OPT_AD_DEADLINE:
			rc = dopt_def("--ad-deadline", "ad_deadline_ms", optarg,
				      &o->ad_deadline);
			break;
		case OPT_SEED:
			o->seed = 1;
			break;
		case OPT_SEED_SCOPE:
			rc = dopt_push(o->seed_scopes, &o->n_seed_scopes,
				       DISC_FILES_MAX * 4, "--seed-scope",
				       optarg);
			break;
		case OPT_SEED_DEPTH:
			rc = dopt_def("--seed-depth", "seed_depth", optarg,
				      &o->seed_depth);
			break;
		default:
			return cli_bad_option("discover", c, argv);
		}
	}
	if (rc >= 0)
		return rc;
	if (o->ports && o->preset)
		return cli_usage_error("discover",
				       "give --ports or --preset, not both");
	if (o->json && o->jsonl)
		return cli_usage_error("discover",
				       "give --json or --jsonl, not both");
	if (o->discovery) {
		if (!o->db)
			return cli_usage_error("discover",
					       "--discovery needs --db");
		if (o->shaped || optind < argc)
			return cli_usage_error(
				"discover",
				"--discovery runs the stored definition as "
				"it is: give no targets or probe options "
				"(change it through the API)");
		return -1;
	}
	if (o->ad_server) {
		if (optind < argc || o->n_targets_files)
			return cli_usage_error(
				"discover",
				"--ad-server reads the directory: give no "
				"targets with it");
		return -1;
	}
	if (o->ad_ca || o->ad_base || o->ad_plain || o->ad_subnets ||
	    o->ad_deadline)
		return cli_usage_error("discover",
				       "the --ad-* options need --ad-server");
	if (optind >= argc && o->n_targets_files == 0)
		return cli_usage_error("discover", "no targets given");
	return -1;
}

/* Applies --exclude and --exclude-file to t and finishes it; 0 or -1
 * (logged). */
static int discover_excludes(const struct dopts *o, struct targets *t)
{
	int i;

	for (i = 0; i < o->n_excludes; i++)
		if (targets_exclude(t, o->excludes[i]) < 0)
			return -1;
	for (i = 0; i < o->n_exclude_files; i++)
		if (targets_add_file(t, o->exclude_files[i], 1) < 0)
			return -1;
	return targets_finish(t);
}

/* Builds the target set; NULL after printing why (nothing was sent). */
static struct targets *discover_targets(const struct dopts *o, int argc,
					char **argv, int first)
{
	/* a dry run resolves no names: that would send DNS queries */
	struct targets *t = targets_new((uint64_t)o->max_targets,
					o->dry_run ? 0 : TARGETS_RESOLVE);
	int i;

	for (i = first; i < argc; i++)
		if (targets_add(t, argv[i]) < 0)
			goto fail;
	for (i = 0; i < o->n_targets_files; i++)
		if (targets_add_file(t, o->targets_files[i], 0) < 0)
			goto fail;
	if (discover_excludes(o, t) < 0)
		goto fail;
	return t;
fail:
	targets_free(t);
	return NULL;
}

/* The --seed-scope set with the exclusions; NULL when none was given or
 * after printing why. */
static struct targets *discover_seed_scope(const struct dopts *o, int *bad)
{
	/* a scope bounds where seeds may go, so it may be wide */
	struct targets *t = targets_new(1ull << 32, 0);
	char tok[TARGETS_TOKEN_MAX + 1];
	int i;

	*bad = 0;
	if (!o->n_seed_scopes)
		goto none;
	for (i = 0; i < o->n_seed_scopes; i++) {
		const char *p = o->seed_scopes[i];

		while (*p) {
			size_t n = strcspn(p, ", ");

			if (n > TARGETS_TOKEN_MAX)
				n = TARGETS_TOKEN_MAX;
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (n && targets_add(t, tok) < 0)
				goto fail;
			p += n;
			p += strspn(p, ", ");
		}
	}
	if (discover_excludes(o, t) < 0)
		goto fail;
	return t;
fail:
	*bad = 1;
none:
	targets_free(t);
	return NULL;
}

static void discover_print_list(const char *label, const uint16_t *v, size_t n)
{
	size_t i;

	printf("%s", label);
	for (i = 0; i < n && i < 20; i++)
		printf("%s%u", i ? "," : "", v[i]);
	if (n > 20)
		printf(",... (%zu in all)", n);
}

static size_t discover_ssh_count(json_t *creds)
{
	return discover_credentials_count(creds, "ssh") +
	       discover_credentials_count(creds, "ssh_key");
}

static void discover_print_plan(const struct discover_opts *d,
				const struct port_list *pl,
				const struct targets *t, json_t *creds)
{
	struct engine_plan p;
	unsigned snmp_q = d->snmp ? snmp_ping_questions(creds) : 0;
	double live_s;

	engine_plan_targets(&d->engine, t, &p);
	printf("netcensus discover: dry run - nothing is sent\n");
	printf("addresses        %llu (in %zu ranges)\n",
	       (unsigned long long)p.addresses, targets_range_count(t));
	if (d->engine.no_ping) {
		printf("host discovery   none (--no-ping): every address is "
		       "treated as live\n");
	} else {
		if (p.link_addresses)
			printf("host discovery   %llu addresses on this host's "
			       "subnets: 1 ARP/NDP request each (needs "
			       "CAP_NET_RAW); the other ",
			       (unsigned long long)p.link_addresses);
		else
			printf("host discovery   ");
		printf("%llu probes per address: %s",
		       (unsigned long long)p.probes_per_address,
		       d->engine.no_icmp ? "" : "ICMP echo");
		if (d->engine.n_discovery_ports)
			discover_print_list(d->engine.no_icmp ? "TCP "
							      : " + TCP ",
					    d->engine.discovery_ports,
					    d->engine.n_discovery_ports);
		printf("\n");
	}
	printf("port probes      %zu TCP per live host", pl->n_tcp);
	if (pl->n_tcp)
		discover_print_list(": ", pl->tcp, pl->n_tcp);
	printf("\n");
	printf("TCP probes       %s\n",
	       d->engine.syn ? "half-open SYNs (needs CAP_NET_RAW; full "
			       "connects without it)"
			     : "full connects (--no-syn)");
	if (d->snmp)
		printf("SNMP             161/udp check: %u datagrams per live "
		       "host (%zu community, %zu v3 credentials); agents that "
		       "answer are read\n",
		       snmp_q, discover_credentials_count(creds, "snmp"),
		       discover_credentials_count(creds, "snmp_v3"));
	else
		printf("SNMP             off\n");
	if (d->n_ssh_ports && discover_ssh_count(creds))
		printf("SSH              %zu credentials, up to %u audits at "
		       "once, %d ms per step\n",
		       discover_ssh_count(creds),
		       d->engine.pool.kind_cap[POOL_SSH], d->ssh_timeout_ms);
	else
		printf("SSH              off (no ssh / ssh_key credential in "
		       "--credentials)\n");
	if (d->no_smb)
		printf("Windows          off (--no-smb)\n");
	else
		printf("Windows          hosts with 445, 139 or 3389/tcp open: "
		       "NetBIOS, SMB, RDP\n"
		       "                 (up to %u at once, %d ms each)\n",
		       d->engine.pool.kind_cap[POOL_WIN], d->smb_timeout_ms);
	if (!d->no_winrpc && discover_credentials_count(creds, "windows"))
		printf("Windows RPC      %zu windows credentials on hosts with "
		       "445/tcp open,\n"
		       "                 up to %u at once, %d ms per reading\n",
		       discover_credentials_count(creds, "windows"),
		       d->engine.pool.kind_cap[POOL_WINRPC], d->winrpc_call_ms);
	printf("reverse DNS      %s\n",
	       !d->engine.dns	      ? "off"
	       : d->engine.dns_server ? d->engine.dns_server
				      : "system resolver (/etc/resolv.conf)");
	printf("rate             %llu packets/s%s, timeout %u ms, retries "
	       "%u\n",
	       (unsigned long long)d->engine.rate,
	       d->engine.rate ? "" : " (no limit)", d->engine.timeout_ms,
	       d->engine.retries);
	printf("packets          at most %llu if nothing answers, plus %llu "
	       "per live host\n",
	       (unsigned long long)p.packets_max,
	       (unsigned long long)((p.port_probes_per_live + snmp_q) *
				    (d->engine.retries + 1)));
	live_s = d->engine.rate ? (double)((p.port_probes_per_live + snmp_q) *
					   (d->engine.retries + 1)) /
					  (double)d->engine.rate
				: 0;
	printf("ETA              at most %.1f s if nothing answers, plus "
	       "%.3f s per live host\n",
	       p.seconds_max, live_s);
}

/* The credentials: the file's, then --community ones, else "public". */
static json_t *discover_creds(const struct dopts *o)
{
	json_t *creds;
	int i;

	creds = o->credentials ? discover_credentials_load(o->credentials)
			       : json_array();
	if (!creds)
		return NULL;
	for (i = 0; i < o->n_communities; i++)
		discover_credentials_add_community(creds, o->communities[i],
						   i + 1);
	if (discover_credentials_count(creds, "snmp") +
		    discover_credentials_count(creds, "snmp_v3") ==
	    0)
		json_array_append_new(creds,
				      json_pack("{ssssss}", "type", "snmp",
						"name", "default public",
						"community", "public"));
	return creds;
}

/* Adds the ids of the SSH and windows credentials (ad: the windows and ldap
 * ones) stored in the database (org Default) to the definition; 0 or -1
 * (logged). */
static int discover_creds_stored(struct store *st, json_t *def, int ad)
{
	json_t *list = store_credential_list(st), *c;
	json_t *ids = json_object_get(def, "credentials");
	size_t i;

	if (!list)
		return -1;
	json_array_foreach(list, i, c) {
		const char *t = cli_str(c, "type");

		if (ad ? strcmp(t, "windows") != 0 && strcmp(t, "ldap") != 0
		       : strcmp(t, "ssh") != 0 && strcmp(t, "ssh_key") != 0 &&
				    strcmp(t, "windows") != 0)
			continue;
		if (json_integer_value(json_object_get(c, "org_id")) != 1)
			continue;
		json_array_append(ids, json_object_get(c, "id"));
	}
	json_decref(list);
	return 0;
}

/* The --ad-* flags into a definition's options. */
static void discover_def_ad_flags(const struct dopts *o, json_t *opt)
{
	const char *texts[][2] = {{"ad_server", o->ad_server},
				  {"ad_ca", o->ad_ca},
				  {"ad_base", o->ad_base}};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i][1])
			json_object_set_new(opt, texts[i][0],
					    json_string(texts[i][1]));
	json_object_set_new(opt, "ad_allow_plain", json_boolean(o->ad_plain));
	json_object_set_new(opt, "ad_subnets_enabled",
			    json_boolean(o->ad_subnets));
	if (o->ad_deadline)
		json_object_set_new(opt, "ad_deadline_ms",
				    json_integer(o->ad_deadline));
}

/* The definition the flags describe (discover_def.h), for org Default.
 * The targets are built apart: names resolved, files read. */
static json_t *discover_def_flags(const struct dopts *o)
{
	json_t *opt = json_pack(
		"{sIsIsIsIsbsbsbsbsbsbsbsbsb}", "rate", (json_int_t)o->rate,
		"timeout_ms", (json_int_t)o->timeout, "retries",
		(json_int_t)o->retries, "max_targets",
		(json_int_t)o->max_targets, "no_ping", o->no_ping, "arp",
		!o->no_arp, "dns", !o->no_dns, "snmp", !o->no_snmp, "ssh",
		!o->no_ssh, "ssh_accept_changed_keys", o->ssh_accept, "smb",
		!o->no_smb, "winrpc", !o->no_winrpc, "syn", !o->no_syn);
	/* the ones not given are left to the definition's defaults
	 * (DISCOVER_DEF_*), as an API definition leaves them */
	const struct {
		const char *name;
		long v;
	} nums[] = {{"ssh_concurrency", o->ssh_concurrency},
		    {"ssh_timeout_ms", o->ssh_timeout},
		    {"ssh_command_timeout_ms", o->ssh_command_timeout},
		    {"smb_timeout_ms", o->smb_timeout},
		    {"winrpc_timeout_ms", o->winrpc_timeout}};
	const char *texts[][2] = {{"ports", o->ports},
				  {"preset", o->preset},
				  {"discovery_ports", o->disc_ports},
				  {"dns_server", o->dns_server},
				  {"ssh_ports", o->ssh_ports}};
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (nums[i].v)
			json_object_set_new(opt, nums[i].name,
					    json_integer(nums[i].v));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i][1])
			json_object_set_new(opt, texts[i][0],
					    json_string(texts[i][1]));
	if (o->ad_server)
		discover_def_ad_flags(o, opt);
	if (o->seed) {
		json_object_set_new(opt, "seed", json_true());
		if (o->seed_depth)
			json_object_set_new(opt, "seed_depth",
					    json_integer(o->seed_depth));
	}
	return json_pack("{sos[]si}", "options", opt, "credentials", "org_id",
			 1);
}

static void discover_creds_free(json_t *creds)
{
	store_credential_wipe(creds);
	json_decref(creds);
}

static void discover_print_summary(const struct discover_result *res)
{
	fprintf(stderr,
		"netcensus discover: %llu of %llu addresses done, %llu alive, "
		"%llu packets in %.1f s%s\n",
		(unsigned long long)res->progress.done,
		(unsigned long long)res->progress.total,
		(unsigned long long)res->progress.alive,
		(unsigned long long)res->progress.packets,
		res->progress.elapsed_s, res->stopped ? " (interrupted)" : "");
}

/* An Active Directory run (--ad-server, or a stored definition with
 * ad_server): its reports to stdout and, with st, the store. The exit
 * code. */
static int discover_ad(const struct dopts *o, const struct discover_setup *s,
		       struct store *st)
{
	struct cli_out out;
	struct discover_sink sink;
	struct ad_result res;
	int64_t run_id = 0;
	char why[512] = "";
	int code = CLI_OK;

	if (o->dry_run) {
		json_t *plan = discover_setup_json(s);

		code = cli_json_print(plan) < 0 ? CLI_FAIL : CLI_OK;
		json_decref(plan);
		return code;
	}
	if (st && store_discovery_run_start(st, o->discovery, 0, &run_id) < 0)
		return CLI_FAIL;
	memset(&out, 0, sizeof(out));
	out.format = o->jsonl  ? CLI_OUT_JSONL
		     : o->json ? CLI_OUT_JSON
			       : CLI_OUT_TABLE;
	cli_out_sink(&out, &sink);
	if (ad_run(s, st, run_id, &sink, 1, &res, why, sizeof(why)) < 0) {
		log_err("Active Directory: %s", why);
		code = CLI_FAIL;
	}
	if (cli_out_finish(&out) < 0)
		code = CLI_FAIL;
	if (code == CLI_OK)
		fprintf(stderr,
			"netcensus discover: Active Directory: %ld "
			"computers (%ld skipped, %ld values dropped), %zu "
			"subnets, %ld pages in %.1f s\n",
			res.computers, res.skipped, res.dropped,
			json_array_size(res.subnets), res.pages, res.read_s);
	ad_result_free(&res);
	return code;
}

/* The run's definition, targets and inline credentials from the flags;
 * the exit code, or -1 to go on. Nothing is sent before the options are
 * checked (names in the targets are resolved here). */
static int discover_from_flags(const struct dopts *o, int argc, char **argv,
			       json_t **def, struct targets **t, json_t **creds)
{
	const char *field;
	char why[512];

	*def = discover_def_flags(o);
	if (discover_def_check_options(json_object_get(*def, "options"), &field,
				       why, sizeof(why)) < 0) {
		log_err("%s", why);
		return CLI_USAGE;
	}
	if (o->ad_server) { /* no targets, no SNMP default */
		*creds = o->credentials
				 ? discover_credentials_load(o->credentials)
				 : json_array();
		return *creds ? -1 : CLI_USAGE;
	}
	*t = discover_targets(o, argc, argv, optind);
	if (!*t)
		return CLI_USAGE;
	*creds = discover_creds(o);
	return *creds ? -1 : CLI_USAGE;
}

int cmd_discover(int argc, char **argv)
{
	struct dopts o;
	struct discover_setup s;
	struct discover_def_in in;
	struct discover_result res;
	struct discover_store_sink ss;
	struct discover_sink sinks[2];
	struct cli_out out;
	struct cli_term term;
	size_t n_sinks = 0;
	struct targets *t = NULL, *scope = NULL;
	struct store *st = NULL;
	json_t *creds = NULL, *def = NULL;
	int64_t run_id = 0;
	char why[512] = "";
	int rc, found = 0, bad = 0, code = CLI_FAIL;

	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	memset(&out, 0, sizeof(out));
	memset(&term, 0, sizeof(term));
	rc = discover_parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	/* everything the user gave is checked before anything is sent */
	if (!o.discovery) {
		code = discover_from_flags(&o, argc, argv, &def, &t, &creds);
		if (code >= 0)
			goto out_nothing;
		code = CLI_USAGE;
		if (o.n_seed_scopes && !o.seed) {
			log_err("--seed-scope needs --seed");
			goto out_nothing;
		}
		scope = discover_seed_scope(&o, &bad);
		if (bad)
			goto out_nothing;
		code = CLI_FAIL;
	}
	if (o.db) {
		st = cli_store_open(o.db);
		if (!st)
			goto out_nothing;
		if (o.discovery) {
			def = store_discodef_get(st, o.discovery, &found);
			if (!def) {
				log_err("--discovery %ld: %s", o.discovery,
					found ? "cannot be read"
					      : "no such discovery in --db");
				goto out_nothing;
			}
		} else if ((o.ad_server || !o.no_ssh) &&
			   discover_creds_stored(st, def, !!o.ad_server) < 0) {
			goto out_nothing;
		}
	}
	memset(&in, 0, sizeof(in));
	in.def = def;
	in.st = st;
	in.targets = t;
	in.credentials = creds;
	in.seed_scope = scope;
	if (discover_setup_build(&in, &s, why, sizeof(why)) < 0) {
		log_err("%s", why);
		code = CLI_USAGE;
		goto out_nothing;
	}
	discover_setup_log(&s, 0);
	if (s.is_ad) {
		code = discover_ad(&o, &s, st);
		goto out;
	}
	if (o.dry_run) {
		json_t *plan = o.json ? discover_setup_json(&s) : NULL;

		code = CLI_OK;
		if (!o.json)
			discover_print_plan(&s.opts, &s.ports, s.targets,
					    s.credentials);
		else if (cli_json_print(plan) < 0)
			code = CLI_FAIL;
		json_decref(plan);
		goto out;
	}
	if (st && store_discovery_run_start(st, o.discovery,
					    (int64_t)targets_count(s.targets),
					    &run_id) < 0)
		goto out_nothing;
	/* the sinks: the store first (intake may complete a report), then
	 * stdout */
	if (st) {
		memset(&ss, 0, sizeof(ss));
		ss.st = st;
		ss.run_id = run_id;
		ss.org_id = s.org_id;
		discover_sink_store(&ss, &sinks[n_sinks++]);
	}
	out.format = o.jsonl  ? CLI_OUT_JSONL
		     : o.json ? CLI_OUT_JSON
			      : CLI_OUT_TABLE;
	cli_out_sink(&out, &sinks[n_sinks++]);
	s.opts.sinks = sinks;
	s.opts.n_sinks = n_sinks;
	term.progress = isatty(STDERR_FILENO) && log_get_level() >= LOG_WARN;
	util_nofile_raise(); /* the engine's sockets */
	s.opts.engine_hook = cli_term_hook;
	s.opts.engine_hook_ud = &term;
	if (discover_run(&s.opts, s.targets, &res) < 0) {
		if (st)
			store_discovery_run_finish(
				st, run_id, "failed",
				&(struct store_discovery_counts){0, 0, 0, 0},
				"the discovery could not run");
		cli_out_finish(&out);
		goto out;
	}
	code = CLI_OK;
	if (st && discover_store_finish(&ss, &res) < 0)
		code = CLI_FAIL;
	if (cli_out_finish(&out) < 0 || res.sink_failed)
		code = CLI_FAIL;
	discover_print_summary(&res);
	if (res.stopped)
		code = CLI_FAIL;
	goto out;
out_nothing:
	fprintf(stderr, "netcensus discover: nothing was sent\n");
out:
	discover_setup_free(&s);
	discover_creds_free(creds);
	json_decref(def);
	store_close(st);
	targets_free(t);
	targets_free(scope);
	return code;
}
