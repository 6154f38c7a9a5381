/*
 * device: one stored device — its fields and component counts, or with
 * --json the device-report shape holding its current components.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "core/util.h"
#include "report/report.h"
#include "store/store_attach.h"

static const char device_usage[] =
	"usage: netcensus device [--db PATH] [--json] ID|HOSTNAME|IP\n"
	"\n"
	"Shows one stored device, found by its id, hostname, fqdn or IP: its\n"
	"fields, where it is plugged in (the switch port whose forwarding\n"
	"table holds its MAC: docs/device-report.md#attachments) and how\n"
	"many components of each section it has. --json prints\n"
	"it as a device report (docs/device-report.md) with its current\n"
	"components and sys.id, ready for jq or for import elsewhere.\n"
	"\n"
	"Options:\n"
	"  --db PATH    the database (default: $NETCENSUS_DB, else "
	"./netcensus.db):\n"
	"               a SQLite file, or a postgresql:// URL "
	"(docs/server.md)\n"
	"  --json       the device-report JSON\n"
	"  -h, --help   show this help\n"
	"\n"
	"Examples:\n"
	"  netcensus device 3\n"
	"  netcensus device --json debian | jq '.software | length'\n";

/* Fields shown first, in this order; the rest follow sorted by name. */
static const char *const device_first[] = {
	"id",	   "hostname",	   "fqdn",	 "ip",	      "mac",
	"type",	   "manufacturer", "model",	 "serial",    "uuid",
	"os_name", "os_version",   "first_seen", "last_seen",
};
#define NFIRST (sizeof(device_first) / sizeof(device_first[0]))

static int is_first(const char *name)
{
	size_t i;

	for (i = 0; i < NFIRST; i++)
		if (!strcmp(device_first[i], name))
			return 1;
	return 0;
}

static void device_field(const char *name, json_t *v)
{
	char *txt;

	if (json_is_string(v)) {
		printf("  %-20s %s\n", name, json_string_value(v));
		return;
	}
	txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	printf("  %-20s %s\n", name, txt ? txt : "?");
	free(txt);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void device_print_fields(json_t *dev)
{
	const char **rest, *name;
	size_t i, n = 0;
	json_t *v;

	printf("device %lld: %s\n",
	       (long long)json_integer_value(json_object_get(dev, "id")),
	       cli_str(dev, "hostname"));
	for (i = 0; i < NFIRST; i++) {
		v = json_object_get(dev, device_first[i]);
		if (v)
			device_field(device_first[i], v);
	}
	rest = xcalloc(json_object_size(dev) + 1, sizeof(*rest));
	json_object_foreach(dev, name, v)
		if (!is_first(name))
			rest[n++] = name;
	qsort(rest, n, sizeof(*rest), cmp_str);
	for (i = 0; i < n; i++)
		device_field(rest[i], json_object_get(dev, rest[i]));
	free(rest);
}

/* "attached to SWITCH port P, VLAN V" when a switch sees it on an
 * access port; -1 when the store failed. */
static int device_print_attachment(struct store *st, int64_t id)
{
	json_t *a = store_device_attachment(st, id);
	const char *vlan;

	if (!a)
		return -1;
	if (json_is_object(a)) {
		vlan = cli_str(a, "vlan");
		printf("attached to: %s (device %lld) port %s%s%s, mac %s, "
		       "seen %s\n",
		       cli_str(a, "switch"),
		       (long long)json_integer_value(
			       json_object_get(a, "switch_id")),
		       cli_str(a, "port_name"), *vlan ? ", VLAN " : "", vlan,
		       cli_str(a, "mac"), cli_str(a, "seen"));
	}
	json_decref(a);
	return 0;
}

/* Component counts per section: current, and retired ones kept. */
static void device_print_components(json_t *rows)
{
	json_t *counts = json_object(), *row, *c;
	const char *section;
	size_t i;

	json_array_foreach(rows, i, row) {
		int idx = json_integer_value(json_object_get(row, "current"))
				  ? 0
				  : 1;

		section = cli_str(row, "section");
		c = json_object_get(counts, section);
		if (!c) {
			c = json_pack("[ii]", 0, 0);
			json_object_set_new(counts, section, c);
		}
		json_array_set_new(
			c, (size_t)idx,
			json_integer(json_integer_value(
					     json_array_get(c, (size_t)idx)) +
				     1));
	}
	printf("components:%s\n", json_object_size(counts) ? "" : " none");
	json_object_foreach(counts, section, c) {
		json_int_t cur = json_integer_value(json_array_get(c, 0));
		json_int_t old = json_integer_value(json_array_get(c, 1));

		if (old)
			printf("  %-20s %lld (and %lld no longer present)\n",
			       section, (long long)cur, (long long)old);
		else
			printf("  %-20s %lld\n", section, (long long)cur);
	}
	json_decref(counts);
}

/* {"report_version", "sys", section: [data...]} with current rows. */
static json_t *device_report(json_t *dev, json_t *rows)
{
	json_t *rep = json_pack("{siso}", "report_version", REPORT_VERSION,
				"sys", json_incref(dev));
	json_t *row, *arr;
	const char *section;
	size_t i;

	json_array_foreach(rows, i, row) {
		section = cli_str(row, "section");
		arr = json_object_get(rep, section);
		if (!arr) {
			arr = json_array();
			json_object_set_new(rep, section, arr);
		}
		json_array_append(arr, json_object_get(row, "data"));
	}
	return rep;
}

int cmd_device(int argc, char **argv)
{
	struct cli_opts o;
	struct store *st;
	json_t *dev = NULL, *rows = NULL, *rep;
	int64_t id;
	int rc;

	rc = cli_parse("device", argc, argv, CLI_OPT_DB | CLI_OPT_JSON,
		       device_usage, &o);
	if (rc >= 0)
		return rc;
	if (argc - o.first_arg != 1)
		return cli_usage_error("device",
				       "name one device by id, hostname or IP "
				       "('netcensus devices' lists them)");
	st = cli_store_open(o.db);
	if (!st)
		return CLI_FAIL;
	rc = CLI_FAIL;
	if (cli_device_resolve(st, "device", argv[o.first_arg], &id))
		goto done;
	dev = store_device_get(st, id);
	rows = store_component_list(st, id, NULL, !!o.json);
	if (!dev || !rows)
		goto done;
	if (o.json) {
		rep = device_report(dev, rows);
		rc = cli_json_print(rep) ? CLI_FAIL : CLI_OK;
		json_decref(rep);
	} else {
		device_print_fields(dev);
		if (device_print_attachment(st, id) < 0)
			goto done;
		device_print_components(rows);
		rc = CLI_OK;
	}
done:
	json_decref(dev);
	json_decref(rows);
	store_close(st);
	return rc;
}
