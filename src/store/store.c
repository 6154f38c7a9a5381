/*
 * store: the public store functions, each a dispatch to the handle's back
 * end (backend.h), and the choice of back end by the database URL.
 *
 * store_open() picks the back end by the URL's prefix: "postgresql://"
 * and "postgres://" name PostgreSQL (pg.c), a file path or "sqlite:PATH"
 * names SQLite. Everything else here is one line per operation, which a
 * back end that has not got it yet refuses (STORE_HAS); functions that
 * return nothing accept NULL.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"

static char store_owner[128];
static pthread_once_t store_owner_once = PTHREAD_ONCE_INIT;

static void store_owner_make(void)
{
	char host[64] = "";
	unsigned char r[6];
	char hex[sizeof(r) * 2 + 1];

	gethostname(host, sizeof(host) - 1);
	if (sodium_init() < 0)
		log_warn("libsodium did not start: lease owner ids may repeat");
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(store_owner, sizeof(store_owner), "%s:%ld:%s",
		 host[0] ? host : "localhost", (long)getpid(), hex);
}

const char *store_lease_owner(void)
{
	pthread_once(&store_owner_once, store_owner_make);
	return store_owner;
}

void store_lease_time(int s, char out[20])
{
	const char *pin = getenv("NETCENSUS_NOW");
	time_t now = time(NULL);
	struct tm tm;

	/* one clock with util_now(): a test that pins the time drives the
	 * leases' expiry too, without waiting for them */
	memset(&tm, 0, sizeof(tm));
	if (pin && strlen(pin) == 19 &&
	    sscanf(pin, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		now = timegm(&tm);
	}
	util_time_format(now + s, out);
}

int store_missing(struct store *st, const char *op)
{
	log_err("not yet on %s: %s (this back end does not have the "
		"operation)",
		st->ops->name, op);
	return 0;
}

/* Whether st's back end has the operation op (a member of struct
 * store_ops left NULL is one it does not have yet): callers get the
 * failure they already handle, with the reason logged, never a crash. */
#define STORE_HAS(st, op) ((st)->ops->op || store_missing((st), #op))

char *store_url_shown(const char *url)
{
	const char *at = strchr(url, '@'), *scheme = strstr(url, "://");
	const char *colon, *pw;
	struct strbuf out;

	strbuf_init(&out, 0);
	if (!scheme)
		return xstrdup(url); /* a file path */
	colon = strchr(scheme + 3, ':');
	if (at && at > scheme && colon && colon < at &&
	    !memchr(scheme + 3, '/', (size_t)(at - scheme - 3))) {
		strbuf_append(&out, url, (size_t)(colon - url));
		strbuf_puts(&out, ":***");
		url = at;
	}
	pw = strstr(url, "password=");
	/* the parameter, not the end of another one's name */
	while (pw && pw[-1] != '?' && pw[-1] != '&')
		pw = strstr(pw + 1, "password=");
	if (pw) {
		strbuf_append(&out, url, (size_t)(pw - url));
		strbuf_puts(&out, "password=***");
		pw += strlen("password=");
		url = pw + strcspn(pw, "&");
	}
	strbuf_puts(&out, url);
	return out.data ? out.data : xstrdup("");
}

static const struct {
	const char *prefix;
	const struct store_ops *ops; /* NULL: not in this build */
	const char *name;
} store_backends[] = {
	{"postgresql://", &pg_store_ops, "PostgreSQL"},
	{"postgres://", &pg_store_ops, "PostgreSQL"},
	{"sqlite:", &sqlite_store_ops, "SQLite"},
};

static _Thread_local int store_unreachable;

struct store *store_open(const char *url)
{
	const struct store_ops *ops = &sqlite_store_ops; /* a bare path */
	size_t i;

	if (!url || !*url) {
		log_err("no database given: pass --db PATH or set "
			"NETCENSUS_DB");
		return NULL;
	}
	for (i = 0; i < sizeof(store_backends) / sizeof(store_backends[0]);
	     i++) {
		const char *p = store_backends[i].prefix;

		if (strncmp(url, p, strlen(p)))
			continue;
		ops = store_backends[i].ops;
		if (!ops) {
			log_err("%s: the %s back end is not built yet; give "
				"--db a SQLite file path",
				url, store_backends[i].name);
			return NULL;
		}
		break;
	}
	store_unreachable = 0;
	return ops->open(url);
}

void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

void store_set_wait(struct store *st, int wait)
{
	if (st)
		st->ops->set_wait(st, wait);
}

void store_interrupt(struct store *st)
{
	if (st)
		st->ops->interrupt(st);
}

int store_ready(struct store *st)
{
	return st && st->ops->ready ? st->ops->ready(st) : 0;
}

unsigned store_lost(struct store *st)
{
	return st && st->ops->lost ? st->ops->lost(st) : 0;
}

int store_open_unavailable(void)
{
	return store_unreachable;
}

void store_set_open_unavailable(int yes)
{
	store_unreachable = yes;
}

int store_db_version(struct store *st)
{
	return STORE_HAS(st, db_version) ? st->ops->db_version(st) : -1;
}

int store_begin(struct store *st)
{
	return STORE_HAS(st, begin) ? st->ops->begin(st) : -1;
}

int store_commit(struct store *st)
{
	return STORE_HAS(st, commit) ? st->ops->commit(st) : -1;
}

int store_rollback(struct store *st)
{
	return STORE_HAS(st, rollback) ? st->ops->rollback(st) : -1;
}

int store_begin_keyed(struct store *st, const char *const *keys, size_t n,
		      const char *const *shared, size_t nshared)
{
	if (st->ops->begin_keyed)
		return st->ops->begin_keyed(st, keys, n, shared, nshared);
	return store_begin(st);
}

int store_lock_key(struct store *st, const char *key)
{
	return st && st->ops->lock_key ? st->ops->lock_key(st, key) : 0;
}

int store_retryable(struct store *st)
{
	return st && st->ops->retryable ? st->ops->retryable(st) : 0;
}

int store_batch_begin(struct store *st)
{
	return STORE_HAS(st, batch_begin) ? st->ops->batch_begin(st) : -1;
}

int store_batch_commit(struct store *st)
{
	return STORE_HAS(st, batch_commit) ? st->ops->batch_commit(st) : -1;
}

void store_batch_rollback(struct store *st)
{
	if (st && STORE_HAS(st, batch_rollback))
		st->ops->batch_rollback(st);
}

int store_check(struct store *st)
{
	return STORE_HAS(st, check) ? st->ops->check(st) : -1;
}

json_t *store_counts(struct store *st)
{
	return STORE_HAS(st, counts) ? st->ops->counts(st) : NULL;
}

int store_org_find(struct store *st, const char *name, int64_t *id)
{
	return STORE_HAS(st, org_find) ? st->ops->org_find(st, name, id) : -1;
}

int store_org_add(struct store *st, const char *name, int64_t parent_id,
		  int64_t *id)
{
	return STORE_HAS(st, org_add)
		       ? st->ops->org_add(st, name, parent_id, id)
		       : -1;
}

json_t *store_org_list(struct store *st)
{
	return STORE_HAS(st, org_list) ? st->ops->org_list(st) : NULL;
}

int store_org_is_root(struct store *st, int64_t org_id)
{
	return STORE_HAS(st, org_is_root) ? st->ops->org_is_root(st, org_id)
					  : -1;
}

int store_device_find(struct store *st, const char *const *fields,
		      const char *const *values, int n, int64_t *id)
{
	return STORE_HAS(st, device_find)
		       ? st->ops->device_find(st, fields, values, n, id)
		       : -1;
}

int store_match_fields(struct store *st, int64_t org_id,
		       const char *const *fields, const char *const *values,
		       int nfields, int64_t *ids, int max, int *n)
{
	return STORE_HAS(st, match_fields)
		       ? st->ops->match_fields(st, org_id, fields, values,
					       nfields, ids, max, n)
		       : -1;
}

int store_match_mac(struct store *st, int64_t org_id, const char *mac,
		    int64_t *ids, int max, int *n)
{
	return STORE_HAS(st, match_mac)
		       ? st->ops->match_mac(st, org_id, mac, ids, max, n)
		       : -1;
}

int store_match_ip(struct store *st, int64_t org_id, const char *ip,
		   int64_t *ids, int max, int *n)
{
	return STORE_HAS(st, match_ip)
		       ? st->ops->match_ip(st, org_id, ip, ids, max, n)
		       : -1;
}

json_t *store_device_get(struct store *st, int64_t id)
{
	return STORE_HAS(st, device_get) ? st->ops->device_get(st, id) : NULL;
}

json_t *store_device_list(struct store *st, int64_t limit, int64_t offset)
{
	return STORE_HAS(st, device_list)
		       ? st->ops->device_list(st, limit, offset)
		       : NULL;
}

int store_device_insert(struct store *st, int64_t org_id, json_t *sys,
			const char *now, int64_t *id)
{
	return STORE_HAS(st, device_insert)
		       ? st->ops->device_insert(st, org_id, sys, now, id)
		       : -1;
}

int store_device_update(struct store *st, int64_t id, json_t *sys,
			const char *now)
{
	return STORE_HAS(st, device_update)
		       ? st->ops->device_update(st, id, sys, now)
		       : -1;
}

int store_device_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, device_delete) ? st->ops->device_delete(st, id)
					    : -1;
}

json_t *store_component_list(struct store *st, int64_t device_id,
			     const char *section, int current_only)
{
	return STORE_HAS(st, component_list)
		       ? st->ops->component_list(st, device_id, section,
						 current_only)
		       : NULL;
}

json_t *store_component_sections(struct store *st, int64_t device_id)
{
	return STORE_HAS(st, component_sections)
		       ? st->ops->component_sections(st, device_id)
		       : NULL;
}

int store_component_insert(struct store *st, int64_t device_id,
			   const char *section, const char *key, json_t *data,
			   const char *now)
{
	return STORE_HAS(st, component_insert)
		       ? st->ops->component_insert(st, device_id, section, key,
						   data, now)
		       : -1;
}

int store_component_update(struct store *st, int64_t component_id, json_t *data,
			   const char *now)
{
	return STORE_HAS(st, component_update)
		       ? st->ops->component_update(st, component_id, data, now)
		       : -1;
}

int store_component_retire(struct store *st, int64_t component_id)
{
	return STORE_HAS(st, component_retire)
		       ? st->ops->component_retire(st, component_id)
		       : -1;
}

int store_component_touch(struct store *st, int64_t device_id,
			  const char *section, const char *now)
{
	return STORE_HAS(st, component_touch)
		       ? st->ops->component_touch(st, device_id, section, now)
		       : -1;
}

int store_change_add(struct store *st, int64_t device_id, const char *section,
		     const char *action, const char *key, json_t *detail,
		     const char *now)
{
	return STORE_HAS(st, change_add)
		       ? st->ops->change_add(st, device_id, section, action,
					     key, detail, now)
		       : -1;
}

json_t *store_change_list(struct store *st, int64_t device_id, int64_t limit)
{
	return STORE_HAS(st, change_list)
		       ? st->ops->change_list(st, device_id, limit)
		       : NULL;
}

int store_audit_add(struct store *st, const struct store_audit *a,
		    const char *now)
{
	return STORE_HAS(st, audit_add) ? st->ops->audit_add(st, a, now) : -1;
}

int store_audit_add_id(struct store *st, const struct store_audit *a,
		       const char *now, int64_t *id)
{
	return STORE_HAS(st, audit_add_id)
		       ? st->ops->audit_add_id(st, a, now, id)
		       : -1;
}

int store_audit_set_message(struct store *st, int64_t id, const char *message)
{
	return STORE_HAS(st, audit_set_message)
		       ? st->ops->audit_set_message(st, id, message)
		       : -1;
}

json_t *store_audit_list(struct store *st, int64_t limit)
{
	return STORE_HAS(st, audit_list) ? st->ops->audit_list(st, limit)
					 : NULL;
}

int store_user_add(struct store *st, const char *name, const char *role,
		   int64_t org_id, const char *password)
{
	return STORE_HAS(st, user_add)
		       ? st->ops->user_add(st, name, role, org_id, password)
		       : -1;
}

int store_user_set_password(struct store *st, const char *name,
			    const char *password)
{
	return STORE_HAS(st, user_set_password)
		       ? st->ops->user_set_password(st, name, password)
		       : -1;
}

int store_user_password_stamp(struct store *st, const char *name,
			      char stamp[65])
{
	return STORE_HAS(st, user_password_stamp)
		       ? st->ops->user_password_stamp(st, name, stamp)
		       : -1;
}

int store_user_verify(struct store *st, const char *name, const char *password)
{
	return STORE_HAS(st, user_verify)
		       ? st->ops->user_verify(st, name, password)
		       : -1;
}

json_t *store_user_list(struct store *st)
{
	return STORE_HAS(st, user_list) ? st->ops->user_list(st) : NULL;
}

json_t *store_user_get(struct store *st, const char *name)
{
	return STORE_HAS(st, user_get) ? st->ops->user_get(st, name) : NULL;
}

int store_token_create(struct store *st, const char *user, const char *label,
		       char **token)
{
	return STORE_HAS(st, token_create)
		       ? st->ops->token_create(st, user, label, token)
		       : -1;
}

char *store_token_user(struct store *st, const char *token)
{
	return STORE_HAS(st, token_user) ? st->ops->token_user(st, token)
					 : NULL;
}

int store_token_revoke(struct store *st, int64_t id)
{
	return STORE_HAS(st, token_revoke) ? st->ops->token_revoke(st, id) : -1;
}

json_t *store_token_list(struct store *st)
{
	return STORE_HAS(st, token_list) ? st->ops->token_list(st) : NULL;
}

int store_credential_add(struct store *st, json_t *cred, int64_t *id)
{
	return STORE_HAS(st, credential_add)
		       ? st->ops->credential_add(st, cred, id)
		       : -1;
}

int store_credential_update(struct store *st, int64_t id, json_t *cred)
{
	return STORE_HAS(st, credential_update)
		       ? st->ops->credential_update(st, id, cred)
		       : -1;
}

json_t *store_credential_list(struct store *st)
{
	return STORE_HAS(st, credential_list) ? st->ops->credential_list(st)
					      : NULL;
}

json_t *store_credential_get_secret(struct store *st, int64_t id)
{
	return STORE_HAS(st, credential_get_secret)
		       ? st->ops->credential_get_secret(st, id)
		       : NULL;
}

int store_credential_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, credential_delete)
		       ? st->ops->credential_delete(st, id)
		       : -1;
}

json_t *store_api_list(struct store *st, enum store_api_res res,
		       const struct store_query *q, int64_t *count)
{
	return STORE_HAS(st, api_list) ? st->ops->api_list(st, res, q, count)
				       : NULL;
}

int store_api_list_json(struct store *st, enum store_api_res res,
			const struct store_query *q, int64_t *count,
			struct strbuf *out)
{
	return STORE_HAS(st, api_list_json)
		       ? st->ops->api_list_json(st, res, q, count, out)
		       : -1;
}

int store_api_tune(struct store *st)
{
	/* a back end without it has nothing to tune */
	return st->ops->api_tune ? st->ops->api_tune(st) : 0;
}

json_t *store_api_org_tree(struct store *st, int64_t org_id)
{
	return STORE_HAS(st, api_org_tree) ? st->ops->api_org_tree(st, org_id)
					   : NULL;
}

int store_api_org_count(struct store *st, int64_t *n)
{
	return STORE_HAS(st, api_org_count) ? st->ops->api_org_count(st, n)
					    : -1;
}

json_t *store_api_org_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, api_org_get) ? st->ops->api_org_get(st, id, found)
					  : NULL;
}

json_t *store_api_user_get(struct store *st, const char *name)
{
	return STORE_HAS(st, api_user_get) ? st->ops->api_user_get(st, name)
					   : NULL;
}

json_t *store_api_user_get_id(struct store *st, int64_t id)
{
	return STORE_HAS(st, api_user_get_id) ? st->ops->api_user_get_id(st, id)
					      : NULL;
}

int store_api_user_count(struct store *st, int64_t *n)
{
	return STORE_HAS(st, api_user_count) ? st->ops->api_user_count(st, n)
					     : -1;
}

json_t *store_api_user_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, api_user_list)
		       ? st->ops->api_user_list(st, org_ids, norgs)
		       : NULL;
}

int store_api_user_touch_login(struct store *st, int64_t id, const char *now)
{
	return STORE_HAS(st, api_user_touch_login)
		       ? st->ops->api_user_touch_login(st, id, now)
		       : -1;
}

int store_api_user_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, api_user_delete) ? st->ops->api_user_delete(st, id)
					      : -1;
}

json_t *store_api_token_list(struct store *st, int64_t user_id,
			     const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, api_token_list)
		       ? st->ops->api_token_list(st, user_id, org_ids, norgs)
		       : NULL;
}

int store_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			  int64_t *org_id)
{
	return STORE_HAS(st, api_token_owner)
		       ? st->ops->api_token_owner(st, id, user_id, org_id)
		       : -1;
}

char *store_api_token_check(struct store *st, const char *token,
			    int64_t *token_id)
{
	return STORE_HAS(st, api_token_check)
		       ? st->ops->api_token_check(st, token, token_id)
		       : NULL;
}

int store_api_token_touch(struct store *st, int64_t token_id, const char *now)
{
	return STORE_HAS(st, api_token_touch)
		       ? st->ops->api_token_touch(st, token_id, now)
		       : -1;
}

int store_api_device_org(struct store *st, int64_t id, int64_t *org_id)
{
	return STORE_HAS(st, api_device_org)
		       ? st->ops->api_device_org(st, id, org_id)
		       : -1;
}

int store_api_device_patch(struct store *st, int64_t id, json_t *fields,
			   const char **bad_field)
{
	return STORE_HAS(st, api_device_patch)
		       ? st->ops->api_device_patch(st, id, fields, bad_field)
		       : -1;
}

json_t *store_device_attachment(struct store *st, int64_t id)
{
	return STORE_HAS(st, device_attachment)
		       ? st->ops->device_attachment(st, id)
		       : NULL;
}

int store_collector_register(struct store *st,
			     const struct store_collector_reg *r, int64_t *id,
			     int64_t *interrupted)
{
	return STORE_HAS(st, collector_register)
		       ? st->ops->collector_register(st, r, id, interrupted)
		       : -1;
}

int store_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			     int *enabled)
{
	return STORE_HAS(st, collector_by_token)
		       ? st->ops->collector_by_token(st, token_id, id, enabled)
		       : -1;
}

int store_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
			 int64_t spool_dropped)
{
	return STORE_HAS(st, collector_seen)
		       ? st->ops->collector_seen(st, id, spool_depth,
						 spool_dropped)
		       : -1;
}

json_t *store_collector_list(struct store *st, const int64_t *org_ids,
			     int norgs)
{
	return STORE_HAS(st, collector_list)
		       ? st->ops->collector_list(st, org_ids, norgs)
		       : NULL;
}

json_t *store_collector_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, collector_get)
		       ? st->ops->collector_get(st, id, found)
		       : NULL;
}

int store_collector_find(struct store *st, const char *s, int64_t *id)
{
	return STORE_HAS(st, collector_find)
		       ? st->ops->collector_find(st, s, id)
		       : -1;
}

int store_collector_update(struct store *st, int64_t id, json_t *fields)
{
	return STORE_HAS(st, collector_update)
		       ? st->ops->collector_update(st, id, fields)
		       : -1;
}

int store_collector_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, collector_delete)
		       ? st->ops->collector_delete(st, id)
		       : -1;
}

int store_collector_run(struct store *st, int64_t id, int64_t run_id,
			int64_t *org_id, char state[16])
{
	return STORE_HAS(st, collector_run)
		       ? st->ops->collector_run(st, id, run_id, org_id, state)
		       : -1;
}

int store_collector_run_cancel(struct store *st, int64_t run_id, int *changed)
{
	return STORE_HAS(st, collector_run_cancel)
		       ? st->ops->collector_run_cancel(st, run_id, changed)
		       : -1;
}

int store_collector_item_seen(struct store *st, const char *item_id)
{
	return STORE_HAS(st, collector_item_seen)
		       ? st->ops->collector_item_seen(st, item_id)
		       : -1;
}

int store_collector_item_add(struct store *st, const char *item_id,
			     int64_t run_id, const char *kind,
			     int64_t device_id)
{
	return STORE_HAS(st, collector_item_add)
		       ? st->ops->collector_item_add(st, item_id, run_id, kind,
						     device_id)
		       : -1;
}

int store_collector_run_reports(struct store *st, int64_t run_id, int64_t *n)
{
	return STORE_HAS(st, collector_run_reports)
		       ? st->ops->collector_run_reports(st, run_id, n)
		       : -1;
}

json_t *store_discodef_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, discodef_list)
		       ? st->ops->discodef_list(st, org_ids, norgs)
		       : NULL;
}

json_t *store_discodef_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, discodef_get)
		       ? st->ops->discodef_get(st, id, found)
		       : NULL;
}

int store_discodef_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id)
{
	return STORE_HAS(st, discodef_find)
		       ? st->ops->discodef_find(st, org_id, name, id)
		       : -1;
}

int store_discodef_add(struct store *st, json_t *def, int64_t *id)
{
	return STORE_HAS(st, discodef_add) ? st->ops->discodef_add(st, def, id)
					   : -1;
}

int store_discodef_update(struct store *st, int64_t id, json_t *def)
{
	return STORE_HAS(st, discodef_update)
		       ? st->ops->discodef_update(st, id, def)
		       : -1;
}

int store_discodef_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, discodef_delete) ? st->ops->discodef_delete(st, id)
					      : -1;
}

int store_discorun_queue(struct store *st, int64_t discovery_id,
			 int64_t *run_id)
{
	return STORE_HAS(st, discorun_queue)
		       ? st->ops->discorun_queue(st, discovery_id, run_id)
		       : -1;
}

int store_discorun_active(struct store *st, int64_t discovery_id,
			  int64_t *run_id)
{
	return STORE_HAS(st, discorun_active)
		       ? st->ops->discorun_active(st, discovery_id, run_id)
		       : -1;
}

int store_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
			 int64_t *discovery_id)
{
	return STORE_HAS(st, discorun_claim)
		       ? st->ops->discorun_claim(st, lease_s, run_id,
						 discovery_id)
		       : -1;
}

int store_discorun_renew(struct store *st, int64_t run_id, int lease_s)
{
	return STORE_HAS(st, discorun_renew)
		       ? st->ops->discorun_renew(st, run_id, lease_s)
		       : -1;
}

int store_discorun_claim_for(struct store *st, int64_t collector_id,
			     int64_t *run_id, int64_t *discovery_id)
{
	return STORE_HAS(st, discorun_claim_for)
		       ? st->ops->discorun_claim_for(st, collector_id, run_id,
						     discovery_id)
		       : -1;
}

int store_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			    int64_t done, int64_t alive, int64_t packets)
{
	return STORE_HAS(st, discorun_progress)
		       ? st->ops->discorun_progress(st, run_id, total, done,
						    alive, packets)
		       : -1;
}

int store_discorun_interrupt_all(struct store *st, int64_t *n)
{
	return STORE_HAS(st, discorun_interrupt_all)
		       ? st->ops->discorun_interrupt_all(st, n)
		       : -1;
}

int store_discorun_mark(struct store *st, int64_t run_id, const char *state,
			const char *message)
{
	return STORE_HAS(st, discorun_mark)
		       ? st->ops->discorun_mark(st, run_id, state, message)
		       : -1;
}

int store_discorun_cancel_queued(struct store *st, int64_t run_id, int *changed)
{
	return STORE_HAS(st, discorun_cancel_queued)
		       ? st->ops->discorun_cancel_queued(st, run_id, changed)
		       : -1;
}

int store_discorun_state(struct store *st, int64_t run_id,
			 int64_t *discovery_id, char state[16])
{
	return STORE_HAS(st, discorun_state)
		       ? st->ops->discorun_state(st, run_id, discovery_id,
						 state)
		       : -1;
}

json_t *store_discorun_stages(struct store *st, int64_t run_id)
{
	return STORE_HAS(st, discorun_stages)
		       ? st->ops->discorun_stages(st, run_id)
		       : NULL;
}

json_t *store_discorun_count_states(struct store *st)
{
	return STORE_HAS(st, discorun_count_states)
		       ? st->ops->discorun_count_states(st)
		       : NULL;
}

int store_discovery_run_start(struct store *st, int64_t discovery_id,
			      int64_t total, int64_t *run_id)
{
	return STORE_HAS(st, discovery_run_start)
		       ? st->ops->discovery_run_start(st, discovery_id, total,
						      run_id)
		       : -1;
}

int store_discovery_run_finish(struct store *st, int64_t run_id,
			       const char *state,
			       const struct store_discovery_counts *c,
			       const char *message)
{
	return STORE_HAS(st, discovery_run_finish)
		       ? st->ops->discovery_run_finish(st, run_id, state, c,
						       message)
		       : -1;
}

int store_discovery_log_add(struct store *st, int64_t run_id,
			    const struct store_discovery_log *rows, size_t n)
{
	return STORE_HAS(st, discovery_log_add)
		       ? st->ops->discovery_log_add(st, run_id, rows, n)
		       : -1;
}

json_t *store_discovery_run_list(struct store *st, int64_t limit)
{
	return STORE_HAS(st, discovery_run_list)
		       ? st->ops->discovery_run_list(st, limit)
		       : NULL;
}

json_t *store_discovery_log_list(struct store *st, int64_t run_id)
{
	return STORE_HAS(st, discovery_log_list)
		       ? st->ops->discovery_log_list(st, run_id)
		       : NULL;
}

json_t *store_location_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, location_list)
		       ? st->ops->location_list(st, org_ids, norgs)
		       : NULL;
}

json_t *store_location_get(struct store *st, int64_t id, const int64_t *org_ids,
			   int norgs, int *found)
{
	return STORE_HAS(st, location_get)
		       ? st->ops->location_get(st, id, org_ids, norgs, found)
		       : NULL;
}

int store_location_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id)
{
	return STORE_HAS(st, location_find)
		       ? st->ops->location_find(st, org_id, name, id)
		       : -1;
}

int store_location_add(struct store *st, json_t *loc, int64_t *id)
{
	return STORE_HAS(st, location_add) ? st->ops->location_add(st, loc, id)
					   : -1;
}

int store_location_update(struct store *st, int64_t id, json_t *fields)
{
	return STORE_HAS(st, location_update)
		       ? st->ops->location_update(st, id, fields)
		       : -1;
}

int store_location_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, location_delete) ? st->ops->location_delete(st, id)
					      : -1;
}

json_t *store_report_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, report_list)
		       ? st->ops->report_list(st, org_ids, norgs)
		       : NULL;
}

json_t *store_report_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, report_get) ? st->ops->report_get(st, id, found)
					 : NULL;
}

json_t *store_report_find(struct store *st, const char *key,
			  const int64_t *org_ids, int norgs, int *found)
{
	return STORE_HAS(st, report_find)
		       ? st->ops->report_find(st, key, org_ids, norgs, found)
		       : NULL;
}

int store_report_add(struct store *st, json_t *rep, int64_t *id, int *dup)
{
	return STORE_HAS(st, report_add) ? st->ops->report_add(st, rep, id, dup)
					 : -1;
}

int store_report_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, report_delete) ? st->ops->report_delete(st, id)
					    : -1;
}

json_t *store_task_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return STORE_HAS(st, task_list) ? st->ops->task_list(st, org_ids, norgs)
					: NULL;
}

json_t *store_task_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, task_get) ? st->ops->task_get(st, id, found)
				       : NULL;
}

int store_task_add(struct store *st, json_t *task, int64_t *id, int *dup)
{
	return STORE_HAS(st, task_add) ? st->ops->task_add(st, task, id, dup)
				       : -1;
}

int store_task_update(struct store *st, int64_t id, json_t *task, int *dup)
{
	return STORE_HAS(st, task_update)
		       ? st->ops->task_update(st, id, task, dup)
		       : -1;
}

int store_task_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, task_delete) ? st->ops->task_delete(st, id) : -1;
}

json_t *store_task_due(struct store *st, const char *now)
{
	return STORE_HAS(st, task_due) ? st->ops->task_due(st, now) : NULL;
}

int store_task_finish(struct store *st, int64_t id, const char *last_run,
		      const char *status, const char *result,
		      const char *next_run)
{
	return STORE_HAS(st, task_finish)
		       ? st->ops->task_finish(st, id, last_run, status, result,
					      next_run)
		       : -1;
}

int store_task_claim(struct store *st, int64_t id, const char *now, int lease_s)
{
	return STORE_HAS(st, task_claim)
		       ? st->ops->task_claim(st, id, now, lease_s)
		       : -1;
}

int store_task_set_next(struct store *st, int64_t id, const char *next_run)
{
	return STORE_HAS(st, task_set_next)
		       ? st->ops->task_set_next(st, id, next_run)
		       : -1;
}

json_t *store_setting_get(struct store *st, const char *name)
{
	return STORE_HAS(st, setting_get) ? st->ops->setting_get(st, name)
					  : NULL;
}

int store_setting_put(struct store *st, const char *name, json_t *value,
		      const char *const *secret_fields)
{
	return STORE_HAS(st, setting_put)
		       ? st->ops->setting_put(st, name, value, secret_fields)
		       : -1;
}

char *store_setting_secret(struct store *st, const char *name,
			   const char *field)
{
	return STORE_HAS(st, setting_secret)
		       ? st->ops->setting_secret(st, name, field)
		       : NULL;
}

json_t *store_auth_source_list(struct store *st, int enabled_only)
{
	return STORE_HAS(st, auth_source_list)
		       ? st->ops->auth_source_list(st, enabled_only)
		       : NULL;
}

json_t *store_auth_source_get(struct store *st, int64_t id, int *found)
{
	return STORE_HAS(st, auth_source_get)
		       ? st->ops->auth_source_get(st, id, found)
		       : NULL;
}

int store_auth_source_put(struct store *st, json_t *src, const char *origin,
			  int64_t *id)
{
	return STORE_HAS(st, auth_source_put)
		       ? st->ops->auth_source_put(st, src, origin, id)
		       : -1;
}

int store_auth_source_delete(struct store *st, int64_t id)
{
	return STORE_HAS(st, auth_source_delete)
		       ? st->ops->auth_source_delete(st, id)
		       : -1;
}

char *store_auth_source_password(struct store *st, int64_t id)
{
	return STORE_HAS(st, auth_source_password)
		       ? st->ops->auth_source_password(st, id)
		       : NULL;
}

int store_user_external_put(struct store *st, const char *name,
			    const char *source, const char *role,
			    int64_t org_id, const char *full_name,
			    const char *email, int *conflict)
{
	return STORE_HAS(st, user_external_put)
		       ? st->ops->user_external_put(st, name, source, role,
						    org_id, full_name, email,
						    conflict)
		       : -1;
}

int store_user_external_disable(struct store *st, const char *name,
				const char *source)
{
	return STORE_HAS(st, user_external_disable)
		       ? st->ops->user_external_disable(st, name, source)
		       : -1;
}

char *store_user_source(struct store *st, const char *name)
{
	return STORE_HAS(st, user_source) ? st->ops->user_source(st, name)
					  : NULL;
}

int store_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
		int norgs, json_t **counts)
{
	return STORE_HAS(st, purge)
		       ? st->ops->purge(st, cutoff, org_ids, norgs, counts)
		       : -1;
}

json_t *store_search(struct store *st, const struct store_search *s)
{
	return STORE_HAS(st, search) ? st->ops->search(st, s) : NULL;
}

json_t *store_search_plans(struct store *st)
{
	return STORE_HAS(st, search_plans) ? st->ops->search_plans(st) : NULL;
}

json_t *store_ssh_host_map(struct store *st, int64_t org_id)
{
	return STORE_HAS(st, ssh_host_map) ? st->ops->ssh_host_map(st, org_id)
					   : NULL;
}

int store_ssh_host_set(struct store *st, const struct store_ssh_host *h)
{
	return STORE_HAS(st, ssh_host_set) ? st->ops->ssh_host_set(st, h) : -1;
}

json_t *store_stats_summary(struct store *st, const int64_t *org_ids, int norgs,
			    const char *since)
{
	return STORE_HAS(st, stats_summary)
		       ? st->ops->stats_summary(st, org_ids, norgs, since)
		       : NULL;
}

json_t *store_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
			 int64_t limit, int64_t offset, int64_t *count)
{
	return STORE_HAS(st, stats_runs)
		       ? st->ops->stats_runs(st, org_ids, norgs, limit, offset,
					     count)
		       : NULL;
}

json_t *store_stats_run_get(struct store *st, const int64_t *org_ids, int norgs,
			    int64_t id, int *found)
{
	return STORE_HAS(st, stats_run_get)
		       ? st->ops->stats_run_get(st, org_ids, norgs, id, found)
		       : NULL;
}

json_t *store_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			    int64_t offset, int64_t *count)
{
	return STORE_HAS(st, stats_run_log)
		       ? st->ops->stats_run_log(st, run_id, limit, offset,
						count)
		       : NULL;
}

json_t *store_stats_network(struct store *st, const int64_t *org_ids, int norgs,
			    const char *ip_prefix, int64_t limit)
{
	return STORE_HAS(st, stats_network)
		       ? st->ops->stats_network(st, org_ids, norgs, ip_prefix,
						limit)
		       : NULL;
}
