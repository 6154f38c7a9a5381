/*
 * sql_ops: the store operations written once for every SQL engine with
 * the statement helper (db.h), named sql_ instead of store_. Both back
 * ends' tables (sqlite_ops.c, pg.c) point at them; everyone else calls
 * store_*().
 */
#ifndef NC_SQL_OPS_H
#define NC_SQL_OPS_H

#include "store/backend.h"

json_t *sql_counts(struct store *st);
int sql_org_find(struct store *st, const char *name, int64_t *id);
int sql_device_find(struct store *st, const char *const *fields,
		    const char *const *values, int n, int64_t *id);
int sql_match_fields(struct store *st, int64_t org_id,
		     const char *const *fields, const char *const *values,
		     int nfields, int64_t *ids, int max, int *n);
int sql_match_mac(struct store *st, int64_t org_id, const char *mac,
		  int64_t *ids, int max, int *n);
int sql_match_ip(struct store *st, int64_t org_id, const char *ip, int64_t *ids,
		 int max, int *n);
json_t *sql_device_get(struct store *st, int64_t id);
json_t *sql_device_list(struct store *st, int64_t limit, int64_t offset);
int sql_device_insert(struct store *st, int64_t org_id, json_t *sys,
		      const char *now, int64_t *id);
int sql_device_update(struct store *st, int64_t id, json_t *sys,
		      const char *now);
int sql_device_delete(struct store *st, int64_t id);
json_t *sql_component_list(struct store *st, int64_t device_id,
			   const char *section, int current_only);
json_t *sql_component_sections(struct store *st, int64_t device_id);
int sql_component_insert(struct store *st, int64_t device_id,
			 const char *section, const char *key, json_t *data,
			 const char *now);
int sql_component_update(struct store *st, int64_t component_id, json_t *data,
			 const char *now);
int sql_component_retire(struct store *st, int64_t component_id);
int sql_component_touch(struct store *st, int64_t device_id,
			const char *section, const char *now);
int sql_change_add(struct store *st, int64_t device_id, const char *section,
		   const char *action, const char *key, json_t *detail,
		   const char *now);
json_t *sql_change_list(struct store *st, int64_t device_id, int64_t limit);
int sql_audit_add(struct store *st, const struct store_audit *a,
		  const char *now);
int sql_audit_add_id(struct store *st, const struct store_audit *a,
		     const char *now, int64_t *id);
int sql_audit_set_message(struct store *st, int64_t id, const char *message);
json_t *sql_audit_list(struct store *st, int64_t limit);

/* The members of struct store_ops these fill, for every SQL back end's
 * table (sqlite_ops.c, pg.c): an operation ported to the statement helper
 * moves here, and both engines have it. */
/* clang-format off */
#define SQL_OPS \
	.counts = sql_counts, \
	.org_find = sql_org_find, \
	.device_find = sql_device_find, \
	.match_fields = sql_match_fields, \
	.match_mac = sql_match_mac, \
	.match_ip = sql_match_ip, \
	.device_get = sql_device_get, \
	.device_list = sql_device_list, \
	.device_insert = sql_device_insert, \
	.device_update = sql_device_update, \
	.device_delete = sql_device_delete, \
	.component_list = sql_component_list, \
	.component_sections = sql_component_sections, \
	.component_insert = sql_component_insert, \
	.component_update = sql_component_update, \
	.component_retire = sql_component_retire, \
	.component_touch = sql_component_touch, \
	.change_add = sql_change_add, \
	.change_list = sql_change_list, \
	.audit_add = sql_audit_add, \
	.audit_add_id = sql_audit_add_id, \
	.audit_set_message = sql_audit_set_message, \
	.audit_list = sql_audit_list
/* clang-format on */

#endif
