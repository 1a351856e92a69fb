/*
 * Explicit Congestion Notification across the tunnel (RFC 6040), as pure
 * functions over the two-bit ECN fields (RFC 3168 §5) of the outer IPv4 TOS
 * and the inner IPv6 traffic class. The datapath applies them in user
 * space; the tc-BPF fast path applies the same table in the kernel.
 */
#ifndef ISATAP_PROTO_ECN_H
#define ISATAP_PROTO_ECN_H

#include <stdint.h>

/* RFC 3168 §5: the ECN field, the low two bits of TOS / traffic class. */
#define ECN_NOT_ECT 0x0
#define ECN_ECT1    0x1
#define ECN_ECT0    0x2
#define ECN_CE      0x3
#define ECN_MASK    0x3

enum ecn_verdict {
	ECN_FORWARD = 0, /* forward with the ECN field *out */
	ECN_UNUSED,      /* forward with *out; a combination RFC 6040 §4.2
	                  * marks (!!!) "currently unused": worth a counter */
	ECN_DROP,        /* outer CE over a Not-ECT inner packet: RFC 6040
	                  * §4.2 drops it, a transport that cannot hear the
	                  * mark must see the loss instead */
	ECN_VERDICT_COUNT
};
const char *ecn_verdict_name(enum ecn_verdict v);

/*
 * RFC 6040 §4.2 (Figure 4): the inner ECN field after decapsulation, given
 * the arriving outer and inner ones. CE on the outer header is copied into
 * an ECT inner packet; ECT(1) on the outer into an ECT(0) one.
 */
enum ecn_verdict ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn, uint8_t *out);

/*
 * RFC 6040 §4.1 normal mode: the outer ECN field is the inner one, CE
 * included. Normal mode, not compatibility mode (outer Not-ECT), because
 * every egress an ISATAP encapsulator reaches decapsulates as RFC 6040
 * §4.2 says (this datapath; Linux sit through INET_ECN_decapsulate()), so
 * an AQM on the IPv4 path may mark instead of drop and the mark reaches
 * the receiver; RFC 6040 §4.3 keeps compatibility mode for legacy egresses.
 */
uint8_t ecn_encap(uint8_t inner_ecn);

#endif
