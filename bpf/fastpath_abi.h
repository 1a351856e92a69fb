/*
 * The contract between the kernel fast path (bpf/isatap.bpf.c, two tc
 * programs) and the datapath that loads it (datapath/fastpath_linux.c):
 * map names, key and value layouts, flags and counter slots. Included by
 * both sides; only fixed-width kernel types, so that the BPF build (types
 * from vmlinux.h) and the user-space build (<linux/types.h>) agree.
 *
 * The datapath owns every map and fills it from the state it keeps for the
 * user-space path (struct dp): one source of truth, two consumers. The
 * programs never write a map but fp_stats and fp_prl_stats.
 *
 * The object is built into $(BUILD)/bpf/isatap.bpf.o and its skeleton
 * $(BUILD)/bpf/isatap.skel.h (mk/bpf.mk): struct isatap_bpf,
 * isatap_bpf__open()/__load()/__destroy(); programs
 * skel->progs.isatap_egress and skel->progs.isatap_ingress (SEC("tc"));
 * maps skel->maps.<name> with the names below.
 */
#ifndef ISATAP_BPF_FASTPATH_ABI_H
#define ISATAP_BPF_FASTPATH_ABI_H

/* Sizes: the datapath's own tables (proto/msg.h). */
#define FP_PRL_MAX     16 /* MSG_PRL_MAX */
#define FP_LOCAL_MAX   32 /* MSG_ADDR_MAX */
#define FP_ROUTE_MAX   64 /* MSG_ROUTE_MAX */
#define FP_ONLINK_MAX  16 /* MSG_ONLINK_MAX */
#define FP_RETIRED_MAX 3  /* DP_RETIRED_MAX */
#define FP_IFACE_MAX   16 /* IPv4 interfaces the ingress program may sit on */
#define FP_BCAST_MAX   16 /* DP_BCAST_MAX */

/* fp_cfg.flags */
#define FP_F_ENABLED (1u << 0) /* clear while the maps are rebuilt: punt all */
#define FP_F_ROUTER  (1u << 1) /* --router: RFC 6324 §3.2.3 checks, forward */
#define FP_F_LINK_UP (1u << 2) /* control has set the link up */

/* "fp_cfg": BPF_MAP_TYPE_ARRAY, one entry, key 0. Addresses in network
 * order. */
struct fp_cfg {
	__u32 flags;
	__u32 tun_ifindex;             /* ingress redirects here (BPF_F_INGRESS) */
	__u32 locator;                 /* 0: none, everything punts */
	__u32 retired[FP_RETIRED_MAX]; /* rest of the locator set, 0-padded */
	__u32 mtu;                     /* the TUN's: longer inner packets punt (PTB) */
	__u8 ttl;                      /* outer TTL */
	__u8 pad[3];
	__u32 generation; /* bumped by the datapath on every rebuild */
};

/* "fp_prl": BPF_MAP_TYPE_HASH, key __u32 router IPv4 (network order),
 * value __u32 (reserved, 0). RFC 5214 §7.3's "outer source is in the PRL". */

/* "fp_prl_stats": BPF_MAP_TYPE_PERCPU_HASH, key __u32 router IPv4
 * (network order), value struct fp_prl_count: what the programs carried
 * from and to each PRL router (dp->prl_in[], prl_out[]: control's router
 * reachability, RFC 4861 §7.3.1 forward progress). The datapath inserts a
 * zeroed entry per PRL router; the programs only add to existing entries,
 * never insert. */
struct fp_prl_count {
	__u64 in_packets;  /* accepted and redirected into the TUN */
	__u64 out_packets; /* encapsulated to this router as next hop */
};

/* "fp_bcast": BPF_MAP_TYPE_HASH, key __u32 (network order), value __u32
 * (reserved, 0): the host's IPv4 broadcast addresses (dp->bcast[]). An
 * outer source there is DECAP_DROP_OUTER_SRC_BOGUS; a next hop there is
 * left to user space (NH_DROP_BOGUS_NEXTHOP). */

/* "fp_local": BPF_MAP_TYPE_HASH, key struct fp_in6 (an address assigned to
 * the interface), value __u32 (reserved, 0). Inner destination check. */
struct fp_in6 {
	__u8 a[16];
};

/* "fp_onlink": BPF_MAP_TYPE_LPM_TRIE (BPF_F_NO_PREALLOC), key
 * struct fp_lpm6, value __u32 (reserved, 0): on-link ISATAP prefixes. */
/* "fp_routes": BPF_MAP_TYPE_LPM_TRIE (BPF_F_NO_PREALLOC), key
 * struct fp_lpm6, value struct fp_route: the longest match wins; for one
 * prefix the datapath stores only its lowest-metric route (nh_lookup()'s
 * tie rule). */
struct fp_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct fp_route {
	__u32 via; /* router IPv4, network order */
	__u32 metric;
};

/* "fp_ifaces": BPF_MAP_TYPE_HASH, key __u32 ifindex of an IPv4 interface
 * carrying a locator, value __u32 (reserved, 0). Ingress on any other
 * interface punts. */

/*
 * "fp_stats": BPF_MAP_TYPE_PERCPU_ARRAY of __u64, FP_STATS_SLOTS entries.
 * Slots 0 .. FP_STATS_SLOTS-1 are enum dp_counter indices
 * (proto/counters.h): the programs count what they carry and what they
 * drop in the very slots the user-space path uses (DPC_OUT_PACKETS,
 * DPC_DECAP_BASE + verdict, DPC_NH_BASE + verdict, ...), so the datapath
 * adds the two and `isatapctl stats` reads one set. The fast path's own
 * counters (punts, helper failures) are dp_counter entries too, appended
 * there.
 */
#define FP_STATS_SLOTS 128 /* MSG_COUNTERS_MAX */

#endif
