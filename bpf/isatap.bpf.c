/*
 * The ISATAP fast path: two tc (clsact) programs that do in the kernel
 * what the datapath does per packet in user space, for the packets whose
 * verdict they can give exactly (../DESIGN.md "Data path"; issue 16):
 * isatap_egress encapsulates on the TUN, isatap_ingress decapsulates on
 * the IPv4 interfaces. Everything else goes the user-space way, which
 * stays whole as the slow path. The maps (fastpath_abi.h) are the
 * datapath's, filled from the state it keeps for itself.
 *
 * Router mode (FP_F_ROUTER) is handled here too: the RFC 6324 §3.2.3
 * checks of nh_lookup() and decap_check() are fp_egress.h's and
 * fp_ingress.h's.
 */
#include "fp_kern.h"

#include "fp_addr.h"
#include "fp_egress.h"
#include "fp_ingress.h"

/* The kernel asks; some helpers are for GPL-compatible programs only. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
