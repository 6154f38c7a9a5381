/*
 * perm: a keyed permutation of [0, n), so a discovery visits its targets in
 * a shuffled order that is the same for the same key.
 *
 * A four-round Feistel network over the smallest even number of bits whose
 * domain holds n, with cycle walking (apply again until the value falls
 * below n): a bijection, so every index comes out exactly once. Because the
 * order is a pure function of (n, key, i), a run can be split between
 * collectors or resumed by index arithmetic alone, as masscan and zmap do.
 * The round function is a keyed 64-bit mixer, not a cipher: it spreads
 * neighbouring addresses apart; it is not meant to hide the order.
 */
#ifndef NC_PERM_H
#define NC_PERM_H

#include <stdint.h>

struct perm {
	uint64_t n;
	unsigned half; /* bits in each Feistel half */
	uint64_t mask; /* (1 << half) - 1 */
	uint64_t keys[4];
};

/* Sets up the permutation of [0, n) for key. */
void perm_init(struct perm *p, uint64_t n, uint64_t key);
/* The i-th element of the permutation, i < n (returns i when n <= 1). */
uint64_t perm_at(const struct perm *p, uint64_t i);

#endif
