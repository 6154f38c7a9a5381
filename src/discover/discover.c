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
#include "probe/snmp_ping.h"
#include "probe/ssh.h"
#include "report/report.h"
#include "store/intake.h"
#include "store/secret.h"
#include "store/store_discovery.h"
#include "store/store_ssh.h"
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
	uint64_t ssh_start_ns;
	json_t *ssh_report;	/* what the SSH audit read, or NULL */
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
	json_decref(res->ssh);
	memset(res, 0, sizeof(*res));
}

static int64_t disc_ms(struct disc *d, uint64_t since_ns)
{
	uint64_t now = engine_now(d->e);

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
 * answered the check first (that community, cred; or every snmp_v3 one,
 * cred -1), then every other SNMP credential as given. */
static json_t *disc_creds_ordered(json_t *creds, int cred)
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
			first = cred >= 0 ? (size_t)cred == i
					  : !strcmp(t, "snmp_v3");
			if (first == !pass)
				json_array_append(out, c);
		}
	}
	return out;
}

static void disc_snmp_answered(struct engine *e, struct engine_host *h,
			       const struct engine_answer *a, void *arg)
{
	struct dhost *dh = arg;
	struct disc *d = dh->d;
	struct sjob *j;
	int version;

	if (!a->answered) {
		discover_log_add(d->res, dh->ip, "snmp", "no-answer",
				 disc_ms(d, dh->snmp_start_ns),
				 "no agent answered on 161/udp");
		return;
	}
	dh->snmp_answered = 1;
	j = xcalloc(1, sizeof(*j));
	j->dh = dh;
	j->creds = disc_creds_ordered(d->o->credentials,
				      snmp_ping_cred(d->sp, a->question,
						     &version));
	j->opts = d->o->snmp_opts;
	j->out = json_object();
	if (engine_submit_job(e, h, POOL_SNMP, sjob_run, sjob_done, j) < 0) {
		json_decref(j->creds);
		json_decref(j->out);
		free(j);
	}
}

/* ---- SSH ---- */

/* One SSH job: the worker reads creds and opts, writes only r and rc. */
struct shjob {
	struct dhost *dh;
	struct ssh_audit_cred *creds;	/* strings borrowed from the run's
					 * credentials, never changed */
	struct ssh_audit_opts opts;
	char known[128];		/* host key seen before, or "" */
	int64_t known_device;		/* its device, or 0 */
	struct ssh_audit_result r;
	int rc;
};

static void shjob_run(void *arg)
{
	struct shjob *j = arg;

	j->rc = ssh_audit_host(&j->opts, &j->r);
}

static void shjob_free(struct shjob *j)
{
	ssh_audit_result_free(&j->r);
	free(j->creds);
	free(j);
}

/* What discover_store records for the address. */
static void disc_ssh_note(struct disc *d, struct shjob *j)
{
	json_t *o = json_pack("{sisssssb}", "port", (int)j->opts.port,
			      "hostkey", j->r.hostkey, "hostkey_type",
			      j->r.hostkey_type, "audited", j->rc == 0);

	if (j->r.cred_index >= 0)
		json_object_set_new(o, "credential",
				    json_string(j->r.cred_name));
	if (j->r.hostkey_changed) {
		json_object_set_new(o, "hostkey_changed", json_true());
		json_object_set_new(o, "old_hostkey", json_string(j->known));
		json_object_set_new(o, "accepted",
				    json_boolean(d->o->ssh_accept_changed_keys));
	}
	if (j->known_device > 0)
		json_object_set_new(o, "known_device_id",
				    json_integer(j->known_device));
	json_object_set_new(d->res->ssh, j->dh->ip, o);
}

static void shjob_done(struct engine *e, struct engine_host *h, void *arg,
		       int cancelled)
{
	struct shjob *j = arg;
	struct dhost *dh = j->dh;
	struct disc *d = dh->d;
	/* the job's own time, not its wait for a worker */
	int64_t ms = j->r.elapsed_ms;

	if (cancelled) {
		discover_log_add(d->res, dh->ip, "ssh", "cancelled",
				 disc_ms(d, dh->ssh_start_ns), NULL);
		shjob_free(j);
		return;
	}
	if (j->r.hostkey[0])
		disc_ssh_note(d, j);
	if (j->r.refused[0])
		discover_log_add(d->res, dh->ip, "ssh", "auth-refused", -1,
				 "port %u: %s", j->opts.port, j->r.refused);
	if (j->r.hostkey_changed)
		discover_log_add(
			d->res, dh->ip, "ssh", "hostkey-changed", -1,
			"port %u: host key changed from %s to %s (%s)%s",
			j->opts.port, j->known, j->r.hostkey, j->r.hostkey_type,
			d->o->ssh_accept_changed_keys
				? "; accepted (--ssh-accept-changed-keys)"
				: "; not audited, no credential was sent "
				  "(--ssh-accept-changed-keys to accept it)");
	if (j->rc < 0) {
		if (!j->r.hostkey_changed || d->o->ssh_accept_changed_keys)
			discover_log_add(d->res, dh->ip, "ssh", "failed", ms,
					 "%s", j->r.error);
		shjob_free(j);
		return;
	}
	discover_log_add(d->res, dh->ip, "ssh", "ok", ms,
			 "port %u, credential '%s', %s %s, %zu software, %s",
			 j->opts.port, j->r.cred_name, j->r.hostkey_type,
			 j->r.hostkey,
			 json_array_size(json_object_get(j->r.report,
							 "software")),
			 j->r.banner);
	json_decref(dh->ssh_report);
	dh->ssh_report = j->r.report;
	j->r.report = NULL;
	shjob_free(j);
}

/* The SSH credentials in the order to try them: the one that worked last
 * on this address first, then the others as given. */
static size_t disc_ssh_creds(json_t *creds, const char *first,
			     struct ssh_audit_cred *out)
{
	size_t i, n = 0;
	int pass;
	json_t *c;

	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(creds, i, c) {
			struct ssh_audit_cred sc;
			int is_first;

			if (ssh_audit_cred_from_json(c, &sc) < 0)
				continue;
			is_first = first && sc.name && !strcmp(sc.name, first);
			if (is_first == !pass)
				out[n++] = sc;
		}
	}
	return n;
}

static unsigned disc_ssh_port(const struct discover_opts *o,
			      const struct engine_host *h)
{
	static const uint16_t dflt = 22;
	const uint16_t *ports = o->ssh_ports ? o->ssh_ports : &dflt;
	size_t n = o->ssh_ports ? o->n_ssh_ports : 1, i, k;

	for (k = 0; k < n; k++)
		for (i = 0; i < h->n_ports; i++)
			if (h->ports[i].port == ports[k] &&
			    h->ports[i].state == TCP_OPEN)
				return ports[k];
	return 0;
}

/* A host with an SSH port open and SSH credentials given: an
 * ssh_audit_host() job on POOL_SSH, merged in disc_done. */
static void disc_ssh_start(struct disc *d, struct engine_host *h,
			   struct dhost *dh)
{
	json_t *known, *creds = d->o->credentials;
	struct shjob *j;
	unsigned port;
	size_t n = discover_credentials_count(creds, "ssh") +
		   discover_credentials_count(creds, "ssh_key");

	if (n == 0 || !(port = disc_ssh_port(d->o, h)))
		return;
	known = json_object_get(d->o->ssh_known, dh->ip);
	j = xcalloc(1, sizeof(*j));
	j->dh = dh;
	j->creds = xcalloc(n, sizeof(*j->creds));
	j->opts.ncreds = disc_ssh_creds(
		creds, json_string_value(json_object_get(known, "credential")),
		j->creds);
	j->opts.creds = j->creds;
	j->opts.host = dh->ip;
	j->opts.port = port;
	j->opts.connect_ms = d->o->ssh_timeout_ms;
	j->opts.banner_ms = d->o->ssh_timeout_ms;
	j->opts.auth_ms = d->o->ssh_timeout_ms;
	j->opts.command_ms = d->o->ssh_command_ms;
	j->opts.total_ms = (d->o->ssh_timeout_ms > 0 ? d->o->ssh_timeout_ms
						     : 5000) * 4 +
			   (d->o->ssh_command_ms > 0 ? d->o->ssh_command_ms
						     : 60000);
	snprintf(j->known, sizeof(j->known), "%s",
		 json_string_value(json_object_get(known, "hostkey"))
			 ? json_string_value(json_object_get(known, "hostkey"))
			 : "");
	j->known_device = json_integer_value(
		json_object_get(known, "device_id"));
	j->opts.known_hostkey = j->known[0] ? j->known : NULL;
	j->opts.allow_changed_hostkey = d->o->ssh_accept_changed_keys;
	dh->ssh_start_ns = engine_now(d->e);
	if (engine_submit_job(d->e, h, POOL_SSH, shjob_run, shjob_done, j) <
	    0)
		shjob_free(j);
}

/* SSH's report over the one discovery and SNMP built: its sys fields win
 * (but the address is the one scanned), its non-empty sections replace
 * SNMP's, and whatever SSH said nothing about stays. */
static void disc_ssh_merge(json_t *report, json_t *ssh)
{
	json_t *sys = json_object_get(report, "sys"), *v;
	const char *k;

	json_object_foreach(json_object_get(ssh, "sys"), k, v)
		if (strcmp(k, "ip") != 0)
			json_object_set(sys, k, v);
	json_object_foreach(ssh, k, v) {
		if (!strcmp(k, "sys") || !strcmp(k, "source") ||
		    !strcmp(k, "report_version") || !json_is_array(v) ||
		    json_array_size(v) == 0)
			continue;
		json_object_set(report, k, v);
	}
}

/* ---- engine callbacks ---- */

static void disc_alive(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = xcalloc(1, sizeof(*dh));
	char by[64];

	dh->d = d;
	targets_addr_format(&h->addr, dh->ip, sizeof(dh->ip));
	dh->alive_ns = engine_now(e);
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
		engine_probe(e, h, PROBE_SNMP, 0, d->sp, disc_snmp_answered,
			     dh);
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
	disc_ssh_start(d, h, dh);
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
	if (dh->ssh_report) {
		disc_ssh_merge(dh->report, dh->ssh_report);
		json_decref(dh->ssh_report);
	}
	sysname = json_string_value(json_object_get(sys, "sysName"));
	if (h->hostname)
		json_object_set_new(sys, "dns_fqdn", json_string(h->hostname));
	/* a name from SSH is the host's own and wins over DNS and sysName */
	if (!json_object_get(sys, "hostname") && h->hostname)
		json_object_set_new(sys, "hostname", json_string(h->hostname));
	else if (!json_object_get(sys, "hostname") && sysname &&
		 dns_name_valid(sysname))
		json_object_set_new(sys, "hostname", json_string(sysname));
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

/* Records what SSH saw at ip for the device intake matched; a changed
 * host key is flagged on the device that had the old one. 0 or -1. */
static int disc_store_ssh(struct store *st, struct discover_result *res,
			  const char *ip, int64_t device_id)
{
	json_t *o = ip ? json_object_get(res->ssh, ip) : NULL, *detail;
	struct store_ssh_host h;
	char now[20], key[64];
	int64_t known;
	int accepted, rc;

	if (!o)
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
		detail = json_pack("{ssss?ssss?sb}", "ip", ip, "old",
				   json_string_value(
					   json_object_get(o, "old_hostkey")),
				   "new", h.hostkey, "type", h.hostkey_type,
				   "accepted", accepted);
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
		if (disc_store_ssh(st, res, ip, ir.device_id) < 0)
			rc = -1;
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
	res->ssh = json_object();
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
		d.sp = snmp_ping_new(o->credentials);
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
