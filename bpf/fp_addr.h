/*
 * The address rules both programs ask, written for the BPF target: the
 * same predicates as proto/addr.c and the locator-set tests of
 * proto/decap.c and proto/nexthop.c, over byte arrays and network-order
 * IPv4 words. Each names the function it mirrors; tests/unit/
 * test_dp_fastpath_*.c hold the two to the same answers.
 */
#ifndef ISATAP_BPF_FP_ADDR_H
#define ISATAP_BPF_FP_ADDR_H

/* RFC 5214 §6.1: the ISATAP interface identifier {0|2}00:5efe:V4. */
#define ISATAP_OUI0  0x00
#define ISATAP_OUI2  0x5e
#define ISATAP_OUI3  0xfe
#define ISATAP_U_BIT 0x02

/* addr_is_isatap(): u bit either way, g bit clear. */
static __always_inline bool
fp_is_isatap(const __u8 *a)
{
	return (a[8] & ~ISATAP_U_BIT) == ISATAP_OUI0 && a[9] == 0 && a[10] == ISATAP_OUI2 &&
	       a[11] == ISATAP_OUI3;
}

/* addr_isatap_v4(): the embedded IPv4, network order, as it sits in a[]. */
static __always_inline __u32
fp_isatap_v4(const __u8 *a)
{
	__u32 v;

	__builtin_memcpy(&v, a + 12, 4);
	return v;
}

/* addr_is_linklocal64(): fe80::/64 exactly (RFC 4291 §2.5.6). */
static __always_inline bool
fp_is_ll64(const __u8 *a)
{
	return a[0] == 0xfe && a[1] == 0x80 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 &&
	       a[6] == 0 && a[7] == 0;
}

/* addr_is_linklocal(): fe80::/10. */
static __always_inline bool
fp_is_ll(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static __always_inline bool
fp_is_multicast(const __u8 *a)
{
	return a[0] == 0xff;
}

static __always_inline bool
fp_zero96(const __u8 *a)
{
	__u32 w0, w1, w2;

	__builtin_memcpy(&w0, a, 4);
	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	return (w0 | w1 | w2) == 0;
}

static __always_inline __u32
fp_low32(const __u8 *a)
{
	__u32 w;

	__builtin_memcpy(&w, a + 12, 4);
	return w;
}

/* addr_is_unspecified(), addr_is_loopback(). */
static __always_inline bool
fp_is_unspecified(const __u8 *a)
{
	return fp_zero96(a) && fp_low32(a) == 0;
}

static __always_inline bool
fp_is_loopback(const __u8 *a)
{
	return fp_zero96(a) && fp_low32(a) == bpf_htonl(1);
}

/* addr_is_v4compat(): ::/96 less :: and ::1. */
static __always_inline bool
fp_is_v4compat(const __u8 *a)
{
	return fp_zero96(a) && bpf_ntohl(fp_low32(a)) > 1;
}

/* addr_is_v4mapped(): ::ffff:0:0/96. */
static __always_inline bool
fp_is_v4mapped(const __u8 *a)
{
	__u32 w0, w1, w2;

	__builtin_memcpy(&w0, a, 4);
	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	return w0 == 0 && w1 == 0 && w2 == bpf_htonl(0xffff);
}

/* addr_v4_is_bogus(): 0/8, 127/8, 224/4 and 240/4 (255.255.255.255 in it). */
static __always_inline bool
fp_v4_is_bogus(__u32 v4)
{
	__u32 first = bpf_ntohl(v4) >> 24;

	return first == 0 || first == 127 || first >= 224;
}

/* nexthop.c is_6to4_relay(): 192.88.99.0/24 (RFC 3068 §2.3). */
static __always_inline bool
fp_v4_is_6to4_relay(__u32 v4)
{
	return (bpf_ntohl(v4) & 0xffffff00u) == 0xc0586300u;
}

/* locator_is_ours() / nh_v4_is_ours(): the current locator or one of the
 * set (RFC 5214 §6.2); retired[] is 0-padded and 0 is nobody's. */
static __always_inline bool
fp_locator_is_ours(const struct fp_cfg *cfg, __u32 v4)
{
	if (v4 == 0)
		return false;
	if (v4 == cfg->locator)
		return true;
#pragma unroll
	for (int i = 0; i < FP_RETIRED_MAX; i++)
		if (cfg->retired[i] != 0 && cfg->retired[i] == v4)
			return true;
	return false;
}

#endif
