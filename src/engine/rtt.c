#include "engine/rtt.h"

void rtt_init(struct rtt *r, uint64_t floor_ns, uint64_t ceil_ns)
{
	r->srtt = r->rttvar = 0;
	r->samples = 0;
	r->floor = floor_ns < ceil_ns ? floor_ns : ceil_ns;
	r->ceil = ceil_ns;
}

static uint64_t rtt_absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

void rtt_sample(struct rtt *r, uint64_t rtt_ns)
{
	if (rtt_ns == 0)
		rtt_ns = 1;
	if (r->samples++ == 0) { /* RFC 6298 2.2 */
		r->srtt = rtt_ns;
		r->rttvar = rtt_ns / 2;
		return;
	}
	/* RFC 6298 2.3: beta 1/4, alpha 1/8, rttvar from the old srtt */
	r->rttvar =
		r->rttvar - r->rttvar / 4 + rtt_absdiff(r->srtt, rtt_ns) / 4;
	r->srtt = r->srtt - r->srtt / 8 + rtt_ns / 8;
}

uint64_t rtt_timeout(const struct rtt *r)
{
	uint64_t t;

	if (r->samples == 0)
		return r->ceil;
	t = r->srtt + 4 * r->rttvar;
	if (t < r->floor)
		return r->floor;
	return t > r->ceil ? r->ceil : t;
}
