/*
 * The libmicrohttpd side: daemons, the access handler that collects a
 * request and dispatches it through the router, replies, the access log,
 * and the stop.
 *
 * A request is authenticated from its head, before any of its body is
 * read: a refused request's body is read and dropped (wget sends the
 * URL's password only after the 401 that follows its body), never kept,
 * so posting without credentials costs the server no memory. Bodies that
 * are kept count against one ceiling for all connections together
 * (body_buffer_max; past it 503). Intake routes run on the intake threads
 * (worker.c) with their connection suspended, so the HTTP threads never
 * wait for an audit being stored. Connections are budgeted by guard.c.
 *
 * SIGTERM: listeners close, queued intakes are answered 503, requests in
 * flight get SERVER_DRAIN_SECONDS, then a still running intake is
 * interrupted (its transaction rolls back: it was never acknowledged)
 * and, should it still not return, the process exits without waiting
 * for it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "core/log.h"
#include "server/assets.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_api.h"

#define HTTP_STOP_HARD_SECONDS 2 /* after the interrupt, before _exit */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

static atomic_int http_inflight;
static atomic_int http_stop;
static atomic_size_t http_buffered; /* bytes of bodies kept, all requests */
static char http_ui_request;	    /* con_cls of a request for a UI file */

int server_stopping(void)
{
	return atomic_load(&http_stop);
}

struct store *server_store(struct request *rq)
{
	struct store *st = pthread_getspecific(rq->srv->store_key);

	if (st)
		return st;
	st = store_open(rq->srv->cfg->db);
	if (!st)
		return NULL;
	store_api_tune(st);
	pthread_setspecific(rq->srv->store_key, st);
	return st;
}

/* A request that lost its database gets this, whatever it was about to
 * answer (reply.c); the server log names the database. */
#define HTTP_DB_DOWN                                                           \
	"the database is unavailable (it may be restarting); the request "     \
	"was not completed: try again shortly"

int server_store_ready(struct request *rq)
{
	rq->st = server_store(rq);
	if (rq->st && store_ready(rq->st) == 0) {
		rq->st_lost = store_lost(rq->st);
		return 0;
	}
	if (!rq->status) {
		snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
		api_reply_error(rq, 503, NULL, HTTP_DB_DOWN);
	}
	return -1;
}

int api_reply_db_lost(struct request *rq, unsigned status)
{
	if (status < 400 || !rq->st || store_lost(rq->st) == rq->st_lost)
		return 0;
	snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
	return 1;
}

const char *api_db_down_message(void)
{
	return HTTP_DB_DOWN;
}

static void http_store_release(void *p)
{
	store_api_thread_cleanup();
	store_close(p);
}

int api_tx_begin(struct request *rq)
{
	if (store_batch_begin(rq->st) == 0)
		return 0;
	snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
	api_reply_error(rq, 503, NULL,
			"the database is busy; nothing was changed: try again");
	return -1;
}

int api_tx_end(struct request *rq)
{
	if (store_batch_commit(rq->st) == 0)
		return 0;
	snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
	api_reply_error(rq, 503, NULL,
			"the change could not be committed; nothing was "
			"changed: try again");
	return -1;
}

int api_tx_try(struct request *rq)
{
	store_set_wait(rq->st, 0);
	if (store_batch_begin(rq->st) == 0)
		return 0;
	store_set_wait(rq->st, 1);
	return -1;
}

void api_tx_end_try(struct request *rq)
{
	store_batch_commit(rq->st);
	store_set_wait(rq->st, 1);
}

const char *request_header(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *request_cookie(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

const char *request_arg(struct request *rq, const char *key)
{
	int i;

	for (i = 0; i < rq->nargs; i++)
		if (!strcmp(rq->args[i].key, key))
			return rq->args[i].value;
	return NULL;
}

static enum MHD_Result http_arg(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	struct request *rq = cls;

	(void)kind;
	if (rq->nargs >= QUERY_ARGS_MAX) {
		rq->too_many_args = 1;
		return MHD_NO;
	}
	rq->args[rq->nargs].key = key;
	rq->args[rq->nargs].value = value ? value : "";
	rq->nargs++;
	return MHD_YES;
}

static void http_client(struct request *rq, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(rq->client, sizeof(rq->client), "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, rq->client,
			  sizeof(rq->client));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12],
				  rq->client, sizeof(rq->client));
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, rq->client,
				  sizeof(rq->client));
	}
}

static size_t http_body_max(const struct route *r)
{
	return r && (r->flags & (ROUTE_INTAKE | ROUTE_OA)) ? BODY_MAX_INTAKE
							   : BODY_MAX_SMALL;
}

static struct request *http_request_new(struct server_state *srv,
					struct MHD_Connection *conn,
					const char *url, const char *method)
{
	struct request *rq = xcalloc(1, sizeof(*rq));
	const union MHD_ConnectionInfo *di;

	rq->srv = srv;
	rq->conn = conn;
	rq->method = method;
	snprintf(rq->path, sizeof(rq->path), "%s", url);
	http_client(rq, conn);
	di = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
	rq->tls = di && di->protocol != 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_arg, rq);
	return rq;
}

/* Keeps n more bytes of rq's body, within the request's and the global
 * ceilings; past one the body is dropped and the request will get 413 or
 * 503. */
static void http_body_add(struct request *rq, const char *data, size_t n)
{
	size_t cap = (size_t)rq->srv->cfg->body_buffer_mib << 20;

	if (rq->drain) {
		rq->drained += n;
		return;
	}
	if (rq->body_too_big || rq->body_busy)
		return;
	if (atomic_fetch_add(&http_buffered, n) + n > cap) {
		atomic_fetch_sub(&http_buffered, n);
		rq->body_busy = 1;
	} else {
		rq->buffered += n;
		if (strbuf_append(&rq->body, data, n) < 0)
			rq->body_too_big = 1;
	}
	if (rq->body_too_big || rq->body_busy) {
		atomic_fetch_sub(&http_buffered, rq->buffered);
		rq->buffered = 0;
		strbuf_free(&rq->body);
	}
}

static void http_request_free(struct request *rq)
{
	if (!rq)
		return;
	atomic_fetch_sub(&http_buffered, rq->buffered);
	strbuf_free(&rq->body);
	free(rq->reply);
	auth_principal_free(&rq->who);
	free(rq);
}

/* Milliseconds from t0 to now on clock. */
static double http_ms_since(clockid_t clock, const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(clock, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Queues the reply. t0 is the start of this call from libmicrohttpd (the
 * whole request is in): t0[0] on CLOCK_MONOTONIC, t0[1] on this thread's
 * CPU clock. The reply says in Server-Timing how long the server took
 * for it (app: wall time, cpu: this thread's CPU time; docs/api.md). */
static enum MHD_Result http_queue(struct request *rq, struct timespec *t0)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = rq->reply_len;
	char timing[64];
	double ms;

	if (!rq->status)
		api_reply_error(rq, 500, NULL, "the handler gave no answer");
	snprintf(timing, sizeof(timing), "app;dur=%.2f, cpu;dur=%.2f",
		 http_ms_since(CLOCK_MONOTONIC, &t0[0]),
		 http_ms_since(CLOCK_THREAD_CPUTIME_ID, &t0[1]));
	resp = MHD_create_response_from_buffer(
		len, rq->reply ? rq->reply : "",
		rq->reply ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	rq->reply = NULL;
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
				rq->content_type ? rq->content_type
						 : "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Server-Timing", timing);
	if (rq->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", rq->set_cookie);
	if (rq->retry_after[0])
		MHD_add_response_header(resp, "Retry-After", rq->retry_after);
	if (rq->allow[0])
		MHD_add_response_header(resp, "Allow", rq->allow);
	if (rq->total_count[0])
		MHD_add_response_header(resp, "X-Total-Count", rq->total_count);
	if (rq->truncated[0])
		MHD_add_response_header(resp, "X-Truncated", rq->truncated);
	if (rq->www_authenticate)
		MHD_add_response_header(resp, "WWW-Authenticate",
					rq->www_authenticate);
	ret = MHD_queue_response(rq->conn, rq->status, resp);
	MHD_destroy_response(resp);
	ms = http_ms_since(CLOCK_MONOTONIC, &t0[0]);
	metrics_request(rq->status, ms);
	metrics_access_write(rq->client, rq->who.name, rq->method, rq->path,
			     rq->status, len, ms);
	log_info("%s %s %s %u %zu %.1fms%s%s", rq->client, rq->method, rq->path,
		 rq->status, len, ms, rq->who.name[0] ? " " : "", rq->who.name);
	return ret;
}

/* The head is in: authenticates the caller from it (cookie, bearer
 * token; the Open-AudIT paths' own token, Basic password or allow-list)
 * before any of the body is read. Sets the reply when refused. */
static void http_admit(struct request *rq)
{
	const struct route *r = rq->route;
	int rc;

	if (rq->too_many_args) {
		api_reply_error(rq, 400, NULL, "more than %d query parameters",
				QUERY_ARGS_MAX);
		return;
	}
	if (server_store_ready(rq) < 0)
		return;
	if (r->flags & ROUTE_PUBLIC)
		return;
	if (r->flags & ROUTE_OA) {
		api_intake_oa_admit(rq);
		return;
	}
	rc = auth_request(rq);
	if (rc < 0)
		return;
	if (rc > 0) {
		api_reply_error(rq, 401, NULL,
				"authentication required: log in "
				"(POST /api/v1/auth/login) or send "
				"Authorization: Bearer TOKEN");
		return;
	}
	if (rq->who.role == ROLE_COLLECTOR &&
	    !(r->flags & (ROUTE_INTAKE | ROUTE_COLLECTOR)))
		api_reply_error(rq, 403, NULL,
				"a collector may only submit device reports "
				"and use the collector API");
}

void http_handle(struct request *rq)
{
	rq->route->fn(rq);
}

static struct guard_conn *http_guard_conn(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* 1 when the client waits for "100 Continue" before sending its body. */
static int http_expects_continue(struct MHD_Connection *conn)
{
	const char *e =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");

	return e && !strcasecmp(e, "100-continue");
}

/* The first call for a request: its head is complete. */
static enum MHD_Result http_begin(struct server_state *srv,
				  struct MHD_Connection *conn, const char *url,
				  const char *method, void **con_cls,
				  struct timespec *t0)
{
	struct request *rq;
	enum router_result rr;
	const char *cl;
	long len;

	guard_mark(srv->guard, http_guard_conn(conn), 1);
	if (assets_is_ui_path(url)) { /* the web UI's static files */
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			return assets_serve(conn, method, url) == MHD_YES
				       ? MHD_YES
				       : MHD_NO; /* 405, no body read */
		*con_cls = &http_ui_request;
		return MHD_YES;
	}
	rq = http_request_new(srv, conn, url, method);
	*con_cls = rq;
	atomic_fetch_add(&http_inflight, 1);
	rr = router_match(server_routes, server_nroutes, method, rq->path,
			  &rq->route, &rq->params);
	strbuf_init(&rq->body, http_body_max(rq->route));
	if (rr == ROUTER_NOT_FOUND) {
		api_reply_error(rq, 404, NULL, "no such path: %s", rq->path);
		return http_queue(rq, t0);
	}
	if (rr == ROUTER_BAD_METHOD) {
		router_allowed(server_routes, server_nroutes, rq->path,
			       rq->allow, sizeof(rq->allow));
		api_reply_error(rq, 405, NULL,
				"%s is not allowed on %s; use %s", method,
				rq->path, rq->allow);
		return http_queue(rq, t0);
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					 "Content-Length");
	if (cl && util_parse_long(cl, 0, 1L << 40, &len) == 0 &&
	    (size_t)len > rq->body.max) {
		api_reply_error(rq, 413, NULL,
				"request body of %ld bytes is larger than "
				"the %zu allowed here",
				len, rq->body.max);
		return http_queue(rq, t0);
	}
	http_admit(rq);
	if (!rq->status)
		return MHD_YES;
	/* refused: no byte of the body is kept */
	if (!rq->refusal && http_expects_continue(conn))
		return http_queue(rq, t0); /* the body is never sent */
	rq->drain = 1;
	guard_mark(srv->guard, http_guard_conn(conn), -1);
	return MHD_YES;
}

/* The body is in (or was dropped): answer, here or on an intake thread. */
static enum MHD_Result http_finish(struct server_state *srv, struct request *rq,
				   struct timespec *t0)
{
	int on_worker =
		rq->refusal || (rq->route->flags & (ROUTE_INTAKE | ROUTE_OA));

	if (rq->stage == RQ_DONE)
		return http_queue(rq, t0);
	if (!rq->status && rq->body_too_big)
		api_reply_error(rq, 413, NULL,
				"request body larger than the %zu bytes "
				"allowed here",
				rq->body.max);
	if (!rq->status && rq->body_busy) {
		snprintf(rq->retry_after, sizeof(rq->retry_after), "10");
		api_reply_error(rq, 503, NULL,
				"the server holds %d MiB of request bodies, "
				"its limit (body_buffer_max): try again "
				"shortly",
				srv->cfg->body_buffer_mib);
	}
	if (on_worker && (!rq->status || rq->refusal)) {
		if (worker_submit(srv, rq) == 0)
			return MHD_YES; /* resumed with stage RQ_DONE */
		if (!rq->status) {
			snprintf(rq->retry_after, sizeof(rq->retry_after),
				 "10");
			api_reply_error(rq, 503, NULL,
					"too many audits are waiting to be "
					"stored%s: try again shortly",
					server_stopping()
						? " (the server is stopping)"
						: "");
		}
	}
	if (!rq->status)
		http_handle(rq);
	return http_queue(rq, t0);
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn,
				   const char *url, const char *method,
				   const char *version, const char *upload_data,
				   size_t *upload_data_size, void **con_cls)
{
	struct request *rq = *con_cls;
	struct timespec t0[2]; /* http_queue() */

	(void)version;
	clock_gettime(CLOCK_MONOTONIC, &t0[0]);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0[1]);
	if (!rq)
		return http_begin(cls, conn, url, method, con_cls, t0);
	if (*con_cls == &http_ui_request) {
		/* answered once the request is complete, so that the
		 * connection is kept alive for the page's next file */
		if (*upload_data_size) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		return assets_serve(conn, method, url) == MHD_YES ? MHD_YES
								  : MHD_NO;
	}
	if (*upload_data_size) {
		http_body_add(rq, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* a refused body past the route's ceiling: close */
		return rq->drained > rq->body.max ? MHD_NO : MHD_YES;
	}
	return http_finish(cls, rq, t0);
}

static void http_completed(void *cls, struct MHD_Connection *conn,
			   void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server_state *srv = cls;

	(void)toe;
	guard_mark(srv->guard, http_guard_conn(conn), 0);
	if (*con_cls == &http_ui_request) {
		*con_cls = NULL;
	} else if (*con_cls) {
		http_request_free(*con_cls);
		*con_cls = NULL;
		atomic_fetch_sub(&http_inflight, 1);
	}
}

static void http_notify(void *cls, struct MHD_Connection *conn,
			void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	struct server_state *srv = cls;
	const union MHD_ConnectionInfo *fd, *addr;

	if (code != MHD_CONNECTION_NOTIFY_STARTED) {
		guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn,
				       MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	*socket_context = fd ? guard_open(srv->guard, fd->connect_fd,
					  addr ? addr->client_addr : NULL)
			     : NULL;
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

static struct MHD_Daemon *http_start(struct server_state *srv,
				     const struct server_listen *l,
				     const char *cert, const char *key)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_Daemon *d;

	memset(&ss, 0, sizeof(ss));
	if (strchr(l->host, ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(l->port);
		inet_pton(AF_INET6, l->host, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(l->port);
		inet_pton(AF_INET, l->host, &s4->sin_addr);
	}
	if (l->tls)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(
		flags, l->port, NULL, NULL, http_access, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)(srv->cfg->threads > 0 ? srv->cfg->threads : 4),
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)(srv->cfg->request_timeout > 0
				   ? srv->cfg->request_timeout
				   : 60),
		MHD_OPTION_CONNECTION_LIMIT, guard_mhd_limit(srv->cfg),
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, http_notify, srv,
		MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		l->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
		MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_PRIORITIES,
		HTTP_TLS_PRIORITIES, MHD_OPTION_END);
	if (!d)
		log_err("cannot listen on %s%s:%u (address in use, not "
			"local, or TLS files unusable?)",
			l->tls ? "https://" : "", l->host, l->port);
	return d;
}

/* Blocks until SIGTERM or SIGINT. */
static int http_wait_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigwait(&set, &sig) != 0)
		return -1;
	return sig;
}

/* Waits up to seconds for done() to be 1. */
static int http_wait(int (*done)(struct server_state *),
		     struct server_state *srv, int seconds)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	int i;

	for (i = 0; i < seconds * 20 && !done(srv); i++)
		nanosleep(&ts, NULL);
	return done(srv);
}

static int http_idle(struct server_state *srv)
{
	(void)srv;
	return atomic_load(&http_inflight) == 0;
}

static int http_worker_idle(struct server_state *srv)
{
	return worker_busy(srv) == 0;
}

static void http_drain(struct server_state *srv, struct MHD_Daemon **d, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		MHD_socket fd = MHD_quiesce_daemon(d[i]);

		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	worker_quiesce(srv);
	if (!http_wait(http_idle, srv, SERVER_DRAIN_SECONDS))
		log_warn("stopping with %d requests still in flight",
			 atomic_load(&http_inflight));
	if (!http_worker_idle(srv)) {
		log_warn("interrupting the audit being stored: it is rolled "
			 "back, its sender was not answered 2xx");
		worker_interrupt(srv);
	}
	if (!http_wait(http_worker_idle, srv, HTTP_STOP_HARD_SECONDS)) {
		/* its transaction was never committed: SQLite drops it */
		log_err("an audit is still being stored; exiting without "
			"it (it was not acknowledged)");
		_exit(1);
	}
	for (i = 0; i < n; i++)
		MHD_stop_daemon(d[i]);
	worker_stop(srv);
}

/* Raises the open-files limit to what the connection budget needs (a
 * service often starts with a soft limit of 1024). */
static void http_fd_limit(const struct server_config *cfg)
{
	rlim_t want = (rlim_t)guard_mhd_limit(cfg) + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		log_warn("open files limited to %llu: fewer connections than "
			 "max_connections may be served (raise LimitNOFILE)",
			 (unsigned long long)rl.rlim_cur);
}

int http_serve(struct server_state *srv, const char *cert, const char *key)
{
	struct MHD_Daemon *d[SERVER_MAX_LISTEN];
	const struct server_config *cfg = srv->cfg;
	sigset_t set, old;
	int i, n = 0, sig, rc = -1;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_key_create(&srv->store_key, http_store_release) != 0)
		goto out;
	http_fd_limit(cfg);
	if (guard_start(srv) < 0 || worker_start(srv) < 0)
		goto stop;
	for (i = 0; i < cfg->nlisten; i++) {
		d[n] = http_start(srv, &cfg->listen[i], cert, key);
		if (!d[n])
			goto stop;
		fprintf(stderr, "netcensus: listening on %s://%s%s%s:%u/\n",
			cfg->listen[i].tls ? "https" : "http",
			strchr(cfg->listen[i].host, ':') ? "[" : "",
			cfg->listen[i].host,
			strchr(cfg->listen[i].host, ':') ? "]" : "",
			cfg->listen[i].port);
		n++;
	}
	if (runner_start(srv) < 0)
		goto stop;
	sig = http_wait_signal();
	atomic_store(&http_stop, 1);
	fprintf(stderr,
		"netcensus: %s received, finishing requests in "
		"flight\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = 0;
stop:
	atomic_store(&http_stop, 1);
	/* the intake first: a discovery thread may be waiting for the
	 * database a long intake writes, and runner_stop() joins it */
	http_drain(srv, d, n);
	runner_stop();
	guard_stop(srv);
	pthread_key_delete(srv->store_key);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
