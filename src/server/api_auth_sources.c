/*
 * /api/v1/auth-sources (an admin of the root org only: a mapping can
 * make anyone an admin of any org), the directory sign-in behind
 * POST /api/v1/auth/login, and the config file's "ldap.NAME.KEY" lines.
 *
 * A directory user is a user row with source 'ldap' and no password: each
 * login asks the directory again, then sets the role and org from the
 * mapped groups, or disables the row when the user is in none of them
 * (which also ends its sessions: every request checks "enabled"). A name
 * that belongs to a local user is never looked up in a directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dirauth.h"
#include "core/log.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "store/secret.h"
#include "store/store_sched.h"

#define DIR_SOURCE "ldap"
#define CONFIG_SECRET_MAX 4096

/* Zeroes the clear passwords in o (bind_password, and password in a test
 * request), in nested objects too, before it is freed. */
static void source_wipe(json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		if (json_is_string(v) &&
		    (!strcmp(k, "bind_password") || !strcmp(k, "password")))
			secret_wipe((void *)(uintptr_t)json_string_value(v),
				    json_string_length(v));
		else if (json_is_object(v))
			source_wipe(v);
	}
}

/* src with its clear bind password added (json_decref after
 * source_wipe()). */
static json_t *source_with_secret(struct store *st, json_t *src)
{
	json_t *full = json_deep_copy(src);
	char *pw = NULL;

	if (json_is_true(json_object_get(src, "bind_password_set")))
		pw = store_auth_source_password(
			st, json_integer_value(json_object_get(src, "id")));
	if (pw)
		json_object_set_new(full, "bind_password", json_string(pw));
	secret_free(pw);
	return full;
}

/* Creates or updates the user from the directory's answer; 1 signed in,
 * 0 refused. */
static int dir_accept(struct request *rq, json_t *src, const char *name,
		      const struct dirauth_user *u)
{
	const char *role, *org,
		*sname = json_string_value(json_object_get(src, "name"));
	int64_t org_id = 1;
	int conflict = 0, rc;

	if (!dirauth_map(src, u, &role, &org)) {
		store_user_external_disable(rq->st, name, DIR_SOURCE);
		log_warn("login '%s' via %s: in no mapped group; access "
			 "refused (user disabled)",
			 name, sname);
		return 0;
	}
	if (org && store_org_find(rq->st, org, &org_id) < 0) {
		log_warn("login '%s' via %s: mapped org '%s' does not exist",
			 name, sname, org);
		return 0;
	}
	rc = store_user_external_put(rq->st, name, DIR_SOURCE, role, org_id,
				     u->full_name[0] ? u->full_name : NULL,
				     u->email[0] ? u->email : NULL, &conflict);
	if (rc < 0) {
		if (conflict)
			log_warn("login '%s' via %s: a user of another source "
				 "has that name",
				 name, sname);
		return 0;
	}
	log_info("login '%s' via %s as %s in org %lld", name, sname, role,
		 (long long)org_id);
	return 1;
}

int auth_directory_login(struct request *rq, const char *name,
			 const char *password)
{
	char *have = store_user_source(rq->st, name);
	struct dirauth_user u;
	char why[512];
	json_t *sources, *src;
	size_t i;
	int rc = 0;

	if (have && strcmp(have, DIR_SOURCE)) {
		free(have);
		return 0; /* local users never sign in through a directory */
	}
	free(have);
	sources = store_auth_source_list(rq->st, 1);
	if (!sources)
		return -1;
	json_array_foreach(sources, i, src) {
		json_t *full = source_with_secret(rq->st, src);
		int r = dirauth_login(full, name, password, &u, why,
				      sizeof(why));

		if (r < 0)
			log_warn(
				"auth source %s: %s",
				json_string_value(json_object_get(src, "name")),
				why);
		else if (r == 0)
			log_debug(
				"auth source %s: '%s': %s",
				json_string_value(json_object_get(src, "name")),
				name, why);
		else
			rc = dir_accept(rq, full, name, &u);
		dirauth_user_free(&u);
		source_wipe(full);
		json_decref(full);
		if (r == 1)
			break; /* the directory that knows the user decides */
	}
	json_decref(sources);
	return rc;
}

/* ---- API ---- */

int api_auth_sources_list(struct request *rq)
{
	json_t *rows;

	if (!api_need_root_admin(rq))
		return 0;
	rows = store_auth_source_list(rq->st, 0);
	if (!rows)
		return api_reply_error(rq, 500, NULL,
				       "cannot list auth sources");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

static json_t *source_load(struct request *rq)
{
	int found = 0;
	json_t *s = store_auth_source_get(rq->st, rq->params.id[0], &found);

	if (!s)
		api_reply_error(rq, found ? 500 : 404, NULL,
				"no auth source %lld",
				(long long)rq->params.id[0]);
	return s;
}

int api_auth_source_get(struct request *rq)
{
	json_t *s;

	if (!api_need_root_admin(rq) || !(s = source_load(rq)))
		return 0;
	return api_reply_json(rq, 200, s);
}

int api_auth_source_create(struct request *rq)
{
	json_t *body;
	const char *field;
	char err[256];
	int64_t id = 0;
	int rc;

	if (!api_need_root_admin(rq) || !(body = api_body_json(rq)))
		return 0;
	json_object_del(body, "id");
	json_object_del(body, "origin");
	if (dirauth_check(body, err, sizeof(err), &field) < 0) {
		api_reply_error(rq, 400, field, "%s", err);
		goto out;
	}
	rc = store_auth_source_put(rq->st, body, "api", &id);
	if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot store the source");
	else
		api_reply_json(rq, 201,
			       store_auth_source_get(rq->st, id, NULL));
out:
	source_wipe(body);
	json_decref(body);
	return 0;
}

int api_auth_source_delete(struct request *rq)
{
	json_t *s;
	int rc;

	if (!api_need_root_admin(rq) || !(s = source_load(rq)))
		return 0;
	json_decref(s);
	rc = store_auth_source_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete the source");
	return api_reply_text(rq, 204, "%s", "");
}

/* POST /auth-sources/{id}/test {"username","password"}: what a login
 * would find (groups, mapped role), without signing anyone in. */
int api_auth_source_test(struct request *rq)
{
	json_t *s = NULL, *full = NULL, *body = NULL, *out;
	const char *user, *pw, *role = NULL, *org = NULL;
	struct dirauth_user u;
	char why[512];
	int r;

	if (!api_need_root_admin(rq) || !(s = source_load(rq)) ||
	    !(body = api_body_json(rq)))
		goto done;
	user = json_string_value(json_object_get(body, "username"));
	pw = json_string_value(json_object_get(body, "password"));
	if (!user || !pw) {
		api_reply_error(rq, 400, "username",
				"username and password are required");
		goto done;
	}
	full = source_with_secret(rq->st, s);
	r = dirauth_login(full, user, pw, &u, why, sizeof(why));
	out = json_pack("{sb}", "authenticated", r == 1);
	if (r == 1) {
		int mapped = dirauth_map(full, &u, &role, &org);

		json_object_set_new(out, "dn", json_string(u.dn));
		json_object_set(out, "groups", u.groups);
		json_object_set_new(out, "role",
				    mapped ? json_string(role) : json_null());
		json_object_set_new(out, "org",
				    org ? json_string(org) : json_null());
	} else {
		json_object_set_new(out, "reason", json_string(why));
		/* a 502 is an error reply: its reason is the error */
		if (r < 0)
			json_object_set_new(out, "error", json_string(why));
	}
	dirauth_user_free(&u);
	api_reply_json(rq, r < 0 ? 502 : 200, out);
done:
	source_wipe(body);
	source_wipe(full);
	json_decref(full);
	json_decref(body);
	json_decref(s);
	return 0;
}

/* ---- the config file ---- */

static int cfg_name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

static char *cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "GROUP | ROLE | ORG" (ORG optional) as {group, role, org}. */
static json_t *cfg_mapping(const char *value)
{
	char *copy = xstrdup(value), *p1, *p2;
	json_t *m = NULL;

	p1 = strchr(copy, '|');
	if (!p1)
		goto out;
	*p1++ = '\0';
	p2 = strchr(p1, '|');
	if (p2)
		*p2++ = '\0';
	m = json_pack("{ssss}", "group", cfg_trim(copy), "role", cfg_trim(p1));
	if (p2 && *cfg_trim(p2))
		json_object_set_new(m, "org", json_string(cfg_trim(p2)));
out:
	free(copy);
	return m;
}

int auth_sources_config_set(void **sources, const char *key, const char *value,
			    const char **why)
{
	const char *dot = strchr(key, '.'), *field;
	json_t *all = *sources, *src, *m;
	char name[65];

	if (!dot || !cfg_name_ok(key, (size_t)(dot - key))) {
		*why = "expected ldap.NAME.KEY (NAME: letters, digits, _ -)";
		return -1;
	}
	memcpy(name, key, (size_t)(dot - key));
	name[dot - key] = '\0';
	field = dot + 1;
	if (!all)
		*sources = all = json_object();
	src = json_object_get(all, name);
	if (!src) {
		src = json_pack("{ss}", "name", name);
		json_object_set_new(all, name, src);
	}
	if (!strcmp(field, "mapping")) {
		m = cfg_mapping(value);
		if (!m) {
			*why = "expected GROUP | ROLE | ORG (ORG optional)";
			return -1;
		}
		if (!json_object_get(src, "mappings"))
			json_object_set_new(src, "mappings", json_array());
		json_array_append_new(json_object_get(src, "mappings"), m);
		return 0;
	}
	if (!strcmp(field, "starttls") || !strcmp(field, "enabled")) {
		int yes = !strcmp(value, "yes") || !strcmp(value, "true") ||
			  !strcmp(value, "1");

		if (!yes && strcmp(value, "no") && strcmp(value, "false") &&
		    strcmp(value, "0")) {
			*why = "expected yes or no";
			return -1;
		}
		json_object_set_new(src, field, json_boolean(yes));
		return 0;
	}
	if (!strcmp(field, "bind_password_file")) {
		size_t len;
		char *pw = util_read_file(value, CONFIG_SECRET_MAX, &len, why);

		if (!pw)
			return -1;
		pw[strcspn(pw, "\r\n")] = '\0';
		json_object_set_new(src, "bind_password", json_string(pw));
		secret_free(pw);
		return 0;
	}
	if (!strcmp(field, "mappings") || !strcmp(field, "id") ||
	    !strcmp(field, "origin") || !strcmp(field, "name")) {
		*why = "not a setting here (use mapping = GROUP | ROLE | ORG)";
		return -1;
	}
	json_object_set_new(src, field, json_string(value));
	return 0;
}

int auth_sources_config_check(void *sources)
{
	const char *name, *field;
	json_t *src, *copy;
	char err[256];
	int rc = 0;

	json_object_foreach((json_t *)sources, name, src) {
		copy = json_deep_copy(src);
		if (dirauth_check(copy, err, sizeof(err), &field) < 0) {
			log_err("config: ldap.%s%s%s: %s", name,
				field ? "." : "", field ? field : "", err);
			rc = -1;
		}
		source_wipe(copy);
		json_decref(copy);
	}
	return rc;
}

int auth_sources_config_apply(struct store *st, void *sources)
{
	const char *name, *field;
	json_t *src;
	char err[256];
	int64_t id;

	json_object_foreach((json_t *)sources, name, src) {
		if (dirauth_check(src, err, sizeof(err), &field) < 0 ||
		    store_auth_source_put(st, src, "config", &id) < 0) {
			log_err("config: ldap.%s: cannot be used", name);
			return -1;
		}
	}
	return 0;
}

void auth_sources_config_free(void *sources)
{
	source_wipe(sources);
	json_decref(sources);
}
