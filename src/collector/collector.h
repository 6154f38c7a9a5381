/*
 * collector: `netcensus collector` - discovery at a remote site, reported
 * to the server over HTTPS, collector to server only (docs/collectors.md).
 *
 * collector_run() registers with the server (name, version, host, the
 * subnets it serves), then loops: it uploads its spool (spool.h) oldest
 * item first, deleting an item only once the server answered that it is
 * stored (or refused it for good: moved to DIR/rejected/); it asks for a
 * job when none is running; it runs a job on a thread of its own with the
 * same options builder and engine as `netcensus discover`
 * (discover_setup_build(), discover_run()), every finished host going to
 * the spool at once; it posts the run's live counters and stops the run
 * when the server says it was cancelled. A failed request is tried again
 * after 1, 2, 4 ... seconds, at most retry_max_s apart.
 *
 * Credentials arrive with the job and live in memory only: wiped when the
 * run ends, never written to the spool or the log. A job whose targets
 * reach outside the subnets the collector serves is refused before a
 * packet is sent, and reported "failed" with the reason.
 *
 * At start, a run marker left in the spool is a run the collector was
 * doing when it was killed: its final state "interrupted" is spooled
 * behind the reports it had spooled, so the server learns what happened
 * after it has stored them.
 */
#ifndef NC_COLLECTOR_H
#define NC_COLLECTOR_H

#include <signal.h>
#include <stddef.h>
#include <jansson.h>

struct collector_opts {
	const char *server;    /* base URL: https://HOST[:PORT] */
	const char *token;     /* collector-role API token (kept in memory) */
	const char *spool_dir; /* the spool */
	const char *ca_file;   /* PEM CAs to trust instead of the system's */
	const char *pin;       /* "sha256//BASE64" of the server's public key */
	int insecure_http;     /* allow an http:// server */
	const char *name;      /* the collector's name (default: host name) */
	const char *subnets;   /* CIDRs it serves, comma separated; NULL:
				* the networks of its interfaces */
	size_t spool_max;      /* device reports the spool holds at most */
	int poll_s;	       /* seconds between job polls when idle */
	int retry_max_s;       /* longest wait between retries */
	int once;	       /* upload the spool, take no job, exit */
	const char *version;
	volatile sig_atomic_t *stop; /* set by a signal: stop cleanly */
};

/* Runs the collector until *o->stop (or, with once, an empty spool).
 * Returns the exit code: 0 after a clean stop, 1 on a runtime failure, 2
 * when the server refused it for good (wrong or revoked token, untrusted
 * certificate, name taken): the message says which. */
int collector_run(const struct collector_opts *o);

/* The subnets this host sits on (IPv4 and IPv6 networks of its
 * interfaces, loopback included) as an array of "ADDR/PREFIX". */
json_t *collector_local_subnets(void);

#endif
