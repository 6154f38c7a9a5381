#include "engine/pace.h"

#define NANO 1000000000ull

void pace_init(struct pace *p, uint64_t rate, uint64_t now)
{
	p->rate = rate;
	p->burst = rate * PACE_BURST_MS / 1000 > 1
			   ? rate * PACE_BURST_MS / 1000 * NANO
			   : NANO;
	p->tokens = p->burst;
	p->last = now;
}

uint64_t pace_burst(const struct pace *p)
{
	return p->burst / NANO;
}

void pace_set_burst(struct pace *p, uint64_t packets)
{
	p->burst = (packets ? packets : 1) * NANO;
	p->tokens = p->burst;
}

static void pace_refill(struct pace *p, uint64_t now)
{
	uint64_t dt, fill;

	if (now <= p->last)
		return;
	dt = now - p->last;
	p->last = now;
	/* past one second the bucket is full anyway; keeps dt*rate small */
	if (dt >= NANO) {
		p->tokens = p->burst;
		return;
	}
	fill = dt * p->rate;
	p->tokens = fill >= p->burst - p->tokens ? p->burst : p->tokens + fill;
}

int pace_take(struct pace *p, uint64_t now)
{
	if (p->rate == 0)
		return 1;
	pace_refill(p, now);
	if (p->tokens < NANO)
		return 0;
	p->tokens -= NANO;
	return 1;
}

uint64_t pace_wait(struct pace *p, uint64_t now)
{
	if (p->rate == 0)
		return 0;
	pace_refill(p, now);
	if (p->tokens >= NANO)
		return 0;
	return (NANO - p->tokens + p->rate - 1) / p->rate;
}
