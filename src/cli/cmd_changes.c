/*
 * changes: the change log — what was added, removed or changed on which
 * device, newest first.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "core/util.h"
#include "store/intake.h"

static const char changes_usage[] =
	"usage: netcensus changes [--db PATH] [--json] [--device "
	"ID|HOSTNAME]\n"
	"\n"
	"Shows the change log, newest first: every component added, removed\n"
	"or changed on a device between two audits (a package upgrade is one\n"
	"\"change\" from the old version to the new), and changes of a\n"
	"device's own fields (section \"sys\"). A device's first audit writes\n"
	"no changes.\n"
	"\n"
	"Options:\n"
	"  --db PATH        the database (default: $NETCENSUS_DB, else "
	"./netcensus.db)\n"
	"  --device DEVICE  only this device (id, hostname, fqdn or IP)\n"
	"  --json           a JSON array of {id, device_id, hostname, "
	"section,\n"
	"                   action, key: {key fields}, detail, time}\n"
	"  -h, --help       show this help\n"
	"\n"
	"Examples:\n"
	"  netcensus changes --device debian\n"
	"  netcensus changes --json | jq '.[] | select(.section == "
	"\"software\")'\n";

/* "openssl 1.0.1e" or, for a change, "openssl 1.0.2 (version 1.0.1e ->
 * 1.0.2)". */
static void changes_what(json_t *ch, json_t *key, struct strbuf *sb)
{
	json_t *detail = json_object_get(ch, "detail"), *v;
	json_t *to = json_object_get(detail, "to");
	const char *name;
	int n = 0;

	json_object_foreach(key, name, v) {
		if (json_is_string(v) && *json_string_value(v))
			strbuf_printf(sb, "%s%s", n++ ? " " : "",
				      json_string_value(v));
	}
	if (!json_object_size(json_object_get(detail, "from")))
		return;
	strbuf_puts(sb, n ? " (" : "(");
	n = 0;
	json_object_foreach(json_object_get(detail, "from"), name, v) {
		strbuf_printf(sb, "%s%s %s -> %s", n++ ? ", " : "", name,
			      json_string_value(v) ? json_string_value(v) : "?",
			      cli_str(to, name));
	}
	strbuf_puts(sb, ")");
}

static void changes_table(json_t *list)
{
	struct strbuf dev, what;
	json_t *ch;
	size_t i;

	printf("%-19s  %-20s  %-12s  %-6s  %s\n", "TIME", "DEVICE", "SECTION",
	       "ACTION", "WHAT");
	json_array_foreach(list, i, ch) {
		strbuf_init(&dev, 0);
		strbuf_init(&what, 0);
		strbuf_printf(&dev, "%lld %s",
			      (long long)json_integer_value(
				      json_object_get(ch, "device_id")),
			      cli_str(ch, "hostname"));
		changes_what(ch, json_object_get(ch, "key"), &what);
		printf("%-19s  %-20s  %-12s  %-6s  %s\n", cli_str(ch, "time"),
		       dev.data, cli_str(ch, "section"), cli_str(ch, "action"),
		       what.data ? what.data : "");
		strbuf_free(&dev);
		strbuf_free(&what);
	}
}

int cmd_changes(int argc, char **argv)
{
	struct cli_opts o;
	struct store *st;
	json_t *list = NULL, *ch;
	int64_t id = 0;
	size_t i;
	int rc;

	rc = cli_parse("changes", argc, argv,
		       CLI_OPT_DB | CLI_OPT_JSON | CLI_OPT_DEVICE,
		       changes_usage, &o);
	if (rc >= 0)
		return rc;
	if (o.first_arg < argc)
		return cli_usage_error("changes",
				       "unexpected argument '%s' (for one "
				       "device: --device %s)",
				       argv[o.first_arg], argv[o.first_arg]);
	st = cli_store_open(o.db);
	if (!st)
		return CLI_FAIL;
	rc = CLI_FAIL;
	if (o.device && cli_device_resolve(st, "changes", o.device, &id))
		goto done;
	list = store_change_list(st, id, 0);
	if (!list)
		goto done;
	/* the stored key becomes its named fields */
	json_array_foreach(list, i, ch)
		json_object_set_new(ch, "key",
				    intake_key_fields(cli_str(ch, "section"),
						      cli_str(ch, "key")));
	if (o.json)
		rc = cli_json_print(list) ? CLI_FAIL : CLI_OK;
	else if (!json_array_size(list)) {
		fprintf(stderr,
			"no changes recorded%s; changes appear when a "
			"device is imported again\n",
			id ? " for that device" : "");
		rc = CLI_OK;
	} else {
		changes_table(list);
		rc = CLI_OK;
	}
done:
	json_decref(list);
	store_close(st);
	return rc;
}
