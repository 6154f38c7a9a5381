/*
 * pace: a token bucket that holds the whole discovery under a packets-per-
 * second ceiling.
 *
 * Tokens accrue continuously at `rate` per second up to a burst of
 * PACE_BURST_MS worth (at least one packet). A wake-up that comes late -
 * a busy machine lets the reactor sleep tens of milliseconds past its
 * timer - finds what was owed in the meantime and the caller sends all of
 * it at once, so the rate holds under load; what was owed beyond the cap
 * is lost, so over any second the count stays under rate x (1 + 0.1).
 * (A 20 ms cap held the bench's ARP sweep to 220-550 packets/s at
 * --rate 2400 under load: bench/RESULTS.md.) Rate 0 means unlimited. The
 * clock is passed in (monotonic nanoseconds), so tests can drive it.
 * Integer arithmetic in nano-packets: no drift, no floating point.
 */
#ifndef NC_PACE_H
#define NC_PACE_H

#include <stdint.h>

#define PACE_DEFAULT_RATE 1000 /* packets per second */
#define PACE_BURST_MS 100      /* the bucket: this long at the rate */

struct pace {
	uint64_t rate;	 /* packets per second; 0 = unlimited */
	uint64_t burst;	 /* bucket size, in nano-packets */
	uint64_t tokens; /* nano-packets available */
	uint64_t last;	 /* clock at the last refill */
};

/* Starts a full bucket for rate packets per second at time now. */
void pace_init(struct pace *p, uint64_t rate, uint64_t now);
/* The bucket size in whole packets: the most one wake-up may send. */
uint64_t pace_burst(const struct pace *p);
/* Sets the bucket size to `packets` (at least one) and fills it. */
void pace_set_burst(struct pace *p, uint64_t packets);
/* Takes one packet's token: 1 when the packet may go now, else 0. */
int pace_take(struct pace *p, uint64_t now);
/* Nanoseconds until a token will be there (0 when one is there now). */
uint64_t pace_wait(struct pace *p, uint64_t now);

#endif
