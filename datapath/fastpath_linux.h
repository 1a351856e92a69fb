/*
 * The kernel fast path on Linux, inside: what fastpath_linux.c (loading,
 * the maps, the interface of fastpath.h) and fastpath_tc_linux.c (our
 * filters on the interfaces) share. Only with HAVE_FASTPATH.
 */
#ifndef ISATAP_DATAPATH_FASTPATH_LINUX_H
#define ISATAP_DATAPATH_FASTPATH_LINUX_H

#include <sys/types.h>

#include <bpf/libbpf.h>

#include "fastpath.h"

#include "isatap.skel.h" /* $(BUILD)/bpf, mk/bpf.mk */

#define FP_TC_HANDLE 0x5efe
#define FP_TC_PRIO   41
/* The oldest kernel whose verifier and helpers the programs are known to
 * take (Debian 12's 6.1: tests/systemd-check loads them there; the helpers
 * they need, bpf_redirect_neigh() and bpf_fib_lookup(), are older). */
#define FP_MIN_KERNEL "6.1"

_Static_assert(MSG_FP_IFACE_MAX == FP_IFACE_MAX, "status lists every ingress interface");

enum fp_map {
	FPM_CFG,
	FPM_PRL,
	FPM_PRL_STATS,
	FPM_LOCAL,
	FPM_BCAST,
	FPM_ONLINK,
	FPM_ROUTES,
	FPM_IFACES,
	FPM_STATS,
	FPM_N
};

/* One interface our program sits on. */
struct fp_hook {
	unsigned ifindex;
	bool qdisc_ours; /* we created its clsact: it goes with us */
	char name[MSG_IFNAMSIZ];
};

struct fastpath {
	bool active;
	char reason[MSG_FP_REASON_MAX];
	struct netcfg *nc;

	struct isatap_bpf *skel;
	int map[FPM_N];
	/* An ARRAY_OF_MAPS no program reads: updating it with an inner map
	 * waits for an RCU grace period (kernel/bpf/syscall.c
	 * maybe_wait_bpf_programs(); the kernel's own selftests use it so,
	 * prog_tests/btf_map_in_map.c), so that when it returns no program
	 * still runs on what it read before. */
	int grace_fd, grace_inner_fd;
	__u32 eg_id, in_id; /* our programs' ids: what we detach */

	struct fp_hook egress;
	struct fp_hook ingress[FP_IFACE_MAX];
	size_t n_ingress;

	/* The locator set whose interfaces were last looked up, and those. */
	__u32 if_of[1 + FP_RETIRED_MAX];
	uint32_t ifs[1 + FP_RETIRED_MAX];
	size_t n_ifs;

	struct fp_image img; /* what the maps hold */
	uint32_t generation;
	int ncpus;
	__u64 *percpu;                   /* one fp_stats value: a counter per possible CPU */
	struct fp_prl_count *prl_percpu; /* one fp_prl_stats value */
};

/* fastpath_btf_linux.c: 1 when the running kernel's bpf_skb_adjust_room()
 * takes BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (Linux 6.3), 0 when it does not,
 * -errno when its BTF cannot be read. */
int fastpath_kernel_decap_flags(void);

/* fastpath_tc_linux.c */
/* Our filter at FP_TC_HANDLE/FP_TC_PRIO on hk's interface, replacing what
 * is there; the clsact made first when there is none (hk->qdisc_ours). */
int fp_hook_attach(struct fp_hook *hk, enum bpf_tc_attach_point where, int prog_fd);
/* Our filter off if it is still prog_id, and the clsact if we made it. */
void fp_hook_detach(struct fp_hook *hk, enum bpf_tc_attach_point where, __u32 prog_id);
void fp_hook_name(struct fastpath *fp, struct fp_hook *hk);
/* The interfaces of dp's locator set into fp->ifs (looked up again when
 * the set or, v4_changed, the host's IPv4 addresses changed). */
void fp_locate(struct fastpath *fp, const struct dp *dp, bool v4_changed);
/* Ingress on every interface of nu->ifaces and no other; those it cannot
 * attach to leave nu->ifaces. */
void fp_follow(struct fastpath *fp, struct fp_image *nu);
/* A killed predecessor's ingress filters replaced by ours. */
void fp_take_over(struct fastpath *fp);

#endif
