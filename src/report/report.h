/*
 * report: the device report, netcensus's one currency.
 *
 * A device report is a JSON object (a jansson json_t owned by the caller):
 *
 *   { "report_version": 1,
 *     "source": { "name": "audit_linux", "format": "openaudit-xml",
 *                 "time": "2026-11-26 12:00:00" },
 *     "sys": { "hostname": "...", "uuid": "...", ... },
 *     "software": [ { "name": "...", "version": "..." }, ... ],
 *     "ports": [ { "protocol": "tcp", "port": "22", "state": "open" } ],
 *     ... one array of row objects per component section ... }
 *
 * After report_validate() every sys field and every row field is a string
 * (numbers and booleans are converted, nulls dropped), IP addresses are
 * normalised (Open-AudIT's 192.168.001.007 becomes 192.168.1.7), MAC
 * addresses are lower-case colon form, section names are canonical (aliases
 * such as "shares" or "nmap" are renamed), and every ceiling below holds.
 * A section that is present and non-empty is a full report of that section;
 * an absent or empty one says nothing. docs/device-report.md is the user's
 * description of the format.
 */
#ifndef NC_REPORT_H
#define NC_REPORT_H

#include <stddef.h>
#include <jansson.h>

#define REPORT_VERSION 1
#define REPORT_MAX_BYTES (64u * 1024 * 1024) /* whole input file */
#define REPORT_MAX_FIELD (64u * 1024)	     /* one field value */
#define REPORT_MAX_ROWS 100000		     /* rows in one section */
#define REPORT_MAX_TOTAL_ROWS 1000000	     /* rows in all sections */
#define REPORT_MAX_SECTIONS 200
#define REPORT_MAX_FIELDS 400 /* fields in one row or in sys */

/* The ceilings report_parse() and report_validate() enforce, so that a
 * report too large to store in a few seconds is refused before any store
 * work. Each is at most the REPORT_MAX_ value of its name; the defaults
 * are REPORT_DEFAULT_*, and the environment variables
 * NETCENSUS_REPORT_MAX_BYTES, NETCENSUS_REPORT_MAX_ROWS and
 * NETCENSUS_REPORT_MAX_TOTAL_ROWS lower or raise them up to those (read
 * once, at first use; a bad value is logged and ignored). */
#define REPORT_DEFAULT_TOTAL_ROWS 100000
struct report_limits {
	size_t max_bytes;      /* the whole document */
	size_t max_rows;       /* rows in one section */
	size_t max_total_rows; /* rows in all sections together */
};
/* The ceilings in force (never NULL). */
const struct report_limits *report_limits(void);
/* Replaces them (values above the REPORT_MAX_ ones are clamped). */
void report_limits_set(const struct report_limits *l);

enum report_format {
	REPORT_FMT_UNKNOWN = 0,
	REPORT_FMT_NETCENSUS, /* our own JSON device report */
	REPORT_FMT_OA_XML,    /* audit_linux.sh, audit_windows.vbs, ... */
	REPORT_FMT_OA_JSON,   /* audit_windows.ps1, collectors, OA exports */
};

/* A precise reason for a rejection: "line 12: ..." or "field sys.ip: ...". */
struct report_error {
	char msg[512];
};

/* "netcensus", "openaudit-xml", "openaudit-json" or "unknown". */
const char *report_format_name(enum report_format fmt);

/* Detects the format from the content, converts and validates. Returns a
 * new report owned by the caller, or NULL with err->msg set; *fmt (may be
 * NULL) receives the detected format either way. */
json_t *report_parse(const char *buf, size_t len, enum report_format *fmt,
		     struct report_error *err);

/* Open-AudIT XML (<system><sys>..</sys><software><item>..) to a report. */
json_t *report_from_oa_xml(const char *buf, size_t len,
			   struct report_error *err);

/* Open-AudIT JSON (an object with "sys" and section arrays) to a report.
 * Does not take ownership of root. */
json_t *report_from_oa_json(json_t *root, struct report_error *err);

/* Checks types and ceilings and normalises in place (see above). 0 or -1
 * with err->msg naming the field. */
int report_validate(json_t *report, struct report_error *err);

/* Normalises an IPv4/IPv6 text address into out (zero padding removed,
 * IPv6 compressed). 0, or -1 when it is not an address. */
int report_normalise_ip(const char *in, char *out, size_t outlen);

/* Normalises a MAC address to "aa:bb:cc:dd:ee:ff". 0 or -1. */
int report_normalise_mac(const char *in, char out[18]);

#endif
