#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_common.h"
#include "core/util.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "netcensus %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'netcensus %s --help' for usage.\n", cmd);
	return CLI_USAGE;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		return cli_usage_error(cmd, "option %s needs a value", opt);
	return cli_usage_error(cmd, "unknown option %s", opt);
}

int cli_parse(const char *cmd, int argc, char **argv, unsigned allowed,
	      const char *usage, struct cli_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, CLI_OPT_DB},
		{"json", no_argument, NULL, CLI_OPT_JSON},
		{"device", required_argument, NULL, CLI_OPT_DEVICE},
		{"org", required_argument, NULL, CLI_OPT_ORG},
		{"csv", no_argument, NULL, CLI_OPT_CSV},
		{"dry-run", no_argument, NULL, CLI_OPT_DRY_RUN},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* glibc: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return CLI_OK;
		}
		if (c == ':' || c == '?' || !(allowed & (unsigned)c))
			return cli_bad_option(cmd, c == ':' ? c : '?', argv);
		if (c == CLI_OPT_DB)
			o->db = optarg;
		else if (c == CLI_OPT_JSON)
			o->json = 1;
		else if (c == CLI_OPT_DEVICE)
			o->device = optarg;
		else if (c == CLI_OPT_ORG)
			o->org = optarg;
		else if (c == CLI_OPT_CSV)
			o->csv = 1;
		else if (c == CLI_OPT_DRY_RUN)
			o->dry_run = 1;
	}
	o->first_arg = optind;
	return -1;
}

struct store *cli_store_open(const char *db_opt)
{
	/* store_open logs the reason, naming the path */
	return store_open(store_default_path(db_opt));
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int cli_device_resolve(struct store *st, const char *cmd, const char *arg,
		       int64_t *id)
{
	static const char *const fields[] = {"hostname", "fqdn", "ip",
					     "sysName"};
	const char *values[1] = {arg};
	json_t *dev;
	long v;
	size_t i;

	*id = 0;
	if (all_digits(arg) && util_parse_long(arg, 1, INT64_MAX, &v) == 0) {
		dev = store_device_get(st, v);
		if (dev) {
			json_decref(dev);
			*id = v;
			return 0;
		}
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (store_device_find(st, &fields[i], values, 1, id))
			return -1;
		if (*id)
			return 0;
	}
	fprintf(stderr,
		"netcensus %s: no device with id, hostname, fqdn or IP '%s'; "
		"'netcensus devices' lists them\n",
		cmd, arg);
	return -1;
}

int cli_json_print(json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
		return -1;
	fputc('\n', stdout);
	return 0;
}

const char *cli_str(json_t *o, const char *field)
{
	const char *s = json_string_value(json_object_get(o, field));

	return s ? s : "";
}
