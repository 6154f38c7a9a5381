/*
 * csv_devices.c: a devices CSV into import rows (csv_devices.h), parsed
 * by libcsv. The text is fed one line at a time so that each record
 * knows the line it starts on, even when quoted cells hold line breaks.
 */
#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/csv_devices.h"

#define CSV_MAX_FIELDS 400

/* Accepted columns (normalised: lower case) and the sys field each
 * fills; several columns of one field: the first non-empty wins, in
 * this order. */
static const struct {
	const char *column;
	const char *field;
} csv_columns[] = {
	{"hostname", "hostname"},
	{"dns_hostname", "hostname"},
	{"name", "hostname"},
	{"fqdn", "fqdn"},
	{"dns_fqdn", "fqdn"},
	{"domain", "domain"},
	{"dns_domain", "domain"},
	{"ip", "ip"},
	{"mac", "mac"},
	{"mac_address", "mac"},
	{"serial", "serial"},
	{"uuid", "uuid"},
	{"dbus_identifier", "dbus_identifier"},
	{"manufacturer", "manufacturer"},
	{"model", "model"},
	{"type", "type"},
	{"form_factor", "form_factor"},
	{"os_group", "os_group"},
	{"os_family", "os_family"},
	{"os_name", "os_name"},
	{"os_version", "os_version"},
	{"sysname", "sysName"},
	{"sysdescr", "sysDescr"},
	{"sysobjectid", "sysObjectID"},
	{"syslocation", "sysLocation"},
	{"syscontact", "sysContact"},
	{"status", "status"},
	{"owner", "owner"},
	{"location", "location"},
	{"tags", "tags"},
	{"description", "description"},
};

#define NCOLUMNS (sizeof(csv_columns) / sizeof(csv_columns[0]))

/* The fields of which a row needs one: what intake can match on. */
static const char *const identity_fields[] = {"hostname", "ip",	  "mac",
					      "serial",	  "fqdn", "uuid"};

struct csv_read {
	size_t line;	  /* the line being fed (1-based) */
	size_t rec_line;  /* where the current record starts */
	size_t next_line; /* where the next record may start */
	json_t *cells;	  /* the current record's cells */
	json_t *records;  /* [{"line", "cells"}] */
	int too_many;	  /* more records than the ceiling */
};

/* The length of the first line of p[0..n) with its end (LF, CRLF, or a
 * CR alone: libcsv ends a record at each), or n when it has none. */
static size_t csv_line_len(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '\r')
			return i + 1 < n && p[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return n;
}

/* How many line ends p[0..n) holds. */
static size_t csv_line_ends(const char *p, size_t n)
{
	size_t k = 0, l;

	for (; n; p += l, n -= l) {
		l = csv_line_len(p, n);
		k += p[l - 1] == '\n' || p[l - 1] == '\r';
	}
	return k;
}

static void csv_cell_cb(void *s, size_t len, void *data)
{
	struct csv_read *r = data;
	const char *p = s ? s : "";
	size_t nl;

	if (!json_array_size(r->cells)) {
		nl = csv_line_ends(p, len);
		r->rec_line = r->line > nl ? r->line - nl : 1;
	}
	if (json_array_size(r->cells) <= CSV_MAX_FIELDS)
		json_array_append_new(r->cells, json_stringn_nocheck(p, len));
}

static void csv_record_cb(int c, void *data)
{
	struct csv_read *r = data;

	(void)c;
	if (json_array_size(r->records) > CSV_DEVICES_MAX_ROWS) {
		r->too_many = 1;
		json_array_clear(r->cells);
		return;
	}
	r->next_line = r->line + 1;
	/* the record takes the cells: a new array for the next one */
	json_array_append_new(r->records, json_pack("{sIso}", "line",
						    (json_int_t)r->rec_line,
						    "cells", r->cells));
	r->cells = json_array();
}

/* The records of buf, or NULL with err set. */
static json_t *csv_records(const char *buf, size_t len,
			   struct report_error *err)
{
	struct csv_parser p;
	struct csv_read r = {.line = 1, .rec_line = 1, .next_line = 1};
	size_t off = 0;
	int ok = 1;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		off = 3;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	r.cells = json_array();
	r.records = json_array();
	while (ok && off < len) {
		size_t n = csv_line_len(buf + off, len - off);
		char last = buf[off + n - 1];

		if (csv_parse(&p, buf + off, n, csv_cell_cb, csv_record_cb,
			      &r) != n)
			ok = 0;
		else {
			off += n;
			r.line += last == '\n' || last == '\r';
		}
	}
	if (ok && csv_fini(&p, csv_cell_cb, csv_record_cb, &r)) {
		snprintf(err->msg, sizeof(err->msg),
			 "line %zu: a quoted cell is never closed (its quote "
			 "is on line %zu or after)",
			 r.line, r.next_line);
		csv_free(&p);
		json_decref(r.cells);
		json_decref(r.records);
		return NULL;
	}
	if (!ok)
		snprintf(err->msg, sizeof(err->msg),
			 "line %zu: %s (a quote inside a quoted cell is "
			 "written twice: \"\"; a quoted cell ends with a "
			 "quote before the comma)",
			 r.line, csv_strerror(csv_error(&p)));
	else if (r.too_many)
		snprintf(err->msg, sizeof(err->msg),
			 "more than %d rows: split the file",
			 CSV_DEVICES_MAX_ROWS);
	csv_free(&p);
	json_decref(r.cells);
	if (!ok || r.too_many) {
		json_decref(r.records);
		return NULL;
	}
	return r.records;
}

/* name lower-cased and trimmed into out. */
static void csv_column_name(const char *name, char *out, size_t outlen)
{
	size_t n, i = 0;

	while (isspace((unsigned char)*name))
		name++;
	n = strlen(name);
	while (n && isspace((unsigned char)name[n - 1]))
		n--;
	for (; i < n && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[i] = '\0';
}

/* The index in csv_columns of column name, or -1. */
static int csv_column_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOLUMNS; i++)
		if (!strcmp(csv_columns[i].column, name))
			return (int)i;
	return -1;
}

void csv_devices_error(json_t *row, const char *column, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(
		json_object_get(row, "errors"),
		json_pack("{ssss}", "column", column, "message", msg));
}

/* A cell's text: a leading ' that the exporter put before = + - @ is
 * taken off. */
static const char *csv_cell_text(json_t *cell)
{
	const char *s = json_string_value(cell);

	if (!s)
		return "";
	if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
		return s + 1;
	return s;
}

/* One cell of column col (normalised) of kind
 * (csv_devices_column_kind()) into row. */
static void csv_row_cell(json_t *row, const char *col, int kind, const char *v)
{
	json_t *sys = json_object_get(row, "sys");
	char norm[64];
	long id;

	if (!*v)
		return;
	if (strlen(v) > CSV_DEVICES_MAX_VALUE ||
	    !util_utf8_valid(v, strlen(v))) {
		csv_devices_error(row, col,
				  "%s must be UTF-8 text of at most %d bytes",
				  col, CSV_DEVICES_MAX_VALUE);
		return;
	}
	if (kind == CSV_COLUMN_ORG) {
		json_object_set_new(row, "org", json_string(v));
	} else if (kind == CSV_COLUMN_ORG_ID) {
		if (util_parse_long(v, 1, INT64_MAX, &id) < 0)
			csv_devices_error(row, col,
					  "org_id must be an org's "
					  "number, not '%.64s'",
					  v);
		else
			json_object_set_new(row, "org_id", json_integer(id));
	} else if (kind == CSV_COLUMN_CUSTOM) {
		json_object_set_new(json_object_get(row, "custom"), col + 7,
				    json_string(v));
	} else {
		const char *field = csv_columns[kind].field;

		if (json_object_get(sys, field))
			return; /* an earlier column of the field won */
		if (!strcmp(field, "ip")) {
			if (report_normalise_ip(v, norm, sizeof(norm)) < 0) {
				csv_devices_error(
					row, col,
					"'%.64s' is not an IP address", v);
				return;
			}
			v = norm;
		} else if (!strcmp(field, "mac")) {
			if (report_normalise_mac(v, norm) < 0) {
				csv_devices_error(
					row, col,
					"'%.64s' is not a MAC address "
					"(6 bytes in hex: "
					"00:0c:29:aa:bb:01)",
					v);
				return;
			}
			v = norm;
		}
		json_object_set_new(sys, field, json_string(v));
	}
}

int csv_devices_column_kind(const char *name)
{
	int k = csv_column_find(name);

	if (k >= 0)
		return k;
	if (!strcmp(name, "org") || !strcmp(name, "org_name"))
		return CSV_COLUMN_ORG;
	if (!strcmp(name, "org_id"))
		return CSV_COLUMN_ORG_ID;
	if (!strncmp(name, "custom.", 7) && name[7])
		return CSV_COLUMN_CUSTOM;
	return CSV_COLUMN_UNKNOWN;
}

json_t *csv_devices_row(json_t *values, json_int_t line)
{
	json_t *row = json_pack("{sIs{}s{}s[]}", "line", line, "sys", "custom",
				"errors");
	const char *name;
	json_t *v;
	size_t i;

	/* the table's order, so that of two columns of one field the first
	 * listed there wins whatever the file's order */
	for (i = 0; i < NCOLUMNS; i++)
		if ((v = json_object_get(values, csv_columns[i].column)))
			csv_row_cell(row, csv_columns[i].column, (int)i,
				     json_string_value(v));
	json_object_foreach(values, name, v) {
		int kind = csv_devices_column_kind(name);

		if (kind < 0 && kind != CSV_COLUMN_UNKNOWN)
			csv_row_cell(row, name, kind, json_string_value(v));
	}
	for (i = 0; i < sizeof(identity_fields) / sizeof(identity_fields[0]);
	     i++)
		if (json_object_get(json_object_get(row, "sys"),
				    identity_fields[i]))
			break;
	if (i == sizeof(identity_fields) / sizeof(identity_fields[0]) &&
	    !json_array_size(json_object_get(row, "errors")))
		csv_devices_error(
			row, "hostname",
			"a device needs a hostname (or name), ip, mac, "
			"serial, fqdn or uuid to tell which one it is");
	return row;
}

/* One record as a row: its cells named by the header. */
static json_t *csv_row(json_t *rec, const int *kinds, json_t *names,
		       size_t ncols)
{
	json_t *cells = json_object_get(rec, "cells");
	json_t *values = json_object(), *row;
	size_t i;

	for (i = 0; i < ncols && i < json_array_size(cells); i++)
		if (kinds[i] != CSV_COLUMN_UNKNOWN)
			json_object_set_new(
				values,
				json_string_value(json_array_get(names, i)),
				json_string(csv_cell_text(
					json_array_get(cells, i))));
	row = csv_devices_row(values,
			      json_integer_value(json_object_get(rec, "line")));
	json_decref(values);
	if (json_array_size(cells) > ncols)
		csv_devices_error(
			row, "",
			"%zu cells, but the header names %zu "
			"columns (a cell with a comma must be quoted)",
			json_array_size(cells), ncols);
	return row;
}

json_t *csv_devices_read(const char *buf, size_t len, struct report_error *err)
{
	json_t *records = csv_records(buf, len, err), *header, *names = NULL;
	json_t *out = NULL, *used, *ignored, *rows, *rec;
	int kinds[CSV_MAX_FIELDS + 1];
	size_t i, ncols;
	int usable = 0;

	if (!records)
		return NULL;
	header = json_object_get(json_array_get(records, 0), "cells");
	ncols = json_array_size(header);
	if (!ncols) {
		snprintf(err->msg, sizeof(err->msg),
			 "the file is empty: the first line must name the "
			 "columns (hostname,ip,mac,...)");
		goto done;
	}
	if (ncols > CSV_MAX_FIELDS) {
		snprintf(err->msg, sizeof(err->msg),
			 "line 1: more than %d columns", CSV_MAX_FIELDS);
		goto done;
	}
	names = json_array();
	used = json_array();
	ignored = json_array();
	for (i = 0; i < ncols; i++) {
		char name[64];
		size_t j;

		csv_column_name(json_string_value(json_array_get(header, i)),
				name, sizeof(name));
		if (!util_utf8_valid(name, strlen(name))) {
			snprintf(err->msg, sizeof(err->msg),
				 "line 1: column %zu's name is not UTF-8",
				 i + 1);
			json_decref(used);
			json_decref(ignored);
			goto done;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(json_string_value(json_array_get(names, j)),
				    name))
				break;
		if (j < i && *name) {
			snprintf(err->msg, sizeof(err->msg),
				 "line 1: column '%.64s' is named twice", name);
			json_decref(used);
			json_decref(ignored);
			goto done;
		}
		json_array_append_new(names, json_string(name));
		kinds[i] = csv_devices_column_kind(name);
		if (kinds[i] == CSV_COLUMN_UNKNOWN) {
			json_array_append_new(ignored, json_string(name));
		} else {
			json_array_append_new(used, json_string(name));
			usable += kinds[i] >= 0;
		}
	}
	if (!usable) {
		snprintf(err->msg, sizeof(err->msg),
			 "line 1: no column netcensus knows (hostname, ip, "
			 "mac, serial, ...): is the first line the header?");
		json_decref(used);
		json_decref(ignored);
		goto done;
	}
	rows = json_array();
	json_array_foreach(records, i, rec) {
		if (i)
			json_array_append_new(
				rows, csv_row(rec, kinds, names, ncols));
	}
	out = json_pack("{soso so}", "columns", used, "ignored", ignored,
			"rows", rows);
done:
	json_decref(names);
	json_decref(records);
	return out;
}
