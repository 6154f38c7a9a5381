/*
 * server_int: what the files of src/server/ share — the request being
 * served, the authenticated caller, the reply helpers, and the handlers
 * (prototypes grouped by file). Nothing outside src/server/ includes it.
 *
 * A handler receives a struct request whose body is complete (within the
 * route's ceiling) and whose caller is authenticated as the route's flags
 * demand; it sets the reply with one of the api_reply_* functions and
 * returns 0. Replies are owned by the request.
 */
#ifndef NC_SERVER_INT_H
#define NC_SERVER_INT_H

#include <pthread.h>
#include <stdint.h>
#include <jansson.h>

#include "core/util.h"
#include "store/query.h"
#include "server/router.h"
#include "server/server.h"
#include "store/store.h"

#define BODY_MAX_SMALL (1u * 1024 * 1024)   /* ordinary API requests */
#define BODY_MAX_INTAKE (64u * 1024 * 1024) /* device reports, audits */
#define QUERY_ARGS_MAX 64

/* Route flags. */
#define ROUTE_PUBLIC 0x01    /* no authentication (login, health, openapi) */
#define ROUTE_INTAKE 0x02    /* large body; collector role allowed */
#define ROUTE_OA 0x04	     /* Open-AudIT intake: its own auth, text replies */
#define ROUTE_COLLECTOR 0x08 /* the collector API: collector role allowed */

enum role {
	ROLE_NONE = 0,
	ROLE_COLLECTOR,
	ROLE_USER,
	ROLE_ORG_ADMIN,
	ROLE_ADMIN
};

struct principal {
	int64_t user_id;
	char name[128];
	enum role role;
	int64_t org_id;
	int64_t *orgs; /* the caller's org and its descendants (owned) */
	int norgs;
	int all_orgs;  /* the tree covers every org: no org filter needed */
	int root_org;  /* org_id is the root org (store_org_is_root()) */
	int by_cookie; /* authenticated by session cookie */
	char csrf[64]; /* the session's CSRF token, when by_cookie */
};

struct server_state {
	const struct server_config *cfg;
	pthread_key_t store_key; /* the thread's struct store */
	int tls_any;
	struct worker *worker; /* intake threads (worker.c) */
	struct guard *guard;   /* connection budget (guard.c) */
};

/* Where a request stands. */
enum rq_stage {
	RQ_READING = 0, /* head in, body arriving */
	RQ_QUEUED,	/* waiting for or running on an intake thread */
	RQ_DONE,	/* the intake thread has set the reply */
};

struct request {
	struct server_state *srv;
	void *conn; /* struct MHD_Connection */
	const char *method;
	char path[ROUTER_PATH_MAX];
	char client[64];
	int tls;
	const struct route *route;
	struct route_params params;
	struct query_arg args[QUERY_ARGS_MAX];
	int nargs;
	int too_many_args;
	struct strbuf body;
	int body_too_big;
	int body_busy;	 /* the global body buffer cap was reached */
	int drain;	 /* refused from its head: the body is read and
			  * dropped, never kept */
	size_t drained;	 /* bytes dropped so far */
	size_t buffered; /* bytes counted against the global cap */
	enum rq_stage stage;
	int64_t intake_org;  /* where an admitted Open-AudIT post goes */
	const char *refusal; /* an audit-log row for a refused intake that
			      * the intake thread writes (a literal) */
	struct store *st;
	unsigned st_lost; /* store_lost(st) when the request began */
	struct principal who;
	int64_t token_id; /* the API token that authenticated, or 0 */
	/* reply */
	unsigned status;
	char *reply;
	size_t reply_len;
	const char *content_type;
	char set_cookie[256];
	char retry_after[24];
	char allow[64];
	const char *www_authenticate; /* a WWW-Authenticate value, or NULL */
	char total_count[24];	      /* X-Total-Count: rows a CSV stands for */
	char truncated[256]; /* X-Truncated: why a CSV holds fewer rows */
};

/* ---- http.c ---- */
/* The thread's store handle, opened on first use; NULL on failure. */
struct store *server_store(struct request *rq);
/* rq->st for a request about to run on this thread: the thread's handle,
 * its database checked (store_ready(): a connection the database closed
 * is opened again). 0, or -1 after replying 503 "the database is
 * unavailable" with a Retry-After. */
int server_store_ready(struct request *rq);
/* 1 when an error reply of status to rq is the database's doing: st lost
 * its database during the request (store_lost()); Retry-After is set.
 * api_reply_error() then answers 503 api_db_down_message() instead. */
int api_reply_db_lost(struct request *rq, unsigned status);
const char *api_db_down_message(void);
/* A request header, or NULL. */
const char *request_header(struct request *rq, const char *name);
const char *request_cookie(struct request *rq, const char *name);
/* The query parameter key, or NULL. */
const char *request_arg(struct request *rq, const char *key);
/* A transaction on rq->st around a check and the write it allows (a name
 * still free, no run of the discovery active), so that no other writer -
 * a thread or another server - comes between them; the store serialises
 * its writers itself. 0, or -1 after replying 503. */
int api_tx_begin(struct request *rq);
/* Commits it: 0, or -1 after replying 503 (nothing was changed). */
int api_tx_end(struct request *rq);
/* api_tx_begin() for bookkeeping a thread must not wait for (a long
 * intake may be writing): 0, or -1 at once, without a reply, when
 * another writer holds the database. End it with api_tx_end_try(). */
int api_tx_try(struct request *rq);
void api_tx_end_try(struct request *rq);
/* 1 once the server has been told to stop. */
int server_stopping(void);
/* Serves cfg's listeners until SIGTERM/SIGINT, then drains; cert and key
 * are PEM text for TLS listeners. 0, or -1 when a listener failed. */
int http_serve(struct server_state *srv, const char *cert, const char *key);

/* Runs the route's handler with the caller authenticated and the body
 * complete (on an intake thread for intake routes). */
void http_handle(struct request *rq);

/* ---- worker.c ---- */
/* Intake threads: a request whose handler writes an audit (the intake
 * routes) runs on one of them while its connection is suspended, so that
 * the HTTP threads keep answering everything else. A request queued
 * with worker_submit() is owned by the worker until it resumes the
 * connection with rq->stage set to RQ_DONE. */
int worker_start(struct server_state *srv);
/* 0 queued (the connection is suspended), or -1 when the queue is full
 * or the server stops (nothing was done: the caller replies 503). */
int worker_submit(struct server_state *srv, struct request *rq);
/* Stopping: answers the queued requests 503 at once and refuses new
 * ones. */
void worker_quiesce(struct server_state *srv);
/* 1 while a request runs on an intake thread. */
int worker_busy(struct server_state *srv);
/* Interrupts the stores of the intake threads (store_interrupt()): what
 * they are storing is rolled back. For a stopping server. */
void worker_interrupt(struct server_state *srv);
/* Joins the threads (after worker_quiesce and once worker_busy() is 0)
 * and writes the refusal counts still pending. */
void worker_stop(struct server_state *srv);
/* Counts a refused intake post from addr for reason (a literal) into
 * that address's audit-log row of the current minute. 1 when the post
 * opens a new row (the caller has it written through the intake thread:
 * rq->refusal), 0 when it was counted into the open one. */
int worker_refusal_note(struct server_state *srv, const char *addr,
			const char *reason);

/* ---- guard.c ---- */
/* The connection budget: at most cfg->max_conns connections and
 * cfg->max_conns_ip from one address. A new connection past either
 * limit closes the oldest connection that is still sending its request
 * head (or whose refused body is being dropped): a client that sends its
 * head promptly is never the one closed. A head must arrive within
 * cfg->header_timeout seconds of connecting (or of the previous
 * request's end on a kept-alive connection). */
struct guard_conn;
struct sockaddr;
int guard_start(struct server_state *srv);
void guard_stop(struct server_state *srv);
/* A new connection on socket fd from sa: its entry (the MHD socket
 * context), after closing (shutdown) the connection the budget gives
 * way; NULL when nothing could give way and fd itself was shut down. */
struct guard_conn *guard_open(struct guard *g, int fd,
			      const struct sockaddr *sa);
void guard_close(struct guard *g, struct guard_conn *c);
/* The request's head is in (busy 1: not to be closed for another
 * connection), or the connection waits again for a head (busy 0), or its
 * refused body is being dropped (busy -1: may be closed, no deadline). */
void guard_mark(struct guard *g, struct guard_conn *c, int busy);
/* The MHD connection limit to configure: the budget plus room for
 * connections being closed. */
unsigned guard_mhd_limit(const struct server_config *cfg);

int api_reply_json(struct request *rq, unsigned status, json_t *body);
int api_reply_error(struct request *rq, unsigned status, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int api_reply_text(struct request *rq, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Replies 400 with the store's own reason for a refusal: the first error
 * logged while cap was on (log.h), naming its field when it named one;
 * fallback when nothing was logged. */
struct log_capture;
int api_reply_captured(struct request *rq, const struct log_capture *cap,
		       const char *fallback);
/* A list envelope {count,next,previous,results} for results (stolen). */
int api_reply_list(struct request *rq, json_t *results, int64_t count,
		   int64_t limit, int64_t offset);
/* results (stolen) as CSV with the given column order (NULL: the keys of
 * the first row). */
int api_reply_csv(struct request *rq, json_t *results, json_t *columns);
/* 1 when every query parameter is one of allowed (NULL-terminated; NULL:
 * none is accepted); else 0 after replying 400 naming it and, in names,
 * what may be used. */
int api_args_known(struct request *rq, const char *const *allowed,
		   const char *names);
/* The request body parsed as a JSON object, or NULL after replying 400. */
json_t *api_body_json(struct request *rq);
/* 1 when the caller's org tree contains org_id. */
int api_org_visible(const struct request *rq, int64_t org_id);
/* 1 when the caller's role is min or above; else replies 403 and
 * returns 0. Roles rank collector < user < org_admin < admin. */
int api_need_role(struct request *rq, enum role min);
/* Sets q->org_ids from the caller (none for an all-orgs caller). */
void api_query_scope(const struct request *rq, struct store_query *q);

/* ---- auth.c ---- */
int auth_init(void);
void auth_cleanup(void);
/* Authenticates rq from its session cookie or bearer token, filling
 * rq->who. 0 when authenticated, 1 when no credentials were sent, -1 after
 * replying (bad credentials, missing CSRF token, internal error). */
int auth_request(struct request *rq);
/* The user of API token token (free()), or NULL when it is unknown,
 * revoked or its user disabled; records its use (last_used) at most once
 * a minute, under the write lock, so that checking a token never writes. */
char *auth_token_user(struct request *rq, const char *token);
/* Fills who for user (a store_api_user_get() object). 0 or -1. */
int auth_principal(struct request *rq, json_t *user, struct principal *who);
void auth_principal_free(struct principal *who);
/* 1 when the caller is an admin of the root org, the only one who may
 * read or change what is global (settings, auth sources, metrics); else
 * replies 403 and returns 0. docs/admin.md has the table of roles. */
int api_need_root_admin(struct request *rq);
enum role auth_role_from_name(const char *name);
const char *auth_role_name(enum role r);
/* Checks name's password pw as login does, throttled alike: 1 right, 0
 * wrong, -1 internal error, -2 after replying 429. */
int auth_password_check(struct request *rq, const char *name, const char *pw);
/* Ends every session of user name after its password was set; when the
 * caller set its own through a session, starts a new one for it (the
 * cookie, and csrf_token added to reply). */
void auth_password_changed(struct request *rq, const char *name, json_t *reply);
/* Ends every session of user name on every server of the database (its
 * API tokens stay); the count, or -1. */
int auth_sessions_end(struct request *rq, const char *name);
int api_auth_login(struct request *rq);
int api_auth_logout(struct request *rq);
int api_auth_me(struct request *rq);

/* ---- api_devices.c ---- */
int api_devices_list(struct request *rq);
int api_device_get(struct request *rq);
int api_device_patch(struct request *rq);
int api_device_delete(struct request *rq);
int api_device_section(struct request *rq);
int api_changes_list(struct request *rq);
int api_audit_list(struct request *rq);

/* ---- api_data.c (data management: import, create, bulk, custom) ---- */
int api_devices_import(struct request *rq);
int api_device_create(struct request *rq);
int api_devices_bulk(struct request *rq);
int api_device_custom_put(struct request *rq);
int api_custom_fields_list(struct request *rq);
int api_custom_field_create(struct request *rq);
int api_custom_field_patch(struct request *rq);
int api_custom_field_delete(struct request *rq);
/* 1 when every custom.NAME condition of q names a field the caller
 * sees; else 0 after replying 400 naming it. */
int api_custom_filters_ok(struct request *rq, const struct store_query *q);
/* The device list's CSV columns: every device field, then custom.NAME
 * for each custom field the caller sees. A new reference. */
json_t *api_custom_csv_columns(struct request *rq);

/* ---- api_search.c ---- */
int api_search(struct request *rq);

/* ---- api_admin.c ---- */
int api_orgs_list(struct request *rq);
int api_org_get(struct request *rq);
int api_org_create(struct request *rq);
int api_users_list(struct request *rq);
int api_user_get(struct request *rq);
int api_user_create(struct request *rq);
int api_user_delete(struct request *rq);
int api_user_password(struct request *rq);
int api_user_patch(struct request *rq);
int api_user_sessions_end(struct request *rq);
int api_tokens_list(struct request *rq);
int api_token_create(struct request *rq);
int api_token_delete(struct request *rq);
int api_credentials_list(struct request *rq);
int api_credential_get(struct request *rq);
int api_credential_create(struct request *rq);
int api_credential_delete(struct request *rq);
int api_credential_patch(struct request *rq);
int api_credential_test(struct request *rq);

int api_map_get(struct request *rq);

/* ---- api_prefs.c ---- */
int api_prefs_get(struct request *rq);
int api_pref_put(struct request *rq);

/* ---- api_intake.c ---- */
int api_intake(struct request *rq);
int api_intake_oa(struct request *rq);
/* Authenticates an Open-AudIT post from its head (token, Basic password,
 * allow-list), setting rq->intake_org. 0, or -1 after replying. */
int api_intake_oa_admit(struct request *rq);
/* Decodes application/x-www-form-urlencoded text the way Open-AudIT's
 * scripts need: %XX with two hex digits and '+' are decoded, any other
 * '%' is kept; a value holding raw < > { } or white space (audit_linux.sh
 * escapes only + " &) has only %2B %22 %26 decoded. Returns the field's
 * value (free()) or NULL when absent. */
char *intake_form_field(const char *body, size_t len, const char *name,
			size_t *out_len);
/* The value of part name in a multipart/form-data body, or NULL. */
char *intake_multipart_field(const char *body, size_t len,
			     const char *content_type, const char *name,
			     size_t *out_len);

/* ---- api_collectors.c ---- */
int api_collector_register(struct request *rq);
int api_collector_jobs(struct request *rq);
int api_collector_progress(struct request *rq);
int api_collector_result(struct request *rq);
int api_collectors_list(struct request *rq);
int api_collector_get(struct request *rq);
int api_collector_patch(struct request *rq);
int api_collector_delete(struct request *rq);

/* ---- api_stats.c ---- */
int api_stats(struct request *rq);
int api_runs_list(struct request *rq);
int api_run_get(struct request *rq);
int api_run_log(struct request *rq);
int api_network(struct request *rq);

/* ---- api_meta.c ---- */
extern const struct route server_routes[];
extern const int server_nroutes;
int api_health(struct request *rq);
int api_openapi(struct request *rq);

/* ---- tls.c ---- */
/* Makes (or reuses) DIR/tls-self-signed.{crt,key}; the paths are set to
 * new strings. 0 or -1. */
int tls_self_signed(const char *dir, char **cert_path, char **key_path);
/* 0 when the PEM files hold a certificate and its matching key. */
int tls_check_pair_files(const char *cert_path, const char *key_path);

#endif
