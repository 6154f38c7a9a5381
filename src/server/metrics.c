/*
 * Operations: request and intake counters for GET /metrics (Prometheus
 * text format 0.0.4) and the access log (--access-log FILE|-).
 *
 * Counters are process-wide atomics, bumped by the pool threads without
 * a lock; a scrape reads them one by one, which Prometheus tolerates
 * (counters only grow). The access log is one line per request written
 * with a single write(2) on an O_APPEND descriptor, so lines from several
 * threads never interleave; the path is logged without its query string,
 * so a ?token= never reaches the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_discoveries.h"

#define METRICS_CLASSES 5 /* 1xx .. 5xx */

static const char *const metrics_intake_names[] = {"created", "updated",
						   "rejected", "refused"};
#define METRICS_INTAKES                                                        \
	((int)(sizeof(metrics_intake_names) / sizeof(metrics_intake_names[0])))

static const char *const metrics_login_names[] = {"ok", "failed", "throttled"};
#define METRICS_LOGINS                                                         \
	((int)(sizeof(metrics_login_names) / sizeof(metrics_login_names[0])))

/* request durations in buckets of milliseconds (a histogram) */
static const double metrics_bounds_ms[] = {1,	5,   10,   20,	50,
					   100, 500, 1000, 5000};
#define METRICS_BUCKETS                                                        \
	((int)(sizeof(metrics_bounds_ms) / sizeof(metrics_bounds_ms[0])))

static atomic_ullong metrics_requests[METRICS_CLASSES];
static atomic_ullong metrics_intakes[METRICS_INTAKES];
static atomic_ullong metrics_logins[METRICS_LOGINS];
static atomic_ullong metrics_buckets[METRICS_BUCKETS];
static atomic_ullong metrics_ms_sum; /* microseconds */
static atomic_ullong metrics_count;
static int metrics_access_fd = -1;
static int metrics_access_owned;

void metrics_request(unsigned status, double ms)
{
	unsigned c = status / 100;
	int i;

	if (c >= 1 && c <= METRICS_CLASSES)
		atomic_fetch_add(&metrics_requests[c - 1], 1);
	for (i = 0; i < METRICS_BUCKETS; i++)
		if (ms <= metrics_bounds_ms[i]) {
			atomic_fetch_add(&metrics_buckets[i], 1);
			break;
		}
	atomic_fetch_add(&metrics_count, 1);
	atomic_fetch_add(&metrics_ms_sum,
			 (unsigned long long)(ms > 0 ? ms * 1000.0 : 0));
}

/* Counts result in the counter of names that bears its name. */
static void metrics_count_name(atomic_ullong *counters,
			       const char *const *names, int n,
			       const char *result)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(result, names[i]))
			atomic_fetch_add(&counters[i], 1);
}

void metrics_intake(const char *result)
{
	metrics_count_name(metrics_intakes, metrics_intake_names,
			   METRICS_INTAKES, result);
}

void metrics_login(const char *result)
{
	metrics_count_name(metrics_logins, metrics_login_names, METRICS_LOGINS,
			   result);
}

static void metrics_head(struct strbuf *sb, const char *name, const char *type,
			 const char *help)
{
	strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		      type);
}

static void metrics_requests_text(struct strbuf *sb)
{
	unsigned long long cum = 0;
	int i;

	metrics_head(sb, "netcensus_http_requests_total", "counter",
		     "HTTP requests answered, by status class");
	for (i = 0; i < METRICS_CLASSES; i++)
		strbuf_printf(sb,
			      "netcensus_http_requests_total{code=\"%dxx\"} "
			      "%llu\n",
			      i + 1, atomic_load(&metrics_requests[i]));
	metrics_head(sb, "netcensus_http_request_duration_seconds", "histogram",
		     "time from request to queued reply");
	for (i = 0; i < METRICS_BUCKETS; i++) {
		cum += atomic_load(&metrics_buckets[i]);
		strbuf_printf(sb,
			      "netcensus_http_request_duration_seconds_bucket"
			      "{le=\"%g\"} %llu\n",
			      metrics_bounds_ms[i] / 1000.0, cum);
	}
	strbuf_printf(sb,
		      "netcensus_http_request_duration_seconds_bucket"
		      "{le=\"+Inf\"} %llu\n"
		      "netcensus_http_request_duration_seconds_sum %.6f\n"
		      "netcensus_http_request_duration_seconds_count %llu\n",
		      atomic_load(&metrics_count),
		      (double)atomic_load(&metrics_ms_sum) / 1e6,
		      atomic_load(&metrics_count));
}

/* One counter family with a "result" label per name. */
static void metrics_results_text(struct strbuf *sb, const char *name,
				 const char *help, atomic_ullong *counters,
				 const char *const *names, int n)
{
	int i;

	metrics_head(sb, name, "counter", help);
	for (i = 0; i < n; i++)
		strbuf_printf(sb, "%s{result=\"%s\"} %llu\n", name, names[i],
			      atomic_load(&counters[i]));
}

static void metrics_discovery_text(struct strbuf *sb, struct store *st)
{
	static const char *const states[] = {"queued",	  "running",
					     "done",	  "failed",
					     "cancelled", "interrupted"};
	json_t *counts = store_discorun_count_states(st), *live = json_array();
	json_t *r;
	size_t i;

	metrics_head(sb, "netcensus_discovery_runs", "gauge",
		     "discovery runs in the database, by state");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		strbuf_printf(sb,
			      "netcensus_discovery_runs{state=\"%s\"} %lld\n",
			      states[i],
			      (long long)json_integer_value(
				      json_object_get(counts, states[i])));
	json_decref(counts);
	runner_live_all(live);
	metrics_head(sb, "netcensus_discovery_addresses", "gauge",
		     "addresses of the runs going on now, by kind");
	json_array_foreach(live, i, r) {
		static const char *const kinds[] = {"total", "done", "alive"};
		size_t k;

		for (k = 0; k < 3; k++)
			strbuf_printf(
				sb,
				"netcensus_discovery_addresses{run=\"%lld\","
				"kind=\"%s\"} %lld\n",
				(long long)json_integer_value(
					json_object_get(r, "run_id")),
				kinds[k],
				(long long)json_integer_value(
					json_object_get(r, kinds[k])));
	}
	metrics_head(sb, "netcensus_discovery_packets", "gauge",
		     "packets sent by the runs going on now");
	json_array_foreach(live, i, r)
		strbuf_printf(sb,
			      "netcensus_discovery_packets{run=\"%lld\"} "
			      "%lld\n",
			      (long long)json_integer_value(
				      json_object_get(r, "run_id")),
			      (long long)json_integer_value(
				      json_object_get(r, "packets")));
	json_decref(live);
}

int api_metrics(struct request *rq)
{
	struct strbuf sb;

	if (rq->nargs)
		return api_reply_error(rq, 400, rq->args[0].key,
				       "/metrics takes no parameters");
	/* the counters are the whole server's, every org's together */
	if (!api_need_root_admin(rq))
		return 0;
	strbuf_init(&sb, 0);
	metrics_requests_text(&sb);
	metrics_results_text(&sb, "netcensus_intakes_total",
			     "device reports and audits received, by result",
			     metrics_intakes, metrics_intake_names,
			     METRICS_INTAKES);
	metrics_results_text(&sb, "netcensus_logins_total",
			     "login attempts: ok and failed had their "
			     "password checked, throttled did not",
			     metrics_logins, metrics_login_names,
			     METRICS_LOGINS);
	metrics_discovery_text(&sb, rq->st);
	api_reply_text(rq, 200, "%s", sb.data ? sb.data : "");
	rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
	strbuf_free(&sb);
	return 0;
}

int metrics_access_open(const char *path)
{
	if (!path || !*path)
		return 0;
	if (!strcmp(path, "-")) {
		metrics_access_fd = STDERR_FILENO;
		return 0;
	}
	metrics_access_fd =
		open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (metrics_access_fd < 0) {
		log_err("access log %s: %s (does the directory exist and is "
			"it writable?)",
			path, strerror(errno));
		return -1;
	}
	metrics_access_owned = 1;
	return 0;
}

void metrics_access_close(void)
{
	if (metrics_access_owned)
		close(metrics_access_fd);
	metrics_access_fd = -1;
	metrics_access_owned = 0;
}

/* Copies s into out, replacing bytes that would break the line format
 * (controls, quotes, backslashes, spaces in the user) by escapes. */
static void metrics_clean(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

void metrics_access_write(const char *client, const char *user,
			  const char *method, const char *path, unsigned status,
			  size_t bytes, double ms)
{
	char line[2048 + 512], p[1024 + 1], u[256], m[32], when[32];
	struct tm tm;
	time_t now;
	int n;

	if (metrics_access_fd < 0)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	metrics_clean(p, sizeof(p), path);
	metrics_clean(u, sizeof(u), user && *user ? user : "-");
	metrics_clean(m, sizeof(m), method);
	n = snprintf(line, sizeof(line), "%s - %s [%s] \"%s %s\" %u %zu %.1f\n",
		     client, u, when, m, p, status, bytes, ms);
	if (n > 0 && (size_t)n < sizeof(line) &&
	    write(metrics_access_fd, line, (size_t)n) < 0)
		log_debug("access log: %s", strerror(errno));
}
