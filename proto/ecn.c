/*
 * RFC 6040 §4.1 and §4.2 over the two-bit ECN fields. Pure.
 */
#include "ecn.h"

static const char *const ecn_verdict_names[ECN_VERDICT_COUNT] = {
        [ECN_FORWARD] = "forward",
        [ECN_UNUSED] = "unused",
        [ECN_DROP] = "drop",
};

const char *
ecn_verdict_name(enum ecn_verdict v)
{
	if ((unsigned)v >= ECN_VERDICT_COUNT)
		return "invalid";
	return ecn_verdict_names[v];
}

/* RFC 6040 §4.2 Figure 4, [inner][outer]; 0xff: drop. U marks the "(!!!)"
 * combinations, currently unused ones a decapsulator should notice. */
#define U    0x10
#define DROP 0xff
static const uint8_t ecn_table[4][4] = {
        /*                 Not-ECT      ECT(1)            ECT(0)           CE */
        [ECN_NOT_ECT] = {ECN_NOT_ECT, ECN_NOT_ECT | U, ECN_NOT_ECT | U, DROP},
        [ECN_ECT1] = {ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE},
        [ECN_ECT0] = {ECN_ECT0, ECN_ECT1, ECN_ECT0, ECN_CE},
        [ECN_CE] = {ECN_CE, ECN_CE | U, ECN_CE, ECN_CE},
};

enum ecn_verdict
ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn, uint8_t *out)
{
	uint8_t r = ecn_table[inner_ecn & ECN_MASK][outer_ecn & ECN_MASK];

	if (r == DROP) {
		*out = inner_ecn & ECN_MASK;
		return ECN_DROP;
	}
	*out = r & ECN_MASK;
	return (r & U) ? ECN_UNUSED : ECN_FORWARD;
}

uint8_t
ecn_encap(uint8_t inner_ecn)
{
	return inner_ecn & ECN_MASK;
}
