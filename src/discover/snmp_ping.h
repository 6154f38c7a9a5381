/*
 * snmp_ping: is there an SNMP agent at this address, and which credential
 * does it answer? Asked on the engine's reactor with hand-built datagrams,
 * so the blocking net-snmp probe (probe/snmp.h) runs on a worker thread
 * only for hosts that have an agent - a live host without one costs a few
 * small packets, not a worker's timeouts.
 *
 * Per host, one datagram per question: for each community credential a
 * v2c and a v1 GET of sysObjectID.0, and, when any snmp_v3 credential is
 * given, one SNMPv3 engine-discovery request (noAuthNoPriv, empty user),
 * which every v3 agent answers with a Report before any user is known.
 * Replies are matched by request id (v1/v2c) or msgID (v3), which carry a
 * slot number and a random per-run tag, and must come from the host's
 * address and port 161. Every datagram takes a token from the engine's
 * --rate; unanswered ones are sent again up to `retries` times, each
 * attempt waiting twice as long as the one before. The first reply ends
 * the check; the host is held open (engine_host_hold) until the callback
 * has run. No secret leaves the process except communities, which is what
 * SNMP v1/v2c sends anyway; v3 passphrases are never used here.
 */
#ifndef NC_SNMP_PING_H
#define NC_SNMP_PING_H

#include <jansson.h>

#include "engine/engine.h"

#define SNMP_PING_MAX_QUESTIONS 32	/* datagrams per host and attempt */
#define SNMP_PING_COMMUNITY_MAX 255	/* longer communities are skipped */

/* What answered first, for the callback. */
struct snmp_ping_answer {
	int answered;		/* 0: nothing answered */
	int cred;		/* index in the credential array, or -1 for
				 * the v3 discovery (any snmp_v3 credential) */
	int version;		/* 1, 2 (for v2c) or 3 */
	unsigned rtt_ms;
};

typedef void (*snmp_ping_fn)(struct engine *e, struct engine_host *h,
			     const struct snmp_ping_answer *a, void *arg);

struct snmp_ping;

/* A checker on engine e for the credentials creds (a flat array as from
 * store_credential_parse; borrowed, must outlive the checker). NULL when
 * no credential is of type snmp or snmp_v3, or on error (logged). */
struct snmp_ping *snmp_ping_new(struct engine *e, json_t *creds,
				unsigned timeout_ms, unsigned retries);
/* Closes the sockets; checks still under way are dropped without their
 * callback (call it after the engine has finished). NULL is fine. */
void snmp_ping_free(struct snmp_ping *sp);

/* Datagrams one host costs per attempt (for --dry-run). */
unsigned snmp_ping_questions(json_t *creds);

/* Starts the check of h; fn runs once, on the reactor thread. 0, or -1
 * (nothing will be called) when it cannot start. */
int snmp_ping_start(struct snmp_ping *sp, struct engine_host *h,
		    snmp_ping_fn fn, void *arg);

#endif
