/*
 * csv_devices: a devices CSV file (Open-AudIT's devices export, a
 * spreadsheet, netcensus's own ?format=csv) read into device rows for
 * import. Parsed by libcsv (RFC 4180: quoted fields, embedded commas,
 * quotes and line breaks; a UTF-8 byte order mark is skipped).
 *
 * The first record names the columns (case and surrounding blanks
 * ignored). Accepted columns, with Open-AudIT's names beside ours:
 * hostname (or name, dns_hostname), fqdn (dns_fqdn), domain
 * (dns_domain), ip, mac (mac_address), serial, uuid, dbus_identifier,
 * manufacturer, model, type, form_factor, os_group, os_family, os_name,
 * os_version, sysName, sysDescr, sysObjectID, sysLocation, sysContact,
 * status, owner, location, tags, description; org (org_name: an org's
 * name) or org_id; custom.NAME (a custom field). Any other column
 * (Open-AudIT's id, icon, class, environment, ...) is listed as ignored.
 * A cell exported with a leading ' before = + - @ (csv.h) loses it.
 *
 * The result, a new reference:
 *   {"columns": [...used], "ignored": [...],
 *    "rows": [{"line": N (where the record starts in the file),
 *              "sys": {...}, "org": "name" | absent, "org_id": N | absent,
 *              "custom": {"NAME": "text"},
 *              "errors": [{"column": "ip", "message": "..."}]}]}
 * Per-row errors (a bad address, a value too long, too many fields, no
 * identifying value) are in the row; errors of the whole file (bad
 * quoting, no header, no usable column, too many rows) make it fail.
 */
#ifndef NC_CSV_DEVICES_H
#define NC_CSV_DEVICES_H

#include <stddef.h>
#include <jansson.h>

#include "report/report.h"

#define CSV_DEVICES_MAX_ROWS 100000
#define CSV_DEVICES_MAX_VALUE 1024 /* bytes in one cell */

/* What a column is: an index >= 0 (a device field), or one of these. */
enum {
	CSV_COLUMN_UNKNOWN = -1,
	CSV_COLUMN_ORG = -2,
	CSV_COLUMN_ORG_ID = -3,
	CSV_COLUMN_CUSTOM = -4,
};
/* The kind of the column called name (lower case, as accepted above). */
int csv_devices_column_kind(const char *name);

/* One row as in "rows" above from values ({"column": "text"}; unknown
 * columns are left out), checked alike: the API's manual create makes
 * its device with it. A new reference. */
json_t *csv_devices_row(json_t *values, json_int_t line);

/* Appends {"column", "message"} to row's "errors" (the one shape of a
 * row's errors, import.h's results included). */
void csv_devices_error(json_t *row, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The rows of buf, or NULL with err->msg naming the line at fault. */
json_t *csv_devices_read(const char *buf, size_t len, struct report_error *err);

#endif
