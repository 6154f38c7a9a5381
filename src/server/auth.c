/*
 * Authentication: login sessions kept in memory (only the SHA-256 of the
 * cookie value is stored, so a memory dump does not yield live sessions),
 * CSRF tokens for cookie-authenticated writes, bearer API tokens checked by
 * the store, and failed-login throttling per user name and per source
 * address. Sessions do not survive a restart: users log in again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "core/log.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "store/secret.h"
#include "store/store_api.h"

#define SESSION_MAX 4096
#define SESSION_IDLE (8 * 3600)
#define SESSION_LIFE (24 * 3600)
#define SESSION_COOKIE "nc_session"

#define FAIL_SLOTS 1024
#define FAIL_WINDOW (15 * 60)
#define FAIL_MAX_USER 5
#define FAIL_MAX_ADDR 20

struct session {
	char hash[SECRET_TOKEN_HASH_LEN + 1]; /* "" when the slot is free */
	char user[128];
	char csrf[64];
	time_t created;
	time_t last;
};

struct fail {
	char key[160]; /* "u:NAME" or "a:ADDRESS" */
	int count;
	time_t first;
};

static struct session *sessions;
static struct fail *fails;
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const role_names[] = {
	[ROLE_NONE] = "none",	       [ROLE_COLLECTOR] = "collector",
	[ROLE_USER] = "user",	       [ROLE_ORG_ADMIN] = "org_admin",
	[ROLE_ADMIN] = "admin",
};

enum role auth_role_from_name(const char *name)
{
	int i;

	for (i = ROLE_COLLECTOR; i <= ROLE_ADMIN; i++)
		if (name && !strcmp(role_names[i], name))
			return (enum role)i;
	return ROLE_NONE;
}

const char *auth_role_name(enum role r)
{
	return r <= ROLE_ADMIN ? role_names[r] : "none";
}

int auth_init(void)
{
	if (sodium_init() < 0) {
		log_err("libsodium cannot initialise");
		return -1;
	}
	sessions = xcalloc(SESSION_MAX, sizeof(*sessions));
	fails = xcalloc(FAIL_SLOTS, sizeof(*fails));
	return 0;
}

void auth_cleanup(void)
{
	if (sessions)
		sodium_memzero(sessions, SESSION_MAX * sizeof(*sessions));
	free(sessions);
	free(fails);
	sessions = NULL;
	fails = NULL;
}

static void auth_random_b64(char *out, size_t outlen)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* ---- failed-login throttling ---- */

/* The slot for key (caller holds auth_lock), or NULL when untracked;
 * with create, the oldest or expired slot is taken. */
static struct fail *fail_slot(const char *key, time_t now, int create)
{
	struct fail *oldest = &fails[0];
	int i;

	for (i = 0; i < FAIL_SLOTS; i++) {
		struct fail *f = &fails[i];

		if (f->key[0] && now - f->first >= FAIL_WINDOW)
			f->key[0] = '\0';
		if (f->key[0] && !strcmp(f->key, key))
			return f;
		if (!f->key[0] || f->first < oldest->first)
			oldest = f;
	}
	if (!create)
		return NULL;
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->count = 0;
	oldest->first = now;
	return oldest;
}

/* Seconds until key may try again, 0 when it may now. */
static long fail_wait(const char *key, int max, time_t now)
{
	struct fail *f;
	long wait = 0;

	pthread_mutex_lock(&auth_lock);
	f = fail_slot(key, now, 0);
	if (f && f->count >= max)
		wait = FAIL_WINDOW - (long)(now - f->first);
	pthread_mutex_unlock(&auth_lock);
	return wait > 0 ? wait : 0;
}

static void fail_note(const char *key, time_t now)
{
	pthread_mutex_lock(&auth_lock);
	fail_slot(key, now, 1)->count++;
	pthread_mutex_unlock(&auth_lock);
}

static void fail_clear(const char *key, time_t now)
{
	struct fail *f;

	pthread_mutex_lock(&auth_lock);
	f = fail_slot(key, now, 0);
	if (f)
		f->key[0] = '\0';
	pthread_mutex_unlock(&auth_lock);
}

/* ---- sessions ---- */

static int session_expired(const struct session *s, time_t now)
{
	return now - s->last > SESSION_IDLE || now - s->created > SESSION_LIFE;
}

/* Creates a session for user; cookie receives its value, csrf its CSRF
 * token. */
static void session_create(const char *user, char cookie[64],
			   char csrf[64])
{
	struct session *slot = NULL;
	time_t now = time(NULL);
	int i;

	auth_random_b64(cookie, 64);
	auth_random_b64(csrf, 64);
	pthread_mutex_lock(&auth_lock);
	for (i = 0; i < SESSION_MAX; i++) {
		struct session *s = &sessions[i];

		if (s->hash[0] && session_expired(s, now))
			s->hash[0] = '\0';
		if (!s->hash[0]) {
			slot = s;
			break;
		}
		if (!slot || s->last < slot->last)
			slot = s; /* full: the least recently used goes */
	}
	secret_token_hash(cookie, slot->hash);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	snprintf(slot->csrf, sizeof(slot->csrf), "%s", csrf);
	slot->created = slot->last = now;
	pthread_mutex_unlock(&auth_lock);
}

/* Copies the user and CSRF token of the session cookie names. 0, or -1
 * when there is no such live session. */
static int session_find(const char *cookie, char user[128], char csrf[64],
			int remove)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1];
	time_t now = time(NULL);
	int i, rc = -1;

	if (strlen(cookie) > 128)
		return -1;
	secret_token_hash(cookie, hash);
	pthread_mutex_lock(&auth_lock);
	for (i = 0; i < SESSION_MAX; i++) {
		struct session *s = &sessions[i];

		if (!s->hash[0] || sodium_memcmp(s->hash, hash, sizeof(hash)))
			continue;
		if (session_expired(s, now) || remove) {
			s->hash[0] = '\0';
			rc = remove && !session_expired(s, now) ? 0 : -1;
			break;
		}
		s->last = now;
		memcpy(user, s->user, 128);
		memcpy(csrf, s->csrf, 64);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&auth_lock);
	return rc;
}

/* ---- principals ---- */

int auth_principal(struct request *rq, json_t *user, struct principal *who)
{
	json_t *tree;
	int64_t norg = 0;
	size_t i;

	auth_principal_free(who);
	who->user_id = json_integer_value(json_object_get(user, "id"));
	snprintf(who->name, sizeof(who->name), "%s",
		 json_string_value(json_object_get(user, "name")));
	who->role = auth_role_from_name(
		json_string_value(json_object_get(user, "role")));
	who->org_id = json_integer_value(json_object_get(user, "org_id"));
	tree = store_api_org_tree(rq->st, who->org_id);
	if (!tree || store_api_org_count(rq->st, &norg) < 0) {
		json_decref(tree);
		return -1;
	}
	who->norgs = (int)json_array_size(tree);
	who->orgs = xcalloc((size_t)who->norgs + 1, sizeof(int64_t));
	for (i = 0; i < json_array_size(tree); i++)
		who->orgs[i] = json_integer_value(json_array_get(tree, i));
	who->all_orgs = who->norgs == norg;
	json_decref(tree);
	return 0;
}

void auth_principal_free(struct principal *who)
{
	if (!who)
		return;
	free(who->orgs);
	memset(who, 0, sizeof(*who));
}

/* Loads user name into rq->who. 0, or -1 after replying. */
static int auth_load_user(struct request *rq, const char *name)
{
	json_t *user = store_api_user_get(rq->st, name);
	int rc = -1;

	if (!user) {
		api_reply_error(rq, 401, NULL,
				"the user of this session or token no "
				"longer exists");
		return -1;
	}
	if (!json_integer_value(json_object_get(user, "enabled")))
		api_reply_error(rq, 403, NULL,
				"account '%s' is disabled; ask an "
				"administrator",
				name);
	else if (auth_principal(rq, user, &rq->who) < 0)
		api_reply_error(rq, 500, NULL, "cannot load the org tree");
	else
		rc = 0;
	json_decref(user);
	return rc;
}

/* When each token's use was last written (token id -> time), so that a
 * token's last_used is written at most once a minute instead of on every
 * request: a write per request would serialise readers behind the write
 * lock and invalidate every cached count. */
#define TOKEN_TOUCH_SLOTS 256
#define TOKEN_TOUCH_SECONDS 60

static struct {
	int64_t id;
	time_t when;
} token_touched[TOKEN_TOUCH_SLOTS];
static pthread_mutex_t token_touch_lock = PTHREAD_MUTEX_INITIALIZER;

char *auth_token_user(struct request *rq, const char *token)
{
	int64_t id = 0;
	char *name = store_api_token_check(rq->st, token, &id);
	time_t now = time(NULL);
	int slot, due;
	char when[20];

	if (!name)
		return NULL;
	slot = (int)((uint64_t)id % TOKEN_TOUCH_SLOTS);
	pthread_mutex_lock(&token_touch_lock);
	due = token_touched[slot].id != id ||
	      now - token_touched[slot].when >= TOKEN_TOUCH_SECONDS;
	if (due) {
		token_touched[slot].id = id;
		token_touched[slot].when = now;
	}
	pthread_mutex_unlock(&token_touch_lock);
	/* never waits for the write lock (a long intake may hold it): a
	 * touch that finds it taken is retried on the token's next use */
	if (due && write_trylock(rq) == 0) {
		util_now(when);
		store_api_token_touch(rq->st, id, when);
		write_unlock(rq);
	} else if (due) {
		pthread_mutex_lock(&token_touch_lock);
		token_touched[slot].id = 0;
		pthread_mutex_unlock(&token_touch_lock);
	}
	return name;
}

static int auth_is_safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") ||
	       !strcmp(m, "OPTIONS");
}

int auth_request(struct request *rq)
{
	const char *h = request_header(rq, "Authorization");
	const char *cookie = request_cookie(rq, SESSION_COOKIE);
	char user[128], csrf[64];

	if (h && !strncasecmp(h, "Bearer ", 7)) {
		char *name = auth_token_user(rq, h + 7);
		int rc;

		if (!name) {
			api_reply_error(rq, 401, NULL,
					"invalid or revoked API token");
			return -1;
		}
		rc = auth_load_user(rq, name);
		free(name);
		return rc;
	}
	if (!cookie)
		return 1;
	if (session_find(cookie, user, csrf, 0) < 0)
		return 1;
	if (auth_load_user(rq, user) < 0)
		return -1;
	rq->who.by_cookie = 1;
	memcpy(rq->who.csrf, csrf, sizeof(csrf));
	if (!auth_is_safe_method(rq->method)) {
		const char *t = request_header(rq, "X-CSRF-Token");

		if (!t || strlen(t) != strlen(csrf) ||
		    sodium_memcmp(t, csrf, strlen(csrf))) {
			api_reply_error(rq, 403, NULL,
					"missing or wrong X-CSRF-Token "
					"header: send the csrf_token that "
					"login returned");
			return -1;
		}
	}
	return 0;
}

static json_t *auth_me_json(const struct request *rq)
{
	json_t *orgs = json_array();
	int i;

	for (i = 0; i < rq->who.norgs; i++)
		json_array_append_new(orgs, json_integer(rq->who.orgs[i]));
	return json_pack("{sIsssssIso}", "id", (json_int_t)rq->who.user_id,
			 "username", rq->who.name, "role",
			 auth_role_name(rq->who.role), "org_id",
			 (json_int_t)rq->who.org_id, "orgs", orgs);
}

int api_auth_login(struct request *rq)
{
	json_t *body = api_body_json(rq), *user = NULL, *reply;
	const char *name, *pw;
	char ukey[160], akey[160], cookie[64], csrf[64], now_s[20];
	time_t now = time(NULL);
	long wait;
	int ok;

	if (!body)
		return 0;
	name = json_string_value(json_object_get(body, "username"));
	pw = json_string_value(json_object_get(body, "password"));
	if (!name || !*name || strlen(name) > 120) {
		api_reply_error(rq, 400, "username",
				"username is required (a string)");
		goto out;
	}
	if (!pw) {
		api_reply_error(rq, 400, "password",
				"password is required (a string)");
		goto out;
	}
	snprintf(ukey, sizeof(ukey), "u:%s", name);
	snprintf(akey, sizeof(akey), "a:%s", rq->client);
	wait = fail_wait(ukey, FAIL_MAX_USER, now);
	if (!wait)
		wait = fail_wait(akey, FAIL_MAX_ADDR, now);
	if (wait) {
		snprintf(rq->retry_after, sizeof(rq->retry_after), "%ld",
			 wait);
		api_reply_error(rq, 429, NULL,
				"too many failed logins; try again in %ld "
				"seconds",
				wait);
		goto out;
	}
	ok = store_user_verify(rq->st, name, pw);
	if (ok == 0) /* LDAP / Active Directory users: api_sched.h */
		ok = auth_directory_login(rq, name, pw);
	if (ok < 0) {
		api_reply_error(rq, 500, NULL, "cannot check the password");
		goto out;
	}
	if (!ok) {
		fail_note(ukey, now);
		fail_note(akey, now);
		log_warn("failed login for '%s' from %s", name, rq->client);
		api_reply_error(rq, 401, NULL, "wrong username or password");
		goto out;
	}
	fail_clear(ukey, now);
	if (auth_load_user(rq, name) < 0)
		goto out;
	session_create(name, cookie, csrf);
	snprintf(rq->set_cookie, sizeof(rq->set_cookie),
		 SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
				"SameSite=Strict%s",
		 cookie, SESSION_LIFE, rq->tls ? "; Secure" : "");
	util_now(now_s);
	if (write_trylock(rq) == 0) { /* bookkeeping: never waits */
		store_api_user_touch_login(rq->st, rq->who.user_id, now_s);
		write_unlock(rq);
	}
	reply = auth_me_json(rq);
	json_object_set_new(reply, "csrf_token", json_string(csrf));
	api_reply_json(rq, 200, reply);
	sodium_memzero(cookie, sizeof(cookie));
out:
	json_decref(user);
	json_decref(body);
	return 0;
}

int api_auth_logout(struct request *rq)
{
	const char *cookie = request_cookie(rq, SESSION_COOKIE);
	char user[128], csrf[64];

	if (rq->who.by_cookie && cookie)
		session_find(cookie, user, csrf, 1);
	snprintf(rq->set_cookie, sizeof(rq->set_cookie),
		 SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
				"SameSite=Strict%s",
		 rq->tls ? "; Secure" : "");
	return api_reply_json(rq, 200, json_pack("{sb}", "logged_out", 1));
}

int api_auth_me(struct request *rq)
{
	json_t *me = auth_me_json(rq);

	json_object_set_new(me, "auth",
			    json_string(rq->who.by_cookie ? "session"
							  : "token"));
	if (rq->who.by_cookie)
		json_object_set_new(me, "csrf_token",
				    json_string(rq->who.csrf));
	return api_reply_json(rq, 200, me);
}
