/*
 * import: device rows (csv_devices.h; the API's manual create makes one)
 * stored through intake, all in one transaction (a store batch): every
 * row is matched and stored as an audit would be — the match rules
 * inside the row's org tree, the change log for a device seen before,
 * an audit-log row each — and its custom fields set. When any row has
 * an error, or on a dry run, the whole batch is rolled back: nothing of
 * the file is stored, and the result still says, per row, what would
 * have been created or updated (and by which match rule) or what is
 * wrong, with the column at fault.
 *
 * The result, a new reference:
 *   {"dry_run": bool, "stored": bool, "created": N, "updated": N,
 *    "errors": N (rows with errors),
 *    "rows": [{"line", "action": "create"|"update"|"error",
 *              "device_id" (an update, or a stored create), "rule",
 *              "hostname", "ip", "errors": [{"column", "message"}]}]}
 */
#ifndef NC_IMPORT_H
#define NC_IMPORT_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

struct import_opts {
	int64_t org_id;		/* where a row without org goes */
	const int64_t *org_ids; /* the orgs rows may name (NULL: all) */
	int norgs;
	int dry_run;
	const char *source; /* for the audit log: who imports */
	const char *format; /* "csv", "api" */
};

/* Stores rows (an array as in csv_devices.h's "rows"). NULL only when the
 * database fails before any row (logged). */
json_t *import_devices(struct store *st, json_t *rows,
		       const struct import_opts *o);

#endif
