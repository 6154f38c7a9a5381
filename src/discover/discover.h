/*
 * discover: one discovery run from targets to device reports - the glue
 * between the engine (engine/engine.h), the SNMP check and probe, the
 * kernel's neighbour table, classification and the discovery log. Used by
 * `netcensus discover`; the server's scheduler can call it the same way.
 *
 * Per live host, in the engine's callbacks (all on the reactor thread):
 *   alive    a "discovery" log row; when SNMP is in scope, the SNMP check
 *            (probe/snmp_ping.h) is asked of the host with engine_probe();
 *            a host whose agent answers gets the blocking snmp_probe() as
 *            a POOL_SNMP worker job, credentials ordered so the one that
 *            answered is tried first;
 *   scanned  "ports" and "dns" rows; a host with an SSH port open (22,
 *            or opts.ssh_ports) gets ssh_audit_host() (probe/ssh.h) as a
 *            POOL_SSH job when the credentials hold ssh / ssh_key ones,
 *            the credential that worked last (opts.ssh_known) first and
 *            the host key known for that address checked before any
 *            credential is sent;
 *   done     the device report is put together (sys.ip, hostname from DNS
 *            or else sysName, open ports, what SNMP read, then what SSH
 *            read on top: SSH's sys fields and non-empty sections win,
 *            SNMP's stay where SSH said nothing); dead addresses get a
 *            "discovery"/"dead" row.
 * After the engine has finished: MAC addresses from the neighbour table
 * (/proc/net/arp: hosts on the scanner's own segments) or else from the
 * SNMP interface that holds the address, classify_report(), validation,
 * and the reports sorted by address.
 *
 * With opts.signals, SIGINT/SIGTERM during discover_run() stop the engine
 * gracefully: hosts under way finish and what was found is returned
 * (stopped = 1). discover_store() then stores the reports through intake
 * and writes the log and the run's counters - the same for the command
 * line and a server's scheduler.
 *
 * The result owns its reports and log rows; discover_result_free().
 * Messages in the log name hosts and credential names, never secrets.
 */
#ifndef NC_DISCOVER_H
#define NC_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/targets.h"
#include "engine/engine.h"
#include "probe/snmp.h"

struct discover_opts {
	struct engine_opts engine;	/* engine.ports: TCP ports (may be
					 * NULL); rate, timeout, ... */
	json_t *credentials;		/* flat array (borrowed); may be
					 * NULL or empty */
	int snmp;			/* 161/udp in scope */
	struct snmp_probe_opts snmp_opts;
	int progress;			/* a progress line on stderr */
	int signals;			/* SIGINT/SIGTERM stop the run (the
					 * command line; not in a server) */
	const char *neigh_path;		/* NULL: /proc/net/arp */
	/* SSH: tried on the first of these ports found open (NULL: 22) */
	const uint16_t *ssh_ports;
	size_t n_ssh_ports;
	int ssh_timeout_ms;		/* connect, banner, key exchange and
					 * each login; 0: 5000 */
	int ssh_command_ms;		/* the audit command; 0: 60000 */
	int ssh_accept_changed_keys;	/* audit over a changed host key */
	json_t *ssh_known;		/* store_ssh_host_map() (borrowed) or
					 * NULL: keys and last credentials */
	/* Called on the run's thread with the engine once it exists, and
	 * with NULL before it is freed: a server keeps it to read
	 * engine_progress() and call engine_stop() from other threads. */
	void (*engine_hook)(struct engine *e, void *ud);
	void *engine_hook_ud;
};

/* One row of the discovery log. */
struct discover_log {
	char ip[48];
	const char *stage;	/* static */
	char *outcome;
	int64_t duration_ms;	/* -1: not measured */
	char *message;		/* or NULL */
};

struct discover_result {
	json_t *reports;	/* device reports of live hosts, by address */
	struct discover_log *log;
	size_t n_log, cap_log;
	struct engine_progress progress;	/* the final counters */
	/* What SSH saw per address, for discover_store: {ip: {"port",
	 * "hostkey", "hostkey_type", "credential" (worked), "audited",
	 * "hostkey_changed", "old_hostkey", "accepted", "known_device_id"}} */
	json_t *ssh;
	int stopped;		/* interrupted by a signal */
};

/* Runs a discovery of the finished targets t; 0 with res filled (free it
 * with discover_result_free either way), or -1 when the run could not
 * start or its loop failed (logged). */
int discover_run(const struct discover_opts *o, const struct targets *t,
		 struct discover_result *res);
void discover_result_free(struct discover_result *res);

struct store;
/* Stores every report of res through intake_report() for org_id (adding a
 * "store" log row each), writes the log rows to run run_id (from
 * store_discovery_run_start) and finishes the run ("done", or
 * "cancelled" when res->stopped). 0, or -1 when a report or the log was
 * refused (logged; the rest is still stored). SSH facts of res->ssh are
 * recorded per device (store_ssh.h): the host key and the credential that
 * worked; a changed key is an "ssh_host_key"/"change" row in the change
 * log of the device that had the old key, which stays recorded unless
 * the change was accepted. */
int discover_store(struct store *st, struct discover_result *res,
		   int64_t run_id, int64_t org_id);

/* Appends a log row (message is printf-like, may be NULL). */
void discover_log_add(struct discover_result *res, const char *ip,
		      const char *stage, const char *outcome,
		      int64_t duration_ms, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

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
