/*
 * dns: reverse (PTR) lookups for live hosts, forward-confirmed, with c-ares
 * driven by the reactor - never a blocking resolver call.
 *
 * c-ares tells us which sockets it wants watched through its socket-state
 * callback; we hand them to the reactor, feed readiness back with
 * ares_process_fd(), and keep one reactor timer at ares_timeout() for
 * retransmissions. The resolver is the system's (/etc/resolv.conf) or an
 * explicit server ("192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53");
 * with an explicit server /etc/hosts is not consulted, so the answer is
 * that server's.
 *
 * dns_ptr() looks up the PTR name of an address, then the name's A and
 * AAAA records; the name is "confirmed" when they include the address
 * (forward-confirmed reverse DNS), which is what makes a PTR name worth
 * trusting as a hostname. Names from the wire are untrusted: anything that
 * is not a plausible host name (letters, digits, '-', '_', '.', at most
 * 253 bytes) is dropped as if there were no PTR record.
 */
#ifndef NC_DNS_H
#define NC_DNS_H

#include "core/targets.h"
#include "ev/reactor.h"

enum dns_status {
	DNS_OK = 0,   /* name found (confirmed or not) */
	DNS_NONAME,   /* no PTR record, or an unusable one */
	DNS_FAILED,   /* timeout, server failure, refused */
	DNS_CANCELLED /* the resolver was freed first */
};

/* Called once per dns_ptr() on the reactor thread; name is NULL unless
 * DNS_OK and is only valid during the call. */
typedef void (*dns_ptr_fn)(void *arg, enum dns_status status, const char *name,
			   int confirmed);

struct dns;

/* A resolver on reactor r; server NULL for the system's. timeout_ms and
 * tries bound each query (0: 2000 ms, 2 tries). NULL on error (logged). */
struct dns *dns_new(struct reactor *r, const char *server, unsigned timeout_ms,
		    unsigned tries);
/* Cancels outstanding lookups (their callbacks run with DNS_CANCELLED)
 * and frees the resolver; NULL is fine. */
void dns_free(struct dns *d);
/* Starts a PTR lookup of a; fn runs when done. 0, or -1 (logged). */
int dns_ptr(struct dns *d, const struct targets_addr *a, dns_ptr_fn fn,
	    void *arg);
/* Lookups started and not yet called back. */
unsigned dns_pending(const struct dns *d);
/* 1 when s is a plausible host name as dns accepts it. */
int dns_name_valid(const char *s);

#endif
