/*
 * discover_def.c: a discovery definition -> run options (discover_def.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "discover/discover_def.h"
#include "store/store.h"
#include "store/store_ssh.h"
#include "store/store_winrpc.h"

/* the defaults a definition cannot change; those it can are
 * DISCOVER_DEF_* (discover_def.h) */
#define DEF_SNMP_THREADS 16
#define DEF_SMB_THREADS 16	   /* NetBIOS / SMB exchanges at once */
#define DEF_WINRPC_TOTAL_MS 120000 /* one host's whole inventory */
#define DEF_WINRPC_JOBS 4	   /* RPC worker processes at once */
/* A seed scope may be wide (10.0.0.0/8): it bounds where seeds may go,
 * not what is probed (each round is capped like the targets). */
#define SEED_SCOPE_MAX (1ull << 32)

/* ---- the options a definition may hold ---- */

struct def_opt {
	const char *name;
	char type;     /* 'i' integer, 'b' boolean, 's' text */
	long min, max; /* integers: the range; text: the longest */
};

static const struct def_opt def_opts[] = {
	{"preset", 's', 0, 16},
	{"ports", 's', 0, PORTS_SPEC_MAX},
	{"rate", 'i', 0, 1000000},
	{"timeout_ms", 'i', 1, 60000},
	{"retries", 'i', 0, 10},
	{"max_targets", 'i', 1, 16777216},
	{"no_ping", 'b', 0, 0},
	{"arp", 'b', 0, 0},
	{"syn", 'b', 0, 0},
	{"discovery_ports", 's', 0, 256},
	{"dns", 'b', 0, 0},
	{"dns_server", 's', 0, 64},
	{"snmp", 'b', 0, 0},
	{"ssh", 'b', 0, 0},
	{"ssh_ports", 's', 0, 256},
	{"ssh_concurrency", 'i', 1, 256},
	{"ssh_timeout_ms", 'i', 100, 600000},
	{"ssh_command_timeout_ms", 'i', 100, 3600000},
	{"ssh_accept_changed_keys", 'b', 0, 0},
	{"smb", 'b', 0, 0},
	{"smb_timeout_ms", 'i', 100, 60000},
	/* Windows inventory with windows credentials (branch winrpc) */
	{"winrpc", 'b', 0, 0},
	{"winrpc_timeout_ms", 'i', 1000, 600000},
	/* a proposed discovery (from AD) does not run until enabled */
	{"disabled", 'b', 0, 0},
	/* Active Directory: with ad_server, the run reads the directory
	 * (discover/ad.h) and has no targets */
	{"ad_server", 's', 0, 256},
	{"ad_ca", 's', 0, 4096},
	{"ad_base", 's', 0, 1024},
	{"ad_allow_plain", 'b', 0, 0},
	{"ad_subnets_enabled", 'b', 0, 0},
	{"ad_deadline_ms", 'i', 1000, 3600000},
	{"ad_max_objects", 'i', 1, 1000000},
	{"ad_stale_days", 'i', 1, 3650},
	{"ad_page_size", 'i', 10, 1000},
	/* seed discovery (branch l2map): discover.h */
	{"seed", 'b', 0, 0},
	{"seed_scope", 's', 0, 4096},
	{"seed_depth", 'i', 1, 8},
};

#define N_DEF_OPTS (sizeof(def_opts) / sizeof(def_opts[0]))

static const struct def_opt *def_opt_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_DEF_OPTS; i++)
		if (!strcmp(def_opts[i].name, name))
			return &def_opts[i];
	return NULL;
}

int discover_def_range(const char *name, long *min, long *max)
{
	const struct def_opt *d = def_opt_find(name);

	if (!d || d->type != 'i')
		return -1;
	*min = d->min;
	*max = d->max;
	return 0;
}

static long def_int(json_t *options, const char *k, long def)
{
	json_t *v = json_object_get(options, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : def;
}

static int def_flag(json_t *options, const char *k, int def)
{
	json_t *v = json_object_get(options, k);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

static const char *def_str(json_t *options, const char *k)
{
	return json_string_value(json_object_get(options, k));
}

/* The probed ports: "ports" ("none": none), else "preset", else
 * ultrafast. 0 or -1. */
static int def_ports(json_t *options, struct port_list *pl)
{
	const char *ports = def_str(options, "ports");
	const char *preset = def_str(options, "preset");

	memset(pl, 0, sizeof(*pl));
	if (ports && !strcmp(ports, "none"))
		return 0;
	if (ports)
		return ports_parse(ports, pl);
	return ports_preset(preset ? preset : "ultrafast", pl);
}

/* "discovery_ports" into eo ("none": ICMP only); 0 or -1 with why. */
static int def_discovery_ports(json_t *options, struct engine_opts *eo,
			       char *why, size_t whylen)
{
	const char *spec = def_str(options, "discovery_ports");
	struct port_list pl;

	if (!spec)
		return 0;
	eo->n_discovery_ports = 0;
	if (!strcmp(spec, "none"))
		return 0;
	if (ports_parse(spec, &pl) < 0 || pl.n_udp ||
	    pl.n_tcp > ENGINE_DISCOVERY_PORTS_MAX) {
		snprintf(why, whylen,
			 "discovery_ports must be 'none' or at most %d TCP "
			 "ports like 80,443,22",
			 ENGINE_DISCOVERY_PORTS_MAX);
		ports_clear(&pl);
		return -1;
	}
	memcpy(eo->discovery_ports, pl.tcp, pl.n_tcp * sizeof(*pl.tcp));
	eo->n_discovery_ports = pl.n_tcp;
	ports_clear(&pl);
	return 0;
}

/* "ssh_ports" (default 22) into out: TCP only. 0 or -1 with why. */
static int def_ssh_ports(json_t *options, struct port_list *out, char *why,
			 size_t whylen)
{
	const char *spec = def_str(options, "ssh_ports");

	if (ports_parse(spec ? spec : "22", out) < 0 || out->n_udp ||
	    !out->n_tcp) {
		snprintf(why, whylen,
			 "ssh_ports must be TCP ports only, e.g. 22,2222");
		ports_clear(out);
		return -1;
	}
	return 0;
}

static int def_check_one(const char *k, json_t *v, char *why, size_t whylen)
{
	static const char *const presets[] = {"ultrafast", "superfast", "fast",
					      "medium", NULL};
	const struct def_opt *d = def_opt_find(k);
	size_t i;

	if (!d) {
		struct strbuf names;

		strbuf_init(&names, 1024);
		for (i = 0; i < N_DEF_OPTS; i++)
			strbuf_printf(&names, "%s%s", i ? ", " : "",
				      def_opts[i].name);
		snprintf(why, whylen, "unknown option '%s'; use %s", k,
			 names.data);
		strbuf_free(&names);
		return -1;
	}
	if (d->type == 'b' && !json_is_boolean(v)) {
		snprintf(why, whylen, "%s must be true or false", k);
		return -1;
	}
	if (d->type == 'i' &&
	    (!json_is_integer(v) || json_integer_value(v) < d->min ||
	     json_integer_value(v) > d->max)) {
		snprintf(why, whylen, "%s must be an integer from %ld to %ld",
			 k, d->min, d->max);
		return -1;
	}
	if (d->type == 's' && (!json_is_string(v) || !json_string_length(v) ||
			       json_string_length(v) > (size_t)d->max)) {
		snprintf(why, whylen, "%s must be text of 1 to %ld characters",
			 k, d->max);
		return -1;
	}
	if (!strcmp(k, "preset")) {
		for (i = 0;
		     presets[i] && strcmp(presets[i], json_string_value(v));
		     i++)
			;
		if (!presets[i]) {
			snprintf(why, whylen,
				 "preset must be ultrafast, "
				 "superfast, fast or medium");
			return -1;
		}
	}
	return 0;
}

/* how targets, exclude and seed_scope are written, for error messages */
#define TARGETS_SYNTAX                                                         \
	"addresses, CIDRs and ranges separated by commas or spaces"

/* The seed scope of options o (seed_scope, less exclude) into *t, NULL
 * when there is none. 0, or -1 with why. */
static int def_seed_scope(json_t *o, const char *exclude, struct targets **t,
			  char *why, size_t whylen)
{
	const char *scope = def_str(o, "seed_scope");
	char tw[256];

	*t = NULL;
	if (!scope)
		return 0;
	if (discover_def_targets(scope, exclude, SEED_SCOPE_MAX, t, tw,
				 sizeof(tw)) < 0) {
		snprintf(why, whylen, "seed_scope: %s (" TARGETS_SYNTAX ")",
			 tw);
		return -1;
	}
	return 0;
}

int discover_def_check_options(json_t *o, const char **field, char *why,
			       size_t whylen)
{
	struct targets *t = NULL;
	struct engine_opts eo;
	struct port_list pl;
	struct targets_addr a;
	const char *k;
	json_t *v;

	*field = "options";
	if (o && !json_is_object(o)) {
		snprintf(why, whylen, "options must be an object");
		return -1;
	}
	json_object_foreach(o, k, v) {
		if (def_check_one(k, v, why, whylen) < 0) {
			*field = k;
			return -1;
		}
	}
	*field = "ports";
	if (def_ports(o, &pl) < 0) {
		snprintf(why, whylen,
			 "ports must be a list like "
			 "22,80,443,161/udp or T:22,U:161, or "
			 "'none'");
		return -1;
	}
	ports_clear(&pl);
	*field = "discovery_ports";
	if (def_discovery_ports(o, &eo, why, whylen) < 0)
		return -1;
	*field = "ssh_ports";
	if (def_ssh_ports(o, &pl, why, whylen) < 0)
		return -1;
	ports_clear(&pl);
	*field = "seed_scope";
	if (def_seed_scope(o, NULL, &t, why, whylen) < 0)
		return -1;
	targets_free(t);
	*field = "dns_server";
	if (def_str(o, "dns_server") &&
	    targets_addr_parse(def_str(o, "dns_server"), &a) < 0) {
		snprintf(why, whylen,
			 "dns_server must be an IPv4 or IPv6 "
			 "address");
		return -1;
	}
	*field = NULL;
	return 0;
}

int discover_def_targets(const char *targets, const char *exclude, uint64_t max,
			 struct targets **out, char *why, size_t whylen)
{
	struct targets *t = targets_new(max, 0);
	const char *lists[2] = {targets, exclude};
	char tok[TARGETS_TOKEN_MAX + 1];
	int l;

	*out = NULL;
	for (l = 0; l < 2; l++) {
		const char *p = lists[l];

		while (p && *p) {
			size_t n = strcspn(p, ", \t\r\n");

			if (n > TARGETS_TOKEN_MAX) {
				snprintf(why, whylen,
					 "a target is longer than %d "
					 "characters",
					 TARGETS_TOKEN_MAX);
				goto fail;
			}
			if (n) {
				memcpy(tok, p, n);
				tok[n] = '\0';
				if ((l ? targets_exclude(t, tok)
				       : targets_add(t, tok)) < 0)
					goto bad;
			}
			p += n;
			p += strspn(p, ", \t\r\n");
		}
	}
	if (targets_finish(t) < 0)
		goto bad;
	if (!targets_count(t)) {
		snprintf(why, whylen, "no address is left to discover");
		goto fail;
	}
	*out = t;
	return 0;
bad:
	snprintf(why, whylen, "%s", targets_error(t));
fail:
	targets_free(t);
	return -1;
}

int discover_def_check(json_t *def, const char **field, char *why,
		       size_t whylen)
{
	json_t *o = json_object_get(def, "options");
	struct targets *t = NULL;
	char tw[256];

	if (discover_def_check_options(o, field, why, whylen) < 0)
		return -1;
	*field = NULL;
	if (def_str(o, "ad_server"))
		return 0; /* the directory says what there is */
	*field = "targets";
	if (discover_def_targets(
		    json_string_value(json_object_get(def, "targets")),
		    json_string_value(json_object_get(def, "exclude")),
		    (uint64_t)def_int(o, "max_targets", 0), &t, tw,
		    sizeof(tw)) < 0) {
		snprintf(why, whylen, "%s (targets are " TARGETS_SYNTAX ")",
			 tw);
		return -1;
	}
	targets_free(t);
	*field = NULL;
	return 0;
}

/* ---- building ---- */

static size_t def_creds_count(json_t *creds, const char *a, const char *b)
{
	return discover_credentials_count(creds, a) +
	       discover_credentials_count(creds, b);
}

/* Inline credentials, then the definition's by id with their secrets;
 * ids that are gone are skipped with a warning. */
static json_t *def_creds(const struct discover_def_in *in)
{
	json_t *ids = json_object_get(in->def, "credentials");
	json_t *out = json_array(), *c, *id;
	size_t i;

	json_array_foreach(in->credentials, i, c)
		json_array_append(out, c);
	if (!in->st)
		return out;
	json_array_foreach(ids, i, id) {
		c = store_credential_get_secret(in->st, json_integer_value(id));
		if (!c) {
			log_warn("discovery run %lld: credential %lld is gone; "
				 "running without it",
				 (long long)in->run_id,
				 (long long)json_integer_value(id));
			continue;
		}
		json_array_append_new(out, c);
	}
	return out;
}

/* Each SSH port joins the probed TCP ports when it is missing. */
static void def_ports_add(struct port_list *pl, const struct port_list *add)
{
	size_t i;

	for (i = 0; i < add->n_tcp; i++) {
		if (ports_has_tcp(pl, add->tcp[i]))
			continue;
		pl->tcp = xrealloc(pl->tcp, (pl->n_tcp + 1) * sizeof(*pl->tcp));
		pl->tcp[pl->n_tcp++] = add->tcp[i];
	}
}

/* SSH is used when not switched off, SSH credentials are there and some
 * TCP port may be probed ('ports': 'none' means host discovery only,
 * unless ssh_ports says otherwise). */
static int def_ssh(struct discover_setup *s, json_t *o, char *why,
		   size_t whylen)
{
	const char *ports = def_str(o, "ports");
	long conc = def_int(o, "ssh_concurrency", DISCOVER_DEF_SSH_CONCURRENCY);
	struct discover_opts *d = &s->opts;

	d->engine.pool.kind_cap[POOL_SNMP] = DEF_SNMP_THREADS;
	d->engine.pool.kind_cap[POOL_SSH] = (unsigned)conc;
	d->engine.pool.kind_cap[POOL_WIN] = DEF_SMB_THREADS;
	d->engine.pool.kind_cap[POOL_WINRPC] = DEF_WINRPC_JOBS;
	d->engine.pool.threads = DEF_SNMP_THREADS + (unsigned)conc +
				 DEF_SMB_THREADS + DEF_WINRPC_JOBS;
	d->ssh_timeout_ms =
		(int)def_int(o, "ssh_timeout_ms", DISCOVER_DEF_SSH_TIMEOUT_MS);
	d->ssh_command_ms = (int)def_int(o, "ssh_command_timeout_ms",
					 DISCOVER_DEF_SSH_COMMAND_MS);
	d->ssh_accept_changed_keys = def_flag(o, "ssh_accept_changed_keys", 0);
	if (!def_flag(o, "ssh", 1) ||
	    !def_creds_count(s->credentials, "ssh", "ssh_key") ||
	    (ports && !strcmp(ports, "none") && !def_str(o, "ssh_ports")))
		return 0;
	if (def_ssh_ports(o, &s->ssh_ports, why, whylen) < 0)
		return -1;
	def_ports_add(&s->ports, &s->ssh_ports);
	d->ssh_ports = s->ssh_ports.tcp;
	d->n_ssh_ports = s->ssh_ports.n_tcp;
	return 0;
}

/* An Active Directory run: the directory's options and the credentials;
 * no targets, no probes. */
static int def_ad(const struct discover_def_in *in, struct discover_setup *s)
{
	json_t *o = json_object_get(in->def, "options");
	struct ad_opts *a = &s->ad;

	s->is_ad = 1;
	s->credentials = def_creds(in);
	s->opts.credentials = s->credentials;
	a->server = def_str(o, "ad_server");
	a->ca_file = def_str(o, "ad_ca");
	a->base = def_str(o, "ad_base");
	a->allow_plain = def_flag(o, "ad_allow_plain", 0);
	a->deadline_ms =
		(int)def_int(o, "ad_deadline_ms", AD_DEADLINE_MS_DEFAULT);
	a->max_objects = def_int(o, "ad_max_objects", AD_MAX_OBJECTS_DEFAULT);
	a->stale_days = (int)def_int(o, "ad_stale_days", AD_STALE_DAYS_DEFAULT);
	a->page_size = (int)def_int(o, "ad_page_size", AD_PAGE_SIZE_DEFAULT);
	a->credential = ad_credential_pick(s->credentials);
	s->ad_subnets_enabled = def_flag(o, "ad_subnets_enabled", 0);
	s->org_id = json_integer_value(json_object_get(in->def, "org_id"));
	return 0;
}

int discover_setup_build(const struct discover_def_in *in,
			 struct discover_setup *s, char *why, size_t whylen)
{
	json_t *o = json_object_get(in->def, "options");
	struct discover_opts *d = &s->opts;
	const char *field;

	memset(s, 0, sizeof(*s));
	if (discover_def_check_options(o, &field, why, whylen) < 0)
		return -1;
	if (def_flag(o, "disabled", 0)) {
		snprintf(why, whylen,
			 "this discovery is disabled (proposed from Active "
			 "Directory?): set its option disabled to false to "
			 "run it");
		return -1;
	}
	if (def_str(o, "ad_server"))
		return def_ad(in, s);
	if (in->targets) {
		s->targets = in->targets;
	} else {
		if (discover_def_targets(json_string_value(json_object_get(
						 in->def, "targets")),
					 json_string_value(json_object_get(
						 in->def, "exclude")),
					 (uint64_t)def_int(o, "max_targets", 0),
					 &s->targets, why, whylen) < 0)
			return -1;
		s->own_targets = 1;
	}
	engine_opts_default(&d->engine);
	d->engine.rate = (uint64_t)def_int(o, "rate", ENGINE_DEFAULT_RATE);
	d->engine.timeout_ms =
		(unsigned)def_int(o, "timeout_ms", ENGINE_DEFAULT_TIMEOUT_MS);
	d->engine.retries =
		(unsigned)def_int(o, "retries", ENGINE_DEFAULT_RETRIES);
	d->engine.no_ping = def_flag(o, "no_ping", 0);
	d->engine.arp = def_flag(o, "arp", 1);
	d->engine.syn = def_flag(o, "syn", 1);
	d->engine.dns = def_flag(o, "dns", 1);
	d->engine.dns_server = def_str(o, "dns_server");
	if (def_discovery_ports(o, &d->engine, why, whylen) < 0 ||
	    def_ports(o, &s->ports) < 0) {
		if (!why[0])
			snprintf(why, whylen, "the port list is unusable");
		goto fail;
	}
	s->credentials = def_creds(in);
	d->credentials = s->credentials;
	if (def_ssh(s, o, why, whylen) < 0)
		goto fail;
	d->engine.ports = s->ports.n_tcp ? &s->ports : NULL;
	d->snmp = def_flag(o, "snmp", 1) && ports_has_udp(&s->ports, 161) &&
		  def_creds_count(s->credentials, "snmp", "snmp_v3");
	d->no_smb = !def_flag(o, "smb", 1);
	d->smb_timeout_ms =
		(int)def_int(o, "smb_timeout_ms", DISCOVER_DEF_SMB_TIMEOUT_MS);
	d->no_winrpc = !def_flag(o, "winrpc", 1);
	d->winrpc_call_ms = (int)def_int(o, "winrpc_timeout_ms",
					 DISCOVER_DEF_WINRPC_CALL_MS);
	d->winrpc_total_ms = DEF_WINRPC_TOTAL_MS;
	d->snmp_opts.timeout_ms = (int)d->engine.timeout_ms;
	d->snmp_opts.retries = (int)d->engine.retries;
	if (def_flag(o, "seed", 0)) {
		d->seed_depth =
			(int)def_int(o, "seed_depth", DISCOVER_DEF_SEED_DEPTH);
		d->seed_scope = in->seed_scope;
		if (!in->seed_scope &&
		    def_seed_scope(o,
				   json_string_value(
					   json_object_get(in->def, "exclude")),
				   &s->seed_scope, why, whylen) < 0)
			goto fail;
		if (s->seed_scope)
			d->seed_scope = s->seed_scope;
	}
	s->org_id = json_integer_value(json_object_get(in->def, "org_id"));
	if (in->st) {
		s->win_known = store_windows_host_map(in->st, s->org_id);
		d->win_known = s->win_known;
		s->ssh_known = store_ssh_host_map(in->st, s->org_id);
		if (!s->ssh_known) {
			snprintf(why, whylen,
				 "cannot read the stored SSH host "
				 "keys");
			goto fail;
		}
		d->ssh_known = s->ssh_known;
	}
	return 0;
fail:
	discover_setup_free(s);
	return -1;
}

void discover_setup_free(struct discover_setup *s)
{
	if (!s)
		return;
	if (s->own_targets)
		targets_free(s->targets);
	targets_free(s->seed_scope);
	ports_clear(&s->ports);
	ports_clear(&s->ssh_ports);
	store_credential_wipe(s->credentials);
	json_decref(s->credentials);
	json_decref(s->ssh_known);
	json_decref(s->win_known);
	memset(s, 0, sizeof(*s));
}

/* ---- describing ---- */

/* "22,80,1000-1100": runs of consecutive ports as ranges. */
static json_t *def_ports_text(const uint16_t *v, size_t n)
{
	struct strbuf sb;
	size_t i, j;
	json_t *out;

	strbuf_init(&sb, 1024 * 1024);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] == v[j - 1] + 1; j++)
			;
		if (j - i > 1)
			strbuf_printf(&sb, "%s%u-%u", i ? "," : "", v[i],
				      v[j - 1]);
		else
			strbuf_printf(&sb, "%s%u", i ? "," : "", v[i]);
	}
	out = json_string(sb.data ? sb.data : "");
	strbuf_free(&sb);
	return out;
}

/* {"hosts": n, "sha256": digest of the keys and credential names by
 * address} - what decides whether a credential is sent, not when it was
 * last seen. */
static json_t *def_known_json(json_t *known)
{
	json_t *facts = json_object(), *row;
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof(h) * 2 + 1];
	const char *ip;
	char *text;

	json_object_foreach(known, ip, row)
		json_object_set_new(
			facts, ip,
			json_pack("{sO?sO?sO?sO?sO?}", "device_id",
				  json_object_get(row, "device_id"), "port",
				  json_object_get(row, "port"), "hostkey",
				  json_object_get(row, "hostkey"),
				  "hostkey_type",
				  json_object_get(row, "hostkey_type"),
				  "credential",
				  json_object_get(row, "credential")));
	text = json_dumps(facts, JSON_SORT_KEYS | JSON_COMPACT);
	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	free(text);
	json_decref(facts);
	return json_pack("{sIss}", "hosts", (json_int_t)json_object_size(known),
			 "sha256", hex);
}

/* An Active Directory run's options. */
static json_t *def_ad_json(const struct discover_setup *s, json_t *creds)
{
	const struct ad_opts *a = &s->ad;

	return json_pack(
		"{sIs{sssssssbsbsisIsisi}so}", "org_id", (json_int_t)s->org_id,
		"active_directory", "server", a->server, "ca_file",
		a->ca_file ? a->ca_file : "", "base", a->base ? a->base : "",
		"allow_plain", a->allow_plain, "subnets_enabled",
		s->ad_subnets_enabled, "deadline_ms", a->deadline_ms,
		"max_objects", (json_int_t)a->max_objects, "stale_days",
		a->stale_days, "page_size", a->page_size, "credentials", creds);
}

json_t *discover_setup_json(const struct discover_setup *s)
{
	const struct discover_opts *d = &s->opts;
	const struct engine_opts *e = &d->engine;
	json_t *creds = json_array(), *c, *out;
	size_t i;

	json_array_foreach(s->credentials, i, c) {
		json_t *r = json_pack("{s:O?s:O?}", "type",
				      json_object_get(c, "type"), "name",
				      json_object_get(c, "name"));

		if (json_object_get(c, "id"))
			json_object_set(r, "id", json_object_get(c, "id"));
		json_array_append_new(creds, r);
	}
	if (s->is_ad)
		return def_ad_json(s, creds);
	out = json_pack(
		"{s{sIsI}sIsIsIsIsbsbsbsosbss?sosos{sIsIsI}sbs{sIsI}so}",
		"targets", "addresses", (json_int_t)targets_count(s->targets),
		"ranges", (json_int_t)targets_range_count(s->targets), "org_id",
		(json_int_t)s->org_id, "rate", (json_int_t)e->rate,
		"timeout_ms", (json_int_t)e->timeout_ms, "retries",
		(json_int_t)e->retries, "no_ping", e->no_ping, "arp", e->arp,
		"no_icmp", e->no_icmp, "discovery_ports",
		def_ports_text(e->discovery_ports, e->n_discovery_ports), "dns",
		e->dns, "dns_server", e->dns_server, "tcp_ports",
		def_ports_text(s->ports.tcp, s->ports.n_tcp), "udp_ports",
		def_ports_text(s->ports.udp, s->ports.n_udp), "pool", "threads",
		(json_int_t)e->pool.threads, "snmp_jobs",
		(json_int_t)e->pool.kind_cap[POOL_SNMP], "ssh_jobs",
		(json_int_t)e->pool.kind_cap[POOL_SSH], "snmp", d->snmp,
		"snmp_request", "timeout_ms",
		(json_int_t)d->snmp_opts.timeout_ms, "retries",
		(json_int_t)d->snmp_opts.retries, "credentials", creds);
	json_object_set_new(out, "syn", json_boolean(e->syn));
	json_object_set_new(
		out, "ssh",
		json_pack("{sosIsIsb}", "ports",
			  def_ports_text(d->ssh_ports, d->n_ssh_ports),
			  "timeout_ms", (json_int_t)d->ssh_timeout_ms,
			  "command_timeout_ms", (json_int_t)d->ssh_command_ms,
			  "accept_changed_keys", d->ssh_accept_changed_keys));
	json_object_set_new(out, "smb",
			    json_pack("{sbsIsI}", "on", !d->no_smb,
				      "timeout_ms",
				      (json_int_t)d->smb_timeout_ms, "jobs",
				      (json_int_t)e->pool.kind_cap[POOL_WIN]));
	json_object_set_new(
		out, "winrpc",
		json_pack("{sbsIsIsI}", "on",
			  !d->no_winrpc && discover_credentials_count(
						   s->credentials, "windows"),
			  "timeout_ms", (json_int_t)d->winrpc_call_ms,
			  "total_ms", (json_int_t)d->winrpc_total_ms, "jobs",
			  (json_int_t)e->pool.kind_cap[POOL_WINRPC]));
	json_object_set_new(out, "ssh_known", def_known_json(d->ssh_known));
	return out;
}

void discover_setup_log(const struct discover_setup *s, int64_t run_id)
{
	json_t *j = discover_setup_json(s);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	if (run_id)
		log_info("discovery run %lld options: %s", (long long)run_id,
			 text);
	else
		log_info("discovery options: %s", text);
	free(text);
	json_decref(j);
}
