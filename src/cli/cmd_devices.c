/*
 * devices: the stored devices, as an aligned table or a JSON array.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"

static const char devices_usage[] =
	"usage: netcensus devices [--db PATH] [--json]\n"
	"\n"
	"Lists the stored devices: id, hostname, IP, MAC, type, manufacturer,\n"
	"operating system and when each was last seen. Use the id, hostname "
	"or\n"
	"IP with 'netcensus device' to see one device with its components.\n"
	"\n"
	"Options:\n"
	"  --db PATH    the database (default: $NETCENSUS_DB, else "
	"./netcensus.db):\n"
	"               a SQLite file, or a postgresql:// URL "
	"(docs/server.md)\n"
	"  --json       a JSON array of device objects (every stored sys "
	"field\n"
	"               plus id, org_id, first_seen, last_seen)\n"
	"  -h, --help   show this help\n"
	"\n"
	"Example:\n"
	"  netcensus devices\n"
	"  netcensus devices --json | jq '.[] | select(.type == \"switch\")'\n";

#define DEVICES_COLS 8
#define DEVICES_MAXW 32

static const char *const col_fields[DEVICES_COLS] = {
	"id",	"hostname",	"ip",	   "mac",
	"type", "manufacturer", "os_name", "last_seen"};
static const char *const col_titles[DEVICES_COLS] = {
	"ID",	"HOSTNAME",	"IP", "MAC",
	"TYPE", "MANUFACTURER", "OS", "LAST SEEN"};

static void devices_cell(json_t *dev, int col, char *buf, size_t len)
{
	json_t *v = json_object_get(dev, col_fields[col]);

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "%s",
			 json_is_string(v) ? json_string_value(v) : "-");
}

static void devices_table(json_t *list)
{
	int width[DEVICES_COLS], col, w;
	char cell[DEVICES_MAXW + 1];
	json_t *dev;
	size_t i;

	for (col = 0; col < DEVICES_COLS; col++)
		width[col] = (int)strlen(col_titles[col]);
	json_array_foreach(list, i, dev) {
		for (col = 0; col < DEVICES_COLS; col++) {
			devices_cell(dev, col, cell, sizeof(cell));
			w = (int)strlen(cell);
			if (w > width[col])
				width[col] = w;
		}
	}
	for (col = 0; col < DEVICES_COLS; col++)
		printf("%-*s%s", col < DEVICES_COLS - 1 ? width[col] : 0,
		       col_titles[col], col < DEVICES_COLS - 1 ? "  " : "\n");
	json_array_foreach(list, i, dev) {
		for (col = 0; col < DEVICES_COLS; col++) {
			devices_cell(dev, col, cell, sizeof(cell));
			printf("%-*s%s",
			       col < DEVICES_COLS - 1 ? width[col] : 0, cell,
			       col < DEVICES_COLS - 1 ? "  " : "\n");
		}
	}
}

int cmd_devices(int argc, char **argv)
{
	static const char *const always[] = {
		"hostname", "ip", "mac", "type", "manufacturer", "os_name"};
	struct cli_opts o;
	struct store *st;
	json_t *list, *dev;
	size_t i, j;
	int rc;

	rc = cli_parse("devices", argc, argv, CLI_OPT_DB | CLI_OPT_JSON,
		       devices_usage, &o);
	if (rc >= 0)
		return rc;
	if (o.first_arg < argc)
		return cli_usage_error("devices",
				       "unexpected argument '%s' (to see one "
				       "device: netcensus device %s)",
				       argv[o.first_arg], argv[o.first_arg]);
	st = cli_store_open(o.db);
	if (!st)
		return CLI_FAIL;
	list = store_device_list(st, 0, 0);
	store_close(st);
	if (!list)
		return CLI_FAIL;
	if (o.json) {
		/* the documented fields are always there, null when unknown */
		json_array_foreach(list, i, dev)
			for (j = 0; j < sizeof(always) / sizeof(always[0]); j++)
				if (!json_object_get(dev, always[j]))
					json_object_set_new(dev, always[j],
							    json_null());
		rc = cli_json_print(list) ? CLI_FAIL : CLI_OK;
	} else if (!json_array_size(list)) {
		fprintf(stderr, "no devices stored yet; add some with "
				"'netcensus import FILE...'\n");
		rc = CLI_OK;
	} else {
		devices_table(list);
		rc = CLI_OK;
	}
	json_decref(list);
	return rc;
}
