/*
 * discover_sink.c: the run's sink thread (finishing each report and
 * handing it to the sinks while the engine goes on) and the store as a
 * sink. See discover.h and discover_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"
#include "discover/discover_int.h"
#include "report/report.h"
#include "store/intake.h"
#include "store/store.h"
#include "store/store_discovery.h"
#include "store/store_ssh.h"
#include "store/store_winrpc.h"

/* Log rows wait for a batch this size (or a report, or the end), so a
 * sweep of dead addresses is not one transaction per address. */
#define DISC_LOG_BATCH 512
/* Reports waiting for the sink thread at most; then the run waits. */
#define DISC_QUEUE_MAX 256
/* A host missing from the neighbour table re-reads it at most this
 * often: it may have been filled since. */
#define DISC_NEIGH_REREAD_NS 500000000ull

/* ---- the queue ---- */

void disc_out_vlog(struct disc_out *q, const char *ip, const char *stage,
		   const char *outcome, int64_t duration_ms, const char *fmt,
		   va_list ap)
{
	struct discover_log l;
	char buf[1024];

	memset(&l, 0, sizeof(l));
	snprintf(l.ip, sizeof(l.ip), "%s", ip ? ip : "");
	l.stage = stage;
	snprintf(l.outcome, sizeof(l.outcome), "%s", outcome);
	l.duration_ms = duration_ms;
	util_now(l.time);
	if (fmt) {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		l.message = xstrdup(buf);
	}
	pthread_mutex_lock(&q->lock);
	if (q->n_log == q->cap_log) {
		q->cap_log = q->cap_log ? q->cap_log * 2 : 256;
		q->log = xrealloc(q->log, q->cap_log * sizeof(*q->log));
	}
	q->log[q->n_log++] = l;
	if (q->n_log >= DISC_LOG_BATCH)
		pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void disc_out_report(struct disc_out *q, json_t *report, json_t *ssh,
		     int proxied_mac)
{
	struct disc_item *it = xcalloc(1, sizeof(*it));

	it->report = report;
	it->ssh = ssh;
	it->proxied_mac = proxied_mac;
	pthread_mutex_lock(&q->lock);
	while (q->n_items >= DISC_QUEUE_MAX && q->started)
		pthread_cond_wait(&q->space, &q->lock);
	TAILQ_INSERT_TAIL(&q->items, it, link);
	q->n_items++;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void disc_log_free(struct discover_log *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].message);
	free(rows);
}

/* ---- finishing a report ---- */

static uint64_t disc_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The MAC of the SNMP "ip" row holding the host's own address. */
static const char *disc_snmp_mac(json_t *report, const char *ip)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(report, "ip"), i, row) {
		const char *mac =
			json_string_value(json_object_get(row, "mac"));
		const char *rip = json_string_value(json_object_get(row, "ip"));

		if (mac && *mac && rip && !strcmp(rip, ip))
			return mac;
	}
	return NULL;
}

/* The host's MAC from the neighbour table (read again when it is not
 * there and the last read is not fresh), else from SNMP. A MAC that
 * answered ARP / NDP during the run is already in the report and wins;
 * for an address a proxy answered ARP for (proxied), the neighbour table
 * holds the proxy's MAC: only SNMP's own interface table counts. */
static const char *disc_mac(struct disc_out *q, json_t *r, const char *ip,
			    int proxied)
{
	const char *mac;
	uint64_t now = disc_clock_ns();

	if (proxied)
		return disc_snmp_mac(r, ip);
	mac = json_string_value(json_object_get(q->neigh, ip));
	if (!mac && (!q->neigh || now - q->neigh_ns > DISC_NEIGH_REREAD_NS)) {
		json_decref(q->neigh);
		q->neigh = discover_neigh_read(q->o->neigh_path);
		q->neigh_ns = now;
		mac = json_string_value(json_object_get(q->neigh, ip));
	}
	return mac ? mac : disc_snmp_mac(r, ip);
}

static void disc_finish(struct disc_out *q, json_t *r, int proxied_mac)
{
	json_t *sys = json_object_get(r, "sys");
	const char *ip = json_string_value(json_object_get(sys, "ip"));
	const char *mac = json_object_get(sys, "mac")
				  ? NULL
				  : disc_mac(q, r, ip, proxied_mac);
	struct report_error err;
	char now[20];

	if (mac)
		json_object_set_new(sys, "mac", json_string(mac));
	util_now(now);
	json_object_set_new(r, "source",
			    json_pack("{ssssss}", "name", "discovery", "format",
				      "netcensus", "time", now));
	classify_report(r);
	if (report_validate(r, &err) < 0)
		log_warn("discovery: report of %s: %s", ip, err.msg);
}

/* ---- the thread ---- */

static void disc_out_deliver(struct disc_out *q, struct disc_items *items,
			     struct discover_log *rows, size_t n)
{
	const struct discover_opts *o = q->o;
	struct disc_item *it;
	size_t k;

	for (k = 0; n && k < o->n_sinks; k++)
		if (o->sinks[k].log &&
		    o->sinks[k].log(o->sinks[k].ud, rows, n) < 0)
			q->failed = 1;
	disc_log_free(rows, n);
	while ((it = TAILQ_FIRST(items))) {
		TAILQ_REMOVE(items, it, link);
		disc_finish(q, it->report, it->proxied_mac);
		for (k = 0; k < o->n_sinks; k++)
			if (o->sinks[k].report(o->sinks[k].ud, it->report,
					       it->ssh) < 0)
				q->failed = 1;
		json_decref(it->report);
		json_decref(it->ssh);
		free(it);
	}
}

static void *disc_out_main(void *arg)
{
	struct disc_out *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct disc_items items;
		struct discover_log *rows;
		size_t n;

		while (TAILQ_EMPTY(&q->items) && q->n_log < DISC_LOG_BATCH &&
		       !q->closing)
			pthread_cond_wait(&q->cond, &q->lock);
		if (TAILQ_EMPTY(&q->items) && !q->n_log)
			break;
		TAILQ_INIT(&items);
		TAILQ_CONCAT(&items, &q->items, link);
		rows = q->log;
		n = q->n_log;
		q->n_items = 0;
		pthread_cond_broadcast(&q->space);
		q->log = NULL;
		q->n_log = q->cap_log = 0;
		pthread_mutex_unlock(&q->lock);
		disc_out_deliver(q, &items, rows, n);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int disc_out_start(struct disc_out *q, const struct discover_opts *o)
{
	memset(q, 0, sizeof(*q));
	q->o = o;
	TAILQ_INIT(&q->items);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	pthread_cond_init(&q->space, NULL);
	if (pthread_create(&q->thread, NULL, disc_out_main, q) != 0) {
		log_err("discovery: cannot start the sink thread");
		return -1;
	}
	q->started = 1;
	return 0;
}

void disc_out_close(struct disc_out *q)
{
	if (q->started) {
		pthread_mutex_lock(&q->lock);
		q->closing = 1;
		pthread_cond_signal(&q->cond);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
	}
	/* a thread that never started leaves its queue to free here */
	disc_out_deliver(q, &q->items, q->log, q->n_log);
	json_decref(q->neigh);
	pthread_cond_destroy(&q->cond);
	pthread_cond_destroy(&q->space);
	pthread_mutex_destroy(&q->lock);
	q->started = 0;
}

/* ---- the store as a sink ---- */

/* Records what SSH saw at ip for the device intake matched; a changed
 * host key is flagged on the device that had the old one. 0 or -1. */
static int disc_store_ssh(struct store *st, json_t *o, const char *ip,
			  int64_t device_id)
{
	struct store_ssh_host h;
	json_t *detail;
	char now[20], key[64];
	int64_t known;
	int accepted, rc;

	if (!o || !ip)
		return 0;
	memset(&h, 0, sizeof(h));
	h.device_id = device_id;
	h.ip = ip;
	h.port = (unsigned)json_integer_value(json_object_get(o, "port"));
	h.hostkey = json_string_value(json_object_get(o, "hostkey"));
	h.hostkey_type = json_string_value(json_object_get(o, "hostkey_type"));
	h.credential = json_string_value(json_object_get(o, "credential"));
	if (json_is_true(json_object_get(o, "hostkey_changed"))) {
		known = json_integer_value(
			json_object_get(o, "known_device_id"));
		accepted = json_is_true(json_object_get(o, "accepted"));
		util_now(now);
		snprintf(key, sizeof(key), "%s port %u", ip, h.port);
		detail = json_pack(
			"{ssss?ssss?sb}", "ip", ip, "old",
			json_string_value(json_object_get(o, "old_hostkey")),
			"new", h.hostkey, "type", h.hostkey_type, "accepted",
			accepted);
		rc = store_change_add(st, known > 0 ? known : device_id,
				      "ssh_host_key", "change", key, detail,
				      now);
		json_decref(detail);
		if (rc < 0)
			return -1;
		/* the old key stays until someone accepts the new one */
		if (!accepted)
			return 0;
	}
	return store_ssh_host_set(st, &h);
}

static int disc_store_rows(struct discover_store_sink *ss,
			   const struct discover_log *rows, size_t n)
{
	struct store_discovery_log *out = xcalloc(n ? n : 1, sizeof(*out));
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		out[i].ip = rows[i].ip;
		out[i].stage = rows[i].stage;
		out[i].outcome = rows[i].outcome;
		out[i].duration_ms = rows[i].duration_ms;
		out[i].message = rows[i].message;
		out[i].time = rows[i].time[0] ? rows[i].time : NULL;
	}
	rc = store_discovery_log_add(ss->st, ss->run_id, out, n);
	free(out);
	return rc;
}

static int disc_store_log(void *ud, const struct discover_log *rows, size_t n)
{
	struct discover_store_sink *ss = ud;
	int rc;

	rc = disc_store_rows(ss, rows, n);
	if (rc < 0)
		ss->failed = 1;
	return rc;
}

static int disc_store_report(void *ud, json_t *r, json_t *ssh)
{
	struct discover_store_sink *ss = ud;
	struct intake_config cfg;
	struct intake_result ir;
	struct discover_log row;
	json_t *sys = json_object_get(r, "sys");
	const char *ip = json_string_value(json_object_get(sys, "ip"));
	/* a report with no address (Active Directory's) is named by its
	 * host name in the log, and by its source in the audit log */
	const char *name =
		ip ? ip : json_string_value(json_object_get(sys, "hostname"));
	const char *src = json_string_value(
		json_object_get(json_object_get(r, "source"), "name"));
	char msg[640];
	int rc = 0;

	if (ss->cfg)
		cfg = *ss->cfg;
	else
		intake_config_default(&cfg);
	memset(&ir, 0, sizeof(ir));
	memset(&row, 0, sizeof(row));
	snprintf(row.ip, sizeof(row.ip), "%s", name ? name : "");
	row.stage = "store";
	row.duration_ms = -1;
	row.message = msg;
	if (intake_report(ss->st, &cfg, r, ss->org_id, src ? src : "discovery",
			  "netcensus", &ir) < 0) {
		snprintf(row.outcome, sizeof(row.outcome), "rejected");
		snprintf(msg, sizeof(msg), "%s", ir.message);
		log_warn("%s: not stored: %s", row.ip, ir.message);
		rc = -1;
	} else {
		ss->stored++;
		snprintf(row.outcome, sizeof(row.outcome), "%s",
			 ir.created ? "created" : "updated");
		snprintf(msg, sizeof(msg), "device %lld%s%s",
			 (long long)ir.device_id,
			 ir.rule ? ", matched by " : "",
			 ir.rule ? ir.rule : "");
		if (disc_store_ssh(ss->st, ssh, ip, ir.device_id) < 0)
			rc = -1;
		/* the windows credential that worked, tried first next time */
		if (ip &&
		    json_is_string(
			    json_object_get(sys, "windows_credential")) &&
		    store_windows_host_set(
			    ss->st, ir.device_id, ip,
			    json_string_value(json_object_get(
				    sys, "windows_credential"))) < 0)
			rc = -1;
	}
	util_now(row.time);
	if (disc_store_rows(ss, &row, 1) < 0)
		rc = -1;
	if (rc < 0)
		ss->failed = 1;
	return rc;
}

void discover_sink_store(struct discover_store_sink *ss,
			 struct discover_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->report = disc_store_report;
	sink->log = disc_store_log;
	sink->ud = ss;
}

int discover_store_finish(struct discover_store_sink *ss,
			  const struct discover_result *res)
{
	struct store_discovery_counts c;
	int rc;

	c.total = (int64_t)res->progress.total;
	c.done = (int64_t)res->progress.done;
	c.alive = (int64_t)res->progress.alive;
	c.stored = ss->stored;
	rc = store_discovery_run_finish(ss->st, ss->run_id,
					res->stopped ? "cancelled" : "done", &c,
					res->stopped ? "interrupted" : NULL);
	return rc < 0 || ss->failed ? -1 : 0;
}
