/*
 * Authentication: login sessions, CSRF tokens for cookie-authenticated
 * writes, bearer API tokens checked by the store, and failed-login
 * throttling (below).
 *
 * Sessions are kept in the database (store_session.h): only the SHA-256
 * of the cookie value is stored, so a copy of the database (or a memory
 * dump) does not yield live sessions. Every server on one database
 * shares them - a login on one is good on the others, a logout or a
 * password change on one ends the session on all - and a restart keeps
 * them. A session remembers a digest of its user's password hash
 * (store_user_password_stamp()) and ends when that changes: setting a
 * password, from the API or from `netcensus admin user passwd` in another
 * process, ends every session of the user; deleting the user deletes its
 * sessions. API tokens are kept (they are revoked one by one).
 */
#include <arpa/inet.h>
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
#include "server/server_ops.h"
#include "store/secret.h"
#include "store/store_api.h"
#include "store/store_session.h"

#define SESSION_IDLE (8 * 3600)
#define SESSION_LIFE (24 * 3600)
#define SESSION_COOKIE "nc_session"
/* a session's last use is written at most this often: idle is counted
 * in hours, and a write per request would serialise readers */
#define SESSION_TOUCH_SECONDS 60

#define FAIL_SLOTS 4096
#define FAIL_FORGET 3600     /* a counter is dropped after an hour quiet */
#define FAIL_FREE_ADDR 20    /* failures from one address, any accounts */
#define FAIL_FREE_USER 5     /* failures of one account, any addresses */
#define FAIL_FREE_PAIR 3     /* an address's failures for one account */
#define FAIL_LOG_EVERY 60    /* seconds between log lines per address */
#define FAIL_BACKOFF_BASE 30 /* the first wait past the free failures */
#define FAIL_BACKOFF_MAX 900 /* the longest wait */

struct fail {
	char key[200]; /* "a:ADDRESS", "u:NAME" or "p:ADDRESS NAME" */
	int count;     /* failures, and attempts being checked now */
	time_t last;   /* the last failure or attempt */
	time_t logged; /* the last "throttled" log line (address slots) */
};

static struct fail *fails;
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const role_names[] = {
	[ROLE_NONE] = "none",	[ROLE_COLLECTOR] = "collector",
	[ROLE_USER] = "user",	[ROLE_ORG_ADMIN] = "org_admin",
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
	fails = xcalloc(FAIL_SLOTS, sizeof(*fails));
	return 0;
}

void auth_cleanup(void)
{
	free(fails);
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

/* ---- failed-login throttling ----
 *
 * Three counters: per source address (failures for any account), per
 * account (failures from any address), and per account and address. A
 * password is checked only when
 *   - the address has failed fewer than FAIL_FREE_ADDR times, or has
 *     waited out its backoff since its last failure; and
 *   - the account has failed fewer than FAIL_FREE_USER times, or this
 *     address has failed fewer than FAIL_FREE_PAIR times for it, or has
 *     waited out the account's backoff.
 * So an account under attack still takes its right password from an
 * address that has not been failing (a typo or two included); the
 * attacker's addresses wait, and each new one gets FAIL_FREE_PAIR. The
 * backoff past the free failures is FAIL_BACKOFF_BASE seconds, doubled
 * with each further failure, at most FAIL_BACKOFF_MAX; a counter is
 * dropped after FAIL_FORGET seconds without a failure. The attempt is
 * counted (reserved) under the lock before the slow password check, so
 * concurrent attempts cannot get more checks than the limits; a right
 * password gives its reservation back and clears the pair's counter.
 * IPv6 addresses count by /64, which one host usually holds whole.
 */

struct login_keys {
	char addr[200], user[200], pair[200];
};

/* The slot for key (caller holds auth_lock), or NULL when untracked;
 * with create, a free, forgotten or the least recent slot is taken. */
static struct fail *fail_slot(const char *key, time_t now, int create)
{
	struct fail *oldest = &fails[0];
	int i;

	for (i = 0; i < FAIL_SLOTS; i++) {
		struct fail *f = &fails[i];

		if (f->key[0] && now - f->last >= FAIL_FORGET)
			f->key[0] = '\0';
		if (f->key[0] && !strcmp(f->key, key))
			return f;
		if (!f->key[0] || (oldest->key[0] && f->last < oldest->last))
			oldest = f;
	}
	if (!create)
		return NULL;
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->count = 0;
	oldest->last = now;
	oldest->logged = 0;
	return oldest;
}

/* Seconds f must still wait when free failures are allowed, else 0. */
static long fail_wait(const struct fail *f, int free, time_t now)
{
	long wait = FAIL_BACKOFF_BASE;
	int k;

	if (!f || f->count < free)
		return 0;
	for (k = free; k < f->count && wait < FAIL_BACKOFF_MAX; k++)
		wait *= 2;
	if (wait > FAIL_BACKOFF_MAX)
		wait = FAIL_BACKOFF_MAX;
	wait -= (long)(now - f->last);
	return wait > 0 ? wait : 0;
}

/* The counter keys of a login of name from client. */
static void login_keys(struct login_keys *k, const char *client,
		       const char *name)
{
	unsigned char a6[16];
	char addr[64];

	snprintf(addr, sizeof(addr), "%s", client);
	if (inet_pton(AF_INET6, client, a6) == 1) {
		memset(a6 + 8, 0, 8);
		inet_ntop(AF_INET6, a6, addr, sizeof(addr));
	}
	snprintf(k->addr, sizeof(k->addr), "a:%s", addr);
	snprintf(k->user, sizeof(k->user), "u:%s", name);
	snprintf(k->pair, sizeof(k->pair), "p:%s %s", addr, name);
}

/* Reserves a password check for k: 0 after counting it, or the seconds
 * to wait when it must not be checked now (*log set when that deserves a
 * log line: once a minute per address, so refusals cannot flood it). */
static long login_reserve(const struct login_keys *k, time_t now, int *log)
{
	struct fail *a, *u, *p;
	long wait, w;

	*log = 0;
	pthread_mutex_lock(&auth_lock);
	a = fail_slot(k->addr, now, 0);
	u = fail_slot(k->user, now, 0);
	p = fail_slot(k->pair, now, 0);
	wait = fail_wait(a, FAIL_FREE_ADDR, now);
	if (p && p->count >= FAIL_FREE_PAIR) {
		w = fail_wait(u, FAIL_FREE_USER, now);
		wait = w > wait ? w : wait;
	}
	if (wait && a && now - a->logged >= FAIL_LOG_EVERY) {
		a->logged = now;
		*log = 1;
	}
	if (!wait) {
		a = fail_slot(k->addr, now, 1);
		u = fail_slot(k->user, now, 1);
		p = fail_slot(k->pair, now, 1);
		a->count++;
		u->count++;
		p->count++;
		a->last = u->last = p->last = now;
	}
	pthread_mutex_unlock(&auth_lock);
	return wait;
}

/* Ends a reserved check: a failure (ok 0) stays counted from now on; a
 * success (1) gives the reservation back and clears the pair, an
 * internal error (-1) only gives it back. */
static void login_release(const struct login_keys *k, int ok, time_t now)
{
	const char *keys[] = {k->addr, k->user, k->pair};
	struct fail *f;
	int i;

	pthread_mutex_lock(&auth_lock);
	for (i = 0; i < 3; i++) {
		f = fail_slot(keys[i], now, 0);
		if (!f)
			continue;
		if (ok == 0)
			f->last = now;
		else if (--f->count <= 0 || (ok == 1 && i == 2))
			f->key[0] = '\0';
	}
	pthread_mutex_unlock(&auth_lock);
}

/* Local passwords first, then the directories. */
int auth_password_check(struct request *rq, const char *name, const char *pw)
{
	struct login_keys k;
	long wait;
	int ok, log;

	login_keys(&k, rq->client, name);
	wait = login_reserve(&k, time(NULL), &log);
	if (wait) {
		metrics_login("throttled");
		if (log)
			log_warn("login for '%s' from %s throttled for %ld s "
				 "(logged once a minute per address)",
				 name, rq->client, wait);
		snprintf(rq->retry_after, sizeof(rq->retry_after), "%ld", wait);
		api_reply_error(rq, 429, NULL,
				"too many failed logins from your address; "
				"try again in %ld seconds",
				wait);
		return -2;
	}
	ok = store_user_verify(rq->st, name, pw);
	if (ok == 0) /* LDAP / Active Directory users: api_sched.h */
		ok = auth_directory_login(rq, name, pw);
	login_release(&k, ok, time(NULL));
	if (ok >= 0)
		metrics_login(ok ? "ok" : "failed");
	return ok;
}

/* ---- sessions ---- */

static int session_expired(const struct store_session *s, time_t now)
{
	return now - s->last > SESSION_IDLE || now - s->created > SESSION_LIFE;
}

/* Starts a session for user, whose password stamp is stamp; cookie
 * receives its value, csrf its CSRF token. 0, or -1 (logged). */
static int session_create(struct request *rq, const char *user,
			  const char *stamp, char cookie[64], char csrf[64])
{
	char hash[SECRET_TOKEN_HASH_LEN + 1];
	time_t now = time(NULL);

	auth_random_b64(cookie, 64);
	auth_random_b64(csrf, 64);
	secret_token_hash(cookie, hash);
	/* the expired sessions of everyone go as a new one begins */
	store_session_purge(rq->st, (int64_t)(now - SESSION_IDLE),
			    (int64_t)(now - SESSION_LIFE));
	return store_session_add(rq->st, hash, user, csrf, stamp, (int64_t)now);
}

/* The live session the cookie names, into *s (its last use noted): 0,
 * 1 when there is none (an expired one is removed), -1 on error. */
static int session_find(struct request *rq, const char *cookie,
			struct store_session *s)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1];
	time_t now = time(NULL);
	int rc;

	if (strlen(cookie) > 128)
		return 1;
	secret_token_hash(cookie, hash);
	rc = store_session_get(rq->st, hash, s);
	if (rc)
		return rc;
	if (session_expired(s, now)) {
		store_session_delete(rq->st, hash);
		return 1;
	}
	/* bookkeeping: never waits for another writer */
	if (now - s->last >= SESSION_TOUCH_SECONDS && api_tx_try(rq) == 0) {
		store_session_touch(rq->st, hash, (int64_t)now);
		api_tx_end_try(rq);
	}
	return 0;
}

/* Ends the session the cookie names: 0 (also when there was none), -1. */
static int session_end(struct request *rq, const char *cookie)
{
	char hash[SECRET_TOKEN_HASH_LEN + 1];

	if (strlen(cookie) > 128)
		return 0;
	secret_token_hash(cookie, hash);
	return store_session_delete(rq->st, hash);
}

/* Ends every session of user (after its password changed, or when an
 * admin revokes them), on every server of the database; returns how many
 * there were, or -1. */
int auth_sessions_end(struct request *rq, const char *user)
{
	int64_t n = 0;

	if (store_session_delete_user(rq->st, user, &n) < 0)
		return -1;
	return (int)n;
}

/* ---- principals ---- */

int auth_principal(struct request *rq, json_t *user, struct principal *who)
{
	json_t *tree;
	int64_t norg = 0;
	size_t i;
	int root;

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
	root = store_org_is_root(rq->st, who->org_id);
	if (root < 0)
		return -1;
	who->root_org = root;
	return 0;
}

int api_need_root_admin(struct request *rq)
{
	if (rq->who.role == ROLE_ADMIN && rq->who.root_org)
		return 1;
	api_reply_error(rq, 403, NULL,
			"this is global to every org: it needs an admin of "
			"the root org (org 1); you are '%s' of org %lld",
			auth_role_name(rq->who.role),
			(long long)rq->who.org_id);
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
	rq->token_id = id; /* the intake's audit log names it */
	slot = (int)((uint64_t)id % TOKEN_TOUCH_SLOTS);
	pthread_mutex_lock(&token_touch_lock);
	due = token_touched[slot].id != id ||
	      now - token_touched[slot].when >= TOKEN_TOUCH_SECONDS;
	if (due) {
		token_touched[slot].id = id;
		token_touched[slot].when = now;
	}
	pthread_mutex_unlock(&token_touch_lock);
	/* never waits for the database (a long intake may be writing): a
	 * touch that finds it taken is retried on the token's next use */
	if (due && api_tx_try(rq) == 0) {
		util_now(when);
		store_api_token_touch(rq->st, id, when);
		api_tx_end_try(rq);
	} else if (due) {
		pthread_mutex_lock(&token_touch_lock);
		token_touched[slot].id = 0;
		pthread_mutex_unlock(&token_touch_lock);
	}
	return name;
}

static int auth_is_safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

int auth_request(struct request *rq)
{
	const char *h = request_header(rq, "Authorization");
	const char *cookie = request_cookie(rq, SESSION_COOKIE);
	char now_stamp[SECRET_TOKEN_HASH_LEN + 1];
	struct store_session ses;
	int rc;

	if (h && !strncasecmp(h, "Bearer ", 7)) {
		char *name = auth_token_user(rq, h + 7);

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
	rc = session_find(rq, cookie, &ses);
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot read the session");
		return -1;
	}
	if (rc > 0)
		return 1;
	rc = store_user_password_stamp(rq->st, ses.user, now_stamp);
	if (rc < 0) {
		api_reply_error(rq, 500, NULL,
				"cannot read the session's user");
		return -1;
	}
	if (rc == 1 || strcmp(ses.stamp, now_stamp)) {
		/* the password changed (or the user went): log in again */
		session_end(rq, cookie);
		return 1;
	}
	if (auth_load_user(rq, ses.user) < 0)
		return -1;
	rq->who.by_cookie = 1;
	snprintf(rq->who.csrf, sizeof(rq->who.csrf), "%s", ses.csrf);
	if (!auth_is_safe_method(rq->method)) {
		const char *t = request_header(rq, "X-CSRF-Token");
		const char *csrf = ses.csrf;

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
	return json_pack("{sIsssssIsosb}", "id", (json_int_t)rq->who.user_id,
			 "username", rq->who.name, "role",
			 auth_role_name(rq->who.role), "org_id",
			 (json_int_t)rq->who.org_id, "orgs", orgs, "root_admin",
			 rq->who.role == ROLE_ADMIN && rq->who.root_org);
}

/* Starts a session for the user in rq->who, whose password stamp is
 * stamp: sets the cookie and adds csrf_token to reply. 0, or -1 (no
 * session: nothing set). */
static int auth_session_start(struct request *rq, const char *stamp,
			      json_t *reply)
{
	char cookie[64], csrf[64];

	if (session_create(rq, rq->who.name, stamp, cookie, csrf) < 0) {
		sodium_memzero(cookie, sizeof(cookie));
		sodium_memzero(csrf, sizeof(csrf));
		return -1;
	}
	snprintf(rq->set_cookie, sizeof(rq->set_cookie),
		 SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
				"SameSite=Strict%s",
		 cookie, SESSION_LIFE, rq->tls ? "; Secure" : "");
	json_object_set_new(reply, "csrf_token", json_string(csrf));
	sodium_memzero(cookie, sizeof(cookie));
	sodium_memzero(csrf, sizeof(csrf));
	return 0;
}

/* 1 when the body is declared JSON. Login is the one write without a
 * session or token, so it is the one a foreign page could post (login
 * CSRF): a browser sends a cross-site form only as text/plain,
 * urlencoded or multipart, never application/json without asking. */
static int auth_body_is_json(struct request *rq)
{
	const char *ct = request_header(rq, "Content-Type");
	size_t n = strlen("application/json");

	return ct && !strncasecmp(ct, "application/json", n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int api_auth_login(struct request *rq)
{
	json_t *body, *reply;
	const char *name, *pw;
	char stamp[SECRET_TOKEN_HASH_LEN + 1], now_s[20];
	int ok;

	if (!auth_body_is_json(rq))
		return api_reply_error(rq, 415, NULL,
				       "login takes a JSON body: send the "
				       "header Content-Type: "
				       "application/json");
	if (!(body = api_body_json(rq)))
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
	ok = auth_password_check(rq, name, pw);
	if (ok == -2)
		goto out;
	if (ok < 0) {
		api_reply_error(rq, 500, NULL, "cannot check the password");
		goto out;
	}
	if (!ok) {
		log_warn("failed login for '%s' from %s", name, rq->client);
		api_reply_error(rq, 401, NULL, "wrong username or password");
		goto out;
	}
	if (store_user_password_stamp(rq->st, name, stamp) != 0) {
		api_reply_error(rq, 500, NULL, "cannot read the user");
		goto out;
	}
	if (auth_load_user(rq, name) < 0)
		goto out;
	util_now(now_s);
	if (api_tx_try(rq) == 0) { /* bookkeeping: never waits */
		store_api_user_touch_login(rq->st, rq->who.user_id, now_s);
		api_tx_end_try(rq);
	}
	reply = auth_me_json(rq);
	if (auth_session_start(rq, stamp, reply) < 0) {
		json_decref(reply);
		api_reply_error(rq, 500, NULL, "cannot start the session");
		goto out;
	}
	api_reply_json(rq, 200, reply);
out:
	json_decref(body);
	return 0;
}

int api_auth_logout(struct request *rq)
{
	const char *cookie = request_cookie(rq, SESSION_COOKIE);

	/* a logout that did not end the session says so */
	if (rq->who.by_cookie && cookie && session_end(rq, cookie) < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot end the session: try again");
	snprintf(rq->set_cookie, sizeof(rq->set_cookie),
		 SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
				"SameSite=Strict%s",
		 rq->tls ? "; Secure" : "");
	return api_reply_json(rq, 200, json_pack("{sb}", "logged_out", 1));
}

int api_auth_me(struct request *rq)
{
	json_t *me = auth_me_json(rq);

	json_object_set_new(
		me, "auth",
		json_string(rq->who.by_cookie ? "session" : "token"));
	if (rq->who.by_cookie)
		json_object_set_new(me, "csrf_token",
				    json_string(rq->who.csrf));
	return api_reply_json(rq, 200, me);
}

void auth_password_changed(struct request *rq, const char *name, json_t *reply)
{
	char stamp[SECRET_TOKEN_HASH_LEN + 1];

	auth_sessions_end(rq, name);
	if (rq->who.by_cookie && !strcmp(rq->who.name, name) &&
	    store_user_password_stamp(rq->st, name, stamp) == 0)
		auth_session_start(rq, stamp, reply);
}
