/*
 * oa_json: Open-AudIT JSON (audit_windows.ps1, SNMP/SSH discovery results,
 * a device exported with ?format=json) to a device report.
 *
 *   { "sys": { "name": "pdu-1", "snmp_oid": "1.3.6.1.4.1.13742.4", ... },
 *     "ip": [ { "ip": "192.168.001.002", ... } ],
 *     "nmap": [ { "protocol": "udp", "port": 161, "program": "snmp" } ] }
 *
 * The shape is already a report's, so converting is a copy plus a few
 * mappings: "nmap" rows are open ports, sys "name" stands in for a missing
 * hostname, "snmp_oid" for a missing sysObjectID, and Open-AudIT's own
 * bookkeeping columns (id, current, first_seen, ...) are dropped because
 * the store keeps its own. Types and values are then checked by
 * report_validate() like any report.
 */
#include <string.h>

#include "core/log.h"
#include "report/report.h"
#include "report/report_int.h"

/* Columns an Open-AudIT database export adds to every component row. */
static const char *const oajson_bookkeeping[] = {
	"id",	      "device_id", "system_id", "current",
	"first_seen", "last_seen", NULL,
};

static int oajson_missing(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return !v || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

/* Copies from -> to when to is missing or empty. */
static void oajson_fill(json_t *sys, const char *to, const char *from)
{
	json_t *v = json_object_get(sys, from);

	if (oajson_missing(sys, to) && v && !oajson_missing(sys, from))
		json_object_set(sys, to, v);
}

static void oajson_fix_rows(const char *name, json_t *rows)
{
	const char *const *f;
	size_t i;
	json_t *row;
	int nmap = strcmp(name, "nmap") == 0;

	json_array_foreach(rows, i, row) {
		if (!json_is_object(row))
			continue; /* report_validate() names it */
		for (f = oajson_bookkeeping; *f; f++)
			json_object_del(row, *f);
		if (nmap && oajson_missing(row, "state"))
			json_object_set_new(row, "state", json_string("open"));
	}
}

json_t *report_from_oa_json(json_t *root, struct report_error *err)
{
	json_t *rep = NULL, *sys, *v;
	const char *key;
	void *tmp;

	if (!json_is_object(root)) {
		report_fail(err, "an Open-AudIT JSON audit is an object with "
				 "\"sys\" and section arrays");
		return NULL;
	}
	sys = json_object_get(root, "sys");
	if (!sys) {
		report_fail(err, "no \"sys\" object: not an Open-AudIT audit "
				 "(and no \"report_version\": not a netcensus "
				 "report)");
		return NULL;
	}
	if (!json_is_object(sys)) {
		report_fail(err, "field sys: expected an object, got %s",
			    json_is_array(sys) ? "an array" : "a scalar");
		return NULL;
	}
	rep = json_deep_copy(root);
	if (!rep) {
		report_fail(err, "could not copy the audit");
		return NULL;
	}
	json_object_del(rep, "report_version");
	json_object_del(rep, "source");
	sys = json_object_get(rep, "sys");
	oajson_fill(sys, "hostname", "name");
	oajson_fill(sys, "sysObjectID", "snmp_oid");
	json_object_foreach_safe(rep, tmp, key, v) {
		if (strcmp(key, "sys") == 0)
			continue;
		if (json_is_object(v)) {
			/* a section written as one row */
			json_t *rows = json_array();

			json_array_append(rows, v);
			json_object_set_new(rep, key, rows);
			v = rows;
		}
		if (json_is_array(v)) {
			oajson_fix_rows(key, v);
		} else {
			/* a top-level scalar is not part of the device */
			log_debug("report: Open-AudIT JSON key %s is not a "
				  "section; ignored",
				  key);
			json_object_del(rep, key);
		}
	}
	report_set_source(rep, sys, report_format_name(REPORT_FMT_OA_JSON));
	if (report_validate(rep, err) != 0) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}
