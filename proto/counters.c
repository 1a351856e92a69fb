/*
 * Names of the datapath's counters, as the JSON API shows them. The table is
 * written out rather than pasted together at run time so that the strings are
 * constants and grep finds them; the unit test checks that every drop name is
 * "in_drop_"/"out_drop_" + the verdict's own name.
 */
#include <stddef.h>

#include "counters.h"
#include "msg.h"

_Static_assert(DPC_COUNT <= MSG_COUNTERS_MAX, "counters must fit struct msg_counters");

static const char *const dp_counter_names[DPC_COUNT] = {
        [DPC_OUT_PACKETS] = "out_packets",
        [DPC_OUT_BYTES] = "out_bytes",
        [DPC_OUT_SEND_ERRORS] = "out_send_errors",
        [DPC_IN_PACKETS] = "in_packets",
        [DPC_IN_BYTES] = "in_bytes",
        [DPC_IN_TUN_ERRORS] = "in_tun_errors",
        [DPC_ND_UP] = "nd_up",
        [DPC_ND_UP_DROPPED] = "nd_up_dropped",
        [DPC_RS_SENT] = "rs_sent",

        [DPC_DECAP_BASE + DECAP_ACCEPT] = "in_accept",
        [DPC_DECAP_BASE + DECAP_ACCEPT_ND] = "in_accept_nd",
        [DPC_DECAP_BASE + DECAP_DROP_NO_LOCATOR] = "in_drop_no_locator",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_SHORT] = "in_drop_outer_short",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_BAD] = "in_drop_outer_bad",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_LEN] = "in_drop_outer_len",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_FRAGMENT] = "in_drop_outer_fragment",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_OPTIONS] = "in_drop_outer_options",
        [DPC_DECAP_BASE + DECAP_DROP_OUTER_SRC_BOGUS] = "in_drop_outer_src_bogus",
        [DPC_DECAP_BASE + DECAP_DROP_NOT_OUR_LOCATOR] = "in_drop_not_our_locator",
        [DPC_DECAP_BASE + DECAP_DROP_INNER_SHORT] = "in_drop_inner_short",
        [DPC_DECAP_BASE + DECAP_DROP_INNER_VERSION] = "in_drop_inner_version",
        [DPC_DECAP_BASE + DECAP_DROP_INNER_LEN] = "in_drop_inner_len",
        [DPC_DECAP_BASE + DECAP_DROP_INNER_SRC_BAD] = "in_drop_inner_src_bad",
        [DPC_DECAP_BASE + DECAP_DROP_SPOOFED_SRC] = "in_drop_spoofed_src",
        [DPC_DECAP_BASE + DECAP_DROP_SRC_NOT_ONLINK] = "in_drop_src_not_onlink",
        [DPC_DECAP_BASE + DECAP_DROP_NOT_OURS] = "in_drop_not_ours",
        [DPC_DECAP_BASE + DECAP_DROP_ND_HOPLIMIT] = "in_drop_nd_hoplimit",
        [DPC_DECAP_BASE + DECAP_DROP_ECN_CE_NOT_ECT] = "in_drop_ecn_ce_not_ect",
        [DPC_DECAP_BASE + DECAP_DROP_DST_OWN_LOCATOR] = "in_drop_dst_own_locator",

        [DPC_NH_BASE + NH_OK] = "out_ok",
        [DPC_NH_BASE + NH_DROP_SHORT] = "out_drop_short",
        [DPC_NH_BASE + NH_DROP_VERSION] = "out_drop_version",
        [DPC_NH_BASE + NH_DROP_LEN] = "out_drop_len",
        [DPC_NH_BASE + NH_DROP_NO_LOCATOR] = "out_drop_no_locator",
        [DPC_NH_BASE + NH_DROP_OS_RS] = "out_drop_os_rs",
        [DPC_NH_BASE + NH_DROP_MLD] = "out_drop_mld",
        [DPC_NH_BASE + NH_DROP_DAD] = "out_drop_dad",
        [DPC_NH_BASE + NH_DROP_MULTICAST] = "out_drop_multicast",
        [DPC_NH_BASE + NH_DROP_SRC_BAD] = "out_drop_src_bad",
        [DPC_NH_BASE + NH_DROP_NO_ROUTE] = "out_drop_no_route",
        [DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP] = "out_drop_bogus_nexthop",
        [DPC_NH_BASE + NH_DROP_TOO_BIG] = "out_drop_too_big",
        [DPC_NH_BASE + NH_DROP_6TO4_RELAY] = "out_drop_6to4_relay",
        [DPC_NH_BASE + NH_DROP_DST_OWN_LOCATOR] = "out_drop_dst_own_locator",
        [DPC_NH_BASE + NH_DROP_SRC_OWN_6TO4] = "out_drop_src_own_6to4",
        [DPC_NH_BASE + NH_DROP_SRC_OWN_LOCATOR] = "out_drop_src_own_locator",

        [DPC_OUT_TSO_PACKETS] = "out_tso_packets",
        [DPC_OUT_DROP_OFFLOAD] = "out_drop_offload",
        [DPC_IN_GRO_MERGED] = "in_gro_merged",
        [DPC_OUT_ICMP6_UNREACH] = "out_icmp6_unreach",
        [DPC_OUT_ICMP6_UNREACH_LIMITED] = "out_icmp6_unreach_limited",
        [DPC_OUT_ICMP6_UNREACH_UNSENT] = "out_icmp6_unreach_unsent",
        [DPC_IN_ECN_CE] = "in_ecn_ce",
        [DPC_IN_ECN_UNUSED] = "in_ecn_unused",
        [DPC_ND_NA_SENT] = "nd_na_sent",
        [DPC_ND_DROP_NOT_FROM_PRL] = "nd_drop_not_from_prl",
        [DPC_ND_DROP_IGNORED] = "nd_drop_ignored",
        [DPC_ND_DROP_INVALID] = "nd_drop_invalid",
        [DPC_ND_DROP_NS_NOT_OURS] = "nd_drop_ns_not_ours",
        [DPC_ND_RATE_LIMITED] = "nd_rate_limited",
        [DPC_ROUTE_CLASH] = "route_clash",
        [DPC_ADDR_REFUSED_PLEN] = "addr_refused_plen",
        [DPC_ADDR_REFUSED_SCOPE] = "addr_refused_scope",
        [DPC_ADDR_REFUSED_NOT_OURS] = "addr_refused_not_ours",
        [DPC_OUT_ICMP6_TOO_BIG] = "out_icmp6_too_big",
        [DPC_OUT_ICMP6_TOO_BIG_LIMITED] = "out_icmp6_too_big_limited",
        [DPC_OUT_ICMP6_TOO_BIG_UNSENT] = "out_icmp6_too_big_unsent",
        [DPC_FP_OUT_PUNT] = "fp_out_punt",
        [DPC_FP_OUT_FIB_PUNT] = "fp_out_fib_punt",
        [DPC_FP_IN_PUNT] = "fp_in_punt",
        [DPC_FP_HELPER_ERROR] = "fp_helper_error",
        [DPC_FP_OUT_GSO] = "fp_out_gso",
        [DPC_FP_IN_GSO] = "fp_in_gso",
};

/* NULL past DPC_COUNT: a newer datapath may report counters this side has
 * no name for, and the caller decides how to show them. */
const char *
dp_counter_name(unsigned idx)
{
	if (idx >= DPC_COUNT)
		return NULL;
	return dp_counter_names[idx];
}
