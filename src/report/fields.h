/*
 * fields: the device's own (sys) fields, described once — which are
 * columns of table device, which the store owns, which identify a device,
 * which hold IP addresses — and the one list of placeholder values that
 * identify nothing ("To be filled by O.E.M.", "localhost"), used by the
 * report normaliser and by intake's matching alike.
 *
 * This is a table of data (fields.c): a new field is a row.
 */
#ifndef NC_FIELDS_H
#define NC_FIELDS_H

enum field_flag {
	FIELD_COLUMN = 1 << 0,	 /* a column of table device (migration 1) */
	FIELD_OWNED = 1 << 1,	 /* set by the store; a report's is ignored */
	FIELD_IDENTITY = 1 << 2, /* placeholder values are dropped from it */
	FIELD_IP = 1 << 3,	 /* IP addresses (or comma-separated lists) */
};

struct field_def {
	const char *name;
	unsigned flags; /* enum field_flag */
};

/* The columns are the first FIELD_NCOLUMNS rows, in column order. */
#define FIELD_NCOLUMNS 28

/* All fields, terminated by an entry whose name is NULL. */
const struct field_def *fields_all(void);

/* 1 when the field called name has every flag in flags, else 0. */
int fields_has(const char *name, unsigned flags);

/* The i-th device column (0 <= i < FIELD_NCOLUMNS). */
const char *fields_column(int i);

/* 1 when s is (case-insensitively) a placeholder value, else 0. */
int fields_is_placeholder(const char *s);

#endif
