/*
 * discover_def: the one place a discovery definition becomes run options.
 *
 * A definition is the JSON the API stores and the scheduler queues:
 * {"targets", "exclude", "options": {...}, "credentials": [ids],
 * "org_id"}. discover_setup_build() turns it into everything
 * discover_run() needs - targets, probed ports, pool sizes, SNMP and SSH
 * settings, the credentials with their secrets, and the SSH host keys and
 * last working credentials stored for each address - for every caller: the
 * command line (its flags become a definition), the server's runner (API
 * and scheduled runs) and, later, collectors. Whatever a caller adds
 * (progress, a sink, an engine hook) is not an option of the run.
 *
 * discover_def_check() is the same table of options seen from the API: a
 * definition it accepts builds (barring credentials deleted since).
 * discover_setup_json() describes the built options without a secret, so
 * two callers can be shown to run the same definition the same way.
 *
 * A setup owns what it holds; discover_setup_free() wipes the secrets.
 */
#ifndef NC_DISCOVER_DEF_H
#define NC_DISCOVER_DEF_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/targets.h"
#include "discover/ad.h"
#include "discover/discover.h"
#include "probe/ports.h"

struct store;

/* What a caller brings besides the definition (all borrowed). */
struct discover_def_in {
	json_t *def;		 /* the definition */
	struct store *st;	 /* credentials by id, SSH host keys;
				  * NULL: neither (a CLI run without
				  * --db) */
	struct targets *targets; /* finished targets (the command
				  * line resolves names and reads
				  * files), or NULL: def's targets */
	json_t *credentials;	 /* inline credentials with secrets,
				  * tried before def's ids, or NULL */
	int64_t run_id;		 /* for messages; 0: none */
	/* the finished seed scope (the command line's, with its
	 * exclusions), or NULL: def's seed_scope */
	const struct targets *seed_scope;
};

/* A built run: opts points into the members. */
struct discover_setup {
	struct discover_opts opts;
	struct targets *targets; /* owned unless borrowed */
	int own_targets;
	struct port_list ports; /* what is probed on live hosts */
	struct port_list ssh_ports;
	json_t *credentials; /* with secrets: wiped on free */
	json_t *ssh_known;   /* store_ssh_host_map() or NULL */
	json_t *win_known;   /* store_windows_host_map() or NULL */
	int64_t org_id;	     /* 0: none given (the CLI: 1) */
	/* an Active Directory run (options.ad_server): no targets, no
	 * probes; ad.credential points into credentials */
	int is_ad;
	struct ad_opts ad;
	int ad_subnets_enabled;
	/* built from def's seed_scope and exclude, or NULL */
	struct targets *seed_scope;
};

/* Defaults of a definition's options that the command line's --help
 * shows too: discover_setup_build() applies them to whatever the
 * definition (the API's, or the one `netcensus discover` makes of its
 * flags) leaves out, so every caller runs with the same defaults. */
#define DISCOVER_DEF_SSH_CONCURRENCY 16
#define DISCOVER_DEF_SSH_TIMEOUT_MS 5000
#define DISCOVER_DEF_SSH_COMMAND_MS 60000
#define DISCOVER_DEF_SMB_TIMEOUT_MS 5000
#define DISCOVER_DEF_WINRPC_CALL_MS 10000 /* each RPC reading (winrpc.h) */
#define DISCOVER_DEF_SEED_DEPTH 2

/* The range of integer option name ("ssh_timeout_ms"), as the API checks
 * it: 0, or -1 when there is no such integer option. */
int discover_def_range(const char *name, long *min, long *max);

/* Checks a definition's targets, exclude and options (not its
 * credentials). 0, or -1 with the offending field in *field (static, or
 * an option's name inside def) and a user-facing reason in why. */
int discover_def_check(json_t *def, const char **field, char *why,
		       size_t whylen);

/* The options object alone (names, types, ranges, every list parses):
 * what a caller checks before it resolves names or sends anything. */
int discover_def_check_options(json_t *options, const char **field, char *why,
			       size_t whylen);

/* Builds s from in; 0, or -1 with why filled (nothing to free then). */
int discover_setup_build(const struct discover_def_in *in,
			 struct discover_setup *s, char *why, size_t whylen);
void discover_setup_free(struct discover_setup *s);

/* The built options as JSON, sorted keys, no secret: credentials by type,
 * name and id; the stored SSH facts as a count and a SHA-256. */
json_t *discover_setup_json(const struct discover_setup *s);

/* Logs discover_setup_json() at info level, naming run_id when not 0. */
void discover_setup_log(const struct discover_setup *s, int64_t run_id);

/* Targets from a definition's comma/space separated lists (no host
 * names); 0, or -1 with why. */
int discover_def_targets(const char *targets, const char *exclude, uint64_t max,
			 struct targets **out, char *why, size_t whylen);

#endif
