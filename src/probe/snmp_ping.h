/*
 * snmp_ping: is there an SNMP agent at this address, and which credential
 * does it answer? The PROBE_SNMP row of the probe table (probe/probe.h):
 * hand-built datagrams the engine sends, paces, retries and times out, so
 * the blocking net-snmp probe (probe/snmp.h) runs on a worker thread only
 * for hosts that have an agent - a live host without one costs a few small
 * packets, not a worker's timeouts.
 *
 * Per host, one datagram per question: for each community credential a
 * v2c and a v1 GET of sysObjectID.0, and, when any snmp_v3 credential is
 * given, one SNMPv3 engine-discovery request (noAuthNoPriv, empty user),
 * which every v3 agent answers with a Report before any user is known.
 * The request id (v1/v2c) or msgID (v3) carries the engine's attempt id,
 * the question and whether it is v3, XOR a keyed hash of the address (a
 * per-run key): a reply is taken only when the id it carries decodes
 * (9 bits must come back zero, the v3 bit must match the reply's version)
 * and the engine finds that attempt in flight to that address and port.
 * The first answered question ends the request (engine_probe()). No secret
 * leaves the process except communities, which is what SNMP v1/v2c sends
 * anyway; v3 passphrases are never used here.
 */
#ifndef NC_SNMP_PING_H
#define NC_SNMP_PING_H

#include <jansson.h>

#include "probe/probe.h"

#define SNMP_PING_MAX_QUESTIONS 32  /* datagrams per host and attempt */
#define SNMP_PING_COMMUNITY_MAX 255 /* longer communities are skipped */

/* The configuration of PROBE_SNMP requests: the questions. */
struct snmp_ping;

/* The questions for the credentials creds (a flat array as from
 * store_credential_parse; borrowed, must outlive it). NULL when no
 * credential is of type snmp or snmp_v3. */
struct snmp_ping *snmp_ping_new(json_t *creds);
void snmp_ping_free(struct snmp_ping *sp);

/* Datagrams one host costs per attempt (for --dry-run). */
unsigned snmp_ping_questions(json_t *creds);

/* What question q asked: the index of its credential in creds, or -1 for
 * the v3 discovery (any snmp_v3 credential), with *version 1, 2 (v2c) or
 * 3; -1 and *version 0 when there is no question q. */
int snmp_ping_cred(const struct snmp_ping *sp, unsigned q, int *version);

#endif
