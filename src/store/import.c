/*
 * import.c: device rows through intake in one batch (import.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "report/csv_devices.h"
#include "report/report.h"
#include "store/import.h"
#include "store/intake.h"
#include "store/store_api.h"
#include "store/store_data.h"

static int import_org_ok(const struct import_opts *o, int64_t id)
{
	int i;

	if (!o->org_ids)
		return 1;
	for (i = 0; i < o->norgs; i++)
		if (o->org_ids[i] == id)
			return 1;
	return 0;
}

/* The org of row into *org; an error into out when it names one the
 * importer may not use (told like one that does not exist). */
static int import_row_org(struct store *st, json_t *row, json_t *out,
			  const struct import_opts *o, int64_t *org)
{
	json_t *name = json_object_get(row, "org");
	json_t *id = json_object_get(row, "org_id");
	int64_t found = 0;

	*org = o->org_id;
	if (id) {
		json_t *org_row;
		int exists = 0;

		found = json_integer_value(id);
		org_row = store_api_org_get(st, found, &exists);
		json_decref(org_row);
		if (!exists || !import_org_ok(o, found)) {
			csv_devices_error(out, "org_id", "no org %lld",
					  (long long)found);
			return 0;
		}
	} else if (name) {
		if (store_org_lookup(st, json_string_value(name), &found) < 0)
			return -1;
		if (!found || !import_org_ok(o, found)) {
			csv_devices_error(out, "org", "no org '%.100s'",
					  json_string_value(name));
			return 0;
		}
	}
	if (found)
		*org = found;
	return 0;
}

/* Checks the row's custom values against the fields of org; the checked
 * values into *checked ({"name": {"id", "value"}}). */
static int import_row_custom(struct store *st, json_t *row, json_t *out,
			     int64_t org, json_t *checked)
{
	const char *name;
	json_t *v;

	json_object_foreach(json_object_get(row, "custom"), name, v) {
		char col[STORE_CUSTOM_NAME_MAX + 16], why[400];
		char val[STORE_CUSTOM_VALUE_MAX + 1];
		json_t *f;
		int found = 0;

		snprintf(col, sizeof(col), "custom.%.40s", name);
		f = store_custom_field_for_org(st, org, name, &found);
		if (!f && found)
			return -1;
		if (!f) {
			csv_devices_error(out, col,
					  "no custom field '%.40s' for the "
					  "devices of this org",
					  name);
			continue;
		}
		if (store_custom_value_check(f, json_string_value(v), val,
					     sizeof(val), why, sizeof(why)) < 0)
			csv_devices_error(out, col, "%s", why);
		else
			json_object_set_new(checked, name,
					    json_pack("{sOss}", "id",
						      json_object_get(f, "id"),
						      "value", val));
		json_decref(f);
	}
	return 0;
}

static int import_custom_store(struct store *st, int64_t device_id,
			       json_t *checked, int created)
{
	const char *name;
	json_t *c;
	char now[20];
	int changed;

	util_now(now);
	json_object_foreach(checked, name, c) {
		if (store_custom_set(
			    st, device_id,
			    json_integer_value(json_object_get(c, "id")), name,
			    json_string_value(json_object_get(c, "value")), now,
			    !created, &changed) < 0)
			return -1;
	}
	return 0;
}

/* One row: checked, then stored through intake inside the batch. The
 * row's result is appended to res; -1 on a database failure. */
static int import_row(struct store *st, json_t *row,
		      const struct import_opts *o, json_t *res, int *errors)
{
	json_t *sys = json_object_get(row, "sys");
	json_t *out = json_pack("{sOs[]}", "line", json_object_get(row, "line"),
				"errors");
	json_t *checked = json_object(), *report = NULL;
	struct intake_result ir;
	struct report_error err;
	int64_t org;
	int rc = -1;
	size_t i;
	json_t *e;

	json_object_set(out, "hostname", json_object_get(sys, "hostname"));
	json_object_set(out, "ip", json_object_get(sys, "ip"));
	json_array_foreach(json_object_get(row, "errors"), i, e)
		json_array_append(json_object_get(out, "errors"), e);
	if (import_row_org(st, row, out, o, &org) < 0 ||
	    import_row_custom(st, row, out, org, checked) < 0)
		goto done;
	if (json_array_size(json_object_get(out, "errors")))
		goto refused;
	report = json_pack("{sis{ssss}sO}", "report_version", REPORT_VERSION,
			   "source", "name", "import", "format", o->format,
			   "sys", sys);
	memset(&err, 0, sizeof(err));
	if (report_validate(report, &err) < 0) {
		csv_devices_error(out, "", "%s", err.msg);
		goto refused;
	}
	if (intake_report(st, NULL, report, org, o->source, o->format, &ir) <
	    0) {
		csv_devices_error(out, "", "%s", ir.message);
		goto refused;
	}
	if (import_custom_store(st, ir.device_id, checked, ir.created) < 0)
		goto done;
	json_object_set_new(out, "action",
			    json_string(ir.created ? "create" : "update"));
	json_object_set_new(out, "device_id", json_integer(ir.device_id));
	if (ir.rule)
		json_object_set_new(out, "rule", json_string(ir.rule));
	rc = 0;
	goto done;
refused:
	json_object_set_new(out, "action", json_string("error"));
	(*errors)++;
	rc = 0;
done:
	json_array_append(res, out);
	json_decref(out);
	json_decref(checked);
	json_decref(report);
	return rc;
}

json_t *import_devices(struct store *st, json_t *rows,
		       const struct import_opts *o)
{
	json_t *res, *row, *r;
	int errors = 0, created = 0, updated = 0, stored = 0;
	size_t i;

	if (store_batch_begin(st) < 0)
		return NULL;
	res = json_array();
	json_array_foreach(rows, i, row) {
		if (import_row(st, row, o, res, &errors) < 0) {
			store_batch_rollback(st);
			json_decref(res);
			log_err("import: database error at line %lld",
				(long long)json_integer_value(
					json_object_get(row, "line")));
			return NULL;
		}
	}
	json_array_foreach(res, i, r) {
		const char *a = json_string_value(json_object_get(r, "action"));

		created += !strcmp(a, "create");
		updated += !strcmp(a, "update");
	}
	if (errors || o->dry_run || !json_array_size(rows)) {
		store_batch_rollback(st);
	} else if (store_batch_commit(st) < 0) {
		json_decref(res);
		return NULL;
	} else {
		stored = 1;
	}
	/* a device created and rolled back does not exist: no id to show */
	json_array_foreach(res, i, r)
		if (!stored && json_object_get(r, "action") &&
		    !strcmp(json_string_value(json_object_get(r, "action")),
			    "create"))
			json_object_del(r, "device_id");
	return json_pack("{sbsbsisisiso}", "dry_run", o->dry_run, "stored",
			 stored, "created", created, "updated", updated,
			 "errors", errors, "rows", res);
}
