/*
 * SQLite side of store_attach.h: the set query of sqlite_attach_int.h,
 * for one device (the device endpoint) or many (the network picture).
 */
#include <stdlib.h>

#include "core/log.h"
#include "store/sqlite_api_int.h"
#include "store/sqlite_attach_int.h"
#include "store/store_attach.h"

json_t *sqlite_attachments(struct store *st, json_t *ids)
{
	static const char sql[] = ATTACH_SET("?");
	json_t *params = json_pack("[s]", ""), *rows;
	char *text = json_dumps(ids, JSON_COMPACT);

	json_array_set_new(params, 0, json_string(text ? text : "[]"));
	free(text);
	rows = sqlite_api_rows(st, sql, params);
	json_decref(params);
	return rows;
}

json_t *sqlite_device_attachment(struct store *st, int64_t id)
{
	json_t *ids = json_pack("[I]", (json_int_t)id), *rows, *row;

	rows = sqlite_attachments(st, ids);
	json_decref(ids);
	if (!rows)
		return NULL;
	row = json_array_get(rows, 0);
	if (row) {
		json_incref(row);
		json_object_del(row, "id");
		json_object_del(row, "pos");
	} else {
		row = json_null();
	}
	json_decref(rows);
	return row;
}
