#include "engine/perm.h"

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t perm_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

void perm_init(struct perm *p, uint64_t n, uint64_t key)
{
	unsigned bits = 2;
	int i;

	while (bits < 64 && (1ull << bits) < n)
		bits += 2;
	p->n = n;
	p->half = bits / 2;
	p->mask = (1ull << p->half) - 1;
	for (i = 0; i < 4; i++)
		p->keys[i] = perm_mix(key + 0x9e3779b97f4a7c15ull * (i + 1));
}

static uint64_t perm_round(const struct perm *p, uint64_t x)
{
	uint64_t l = x >> p->half, r = x & p->mask;
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t t = l ^ (perm_mix(r ^ p->keys[i]) & p->mask);

		l = r;
		r = t;
	}
	return (l << p->half) | r;
}

uint64_t perm_at(const struct perm *p, uint64_t i)
{
	uint64_t x = i;

	if (p->n <= 1 || i >= p->n)
		return i;
	do
		x = perm_round(p, x);
	while (x >= p->n);
	return x;
}
