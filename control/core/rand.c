/*
 * The core's PRNG: SplitMix64 (Steele, Lea, Flood 2014). Not for secrets:
 * it only spreads RS and DNS refresh times (RFC 4861 §6.3.7, RFC 7559), and
 * being seeded by the caller makes every schedule replayable in tests.
 */
#include "core_int.h"

void
rand_seed(uint64_t *state, uint64_t seed)
{
	*state = seed;
}

uint64_t
rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t
rand_below(uint64_t *state, uint64_t n)
{
	uint64_t limit, x;

	if (n <= 1)
		return 0;
	/* Rejection sampling: no modulo bias. */
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = rand_next(state);
	while (x >= limit);
	return x % n;
}

int64_t
rand_jitter(uint64_t *state, uint64_t span)
{
	return (int64_t)rand_below(state, 2 * span + 1) - (int64_t)span;
}
