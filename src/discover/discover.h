/*
 * discover: one discovery run from targets to device reports - the glue
 * between the engine (engine/engine.h), the enrichers, classification,
 * the discovery log and the sinks the reports go to. The same for the
 * command line and the server's runner (their options come from one
 * builder: discover_def.h).
 *
 * Per live host, in the engine's callbacks (all on the reactor thread):
 *   alive    a "discovery" log row; enrichers that want a host as soon as
 *            it answers start (SNMP: its check, probe/snmp_ping.h, a row
 *            of the engine's probe table; an agent that answers gets
 * snmp_probe() as a POOL_SNMP job, the credential that answered first); scanned
 * "ports" and "dns" rows; enrichers that want open ports start (SSH:
 * ssh_audit_host() as a POOL_SSH job on the first open SSH port, the credential
 * that worked last first, the host key stored for the address checked before
 * any credential is sent); done     each source's facts (discovery, DNS, SNMP,
 * SSH) merged into one device report by a precedence table (per field, which
 *            source wins: data in discover.c, not code), and the report
 *            handed to the sinks at once; dead addresses get a
 *            "discovery"/"dead" row.
 * A sink thread finishes each report (MAC from the neighbour table or the
 * SNMP interface that holds the address, classify_report(), validation)
 * and gives it, with the log rows as they come, to every sink in order:
 * the store (intake, discover_sink_store), JSON on stdout (the command
 * line), later a collector's spool. Nothing is held until the end: at
 * most 256 reports wait for the sinks (a slower sink makes the engine
 * wait), so memory does not grow with the number of live hosts, and
 * devices appear while the run goes on.
 *
 * The run reports progress and can be stopped through opts.engine_hook
 * (engine_progress(), engine_stop() from any thread): the command line
 * draws its progress line and handles signals with it, the server serves
 * its API. discover_run() installs no signal handler and prints nothing.
 *
 * Messages in the log name hosts and credential names, never secrets.
 */
#ifndef NC_DISCOVER_H
#define NC_DISCOVER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/targets.h"
#include "engine/engine.h"
#include "probe/snmp.h"

/* One row of the discovery log. */
struct discover_log {
	char ip[48];
	const char *stage; /* static */
	char outcome[24];
	int64_t duration_ms; /* -1: not measured */
	char *message;	     /* or NULL */
	char time[20];	     /* when it happened (UTC) */
};

/* Where finished hosts go; both called on the run's sink thread, in the
 * order things happened. 0, or -1 when something was refused (logged;
 * the run goes on). */
struct discover_sink {
	/* a finished host's device report (borrowed: a sink may change it
	 * for the next one) with what SSH saw of it ({"port", "hostkey",
	 * "hostkey_type", "credential" (worked), "audited",
	 * "hostkey_changed", "old_hostkey", "accepted",
	 * "known_device_id"}) or NULL */
	int (*report)(void *ud, json_t *report, json_t *ssh);
	/* log rows, in batches; may be NULL */
	int (*log)(void *ud, const struct discover_log *rows, size_t n);
	void *ud;
};

struct discover_opts {
	struct engine_opts engine; /* engine.ports: TCP ports (may be
				    * NULL); rate, timeout, ... */
	json_t *credentials;	   /* flat array (borrowed); may be
				    * NULL or empty */
	int snmp;		   /* 161/udp in scope */
	struct snmp_probe_opts snmp_opts;
	/* Seed discovery, when seed_depth > 0: the addresses a host's SNMP
	 * answer names - its ARP rows, its LLDP and CDP neighbours'
	 * addresses, its connected IPv4 subnets of /22 or smaller - join the
	 * run as a next round of targets, up to seed_depth rounds, when they
	 * are inside the run's targets or seed_scope (borrowed, exclusions
	 * applied) and were not visited yet; each is a "seed" log row naming
	 * where it came from ("added", or "out-of-scope": never probed). */
	int seed_depth;
	const struct targets *seed_scope;
	const char *neigh_path; /* NULL: /proc/net/arp */
	/* SSH: tried on the first of these ports found open (NULL: 22) */
	const uint16_t *ssh_ports;
	size_t n_ssh_ports;
	int ssh_timeout_ms;	     /* connect, banner, key exchange and
				      * each login; 0: 5000 */
	int ssh_command_ms;	     /* the audit command; 0: 60000 */
	int ssh_accept_changed_keys; /* audit over a changed host key */
	json_t *ssh_known;	     /* store_ssh_host_map() (borrowed) or
				      * NULL: keys and last credentials */
	/* Windows without credentials (probe/smb.h) on hosts with 445, 139
	 * or 3389 open */
	int no_smb;	    /* off */
	int smb_timeout_ms; /* the whole exchange per host; 0: 5000 */
	/* Windows with `windows` credentials (probe/winrpc.h) on hosts with
	 * 445 open, one worker process per host (pool kind POOL_WINRPC) */
	int no_winrpc;	     /* off */
	int winrpc_call_ms;  /* longest wait for each reading; 0: 10000 */
	int winrpc_total_ms; /* the whole inventory per host; 0: 120000 */
	json_t *win_known;   /* {ip: {"credential"}} (borrowed) or NULL:
			      * the windows credential that worked last */
	/* The caller's, not options of the run (discover_def.h leaves
	 * them alone): */
	const struct discover_sink *sinks; /* each report goes to every
					    * one, in order */
	size_t n_sinks;
	/* Called on the run's thread with the engine once it exists, and
	 * with NULL before it is freed: keep it to read engine_progress()
	 * and call engine_stop() from other threads. */
	void (*engine_hook)(struct engine *e, void *ud);
	void *engine_hook_ud;
};

struct discover_result {
	struct engine_progress progress; /* the final counters */
	int stopped;	 /* engine_stop() before every address */
	int sink_failed; /* a sink refused a report or rows */
};

/* Runs a discovery of the finished targets t, every report and log row
 * handed to the sinks before it returns; 0 with res filled, or -1 when
 * the run could not start or its loop failed (logged). */
int discover_run(const struct discover_opts *o, const struct targets *t,
		 struct discover_result *res);

struct store;
struct intake_config;
/* The store as a sink: each report through intake_report() for org_id
 * (a "store" log row each), the log rows to run run_id (from
 * store_discovery_run_start), and the SSH facts per device (store_ssh.h):
 * the host key and the credential that worked; a changed key is an
 * "ssh_host_key"/"change" row in the change log of the device that had
 * the old key, which stays recorded unless the change was accepted.
 * The store serialises its writers itself: the sink holds no lock. */
struct discover_store_sink {
	struct store *st;
	int64_t run_id, org_id;
	const struct intake_config *cfg; /* NULL: intake's defaults */
	int64_t stored;			 /* reports stored so far */
	int failed;			 /* something was refused */
};
/* Fills sink to write to ss (which must outlive the run). */
void discover_sink_store(struct discover_store_sink *ss,
			 struct discover_sink *sink);
/* Finishes the run: "done", or "cancelled" when res->stopped, with the
 * counters. 0, or -1 when it or anything before was refused. */
int discover_store_finish(struct discover_store_sink *ss,
			  const struct discover_result *res);

/* Reads a --credentials file: a JSON array (or one object, or Open-AudIT's
 * {"data": [...]}) of credentials, checked strictly by
 * store_credential_parse(). A new flat array, or NULL after logging which
 * entry and field is wrong (never a secret's value). */
json_t *discover_credentials_load(const char *path);
/* Appends {"type": "snmp", "name": "--community N", "community": c}. */
void discover_credentials_add_community(json_t *creds, const char *community,
					int n);
/* Number of credentials of a type ("snmp", "snmp_v3", "ssh", ...). */
size_t discover_credentials_count(json_t *creds, const char *type);

/* IPv4 neighbours with a complete entry in a /proc/net/arp-format file,
 * as {"ip": "mac"}; an empty object when it cannot be read. */
json_t *discover_neigh_read(const char *path);

#endif
