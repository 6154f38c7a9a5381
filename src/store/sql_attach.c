/*
 * sql_attach.c: store_attach.h for every SQL engine: the set query of
 * sql_attach_int.h, for one device (the device endpoint) or many (the
 * network picture).
 */
#include <stdlib.h>

#include "core/log.h"
#include "store/sql_api_int.h"
#include "store/sql_attach_int.h"
#include "store/sql_ops.h"
#include "store/store_attach.h"

json_t *sql_attachments(struct store *st, json_t *ids)
{
	static const char sql[] = ATTACH_SET("?1");
	json_t *params = json_pack("[s]", ""), *rows;
	char *text = json_dumps(ids, JSON_COMPACT);

	json_array_set_new(params, 0, json_string(text ? text : "[]"));
	free(text);
	rows = sql_api_rows(st, sql, params);
	json_decref(params);
	return rows;
}

json_t *sql_device_attachment(struct store *st, int64_t id)
{
	json_t *ids = json_pack("[I]", (json_int_t)id), *rows, *row;

	rows = sql_attachments(st, ids);
	json_decref(ids);
	if (!rows)
		return NULL;
	row = json_array_get(rows, 0);
	if (row) {
		json_incref(row);
		json_object_del(row, "id");
	} else {
		row = json_null();
	}
	json_decref(rows);
	return row;
}
