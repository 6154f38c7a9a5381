/*
 * csv: JSON rows as CSV text (RFC 4180: every cell quoted, CRLF line ends),
 * the one writer behind the API's ?format=csv and mailed report
 * attachments, so both give the same bytes for the same rows.
 *
 * A cell starting with = + - @ TAB or CR gets a leading ' so that a
 * spreadsheet shows it instead of running it as a formula. Objects and
 * arrays are written as compact JSON, null as an empty cell.
 */
#ifndef NC_CSV_H
#define NC_CSV_H

#include <jansson.h>

#include "core/util.h"

/* Appends a header line and one line per row of rows (an array of
 * objects) to sb, in the order of columns (an array of names; NULL: the
 * keys of the first row). */
void csv_append_rows(struct strbuf *sb, json_t *rows, json_t *columns);

#endif
