/*
 * store_data: data management beside intake — custom fields an admin
 * defines and their values per device, and bulk edits of a device
 * selection (branch uidata, migration 10; docs/api.md "Data management").
 *
 * A custom field has a name (1-32 of a-z 0-9 _, starting with a letter),
 * a label, a type (text, number, date, list) and, for a list, its allowed
 * values. It is global (org_id null: every device) or belongs to an org
 * and applies to the devices of that org and the orgs below it. Two
 * fields that could apply to one device never share a name, so a device
 * has at most one field of a name, and custom.NAME in a filter is
 * unambiguous. Values are stored as text: a number in canonical form
 * ("12.5"), a date as YYYY-MM-DD, a list value exactly as allowed.
 *
 * A field object: {"id", "org_id", "name", "label", "type", "allowed",
 * "created", "updated"}. jansson values returned are new references
 * owned by the caller; functions return 0 / -1 (or NULL) and log the
 * reason once.
 */
#ifndef NC_STORE_DATA_H
#define NC_STORE_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define STORE_CUSTOM_NAME_MAX 32
#define STORE_CUSTOM_VALUE_MAX 1024
#define STORE_CUSTOM_ALLOWED_MAX 200 /* values of a list */

/* 1 when name is a valid custom field name (see above). */
int store_custom_name_ok(const char *name);

/* Checks in against field (an object as above) and writes the value to
 * store into out. 0, or -1 with why set ("rack must be one of R1, R2"). */
int store_custom_value_check(json_t *field, const char *in, char *out,
			     size_t outlen, char *why, size_t whylen);

/* The fields that apply to devices of org_id's tree or of its ancestors
 * (what a caller of org_id sees); every field when org_id is 0. By
 * name. */
json_t *store_custom_field_list(struct store *st, int64_t org_id);
/* One field, or NULL (*found = 0 when absent). */
json_t *store_custom_field_get(struct store *st, int64_t id, int *found);
/* The field called name that applies to devices of org_id, or NULL
 * (*found = 0 when none). */
json_t *store_custom_field_for_org(struct store *st, int64_t org_id,
				   const char *name, int *found);
/* *clash = 1 when a field called name could apply to a device together
 * with one of org_id (0: global); except_id is left out (an update). */
int store_custom_field_clash(struct store *st, int64_t org_id, const char *name,
			     int64_t except_id, int *clash);
/* Adds f ({"org_id" (null: global), "name", "label", "type",
 * "allowed"}; checked by the caller), sets *id. */
int store_custom_field_add(struct store *st, json_t *f, int64_t *id);
/* Sets label and allowed (either may be absent). */
int store_custom_field_update(struct store *st, int64_t id, json_t *f);
/* Deletes the field and every value of it. */
int store_custom_field_delete(struct store *st, int64_t id);

/* {"NAME": "value", ...} of device id. */
json_t *store_custom_values(struct store *st, int64_t device_id);
/* Sets (value not NULL) or clears field_id of device_id; *changed = 1
 * when the value changed, and with log_change a "custom" change-log row
 * is written then (key: the field's name, detail {from, to}; none for a
 * device just created, as intake does). Call it inside a transaction of
 * the caller's. */
int store_custom_set(struct store *st, int64_t device_id, int64_t field_id,
		     const char *name, const char *value, const char *now,
		     int log_change, int *changed);
/* Adds to each row of rows (device objects with "id") a member
 * "custom.NAME" per value it has (for CSV exports). */
int store_custom_attach(struct store *st, json_t *rows);

/* The ids of the devices in org_ids (all when NULL) among ids, into
 * *found (an array of integers, in the order given, without repeats). */
int store_devices_in_orgs(struct store *st, json_t *ids, const int64_t *org_ids,
			  int norgs, json_t **found);
/* Sets the members of set on device id, inside the caller's transaction:
 * "status", "location", "tags" (strings, null clears), "tags_add" /
 * "tags_remove" (arrays of tags merged into the comma-separated tags)
 * and "org_id" (an integer the caller has checked; the device's values
 * of custom fields that do not apply in that org are deleted). One "sys"
 * change-log row {from, to} when something changed; *changed = 1 then. */
int store_device_bulk_set(struct store *st, int64_t id, json_t *set,
			  const char *now, int *changed);

/* *id of the org called name, 0 when none (quietly: for input checks). */
int store_org_lookup(struct store *st, const char *name, int64_t *id);

#endif
