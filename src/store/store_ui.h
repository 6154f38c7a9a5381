/*
 * store_ui: what the web UI's device and administration pages need from
 * the store beyond the generic lists (branch uidev, issue #18 items 4-5):
 *
 *  - one page of a device's component section, sorted by any field of its
 *    rows and paged in SQL, so a device with thousands of software rows
 *    is read 50 rows at a time;
 *  - per-user preferences (the device list's columns, ...): small JSON
 *    values by name, table user_pref of migration 11;
 *  - changing a user's role, org, enabled flag, full name and e-mail.
 *
 * jansson values returned are new references owned by the caller;
 * functions return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_UI_H
#define NC_STORE_UI_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define STORE_PREF_NAME_MAX 64	  /* [a-z0-9_.-] */
#define STORE_PREF_VALUE_MAX 8192 /* bytes of the compact JSON text */
#define STORE_PREF_COUNT_MAX 64	  /* preferences per user */
#define STORE_SECTION_FIELD_MAX 64

/* Which rows of a section a page holds. */
enum store_rows { STORE_ROWS_CURRENT, STORE_ROWS_RETIRED, STORE_ROWS_ALL };

/* Rows {id, section, key, current, first_seen, last_seen, data} of
 * device_id's section (only those whose JSON text — values and field
 * names — contains q, ignoring ASCII case, when q is not NULL or empty),
 * ordered by field (a member of the rows' data, or first_seen, last_seen; NULL
 * or "": the row key), descending when desc: numbers as numbers, addresses in
 * address order (field "ip" and names ending in "_ip"), the rest as text
 * ignoring case; limit rows from offset; *total is how many rows match in all.
 * field must be 1-63 of [A-Za-z0-9_] (checked: -1 otherwise). */
json_t *store_component_page(struct store *st, int64_t device_id,
			     const char *section, enum store_rows which,
			     const char *q, const char *field, int desc,
			     long limit, long offset, int64_t *total);

/* 1 when name is a valid preference name, else 0. */
int store_pref_name_ok(const char *name);
/* Every preference of user_id as one object {name: value}. */
json_t *store_pref_get_all(struct store *st, int64_t user_id);
/* Sets (value not NULL / not null) or removes one preference; refuses
 * (-1, logged with field "value") a value past STORE_PREF_VALUE_MAX and a
 * new name past STORE_PREF_COUNT_MAX. */
int store_pref_set(struct store *st, int64_t user_id, const char *name,
		   json_t *value);

/* Sets the members of fields that are present among role (text),
 * org_id (integer), enabled (0/1), full_name and email (text or null) of
 * user id; the caller has checked them. 0 or -1. */
int store_user_update(struct store *st, int64_t id, json_t *fields);

#endif
