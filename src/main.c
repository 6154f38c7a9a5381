/*
 * netcensus: network discovery and inventory audit.
 *
 * main() only dispatches to a subcommand; each lives in src/cli/.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"import", cmd_import,
	 "store Open-AudIT audit results or device reports"},
	{"devices", cmd_devices, "list stored devices"},
	{"device", cmd_device, "show one device with its components"},
	{"changes", cmd_changes, "show the change log"},
	{"admin", cmd_admin, "users, orgs, tokens, credentials, db check"},
	{"status", cmd_status, "create or open the database and summarise it"},
	{"audit", cmd_audit,
	 "audit this host (system, software, services, ...)"},
	{"discover", cmd_discover,
	 "find live hosts, ports, SNMP agents; print or store them"},
	{"serve", cmd_serve, "run the JSON API server and audit intake"},
	{"collector", cmd_collector,
	 "discover a remote site and report to a server over HTTPS"},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out,
		"usage: netcensus [-v|-q] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"netcensus tells you what is on your network, how each device "
		"is configured\nand when anything changes.\n\n"
		"Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
		"\n"
		"Every command takes --help. The database is ./netcensus.db "
		"unless --db PATH\nor the environment variable NETCENSUS_DB "
		"names another; its encryption key\nlives beside it in "
		"PATH.key (mode 0600).\n\n"
		"Example:\n"
		"  netcensus import audit-host1.xml audit-host2.json\n"
		"  netcensus devices\n");
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			log_set_level(LOG_DEBUG > log_get_level() + 1
					      ? log_get_level() + 1
					      : LOG_DEBUG);
		else if (!strcmp(argv[i], "-q"))
			log_set_level(LOG_ERR);
		else if (!strcmp(argv[i], "--version")) {
			printf("netcensus %s\n", NETCENSUS_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "netcensus: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			return c->run(argc - i, argv + i);
	fprintf(stderr,
		"netcensus: unknown command '%s'; run 'netcensus --help' for "
		"the list\n",
		argv[i]);
	return 2;
}
