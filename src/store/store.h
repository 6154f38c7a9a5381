/*
 * store: everything netcensus keeps, behind one interface.
 *
 * Callers see only these functions and plain data (jansson objects, ids,
 * strings); no SQL crosses this header, so a PostgreSQL back end can be
 * added behind it without touching callers. The embedded default is SQLite
 * in WAL mode (sqlite.c). Schema changes are numbered migrations applied at
 * open; a database written by a newer netcensus is refused.
 *
 * Times are UTC text "YYYY-MM-DD HH:MM:SS". jansson objects returned are new
 * references owned by the caller. Functions return 0 / -1 (or NULL) and log
 * the reason once.
 *
 * Secrets (credential fields, LDAP and SMTP passwords) are encrypted with
 * libsodium under a key file created at first open beside the database
 * (PATH.key, mode 0600); see secret.h.
 */
#ifndef NC_STORE_H
#define NC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;

/* The database path: the --db option when given, else $NETCENSUS_DB, else
 * "./netcensus.db". */
const char *store_default_path(const char *opt);

/* url as it may be shown to a person: a postgresql:// URL without its
 * password (user:***@, password=***); anything else as it is. Caller
 * frees. */
char *store_url_shown(const char *url);

/* Opens (creating if needed) and migrates. url is a file path,
 * "sqlite:PATH", or a "postgresql://" (or "postgres://") URL naming a
 * PostgreSQL database (pg.c: what runs there yet). NULL on failure
 * (reason logged). A handle takes no lock
 * of its own: one thread uses it at a time; threads open their own. */
struct store *store_open(const char *url);
void store_close(struct store *st);
/* wait 1 (the default): a write that finds another connection's write
 * lock waits for it (up to 10 s); 0: it fails at once (SQLITE_BUSY). */
void store_set_wait(struct store *st, int wait);
/* Makes the statement st is running, and the next ones until the handle
 * is idle, fail (the open transaction is rolled back by its caller); from
 * then on the handle no longer waits for another writer's lock. The one
 * call that may come from another thread while st is in use: a stopping
 * server ends a long intake with it. */
void store_interrupt(struct store *st);
/* 0 when st's database answers; a connection the database closed (it was
 * restarted) is opened again first. Call it only where st runs nothing
 * (between requests, at the top of a loop): a reconnection drops the
 * statements of the old connection. -1 when the database cannot be
 * reached (logged once per outage): a caller answers "unavailable, try
 * again", not a failure of the request. SQLite: always 0. */
int store_ready(struct store *st);
/* How many times st found its database unreachable (connection lost or
 * refused): a request during which it grew failed because of the
 * database, not because of its input. SQLite: always 0. */
unsigned store_lost(struct store *st);
/* 1 when the last store_open() of this thread failed because the database
 * could not be reached (it may come back: worth waiting for), 0 when it
 * failed for another reason (a bad URL, a schema too new). */
int store_open_unavailable(void);

/* This process's name in leases (store_discorun_claim(), store_task_claim()):
 * "HOST:PID:RANDOM", made once. */
const char *store_lease_owner(void);
/* The UTC text time s seconds from now, for leases; "now" is
 * NETCENSUS_NOW when it is set (util_now()'s pin), so that a test moves
 * the leases' clock instead of waiting. */
void store_lease_time(int s, char out[20]);

/* The schema version this build writes, and the one the open database has. */
int store_schema_version(void);
int store_db_version(struct store *st);

/* One transaction at a time per handle. */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* A batch: one transaction (and one fsync at its commit) around many.
 * Inside it, store_begin/commit/rollback are a savepoint each, so one
 * part can fail and roll back alone while the rest is committed together
 * by store_batch_commit(). store_batch_rollback() drops everything. */
int store_batch_begin(struct store *st);
int store_batch_commit(struct store *st);
void store_batch_rollback(struct store *st);
/* A transaction that writes only what keys name (any text: "hostname"
 * INTAKE_KEY_SEP "web01"), for writers that may run beside each other:
 * two such transactions wait for each other only when they share a key
 * that at least one of them holds exclusively (keys; shared: keys held
 * in shared mode, a key in both is exclusive), or while a store_begin()
 * or store_batch_begin() transaction, which excludes every other writer,
 * runs. The keys are locked at once, in one order, before anything is
 * read. On SQLite (one writer) it is store_begin(); inside a batch a
 * savepoint, as store_begin(). */
int store_begin_keyed(struct store *st, const char *const *keys, size_t n,
		      const char *const *shared, size_t nshared);
/* Locks one more key inside a store_begin_keyed() transaction, waiting
 * for the transaction holding it: 1 when it was locked, 0 when nothing
 * needed locking (SQLite's one writer, a batch holding every writer
 * off), -1 on failure (logged). */
int store_lock_key(struct store *st, const char *key);
/* 1 when the last failure on st was the database's refusal to order the
 * transaction against another (PostgreSQL's deadlock or serialization
 * failure): rolled back, it is worth running again from its start. */
int store_retryable(struct store *st);

/* Runs integrity and foreign-key checks; prints findings to stdout.
 * 0 when healthy. */
int store_check(struct store *st);

/* Row counts: {"devices", "components", "components_current", "changes",
 * "audits", "orgs", "users"}. */
json_t *store_counts(struct store *st);

#define STORE_NAME_MAX 100  /* org and credential names */
#define STORE_LABEL_MAX 100 /* token labels */
/* 0 when s is a name or label the store takes: present (when required),
 * at most max bytes, valid UTF-8, no control characters, no spaces
 * around; else -1 with *why ("is empty", "is too long", ...). Not
 * logged, so the API can answer 400 with it. */
int store_text_check(const char *s, size_t max, int required, const char **why);

/* ---- orgs (a tree; org 1 "Default" always exists) ---- */
/* Sets *id to the org named name (or whose id is the number name); -1
 * (logged) when there is none. */
int store_org_find(struct store *st, const char *name, int64_t *id);
/* parent_id 0 means Default; the parent must exist, names are unique. */
int store_org_add(struct store *st, const char *name, int64_t parent_id,
		  int64_t *id);
json_t *store_org_list(struct store *st);
/* The root org is the one without a parent: org 1, made by the first
 * migration (store_org_add() gives every later org a parent, and orgs are
 * never moved, so there is exactly one). 1 when org_id is it, 0 when not,
 * -1 on a database error. */
int store_org_is_root(struct store *st, int64_t org_id);

/* ---- devices ----
 * A device is its sys object: the known columns (hostname, fqdn, uuid,
 * serial, mac, ip, type, os_*, sys*, ...) plus any other sys field, and
 * "id", "org_id", "first_seen", "last_seen" added by the store. */

/* The device whose sys fields equal all of fields[i] = values[i] (exact,
 * on indexed columns), in any org. *id = 0 when none; the lowest id when
 * several. */
int store_device_find(struct store *st, const char *const *fields,
		      const char *const *values, int n, int64_t *id);

/* ---- intake matching ----
 * Candidates for one match rule: devices of org_id or of an org below it
 * (never of another org: a device outside that tree does not exist for a
 * report stored into org_id), up to max ids in ascending order into ids,
 * *n how many. 0 or -1. */
#define STORE_ORG_ROOT 1 /* "Default": every org is below it */
/* Devices whose sys fields equal all of fields[i] = values[i]. */
int store_match_fields(struct store *st, int64_t org_id,
		       const char *const *fields, const char *const *values,
		       int nfields, int64_t *ids, int max, int *n);
/* Devices with a current network/ip component, or sys.mac, equal to mac. */
int store_match_mac(struct store *st, int64_t org_id, const char *mac,
		    int64_t *ids, int max, int *n);
/* Devices without a serial whose sys.ip or current ip component is ip. */
int store_match_ip(struct store *st, int64_t org_id, const char *ip,
		   int64_t *ids, int max, int *n);

json_t *store_device_get(struct store *st, int64_t id);
/* Devices (sys objects) ordered by id; limit 0 means all. */
json_t *store_device_list(struct store *st, int64_t limit, int64_t offset);
/* Inserts sys (first_seen = last_seen = now) and sets *id. */
int store_device_insert(struct store *st, int64_t org_id, json_t *sys,
			const char *now, int64_t *id);
/* Replaces the stored sys fields with sys (callers merge first) and sets
 * last_seen = now. */
int store_device_update(struct store *st, int64_t id, json_t *sys,
			const char *now);
int store_device_delete(struct store *st, int64_t id);

/* ---- components ----
 * A component row: {"id", "key", "current" (0/1), "first_seen",
 * "last_seen", "data": {fields}}. */
json_t *store_component_list(struct store *st, int64_t device_id,
			     const char *section, int current_only);
/* Sections that device has rows in, as a JSON array of names. */
json_t *store_component_sections(struct store *st, int64_t device_id);
int store_component_insert(struct store *st, int64_t device_id,
			   const char *section, const char *key, json_t *data,
			   const char *now);
/* Sets data (NULL keeps the stored data), current = 1 and last_seen = now. */
int store_component_update(struct store *st, int64_t component_id, json_t *data,
			   const char *now);
/* Sets current = 0, keeping last_seen. */
int store_component_retire(struct store *st, int64_t component_id);
/* Sets last_seen = now on every current row of a device's section. */
int store_component_touch(struct store *st, int64_t device_id,
			  const char *section, const char *now);
/* A stored row for the intake's fast path; pointers valid during fn only. */
struct store_component_row {
	int64_t id;
	const char *key;
	const char *data; /* the row as JSON text */
	int current;
};
/* Calls fn for every row (current or not) of a device's section in key
 * order (bytewise, as strcmp); stops when fn returns non-zero. fn must
 * not call the store. 0 or -1. */
int store_component_each(
	struct store *st, int64_t device_id, const char *section,
	int (*fn)(void *ctx, const struct store_component_row *row), void *ctx);

/* ---- change log ----
 * A change: {"id", "device_id", "section", "action" ("add"|"remove"|
 * "change"), "key", "detail" (object), "time"}. */
int store_change_add(struct store *st, int64_t device_id, const char *section,
		     const char *action, const char *key, json_t *detail,
		     const char *now);
/* device_id 0 means every device; newest first; limit 0 means all. */
json_t *store_change_list(struct store *st, int64_t device_id, int64_t limit);

/* ---- audit log: one row per intake ---- */
struct store_audit {
	const char *source;  /* file name, address, "discovery" */
	const char *format;  /* report_format_name() */
	const char *result;  /* "created", "updated", "rejected" */
	const char *rule;    /* match rule, or NULL */
	const char *message; /* reason for a rejection, or a summary */
	int64_t device_id;   /* 0 when none */
};
int store_audit_add(struct store *st, const struct store_audit *a,
		    const char *now);
/* store_audit_add() that also gives the new row's id. */
int store_audit_add_id(struct store *st, const struct store_audit *a,
		       const char *now, int64_t *id);
/* Replaces the message of audit-log row id (a refusal row that counts
 * the posts of its minute). */
int store_audit_set_message(struct store *st, int64_t id, const char *message);
json_t *store_audit_list(struct store *st, int64_t limit);

/* ---- users ---- (roles: admin, org_admin, user, collector) */
/* Hashes password with argon2id. */
int store_user_add(struct store *st, const char *name, const char *role,
		   int64_t org_id, const char *password);
int store_user_set_password(struct store *st, const char *name,
			    const char *password);
/* 0 when name is a valid user name (1-64 of letters, digits and . _ @ -),
 * else -1 with *why saying what is wrong. Not logged. */
int store_user_name_check(const char *name, const char **why);
/* A digest of user name's stored password hash into stamp (hex SHA-256,
 * 64 characters): it changes whenever the password is set, since every hash
 * has its own salt; a directory user (no local password) has a fixed one.
 * Sessions remember it, so a password change ends them, even when made
 * by another process. 0, 1 when there is no such user, -1 on error. */
int store_user_password_stamp(struct store *st, const char *name,
			      char stamp[65]);
/* 1 when name/password are right, 0 when not, -1 on error. */
int store_user_verify(struct store *st, const char *name, const char *password);
/* Users without password hashes. */
json_t *store_user_list(struct store *st);
/* One user as in the list (id, name, role, org_id, org, enabled, ...), or
 * NULL when there is none. */
json_t *store_user_get(struct store *st, const char *name);

/* ---- API tokens (stored hashed) ---- */
/* Creates a token for user; *token receives the only clear copy (free()). */
int store_token_create(struct store *st, const char *user, const char *label,
		       char **token);
/* The user name the token belongs to, or NULL (free()). */
char *store_token_user(struct store *st, const char *token);
int store_token_revoke(struct store *st, int64_t id);
json_t *store_token_list(struct store *st);

/* ---- credentials (secret fields encrypted at rest) ----
 * cred: {"name", "type" (snmp, snmp_v3, ssh, ssh_key, windows), "org_id",
 * and type-specific fields}. Secret fields (community, password,
 * auth_passphrase, priv_passphrase, passphrase, key, sudo_password) are
 * encrypted; list never returns them (only "secrets_set": their names);
 * store_credential_get_secret() decrypts for the engine only. Open-AudIT's
 * shape ({"name", "type", "credentials": {...}}, its field names) is
 * accepted wherever a cred is. */
int store_credential_add(struct store *st, json_t *cred, int64_t *id);
/* Replaces credential id with cred (a whole credential, checked as add
 * checks one; its id stays, so discoveries naming it keep it). */
int store_credential_update(struct store *st, int64_t id, json_t *cred);
json_t *store_credential_list(struct store *st);
json_t *store_credential_get_secret(struct store *st, int64_t id);
int store_credential_delete(struct store *st, int64_t id);
/* Checks every credential of doc (one object, an array, or Open-AudIT's
 * {"data": ...} envelope) and returns them as an array of flat creds with
 * clear secrets; NULL (logged) when any is wrong. Needs no database: this
 * is what `discover --credentials FILE` and `admin credential add
 * --from-file` read. */
json_t *store_credential_parse(json_t *doc);
/* The names of the secret fields cred still needs (e.g. ["community"]),
 * or NULL (logged) when cred is wrong in another way. */
json_t *store_credential_secrets_needed(json_t *cred);
/* Zeroes the secret strings of cred (and of any object or array inside
 * it) in place; call before json_decref(). */
void store_credential_wipe(json_t *cred);
/* 1 when field (ours or Open-AudIT's name) is a secret, stored encrypted. */
int store_credential_field_secret(const char *field);

#endif
