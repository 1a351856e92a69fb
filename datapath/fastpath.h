/*
 * The kernel fast path as the datapath sees it (Linux tc-BPF: bpf/isatap.bpf.c,
 * the maps of bpf/fastpath_abi.h). The user-space path stays whole: it is the
 * slow path for whatever the programs punt (Neighbor Discovery, fragments,
 * anything they do not fully understand, everything while the maps are
 * rebuilt) and the only path when the fast path is off.
 *
 * One source of truth: the maps are filled from struct dp, never from a
 * request of control's directly, after every change of it (fastpath_sync()).
 *
 * fastpath_linux.c: libbpf and the skeleton (HAVE_FASTPATH); without them
 * fastpath_none_linux.c says why; fastpath_darwin.c: none on macOS. The three
 * give the same answers to the same calls, and a struct fastpath that is
 * off is still one: it carries the reason, for the log and the status.
 * fastpath_maps.c: struct dp turned into map contents, pure.
 */
#ifndef ISATAP_DATAPATH_FASTPATH_H
#define ISATAP_DATAPATH_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ABI's kernel types: <linux/types.h> on Linux, the same widths on
 * macOS, which has no BPF (fastpath_maps.c is built and tested there too). */
#ifdef __linux__
#include <linux/types.h>
#else
typedef uint8_t __u8;
typedef uint32_t __u32;
typedef uint64_t __u64;
#endif
#include "bpf/fastpath_abi.h"
#include "dp.h"

struct fastpath;
struct netcfg;

struct fastpath_opts {
	bool enabled;      /* false: --no-fastpath, nothing is tried */
	bool verbose;      /* libbpf's messages (the verifier's log) at debug level */
	struct netcfg *nc; /* finds the IPv4 interfaces carrying the locators */
};

/*
 * During set-up, before the sandbox, with CAP_BPF and CAP_NET_ADMIN (or
 * root): loads the programs, fills the maps from dp and attaches them
 * (egress on dp's TUN, ingress on every IPv4 interface carrying one of
 * dp's locators). Never fatal: on any failure nothing stays attached, the
 * reason is logged in one line and kept, and the user-space path carries
 * everything. Only out of memory returns -ENOMEM; *out is set otherwise.
 */
int fastpath_open(struct fastpath **out, const struct dp *dp, const struct fastpath_opts *o);
/* After every change of dp's locators, PRL, addresses, routes, on-link
 * prefixes, MTU or link state, and (v4_changed) of the host's IPv4
 * addresses: the maps follow, ingress moves with the locators. Needs no capability for the
 * maps; CAP_NET_ADMIN to attach to another interface. */
void fastpath_sync(struct fastpath *fp, const struct dp *dp, bool v4_changed);
/* Adds the fast path's counters (summed over the CPUs) to v[0..n). */
void fastpath_add_counters(const struct fastpath *fp, uint64_t *v, size_t n);
/* Adds what the programs carried from and to each PRL router to st (the
 * user-space path's MSG_PRL_STATS): control's router reachability. */
void fastpath_add_prl_stats(const struct fastpath *fp, struct msg_prl_stats *st);
/* "built", or why not ("not built: libbpf not installed (libbpf-dev)", "none
 * on this system"): for --version. */
const char *fastpath_built(void);
/* Programs attached and carrying traffic (the sandbox then allows the
 * bpf() and netlink calls fastpath_sync() makes). */
bool fastpath_active(const struct fastpath *fp);
/* What status shows (MSG_FASTPATH): active or why not, the interfaces,
 * the generation, and the fast path's share of the counters. */
void fastpath_get_status(const struct fastpath *fp, struct msg_fastpath *m);
/* Detaches our programs (only ours: by program id), removes the clsact
 * qdiscs we created (never one that was there before), frees the maps. */
void fastpath_close(struct fastpath *fp);

/* ---- fastpath_maps.c: dp -> map contents, pure ------------------------------- */

/* Everything the maps hold, in the order the datapath writes it. */
struct fp_image {
	struct fp_cfg cfg;
	__u32 prl[FP_PRL_MAX];
	size_t n_prl;
	struct fp_in6 local[FP_LOCAL_MAX];
	size_t n_local;
	struct fp_lpm6 onlink[FP_ONLINK_MAX];
	size_t n_onlink;
	struct fp_lpm6 route_key[FP_ROUTE_MAX];
	struct fp_route route[FP_ROUTE_MAX];
	size_t n_routes;
	__u32 ifaces[FP_IFACE_MAX];
	size_t n_ifaces;
	__u32 bcast[FP_BCAST_MAX];
	size_t n_bcast;
};

/*
 * The image of dp: cfg (flags without FP_F_ENABLED: the writer sets it
 * last), the PRL (also the keys of fp_prl_stats), the local addresses, the
 * host's IPv4 broadcast addresses, the on-link prefixes, and for each
 * prefix only its lowest-metric route (nh_lookup()'s tie rule: the first
 * of equals in table order). ifaces[] are the ifindexes of the IPv4
 * interfaces carrying the locators, given by the caller (no kernel here).
 */
void fp_image_build(struct fp_image *im, const struct dp *dp, const uint32_t *ifaces,
                    size_t n_ifaces);

/* Keys of old that new lacks, per hash/trie map: what the writer deletes
 * after writing new's entries. Each returns how many it put in out. */
size_t fp_image_gone_prl(const struct fp_image *old, const struct fp_image *nu, __u32 *out);
size_t fp_image_gone_local(const struct fp_image *old, const struct fp_image *nu,
                           struct fp_in6 *out);
size_t fp_image_gone_onlink(const struct fp_image *old, const struct fp_image *nu,
                            struct fp_lpm6 *out);
size_t fp_image_gone_routes(const struct fp_image *old, const struct fp_image *nu,
                            struct fp_lpm6 *out);
size_t fp_image_gone_ifaces(const struct fp_image *old, const struct fp_image *nu, __u32 *out);
size_t fp_image_gone_bcast(const struct fp_image *old, const struct fp_image *nu, __u32 *out);

/*
 * Whether two images are the same, generation aside: nothing to write.
 * Images are built whole (fp_image_build() zeroes first), so padding
 * compares too.
 */
bool fp_image_same(const struct fp_image *a, const struct fp_image *b);

#endif
