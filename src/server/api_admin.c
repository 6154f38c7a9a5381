/*
 * Orgs, users, API tokens and credentials. Who may do what:
 *   admin      everything in its org tree (the Default org's tree is all)
 *   org_admin  the same within its org tree, but cannot make admins
 *   user       reads; manages only its own tokens
 * Objects outside the caller's org tree answer 404. Credential secrets are
 * write-only: no reply ever carries them.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "probe/snmp.h"
#include "probe/ssh.h"
#include "probe/winrpc.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/secret.h"
#include "store/store_api.h"
#include "store/store_ui.h"

/* Keeps the rows of a whose key org_key names a visible org; steals a. */
static json_t *api_visible_rows(struct request *rq, json_t *a,
				const char *org_key)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(a, i, r)
		if (api_org_visible(rq, json_integer_value(
						json_object_get(r, org_key))))
			json_array_append(out, r);
	json_decref(a);
	return out;
}

static int api_reply_all(struct request *rq, json_t *rows)
{
	if (!rows)
		return api_reply_error(rq, 500, NULL, "the query failed");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_body_int(struct request *rq, json_t *body, const char *key, int64_t def,
		 int64_t *out)
{
	json_t *v = json_object_get(body, key);

	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		api_reply_error(rq, 400, key, "%s must be a positive integer",
				key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int api_body_org(struct request *rq, json_t *body, const char *key,
		 int64_t *org)
{
	json_t *row;
	int found = 0;

	if (api_body_int(rq, body, key, rq->who.org_id, org) < 0)
		return -1;
	if (api_org_visible(rq, *org)) {
		/* an admin sees every org, even one that does not exist */
		row = store_api_org_get(rq->st, *org, &found);
		json_decref(row);
		if (found)
			return 0;
	}
	api_reply_error(rq, 400, key, "no org %lld", (long long)*org);
	return -1;
}

/* ---- orgs ---- */

int api_orgs_list(struct request *rq)
{
	json_t *rows = store_org_list(rq->st);

	return api_reply_all(rq,
			     rows ? api_visible_rows(rq, rows, "id") : NULL);
}

int api_org_get(struct request *rq)
{
	int64_t id = rq->params.id[0];
	int found = 0;
	json_t *org;

	if (!api_org_visible(rq, id))
		return api_reply_error(rq, 404, NULL, "no org %lld",
				       (long long)id);
	org = store_api_org_get(rq->st, id, &found);
	if (!org)
		return api_reply_error(rq, found ? 500 : 404, NULL,
				       "no org %lld", (long long)id);
	return api_reply_json(rq, 200, org);
}

int api_org_create(struct request *rq)
{
	json_t *body;
	const char *name, *why;
	int64_t parent, id = 0;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	name = json_string_value(json_object_get(body, "name"));
	if (store_text_check(name, STORE_NAME_MAX, 1, &why) < 0) {
		api_reply_error(rq, 400, "name",
				"name %s (1-%d characters, no control "
				"characters, no spaces around)",
				why, STORE_NAME_MAX);
		goto out;
	}
	if (api_body_org(rq, body, "parent_id", &parent) < 0)
		goto out;
	if (api_tx_begin(rq) < 0)
		goto out;
	if (store_org_find(rq->st, name, &id) == 0 && id) {
		api_tx_end(rq);
		api_reply_error(rq, 409, "name", "org '%s' already exists",
				name);
		goto out;
	}
	rc = store_org_add(rq->st, name, parent, &id);
	if (api_tx_end(rq) < 0)
		goto out;
	if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot add org '%s'", name);
	else
		api_reply_json(rq, 201, store_api_org_get(rq->st, id, NULL));
out:
	json_decref(body);
	return 0;
}

/* ---- users ---- */

/* A user object as the API shows it: "username" like login takes it. */
static json_t *api_user_out(json_t *u)
{
	json_t *n = json_object_get(u, "name");

	if (n) {
		json_object_set(u, "username", n);
		json_object_del(u, "name");
	}
	return u;
}

int api_users_list(struct request *rq)
{
	json_t *rows, *u;
	size_t i;

	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	rows = store_api_user_list(
		rq->st, rq->who.all_orgs ? NULL : rq->who.orgs, rq->who.norgs);
	json_array_foreach(rows, i, u)
		api_user_out(u);
	return api_reply_all(rq, rows);
}

/* The user with id in the caller's tree, or NULL after replying 404. */
static json_t *api_user_visible(struct request *rq, int64_t id)
{
	json_t *u = store_api_user_get_id(rq->st, id);

	if (u && api_org_visible(
			 rq, json_integer_value(json_object_get(u, "org_id"))))
		return u;
	json_decref(u);
	api_reply_error(rq, 404, NULL, "no user %lld", (long long)id);
	return NULL;
}

int api_user_get(struct request *rq)
{
	int64_t id = rq->params.id[0];
	json_t *u;

	if (id != rq->who.user_id && !api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	u = api_user_visible(rq, id);
	return u ? api_reply_json(rq, 200, api_user_out(u)) : 0;
}

int api_user_create(struct request *rq)
{
	json_t *body, *u;
	const char *name, *pw, *role, *why = NULL;
	int64_t org;
	enum role r;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	name = json_string_value(json_object_get(body, "username"));
	pw = json_string_value(json_object_get(body, "password"));
	role = json_string_value(json_object_get(body, "role"));
	r = auth_role_from_name(role ? role : "user");
	if (!name) {
		api_reply_error(rq, 400, "username",
				"username is required (a string)");
		goto out;
	}
	if (store_user_name_check(name, &why) < 0) {
		api_reply_error(rq, 400, "username", "username %s", why);
		goto out;
	}
	if (!pw || secret_password_check(pw, &why) < 0) {
		api_reply_error(rq, 400, "password", "%s",
				pw ? why : "password is required");
		goto out;
	}
	if (r == ROLE_NONE) {
		api_reply_error(rq, 400, "role",
				"role must be admin, org_admin, user or "
				"collector");
		goto out;
	}
	if (r == ROLE_ADMIN && rq->who.role != ROLE_ADMIN) {
		api_reply_error(rq, 403, "role",
				"only an admin can create admins");
		goto out;
	}
	if (api_body_org(rq, body, "org_id", &org) < 0)
		goto out;
	u = store_api_user_get(rq->st, name);
	rc = u ? 1 : store_user_add(rq->st, name, auth_role_name(r), org, pw);
	json_decref(u);
	if (rc == 1)
		api_reply_error(rq, 409, "username", "user '%s' exists", name);
	else if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot add user '%s'", name);
	else
		api_reply_json(rq, 201,
			       api_user_out(store_api_user_get(rq->st, name)));
out:
	json_decref(body);
	return 0;
}

int api_user_delete(struct request *rq)
{
	int64_t id = rq->params.id[0];
	json_t *u;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) ||
	    !(u = api_user_visible(rq, id)))
		return 0;
	if (id == rq->who.user_id) {
		json_decref(u);
		return api_reply_error(rq, 400, NULL,
				       "you cannot delete yourself");
	}
	if (!strcmp(json_string_value(json_object_get(u, "role")), "admin") &&
	    rq->who.role != ROLE_ADMIN) {
		json_decref(u);
		return api_reply_error(rq, 403, NULL,
				       "only an admin can delete an admin");
	}
	json_decref(u);
	rc = store_api_user_delete(rq->st, id);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL, "cannot delete user");
	return api_reply_text(rq, 204, "%s", "");
}

/* Zeroes the clear passwords of a request body before it is freed. */
static void api_body_wipe(json_t *body, const char *const *keys)
{
	json_t *v;

	for (; *keys; keys++) {
		v = json_object_get(body, *keys);
		if (json_is_string(v))
			secret_wipe((void *)(uintptr_t)json_string_value(v),
				    json_string_length(v));
	}
}

/* POST /users/{id}/password {password, current_password}: sets a local
 * user's password and ends every session of that user (its API tokens
 * are kept). One's own needs current_password, checked and throttled as
 * a login; another's needs org_admin over its org, admin for an admin. */
int api_user_password(struct request *rq)
{
	static const char *const secret[] = {"password", "current_password",
					     NULL};
	int64_t id = rq->params.id[0];
	int self = id == rq->who.user_id, rc;
	const char *name, *pw, *cur, *why = NULL;
	json_t *body = NULL, *u = NULL, *reply;

	if ((!self && !api_need_role(rq, ROLE_ORG_ADMIN)) ||
	    !(u = api_user_visible(rq, id)) || !(body = api_body_json(rq)))
		goto out;
	name = json_string_value(json_object_get(u, "name"));
	pw = json_string_value(json_object_get(body, "password"));
	cur = json_string_value(json_object_get(body, "current_password"));
	if (strcmp(json_string_value(json_object_get(u, "source")), "local")) {
		api_reply_error(rq, 400, NULL,
				"'%s' signs in through a directory: change "
				"the password there",
				name);
		goto out;
	}
	if (!self && rq->who.role != ROLE_ADMIN &&
	    !strcmp(json_string_value(json_object_get(u, "role")), "admin")) {
		api_reply_error(rq, 403, NULL,
				"only an admin can set an admin's password");
		goto out;
	}
	if (!pw || secret_password_check(pw, &why) < 0) {
		api_reply_error(rq, 400, "password", "%s",
				pw ? why : "password is required (a string)");
		goto out;
	}
	if (self && !cur) {
		api_reply_error(rq, 400, "current_password",
				"current_password is required to change "
				"your own password");
		goto out;
	}
	if (self) {
		rc = auth_password_check(rq, name, cur);
		if (rc == -2)
			goto out;
		if (rc != 1) {
			api_reply_error(rq, rc < 0 ? 500 : 403,
					"current_password",
					"current_password is %s",
					rc < 0 ? "not checkable now" : "wrong");
			goto out;
		}
	}
	rc = store_user_set_password(rq->st, name, pw);
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot set the password");
		goto out;
	}
	log_info("password of '%s' set by '%s': its sessions ended", name,
		 rq->who.name);
	reply = json_pack("{sbssss}", "password_changed", 1, "sessions",
			  "ended", "tokens", "kept");
	auth_password_changed(rq, name, reply);
	api_reply_json(rq, 200, reply);
out:
	if (body)
		api_body_wipe(body, secret);
	json_decref(body);
	json_decref(u);
	return 0;
}

/* 1 when the caller may change user u (the caller's tree holds it, and
 * only an admin changes an admin); else replies 403 and returns 0. */
static int api_user_editable(struct request *rq, json_t *u)
{
	if (rq->who.role != ROLE_ADMIN &&
	    !strcmp(json_string_value(json_object_get(u, "role")), "admin")) {
		api_reply_error(rq, 403, NULL,
				"only an admin can change an admin");
		return 0;
	}
	return 1;
}

/* Checks body of PATCH /users/{id} against user u into set (the columns
 * to write); 0, or -1 after replying. */
static int api_user_patch_check(struct request *rq, json_t *u, json_t *body,
				json_t *set)
{
	int self =
		json_integer_value(json_object_get(u, "id")) == rq->who.user_id;
	const char *key, *why = NULL, *err = NULL;
	unsigned status = 400;
	json_t *v;
	int64_t org;
	enum role r;

	json_object_foreach(body, key, v) {
		if (!strcmp(key, "role")) {
			r = auth_role_from_name(json_string_value(v));
			if (!json_is_string(v) || r == ROLE_NONE)
				err = "role must be admin, org_admin, user or "
				      "collector";
			else if (r == ROLE_ADMIN && rq->who.role != ROLE_ADMIN)
				status = 403,
				err = "only an admin can make admins";
			else if (self && r != rq->who.role)
				err = "you cannot change your own role: ask "
				      "another admin";
			else
				json_object_set_new(
					set, key,
					json_string(auth_role_name(r)));
		} else if (!strcmp(key, "org_id")) {
			if (api_body_org(rq, body, key, &org) < 0)
				return -1;
			if (self && org != rq->who.org_id)
				err = "you cannot move yourself to another "
				      "org: "
				      "ask another admin";
			else
				json_object_set_new(set, key,
						    json_integer(org));
		} else if (!strcmp(key, "enabled")) {
			if (!json_is_boolean(v))
				err = "enabled must be true or false";
			else if (self && !json_is_true(v))
				err = "you cannot disable yourself";
			else
				json_object_set_new(
					set, key,
					json_integer(json_is_true(v)));
		} else if (!strcmp(key, "full_name") || !strcmp(key, "email")) {
			if (!json_is_null(v) &&
			    store_text_check(json_string_value(v),
					     STORE_NAME_MAX * 2, 0, &why) < 0)
				err = "must be a string of at most 200 "
				      "characters without control characters, "
				      "or null";
			else
				json_object_set(set, key, v);
		} else {
			err = "cannot be changed here: use role, org_id, "
			      "enabled, full_name, email (and POST "
			      "/users/{id}/password for the password)";
		}
		if (err) {
			api_reply_error(rq, status, key, "%s: %s", key, err);
			return -1;
		}
	}
	return 0;
}

/* PATCH /users/{id} {role, org_id, enabled, full_name, email}: an
 * org_admin changes users of its org tree (never into another org, never
 * an admin); disabling a user ends its sessions. */
int api_user_patch(struct request *rq)
{
	int64_t id = rq->params.id[0];
	json_t *u = NULL, *body = NULL, *set = json_object();
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) ||
	    !(u = api_user_visible(rq, id)) || !api_user_editable(rq, u) ||
	    !(body = api_body_json(rq)) ||
	    api_user_patch_check(rq, u, body, set) < 0)
		goto out;
	rc = store_user_update(rq->st, id, set);
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot change user %lld",
				(long long)id);
		goto out;
	}
	if (json_object_get(set, "enabled") &&
	    !json_integer_value(json_object_get(set, "enabled")))
		auth_sessions_end(
			rq, json_string_value(json_object_get(u, "name")));
	log_info("user '%s' changed by '%s'",
		 json_string_value(json_object_get(u, "name")), rq->who.name);
	api_reply_json(rq, 200,
		       api_user_out(store_api_user_get_id(rq->st, id)));
out:
	json_decref(set);
	json_decref(body);
	json_decref(u);
	return 0;
}

/* DELETE /users/{id}/sessions: signs the user out everywhere (its API
 * tokens stay; DELETE /tokens/{id} revokes those). Oneself, or an
 * org_admin over the user. */
int api_user_sessions_end(struct request *rq)
{
	int64_t id = rq->params.id[0];
	const char *name;
	json_t *u;
	int n;

	if (id != rq->who.user_id && !api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	if (!(u = api_user_visible(rq, id)))
		return 0;
	if (id != rq->who.user_id && !api_user_editable(rq, u)) {
		json_decref(u);
		return 0;
	}
	name = json_string_value(json_object_get(u, "name"));
	n = auth_sessions_end(rq, name);
	if (n < 0) {
		json_decref(u);
		return api_reply_error(rq, 500, NULL,
				       "cannot end the sessions of '%s'", name);
	}
	log_info("%d session(s) of '%s' ended by '%s'", n, name, rq->who.name);
	api_reply_json(rq, 200,
		       json_pack("{sisssssI}", "sessions_ended", n, "user",
				 name, "tokens", "kept", "id", (json_int_t)id));
	json_decref(u);
	return 0;
}

/* ---- tokens ---- */

int api_tokens_list(struct request *rq)
{
	int mine = rq->who.role < ROLE_ORG_ADMIN;

	return api_reply_all(
		rq, store_api_token_list(
			    rq->st, mine ? rq->who.user_id : 0,
			    rq->who.all_orgs || mine ? NULL : rq->who.orgs,
			    rq->who.norgs));
}

int api_token_create(struct request *rq)
{
	json_t *body, *u = NULL;
	const char *user, *label, *why;
	char *token = NULL;
	int rc;

	if (!(body = api_body_json(rq)))
		return 0;
	user = json_string_value(json_object_get(body, "user"));
	label = json_string_value(json_object_get(body, "label"));
	if (store_text_check(label, STORE_LABEL_MAX, 0, &why) < 0) {
		api_reply_error(rq, 400, "label",
				"label %s (at most %d characters, no control "
				"characters, no spaces around)",
				why, STORE_LABEL_MAX);
		goto out;
	}
	if (user && strcmp(user, rq->who.name)) {
		if (!api_need_role(rq, ROLE_ORG_ADMIN))
			goto out;
		u = store_api_user_get(rq->st, user);
		if (!u ||
		    !api_org_visible(rq, json_integer_value(json_object_get(
						 u, "org_id")))) {
			api_reply_error(rq, 404, "user", "no user '%s'", user);
			goto out;
		}
		if (!strcmp(json_string_value(json_object_get(u, "role")),
			    "admin") &&
		    rq->who.role != ROLE_ADMIN) {
			api_reply_error(rq, 403, "user",
					"only an admin can make tokens for "
					"an admin");
			goto out;
		}
	}
	rc = store_token_create(rq->st, user ? user : rq->who.name,
				label ? label : "", &token);
	if (rc < 0 || !token)
		api_reply_error(rq, 500, NULL, "cannot create a token");
	else
		api_reply_json(rq, 201,
			       json_pack("{ssssssss}", "token", token, "user",
					 user ? user : rq->who.name, "label",
					 label ? label : "", "note",
					 "shown once: store it now"));
	secret_free(token);
out:
	json_decref(u);
	json_decref(body);
	return 0;
}

int api_token_delete(struct request *rq)
{
	int64_t id = rq->params.id[0], uid = 0, org = 0;
	int rc;

	if (store_api_token_owner(rq->st, id, &uid, &org) < 0)
		return api_reply_error(rq, 500, NULL, "cannot read token");
	if (!uid || !api_org_visible(rq, org) ||
	    (uid != rq->who.user_id && rq->who.role < ROLE_ORG_ADMIN))
		return api_reply_error(rq, 404, NULL, "no token %lld",
				       (long long)id);
	rc = store_token_revoke(rq->st, id);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL, "cannot revoke token");
	return api_reply_text(rq, 204, "%s", "");
}

/* ---- credentials ---- */

static const char *const secret_keys[] = {
	"community",	   "password",	 "auth_passphrase",
	"priv_passphrase", "passphrase", "key",
	"secrets",	   "secret",	 NULL,
};

/* Removes every secret-bearing member, at the top and one level down. */
static void api_credential_scrub(json_t *c)
{
	const char *const *k;
	const char *key;
	json_t *v;

	for (k = secret_keys; *k; k++)
		json_object_del(c, *k);
	json_object_foreach(c, key, v)
		if (json_is_object(v))
			for (k = secret_keys; *k; k++)
				json_object_del(v, *k);
}

static json_t *api_credentials_visible(struct request *rq)
{
	json_t *rows = store_credential_list(rq->st), *r;
	size_t i;

	if (!rows)
		return NULL;
	rows = api_visible_rows(rq, rows, "org_id");
	json_array_foreach(rows, i, r)
		api_credential_scrub(r);
	return rows;
}

int api_credentials_list(struct request *rq)
{
	return api_reply_all(rq, api_credentials_visible(rq));
}

/* The visible credential id (a new reference), or NULL. */
static json_t *api_credential_find(struct request *rq, int64_t id)
{
	json_t *rows = api_credentials_visible(rq), *r, *out = NULL;
	size_t i;

	json_array_foreach(rows, i, r)
		if (json_integer_value(json_object_get(r, "id")) == id)
			out = json_incref(r);
	json_decref(rows);
	return out;
}

int api_credential_get(struct request *rq)
{
	json_t *c = api_credential_find(rq, rq->params.id[0]);

	if (!c)
		return api_reply_error(rq, 404, NULL, "no credential %lld",
				       (long long)rq->params.id[0]);
	return api_reply_json(rq, 200, c);
}

int api_credential_create(struct request *rq)
{
	struct log_capture cap;
	json_t *body, *c;
	int64_t org, id = 0;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	if (!json_string_value(json_object_get(body, "name"))) {
		api_reply_error(rq, 400, "name", "name is required");
		goto out;
	}
	if (!json_string_value(json_object_get(body, "type"))) {
		api_reply_error(rq, 400, "type",
				"type is required: snmp, snmp_v3, ssh, "
				"ssh_key, windows or ldap");
		goto out;
	}
	if (api_body_org(rq, body, "org_id", &org) < 0)
		goto out;
	json_object_set_new(body, "org_id", json_integer(org));
	log_capture_start(&cap);
	rc = store_credential_add(rq->st, body, &id);
	log_capture_stop();
	if (rc < 0) {
		api_reply_captured(rq, &cap,
				   "the credential was refused: check its "
				   "type and fields, and that its name is "
				   "unique in the org");
		goto out;
	}
	c = api_credential_find(rq, id);
	api_reply_json(rq, 201,
		       c ? c : json_pack("{sI}", "id", (json_int_t)id));
out:
	json_decref(body);
	return 0;
}

int api_credential_delete(struct request *rq)
{
	json_t *c;
	int rc;

	if (!(c = api_credential_find(rq, rq->params.id[0])))
		return api_reply_error(rq, 404, NULL, "no credential %lld",
				       (long long)rq->params.id[0]);
	json_decref(c);
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	rc = store_credential_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete credential");
	return api_reply_text(rq, 204, "%s", "");
}

/* The JSON body of a change to visible credential id by an org_admin or
 * admin, or NULL after replying 404, 403 or 400. */
static json_t *api_credential_body(struct request *rq, int64_t id)
{
	json_t *c = api_credential_find(rq, id);

	if (!c) {
		api_reply_error(rq, 404, NULL, "no credential %lld",
				(long long)id);
		return NULL;
	}
	json_decref(c);
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		return NULL;
	return api_body_json(rq);
}

/* PATCH /credentials/{id}: the members given replace the stored ones and
 * the whole is checked as a new credential is; a secret left out keeps
 * its stored value, a new one rotates it. A new type keeps only name,
 * description and org. The id stays, so discoveries keep using it. */
int api_credential_patch(struct request *rq)
{
	static const char *const meta[] = {"id",      "org",	     "created",
					   "updated", "secrets_set", NULL};
	static const char *const kept[] = {"name", "description", "org_id",
					   NULL};
	int64_t id = rq->params.id[0], org;
	json_t *c, *body, *cur = NULL, *merged = NULL, *v;
	const char *const *k;
	const char *key, *t;
	struct log_capture cap;
	int rc;

	if (!(body = api_credential_body(rq, id)))
		return 0;
	if (json_object_get(body, "org_id") &&
	    api_body_org(rq, body, "org_id", &org) < 0)
		goto out;
	cur = store_credential_get_secret(rq->st, id);
	if (!cur) {
		api_reply_error(rq, 500, NULL, "cannot read credential %lld",
				(long long)id);
		goto out;
	}
	t = json_string_value(json_object_get(body, "type"));
	if (t && strcmp(t, json_string_value(json_object_get(cur, "type")))) {
		merged = json_object();
		for (k = kept; *k; k++)
			if ((v = json_object_get(cur, *k)))
				json_object_set(merged, *k, v);
	} else {
		merged = json_incref(cur);
	}
	for (k = meta; *k; k++)
		json_object_del(merged, *k);
	json_object_foreach(body, key, v)
		if (!(json_is_string(v) && !json_string_length(v) &&
		      store_credential_field_secret(key)))
			json_object_set(merged, key, v);
	log_capture_start(&cap);
	rc = store_credential_update(rq->st, id, merged);
	log_capture_stop();
	if (rc < 0) {
		api_reply_captured(rq, &cap,
				   "the credential was refused: check its "
				   "type and fields");
		goto out;
	}
	log_info("credential %lld changed by '%s'", (long long)id,
		 rq->who.name);
	c = api_credential_find(rq, id);
	api_reply_json(rq, 200,
		       c ? c : json_pack("{sI}", "id", (json_int_t)id));
out:
	if (body)
		api_body_wipe(body, secret_keys);
	store_credential_wipe(cur);
	store_credential_wipe(merged);
	json_decref(merged);
	json_decref(cur);
	json_decref(body);
	return 0;
}

/* Tries an SNMP credential on ip:port: what the agent says, or why not. */
static int api_cred_try_snmp(json_t *cred, const char *ip, unsigned port,
			     char *msg, size_t len)
{
	struct snmp_probe_opts o = {.timeout_ms = 1000,
				    .retries = 1,
				    .deadline_ms = 5000,
				    .port = port,
				    .max_rows = 8};
	json_t *creds = json_pack("[O]", cred), *rep = json_object(), *sys;
	int rc;

	rc = snmp_probe(ip, creds, &o, rep, msg, len);
	if (rc == 0) {
		sys = json_object_get(rep, "sys");
		snprintf(
			msg, len,
			"SNMP v%s answered: sysName '%s', sysDescr "
			"'%.200s'",
			json_string_value(json_object_get(sys, "snmp_version")),
			json_string_value(json_object_get(sys, "sysName"))
				? json_string_value(
					  json_object_get(sys, "sysName"))
				: "",
			json_string_value(json_object_get(sys, "sysDescr"))
				? json_string_value(
					  json_object_get(sys, "sysDescr"))
				: "");
	}
	json_decref(creds);
	json_decref(rep);
	return rc;
}

/* Logs in over SSH with cred on ip:port without running anything. */
static int api_cred_try_ssh(json_t *cred, const char *ip, unsigned port,
			    char *msg, size_t len)
{
	struct ssh_audit_cred sc;
	struct ssh_audit_opts o = {.host = ip,
				   .port = port,
				   .ncreds = 1,
				   .connect_ms = 3000,
				   .banner_ms = 3000,
				   .auth_ms = 5000,
				   .total_ms = 10000,
				   .allow_changed_hostkey = 1,
				   .no_audit = 1};
	struct ssh_audit_result r;
	int rc;

	if (ssh_audit_cred_from_json(cred, &sc) < 0) {
		snprintf(msg, len, "not a usable SSH credential");
		return -1;
	}
	o.creds = &sc;
	rc = ssh_audit_host(&o, &r);
	if (rc == 0)
		snprintf(msg, len, "logged in as '%s' (%s, host key %s)",
			 sc.username ? sc.username : "", r.banner, r.hostkey);
	else
		snprintf(msg, len, "%s failed: %s",
			 ssh_audit_stage_name(r.stage), r.error);
	ssh_audit_result_free(&r);
	return rc;
}

/* a windows credential test: the longest wait for the worker's next line
 * (Python's start, the SMB login); the whole test gets twice that */
#define API_CRED_WIN_TIMEOUT_MS 10000

static const char *api_sys_str(json_t *report, const char *key)
{
	const char *v = json_string_value(
		json_object_get(json_object_get(report, "sys"), key));

	return v ? v : "";
}

/* Logs in with a windows credential over SMB (445) through the RPC worker
 * (winrpc.h: the password reaches it on stdin only) and reads the
 * computer's name, workgroup and CurrentVersion key - nothing else. */
static int api_cred_try_windows(json_t *cred, const char *ip, int timeout_ms,
				char *msg, size_t len)
{
	struct winrpc_cred wc;
	struct winrpc_opts o = {.host = ip,
				.ncreds = 1,
				.call_ms = timeout_ms,
				.total_ms = 2 * timeout_ms,
				.login_only = 1};
	struct winrpc_result r;
	const char *os, *ver, *dom;
	char osbuf[160];
	int rc;

	if (winrpc_cred_from_json(cred, &wc) < 0) {
		snprintf(msg, len, "not a usable windows credential");
		return -1;
	}
	o.creds = &wc;
	rc = winrpc_audit_host(&o, &r);
	if (rc == 0) {
		os = api_sys_str(r.report, "os_name");
		ver = json_string_value(json_object_get(
			json_array_get(json_object_get(r.report, "windows"), 0),
			"version"));
		if (!*os) {
			snprintf(osbuf, sizeof(osbuf),
				 "CurrentVersion %s (no ProductName: no "
				 "Windows release claimed)",
				 ver ? ver : "not read");
			os = osbuf;
		}
		dom = wc.domain ? wc.domain : "";
		snprintf(msg, len,
			 "logged in as '%s%s%s': computer '%s', workgroup "
			 "'%s', %s%s",
			 dom, *dom ? "\\" : "", wc.username,
			 api_sys_str(r.report, "netbios_name"),
			 api_sys_str(r.report, "workgroup"), os,
			 json_array_size(r.st.problems)
				 ? "; some readings failed"
				 : "");
	} else if (r.st.refused[0]) {
		snprintf(msg, len, "login refused by the server: %s",
			 r.st.refused);
	} else {
		snprintf(msg, len, "%s", r.error);
	}
	winrpc_result_free(&r);
	return rc;
}

/* POST /credentials/{id}/test {address, port, timeout_ms}: tries the
 * credential once against one address the admin names (org_admin, admin)
 * and answers {ok, message} with the agent's or server's own reason.
 * timeout_ms bounds a windows test (the RPC worker's wait per step). */
int api_credential_test(struct request *rq)
{
	int64_t id = rq->params.id[0], port = 0, timeout;
	json_t *body, *cred = NULL, *v;
	unsigned char addr[16];
	const char *ip, *type;
	char msg[1024] = "";
	int rc;

	if (!(body = api_credential_body(rq, id)))
		return 0;
	ip = json_string_value(json_object_get(body, "address"));
	if (!ip || (inet_pton(AF_INET, ip, addr) != 1 &&
		    inet_pton(AF_INET6, ip, addr) != 1)) {
		api_reply_error(rq, 400, "address",
				"address must be one IPv4 or IPv6 address "
				"(numeric), e.g. 192.0.2.10");
		goto out;
	}
	v = json_object_get(body, "port");
	if (v && !json_is_null(v) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 ||
	     json_integer_value(v) > 65535)) {
		api_reply_error(rq, 400, "port", "port must be 1 to 65535");
		goto out;
	}
	port = v ? json_integer_value(v) : 0;
	v = json_object_get(body, "timeout_ms");
	if (v && !json_is_null(v) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1000 ||
	     json_integer_value(v) > 30000)) {
		api_reply_error(rq, 400, "timeout_ms",
				"timeout_ms must be 1000 to 30000");
		goto out;
	}
	timeout = v && json_is_integer(v) ? json_integer_value(v)
					  : API_CRED_WIN_TIMEOUT_MS;
	cred = store_credential_get_secret(rq->st, id);
	if (!cred) {
		api_reply_error(rq, 500, NULL, "cannot read credential %lld",
				(long long)id);
		goto out;
	}
	type = json_string_value(json_object_get(cred, "type"));
	if (!strcmp(type, "snmp") || !strcmp(type, "snmp_v3")) {
		rc = api_cred_try_snmp(cred, ip, (unsigned)port, msg,
				       sizeof(msg));
	} else if (!strcmp(type, "ssh") || !strcmp(type, "ssh_key")) {
		rc = api_cred_try_ssh(cred, ip, (unsigned)port, msg,
				      sizeof(msg));
	} else if (!strcmp(type, "windows")) {
		if (port && port != 445) {
			api_reply_error(rq, 400, "port",
					"a windows credential is tried over "
					"SMB on port 445: leave port out or "
					"give 445");
			goto out;
		}
		port = 445;
		rc = api_cred_try_windows(cred, ip, (int)timeout, msg,
					  sizeof(msg));
	} else {
		api_reply_error(rq, 400, "type",
				"testing a %s credential is not supported: "
				"snmp, snmp_v3, ssh, ssh_key and windows can "
				"be tested",
				type);
		goto out;
	}
	log_info("credential %lld tested by '%s' on %s: %s", (long long)id,
		 rq->who.name, ip, rc == 0 ? "ok" : "failed");
	api_reply_json(rq, 200,
		       json_pack("{sbsssssI}", "ok", rc == 0, "message", msg,
				 "address", ip, "port", (json_int_t)port));
out:
	store_credential_wipe(cred);
	json_decref(cred);
	json_decref(body);
	return 0;
}
