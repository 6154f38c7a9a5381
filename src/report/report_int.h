/*
 * report_int: helpers shared by the files of the report module only
 * (report.c, oa_xml.c, oa_json.c). Not part of the module's contract.
 */
#ifndef NC_REPORT_INT_H
#define NC_REPORT_INT_H

#include <stddef.h>
#include <jansson.h>

#include "report/report.h"

/* Sets err->msg (err may be NULL) and logs it at debug level: the caller
 * that owns the input reports it to the user, once. */
void report_fail(struct report_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets err->msg to "<prefix>"<name>" is not a valid <what> name (...)",
 * the one wording for every bad section or field name. */
/* "section NAME: N rows, the limit is ..." (the configured ceiling). */
void report_rows_fail(struct report_error *err, const char *section, size_t n);
void report_fail_name(struct report_error *err, const char *prefix,
		      const char *what, const char *name);

/* Copies untrusted text for an error message: at most outlen-1 bytes,
 * control characters and bytes past 64 characters replaced or cut. */
void report_quote(const char *in, char *out, size_t outlen);

/* Adds "report_version" and "source" {name, format, time} to rep, taking
 * the name from sys (last_seen_by, the audit script for os_group, else
 * "open-audit") and the time from sys.timestamp or sys.last_seen. */
void report_set_source(json_t *rep, json_t *sys, const char *format);

/* Parses the text of `netstat -tulpn` (Linux) or `netstat -abno`
 * (Windows) into netstat rows {protocol, ip, port, program} appended to
 * rows. Lines that are not listening sockets are skipped. */
void report_netstat_parse(const char *text, size_t len, json_t *rows);

#endif
