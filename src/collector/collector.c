/*
 * collector.c: `netcensus collector` (see collector.h). One main thread
 * talks to the server (libcurl, one handle kept alive): uploads, progress
 * and job polls; a job runs on a thread of its own and writes only to the
 * spool, so a slow or absent server never holds up a run and a run never
 * holds up uploads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "collector/collector.h"
#include "collector/spool.h"
#include "core/log.h"
#include "core/targets.h"
#include "core/util.h"
#include "discover/discover.h"
#include "discover/discover_def.h"
#include "store/store.h"

#define COLL_REPLY_MAX (64u * 1024 * 1024) /* a job with its SSH facts */
#define COLL_CONNECT_S 10
#define COLL_REQUEST_S 120
#define COLL_PROGRESS_S 2
/* a transfer without a byte this long: the link is gone */
#define COLL_STALL_S 15
#define COLL_NETS_MAX 256
#define COLL_BATCH 100 /* spool items per upload (the server takes 256) */
#define COLL_BATCH_BYTES (8u * 1024 * 1024)
#define COLL_NOT_OURS "is not one of this collector's runs"

struct coll_net {
	struct targets_addr a;
	int prefix;
};

struct coll {
	const struct collector_opts *o;
	CURL *curl;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct spool *sp;
	json_t *subnets; /* what it serves, as registered */
	struct coll_net nets[COLL_NETS_MAX];
	size_t nnets;
	int exit_code; /* set: stop with it */
	/* retries */
	int backoff_s;
	time_t next_try;
	/* the job (lock guards engine, cancel, done) */
	pthread_mutex_t lock;
	pthread_t thread;
	int running, done, cancel;
	struct engine *engine;
	int64_t run_id;
	json_t *job;
	time_t next_progress;
	/* the server's absences while the job runs */
	int outages;
	time_t outage_start;
	time_t req_start; /* when the last request began */
	long outage_longest;
	int jobs_refused_logged;
};

/* ---- HTTP ---- */

static size_t coll_write(char *data, size_t size, size_t n, void *ud)
{
	struct strbuf *sb = ud;

	if (strbuf_append(sb, data, size * n) < 0)
		return 0; /* past COLL_REPLY_MAX: the transfer fails */
	return size * n;
}

/* 1 when curl's error means the server's certificate is not trusted. */
static int coll_tls_refused(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM;
}

/* A request to the server: the HTTP status, the reply's JSON in *reply
 * (when not NULL and there is one), or 0 when no answer came (why says
 * why; a certificate the collector does not trust sets exit_code 2). */
static long coll_http(struct coll *c, const char *method, const char *path,
		      const char *body, json_t **reply, char *why,
		      size_t whylen)
{
	struct strbuf sb;
	char *url = xasprintf("%s%s", c->o->server, path);
	long status = 0;
	CURLcode rc;

	strbuf_init(&sb, COLL_REPLY_MAX);
	if (reply)
		*reply = NULL;
	why[0] = '\0';
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(body));
	}
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &sb);
	c->req_start = time(NULL);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s",
			 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		if (coll_tls_refused(rc)) {
			log_err("collector: the server's certificate is not "
				"trusted (%s): give --ca FILE with the CA that "
				"signed it, or --pin sha256//KEYHASH; nothing "
				"was sent",
				why);
			c->exit_code = 2;
		}
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (reply && sb.data)
		*reply = json_loadb(sb.data, sb.len, 0, NULL);
	if (status >= 400) {
		json_t *j =
			sb.data ? json_loadb(sb.data, sb.len, 0, NULL) : NULL;
		const char *e = json_string_value(json_object_get(j, "error"));

		snprintf(why, whylen, "HTTP %ld: %s", status,
			 e ? e : "(no message)");
		json_decref(j);
	}
out:
	/* a job's answer held credentials: nothing of it stays in freed
	 * memory */
	if (sb.data)
		sodium_memzero(sb.data, sb.len);
	strbuf_free(&sb);
	free(url);
	return status;
}

static int coll_http_setup(struct coll *c)
{
	const struct collector_opts *o = c->o;
	char *auth;

	c->curl = curl_easy_init();
	if (!c->curl) {
		log_err("collector: cannot start libcurl");
		return -1;
	}
	auth = xasprintf("Authorization: Bearer %s", o->token);
	c->hdrs = curl_slist_append(NULL, auth);
	sodium_memzero(auth, strlen(auth));
	free(auth);
	c->hdrs = curl_slist_append(c->hdrs, "Content-Type: application/json");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, coll_write);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)COLL_CONNECT_S);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)COLL_REQUEST_S);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, (long)COLL_STALL_S);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* never downgrade: the scheme of --server only */
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR,
			 o->insecure_http ? "https,http" : "https");
	curl_easy_setopt(c->curl, CURLOPT_SSLVERSION,
			 (long)CURL_SSLVERSION_TLSv1_2);
	if (o->ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
	if (o->pin) {
		/* the pinned key is the trust: a self-signed server */
		curl_easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, o->pin);
		if (!o->ca_file) {
			curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "netcensus-collector");
	return 0;
}

/* ---- the server's absences ---- */

static void coll_reached(struct coll *c, int ok)
{
	time_t now = time(NULL);

	pthread_mutex_lock(&c->lock);
	if (!ok && !c->outage_start) {
		/* gone since the failed request began, not since it gave up */
		c->outage_start = c->req_start ? c->req_start : now;
		c->outages++;
	} else if (ok && c->outage_start) {
		if (now - c->outage_start > c->outage_longest)
			c->outage_longest = (long)(now - c->outage_start);
		log_warn("collector: the server answers again after %ld s",
			 (long)(now - c->outage_start));
		c->outage_start = 0;
	}
	pthread_mutex_unlock(&c->lock);
}

/* After a failure: wait 1, 2, 4 ... retry_max_s seconds. */
static void coll_backoff(struct coll *c, const char *what, const char *why)
{
	c->backoff_s = c->backoff_s ? c->backoff_s * 2 : 1;
	if (c->backoff_s > c->o->retry_max_s)
		c->backoff_s = c->o->retry_max_s;
	c->next_try = time(NULL) + c->backoff_s;
	log_warn("collector: %s failed (%s); trying again in %d s", what, why,
		 c->backoff_s);
}

static void coll_success(struct coll *c)
{
	c->backoff_s = 0;
	c->next_try = 0;
	coll_reached(c, 1);
}

/* ---- subnets ---- */

static int coll_net_parse(const char *s, struct coll_net *n)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	long p;
	int max;

	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (targets_addr_parse(addr, &n->a) < 0)
		return -1;
	max = n->a.family == AF_INET ? 32 : 128;
	if (!slash)
		p = max;
	else if (util_parse_long(slash + 1, 0, max, &p) < 0)
		return -1;
	n->prefix = (int)p;
	return 0;
}

static int coll_net_has(const struct coll_net *n, const struct targets_addr *a)
{
	int bytes = n->prefix / 8, bits = n->prefix % 8;

	if (n->a.family != a->family)
		return 0;
	if (memcmp(n->a.a, a->a, (size_t)bytes))
		return 0;
	return !bits ||
	       !((n->a.a[bytes] ^ a->a[bytes]) & (uint8_t)(0xff << (8 - bits)));
}

json_t *collector_local_subnets(void)
{
	struct ifaddrs *ifs, *i;
	json_t *out = json_array();

	if (getifaddrs(&ifs) < 0)
		return out;
	for (i = ifs; i; i = i->ifa_next) {
		struct targets_addr a, m;
		char buf[64], txt[80];
		int prefix = 0, k, max;

		if (!i->ifa_addr || !i->ifa_netmask ||
		    targets_addr_from_sockaddr(i->ifa_addr, &a) < 0 ||
		    targets_addr_from_sockaddr(i->ifa_netmask, &m) < 0)
			continue;
		max = a.family == AF_INET ? 4 : 16;
		for (k = 0; k < max; k++) {
			prefix += __builtin_popcount(m.a[k]);
			a.a[k] &= m.a[k];
		}
		snprintf(txt, sizeof(txt), "%s/%d",
			 targets_addr_format(&a, buf, sizeof(buf)), prefix);
		for (k = 0; k < (int)json_array_size(out); k++)
			if (!strcmp(json_string_value(json_array_get(out, k)),
				    txt))
				break;
		if (k == (int)json_array_size(out))
			json_array_append_new(out, json_string(txt));
	}
	freeifaddrs(ifs);
	return out;
}

/* Fills c->subnets and c->nets from --subnets or the interfaces. */
static int coll_subnets(struct coll *c)
{
	const char *p = c->o->subnets;
	json_t *v;
	size_t i;

	if (p) {
		c->subnets = json_array();
		while (*p) {
			size_t n = strcspn(p, ", \t");

			if (n)
				json_array_append_new(c->subnets,
						      json_stringn(p, n));
			p += n;
			p += strspn(p, ", \t");
		}
	} else {
		c->subnets = collector_local_subnets();
	}
	json_array_foreach(c->subnets, i, v) {
		if (c->nnets == COLL_NETS_MAX ||
		    coll_net_parse(json_string_value(v), &c->nets[c->nnets]) <
			    0) {
			log_err("collector: --subnets: '%s' is not a network "
				"like 198.18.0.0/24 (at most %d)",
				json_string_value(v), COLL_NETS_MAX);
			return -1;
		}
		c->nnets++;
	}
	return 0;
}

/* 0 when every target of t lies in the collector's subnets; else -1 with
 * the first one outside named in why. */
static int coll_targets_served(struct coll *c, const struct targets *t,
			       char *why, size_t whylen)
{
	struct targets_addr a;
	uint64_t i, n = targets_count(t);
	size_t k;
	char buf[64], *list;

	for (i = 0; i < n; i++) {
		if (targets_get(t, i, &a) < 0)
			break;
		for (k = 0; k < c->nnets; k++)
			if (coll_net_has(&c->nets[k], &a))
				break;
		if (k < c->nnets)
			continue;
		list = json_dumps(c->subnets, JSON_COMPACT);
		snprintf(why, whylen,
			 "refused by the collector: target %s is outside the "
			 "subnets it serves (%s); nothing was sent",
			 targets_addr_format(&a, buf, sizeof(buf)),
			 list ? list : "?");
		free(list);
		return -1;
	}
	return 0;
}

/* ---- the job ---- */

static void coll_hook(struct engine *e, void *ud)
{
	struct coll *c = ud;

	pthread_mutex_lock(&c->lock);
	c->engine = e;
	if (e && (c->cancel || *c->o->stop))
		engine_stop(e);
	pthread_mutex_unlock(&c->lock);
}

/* Spools the run's final state. */
static void coll_state(struct coll *c, int64_t run_id, const char *state,
		       const struct engine_progress *p, int64_t reports,
		       const char *message)
{
	json_t *b = json_pack("{sssssIsIsIsIsI}", "state", state, "message",
			      message, "total", (json_int_t)(p ? p->total : 0),
			      "done", (json_int_t)(p ? p->done : 0), "alive",
			      (json_int_t)(p ? p->alive : 0), "packets",
			      (json_int_t)(p ? p->packets : 0), "reports",
			      (json_int_t)reports);

	if (spool_put(c->sp, "state", run_id, NULL, b, NULL) < 0)
		log_err("collector: run %lld: cannot spool its state '%s'",
			(long long)run_id, state);
	json_decref(b);
}

/* The run's end as a message: counts, and what the link did. */
static void coll_summary(struct coll *c, const struct discover_result *res,
			 const struct spool_sink *ss, const char *how,
			 char *msg, size_t len)
{
	snprintf(msg, len,
		 "%s%llu of %llu addresses, %llu alive, %lld device reports "
		 "spooled by collector '%s'",
		 how, (unsigned long long)res->progress.done,
		 (unsigned long long)res->progress.total,
		 (unsigned long long)res->progress.alive,
		 (long long)ss->reports, c->o->name);
}

/* When the state item of the collector's last run goes out, what the
 * link did from the run's start until now joins its message: only then
 * is the outage over and known. */
static void coll_state_outages(struct coll *c, json_t *doc)
{
	json_t *body = json_object_get(doc, "body");
	const char *m = json_string_value(json_object_get(body, "message"));
	time_t now = time(NULL);
	long longest;
	int outages;
	char *text;

	if (strcmp(json_string_value(json_object_get(doc, "kind")), "state") ||
	    json_integer_value(json_object_get(doc, "run_id")) != c->run_id)
		return;
	pthread_mutex_lock(&c->lock);
	outages = c->outages;
	longest = c->outage_longest;
	if (c->outage_start && now - c->outage_start > longest)
		longest = (long)(now - c->outage_start);
	pthread_mutex_unlock(&c->lock);
	if (!outages)
		return;
	text = xasprintf("%s; the server was unreachable %d time%s from the "
			 "run's start until this was sent (longest %ld s): "
			 "the reports waited in the spool",
			 m ? m : "", outages, outages > 1 ? "s" : "", longest);
	json_object_set_new(body, "message", json_string(text));
	free(text);
}

static void *coll_job_main(void *arg)
{
	struct coll *c = arg;
	json_t *job = c->job;
	int64_t run_id = json_integer_value(json_object_get(job, "run_id"));
	struct discover_def_in in;
	struct discover_setup s;
	struct discover_result res;
	struct spool_sink ss;
	struct discover_sink sink;
	json_t *mark;
	char why[1024] = "", msg[1024];
	int rc;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	memset(&ss, 0, sizeof(ss));
	in.def = json_object_get(job, "definition");
	in.credentials = json_object_get(job, "credentials");
	in.run_id = run_id;
	if (discover_setup_build(&in, &s, why, sizeof(why)) < 0) {
		coll_state(c, run_id, "failed", NULL, 0, why);
		goto done;
	}
	if (coll_targets_served(c, s.targets, why, sizeof(why)) < 0) {
		log_err("collector: run %lld: %s", (long long)run_id, why);
		coll_state(c, run_id, "failed", NULL, 0, why);
		discover_setup_free(&s);
		goto done;
	}
	if (json_is_object(json_object_get(job, "ssh_known")))
		s.opts.ssh_known = json_object_get(job, "ssh_known");
	mark = json_pack("{sOsI}", "discovery", json_object_get(job, "name"),
			 "started", (json_int_t)time(NULL));
	spool_run_mark(c->sp, run_id, mark);
	json_decref(mark);
	ss.sp = c->sp;
	ss.run_id = run_id;
	spool_sink_init(&ss, &sink);
	s.opts.sinks = &sink;
	s.opts.n_sinks = 1;
	s.opts.engine_hook = coll_hook;
	s.opts.engine_hook_ud = c;
	discover_setup_log(&s, run_id);
	rc = discover_run(&s.opts, s.targets, &res);
	discover_setup_free(&s); /* wipes the credentials */
	if (rc < 0) {
		coll_state(c, run_id, "failed", NULL, ss.reports,
			   "the discovery could not run on the collector "
			   "(see its log)");
	} else {
		const char *state = "done", *how = "";

		pthread_mutex_lock(&c->lock);
		if (res.stopped && c->cancel) {
			state = "cancelled";
			how = "cancelled through the API; ";
		} else if (res.stopped) {
			state = "interrupted";
			how = "interrupted: the collector was stopped; ";
		}
		pthread_mutex_unlock(&c->lock);
		coll_summary(c, &res, &ss, how, msg, sizeof(msg));
		coll_state(c, run_id, state, &res.progress, ss.reports, msg);
	}
	spool_run_unmark(c->sp, run_id);
	log_info("collector: run %lld ended: %lld reports spooled",
		 (long long)run_id, (long long)ss.reports);
done:
	store_credential_wipe(json_object_get(job, "credentials"));
	pthread_mutex_lock(&c->lock);
	c->done = 1;
	pthread_mutex_unlock(&c->lock);
	spool_wake(c->sp);
	return NULL;
}

static void coll_job_start(struct coll *c, json_t *job)
{
	c->job = json_incref(job);
	c->run_id = json_integer_value(json_object_get(job, "run_id"));
	pthread_mutex_lock(&c->lock);
	c->cancel = c->done = 0;
	c->outages = c->outage_start ? 1 : 0;
	c->outage_longest = 0;
	pthread_mutex_unlock(&c->lock);
	log_info("collector: run %lld of discovery '%s' starts",
		 (long long)c->run_id,
		 json_string_value(json_object_get(job, "name")));
	if (pthread_create(&c->thread, NULL, coll_job_main, c) != 0) {
		coll_state(c, c->run_id, "failed", NULL, 0,
			   "the collector could not start a thread");
		json_decref(c->job);
		c->job = NULL;
		return;
	}
	c->running = 1;
}

/* Joins a job that ended. */
static void coll_job_reap(struct coll *c)
{
	int done;

	if (!c->running)
		return;
	pthread_mutex_lock(&c->lock);
	done = c->done;
	pthread_mutex_unlock(&c->lock);
	if (!done)
		return;
	pthread_join(c->thread, NULL);
	c->running = 0;
	json_decref(c->job);
	c->job = NULL;
}

/* ---- talking to the server ---- */

static void coll_spool_args(struct coll *c, char *buf, size_t len)
{
	struct spool_stats st;

	spool_stats(c->sp, &st);
	snprintf(buf, len, "spool=%zu&dropped=%llu", st.reports,
		 (unsigned long long)st.dropped);
}

/* Registers; 0, or -1 (exit_code set when for good). */
static int coll_register(struct coll *c)
{
	char host[256] = "", why[512];
	json_t *body, *reply = NULL;
	char *text;
	long status;

	gethostname(host, sizeof(host) - 1);
	body = json_pack("{sssssssO}", "name", c->o->name, "version",
			 c->o->version, "host", host, "subnets", c->subnets);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	status = coll_http(c, "POST", "/api/v1/collectors/register", text,
			   &reply, why, sizeof(why));
	free(text);
	if (status == 200) {
		log_info("collector: registered as '%s' (id %lld) with %s",
			 c->o->name,
			 (long long)json_integer_value(
				 json_object_get(reply, "id")),
			 c->o->server);
		json_decref(reply);
		coll_success(c);
		return 0;
	}
	json_decref(reply);
	if (status == 401 || status == 403 || status == 409) {
		log_err("collector: the server refused to register '%s': %s%s",
			c->o->name, why,
			status == 401 ? " - the token is wrong or revoked; "
					"create one with 'netcensus admin "
					"token create --user NAME' for a "
					"collector-role user"
				      : "");
		c->exit_code = 2;
		return -1;
	}
	if (!c->exit_code) {
		coll_reached(c, 0);
		coll_backoff(c, "registering", why);
	}
	return -1;
}

/* Handles a refusal any request can get; 1 when it ends the collector. */
static int coll_refused(struct coll *c, long status, const char *why)
{
	if (status != 401)
		return 0;
	log_err("collector: the server refused the token (%s): it was "
		"revoked or its user disabled; stopping, the spool is kept",
		why);
	c->exit_code = 2;
	return 1;
}

/* 1 when the server refused an item for good (it is set aside). */
static int coll_refused_for_good(long status, const char *why)
{
	return status == 400 || status == 422 ||
	       (status == 403 && strstr(why, COLL_NOT_OURS));
}

static void coll_set_aside(struct coll *c, json_t *doc, uint64_t seq,
			   const char *why)
{
	log_err("collector: the server refused %s item %s of run %lld for "
		"good (%s); kept in %s/rejected/",
		json_string_value(json_object_get(doc, "kind")),
		json_string_value(json_object_get(doc, "id")),
		(long long)json_integer_value(json_object_get(doc, "run_id")),
		why, c->o->spool_dir);
	spool_reject(c->sp, seq);
}

/* Uploads the oldest spool items in one request (COLL_BATCH of them at
 * most, COLL_BATCH_BYTES of files): the server stores them in one
 * transaction and answers for each. 1 when some went (or were set
 * aside), 0 when the spool is empty or the server did not take them
 * (backoff set). */
static int coll_upload(struct coll *c)
{
	uint64_t seqs[COLL_BATCH], done[COLL_BATCH];
	json_t *docs =
		spool_peek_batch(c->sp, COLL_BATCH, COLL_BATCH_BYTES, seqs);
	json_t *body, *reply = NULL, *doc, *res;
	size_t i, n = json_array_size(docs), ndone = 0;
	char why[512], *text;
	long status;

	if (!n) {
		json_decref(docs);
		return 0;
	}
	json_array_foreach(docs, i, doc)
		coll_state_outages(c, doc);
	body = json_pack("{sO}", "items", docs);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	status = coll_http(c, "POST", "/api/v1/collectors/results", text,
			   &reply, why, sizeof(why));
	free(text);
	res = json_object_get(reply, "results");
	if (status == 200 && json_array_size(res) == n) {
		coll_success(c);
		json_array_foreach(docs, i, doc) {
			json_t *r = json_array_get(res, i);
			long st = (long)json_integer_value(
				json_object_get(r, "status"));
			const char *e =
				json_string_value(json_object_get(r, "error"));

			if (st == 200 || st == 201)
				done[ndone++] = seqs[i];
			else if (coll_refused_for_good(st, e ? e : ""))
				coll_set_aside(c, doc, seqs[i], e ? e : "");
			else
				break; /* the rest goes again, in order */
		}
		spool_remove_many(c->sp, done, ndone);
		if (i < n)
			coll_backoff(c, "storing an item",
				     "the server was busy");
	} else if (!coll_refused(c, status, why) && !c->exit_code) {
		coll_reached(c, status != 0);
		coll_backoff(c, "uploading", why);
	}
	json_decref(reply);
	json_decref(docs);
	return status == 200 && ndone;
}

/* Posts the running job's counters; stops it when it was cancelled. */
static void coll_progress(struct coll *c)
{
	struct engine_progress p;
	struct spool_stats st;
	json_t *body, *reply = NULL;
	char path[96], why[512], *text;
	long status;
	int have = 0;

	if (!c->running || time(NULL) < c->next_progress)
		return;
	c->next_progress = time(NULL) + COLL_PROGRESS_S;
	pthread_mutex_lock(&c->lock);
	if (c->engine) {
		engine_progress(c->engine, &p);
		have = 1;
	}
	pthread_mutex_unlock(&c->lock);
	if (!have)
		return;
	spool_stats(c->sp, &st);
	body = json_pack("{sIsIsIsIsIsI}", "total", (json_int_t)p.total, "done",
			 (json_int_t)p.done, "alive", (json_int_t)p.alive,
			 "packets", (json_int_t)p.packets, "spool",
			 (json_int_t)st.reports, "dropped",
			 (json_int_t)st.dropped);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	snprintf(path, sizeof(path), "/api/v1/collectors/runs/%lld/progress",
		 (long long)c->run_id);
	status = coll_http(c, "POST", path, text, &reply, why, sizeof(why));
	free(text);
	coll_reached(c, status != 0);
	if (status == 200 && json_is_true(json_object_get(reply, "cancel"))) {
		log_warn("collector: run %lld was cancelled through the API; "
			 "stopping it",
			 (long long)c->run_id);
		pthread_mutex_lock(&c->lock);
		c->cancel = 1;
		if (c->engine)
			engine_stop(c->engine);
		pthread_mutex_unlock(&c->lock);
	}
	coll_refused(c, status, why);
	json_decref(reply);
}

/* Asks for a job and starts it. */
static void coll_poll(struct coll *c)
{
	json_t *reply = NULL, *job;
	char path[128], args[64], why[512];
	long status;

	coll_spool_args(c, args, sizeof(args));
	snprintf(path, sizeof(path), "/api/v1/collectors/jobs?%s", args);
	status = coll_http(c, "GET", path, NULL, &reply, why, sizeof(why));
	if (status == 200) {
		coll_success(c);
		c->jobs_refused_logged = 0;
		job = json_array_get(json_object_get(reply, "jobs"), 0);
		if (json_is_object(job))
			coll_job_start(c, job);
	} else if (!coll_refused(c, status, why) && status) {
		if (!c->jobs_refused_logged++)
			log_err("collector: the server gives no jobs: %s", why);
	} else if (!status && !c->exit_code) {
		coll_reached(c, 0);
		coll_backoff(c, "asking for jobs", why);
	}
	json_decref(reply);
}

/* Spools "interrupted" for every run a killed collector left marked. */
static void coll_recover(struct coll *c)
{
	json_t *marks = spool_run_marks(c->sp), *m;
	size_t i;

	json_array_foreach(marks, i, m) {
		int64_t run = json_integer_value(json_object_get(m, "run_id"));

		log_warn("collector: run %lld was under way when the collector "
			 "stopped; reporting it interrupted",
			 (long long)run);
		coll_state(c, run, "interrupted", NULL, 0,
			   "interrupted: the collector stopped while it ran "
			   "(killed, crashed or its machine restarted); what "
			   "it had spooled is uploaded");
		spool_run_unmark(c->sp, run);
	}
	json_decref(marks);
}

static int coll_stopping(struct coll *c)
{
	return *c->o->stop || c->exit_code;
}

/* The main loop: uploads, progress, polls, waits. */
static void coll_loop(struct coll *c)
{
	time_t next_poll = 0;

	while (!coll_stopping(c)) {
		time_t now = time(NULL);
		struct spool_stats st;
		int wait_ms = 1000;

		coll_job_reap(c);
		if (now >= c->next_try) {
			while (!coll_stopping(c) && coll_upload(c))
				coll_progress(c);
		}
		coll_progress(c);
		spool_stats(c->sp, &st);
		if (c->o->once && !st.items)
			break;
		if (!c->o->once && !c->running && now >= next_poll &&
		    time(NULL) >= c->next_try && !coll_stopping(c)) {
			coll_poll(c);
			next_poll = time(NULL) + c->o->poll_s;
		}
		if (c->next_try > time(NULL) || !st.items)
			spool_wait(c->sp, wait_ms);
	}
}

/* Stopping: the job ends "interrupted" (its reports are spooled), then
 * one pass of uploads while the server answers. */
static void coll_finish(struct coll *c)
{
	if (c->running) {
		pthread_mutex_lock(&c->lock);
		if (c->engine)
			engine_stop(c->engine);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		c->running = 0;
		json_decref(c->job);
		c->job = NULL;
	}
	if (c->exit_code != 2 && c->next_try <= time(NULL))
		while (coll_upload(c))
			;
}

int collector_run(const struct collector_opts *o)
{
	struct coll c;
	struct spool_stats st;

	memset(&c, 0, sizeof(c));
	c.o = o;
	pthread_mutex_init(&c.lock, NULL);
	c.exit_code = 0;
	if (coll_subnets(&c) < 0) {
		c.exit_code = 2;
		goto out;
	}
	c.sp = spool_open(o->spool_dir, o->spool_max);
	if (!c.sp || coll_http_setup(&c) < 0) {
		c.exit_code = 1;
		goto out;
	}
	coll_recover(&c);
	while (!coll_stopping(&c) && coll_register(&c) < 0)
		while (!coll_stopping(&c) && time(NULL) < c.next_try)
			spool_wait(c.sp, 1000);
	if (!coll_stopping(&c))
		coll_loop(&c);
	coll_finish(&c);
	spool_stats(c.sp, &st);
	log_info("collector: stopping; %zu items left in the spool", st.items);
out:
	curl_slist_free_all(c.hdrs);
	if (c.curl)
		curl_easy_cleanup(c.curl);
	spool_close(c.sp);
	json_decref(c.subnets);
	pthread_mutex_destroy(&c.lock);
	return c.exit_code;
}
