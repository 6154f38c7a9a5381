#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"
#include "discover/discover.h"
#include "discover/snmp_ping.h"
#include "report/report.h"
#include "store/intake.h"
#include "store/secret.h"
#include "store/store_discovery.h"
#include "store/store.h"

#define DISC_CREDS_FILE_MAX (1024 * 1024)
#define DISC_PROGRESS_NS 250000000L
#define DISC_NEIGH_FILE_MAX (16 * 1024 * 1024)
#define NS_PER_MS 1000000ull

/* The run: what every callback gets as ud. */
struct disc {
	const struct discover_opts *o;
	struct discover_result *res;
	struct engine *e;
	struct snmp_ping *sp;
};

/* One live host (engine_host.user). */
struct dhost {
	struct disc *d;
	char ip[48];
	json_t *report;
	uint64_t alive_ns;
	uint64_t snmp_start_ns;
	int snmp_answered;	/* the check got a reply */
};

/* One SNMP job: the worker reads only creds and writes only out/err. */
struct sjob {
	struct dhost *dh;
	json_t *creds;		/* ordered for this host */
	struct snmp_probe_opts opts;
	json_t *out;
	char err[512];
	int rc;
};

static struct engine *volatile disc_signal_engine;

/* ---- the log ---- */

static void disc_log_vadd(struct discover_result *res, const char *ip,
			  const char *stage, const char *outcome,
			  int64_t duration_ms, const char *fmt, va_list ap)
{
	struct discover_log *l;

	if (res->n_log == res->cap_log) {
		res->cap_log = res->cap_log ? res->cap_log * 2 : 256;
		res->log = xrealloc(res->log, res->cap_log * sizeof(*res->log));
	}
	l = &res->log[res->n_log++];
	memset(l, 0, sizeof(*l));
	snprintf(l->ip, sizeof(l->ip), "%s", ip ? ip : "");
	l->stage = stage;
	l->outcome = xstrdup(outcome);
	l->duration_ms = duration_ms;
	if (fmt) {
		char buf[1024];

		vsnprintf(buf, sizeof(buf), fmt, ap);
		l->message = xstrdup(buf);
	}
}

void discover_log_add(struct discover_result *res, const char *ip,
		      const char *stage, const char *outcome,
		      int64_t duration_ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	disc_log_vadd(res, ip, stage, outcome, duration_ms, fmt, ap);
	va_end(ap);
}

void discover_result_free(struct discover_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->n_log; i++) {
		free(res->log[i].outcome);
		free(res->log[i].message);
	}
	free(res->log);
	json_decref(res->reports);
	memset(res, 0, sizeof(*res));
}

static int64_t disc_ms(struct disc *d, uint64_t since_ns)
{
	uint64_t now = reactor_now(engine_reactor(d->e));

	return now > since_ns ? (int64_t)((now - since_ns) / NS_PER_MS) : 0;
}

/* ---- credentials ---- */

json_t *discover_credentials_load(const char *path)
{
	const char *why = NULL;
	json_error_t jerr;
	json_t *doc, *creds;
	size_t len;
	char *buf = util_read_file(path, DISC_CREDS_FILE_MAX, &len, &why);

	if (!buf) {
		log_err("--credentials %s: %s", path, why ? why : "cannot read");
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	secret_wipe(buf, len);
	free(buf);
	if (!doc) {
		/* jansson's text can quote the file: say where, not what */
		log_err("--credentials %s: line %d, column %d: not valid JSON; "
			"nothing was sent",
			path, jerr.line, jerr.column);
		return NULL;
	}
	creds = store_credential_parse(doc);
	store_credential_wipe(doc);
	json_decref(doc);
	if (!creds)
		log_err("--credentials %s: refused; nothing was sent", path);
	return creds;
}

void discover_credentials_add_community(json_t *creds, const char *community,
					int n)
{
	char name[32];

	snprintf(name, sizeof(name), "--community %d", n);
	json_array_append_new(creds, json_pack("{ssssss}", "type", "snmp",
					       "name", name, "community",
					       community));
}

size_t discover_credentials_count(json_t *creds, const char *type)
{
	size_t i, n = 0;
	json_t *c;

	json_array_foreach(creds, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && !strcmp(t, type))
			n++;
	}
	return n;
}

/* ---- the neighbour table ---- */

json_t *discover_neigh_read(const char *path)
{
	json_t *map = json_object();
	const char *why = NULL;
	size_t len;
	char *buf = util_read_file(path ? path : "/proc/net/arp",
				   DISC_NEIGH_FILE_MAX, &len, &why);
	char *line, *next;

	if (!buf) {
		log_debug("neighbour table %s: %s", path ? path : "/proc/net/arp",
			  why ? why : "cannot read");
		return map;
	}
	/* "IP address  HW type  Flags  HW address  Mask  Device" */
	for (line = buf; line && *line; line = next) {
		char ip[64], hw[32], flags[16], mac[18];
		unsigned long fl;
		struct targets_addr a;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%63s %*s %15s %31s", ip, flags, hw) != 3)
			continue;
		fl = strtoul(flags, NULL, 16);
		if (!(fl & 0x2) || targets_addr_parse(ip, &a) < 0 ||
		    report_normalise_mac(hw, mac) < 0 ||
		    !strcmp(mac, "00:00:00:00:00:00"))
			continue;
		json_object_set_new(map, ip, json_string(mac));
	}
	free(buf);
	return map;
}

/* ---- SNMP ---- */

static void sjob_run(void *arg)
{
	struct sjob *j = arg;

	j->rc = snmp_probe(j->dh->ip, j->creds, &j->opts, j->out, j->err,
			   sizeof(j->err));
}

/* snmp_probe names the credential by its index in the list it was given,
 * which was reordered for the host: give the index in the user's list. */
static void disc_cred_index_fix(json_t *all, json_t *ordered, json_t *sys)
{
	long idx;
	size_t i;
	json_t *c;
	char num[24];

	if (util_parse_long(json_string_value(
				    json_object_get(sys, "snmp_credential")),
			    0, (long)json_array_size(ordered) - 1, &idx) < 0)
		return;
	c = json_array_get(ordered, (size_t)idx);
	for (i = 0; i < json_array_size(all); i++) {
		if (json_array_get(all, i) != c)
			continue;
		snprintf(num, sizeof(num), "%zu", i);
		json_object_set_new(sys, "snmp_credential", json_string(num));
		return;
	}
}

static void sjob_done(struct engine *e, struct engine_host *h, void *arg,
		      int cancelled)
{
	struct sjob *j = arg;
	struct dhost *dh = j->dh;
	struct disc *d = dh->d;
	json_t *sys = json_object_get(j->out, "sys");
	const char *k;
	json_t *v;

	if (cancelled) {
		discover_log_add(d->res, dh->ip, "snmp", "cancelled",
				 disc_ms(d, dh->snmp_start_ns), NULL);
	} else if (j->rc < 0) {
		discover_log_add(d->res, dh->ip, "snmp", "failed",
				 disc_ms(d, dh->snmp_start_ns), "%s", j->err);
	} else {
		const char *cname = json_string_value(
			json_object_get(sys, "snmp_credential_name"));

		disc_cred_index_fix(d->o->credentials, j->creds, sys);
		json_object_update(json_object_get(dh->report, "sys"), sys);
		json_object_foreach(j->out, k, v)
			if (strcmp(k, "sys") != 0)
				json_object_set(dh->report, k, v);
		discover_log_add(
			d->res, dh->ip, "snmp", "ok",
			disc_ms(d, dh->snmp_start_ns), "v%s, credential '%s'",
			json_string_value(json_object_get(sys, "snmp_version")),
			cname ? cname
			      : json_string_value(
					json_object_get(sys, "snmp_credential")));
	}
	json_decref(j->creds);
	json_decref(j->out);
	free(j);
}

/* The credentials in the order to try them on this host: the kind that
 * answered the check first (that community, or every snmp_v3 one), then
 * every other SNMP credential as given. */
static json_t *disc_creds_ordered(json_t *creds,
				  const struct snmp_ping_answer *a)
{
	json_t *out = json_array(), *c;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(creds, i, c) {
			const char *t = json_string_value(
				json_object_get(c, "type"));
			int first;

			if (!t || (strcmp(t, "snmp") && strcmp(t, "snmp_v3")))
				continue;
			first = a->cred >= 0 ? (size_t)a->cred == i
					     : !strcmp(t, "snmp_v3");
			if (first == !pass)
				json_array_append(out, c);
		}
	}
	return out;
}

static void disc_snmp_answered(struct engine *e, struct engine_host *h,
			       const struct snmp_ping_answer *a, void *arg)
{
	struct dhost *dh = arg;
	struct disc *d = dh->d;
	struct sjob *j;

	if (!a->answered) {
		discover_log_add(d->res, dh->ip, "snmp", "no-answer",
				 disc_ms(d, dh->snmp_start_ns),
				 "no agent answered on 161/udp");
		return;
	}
	dh->snmp_answered = 1;
	j = xcalloc(1, sizeof(*j));
	j->dh = dh;
	j->creds = disc_creds_ordered(d->o->credentials, a);
	j->opts = d->o->snmp_opts;
	j->out = json_object();
	if (engine_submit_job(e, h, POOL_SNMP, sjob_run, sjob_done, j) < 0) {
		json_decref(j->creds);
		json_decref(j->out);
		free(j);
	}
}

/* ---- SSH: the hook ---- */

/* Where the SSH audit joins discovery: a host with 22/tcp open and SSH
 * credentials gets an ssh_audit_host() job (probe/ssh.h) on POOL_SSH from
 * here, its report merged in the job's done callback as SNMP's is. Not
 * wired in yet: the log says so, so nobody wonders why no login happened. */
static void discover_ssh_hook(struct disc *d, struct engine_host *h,
			      struct dhost *dh)
{
	size_t i;

	if (discover_credentials_count(d->o->credentials, "ssh") +
		    discover_credentials_count(d->o->credentials, "ssh_key") ==
	    0)
		return;
	for (i = 0; i < h->n_ports; i++)
		if (h->ports[i].port == 22 && h->ports[i].state == TCP_OPEN)
			discover_log_add(d->res, dh->ip, "ssh", "skipped", -1,
					 "SSH audit during discovery is not "
					 "available yet");
}

/* ---- engine callbacks ---- */

static void disc_alive(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = xcalloc(1, sizeof(*dh));
	char by[64];

	dh->d = d;
	targets_addr_format(&h->addr, dh->ip, sizeof(dh->ip));
	dh->alive_ns = reactor_now(engine_reactor(e));
	dh->report = json_pack("{si}", "report_version", REPORT_VERSION);
	json_object_set_new(dh->report, "sys",
			    json_pack("{ss}", "ip", dh->ip));
	h->user = dh;
	switch (h->alive_by) {
	case ENGINE_ALIVE_ICMP:
		snprintf(by, sizeof(by), "echo reply");
		break;
	case ENGINE_ALIVE_TCP_OPEN:
		snprintf(by, sizeof(by), "tcp %u open", h->alive_port);
		break;
	case ENGINE_ALIVE_TCP_RST:
		snprintf(by, sizeof(by), "tcp %u refused", h->alive_port);
		break;
	default:
		snprintf(by, sizeof(by), "assumed (--no-ping)");
		break;
	}
	discover_log_add(d->res, dh->ip, "discovery", "alive",
			 (int64_t)((dh->alive_ns - h->start_ns) / NS_PER_MS),
			 "%s", by);
	if (d->sp) {
		dh->snmp_start_ns = dh->alive_ns;
		snmp_ping_start(d->sp, h, disc_snmp_answered, dh);
	}
}

static void disc_scanned(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = h->user;
	struct strbuf open;
	size_t i, n = 0;

	strbuf_init(&open, 64 * 1024);
	for (i = 0; i < h->n_ports; i++) {
		if (h->ports[i].state != TCP_OPEN)
			continue;
		strbuf_printf(&open, "%s%u", n++ ? "," : "", h->ports[i].port);
	}
	if (h->n_ports)
		discover_log_add(d->res, dh->ip, "ports",
				 n ? "open" : "none-open",
				 disc_ms(d, dh->alive_ns), "%zu of %zu open%s%s",
				 n, h->n_ports, n ? ": " : "",
				 n ? open.data : "");
	strbuf_free(&open);
	if (d->o->engine.dns)
		discover_log_add(
			d->res, dh->ip, "dns",
			h->dns_status == DNS_OK	      ? "name"
			: h->dns_status == DNS_NONAME ? "no-name"
						      : "failed",
			disc_ms(d, dh->alive_ns), "%s%s",
			h->hostname ? h->hostname : "",
			h->hostname && !h->hostname_confirmed
				? " (not forward-confirmed)"
				: "");
	discover_ssh_hook(d, h, dh);
}

static void disc_add_port(json_t *rows, const char *proto, unsigned port,
			  const char *program)
{
	json_t *r = json_pack("{ssssss}", "protocol", proto, "port", "",
			      "state", "open");
	char num[8];

	snprintf(num, sizeof(num), "%u", port);
	json_object_set_new(r, "port", json_string(num));
	if (program)
		json_object_set_new(r, "program", json_string(program));
	json_array_append_new(rows, r);
}

static void disc_done(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = h->user;
	json_t *sys, *ports;
	const char *sysname;
	size_t i;

	if (!dh) {
		char ip[48];

		targets_addr_format(&h->addr, ip, sizeof(ip));
		discover_log_add(d->res, ip, "discovery", "dead",
				 disc_ms(d, h->start_ns), NULL);
		return;
	}
	h->user = NULL;
	sys = json_object_get(dh->report, "sys");
	ports = json_array();
	for (i = 0; i < h->n_ports; i++)
		if (h->ports[i].state == TCP_OPEN)
			disc_add_port(ports, "tcp", h->ports[i].port, NULL);
	/* a discovery port found open is a fact too, in the list or not */
	if (h->alive_by == ENGINE_ALIVE_TCP_OPEN) {
		for (i = 0; i < h->n_ports; i++)
			if (h->ports[i].port == h->alive_port)
				break;
		if (i == h->n_ports)
			disc_add_port(ports, "tcp", h->alive_port, NULL);
	}
	if (dh->snmp_answered)
		disc_add_port(ports, "udp", 161, "snmp");
	if (json_array_size(ports))
		json_object_set_new(dh->report, "ports", ports);
	else
		json_decref(ports);
	sysname = json_string_value(json_object_get(sys, "sysName"));
	if (h->hostname) {
		json_object_set_new(sys, "hostname", json_string(h->hostname));
		json_object_set_new(sys, "dns_fqdn", json_string(h->hostname));
	} else if (sysname && dns_name_valid(sysname)) {
		json_object_set_new(sys, "hostname", json_string(sysname));
	}
	json_array_append_new(d->res->reports, dh->report);
	free(dh);
}

/* ---- after the run ---- */

/* The MAC of the SNMP "ip" row holding the host's own address. */
static const char *disc_snmp_mac(json_t *report, const char *ip)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(report, "ip"), i, row) {
		const char *mac = json_string_value(json_object_get(row, "mac"));
		const char *rip = json_string_value(json_object_get(row, "ip"));

		if (mac && *mac && rip && !strcmp(rip, ip))
			return mac;
	}
	return NULL;
}

static int disc_addr_cmp(const void *a, const void *b)
{
	json_t *const *x = a, *const *y = b;
	struct targets_addr p, q;

	targets_addr_parse(json_string_value(json_object_get(
				   json_object_get(*x, "sys"), "ip")), &p);
	targets_addr_parse(json_string_value(json_object_get(
				   json_object_get(*y, "sys"), "ip")), &q);
	if (p.family != q.family)
		return p.family == AF_INET ? -1 : 1;
	return memcmp(p.a, q.a, sizeof(p.a));
}

static void disc_finish_reports(struct disc *d)
{
	json_t *neigh = discover_neigh_read(d->o->neigh_path);
	json_t *sorted, **v;
	struct report_error err;
	size_t i, n = json_array_size(d->res->reports);
	char now[20];

	util_now(now);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(d->res->reports, i);
		json_t *sys = json_object_get(r, "sys");
		const char *ip = json_string_value(json_object_get(sys, "ip"));
		const char *mac =
			json_string_value(json_object_get(neigh, ip));

		if (!mac)
			mac = disc_snmp_mac(r, ip);
		if (mac)
			json_object_set_new(sys, "mac", json_string(mac));
		json_object_set_new(r, "source",
				    json_pack("{ssssss}", "name", "discovery",
					      "format", "netcensus", "time",
					      now));
		classify_report(r);
		if (report_validate(r, &err) < 0)
			log_warn("discovery: report of %s: %s", ip, err.msg);
		v[i] = json_incref(r);
	}
	qsort(v, n, sizeof(*v), disc_addr_cmp);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(sorted, v[i]);
	free(v);
	json_decref(d->res->reports);
	d->res->reports = sorted;
	json_decref(neigh);
}

/* Stores every report and the log; 0, or -1 when anything was refused. */
int discover_store(struct store *st, struct discover_result *res,
		   int64_t run_id, int64_t org_id)
{
	struct intake_config cfg;
	struct store_discovery_counts c;
	struct store_discovery_log *rows;
	json_t *r;
	size_t i;
	int rc = 0;

	intake_config_default(&cfg);
	memset(&c, 0, sizeof(c));
	json_array_foreach(res->reports, i, r) {
		struct intake_result ir;
		const char *ip = json_string_value(
			json_object_get(json_object_get(r, "sys"), "ip"));

		memset(&ir, 0, sizeof(ir));
		if (intake_report(st, &cfg, r, org_id, "discovery", "netcensus",
				  &ir) < 0) {
			discover_log_add(res, ip, "store", "rejected", -1, "%s",
					 ir.message);
			log_warn("%s: not stored: %s", ip, ir.message);
			rc = -1;
			continue;
		}
		c.stored++;
		discover_log_add(res, ip, "store",
				 ir.created ? "created" : "updated", -1,
				 "device %lld%s%s", (long long)ir.device_id,
				 ir.rule ? ", matched by " : "",
				 ir.rule ? ir.rule : "");
	}
	rows = xcalloc(res->n_log ? res->n_log : 1, sizeof(*rows));
	for (i = 0; i < res->n_log; i++) {
		rows[i].ip = res->log[i].ip;
		rows[i].stage = res->log[i].stage;
		rows[i].outcome = res->log[i].outcome;
		rows[i].duration_ms = res->log[i].duration_ms;
		rows[i].message = res->log[i].message;
	}
	if (store_discovery_log_add(st, run_id, rows, res->n_log) < 0)
		rc = -1;
	free(rows);
	c.total = (int64_t)res->progress.total;
	c.done = (int64_t)res->progress.done;
	c.alive = (int64_t)res->progress.alive;
	if (store_discovery_run_finish(st, run_id,
				       res->stopped ? "cancelled" : "done", &c,
				       res->stopped ? "interrupted" : NULL) <
	    0)
		rc = -1;
	return rc;
}

/* ---- progress and signals ---- */

struct disc_progress {
	struct engine *e;
	atomic_int stop;
	pthread_t thread;
};

static void *disc_progress_main(void *arg)
{
	struct disc_progress *p = arg;
	struct timespec ts = { 0, DISC_PROGRESS_NS };
	struct engine_progress pr;

	while (!atomic_load(&p->stop)) {
		nanosleep(&ts, NULL);
		engine_progress(p->e, &pr);
		fprintf(stderr,
			"\r\033[Knetcensus: %llu/%llu addresses, %llu alive, "
			"%llu packets (%.0f/s), %llu jobs, ",
			(unsigned long long)pr.done,
			(unsigned long long)pr.total,
			(unsigned long long)pr.alive,
			(unsigned long long)pr.packets,
			pr.elapsed_s > 0 ? (double)pr.packets / pr.elapsed_s
					 : 0.0,
			(unsigned long long)pr.jobs_pending);
		if (pr.eta_s >= 0)
			fprintf(stderr, "ETA %.0f s", pr.eta_s);
		else
			fprintf(stderr, "ETA ?");
	}
	fprintf(stderr, "\r\033[K");
	return NULL;
}

static void disc_on_signal(int sig)
{
	struct engine *e = disc_signal_engine;

	(void)sig;
	if (e)
		engine_stop(e);
}

int discover_run(const struct discover_opts *o, const struct targets *t,
		 struct discover_result *res)
{
	struct engine_callbacks cb = { disc_alive, disc_scanned, disc_done,
				       NULL };
	struct disc d;
	struct disc_progress prog;
	struct sigaction sa, old_int, old_term;
	int rc = -1, progress = 0;

	memset(res, 0, sizeof(*res));
	res->reports = json_array();
	memset(&d, 0, sizeof(d));
	d.o = o;
	d.res = res;
	cb.ud = &d;
	if (o->snmp && o->credentials)
		snmp_probe_init();
	classify_init();
	d.e = engine_new(&o->engine, t, &cb);
	if (!d.e)
		return -1;
	if (o->snmp && o->credentials)
		d.sp = snmp_ping_new(d.e, o->credentials, o->engine.timeout_ms,
				     o->engine.retries);
	if (o->engine_hook) /* a server: live progress and stop */
		o->engine_hook(d.e, o->engine_hook_ud);
	if (o->signals) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = disc_on_signal;
		sigemptyset(&sa.sa_mask);
		disc_signal_engine = d.e;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	if (o->progress) {
		memset(&prog, 0, sizeof(prog));
		prog.e = d.e;
		progress = pthread_create(&prog.thread, NULL,
					  disc_progress_main, &prog) == 0;
	}
	rc = engine_run(d.e);
	if (progress) {
		atomic_store(&prog.stop, 1);
		pthread_join(prog.thread, NULL);
	}
	engine_progress(d.e, &res->progress);
	res->stopped = res->progress.done < res->progress.total;
	if (o->signals) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		disc_signal_engine = NULL;
	}
	if (o->engine_hook)
		o->engine_hook(NULL, o->engine_hook_ud);
	snmp_ping_free(d.sp);
	engine_free(d.e);
	disc_finish_reports(&d);
	return rc;
}
