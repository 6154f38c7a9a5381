/*
 * store_locations: the places devices are in (sites, buildings, rooms),
 * for the API's /api/v1/locations.
 *
 * A location belongs to an org and its name is unique in that org. A
 * device is in a location when its user field "location" holds the
 * location's name: the field stays free text (imports, audits and older
 * clients set it as text), and renaming a location renames the field of
 * the devices of its org that named it. Deleting a location leaves the
 * devices' text alone; the API refuses it while devices name it.
 *
 * A location object: {"id", "org_id", "name", "type", "address", "city",
 * "country", "latitude", "longitude", "description", "created",
 * "updated"}; lists add "devices", the number of devices in the scope
 * that name it. jansson values returned are new references owned by the
 * caller; functions return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_LOCATIONS_H
#define NC_STORE_LOCATIONS_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* The text fields a location has besides name (NULL-terminated). */
extern const char *const store_location_text_fields[];

/* Locations whose org is in org_ids (all when NULL), by name, each with
 * "devices" counted among devices of the same orgs. */
json_t *store_location_list(struct store *st, const int64_t *org_ids,
			    int norgs);
/* One location as in the list, or NULL (*found = 0 when absent). */
json_t *store_location_get(struct store *st, int64_t id, const int64_t *org_ids,
			   int norgs, int *found);
/* *id of the location called name in org_id, 0 when none. 0 or -1. */
int store_location_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id);
/* Adds loc ({"org_id", "name", and any of the text fields, "latitude",
 * "longitude"}; checked by the caller) and sets *id. 0 or -1. */
int store_location_add(struct store *st, json_t *loc, int64_t *id);
/* Sets the members of fields (name, the text fields, latitude, longitude;
 * null clears one) in one transaction; a new name is carried to the
 * devices of the location's org that named the old one. 0 or -1. */
int store_location_update(struct store *st, int64_t id, json_t *fields);
int store_location_delete(struct store *st, int64_t id);

#endif
