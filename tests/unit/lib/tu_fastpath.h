/*
 * The kernel fast path (bpf/isatap.bpf.c) under BPF_PROG_TEST_RUN, for the
 * unit tests that hold its verdicts to proto/decap.c decap_check() and
 * proto/nexthop.c nh_lookup(): the real object, loaded through the
 * datapath's own skeleton, its maps filled from the very decap_ctx or
 * nh_ctx the user-space check is given, each packet run once through the
 * program and once through the check.
 *
 * The programs run in a network namespace of the test process's own
 * (unshare(CLONE_NEWNET): it has no name, nothing else can see or clash
 * with it, and it goes with the process), with lo up and three on-link
 * routes through it, 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24,
 * for the egress program's bpf_fib_lookup(): a next hop in them has a
 * route, any other has none. lo's MTU is 1500 there, an Ethernet's.
 *
 * Needs root (CAP_SYS_ADMIN for the namespace, CAP_BPF and CAP_NET_ADMIN
 * for the programs); tu_fp_open() says why not.
 */
#ifndef ISATAP_TESTS_TU_FASTPATH_H
#define ISATAP_TESTS_TU_FASTPATH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "decap.h"
#include "nexthop.h"

#define TU_FP_SLOTS   128  /* FP_STATS_SLOTS */
#define TU_FP_PKT_MAX 2048 /* the packets the tests run */
#define TU_FP_TTL     64
#define TU_FP_EXT_MAX 4    /* fp_ingress.h IN_EXT_MAX */
#define TU_FP_IFINDEX 1    /* lo: the test run's device, in fp_ifaces */
#define TU_FP_LO_MTU  1500 /* lo in the namespace: an Ethernet's */

/* tc verdicts (linux/pkt_cls.h). */
#define TU_TC_ACT_OK       0
#define TU_TC_ACT_SHOT     2
#define TU_TC_ACT_REDIRECT 7

/* Without the fast path, why not (mk/bpf.mk defines it on Linux). */
#ifndef FASTPATH_NOT_BUILT
#define FASTPATH_NOT_BUILT "no BPF on this system"
#endif

struct tu_fp;

/* NULL and why[] when the programs cannot be run here. The ingress
 * program decapsulates as the datapath would have it do on this kernel
 * (fastpath_kernel_decap_flags()), or, tu_fp_open_decap(), with
 * bpf_skb_adjust_room()'s BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (flags: Linux 6.3)
 * or without (bpf_skb_change_proto(), as on 6.1). */
struct tu_fp *tu_fp_open(char *why, size_t n);
struct tu_fp *tu_fp_open_decap(bool flags, char *why, size_t n);
void tu_fp_close(struct tu_fp *fp);

/* Loads the skeleton again in a child that has dropped to uid 65534 with
 * CAP_BPF and CAP_NET_ADMIN alone, as a datapath may load it: 0 when it
 * loads, 1 when the kernel refuses it (libbpf prints the verifier's log),
 * 2 when the child could not drop. */
int tu_fp_load_as_unprivileged(void);

/* A test that cannot run: prints "SKIPPED: name: why" and returns the exit
 * status: 0, or 1 under CI=true, where a skip would hide a regression. */
int tu_fp_skip(const char *name, const char *why);

/* What else the maps hold besides a context. */
struct tu_fp_extra {
	bool disabled;               /* FP_F_ENABLED clear */
	bool link_down;              /* FP_F_LINK_UP clear */
	const struct in_addr *bcast; /* the host's IPv4 broadcasts (fp_bcast) */
	size_t n_bcast;
	uint32_t mtu; /* fp_cfg.mtu; 0: none */
	/* fp_prl_stats entries (zeroed) besides a decap_ctx's PRL */
	const struct in_addr *prl;
	size_t n_prl;
};

/* Fill the maps (emptied first) from a context. */
void tu_fp_load_decap(struct tu_fp *fp, const struct decap_ctx *ctx, const struct tu_fp_extra *x);
void tu_fp_load_nh(struct tu_fp *fp, const struct nh_ctx *ctx, const struct tu_fp_extra *x);

/* fp_prl_stats for router, summed over the CPUs; false: no entry. */
bool tu_fp_prl_count(struct tu_fp *fp, struct in_addr router, uint64_t *in, uint64_t *out);

/* What one run did: the verdict, every counter slot's increase, the
 * packet as it left (Ethernet frame). */
struct tu_fp_result {
	int action;
	uint64_t delta[TU_FP_SLOTS];
	uint8_t out[TU_FP_PKT_MAX + 64];
	size_t out_len;
};

/* An outer IPv4 datagram through isatap_ingress, an IPv6 packet through
 * isatap_egress; each in an Ethernet frame, as test runs are. */
void tu_fp_run_ingress(struct tu_fp *fp, const uint8_t *dgram, size_t len, struct tu_fp_result *r);
void tu_fp_run_egress(struct tu_fp *fp, const uint8_t *pkt, size_t len, struct tu_fp_result *r);
/* A whole Ethernet frame of the test's making. */
void tu_fp_run_frame(struct tu_fp *fp, bool egress, const uint8_t *frame, size_t len,
                     struct tu_fp_result *r);
/* The same as a GSO super-packet (the test run sets gso_size and gso_segs,
 * not gso_type). */
void tu_fp_run_gso(struct tu_fp *fp, bool egress, const uint8_t *p, size_t len, uint32_t gso_size,
                   uint32_t gso_segs, struct tu_fp_result *r);

/*
 * What the program must do, from the user-space check's verdict and the
 * division of labour bpf/fp_ingress.h and fp_egress.h document: the same
 * verdict gives the same action and the same counter slot, and what the
 * program leaves to user space is counted once, there. The out[] of an
 * accept is what user space would have written into the TUN (ECN
 * updated); of an encapsulation, the datagram it would have sent.
 */
struct tu_fp_expect {
	int action;
	uint64_t delta[TU_FP_SLOTS];
	int verdict; /* decap_check() / nh_lookup() said */
	uint8_t out[TU_FP_PKT_MAX + 64];
	size_t out_len;          /* 0: out not compared */
	struct in_addr next_hop; /* egress, NH_OK */
};

void tu_fp_expect_ingress(const struct decap_ctx *ctx, const struct tu_fp_extra *x,
                          const uint8_t *dgram, size_t len, struct tu_fp_expect *e);
void tu_fp_expect_egress(const struct nh_ctx *ctx, const struct tu_fp_extra *x, const uint8_t *pkt,
                         size_t len, struct tu_fp_expect *e);

/* True when r is e; else false and msg[] says how they differ. */
bool tu_fp_same(const struct tu_fp_expect *e, const struct tu_fp_result *r, char *msg, size_t n);

/* Runs and compares in one go; fails the test with both verdicts named.
 * Returns the program's action, for the test's own assertion, or
 * TU_FP_NOT_RUN for a packet shorter than its IP header, which
 * BPF_PROG_TEST_RUN refuses (EINVAL; on Ethernet such a frame arrives
 * padded to 46 octets of payload anyway). */
#define TU_FP_NOT_RUN (-1)
int tu_fp_check_ingress(struct tu_fp *fp, const struct decap_ctx *ctx, const struct tu_fp_extra *x,
                        const uint8_t *dgram, size_t len, const char *what);
int tu_fp_check_egress(struct tu_fp *fp, const struct nh_ctx *ctx, const struct tu_fp_extra *x,
                       const uint8_t *pkt, size_t len, const char *what);

#endif
