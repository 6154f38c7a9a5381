/*
 * status: creates or opens the database (and its key file), then says
 * where it is, which schema it has, what it holds and what to do next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"

static const char status_usage[] =
	"usage: netcensus status [--db PATH|URL]\n"
	"\n"
	"Creates the database and its key file when they do not exist yet\n"
	"(applying any pending schema migrations), then prints where they\n"
	"are, the schema version, how many devices, components and changes\n"
	"are stored, and what to do next.\n"
	"\n"
	"Options:\n"
	"  --db PATH    the database (default: $NETCENSUS_DB, else "
	"./netcensus.db):\n"
	"               a SQLite file, or a postgresql:// URL "
	"(docs/server.md)\n"
	"  -h, --help   show this help\n"
	"\n"
	"Example:\n"
	"  netcensus status --db /var/lib/netcensus/netcensus.db\n";

static long long count(json_t *counts, const char *name)
{
	return (long long)json_integer_value(json_object_get(counts, name));
}

int cmd_status(int argc, char **argv)
{
	struct cli_opts o;
	struct store *st;
	const char *path, *kf;
	char *shown;
	json_t *counts;
	int rc;

	rc = cli_parse("status", argc, argv, CLI_OPT_DB, status_usage, &o);
	if (rc >= 0)
		return rc;
	if (o.first_arg < argc)
		return cli_usage_error("status", "unexpected argument '%s'",
				       argv[o.first_arg]);
	path = store_default_path(o.db);
	st = store_open(path);
	if (!st)
		return CLI_FAIL;
	counts = store_counts(st);
	if (!counts) {
		store_close(st);
		return CLI_FAIL;
	}
	/* a URL's password is never printed */
	shown = store_url_shown(path);
	printf("database:       %s\n", shown);
	free(shown);
	if (strstr(path, "://") && (kf = strstr(path, "keyfile=")))
		printf("key file:       %.*s\n", (int)strcspn(kf + 8, "&"),
		       kf + 8);
	else if (strstr(path, "://"))
		printf("key file:       none (add keyfile=PATH to the URL to "
		       "store credentials)\n");
	else
		printf("key file:       %s.key\n", path);
	printf("schema version: %d (this netcensus writes %d)\n"
	       "devices:        %lld\n"
	       "components:     %lld (%lld current)\n"
	       "changes:        %lld\n"
	       "imports:        %lld\n"
	       "orgs:           %lld\n"
	       "users:          %lld\n",
	       store_db_version(st), store_schema_version(),
	       count(counts, "devices"), count(counts, "components"),
	       count(counts, "components_current"), count(counts, "changes"),
	       count(counts, "audits"), count(counts, "orgs"),
	       count(counts, "users"));
	printf("\nnext:\n");
	if (!count(counts, "devices"))
		printf("  netcensus import FILE...      store Open-AudIT audit "
		       "results or device reports\n");
	else
		printf("  netcensus devices             list the stored "
		       "devices\n"
		       "  netcensus changes             see what changed "
		       "between audits\n");
	if (!count(counts, "users"))
		printf("  netcensus admin user add NAME --role admin   create "
		       "the first user\n");
	json_decref(counts);
	store_close(st);
	return CLI_OK;
}
