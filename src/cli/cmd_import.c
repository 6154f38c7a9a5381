/*
 * import: reads files of device reports or Open-AudIT audit results and
 * stores each through intake, one transaction per file, so one bad file
 * never stops (or half-stores) the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "core/util.h"
#include "report/report.h"
#include "report/csv_devices.h"
#include "store/import.h"
#include "store/intake.h"

static const char import_usage[] =
	"usage: netcensus import [--db PATH] [--org NAME] FILE...\n"
	"       netcensus import --csv [--dry-run] [--db PATH] [--org NAME] "
	"FILE\n"
	"\n"
	"Stores device reports and Open-AudIT audit results: the XML of\n"
	"audit_linux.sh and audit_windows.vbs, the JSON of audit_windows.ps1\n"
	"and of collectors, or netcensus's own JSON; the format is detected\n"
	"from the content, and FILE '-' reads standard input. Each file is\n"
	"matched to a stored device of the org and the orgs below it\n"
	"(hostname+uuid, serial, MAC, ...), which is created or updated; on a\n"
	"device seen before, every component added, removed or changed goes\n"
	"to the change log ('netcensus changes'). A match refused because a\n"
	"serial, uuid or machine-id differs, or because the MAC is one many\n"
	"machines share, is printed with its reason.\n"
	"\n"
	"Options:\n"
	"  --db PATH    the database (default: $NETCENSUS_DB, else "
	"./netcensus.db):\n"
	"               a SQLite file, or a postgresql:// URL "
	"(docs/server.md)\n"
	"  --csv        FILE is a devices CSV (Open-AudIT's devices export or\n"
	"               a spreadsheet: hostname or name, ip, mac, serial,\n"
	"               type, os_*, manufacturer, model, location, org,\n"
	"               status, description, tags, custom.NAME, ...;\n"
	"               docs/device-report.md); each line is matched and\n"
	"               stored like an audit, all lines in one transaction:\n"
	"               a file with a bad line stores nothing, and every bad\n"
	"               line is printed with the column at fault\n"
	"  --dry-run    with --csv: print what each line would do (create,\n"
	"               update: which device and rule) and store nothing\n"
	"  --org NAME   the org new devices belong to, and whose tree is\n"
	"               searched for a match (default: Default, every org);\n"
	"               make one with 'netcensus admin org add NAME'\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 every file stored; 1 a file was rejected (the others\n"
	"are still stored); 2 usage error. With --csv: 0 stored (or a dry run\n"
	"without errors), 1 a line has errors and nothing was stored.\n"
	"\n"
	"Environment: NETCENSUS_REPORT_MAX_BYTES, NETCENSUS_REPORT_MAX_ROWS\n"
	"(in a section) and NETCENSUS_REPORT_MAX_TOTAL_ROWS (in a report; by\n"
	"default 100000) refuse an over-large file before storing anything.\n"
	"\n"
	"Examples:\n"
	"  netcensus import debian.xml win2012r2_db01.xml\n"
	"  netcensus import --org Brisbane audits/*.json\n"
	"  cat debian.xml | netcensus import -\n"
	"  netcensus import --csv --dry-run devices.csv\n";

/* "openaudit-xml: 1196 software, 80 service, 12 network, 9 more sections" */
static void import_describe(json_t *report, const char *format, char *buf,
			    size_t len)
{
	const char *top[3] = {NULL, NULL, NULL}, *name;
	size_t cnt[3] = {0, 0, 0}, n, nsections = 0, i, j;
	struct strbuf sb;
	json_t *rows;

	json_object_foreach(report, name, rows) {
		n = json_is_array(rows) ? json_array_size(rows) : 0;
		if (!n || !strcmp(name, "sys"))
			continue;
		nsections++;
		for (i = 0; i < 3; i++) {
			if (top[i] && cnt[i] >= n)
				continue;
			for (j = 2; j > i; j--) {
				top[j] = top[j - 1];
				cnt[j] = cnt[j - 1];
			}
			top[i] = name;
			cnt[i] = n;
			break;
		}
	}
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, format);
	for (i = 0; i < 3 && top[i]; i++)
		strbuf_printf(&sb, "%s %zu %s", i ? "," : ":", cnt[i], top[i]);
	if (nsections > 3)
		strbuf_printf(&sb, ", %zu more sections", nsections - 3);
	snprintf(buf, len, "%s", sb.data);
	strbuf_free(&sb);
}

/* Stores one file; 0 stored, -1 rejected or unreadable. */
static int import_one(struct store *st, const struct intake_config *cfg,
		      int64_t org_id, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "stdin", *why;
	enum report_format fmt = REPORT_FMT_UNKNOWN;
	struct report_error err = {{0}};
	struct intake_result res;
	struct store_audit audit = {0};
	json_t *report = NULL;
	char now[20], what[256];
	size_t len = 0;
	char *buf;
	int rc = -1;

	buf = util_read_file(path, REPORT_MAX_BYTES, &len, &why);
	if (!buf) {
		fprintf(stderr, "%s: cannot read: %s\n", name, why);
		return -1;
	}
	report = report_parse(buf, len, &fmt, &err);
	free(buf);
	if (!report) {
		fprintf(stderr, "%s: rejected: %s\n", name, err.msg);
		audit.source = name;
		audit.format = report_format_name(fmt);
		audit.result = "rejected";
		audit.message = err.msg;
		util_now(now);
		store_audit_add(st, &audit, now);
		return -1;
	}
	if (intake_report(st, cfg, report, org_id, name,
			  report_format_name(fmt), &res)) {
		fprintf(stderr, "%s: rejected: %s\n", name, res.message);
		goto done;
	}
	if (res.created) {
		import_describe(report, report_format_name(fmt), what,
				sizeof(what));
		printf("%s: created device %lld (%s)\n", name,
		       (long long)res.device_id, what);
	} else {
		printf("%s: updated device %lld, matched by %s, %d change%s\n",
		       name, (long long)res.device_id, res.rule, res.changes,
		       res.changes == 1 ? "" : "s");
	}
	if (res.message[0]) /* matches refused on the way: why not merged */
		printf("%s: %s\n", name, res.message);
	rc = 0;
done:
	json_decref(report);
	return rc;
}

/* Prints each line's result of import_devices(); 0 when nothing failed. */
static int import_csv_print(const char *name, json_t *res)
{
	json_t *r, *e;
	size_t i, j;

	json_array_foreach(json_object_get(res, "rows"), i, r) {
		const char *a = json_string_value(json_object_get(r, "action"));
		long long line = json_integer_value(json_object_get(r, "line"));

		if (!strcmp(a, "error")) {
			json_array_foreach(json_object_get(r, "errors"), j, e) {
				const char *col = json_string_value(
					json_object_get(e, "column"));

				fprintf(stderr, "%s:%lld: %s%s%s%s\n", name,
					line, col && *col ? "column " : "",
					col && *col ? col : "",
					col && *col ? ": " : "",
					json_string_value(
						json_object_get(e, "message")));
			}
		} else if (!strcmp(a, "update")) {
			printf("%s:%lld: update device %lld (matched by %s)\n",
			       name, line,
			       (long long)json_integer_value(
				       json_object_get(r, "device_id")),
			       json_string_value(json_object_get(r, "rule")));
		} else {
			const char *what = json_string_value(
				json_object_get(r, "hostname"));

			if (!what)
				what = json_string_value(
					json_object_get(r, "ip"));
			printf("%s:%lld: create %s\n", name, line,
			       what ? what : "a device");
		}
	}
	printf("%s: %lld to create, %lld to update, %lld with errors: %s\n",
	       name,
	       (long long)json_integer_value(json_object_get(res, "created")),
	       (long long)json_integer_value(json_object_get(res, "updated")),
	       (long long)json_integer_value(json_object_get(res, "errors")),
	       json_is_true(json_object_get(res, "stored")) ? "stored"
	       : json_is_true(json_object_get(res, "dry_run"))
		       ? "dry run, nothing stored"
		       : "nothing stored");
	return json_integer_value(json_object_get(res, "errors")) ? -1 : 0;
}

/* netcensus import --csv: one devices CSV file, in one transaction. */
static int import_csv(struct store *st, int64_t org_id, const char *path,
		      int dry_run)
{
	const char *name = strcmp(path, "-") ? path : "stdin", *why;
	struct import_opts io = {.org_id = org_id,
				 .dry_run = dry_run,
				 .source = name,
				 .format = "csv"};
	struct report_error err = {{0}};
	json_t *parsed, *res;
	size_t len = 0;
	char *buf;
	int rc;

	buf = util_read_file(path, REPORT_MAX_BYTES, &len, &why);
	if (!buf) {
		fprintf(stderr, "%s: cannot read: %s\n", name, why);
		return CLI_FAIL;
	}
	parsed = csv_devices_read(buf, len, &err);
	free(buf);
	if (!parsed) {
		fprintf(stderr, "%s: refused: %s\n", name, err.msg);
		return CLI_FAIL;
	}
	if (json_array_size(json_object_get(parsed, "ignored"))) {
		char *ign = json_dumps(json_object_get(parsed, "ignored"),
				       JSON_COMPACT);

		fprintf(stderr, "%s: columns ignored: %s\n", name,
			ign ? ign : "?");
		free(ign);
	}
	res = import_devices(st, json_object_get(parsed, "rows"), &io);
	json_decref(parsed);
	if (!res) {
		fprintf(stderr, "%s: the database failed: nothing stored\n",
			name);
		return CLI_FAIL;
	}
	rc = import_csv_print(name, res);
	json_decref(res);
	return rc ? CLI_FAIL : CLI_OK;
}

int cmd_import(int argc, char **argv)
{
	struct intake_config cfg;
	struct cli_opts o;
	struct store *st;
	int64_t org_id = 1;
	int rc, i, nfiles, failed = 0;

	rc = cli_parse("import", argc, argv,
		       CLI_OPT_DB | CLI_OPT_ORG | CLI_OPT_CSV | CLI_OPT_DRY_RUN,
		       import_usage, &o);
	if (rc >= 0)
		return rc;
	nfiles = argc - o.first_arg;
	if (nfiles < 1)
		return cli_usage_error("import",
				       "name the files to import (or - for "
				       "standard input)");
	if (o.dry_run && !o.csv)
		return cli_usage_error("import", "--dry-run goes with --csv");
	if (o.csv && nfiles != 1)
		return cli_usage_error("import", "--csv takes one file");
	st = cli_store_open(o.db);
	if (!st)
		return CLI_FAIL;
	if (o.org && (store_org_find(st, o.org, &org_id) || org_id <= 0)) {
		fprintf(stderr,
			"netcensus import: no org named '%s'; create it with: "
			"netcensus admin org add %s\n",
			o.org, o.org);
		store_close(st);
		return CLI_FAIL;
	}
	if (o.csv) {
		rc = import_csv(st, org_id, argv[o.first_arg], o.dry_run);
		store_close(st);
		return rc;
	}
	intake_config_default(&cfg);
	for (i = o.first_arg; i < argc; i++)
		if (import_one(st, &cfg, org_id, argv[i]))
			failed++;
	if (nfiles > 1)
		printf("%d of %d files stored, %d rejected\n", nfiles - failed,
		       nfiles, failed);
	store_close(st);
	return failed ? CLI_FAIL : CLI_OK;
}
