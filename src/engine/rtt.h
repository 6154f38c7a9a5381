/*
 * rtt: the round-trip time estimator that sizes each probe attempt's wait,
 * as TCP (RFC 6298) and nmap size theirs.
 *
 * Every answer a discovery probe gets (echo reply, SYN-ACK, RST) is one
 * sample; the estimator keeps a smoothed RTT and its mean deviation and
 * proposes srtt + 4 x rttvar as the time to wait for the next probe,
 * clamped between a floor (so a run of sub-millisecond answers does not
 * make the next slower host look dead) and a ceiling (the user's
 * --timeout). Before the first sample it proposes the ceiling. Samples
 * are unambiguous here (each echo carries its send time, each TCP probe
 * is its own socket), so Karn's rule is not needed. Integer nanoseconds;
 * one estimator per engine, used on the reactor thread only.
 */
#ifndef NC_RTT_H
#define NC_RTT_H

#include <stdint.h>

struct rtt {
	uint64_t srtt;	      /* smoothed RTT, ns; 0 before a sample */
	uint64_t rttvar;      /* mean deviation, ns */
	uint64_t floor, ceil; /* clamp of rtt_timeout(), ns */
	uint64_t samples;
};

/* Starts an estimator proposing waits in [floor_ns, ceil_ns]. */
void rtt_init(struct rtt *r, uint64_t floor_ns, uint64_t ceil_ns);
/* Adds one measured round trip. */
void rtt_sample(struct rtt *r, uint64_t rtt_ns);
/* The wait for the next first attempt: srtt + 4 x rttvar, clamped; the
 * ceiling until the first sample. */
uint64_t rtt_timeout(const struct rtt *r);

#endif
