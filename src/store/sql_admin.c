/*
 * sql_admin.c: orgs, users, API tokens and credentials, written once for
 * every SQL engine with the statement helper (db.h). Both back ends'
 * tables (sqlite_ops.c, pg.c) point at these.
 *
 * Everything a person administers lives here; devices and their history
 * are in sql_devices.c. Passwords are argon2id hashes, tokens are kept
 * only as their SHA-256 plus a short prefix for display, and a
 * credential's secret fields are sealed one by one (secret.h) into the
 * secrets column as {"field": "v1:..."} under the back end's key file
 * (SQLite: PATH.key beside the database; PostgreSQL: the URL's keyfile=),
 * so the database never holds a clear secret.
 *
 * The credential shapes (which fields a type takes, which are secret,
 * which are required, the Open-AudIT aliases) are checked in one place,
 * cred_normalise(), which both store_credential_add() and the file reader
 * store_credential_parse() use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/secret.h"
#include "store/sql_ops.h"
#include "store/store.h"

#define NAME_MAX_LEN STORE_NAME_MAX
#define LABEL_MAX_LEN STORE_LABEL_MAX
#define DESC_MAX_LEN 1000
#define FIELD_MAX_LEN 16384 /* an SSH private key fits */
#define TOKEN_MAX_LEN 128
#define TOKEN_SHOWN 10		   /* "nc_" + 7 characters kept for display */
#define CRED_CREDENTIALS_MAX 65536 /* an Open-AudIT "credentials" string */

/* ---- small helpers ---- */

/* Turns the 0/1 column key of every row into a JSON boolean. */
static void adm_bool(json_t *rows, const char *key)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		json_object_set_new(row, key,
				    json_boolean(json_integer_value(
					    json_object_get(row, key))));
}

/* The rows of sql (one ?1 = the text arg, when not NULL), the 0/1
 * column boolean (when not NULL) as a JSON boolean. */
static json_t *adm_rows(struct store *st, const char *sql, const char *arg,
			const char *boolean)
{
	struct db_stmt *s = db_stmt(st, sql);
	json_t *rows;

	if (!s)
		return NULL;
	if (arg)
		db_bind_text(s, 1, arg);
	rows = db_rows(s);
	if (boolean)
		adm_bool(rows, boolean);
	return rows;
}

/* Runs sql (one ?1 = id) that must change one row of what. */
static int adm_change_by_id(struct store *st, const char *sql, int64_t id,
			    const char *what)
{
	struct db_stmt *s = db_stmt(st, sql);

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	if (db_exec(s) < 0)
		return -1;
	if (db_changes(s) == 0) {
		log_err("no %s with id %lld ('netcensus admin %s list' shows "
			"them)",
			what, (long long)id, what);
		return -1;
	}
	return 0;
}

/* 1 when sql (one ?1 = id) finds a row, 0 when not, -1 on error. */
static int adm_exists(struct store *st, const char *sql, int64_t id)
{
	struct db_stmt *s = db_stmt(st, sql);
	int rc;

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* 1 when org id exists, 0 when not (logged, naming what), -1 on error. */
static int adm_org_exists(struct store *st, int64_t id, const char *what)
{
	int rc = adm_exists(st, "SELECT 1 FROM org WHERE id = ?1", id);

	if (rc == 0)
		log_err("%s %lld does not exist", what, (long long)id);
	return rc;
}

int store_text_check(const char *s, size_t max, int required, const char **why)
{
	json_t *probe;
	size_t n, i;

	*why = NULL;
	if (!s || !*s) {
		*why = "is empty";
		return required ? -1 : 0;
	}
	n = strlen(s);
	if (n > max) {
		*why = "is too long";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*why = "contains a control character";
			return -1;
		}
	}
	if (s[0] == ' ' || s[n - 1] == ' ') {
		*why = "starts or ends with a space";
		return -1;
	}
	probe = json_string(s);
	if (!probe) {
		*why = "is not valid UTF-8";
		return -1;
	}
	json_decref(probe);
	return 0;
}

/* store_text_check(), logging what is wrong with the text named what. */
static int adm_check_text(const char *what, const char *s, size_t max,
			  int required)
{
	const char *why;

	if (store_text_check(s, max, required, &why) == 0)
		return 0;
	log_err("%s '%.40s' %s (at most %zu characters)", what, s ? s : "", why,
		max);
	return -1;
}

/* ---- orgs ---- */

int sql_org_add(struct store *st, const char *name, int64_t parent_id,
		int64_t *id)
{
	struct db_stmt *s;
	char now[20];
	int rc;

	if (adm_check_text("org name", name, NAME_MAX_LEN, 1) < 0)
		return -1;
	if (parent_id <= 0)
		parent_id = 1;
	if (adm_org_exists(st, parent_id, "parent org") <= 0)
		return -1;
	s = db_stmt(st, "INSERT INTO org (name, parent_id, created)"
			" VALUES (?1, ?2, ?3) RETURNING id");
	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, name);
	db_bind_int64(s, 2, parent_id);
	db_bind_text(s, 3, now);
	rc = db_step_id(s, id);
	if (rc == DB_CONSTRAINT)
		log_err("an org named '%s' already exists", name);
	return rc ? -1 : 0;
}

int sql_org_is_root(struct store *st, int64_t org_id)
{
	return adm_exists(st,
			  "SELECT 1 FROM org WHERE id = ?1"
			  " AND parent_id IS NULL",
			  org_id);
}

json_t *sql_org_list(struct store *st)
{
	return adm_rows(st,
			"SELECT o.id, o.name, o.parent_id, p.name AS parent,"
			" o.description, o.created"
			" FROM org o LEFT JOIN org p ON p.id = o.parent_id"
			" ORDER BY o.id",
			NULL, NULL);
}

/* ---- users ---- */

static const char *const user_roles[] = {"admin", "org_admin", "user",
					 "collector", NULL};

static int user_check_role(const char *role)
{
	int i;

	for (i = 0; role && user_roles[i]; i++)
		if (!strcmp(role, user_roles[i]))
			return 0;
	log_err("role '%s' is not one of admin, org_admin, user, collector",
		role ? role : "");
	return -1;
}

/* User names travel in logs, URLs and LDAP filters: keep them plain. */
int store_user_name_check(const char *name, const char **why)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 64) {
		*why = "must be 1 to 64 characters";
		return -1;
	}
	if (name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")]) {
		*why = "may hold only letters, digits and . _ @ -";
		return -1;
	}
	return 0;
}

static int user_check_name(const char *name)
{
	const char *why;

	if (store_user_name_check(name, &why) == 0)
		return 0;
	log_err("user name '%s' %s", name ? name : "", why);
	return -1;
}

/* A new argon2id hash of password after checking its length, or NULL. */
static char *user_hash(const char *name, const char *password)
{
	const char *why;

	if (secret_password_check(password, &why) < 0) {
		log_err("password for '%s' %s; use at least %d characters",
			name, why, SECRET_PASSWORD_MIN);
		return NULL;
	}
	return secret_password_hash(password);
}

int sql_user_add(struct store *st, const char *name, const char *role,
		 int64_t org_id, const char *password)
{
	struct db_stmt *s;
	char *hash = NULL;
	char now[20];
	int rc;

	if (user_check_name(name) < 0 || user_check_role(role) < 0)
		return -1;
	if (org_id <= 0)
		org_id = 1;
	if (adm_org_exists(st, org_id, "org") <= 0)
		return -1;
	/* No password: an account that logs in only through LDAP. */
	if (password) {
		hash = user_hash(name, password);
		if (!hash)
			return -1;
	}
	s = db_stmt(st, "INSERT INTO \"user\" (name, role, org_id,"
			" password_hash, created)"
			" VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		goto fail;
	util_now(now);
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, role);
	db_bind_int64(s, 3, org_id);
	db_bind_text(s, 4, hash);
	db_bind_text(s, 5, now);
	rc = db_step_unique(s);
	db_reset(s);
	if (rc == DB_CONSTRAINT)
		log_err("a user named '%s' already exists (change the "
			"password with 'netcensus admin user passwd %s')",
			name, name);
	if (rc != DB_DONE)
		goto fail;
	free(hash);
	return 0;
fail:
	free(hash);
	return -1;
}

int sql_user_set_password(struct store *st, const char *name,
			  const char *password)
{
	struct db_stmt *s;
	char *hash;
	int rc;

	hash = user_hash(name, password);
	if (!hash)
		return -1;
	s = db_stmt(st,
		    "UPDATE \"user\" SET password_hash = ?1 WHERE name = ?2");
	if (!s) {
		free(hash);
		return -1;
	}
	db_bind_text(s, 1, hash);
	db_bind_text(s, 2, name);
	rc = db_exec(s);
	free(hash);
	if (rc < 0)
		return -1;
	if (db_changes(s) == 0) {
		log_err("no user named '%s'", name);
		return -1;
	}
	return 0;
}

int sql_user_password_stamp(struct store *st, const char *name, char stamp[65])
{
	struct db_stmt *s;
	int rc;

	s = db_stmt(st, "SELECT coalesce(password_hash, '')"
			" FROM \"user\" WHERE name = ?1");
	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	rc = db_step(s);
	if (rc == DB_ROW)
		secret_token_hash(db_text(s, 0), stamp);
	db_reset(s);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

/* An argon2id hash of nothing anyone types, verified when the user does
 * not exist so that a wrong name costs as long as a wrong password. */
static const char user_dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$/T/2K7K2gLmU7lC48xcQbA"
	"$qeoYtLJq3QoZJh0azpCDVwdWghoQS2ZFfHpoUneeS6Q";

int sql_user_verify(struct store *st, const char *name, const char *password)
{
	struct db_stmt *s;
	char *hash = NULL;
	char now[20];
	int rc, enabled = 0, ok;

	s = db_stmt(st, "SELECT password_hash, enabled FROM \"user\""
			" WHERE name = ?1");
	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	rc = db_step(s);
	if (rc == DB_ROW) {
		if (!db_is_null(s, 0))
			hash = xstrdup(db_text(s, 0));
		enabled = (int)db_int64(s, 1);
	}
	db_reset(s);
	if (rc < 0)
		return -1;
	ok = secret_password_verify(hash ? hash : user_dummy_hash, password) &&
	     hash && enabled;
	free(hash);
	if (!ok)
		return 0;
	s = db_stmt(st, "UPDATE \"user\" SET last_login = ?1 WHERE name = ?2");
	if (s) {
		util_now(now);
		db_bind_text(s, 1, now);
		db_bind_text(s, 2, name);
		db_exec(s);
	}
	return 1;
}

#define USER_COLUMNS                                                           \
	"SELECT u.id, u.name, u.role, u.org_id, o.name AS org, u.source,"      \
	" u.full_name, u.email, u.enabled, u.created, u.last_login"            \
	" FROM \"user\" u JOIN org o ON o.id = u.org_id"

json_t *sql_user_list(struct store *st)
{
	return adm_rows(st, USER_COLUMNS " ORDER BY u.id", NULL, "enabled");
}

json_t *sql_user_get(struct store *st, const char *name)
{
	json_t *rows, *user = NULL;

	rows = adm_rows(st, USER_COLUMNS " WHERE u.name = ?1", name, "enabled");
	if (rows && json_array_size(rows) == 1)
		user = json_incref(json_array_get(rows, 0));
	else if (rows)
		log_err("no user named '%s'", name);
	json_decref(rows);
	return user;
}

/* ---- API tokens ---- */

static int token_user_id(struct store *st, const char *user, int64_t *id)
{
	struct db_stmt *s =
		db_stmt(st, "SELECT id FROM \"user\" WHERE name = ?1");
	int rc;

	if (!s)
		return -1;
	db_bind_text(s, 1, user);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_int64(s, 0);
	db_reset(s);
	if (rc == DB_DONE)
		log_err("no user named '%s' (create it with 'netcensus admin "
			"user add %s --role ROLE')",
			user, user);
	return rc == DB_ROW ? 0 : -1;
}

int sql_token_create(struct store *st, const char *user, const char *label,
		     char **token)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1], now[20];
	char prefix[TOKEN_SHOWN + 1];
	struct db_stmt *s;
	int64_t user_id;
	char *tok;

	*token = NULL;
	if (adm_check_text("token label", label, LABEL_MAX_LEN, 0) < 0 ||
	    token_user_id(st, user, &user_id) < 0)
		return -1;
	tok = secret_token_new();
	if (!tok)
		return -1;
	secret_token_hash(tok, hash);
	memcpy(prefix, tok, TOKEN_SHOWN);
	prefix[TOKEN_SHOWN] = '\0';
	s = db_stmt(st, "INSERT INTO token (user_id, label, hash, prefix,"
			" created) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		goto fail;
	util_now(now);
	db_bind_int64(s, 1, user_id);
	db_bind_text(s, 2, label && *label ? label : NULL);
	db_bind_text(s, 3, hash);
	db_bind_text(s, 4, prefix);
	db_bind_text(s, 5, now);
	if (db_exec(s) < 0)
		goto fail;
	*token = tok;
	return 0;
fail:
	secret_free(tok);
	return -1;
}

char *sql_token_user(struct store *st, const char *token)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1], now[20];
	struct db_stmt *s;
	char *user = NULL;
	int64_t id = 0;
	int rc, revoked = 0, enabled = 0;

	if (!token || strlen(token) > TOKEN_MAX_LEN) {
		log_info("API token refused: missing or longer than %d "
			 "characters",
			 TOKEN_MAX_LEN);
		return NULL;
	}
	secret_token_hash(token, hash);
	s = db_stmt(st, "SELECT t.id, t.revoked, u.name, u.enabled"
			" FROM token t JOIN \"user\" u ON u.id = t.user_id"
			" WHERE t.hash = ?1");
	if (!s)
		return NULL;
	db_bind_text(s, 1, hash);
	rc = db_step(s);
	if (rc == DB_ROW) {
		id = db_int64(s, 0);
		revoked = (int)db_int64(s, 1);
		user = xstrdup(db_text(s, 2));
		enabled = (int)db_int64(s, 3);
	}
	db_reset(s);
	if (rc != DB_ROW) {
		if (rc == DB_DONE)
			log_info("API token %.*s… is not known", TOKEN_SHOWN,
				 token);
		return NULL;
	}
	if (revoked || !enabled) {
		log_info("API token %lld of '%s' refused: %s", (long long)id,
			 user, revoked ? "revoked" : "user disabled");
		free(user);
		return NULL;
	}
	s = db_stmt(st, "UPDATE token SET last_used = ?1 WHERE id = ?2");
	if (s) {
		util_now(now);
		db_bind_text(s, 1, now);
		db_bind_int64(s, 2, id);
		db_exec(s);
	}
	return user;
}

int sql_token_revoke(struct store *st, int64_t id)
{
	return adm_change_by_id(
		st, "UPDATE token SET revoked = 1 WHERE id = ?1", id, "token");
}

json_t *sql_token_list(struct store *st)
{
	return adm_rows(st,
			"SELECT t.id, u.name AS \"user\", t.label, t.prefix,"
			" t.created, t.last_used, t.revoked"
			" FROM token t JOIN \"user\" u ON u.id = t.user_id"
			" ORDER BY t.id",
			NULL, "revoked");
}

/* ---- credentials ---- */

#define CRED_FIELDS_MAX 8

struct cred_type {
	const char *name;
	const char *fields[CRED_FIELDS_MAX]; /* every field it takes */
	const char *required[CRED_FIELDS_MAX];
};

static const struct cred_type cred_types[] = {
	{"snmp", {"community"}, {"community"}},
	{"snmp_v3",
	 {"security_name", "security_level", "auth_protocol", "auth_passphrase",
	  "priv_protocol", "priv_passphrase", "context_name"},
	 {"security_name", "security_level"}},
	{"ssh",
	 {"username", "password", "sudo_password"},
	 {"username", "password"}},
	{"ssh_key",
	 {"username", "key", "key_file", "passphrase", "sudo_password"},
	 {"username"}},
	{"windows",
	 {"username", "password", "domain"},
	 {"username", "password"}},
	/* a directory bind (Active Directory discovery): a DN, a UPN or
	 * DOMAIN\user */
	{"ldap", {"bind_dn", "password"}, {"bind_dn", "password"}},
};

#define CRED_TYPE_COUNT (sizeof(cred_types) / sizeof(cred_types[0]))

static const char *const cred_secret_fields[] = {
	"community",  "password", "auth_passphrase", "priv_passphrase",
	"passphrase", "key",	  "sudo_password",   NULL,
};

/* Open-AudIT's names for the same fields; type NULL means any type. */
static const struct {
	const char *type, *from, *to;
} cred_aliases[] = {
	{NULL, "authentication_passphrase", "auth_passphrase"},
	{NULL, "authentication_protocol", "auth_protocol"},
	{NULL, "privacy_passphrase", "priv_passphrase"},
	{NULL, "privacy_protocol", "priv_protocol"},
	{"ssh_key", "ssh_key", "key"},
	{"ssh_key", "password", "passphrase"},
};

/* Keys around a credential that are not fields: ours, and the bookkeeping
 * an Open-AudIT export carries. */
static const char *const cred_meta_keys[] = {
	"name",	   "type",	  "description", "org_id",	"id",
	"org",	   "orgs.name",	  "edited_by",	 "edited_date", "created",
	"updated", "secrets_set", "credentials", "attributes",	NULL,
};

static const char *const snmp_levels[] = {"noAuthNoPriv", "authNoPriv",
					  "authPriv", NULL};
static const char *const snmp_auth_protocols[] = {
	"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512", NULL,
};
static const char *const snmp_priv_protocols[] = {
	"DES", "AES", "AES-192", "AES-256", NULL,
};

static int cred_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static int cred_is_secret(const char *field)
{
	return cred_in(cred_secret_fields, field);
}

static const struct cred_type *cred_type_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < CRED_TYPE_COUNT; i++)
		if (!strcmp(cred_types[i].name, name))
			return &cred_types[i];
	return NULL;
}

static const char *cred_alias(const char *type, const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(cred_aliases) / sizeof(cred_aliases[0]); i++)
		if ((!cred_aliases[i].type ||
		     !strcmp(cred_aliases[i].type, type)) &&
		    !strcmp(cred_aliases[i].from, field))
			return cred_aliases[i].to;
	return field;
}

/* Equal ignoring case and '-', so "sha256" matches "SHA-256". */
static int cred_loose_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
		a++;
		b++;
	}
}

/* Replaces cred[field] by its spelling in list; -1 when not in it. */
static int cred_canonical(json_t *cred, const char *name, const char *field,
			  const char *const *list)
{
	const char *v = json_string_value(json_object_get(cred, field));
	struct strbuf sb;
	int i;

	if (!v)
		return 0;
	for (i = 0; list[i]; i++) {
		if (cred_loose_eq(list[i], v)) {
			json_object_set_new(cred, field, json_string(list[i]));
			return 0;
		}
	}
	strbuf_init(&sb, 512);
	for (i = 0; list[i]; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", list[i]);
	log_err("credential '%s': %s '%.40s' is not one of %s", name, field, v,
		sb.data);
	strbuf_free(&sb);
	return -1;
}

/* Adds to missing every field cred needs but lacks (by type and, for
 * SNMPv3, security level). */
static void cred_missing(const struct cred_type *t, json_t *cred,
			 json_t *missing)
{
	static const char *const v3_auth[] = {"auth_protocol",
					      "auth_passphrase", NULL};
	static const char *const v3_priv[] = {"priv_protocol",
					      "priv_passphrase", NULL};
	const char *level;
	int i;

	for (i = 0; t->required[i]; i++)
		if (!json_object_get(cred, t->required[i]))
			json_array_append_new(missing,
					      json_string(t->required[i]));
	if (!strcmp(t->name, "snmp_v3")) {
		level = json_string_value(
			json_object_get(cred, "security_level"));
		for (i = 0;
		     level && strcmp(level, "noAuthNoPriv") && v3_auth[i]; i++)
			if (!json_object_get(cred, v3_auth[i]))
				json_array_append_new(missing,
						      json_string(v3_auth[i]));
		for (i = 0; level && !strcmp(level, "authPriv") && v3_priv[i];
		     i++)
			if (!json_object_get(cred, v3_priv[i]))
				json_array_append_new(missing,
						      json_string(v3_priv[i]));
	}
	if (!strcmp(t->name, "ssh_key") && !json_object_get(cred, "key") &&
	    !json_object_get(cred, "key_file"))
		json_array_append_new(missing, json_string("key"));
}

/* Copies the fields of src (an object of field: string) into out, checking
 * each against type t. */
static int cred_copy_fields(const struct cred_type *t, const char *name,
			    json_t *src, int flat, json_t *out)
{
	const char *k, *field;
	struct strbuf sb;
	json_t *v;
	int i;

	json_object_foreach(src, k, v) {
		if (flat && cred_in(cred_meta_keys, k))
			continue;
		field = cred_alias(t->name, k);
		if (!cred_in(t->fields, field)) {
			strbuf_init(&sb, 512);
			for (i = 0; t->fields[i]; i++)
				strbuf_printf(&sb, "%s%s", i ? ", " : "",
					      t->fields[i]);
			log_err_field(k,
				      "credential '%s': '%s' is not a field of "
				      "%s credentials (they take: %s)",
				      name, k, t->name, sb.data);
			strbuf_free(&sb);
			return -1;
		}
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			log_err_field(k, "credential '%s': %s must be a string",
				      name, k);
			return -1;
		}
		/* Open-AudIT exports write "" for a field never set. */
		if (json_string_length(v) == 0)
			continue;
		if (json_string_length(v) > FIELD_MAX_LEN) {
			log_err_field(k,
				      "credential '%s': %s is longer than %d "
				      "bytes",
				      name, k, FIELD_MAX_LEN);
			return -1;
		}
		if (strlen(json_string_value(v)) != json_string_length(v)) {
			log_err("credential '%s': %s contains a NUL byte", name,
				k);
			return -1;
		}
		/* A copy, so wiping ours leaves the caller's object alone. */
		json_object_set_new(out, field,
				    json_stringn(json_string_value(v),
						 json_string_length(v)));
	}
	return 0;
}

/* The credential's fields: its "credentials" object (Open-AudIT; possibly
 * as a JSON string), else the credential itself (flat). A new reference. */
static json_t *cred_source(const char *name, json_t *in, int *flat)
{
	json_t *c = json_object_get(in, "credentials");
	json_error_t err;
	json_t *parsed;

	*flat = 0;
	if (json_is_object(c))
		return json_incref(c);
	if (json_is_string(c)) {
		parsed = NULL;
		if (json_string_length(c) <= CRED_CREDENTIALS_MAX)
			parsed = json_loadb(json_string_value(c),
					    json_string_length(c), 0, &err);
		if (!json_is_object(parsed)) {
			json_decref(parsed);
			log_err("credential '%s': \"credentials\" is a string "
				"that is not a JSON object (an encrypted "
				"Open-AudIT export? export with "
				"decrypt_credentials=y)",
				name);
			return NULL;
		}
		return parsed;
	}
	if (c && !json_is_null(c)) {
		log_err("credential '%s': \"credentials\" must be an object",
			name);
		return NULL;
	}
	*flat = 1;
	return json_incref(in);
}

static int cred_org_id(const char *name, json_t *in, json_t *out)
{
	json_t *v = json_object_get(in, "org_id");
	long num;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		json_object_set(out, "org_id", v);
		return 0;
	}
	if (json_is_string(v) &&
	    util_parse_long(json_string_value(v), 1, INT32_MAX, &num) == 0) {
		json_object_set_new(out, "org_id", json_integer(num));
		return 0;
	}
	log_err_field("org_id",
		      "credential '%s': org_id must be a positive integer",
		      name);
	return -1;
}

/* Checks a credential in our flat shape or Open-AudIT's and returns it
 * flat: {"name", "type", ["description"], ["org_id"], fields…}. When
 * missing_secrets is given, absent secret fields are listed there instead
 * of refused. NULL (logged) when it cannot be used. */
static json_t *cred_normalise(json_t *in, const char *fallback_name,
			      json_t *missing_secrets)
{
	const struct cred_type *t;
	const char *name, *type, *desc, *f, *first;
	json_t *out = NULL, *src = NULL, *attrs, *missing;
	struct strbuf sb;
	size_t i;
	int flat;

	if (!json_is_object(in)) {
		log_err("a credential must be a JSON object");
		return NULL;
	}
	attrs = json_object_get(in, "attributes");
	if (json_is_object(attrs))
		in = attrs;
	name = json_string_value(json_object_get(in, "name"));
	if (!name)
		name = fallback_name;
	if (adm_check_text("credential name", name, NAME_MAX_LEN, 1) < 0)
		return NULL;
	type = json_string_value(json_object_get(in, "type"));
	t = cred_type_find(type);
	if (!t) {
		log_err_field("type",
			      "credential '%s': type '%s' is not one of snmp, "
			      "snmp_v3, ssh, ssh_key, windows, ldap",
			      name, type ? type : "");
		return NULL;
	}
	out = json_pack("{ssss}", "name", name, "type", t->name);
	desc = json_string_value(json_object_get(in, "description"));
	if (adm_check_text("credential description", desc, DESC_MAX_LEN, 0) < 0)
		goto fail;
	if (desc && *desc)
		json_object_set_new(out, "description", json_string(desc));
	if (cred_org_id(name, in, out) < 0)
		goto fail;
	src = cred_source(name, in, &flat);
	if (!src || cred_copy_fields(t, name, src, flat, out) < 0)
		goto fail;
	if (!strcmp(t->name, "snmp_v3") &&
	    (cred_canonical(out, name, "security_level", snmp_levels) < 0 ||
	     cred_canonical(out, name, "auth_protocol", snmp_auth_protocols) <
		     0 ||
	     cred_canonical(out, name, "priv_protocol", snmp_priv_protocols) <
		     0))
		goto fail;
	missing = json_array();
	cred_missing(t, out, missing);
	strbuf_init(&sb, 512);
	first = NULL;
	json_array_foreach(missing, i, attrs) {
		f = json_string_value(attrs);
		if (missing_secrets && cred_is_secret(f) &&
		    strcmp(f, "key") != 0)
			json_array_append(missing_secrets, attrs);
		else if (strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", f),
			 !first)
			first = f;
	}
	if (sb.len) {
		log_err_field(first,
			      "credential '%s' (%s) is missing %s%s: "
			      "required for %s credentials",
			      name, t->name, sb.data,
			      !strcmp(t->name, "ssh_key") &&
					      !json_object_get(out, "key")
				      ? " (the private key, or key_file: its "
					"path on the server)"
				      : "",
			      t->name);
		strbuf_free(&sb);
		json_decref(missing);
		goto fail;
	}
	json_decref(missing);
	strbuf_free(&sb);
	f = json_string_value(json_object_get(out, "bind_dn"));
	if (f && !strpbrk(f, "=@\\")) {
		log_err_field("bind_dn",
			      "credential '%s': bind_dn '%.64s' is not a "
			      "directory name: give a DN (CN=svc,OU=Service,"
			      "DC=corp,DC=example), user@domain or "
			      "DOMAIN\\user",
			      name, f);
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		f = i ? "priv_passphrase" : "auth_passphrase";
		if (json_string_length(json_object_get(out, f)) > 0 &&
		    json_string_length(json_object_get(out, f)) < 8) {
			log_err_field(
				f,
				"credential '%s': %s must be at least 8 "
				"characters (SNMPv3 refuses shorter ones)",
				name, f);
			goto fail;
		}
	}
	json_decref(src);
	return out;
fail:
	json_decref(src);
	store_credential_wipe(out);
	json_decref(out);
	return NULL;
}

int store_credential_field_secret(const char *field)
{
	/* ssh_key has the most aliases (ssh_key, password) */
	return cred_is_secret(field) ||
	       cred_is_secret(cred_alias("ssh_key", field));
}

void store_credential_wipe(json_t *cred)
{
	const char *k;
	json_t *v;
	size_t i;

	/* jansson owns the string memory; overwrite it in place before the
	 * object is freed, so no clear secret lingers on the heap. Nested
	 * documents (files, Open-AudIT envelopes) are walked too. */
	if (json_is_array(cred))
		json_array_foreach(cred, i, v)
			store_credential_wipe(v);
	json_object_foreach(cred, k, v) {
		if (json_is_string(v) && (store_credential_field_secret(k) ||
					  !strcmp(k, "credentials")))
			secret_wipe((void *)(uintptr_t)json_string_value(v),
				    json_string_length(v));
		else if (json_is_object(v) || json_is_array(v))
			store_credential_wipe(v);
	}
}

json_t *store_credential_secrets_needed(json_t *cred)
{
	json_t *missing = json_array();
	json_t *out = cred_normalise(cred, "credential", missing);

	if (!out) {
		json_decref(missing);
		return NULL;
	}
	store_credential_wipe(out);
	json_decref(out);
	return missing;
}

json_t *store_credential_parse(json_t *doc)
{
	json_t *items, *item, *one, *out = json_array();
	char fallback[32];
	size_t i;

	items = json_is_object(doc) && json_object_get(doc, "data")
			? json_object_get(doc, "data")
			: doc;
	if (json_is_object(items)) {
		items = json_pack("[O]", items);
	} else if (json_is_array(items)) {
		json_incref(items);
	} else {
		log_err("a credentials file holds a JSON object or an array "
			"of them");
		goto fail;
	}
	json_array_foreach(items, i, item) {
		snprintf(fallback, sizeof(fallback), "credential-%zu", i + 1);
		one = cred_normalise(item, fallback, NULL);
		if (!one) {
			log_err("credential %zu of the file was refused; "
				"nothing was read",
				i + 1);
			json_decref(items);
			goto fail;
		}
		json_array_append_new(out, one);
	}
	json_decref(items);
	return out;
fail:
	json_array_foreach(out, i, item)
		store_credential_wipe(item);
	json_decref(out);
	return NULL;
}

/* Seals each secret field of cred into a {"field": "v1:..."} object and
 * puts the other fields into a plain one. */
static int cred_split(struct store *st, json_t *cred, json_t *fields,
		      json_t *secrets)
{
	struct secret_key *key = NULL;
	const char *k;
	char *sealed;
	json_t *v;

	json_object_foreach(cred, k, v) {
		if (cred_in(cred_meta_keys, k))
			continue;
		if (!cred_is_secret(k)) {
			json_object_set(fields, k, v);
			continue;
		}
		if (!key && !(key = st->ops->key(st)))
			return -1;
		sealed = secret_encrypt(key, json_string_value(v));
		if (!sealed)
			return -1;
		json_object_set_new(secrets, k, json_string(sealed));
		free(sealed);
	}
	return 0;
}

/* Adds cred, or with update_id > 0 replaces that credential's name, type,
 * org, description, fields and secrets (checked as a new one is). */
static int cred_write(struct store *st, json_t *cred, int64_t update_id,
		      int64_t *id)
{
	json_t *norm, *fields = json_object(), *secrets = json_object();
	char *fields_text = NULL, *secrets_text = NULL;
	struct db_stmt *s = NULL;
	const char *name;
	int64_t org_id;
	char now[20];
	int rc = -1;

	norm = cred_normalise(cred, "credential", NULL);
	if (!norm)
		goto out;
	name = json_string_value(json_object_get(norm, "name"));
	org_id = json_integer_value(json_object_get(norm, "org_id"));
	if (org_id <= 0)
		org_id = 1;
	rc = adm_exists(st, "SELECT 1 FROM org WHERE id = ?1", org_id);
	if (rc <= 0) {
		if (rc == 0)
			log_err_field(
				"org_id",
				"credential '%s': org %lld does not exist",
				name, (long long)org_id);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (cred_split(st, norm, fields, secrets) < 0)
		goto out;
	fields_text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
	secrets_text = json_dumps(secrets, JSON_COMPACT | JSON_SORT_KEYS);
	s = db_stmt(st, update_id > 0
				? "UPDATE credential SET org_id = ?1,"
				  " name = ?2, type = ?3, description = ?4,"
				  " fields = ?5, secrets = ?6, updated = ?7"
				  " WHERE id = ?8 RETURNING id"
				: "INSERT INTO credential (org_id, name,"
				  " type, description, fields, secrets,"
				  " created, updated)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
				  " RETURNING id");
	if (!s)
		goto out;
	if (update_id > 0)
		db_bind_int64(s, 8, update_id);
	util_now(now);
	db_bind_int64(s, 1, org_id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, json_string_value(json_object_get(norm, "type")));
	db_bind_text(s, 4,
		     json_string_value(json_object_get(norm, "description")));
	db_bind_text(s, 5, fields_text);
	db_bind_text(s, 6, secrets_text);
	db_bind_text(s, 7, now);
	rc = db_step_id(s, id);
	if (rc == DB_CONSTRAINT)
		log_err_field("name",
			      "a credential named '%s' already exists in org "
			      "%lld: pick another name",
			      name, (long long)org_id);
	else if (rc && update_id > 0)
		log_err("no credential with id %lld", (long long)update_id);
	rc = rc ? -1 : 0;
out:
	store_credential_wipe(norm);
	json_decref(norm);
	json_decref(fields);
	json_decref(secrets);
	free(fields_text);
	free(secrets_text);
	return rc;
}

int sql_credential_add(struct store *st, json_t *cred, int64_t *id)
{
	return cred_write(st, cred, 0, id);
}

int sql_credential_update(struct store *st, int64_t id, json_t *cred)
{
	return cred_write(st, cred, id, NULL);
}

#define CRED_COLUMNS                                                           \
	"SELECT c.id, c.name, c.type, c.org_id, o.name AS org,"                \
	" c.description, c.created, c.updated, c.fields, c.secrets"            \
	" FROM credential c JOIN org o ON o.id = c.org_id"

/* Moves the row's "fields" JSON into the row itself and returns the parsed
 * "secrets" object (removed from the row). */
static json_t *cred_unpack_row(json_t *row)
{
	json_error_t err;
	json_t *fields, *secrets;
	const char *k, *ftext, *stext;
	json_t *v;

	ftext = json_string_value(json_object_get(row, "fields"));
	stext = json_string_value(json_object_get(row, "secrets"));
	fields = json_loads(ftext ? ftext : "{}", 0, &err);
	secrets = json_loads(stext ? stext : "{}", 0, &err);
	json_object_del(row, "fields");
	json_object_del(row, "secrets");
	json_object_foreach(fields, k, v)
		if (!json_object_get(row, k))
			json_object_set(row, k, v);
	json_decref(fields);
	if (!json_is_object(secrets)) {
		json_decref(secrets);
		secrets = json_object();
	}
	return secrets;
}

json_t *sql_credential_list(struct store *st)
{
	json_t *rows, *row, *secrets, *set;
	const char *k;
	json_t *v;
	size_t i;

	rows = adm_rows(st, CRED_COLUMNS " ORDER BY c.id", NULL, NULL);
	json_array_foreach(rows, i, row) {
		secrets = cred_unpack_row(row);
		set = json_array();
		json_object_foreach(secrets, k, v)
			json_array_append_new(set, json_string(k));
		json_object_set_new(row, "secrets_set", set);
		json_decref(secrets);
	}
	return rows;
}

json_t *sql_credential_get_secret(struct store *st, int64_t id)
{
	struct db_stmt *s = db_stmt(st, CRED_COLUMNS " WHERE c.id = ?1");
	json_t *rows, *row = NULL, *secrets = NULL;
	struct secret_key *key = NULL;
	const char *k;
	char *plain;
	json_t *v;

	if (!s)
		return NULL;
	db_bind_int64(s, 1, id);
	rows = db_rows(s);
	if (!rows)
		return NULL;
	if (json_array_size(rows) != 1) {
		log_err("no credential with id %lld", (long long)id);
		goto fail;
	}
	row = json_incref(json_array_get(rows, 0));
	secrets = cred_unpack_row(row);
	if (json_object_size(secrets) && !(key = st->ops->key(st)))
		goto fail;
	json_object_foreach(secrets, k, v) {
		plain = json_is_string(v)
				? secret_decrypt(key, json_string_value(v))
				: NULL;
		if (!plain) {
			log_err("credential %lld: %s cannot be read (see the "
				"error above); enter it again",
				(long long)id, k);
			goto fail;
		}
		json_object_set_new(row, k, json_string(plain));
		secret_free(plain);
	}
	json_decref(secrets);
	json_decref(rows);
	return row;
fail:
	store_credential_wipe(row);
	json_decref(row);
	json_decref(secrets);
	json_decref(rows);
	return NULL;
}

int sql_credential_delete(struct store *st, int64_t id)
{
	return adm_change_by_id(st, "DELETE FROM credential WHERE id = ?1", id,
				"credential");
}
