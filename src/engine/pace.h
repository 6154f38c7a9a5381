/*
 * pace: a token bucket that holds the whole discovery under a packets-per-
 * second ceiling.
 *
 * Tokens accrue continuously at `rate` per second up to a small burst
 * (1/50 of a second's worth, at least one packet), so over any window
 * longer than 20 ms the send rate stays at or under the cap even though the
 * reactor wakes with millisecond granularity. Rate 0 means unlimited. The
 * clock is passed in (monotonic nanoseconds), so tests can drive it.
 * Integer arithmetic in nano-packets: no drift, no floating point.
 */
#ifndef NC_PACE_H
#define NC_PACE_H

#include <stdint.h>

#define PACE_DEFAULT_RATE 1000 /* packets per second */

struct pace {
	uint64_t rate;	 /* packets per second; 0 = unlimited */
	uint64_t burst;	 /* bucket size, in nano-packets */
	uint64_t tokens; /* nano-packets available */
	uint64_t last;	 /* clock at the last refill */
};

/* Starts a full bucket for rate packets per second at time now. */
void pace_init(struct pace *p, uint64_t rate, uint64_t now);
/* Sets the bucket size to `packets` (at least one) and fills it. */
void pace_set_burst(struct pace *p, uint64_t packets);
/* Takes one packet's token: 1 when the packet may go now, else 0. */
int pace_take(struct pace *p, uint64_t now);
/* Nanoseconds until a token will be there (0 when one is there now). */
uint64_t pace_wait(struct pace *p, uint64_t now);

#endif
