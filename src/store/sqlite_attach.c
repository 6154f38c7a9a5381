/*
 * SQLite side of store_attach.h: one query, the SQL of
 * sqlite_attach_int.h.
 */
#include "core/log.h"
#include "store/sqlite_api_int.h"
#include "store/sqlite_attach_int.h"
#include "store/store_attach.h"

json_t *sqlite_device_attachment(struct store *st, int64_t id)
{
	static const char sql[] = ATTACH_BEST(
		"a.switch_id, a.switch_name AS switch, a.switch_ip, a.port,"
		" a.net_index, a.port_name, a.vlan, a.mac, a.port_macs,"
		" a.seen",
		"?1", "(SELECT d1.org_id FROM device d1 WHERE d1.id = ?1)");
	json_t *params = json_pack("[I]", (json_int_t)id), *rows, *row;

	rows = sqlite_api_rows(st, sql, params);
	json_decref(params);
	if (!rows)
		return NULL;
	row = json_array_size(rows) ? json_incref(json_array_get(rows, 0))
				    : json_null();
	json_decref(rows);
	return row;
}
