/*
 * The token bucket of rate.h. Refills count whole tokens only and move
 * last_ms on by exactly the time those tokens took, so that the fraction of
 * a token earned is kept for the next call: with 10 a second, one call every
 * 150 ms gets 10 a second, not one per call.
 */
#include "rate.h"

bool
rate_take(struct rate_bucket *b, uint64_t now_ms)
{
	if (b->per_s > 0 && now_ms > b->last_ms) {
		/* Capped so that the product cannot overflow: 49 days refill
		 * any bucket anyway. */
		uint64_t dt = now_ms - b->last_ms > UINT32_MAX ? UINT32_MAX : now_ms - b->last_ms;
		uint64_t earned = dt * b->per_s / 1000;

		if (earned >= b->burst - b->tokens) {
			/* Full: time spent full earns nothing later. */
			b->tokens = b->burst;
			b->last_ms = now_ms;
		} else if (earned > 0) {
			b->tokens += (uint32_t)earned;
			b->last_ms += earned * 1000 / b->per_s;
		}
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}
