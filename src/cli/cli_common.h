/*
 * cli_common: what the data commands share — opening the database named by
 * --db / $NETCENSUS_DB, usage errors that point at --help, finding a device
 * by id, hostname or address, and printing JSON.
 *
 * Everything here prints its own message (naming what to fix) and returns
 * an exit code or NULL, so a command's main path stays short.
 */
#ifndef NC_CLI_COMMON_H
#define NC_CLI_COMMON_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* Exit codes of every command. */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* The options the data commands share; a command allows a subset. */
#define CLI_OPT_DB 0x1	     /* --db PATH */
#define CLI_OPT_JSON 0x2     /* --json */
#define CLI_OPT_DEVICE 0x4   /* --device ID|HOSTNAME */
#define CLI_OPT_ORG 0x8	     /* --org NAME */
#define CLI_OPT_CSV 0x10     /* --csv */
#define CLI_OPT_DRY_RUN 0x20 /* --dry-run */

struct cli_opts {
	const char *db;
	const char *device;
	const char *org;
	int json;
	int csv;
	int dry_run;
	int first_arg; /* index in argv of the first operand */
};

/* Parses argv (argv[0] is the command) with getopt_long for the options in
 * allowed plus -h/--help (which prints usage). Returns -1 to go on, or the
 * exit code to return now (0 after --help, 2 after a usage error). */
int cli_parse(const char *cmd, int argc, char **argv, unsigned allowed,
	      const char *usage, struct cli_opts *o);

/* Prints "netcensus CMD: message" and a pointer to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The usage error for getopt_long's ':' (missing value) or '?' (unknown
 * option) return; the option string must start with ':' and opterr be 0.
 * Returns 2. */
int cli_bad_option(const char *cmd, int c, char **argv);

/* Opens the database named by the --db value (may be NULL). NULL after
 * printing why. */
struct store *cli_store_open(const char *db_opt);

/* Finds a device by id, hostname, fqdn or IP address. 0, or -1 after
 * printing that none matches. */
int cli_device_resolve(struct store *st, const char *cmd, const char *arg,
		       int64_t *id);

/* Prints v as indented JSON and a newline on stdout; 0 or -1. */
int cli_json_print(json_t *v);

/* The string value of field in o, or "" (for tables). */
const char *cli_str(json_t *o, const char *field);

#endif
