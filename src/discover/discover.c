/*
 * discover.c: one discovery run (discover.h) - the enricher table, the
 * precedence table that merges what the sources found into one device
 * report, and the engine's callbacks. The SNMP check's two calls into
 * discover/snmp_ping.h (snmp_ping_new in discover_run, snmp_ping_start in
 * snmp_start) are the only places that know how SNMP's first packet is
 * sent. The sink thread and the store sink are in discover_sink.c.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"
#include "discover/discover.h"
#include "discover/discover_int.h"
#include "probe/arp.h"
#include "probe/dns.h"
#include "probe/smb.h"
#include "probe/snmp.h"
#include "probe/snmp_ping.h"
#include "probe/ssh.h"
#include "probe/winrpc.h"
#include "report/report.h"
#include "store/secret.h"
#include "store/store.h"

#define DISC_CREDS_FILE_MAX (1024 * 1024)
#define DISC_NEIGH_FILE_MAX (16 * 1024 * 1024)
#define NS_PER_MS 1000000ull
#define DISC_PORTS_LISTED 16 /* closed / filtered ports named in the log */

/* Where a fact about a host comes from. */
enum disc_source {
	SRC_NONE,
	SRC_DISCOVERY, /* the engine: the address, open ports */
	SRC_DNS,       /* the reverse lookup */
	SRC_SNMP,
	SRC_SSH,
	SRC_WIN,    /* NetBIOS node status, SMB negotiate, NTLMSSP */
	SRC_WINRPC, /* RPC with windows credentials */
	DISC_N_SOURCES
};

/* ---- precedence: which source a field of the report comes from ----
 *
 * For each field, the sources that may give it, strongest first; the
 * first that has it wins. "sys.*" is every other field of sys, "*" every
 * other section (a section counts only when it is a non-empty array).
 * A new enricher adds its source to the rows it should win or lose. */
struct disc_rule {
	const char *field;
	enum disc_source order[DISC_N_SOURCES]; /* SRC_NONE ends it */
};

static const struct disc_rule disc_rules[] = {
	/* the address scanned, whatever a device says of itself */
	{"sys.ip", {SRC_DISCOVERY}},
	{"sys.dns_fqdn", {SRC_DNS}},
	/* the MAC that answered ARP / NDP for the address on the wire */
	{"sys.mac", {SRC_DISCOVERY, SRC_SSH, SRC_SNMP}},
	/* the host's own name, else DNS, else a plausible sysName */
	{"sys.hostname", {SRC_SSH, SRC_WINRPC, SRC_WIN, SRC_DNS, SRC_SNMP}},
	/* what the host says with credentials (SSH, Windows RPC) beats what
	 * its agent says; what SMB says without credentials comes last */
	{"sys.*", {SRC_SSH, SRC_WINRPC, SRC_SNMP, SRC_WIN}},
	{"ports", {SRC_DISCOVERY}},
	{"*", {SRC_SSH, SRC_WINRPC, SRC_SNMP, SRC_WIN}},
};

#define SEED_ROUNDS_MAX 8	    /* discover_def's seed_depth ceiling */
#define SEED_CANDIDATES_MAX 65536   /* addresses and subnets named per round */
#define SEED_SUBNET_MIN_PREFIX 22   /* larger connected subnets are skipped */
#define SEED_SUBNET6_MIN_PREFIX 118 /* the same for IPv6: 1024 addresses */

/* The run: what every callback gets as ud. */
struct disc {
	const struct discover_opts *o;
	struct engine *e;
	struct snmp_ping *sp;
	size_t n_ssh_creds;
	size_t n_win_creds;
	struct disc_out out;
	/* seed discovery: the round running (0: the targets), what this
	 * round's SNMP answers named ({address or subnet: source}), and the
	 * targets of the rounds after the first (owned) */
	int round;
	json_t *seeds;
	struct targets *rounds[SEED_ROUNDS_MAX];
	/* {address: MAC} from the devices' ARP / neighbour tables: the MAC
	 * of a seeded host that did not answer ARP itself (behind a
	 * router) */
	json_t *seed_macs;
};

/* One live host (engine_host.user). */
struct dhost {
	struct disc *d;
	char ip[48];
	uint64_t alive_ns;
	uint64_t start_ns[DISC_N_SOURCES]; /* when each enricher began */
	json_t *found[DISC_N_SOURCES];	   /* each source's facts, as a
					    * partial report */
	int snmp_answered;		   /* the check got a reply */
	json_t *ssh_facts; /* what SSH saw, for the store sink */
};

/* ---- enrichers ----
 *
 * An enricher reads more about a live host than the engine's probes do.
 * Each row says at which stage it may want the host, which worker-pool
 * kind its blocking job runs under, and its functions: start decides
 * whether it wants this host (and may first ask something on the
 * reactor, as SNMP's check does) and submits a job with disc_submit();
 * run is the job on a worker; done, back on the reactor, logs and puts
 * what was found into dh->found[src], which the precedence table merges.
 * Windows (RPC/WMI) and directory enrichers are the next rows. */
enum disc_stage { DISC_AT_ALIVE, DISC_AT_SCANNED };

struct disc_job;

struct disc_enricher {
	const char *name;
	enum disc_source src;
	enum disc_stage stage;
	enum pool_kind kind;
	int (*used)(const struct disc *d);
	void (*start)(struct disc *d, struct engine_host *h, struct dhost *dh);
	void (*run)(struct disc_job *j);
	void (*done)(struct disc *d, struct disc_job *j, int cancelled);
};

/* Every job starts with this. */
struct disc_job {
	struct dhost *dh;
	const struct disc_enricher *en;
};

static int snmp_used(const struct disc *d);
static void snmp_start(struct disc *d, struct engine_host *h, struct dhost *dh);
static void sjob_run(struct disc_job *job);
static void sjob_done(struct disc *d, struct disc_job *job, int cancelled);
static int ssh_used(const struct disc *d);
static void ssh_start(struct disc *d, struct engine_host *h, struct dhost *dh);
static void shjob_run(struct disc_job *job);
static void shjob_done(struct disc *d, struct disc_job *job, int cancelled);
static int win_used(const struct disc *d);
static void win_start(struct disc *d, struct engine_host *h, struct dhost *dh);
static void wjob_run(struct disc_job *job);
static void wjob_done(struct disc *d, struct disc_job *job, int cancelled);
static int rpc_used(const struct disc *d);
static void rpc_start(struct disc *d, struct engine_host *h, struct dhost *dh);
static void rjob_run(struct disc_job *job);
static void rjob_done(struct disc *d, struct disc_job *job, int cancelled);

/* The enrichers, in the order they start at a stage. */
static const struct disc_enricher disc_enrichers[] = {
	{"snmp", SRC_SNMP, DISC_AT_ALIVE, POOL_SNMP, snmp_used, snmp_start,
	 sjob_run, sjob_done},
	{"ssh", SRC_SSH, DISC_AT_SCANNED, POOL_SSH, ssh_used, ssh_start,
	 shjob_run, shjob_done},
	{"smb", SRC_WIN, DISC_AT_SCANNED, POOL_WIN, win_used, win_start,
	 wjob_run, wjob_done},
	{"winrpc", SRC_WINRPC, DISC_AT_SCANNED, POOL_WINRPC, rpc_used,
	 rpc_start, rjob_run, rjob_done},
};

#define N_ENRICHERS (sizeof(disc_enrichers) / sizeof(disc_enrichers[0]))

static void disc_log(struct disc *d, const char *ip, const char *stage,
		     const char *outcome, int64_t duration_ms, const char *fmt,
		     ...) __attribute__((format(printf, 6, 7)));

static void disc_log(struct disc *d, const char *ip, const char *stage,
		     const char *outcome, int64_t duration_ms, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	disc_out_vlog(&d->out, ip, stage, outcome, duration_ms, fmt, ap);
	va_end(ap);
}

static int64_t disc_ms(struct disc *d, uint64_t since_ns)
{
	uint64_t now = engine_now(d->e);

	return now > since_ns ? (int64_t)((now - since_ns) / NS_PER_MS) : 0;
}

static void disc_job_run(void *arg)
{
	struct disc_job *j = arg;

	j->en->run(j);
}

static void disc_job_done(struct engine *e, struct engine_host *h, void *arg,
			  int cancelled)
{
	struct disc_job *j = arg;

	j->en->done(j->dh->d, j, cancelled);
}

/* Submits j (its dh and en set) on the enricher's pool kind; a job the
 * pool refuses is done at once as cancelled. */
static void disc_submit(struct disc *d, struct engine_host *h,
			struct disc_job *j)
{
	uint64_t *start = &j->dh->start_ns[j->en->src];

	if (!*start) /* SNMP's began with its check */
		*start = engine_now(d->e);
	if (engine_submit_job(d->e, h, j->en->kind, disc_job_run, disc_job_done,
			      j) < 0)
		j->en->done(d, j, 1);
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
		log_err("--credentials %s: %s", path,
			why ? why : "cannot read");
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
	json_array_append_new(creds,
			      json_pack("{ssssss}", "type", "snmp", "name",
					name, "community", community));
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
		log_debug("neighbour table %s: %s",
			  path ? path : "/proc/net/arp",
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

/* ---- seed discovery ----
 *
 * What a device knows of its neighbours becomes the next round's
 * targets (discover.h): collected on the reactor as SNMP answers come,
 * checked against the scope and turned into targets between rounds. */

/* Notes one candidate (an address, or a subnet "a.b.c.d/n") and where it
 * came from; the first source named wins. */
static void disc_seed_note(struct disc *d, const char *what, const char *how,
			   const char *from)
{
	char src[96];

	if (!what || !*what || json_object_get(d->seeds, what) ||
	    json_object_size(d->seeds) >= SEED_CANDIDATES_MAX)
		return;
	snprintf(src, sizeof(src), "%s of %s", how, from);
	json_object_set_new(d->seeds, what, json_string(src));
}

/* Notes subnet net ("a.b.c.d/n", "x::/n") when it is small enough to
 * sweep: /22 or longer, IPv6 /118 or longer (a /64 is not a sweep). */
static void disc_seed_subnet(struct disc *d, const char *net, const char *how,
			     const char *from)
{
	const char *slash = net ? strchr(net, '/') : NULL;
	long prefix;

	if (slash && util_parse_long(slash + 1,
				     strchr(net, ':') ? SEED_SUBNET6_MIN_PREFIX
						      : SEED_SUBNET_MIN_PREFIX,
				     strchr(net, ':') ? 128 : 32, &prefix) == 0)
		disc_seed_note(d, net, how, from);
}

/* 1 when ip is one of the report's own addresses (its ip section). */
static int disc_seed_own(json_t *rep, const char *ip)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(rep, "ip"), i, row) {
		const char *own = json_string_value(json_object_get(row, "ip"));

		if (own && !strcmp(own, ip))
			return 1;
	}
	return 0;
}

/* The candidates of a route section (SNMP's routing table, `ip route`
 * over SSH): each next hop, and each connected network (no next hop)
 * that is not the device's own address (a local host route). */
static void disc_seed_routes(struct disc *d, const char *from, json_t *rep)
{
	json_t *row;
	size_t i;
	char net[80];

	json_array_foreach(json_object_get(rep, "route"), i, row) {
		const char *hop = json_string_value(
				   json_object_get(row, "next_hop")),
			   *dst = json_string_value(
				   json_object_get(row, "destination")),
			   *cidr = json_string_value(
				   json_object_get(row, "cidr"));

		/* a link-local next hop cannot be a target (no zone) */
		if (hop && *hop && strncmp(hop, "fe80:", 5)) {
			disc_seed_note(d, hop, "route next hop", from);
		} else if ((!hop || !*hop) && dst && cidr &&
			   !disc_seed_own(rep, dst)) {
			snprintf(net, sizeof(net), "%s/%s", dst, cidr);
			disc_seed_subnet(d, net, "connected route", from);
		}
	}
}

/* The candidates of one device's report (SNMP, or an SSH audit): ARP and
 * neighbour rows, LLDP and CDP neighbours' addresses, the connected
 * subnets of its addresses, then its routes. */
static void disc_seed_collect(struct disc *d, const char *from, json_t *rep)
{
	static const struct {
		const char *section, *field, *how;
	} srcs[] = {
		{"arp", "ip", "arp table"},
		{"lldp", "remote_ip", "lldp neighbour"},
		{"cdp", "remote_ip", "cdp neighbour"},
	};
	json_t *row;
	size_t i, k;

	json_array_foreach(json_object_get(rep, "arp"), i, row) {
		const char *ip = json_string_value(json_object_get(row, "ip")),
			   *mac = json_string_value(
				   json_object_get(row, "mac"));

		if (ip && mac && *mac &&
		    json_object_size(d->seed_macs) < SEED_CANDIDATES_MAX &&
		    !json_object_get(d->seed_macs, ip))
			json_object_set_new(d->seed_macs, ip, json_string(mac));
	}
	for (k = 0; k < sizeof(srcs) / sizeof(srcs[0]); k++)
		json_array_foreach(json_object_get(rep, srcs[k].section), i,
				   row)
			disc_seed_note(d,
				       json_string_value(json_object_get(
					       row, srcs[k].field)),
				       srcs[k].how, from);
	json_array_foreach(json_object_get(rep, "ip"), i, row)
		disc_seed_subnet(
			d, json_string_value(json_object_get(row, "network")),
			"connected subnet", from);
	disc_seed_routes(d, from, rep);
}

/* 1 when a was a target of this run already. */
static int disc_seed_visited(const struct disc *d, const struct targets *t,
			     const struct targets_addr *a)
{
	int r;

	if (targets_contains(t, a))
		return 1;
	for (r = 0; r < SEED_ROUNDS_MAX && d->rounds[r]; r++)
		if (targets_contains(d->rounds[r], a))
			return 1;
	return 0;
}

/* Adds candidate what (an address or a subnet) to next: each of its
 * addresses inside the targets or the seed scope and not visited; counts
 * in *outside those out of scope. The number added; -1 when what is not
 * an address or subnet. */
static long disc_seed_add(const struct disc *d, const struct targets *t,
			  struct targets *next, const char *what, long *outside)
{
	struct targets *one = targets_new(1u << 10, 0);
	struct targets_addr a;
	char ip[48];
	uint64_t i;
	long n = 0;

	*outside = 0;
	if (targets_add(one, what) < 0 || targets_finish(one) < 0) {
		targets_free(one);
		return -1;
	}
	for (i = 0; i < targets_count(one); i++) {
		if (targets_get(one, i, &a) < 0 || disc_seed_visited(d, t, &a))
			continue;
		targets_addr_format(&a, ip, sizeof(ip));
		/* a subnet's network and broadcast addresses, and an address
		 * with a row of its own, are not the subnet's */
		if (targets_count(one) > 2 &&
		    (i == 0 || i + 1 == targets_count(one) ||
		     json_object_get(d->seeds, ip)))
			continue;
		if (!targets_contains(t, &a) &&
		    !targets_contains(d->o->seed_scope, &a))
			(*outside)++;
		else if (targets_add(next, ip) == 0)
			n++;
	}
	targets_free(one);
	return n;
}

/* The next round's targets from this round's candidates, each logged as
 * a "seed" row (added, out-of-scope, known or invalid); NULL when none is
 * in scope and new. */
static struct targets *disc_seed_next(struct disc *d, const struct targets *t)
{
	struct targets *next = targets_new(0, 0);
	const char *what, *from;
	json_t *src;
	long n, outside;

	json_object_foreach(d->seeds, what, src) {
		from = json_string_value(src);
		n = disc_seed_add(d, t, next, what, &outside);
		if (n > 0)
			disc_log(d, what, "seed", "added", -1,
				 "%ld address%s from the %s (round %d)", n,
				 n == 1 ? "" : "es", from, d->round + 1);
		else if (n == 0 && outside)
			disc_log(d, what, "seed", "out-of-scope", -1,
				 "from the %s: outside the targets and "
				 "seed_scope, not probed",
				 from);
		else if (n == 0)
			disc_log(d, what, "seed", "known", -1,
				 "from the %s: visited already", from);
		else
			disc_log(d, what, "seed", "invalid", -1,
				 "from the %s: not an address", from);
	}
	json_object_clear(d->seeds);
	if (targets_finish(next) < 0 || !targets_count(next)) {
		targets_free(next);
		return NULL;
	}
	return next;
}

/* ---- the SNMP enricher ---- */

/* One SNMP job: the worker reads only creds and writes only out/err. */
struct sjob {
	struct disc_job job;
	json_t *creds; /* ordered for this host */
	struct snmp_probe_opts opts;
	json_t *out;
	char err[512];
	int rc;
};

static int snmp_used(const struct disc *d)
{
	return d->sp != NULL;
}

static void sjob_run(struct disc_job *job)
{
	struct sjob *j = (struct sjob *)job;

	j->rc = snmp_probe(job->dh->ip, j->creds, &j->opts, j->out, j->err,
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

	if (util_parse_long(
		    json_string_value(json_object_get(sys, "snmp_credential")),
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

/* One "snmp"/"partial" row per table the read cut short (sys.fdb_truncated,
 * sys.route_truncated: "rows" or "deadline"), so a capped table shows in
 * the discovery log, not only in the report. */
static void disc_snmp_cut(struct disc *d, const char *ip, json_t *sys)
{
	static const struct {
		const char *field, *what;
		int rows;
	} cuts[] = {
		{"fdb_truncated", "forwarding table", SNMP_PROBE_MAX_FDB},
		{"route_truncated", "routing table", SNMP_PROBE_MAX_ROUTES},
	};
	const char *why;
	size_t k;

	for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		why = json_string_value(json_object_get(sys, cuts[k].field));
		if (why && !strcmp(why, "rows"))
			disc_log(d, ip, "snmp", "partial", -1,
				 "%s cut at %d rows; the rows read are kept",
				 cuts[k].what, cuts[k].rows);
		else if (why)
			disc_log(d, ip, "snmp", "partial", -1,
				 "%s cut at the SNMP deadline; the rows read "
				 "are kept",
				 cuts[k].what);
	}
}

static void sjob_done(struct disc *d, struct disc_job *job, int cancelled)
{
	struct sjob *j = (struct sjob *)job;
	struct dhost *dh = job->dh;
	json_t *sys = json_object_get(j->out, "sys");
	int64_t ms = disc_ms(d, dh->start_ns[SRC_SNMP]);
	const char *cname, *sysname;

	if (cancelled) {
		disc_log(d, dh->ip, job->en->name, "cancelled", ms, NULL);
	} else if (j->rc < 0) {
		disc_log(d, dh->ip, "snmp", "failed", ms, "%s", j->err);
	} else {
		cname = json_string_value(
			json_object_get(sys, "snmp_credential_name"));
		disc_cred_index_fix(d->o->credentials, j->creds, sys);
		disc_log(
			d, dh->ip, "snmp", "ok", ms, "v%s, credential '%s'",
			json_string_value(json_object_get(sys, "snmp_version")),
			cname ? cname
			      : json_string_value(json_object_get(
					sys, "snmp_credential")));
		/* a sysName that can be a host name is a name candidate */
		sysname = json_string_value(json_object_get(sys, "sysName"));
		if (sysname && dns_name_valid(sysname))
			json_object_set_new(sys, "hostname",
					    json_string(sysname));
		disc_snmp_cut(d, dh->ip, sys);
		if (d->round < d->o->seed_depth)
			disc_seed_collect(d, dh->ip, j->out);
		dh->found[SRC_SNMP] = json_incref(j->out);
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
			const char *t =
				json_string_value(json_object_get(c, "type"));
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

static void snmp_answered(struct engine *e, struct engine_host *h,
			  const struct engine_answer *a, void *arg)
{
	struct dhost *dh = arg;
	struct disc *d = dh->d;
	struct sjob *j;
	int version;

	if (!a->answered) {
		disc_log(d, dh->ip, "snmp", "no-answer",
			 disc_ms(d, dh->start_ns[SRC_SNMP]),
			 "no agent answered on 161/udp");
		return;
	}
	dh->snmp_answered = 1;
	j = xcalloc(1, sizeof(*j));
	j->job.dh = dh;
	j->job.en = &disc_enrichers[0];
	j->creds = disc_creds_ordered(
		d->o->credentials,
		snmp_ping_cred(d->sp, a->question, &version));
	j->opts = d->o->snmp_opts;
	/* a device's routes are read only to seed the next round */
	j->opts.routes = d->round < d->o->seed_depth;
	j->out = json_object();
	disc_submit(d, h, &j->job);
}

/* Every live host gets the SNMP check at once, on the reactor; an agent
 * that answers is read on a worker. */
static void snmp_start(struct disc *d, struct engine_host *h, struct dhost *dh)
{
	dh->start_ns[SRC_SNMP] = dh->alive_ns;
	engine_probe(d->e, h, PROBE_SNMP, 0, d->sp, snmp_answered, dh);
}

/* ---- the SSH enricher ---- */

/* One SSH job: the worker reads creds and opts, writes only r and rc. */
struct shjob {
	struct disc_job job;
	struct ssh_audit_cred *creds; /* strings borrowed from the run's
				       * credentials, never changed */
	struct ssh_audit_opts opts;
	char known[128];      /* host key seen before, or "" */
	int64_t known_device; /* its device, or 0 */
	struct ssh_audit_result r;
	int rc;
};

static int ssh_used(const struct disc *d)
{
	return d->n_ssh_creds > 0;
}

static void shjob_run(struct disc_job *job)
{
	struct shjob *j = (struct shjob *)job;

	j->rc = ssh_audit_host(&j->opts, &j->r);
}

static void shjob_free(struct shjob *j)
{
	ssh_audit_result_free(&j->r);
	free(j->creds);
	free(j);
}

/* What the store sink records for the address. */
static json_t *shjob_facts(struct disc *d, struct shjob *j)
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
		json_object_set_new(
			o, "accepted",
			json_boolean(d->o->ssh_accept_changed_keys));
	}
	if (j->known_device > 0)
		json_object_set_new(o, "known_device_id",
				    json_integer(j->known_device));
	return o;
}

static void shjob_done(struct disc *d, struct disc_job *job, int cancelled)
{
	struct shjob *j = (struct shjob *)job;
	struct dhost *dh = job->dh;
	/* the job's own time, not its wait for a worker */
	int64_t ms = j->r.elapsed_ms;

	if (cancelled) {
		disc_log(d, dh->ip, job->en->name, "cancelled",
			 disc_ms(d, dh->start_ns[SRC_SSH]), NULL);
		shjob_free(j);
		return;
	}
	if (j->r.hostkey[0]) {
		json_decref(dh->ssh_facts);
		dh->ssh_facts = shjob_facts(d, j);
	}
	if (j->r.refused[0])
		disc_log(d, dh->ip, "ssh", "auth-refused", -1, "port %u: %s",
			 j->opts.port, j->r.refused);
	if (j->r.hostkey_changed)
		disc_log(d, dh->ip, "ssh", "hostkey-changed", -1,
			 "port %u: host key changed from %s to %s (%s)%s",
			 j->opts.port, j->known, j->r.hostkey,
			 j->r.hostkey_type,
			 d->o->ssh_accept_changed_keys
				 ? "; accepted (--ssh-accept-changed-keys)"
				 : "; not audited, no credential was sent "
				   "(--ssh-accept-changed-keys to accept it)");
	if (j->rc < 0) {
		if (!j->r.hostkey_changed || d->o->ssh_accept_changed_keys)
			disc_log(d, dh->ip, "ssh", "failed", ms, "%s",
				 j->r.error);
		shjob_free(j);
		return;
	}
	disc_log(d, dh->ip, "ssh", "ok", ms,
		 "port %u, credential '%s', %s %s, %zu software, %s",
		 j->opts.port, j->r.cred_name, j->r.hostkey_type, j->r.hostkey,
		 json_array_size(json_object_get(j->r.report, "software")),
		 j->r.banner);
	/* a Linux host's neighbours and routes seed the next round */
	if (d->round < d->o->seed_depth)
		disc_seed_collect(d, dh->ip, j->r.report);
	json_decref(dh->found[SRC_SSH]);
	dh->found[SRC_SSH] = j->r.report;
	j->r.report = NULL;
	shjob_free(j);
}

/* The credentials a kind accepts (keep), in the order to try them: the
 * one named first (it worked last on this address) first, then the
 * others as given; how many were written to out. */
static size_t disc_creds_order(json_t *creds, const char *first,
			       int (*keep)(json_t *c), json_t **out)
{
	size_t i, n = 0;
	int pass;
	json_t *c;

	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(creds, i, c) {
			const char *name =
				json_string_value(json_object_get(c, "name"));
			int is_first;

			if (!keep(c))
				continue;
			is_first = first && name && !strcmp(name, first);
			if (is_first == !pass)
				out[n++] = c;
		}
	}
	return n;
}

static int disc_ssh_keep(json_t *c)
{
	struct ssh_audit_cred sc;

	return ssh_audit_cred_from_json(c, &sc) == 0;
}

/* The SSH credentials in the order to try them (disc_creds_order). */
static size_t disc_ssh_creds(json_t *creds, const char *first,
			     struct ssh_audit_cred *out)
{
	size_t n = json_array_size(creds), i, k;
	json_t **order = xcalloc(n ? n : 1, sizeof(*order));

	k = disc_creds_order(creds, first, disc_ssh_keep, order);
	for (i = 0; i < k; i++)
		ssh_audit_cred_from_json(order[i], &out[i]);
	free(order);
	return k;
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

/* A host with an SSH port open: an ssh_audit_host() job. */
static void ssh_start(struct disc *d, struct engine_host *h, struct dhost *dh)
{
	json_t *known;
	struct shjob *j;
	unsigned port = disc_ssh_port(d->o, h);
	const char *key;

	if (!port)
		return;
	known = json_object_get(d->o->ssh_known, dh->ip);
	j = xcalloc(1, sizeof(*j));
	j->job.dh = dh;
	j->job.en = &disc_enrichers[1];
	j->creds = xcalloc(d->n_ssh_creds, sizeof(*j->creds));
	j->opts.ncreds = disc_ssh_creds(
		d->o->credentials,
		json_string_value(json_object_get(known, "credential")),
		j->creds);
	j->opts.creds = j->creds;
	j->opts.host = dh->ip;
	j->opts.port = port;
	j->opts.connect_ms = d->o->ssh_timeout_ms;
	j->opts.banner_ms = d->o->ssh_timeout_ms;
	j->opts.auth_ms = d->o->ssh_timeout_ms;
	j->opts.command_ms = d->o->ssh_command_ms;
	j->opts.total_ms =
		(d->o->ssh_timeout_ms > 0 ? d->o->ssh_timeout_ms : 5000) * 4 +
		(d->o->ssh_command_ms > 0 ? d->o->ssh_command_ms : 60000);
	key = json_string_value(json_object_get(known, "hostkey"));
	snprintf(j->known, sizeof(j->known), "%s", key ? key : "");
	j->known_device =
		json_integer_value(json_object_get(known, "device_id"));
	j->opts.known_hostkey = j->known[0] ? j->known : NULL;
	j->opts.allow_changed_hostkey = d->o->ssh_accept_changed_keys;
	disc_submit(d, h, &j->job);
}

/* ---- the Windows enricher (no credentials) ---- */

/* One NetBIOS / SMB job: the worker writes only r. */
struct wjob {
	struct disc_job job;
	struct smb_probe_opts opts;
	struct smb_result r;
	int rc;
};

static int win_used(const struct disc *d)
{
	return !d->o->no_smb;
}

static void wjob_run(struct disc_job *job)
{
	struct wjob *j = (struct wjob *)job;

	j->rc = smb_probe_host(&j->opts, &j->r);
}

static const char *wjob_sep(const struct strbuf *sb)
{
	return sb->len ? "; " : "";
}

/* What the log says of a challenge's Version when it is not Windows's. */
static const char *wjob_ntlm_note(const struct ntlm_info *t)
{
	if (ntlm_version_is_windows(t))
		return "";
	return t->build ? " (not a version Windows sends: another server)"
			: " (build 0: not Windows, Samba or another server)";
}

/* One log line of what was learnt: parts joined by "; ". */
static void wjob_log(struct disc *d, struct dhost *dh, const struct wjob *j)
{
	const struct smb_result *r = &j->r;
	struct strbuf sb;
	char dn[8];

	strbuf_init(&sb, 4096);
	if (r->nb_ok)
		strbuf_printf(&sb, "NetBIOS '%s' workgroup '%s'%s%s",
			      r->nb.computer, r->nb.workgroup,
			      r->nb.mac[0] ? ", MAC " : "", r->nb.mac);
	else if (r->nb_error[0])
		strbuf_printf(&sb, "NetBIOS: %s", r->nb_error);
	if (r->dialect)
		strbuf_printf(
			&sb, "%sSMB %s on %u/tcp, signing %s", wjob_sep(&sb),
			smb_dialect_name(r->dialect, dn), r->port,
			r->signing_required ? "required" : "not required");
	if (r->smb1 >= 0)
		strbuf_printf(&sb, "%sSMB1 %s", wjob_sep(&sb),
			      r->smb1 ? "enabled" : "disabled");
	if (r->smb_error[0])
		strbuf_printf(&sb, "%sSMB: %s", wjob_sep(&sb), r->smb_error);
	if (r->smb1_error[0])
		strbuf_printf(&sb, "%sSMB1: %s", wjob_sep(&sb), r->smb1_error);
	if (r->rdp.answered)
		strbuf_printf(&sb, "%sRDP: %s", wjob_sep(&sb),
			      r->rdp.negotiated
				      ? rdp_protocol_name(r->rdp.selected)
				      : "no negotiation");
	if (r->rdp.error[0])
		strbuf_printf(&sb, "%sRDP: %s", wjob_sep(&sb), r->rdp.error);
	if (r->ntlm_ok)
		strbuf_printf(
			&sb,
			"%sNTLMSSP (%s): computer '%s' domain '%s' dns "
			"'%s' version %u.%u build %u%s",
			wjob_sep(&sb), r->rdp.ntlm_ok ? "RDP CredSSP" : "SMB",
			r->ntlm.nb_computer, r->ntlm.nb_domain,
			r->ntlm.dns_computer, r->ntlm.major, r->ntlm.minor,
			r->ntlm.build, wjob_ntlm_note(&r->ntlm));
	disc_log(d, dh->ip, "smb", j->rc == 0 ? "ok" : "failed", r->elapsed_ms,
		 "%s", sb.data ? sb.data : "");
	strbuf_free(&sb);
}

static void wjob_done(struct disc *d, struct disc_job *job, int cancelled)
{
	struct wjob *j = (struct wjob *)job;
	struct dhost *dh = job->dh;

	if (cancelled) {
		disc_log(d, dh->ip, job->en->name, "cancelled",
			 disc_ms(d, dh->start_ns[SRC_WIN]), NULL);
	} else {
		wjob_log(d, dh, j);
		if (j->rc == 0) {
			json_decref(dh->found[SRC_WIN]);
			dh->found[SRC_WIN] = smb_result_report(&j->r);
		}
	}
	free(j);
}

static int disc_port_open(const struct engine_host *h, uint16_t port)
{
	size_t i;

	if (h->alive_by == ENGINE_ALIVE_TCP_OPEN && h->alive_port == port)
		return 1;
	for (i = 0; i < h->n_ports; i++)
		if (h->ports[i].port == port && h->ports[i].state == TCP_OPEN)
			return 1;
	return 0;
}

/* A host with 445, 139 or 3389 open: an smb_probe_host() job. */
static void win_start(struct disc *d, struct engine_host *h, struct dhost *dh)
{
	struct wjob *j;
	int open_445 = disc_port_open(h, 445),
	    open_139 = disc_port_open(h, 139);
	int open_3389 = disc_port_open(h, 3389);

	if (!open_445 && !open_139 && !open_3389)
		return;
	j = xcalloc(1, sizeof(*j));
	j->job.dh = dh;
	j->job.en = &disc_enrichers[2];
	j->opts.host = dh->ip;
	j->opts.open_445 = open_445;
	j->opts.open_139 = open_139;
	j->opts.open_3389 = open_3389;
	j->opts.timeout_ms = d->o->smb_timeout_ms;
	disc_submit(d, h, &j->job);
}

/* ---- the Windows RPC enricher (windows credentials) ---- */

/* One RPC job: the worker reads creds and opts, writes only r. */
struct rjob {
	struct disc_job job;
	struct winrpc_cred *creds; /* strings borrowed from the run's
				    * credentials, never changed */
	struct winrpc_opts opts;
	struct winrpc_result r;
	int rc;
};

static int rpc_used(const struct disc *d)
{
	return !d->o->no_winrpc && d->n_win_creds > 0;
}

static void rjob_run(struct disc_job *job)
{
	struct rjob *j = (struct rjob *)job;

	j->rc = winrpc_audit_host(&j->opts, &j->r);
}

static void rjob_free(struct rjob *j)
{
	winrpc_result_free(&j->r);
	free(j->creds);
	free(j);
}

static void rjob_done(struct disc *d, struct disc_job *job, int cancelled)
{
	struct rjob *j = (struct rjob *)job;
	struct dhost *dh = job->dh;
	const struct winrpc_state *st = &j->r.st;
	json_t *p;
	size_t i;

	if (cancelled) {
		disc_log(d, dh->ip, job->en->name, "cancelled",
			 disc_ms(d, dh->start_ns[SRC_WINRPC]), NULL);
		rjob_free(j);
		return;
	}
	/* names and NT status only: the worker never sees a log, and
	 * nothing secret is in what it says */
	if (st->refused[0])
		disc_log(d, dh->ip, "winrpc", "auth-refused", -1,
			 "refused (tried once on this host, not again): %s",
			 st->refused);
	json_array_foreach(st->problems, i, p)
		disc_log(d, dh->ip, "winrpc", "problem", -1, "%s",
			 json_string_value(p));
	if (j->rc < 0) {
		disc_log(d, dh->ip, "winrpc", "failed", j->r.elapsed_ms, "%s",
			 j->r.error);
		rjob_free(j);
		return;
	}
	disc_log(d, dh->ip, "winrpc", "ok", j->r.elapsed_ms,
		 "credential '%s'%s%s: %zu shares, %zu services, %zu users, "
		 "%zu groups, %zu software",
		 st->cred_name, j->r.error[0] ? "; " : "", j->r.error,
		 json_array_size(json_object_get(j->r.report, "share")),
		 json_array_size(json_object_get(j->r.report, "service")),
		 json_array_size(json_object_get(j->r.report, "user")),
		 json_array_size(json_object_get(j->r.report, "user_group")),
		 json_array_size(json_object_get(j->r.report, "software")));
	json_decref(dh->found[SRC_WINRPC]);
	dh->found[SRC_WINRPC] = j->r.report;
	j->r.report = NULL;
	rjob_free(j);
}

static int disc_win_keep(json_t *c)
{
	struct winrpc_cred wc;

	return winrpc_cred_from_json(c, &wc) == 0;
}

/* A host with 445 open and windows credentials: a winrpc_audit_host()
 * job, the credential that worked last on this address first. */
static void rpc_start(struct disc *d, struct engine_host *h, struct dhost *dh)
{
	size_t n = json_array_size(d->o->credentials), i;
	json_t **order, *known;
	struct rjob *j;

	if (!disc_port_open(h, 445))
		return;
	known = json_object_get(d->o->win_known, dh->ip);
	order = xcalloc(n ? n : 1, sizeof(*order));
	j = xcalloc(1, sizeof(*j));
	j->job.dh = dh;
	j->job.en = &disc_enrichers[3];
	j->creds = xcalloc(n ? n : 1, sizeof(*j->creds));
	j->opts.ncreds = disc_creds_order(
		d->o->credentials,
		json_string_value(json_object_get(known, "credential")),
		disc_win_keep, order);
	for (i = 0; i < j->opts.ncreds; i++)
		winrpc_cred_from_json(order[i], &j->creds[i]);
	free(order);
	j->opts.creds = j->creds;
	j->opts.host = dh->ip;
	j->opts.call_ms = d->o->winrpc_call_ms;
	j->opts.total_ms = d->o->winrpc_total_ms;
	disc_submit(d, h, &j->job);
}

static void disc_enrich(struct disc *d, struct engine_host *h, struct dhost *dh,
			enum disc_stage stage)
{
	size_t i;

	for (i = 0; i < N_ENRICHERS; i++)
		if (disc_enrichers[i].stage == stage &&
		    disc_enrichers[i].used(d))
			disc_enrichers[i].start(d, h, dh);
}

/* ---- merging by the precedence table ---- */

static const struct disc_rule *disc_rule_find(const char *field, int in_sys)
{
	const char *dflt = in_sys ? "sys.*" : "*";
	char name[128];
	size_t i;

	snprintf(name, sizeof(name), "%s%s", in_sys ? "sys." : "", field);
	for (i = 0; i < sizeof(disc_rules) / sizeof(disc_rules[0]); i++)
		if (!strcmp(disc_rules[i].field, name))
			return &disc_rules[i];
	for (i = 0; i < sizeof(disc_rules) / sizeof(disc_rules[0]); i++)
		if (!strcmp(disc_rules[i].field, dflt))
			return &disc_rules[i];
	return NULL;
}

/* The value of field (in sys, or a section) from the strongest source
 * that has it, or NULL. */
static json_t *disc_pick(json_t *const found[], const char *field, int in_sys)
{
	const struct disc_rule *rule = disc_rule_find(field, in_sys);
	size_t i;

	for (i = 0; rule && i < DISC_N_SOURCES && rule->order[i]; i++) {
		json_t *f = found[rule->order[i]];
		json_t *v = json_object_get(
			in_sys ? json_object_get(f, "sys") : f, field);

		if (in_sys ? v != NULL : json_array_size(v) > 0)
			return v;
	}
	return NULL;
}

/* One device report from every source's facts. */
static json_t *disc_merge(json_t *const found[])
{
	json_t *r = json_pack("{si}", "report_version", REPORT_VERSION);
	json_t *sys = json_object(), *v, *pick;
	const char *k;
	int s;

	json_object_set_new(r, "sys", sys);
	for (s = SRC_DISCOVERY; s < DISC_N_SOURCES; s++) {
		json_object_foreach(json_object_get(found[s], "sys"), k, v) {
			if (json_object_get(sys, k))
				continue;
			pick = disc_pick(found, k, 1);
			if (pick)
				json_object_set(sys, k, pick);
		}
		json_object_foreach(found[s], k, v) {
			if (!strcmp(k, "sys") || !strcmp(k, "source") ||
			    !strcmp(k, "report_version") ||
			    json_object_get(r, k))
				continue;
			pick = disc_pick(found, k, 0);
			if (pick)
				json_object_set(r, k, pick);
		}
	}
	return r;
}

/* ---- engine callbacks ---- */

/* "" or, for a host whose ARP / NDP answer came from a MAC that answers
 * for other addresses too, what that means (docs/discovery.md). */
static const char *disc_proxy_note(const struct engine_host *h, char *buf,
				   size_t len)
{
	char mac[18];

	if (h->mac_by != ENGINE_MAC_SHARED)
		return "";
	arp_mac_format(h->mac, mac);
	snprintf(buf, len,
		 "; %s answered by %s, which answers for other addresses "
		 "too (proxy ARP?): not proof, not its MAC",
		 h->addr.family == AF_INET ? "arp" : "ndp", mac);
	return buf;
}

static void disc_alive(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = xcalloc(1, sizeof(*dh));
	char by[64], mac[18], note[160];

	dh->d = d;
	targets_addr_format(&h->addr, dh->ip, sizeof(dh->ip));
	dh->alive_ns = engine_now(e);
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
	case ENGINE_ALIVE_ARP:
		arp_mac_format(h->mac, mac);
		snprintf(by, sizeof(by), "%s reply from %s",
			 h->addr.family == AF_INET ? "arp" : "ndp", mac);
		break;
	default:
		snprintf(by, sizeof(by), "assumed (--no-ping)");
		break;
	}
	disc_log(d, dh->ip, "discovery", "alive",
		 (int64_t)((dh->alive_ns - h->start_ns) / NS_PER_MS), "%s%s",
		 by, disc_proxy_note(h, note, sizeof(note)));
	disc_enrich(d, h, dh, DISC_AT_ALIVE);
}

/* Appends "; N closed: 81,82" (the ports in state st; their list only
 * when short) to sb; nothing when none is. */
static void disc_ports_state(struct strbuf *sb, const struct engine_host *h,
			     enum tcp_state st)
{
	size_t i, n = 0, k = 0;

	for (i = 0; i < h->n_ports; i++)
		n += h->ports[i].state == st;
	if (n == 0)
		return;
	strbuf_printf(sb, "; %zu %s", n, tcp_state_name(st));
	if (n > DISC_PORTS_LISTED)
		return;
	for (i = 0; i < h->n_ports; i++)
		if (h->ports[i].state == st)
			strbuf_printf(sb, "%s%u", k++ ? "," : ": ",
				      h->ports[i].port);
}

static void disc_scanned(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = h->user;
	struct strbuf open, rest;
	size_t i, n = 0;

	strbuf_init(&open, 64 * 1024);
	strbuf_init(&rest, 1024);
	for (i = 0; i < h->n_ports; i++) {
		if (h->ports[i].state != TCP_OPEN)
			continue;
		strbuf_printf(&open, "%s%u", n++ ? "," : "", h->ports[i].port);
	}
	disc_ports_state(&rest, h, TCP_CLOSED);
	disc_ports_state(&rest, h, TCP_FILTERED);
	disc_ports_state(&rest, h, TCP_UNREACH);
	if (h->n_ports)
		disc_log(d, dh->ip, "ports", n ? "open" : "none-open",
			 disc_ms(d, dh->alive_ns), "%zu of %zu open%s%s%s", n,
			 h->n_ports, n ? ": " : "", n ? open.data : "",
			 rest.len ? rest.data : "");
	strbuf_free(&open);
	strbuf_free(&rest);
	if (d->o->engine.dns)
		disc_log(d, dh->ip, "dns",
			 h->dns_status == DNS_OK       ? "name"
			 : h->dns_status == DNS_NONAME ? "no-name"
						       : "failed",
			 disc_ms(d, dh->alive_ns), "%s%s",
			 h->hostname ? h->hostname : "",
			 h->hostname && !h->hostname_confirmed
				 ? " (not forward-confirmed)"
				 : "");
	disc_enrich(d, h, dh, DISC_AT_SCANNED);
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

/* What the engine itself learnt: the address and the open ports. */
static json_t *disc_found_engine(struct dhost *dh, struct engine_host *h)
{
	json_t *f = json_pack("{s{ss}}", "sys", "ip", dh->ip);
	json_t *ports = json_array();
	size_t i;
	char mac[18];

	/* the MAC that answered ARP / NDP for the address, when it is the
	 * host's own (not a proxy's) */
	if (h->mac_by == ENGINE_MAC_ARP) {
		arp_mac_format(h->mac, mac);
		json_object_set_new(json_object_get(f, "sys"), "mac",
				    json_string(mac));
	} else if (json_object_get(dh->d->seed_macs, dh->ip)) {
		/* else the MAC another device's ARP / neighbour table gave */
		json_object_set(json_object_get(f, "sys"), "mac",
				json_object_get(dh->d->seed_macs, dh->ip));
	}

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
	json_object_set_new(f, "ports", ports);
	return f;
}

static void disc_done(struct engine *e, struct engine_host *h, void *ud)
{
	struct disc *d = ud;
	struct dhost *dh = h->user;
	int s;

	if (!dh) {
		char ip[48], note[160];

		targets_addr_format(&h->addr, ip, sizeof(ip));
		if (h->mac_by == ENGINE_MAC_SHARED)
			disc_log(d, ip, "discovery", "dead",
				 disc_ms(d, h->start_ns), "%s",
				 disc_proxy_note(h, note, sizeof(note)) + 2);
		else
			disc_log(d, ip, "discovery", "dead",
				 disc_ms(d, h->start_ns), NULL);
		return;
	}
	h->user = NULL;
	dh->found[SRC_DISCOVERY] = disc_found_engine(dh, h);
	if (h->hostname)
		dh->found[SRC_DNS] =
			json_pack("{s{ssss}}", "sys", "dns_fqdn", h->hostname,
				  "hostname", h->hostname);
	/* to the sinks at once: nothing of the host stays in the run */
	disc_out_report(&d->out, disc_merge(dh->found), dh->ssh_facts,
			h->mac_by == ENGINE_MAC_SHARED);
	for (s = 0; s < DISC_N_SOURCES; s++)
		json_decref(dh->found[s]);
	free(dh);
}

/* One engine run over t (a round); its counters in *p. */
static int disc_round(struct disc *d, const struct targets *t,
		      const struct engine_callbacks *cb,
		      struct engine_progress *p)
{
	const struct discover_opts *o = d->o;
	int rc;

	d->e = engine_new(&o->engine, t, cb);
	if (!d->e)
		return -1;
	if (o->engine_hook) /* live progress and stop for the caller */
		o->engine_hook(d->e, o->engine_hook_ud);
	rc = engine_run(d->e);
	engine_progress(d->e, p);
	if (o->engine_hook)
		o->engine_hook(NULL, o->engine_hook_ud);
	engine_free(d->e);
	d->e = NULL;
	return rc;
}

/* Adds a round's counters to the run's. */
static void disc_progress_add(struct engine_progress *sum,
			      const struct engine_progress *p)
{
	struct engine_progress last = *p;

	last.total += sum->total;
	last.done += sum->done;
	last.alive += sum->alive;
	last.packets += sum->packets;
	last.open_ports += sum->open_ports;
	last.dead_by_icmp += sum->dead_by_icmp;
	last.elapsed_s += sum->elapsed_s;
	*sum = last;
}

/* The classification tables (classify.h: the IEEE and enterprise
 * registries) take about 0.2 s of CPU to load: they load in a thread of
 * their own while the first round starts sending; every lookup waits for
 * them (pthread_once). */
static void *disc_classify_load(void *arg)
{
	(void)arg;
	classify_init();
	return NULL;
}

int discover_run(const struct discover_opts *o, const struct targets *t,
		 struct discover_result *res)
{
	struct engine_callbacks cb = {disc_alive, disc_scanned, disc_done,
				      NULL};
	struct engine_progress p;
	const struct targets *cur = t;
	struct targets *next;
	struct disc d;
	pthread_t loader;
	int rc, r, loading;

	memset(res, 0, sizeof(*res));
	memset(&d, 0, sizeof(d));
	d.o = o;
	d.n_ssh_creds =
		o->n_ssh_ports
			? discover_credentials_count(o->credentials, "ssh") +
				  discover_credentials_count(o->credentials,
							     "ssh_key")
			: 0;
	d.n_win_creds = discover_credentials_count(o->credentials, "windows");
	d.seeds = json_object();
	d.seed_macs = json_object();
	cb.ud = &d;
	if (o->snmp && o->credentials)
		snmp_probe_init();
	loading = pthread_create(&loader, NULL, disc_classify_load, NULL) == 0;
	if (!loading)
		classify_init();
	if (disc_out_start(&d.out, o) < 0) {
		json_decref(d.seeds);
		json_decref(d.seed_macs);
		if (loading)
			pthread_join(loader, NULL);
		return -1;
	}
	if (o->snmp && o->credentials)
		d.sp = snmp_ping_new(o->credentials);
	/* round 0 over the targets; with seeding, one more round over what
	 * each round's devices named, up to seed_depth */
	for (;;) {
		rc = disc_round(&d, cur, &cb, &p);
		disc_progress_add(&res->progress, &p);
		if (rc < 0 || p.done < p.total)
			break;
		if (d.round >= o->seed_depth || d.round >= SEED_ROUNDS_MAX ||
		    !json_object_size(d.seeds))
			break;
		next = disc_seed_next(&d, t);
		if (!next)
			break;
		d.rounds[d.round++] = next;
		cur = next;
	}
	res->stopped = res->progress.done < res->progress.total;
	snmp_ping_free(d.sp);
	disc_out_close(&d.out);
	res->sink_failed = d.out.failed;
	for (r = 0; r < SEED_ROUNDS_MAX; r++)
		targets_free(d.rounds[r]);
	json_decref(d.seeds);
	json_decref(d.seed_macs);
	if (loading)
		pthread_join(loader, NULL);
	return rc;
}
