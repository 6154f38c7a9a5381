/*
 * /api/v1/locations: sites, buildings and rooms devices are in
 * (store_locations.h). Everyone may read the locations of their org
 * tree; org_admin and admin create, change and delete them. A device is
 * in a location when its "location" field names it; renaming a location
 * renames that field on the devices of its org, and a location that
 * devices still name cannot be deleted (409).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_locations.h"

#define LOC_NAME_MAX 200
#define LOC_TEXT_MAX 1000

const int64_t *api_scope(const struct request *rq, int *norgs)
{
	*norgs = rq->who.all_orgs ? 0 : rq->who.norgs;
	return rq->who.all_orgs ? NULL : rq->who.orgs;
}

/* 1 when key is one of the text fields. */
static int loc_text_field(const char *key)
{
	int i;

	for (i = 0; store_location_text_fields[i]; i++)
		if (!strcmp(store_location_text_fields[i], key))
			return 1;
	return 0;
}

/* Checks one member of a create or patch body; 0, or -1 after 400. */
static int loc_check_member(struct request *rq, const char *k, json_t *v,
			    int create)
{
	if (!strcmp(k, "name")) {
		const char *s = json_string_value(v);

		if (!s || !*s || strlen(s) > LOC_NAME_MAX)
			goto bad_name;
		return 0;
	}
	if (loc_text_field(k)) {
		if (json_is_null(v) ||
		    (json_is_string(v) &&
		     strlen(json_string_value(v)) <= LOC_TEXT_MAX))
			return 0;
		api_reply_error(rq, 400, k,
				"%s must be text of at most %d characters, "
				"or null",
				k, LOC_TEXT_MAX);
		return -1;
	}
	if (!strcmp(k, "latitude") || !strcmp(k, "longitude")) {
		double lim = k[1] == 'a' ? 90.0 : 180.0;

		if (json_is_null(v) ||
		    (json_is_number(v) && fabs(json_number_value(v)) <= lim))
			return 0;
		api_reply_error(rq, 400, k,
				"%s must be a number from -%g to %g, or null",
				k, lim, lim);
		return -1;
	}
	if (!strcmp(k, "org_id") && create)
		return 0;
	api_reply_error(rq, 400, k,
			"unknown field '%s'; a location has name, type, "
			"address, city, country, latitude, longitude, "
			"description%s",
			k, create ? ", org_id" : "");
	return -1;
bad_name:
	api_reply_error(rq, 400, "name", "name is required (1-%d characters)",
			LOC_NAME_MAX);
	return -1;
}

static int loc_check_body(struct request *rq, json_t *body, int create)
{
	const char *k;
	json_t *v;

	json_object_foreach(body, k, v)
		if (loc_check_member(rq, k, v, create) < 0)
			return -1;
	return 0;
}

/* The location in the path when the caller sees it; else replies 404
 * (or 500) and returns NULL. */
static json_t *loc_find(struct request *rq)
{
	int norgs, found = 0;
	const int64_t *orgs = api_scope(rq, &norgs);
	json_t *loc = store_location_get(rq->st, rq->params.id[0], orgs, norgs,
					 &found);

	if (!loc)
		api_reply_error(rq, found ? 500 : 404, NULL, "no location %lld",
				(long long)rq->params.id[0]);
	return loc;
}

int api_locations_list(struct request *rq)
{
	int norgs;
	const int64_t *orgs = api_scope(rq, &norgs);
	json_t *rows;

	if (!api_args_known(rq, NULL, NULL))
		return 0;
	rows = store_location_list(rq->st, orgs, norgs);
	if (!rows)
		return api_reply_error(rq, 500, NULL, "cannot read locations");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_location_get(struct request *rq)
{
	json_t *loc = loc_find(rq);

	return loc ? api_reply_json(rq, 200, loc) : 0;
}

int api_location_create(struct request *rq)
{
	json_t *body;
	int64_t org, id = 0;
	int norgs;
	const int64_t *orgs = api_scope(rq, &norgs);

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	if (!json_object_get(body, "name")) {
		api_reply_error(rq, 400, "name",
				"name is required (1-%d characters)",
				LOC_NAME_MAX);
		goto out;
	}
	if (loc_check_body(rq, body, 1) < 0 ||
	    api_body_org(rq, body, "org_id", &org) < 0)
		goto out;
	json_object_set_new(body, "org_id", json_integer(org));
	if (api_tx_begin(rq) < 0)
		goto out;
	if (store_location_find(
		    rq->st, org,
		    json_string_value(json_object_get(body, "name")),
		    &id) == 0 &&
	    id) {
		api_tx_end(rq);
		api_reply_error(
			rq, 409, "name",
			"location '%s' already exists in org %lld "
			"(id %lld)",
			json_string_value(json_object_get(body, "name")),
			(long long)org, (long long)id);
		goto out;
	}
	if (store_location_add(rq->st, body, &id) < 0) {
		api_tx_end(rq);
		api_reply_error(rq, 500, NULL, "cannot add the location");
		goto out;
	}
	if (api_tx_end(rq) < 0)
		goto out;
	api_reply_json(rq, 201,
		       store_location_get(rq->st, id, orgs, norgs, NULL));
out:
	json_decref(body);
	return 0;
}

int api_location_patch(struct request *rq)
{
	json_t *body = NULL, *loc;
	const char *name;
	int64_t other = 0;
	int norgs;
	const int64_t *orgs = api_scope(rq, &norgs);

	if (!(loc = loc_find(rq)))
		return 0;
	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)) ||
	    loc_check_body(rq, body, 0) < 0)
		goto out;
	name = json_string_value(json_object_get(body, "name"));
	if (api_tx_begin(rq) < 0)
		goto out;
	if (name &&
	    store_location_find(
		    rq->st, json_integer_value(json_object_get(loc, "org_id")),
		    name, &other) == 0 &&
	    other && other != rq->params.id[0]) {
		api_tx_end(rq);
		api_reply_error(rq, 409, "name",
				"another location is called '%s' (id %lld)",
				name, (long long)other);
		goto out;
	}
	if (store_location_update(rq->st, rq->params.id[0], body) < 0) {
		api_tx_end(rq);
		api_reply_error(rq, 500, NULL, "cannot change the location");
		goto out;
	}
	if (api_tx_end(rq) < 0)
		goto out;
	api_reply_json(rq, 200,
		       store_location_get(rq->st, rq->params.id[0], orgs, norgs,
					  NULL));
out:
	json_decref(body);
	json_decref(loc);
	return 0;
}

int api_location_delete(struct request *rq)
{
	json_t *loc;
	int64_t n;

	if (!(loc = loc_find(rq)))
		return 0;
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		goto out;
	n = json_integer_value(json_object_get(loc, "devices"));
	if (n > 0) {
		api_reply_error(
			rq, 409, NULL,
			"%lld devices are in location '%s': move them "
			"(PATCH /api/v1/devices/{id} location) first",
			(long long)n,
			json_string_value(json_object_get(loc, "name")));
		goto out;
	}
	if (store_location_delete(rq->st, rq->params.id[0]) < 0)
		api_reply_error(rq, 500, NULL, "cannot delete the location");
	else
		api_reply_text(rq, 204, "%s", "");
out:
	json_decref(loc);
	return 0;
}

/* GET /map: how the Locations page draws its map: the tile URL template
 * (config map_tiles; "none": no tiles, markers on a blank map) and the
 * attribution the tile server asks for. */
int api_map_get(struct request *rq)
{
	const char *tiles = rq->srv->cfg->map_tiles ? rq->srv->cfg->map_tiles
						    : SERVER_MAP_TILES;

	if (!strcmp(tiles, "none"))
		tiles = "";
	return api_reply_json(rq, 200,
			      json_pack("{ssss}", "tiles", tiles, "attribution",
					strstr(tiles, "openstreetmap.org")
						? "© OpenStreetMap contributors"
						: ""));
}
