/*
 * What both programs share: the maps of bpf/fastpath_abi.h, the counter
 * helpers and the few kernel constants vmlinux.h does not carry (it holds
 * types and enums, not #defines).
 */
#ifndef ISATAP_BPF_FP_KERN_H
#define ISATAP_BPF_FP_KERN_H

#include "vmlinux.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpf/fastpath_abi.h"
#include "fp_slots.h"

_Static_assert(DPC_COUNT <= FP_STATS_SLOTS, "every dp_counter has a slot in fp_stats");

/* include/uapi/linux/pkt_cls.h */
#define TC_ACT_OK       0
#define TC_ACT_SHOT     2
#define TC_ACT_REDIRECT 7

/* include/uapi/linux/if_ether.h, socket.h */
#define ETH_HLEN         14
#define ETH_P_IP         0x0800
#define ETH_P_IPV6       0x86DD
#define FP_AF_INET       2
#define PACKET_OTHERHOST 3 /* include/uapi/linux/if_packet.h */

/* include/uapi/linux/bpf.h since Linux 6.3. vmlinux.h has it when the
 * kernel built on does (mk/bpf.mk says when not); whether the kernel the
 * program runs on takes it is asked at load (fp_decap_flags). */
#ifdef FP_VMLINUX_NO_DECAP_L3
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#endif

#define IPV4_HLEN    20
#define IPV6_HLEN    40
#define IPV4_MF      0x2000
#define IPV4_OFFMASK 0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_cfg);
} fp_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_PRL_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fp_prl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_PRL_MAX);
	__type(key, __u32);
	__type(value, struct fp_prl_count);
} fp_prl_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_LOCAL_MAX);
	__type(key, struct fp_in6);
	__type(value, __u32);
} fp_local SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_ONLINK_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_lpm6);
	__type(value, __u32);
} fp_onlink SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_ROUTE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_lpm6);
	__type(value, struct fp_route);
} fp_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_IFACE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fp_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_BCAST_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fp_bcast SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_STATS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} fp_stats SEC(".maps");

/*
 * Every buffer and helper argument the programs build lives here, not on
 * the stack: Linux 6.1's verifier, without CAP_PERFMON, refuses a store
 * of less than 8 octets into a stack slot that holds a spilled scalar
 * ("attempt to corrupt spilled pointer on stack", measured on Debian's
 * 6.1.0-57), which is what a struct or header built field by field on
 * the stack comes to; map values are not tracked that way. (With this,
 * and fp_ingress.h's bounds, the object loads there with CAP_BPF and
 * CAP_NET_ADMIN alone; 6.1 has no BPF_F_ADJ_ROOM_DECAP_L3_IPV6, so its
 * ingress decapsulates another way, fp_ingress.h in_strip_outer().) The keys of
 * map lookups are __u64 locals for the same reason (8-octet stores; a
 * __u32 key is their low half, the target being little-endian).
 * Per CPU, one entry per program: a tc program runs to its end on its
 * CPU with bottom halves off, and neither program runs inside the other.
 */
#define FP_SCRATCH_EGRESS  0
#define FP_SCRATCH_INGRESS 1

struct fp_scratch {
	__u8 ip4[IPV4_HLEN + 4]; /* ingress: the outer header */
	__u8 ip6[IPV6_HLEN];     /* the (inner) IPv6 header */
	__u8 l2[IPV4_HLEN + 4];  /* fp_l2_len()'s comparison */
	__u8 outer[IPV4_HLEN + 4];
	__u8 bytes[8]; /* small loads and stores */
	struct fp_lpm6 key;
	struct fp_in6 in6;
	struct bpf_fib_lookup fib;
	struct bpf_redir_neigh nh;
} __attribute__((aligned(8)));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct fp_scratch);
} fp_scratch SEC(".maps");

static __always_inline struct fp_scratch *
fp_get_scratch(__u64 which)
{
	return bpf_map_lookup_elem(&fp_scratch, &which);
}

/* Per-CPU: a plain add is exact. */
static __always_inline void
fp_count(__u64 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&fp_stats, &slot);

	if (v)
		*v += n;
}

static __always_inline const struct fp_cfg *
fp_get_cfg(void)
{
	__u64 zero = 0;

	return bpf_map_lookup_elem(&fp_cfg, &zero);
}

static __always_inline bool
fp_in_u32_set(void *map, __u64 key)
{
	return bpf_map_lookup_elem(map, &key) != NULL;
}

/* An LPM lookup of a whole address: the longest stored prefix covering
 * it (nexthop.c route_lookup() when the datapath keeps one route per
 * prefix; onlink_match() for the on-link prefixes). */
static __always_inline void *
fp_lpm_lookup(void *map, struct fp_scratch *sc, const __u8 *a)
{
	sc->key.prefixlen = 128;
	__builtin_memcpy(sc->key.addr, a, 16);
	return bpf_map_lookup_elem(map, &sc->key);
}

/*
 * Loops over stack or map arrays are unrolled (#pragma unroll): without
 * CAP_PERFMON the verifier refuses a pointer plus a variable index
 * (Spectre v1 sanitation), constants only.
 *
 * The program's view of the packet starts at the network header, read
 * with bpf_skb_load_bytes_relative(BPF_HDR_START_NET) into the stack:
 * never a packet pointer plus a variable, which the verifier refuses
 * without CAP_PERFMON, and no assumption about the linear part of a GRO
 * super-packet. Writes go through bpf_skb_store_bytes(), whose offsets
 * count from skb->data, the MAC header: fp_l2_len() finds how far the
 * network header is from it. 0 on the TUN (no MAC header) and on other
 * L3 devices, 14 on Ethernet; BPF_PROG_TEST_RUN hands a tc program an
 * Ethernet frame, so one object serves the kernel and the unit tests.
 * -1: neither (VLAN in the frame, or anything else): not ours to guess.
 */
static __always_inline bool
fp_same20(const __u8 *a, const __u8 *b)
{
	__u8 d = 0;

#pragma unroll
	for (int i = 0; i < IPV4_HLEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static __always_inline int
fp_l2_len(struct __sk_buff *skb, struct fp_scratch *sc, const __u8 *net)
{
	if (bpf_skb_load_bytes(skb, 0, sc->l2, IPV4_HLEN) == 0 && fp_same20(sc->l2, net))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, sc->l2, IPV4_HLEN) == 0 && fp_same20(sc->l2, net))
		return ETH_HLEN;
	return -1;
}

/* RFC 1071 over a 20-octet IPv4 header (options summed by the caller). */
static __always_inline __u32
fp_csum_add(__u32 sum, const __u8 *b, int n)
{
#pragma unroll
	for (int i = 0; i + 1 < n; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	return sum;
}

static __always_inline __u16
fp_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

#endif
