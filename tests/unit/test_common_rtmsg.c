/*
 * common/rtmsg.c: XNU routing-socket messages. The kernel's messages are
 * written here byte by byte from the layouts of the macOS SDK (net/route.h,
 * net/if.h: rt_msghdr 92 octets, if_msghdr 112, ifa_msghdr 20; the fixed
 * fields in the host's byte order; sockaddrs padded to 4, a zero-length one
 * taking 4), not with rtmsg.c's own helpers.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtmsg.h"
#include "tests/unit/lib/tu.h"

/* A message being written: fields at their SDK offsets. */
struct kmsg {
	uint8_t b[512];
	size_t len;
};

static void
k16(struct kmsg *k, size_t off, uint16_t v)
{
	memcpy(k->b + off, &v, 2);
}

static void
k32(struct kmsg *k, size_t off, int32_t v)
{
	memcpy(k->b + off, &v, 4);
}

/* Starts a message of type with a fixed header of hlen octets. */
static void
kstart(struct kmsg *k, uint8_t type, size_t hlen)
{
	memset(k, 0, sizeof(*k));
	k->b[2] = 5; /* RTM_VERSION */
	k->b[3] = type;
	k->len = hlen;
}

static void
kend(struct kmsg *k)
{
	k16(k, 0, (uint16_t)k->len);
}

/* A sockaddr of sa_len len (family fam, then body), padded to 4. */
static void
ksa(struct kmsg *k, uint8_t len, uint8_t fam, const void *body, size_t blen)
{
	k->b[k->len] = len;
	if (len >= 2)
		k->b[k->len + 1] = fam;
	if (blen > 0)
		memcpy(k->b + k->len + 2, body, blen);
	k->len += len == 0 ? 4 : ((size_t)len + 3) / 4 * 4;
}

static void
ksin6(struct kmsg *k, const char *a, uint32_t scope)
{
	uint8_t body[26] = {0};
	struct in6_addr x = tu_a6(a);

	memcpy(body + 6, &x, 16);
	memcpy(body + 22, &scope, 4);
	ksa(k, 28, 30, body, sizeof(body));
}

static void
ksin(struct kmsg *k, const char *a)
{
	uint8_t body[14] = {0};
	struct in_addr x = tu_a4(a);

	memcpy(body + 2, &x, 4);
	ksa(k, 16, 2, body, sizeof(body));
}

/* A sockaddr_dl for ifindex with an interface name, as the kernel writes
 * a route's gateway or RTA_IFP: sdl_len 20 + room for the name. */
static void
ksdl(struct kmsg *k, uint16_t ifindex, const char *name)
{
	uint8_t body[30] = {0};
	size_t n = strlen(name);

	memcpy(body, &ifindex, 2);
	body[2] = 0; /* IFT_OTHER */
	body[3] = (uint8_t)n;
	memcpy(body + 6, name, n);
	ksa(k, (uint8_t)(n > 12 ? 8 + n : 20), 18, body, sizeof(body) - 2);
}

/* The kernel's announcement of ::/1 added on utun4 (index 17) by pid 321:
 * DST, GATEWAY (AF_LINK), NETMASK trimmed after its one non-zero octet. */
static void
route_added(struct kmsg *k)
{
	uint8_t mask[7] = {0, 0, 0, 0, 0, 0, 0x80};

	kstart(k, 1, 92);
	k16(k, 4, 17);
	k32(k, 8, 0x1 | 0x800);
	k32(k, 12, 0x1 | 0x2 | 0x4);
	k32(k, 16, 321);
	k32(k, 20, 7);
	ksin6(k, "::", 0);
	ksdl(k, 17, "utun4");
	ksa(k, 9, 30, mask, sizeof(mask));
	kend(k);
}

static void
test_parse_route(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	struct in6_addr a;
	size_t used;

	(void)state;
	route_added(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(used, k.len);
	assert_int_equal(m.type, RTMSG_ADD);
	assert_int_equal(m.index, 17);
	assert_int_equal(m.flags, RTMSG_F_UP | RTMSG_F_STATIC);
	assert_int_equal(m.pid, 321);
	assert_int_equal(m.seq, 7);
	assert_true(rtmsg_in6(&m, RTMSG_AX_DST, &a, NULL));
	assert_memory_equal(&a, &in6addr_any, 16);
	assert_int_equal(rtmsg_link_index(&m, RTMSG_AX_GATEWAY), 17);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET6), 1);
	/* Neither IPv4 nor absent sockaddrs read as addresses. */
	assert_false(rtmsg_in6(&m, RTMSG_AX_GATEWAY, &a, NULL));
	assert_false(rtmsg_in6(&m, RTMSG_AX_IFA, &a, NULL));
	assert_int_equal(rtmsg_link_index(&m, RTMSG_AX_DST), 0);
}

/* The default route's mask is all zeros: the kernel sends it empty, and
 * an empty sockaddr still takes 4 octets before the next one. */
static void
test_parse_default_empty_mask(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	struct in_addr gw;
	size_t used;

	(void)state;
	kstart(&k, 4, 92);
	k32(&k, 8, 0x1 | 0x2);
	k32(&k, 12, 0x1 | 0x2 | 0x4 | 0x10);
	ksin(&k, "0.0.0.0");
	ksin(&k, "192.0.2.254");
	ksa(&k, 0, 0, NULL, 0);
	ksdl(&k, 4, "en0");
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET), 0);
	assert_true(rtmsg_in4(&m, RTMSG_AX_GATEWAY, &gw));
	assert_int_equal(gw.s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(rtmsg_link_index(&m, RTMSG_AX_IFP), 4);
	/* No netmask at all: a host route. */
	k32(&k, 12, 0x1);
	k16(&k, 0, 92 + 16);
	assert_int_equal(rtmsg_parse(k.b, 92 + 16, &m, &used), RTMSG_OK);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET), 32);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET6), 128);
}

/* fe80:0011::1 in the kernel is fe80::1 on interface 17 (KAME). */
static void
test_parse_embedded_scope(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	struct in6_addr a, want;
	uint32_t scope = 99;
	size_t used;

	(void)state;
	kstart(&k, 2, 92);
	k32(&k, 12, 0x1);
	ksin6(&k, "fe80:11::1", 0);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_in6(&m, RTMSG_AX_DST, &a, &scope));
	want = tu_a6("fe80::1");
	assert_memory_equal(&a, &want, 16);
	assert_int_equal(scope, 0x11);
	/* A global address keeps octets 2-3; the scope is sin6_scope_id. */
	kstart(&k, 2, 92);
	k32(&k, 12, 0x1);
	ksin6(&k, "2001:db8::1", 5);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_in6(&m, RTMSG_AX_DST, &a, &scope));
	want = tu_a6("2001:db8::1");
	assert_memory_equal(&a, &want, 16);
	assert_int_equal(scope, 5);
}

/* RTM_IFINFO (wireguard-go reads the flags and the MTU at the same
 * offsets) and RTM_NEWADDR with RTA_NETMASK | RTA_IFA | RTA_BRD. */
static void
test_parse_ifinfo_newaddr(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	struct in_addr a;
	size_t used;

	(void)state;
	kstart(&k, 14, 112);
	k32(&k, 8, 0x1 | 0x10 | 0x40); /* IFF_UP | IFF_POINTOPOINT | IFF_RUNNING */
	k16(&k, 12, 17);
	k32(&k, 24, 1280);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(m.type, RTMSG_IFINFO);
	assert_int_equal(m.index, 17);
	assert_int_equal(m.flags & 0x1, 0x1);
	assert_int_equal(m.mtu, 1280);

	kstart(&k, 12, 20);
	k32(&k, 4, 0x4 | 0x20 | 0x80);
	k16(&k, 12, 4);
	ksa(&k, 8, 0, (uint8_t[]){0, 0, 0xff, 0xff, 0xff, 0}, 6); /* /24, trimmed */
	ksin(&k, "192.0.2.1");
	ksin(&k, "192.0.2.255");
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(m.type, RTMSG_NEWADDR);
	assert_int_equal(m.index, 4);
	assert_int_equal(rtmsg_family(&m, RTMSG_AX_IFA), RTMSG_AF_INET);
	assert_true(rtmsg_in4(&m, RTMSG_AX_IFA, &a));
	assert_int_equal(a.s_addr, tu_a4("192.0.2.1").s_addr);
	assert_true(rtmsg_in4(&m, RTMSG_AX_BRD, &a));
	assert_int_equal(a.s_addr, tu_a4("192.0.2.255").s_addr);
	/* The mask's family octet is 0: its length decides, not its family. */
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET), 24);
}

/* A sysctl dump: messages back to back; one of a type we do not read is
 * stepped over by its length. */
static void
test_parse_several(void **state)
{
	struct kmsg a, b;
	uint8_t buf[1024];
	struct rtmsg m;
	size_t used, off = 0;
	unsigned types[3], n = 0;

	(void)state;
	route_added(&a);
	kstart(&b, 7, 92); /* RTM_MISS */
	kend(&b);
	memcpy(buf, a.b, a.len);
	memcpy(buf + a.len, b.b, b.len);
	memcpy(buf + a.len + b.len, a.b, a.len);
	while (off < a.len * 2 + b.len && n < 3) {
		enum rtmsg_err e = rtmsg_parse(buf + off, a.len * 2 + b.len - off, &m, &used);

		assert_true(e == RTMSG_OK || e == RTMSG_UNKNOWN);
		types[n++] = e == RTMSG_OK ? m.type : 0;
		off += used;
	}
	assert_int_equal(n, 3);
	assert_int_equal(types[0], RTMSG_ADD);
	assert_int_equal(types[1], 0);
	assert_int_equal(types[2], RTMSG_ADD);
	assert_int_equal(off, a.len * 2 + b.len);
}

static void
test_parse_hostile(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	size_t used;

	(void)state;
	route_added(&k);
	/* Cut short: the header says more than there is. */
	assert_int_equal(rtmsg_parse(k.b, k.len - 1, &m, &used), RTMSG_SHORT);
	assert_int_equal(rtmsg_parse(k.b, 3, &m, &used), RTMSG_SHORT);
	/* A length shorter than the fixed header. */
	k16(&k, 0, 40);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_BAD_LEN);
	k16(&k, 0, 2);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_BAD_LEN);
	/* A sockaddr claiming to run past the message. */
	route_added(&k);
	k.b[92] = 200;
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_BAD_SA);
	/* More address bits than sockaddrs. */
	route_added(&k);
	k32(&k, 12, 0x1 | 0x2 | 0x4 | 0x10 | 0x20);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_BAD_SA);
	/* Another version. */
	route_added(&k);
	k.b[2] = 4;
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_BAD_VERSION);
	/* Bits beyond RTAX_MAX are ignored, not read. */
	route_added(&k);
	k32(&k, 12, 0x7 | 0x100 | 0x40000000);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(m.addrs, 0x7);
	/* A mask with a hole is no prefix. */
	kstart(&k, 1, 92);
	k32(&k, 12, 0x1 | 0x4);
	ksin6(&k, "2001:db8::", 0);
	ksa(&k, 10, 30, (uint8_t[]){0, 0, 0, 0, 0, 0, 0xff, 0x0f}, 8);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET6), -1);
}

/* RTM_ADD of 2001:db8:1::/64 on index 17, octet for octet as route(8)
 * would send `route add -inet6 2001:db8:1::/64 -interface utun4`, with
 * the mask at its full length. */
static void
test_build_add(void **state)
{
	uint8_t buf[RTMSG_REQ_MAX];
	struct kmsg k;
	struct in6_addr p = tu_a6("2001:db8:1::");
	uint8_t mask[26] = {0};
	size_t n;

	(void)state;
	n = rtmsg_route6(buf, sizeof(buf), RTMSG_ADD, 42, 1000, &p, 64, 17);
	kstart(&k, 1, 92);
	k32(&k, 8, 0x1 | 0x800);
	k32(&k, 12, 0x1 | 0x2 | 0x4);
	k32(&k, 16, 1000);
	k32(&k, 20, 42);
	ksin6(&k, "2001:db8:1::", 0);
	ksa(&k, 20, 18, &(uint16_t){17}, 2);
	memset(mask + 6, 0xff, 8);
	ksa(&k, 28, 30, mask, sizeof(mask));
	kend(&k);
	assert_int_equal(n, 92 + 28 + 20 + 28);
	assert_int_equal(n, k.len);
	assert_memory_equal(buf, k.b, n);
}

/* RTM_DELETE names the prefix only; RTM_GET asks for the interface; both
 * read back as what they say. */
static void
test_build_delete_get(void **state)
{
	uint8_t buf[RTMSG_REQ_MAX];
	struct in6_addr p = tu_a6("8000::"), a;
	struct rtmsg m;
	size_t n, used;

	(void)state;
	n = rtmsg_route6(buf, sizeof(buf), RTMSG_DELETE, 1, 2, &p, 1, 17);
	assert_int_equal(n, 92 + 28 + 28);
	assert_int_equal(rtmsg_parse(buf, n, &m, &used), RTMSG_OK);
	assert_int_equal(m.addrs, RTMSG_A(RTMSG_AX_DST) | RTMSG_A(RTMSG_AX_NETMASK));
	assert_true(rtmsg_in6(&m, RTMSG_AX_DST, &a, NULL));
	assert_memory_equal(&a, &p, 16);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET6), 1);

	p = in6addr_any;
	n = rtmsg_route6(buf, sizeof(buf), RTMSG_GET, 3, 2, &p, 0, 0);
	assert_int_equal(n, 92 + 28 + 28 + 20);
	assert_int_equal(rtmsg_parse(buf, n, &m, &used), RTMSG_OK);
	assert_int_equal(m.type, RTMSG_GET);
	assert_int_equal(m.addrs,
	                 RTMSG_A(RTMSG_AX_DST) | RTMSG_A(RTMSG_AX_NETMASK) | RTMSG_A(RTMSG_AX_IFP));
	/* A zero mask keeps its length: an empty one would end the list. */
	assert_int_equal(m.sa_len[RTMSG_AX_NETMASK], 28);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET6), 0);
	assert_int_equal(rtmsg_family(&m, RTMSG_AX_IFP), RTMSG_AF_LINK);

	n = rtmsg_get4(buf, sizeof(buf), 4, 2, tu_a4("0.0.0.0"), 0);
	assert_int_equal(n, 92 + 16 + 16 + 20);
	assert_int_equal(rtmsg_parse(buf, n, &m, &used), RTMSG_OK);
	assert_int_equal(rtmsg_plen(&m, RTMSG_AF_INET), 0);
	n = rtmsg_get4(buf, sizeof(buf), 4, 2, tu_a4("192.0.2.254"), -1);
	assert_int_equal(n, 92 + 16 + 20);
	assert_int_equal(rtmsg_parse(buf, n, &m, &used), RTMSG_OK);
	assert_false(m.addrs & RTMSG_A(RTMSG_AX_NETMASK));
}

static void
test_build_refuses(void **state)
{
	uint8_t buf[RTMSG_REQ_MAX];
	struct in6_addr p = tu_a6("2001:db8::");

	(void)state;
	/* Too small a buffer, a prefix past 128, a type that is no request. */
	assert_int_equal(rtmsg_route6(buf, 100, RTMSG_ADD, 1, 1, &p, 64, 3), 0);
	assert_int_equal(rtmsg_route6(buf, 91, RTMSG_ADD, 1, 1, &p, 64, 3), 0);
	assert_int_equal(rtmsg_route6(buf, sizeof(buf), RTMSG_ADD, 1, 1, &p, 129, 3), 0);
	assert_int_equal(rtmsg_route6(buf, sizeof(buf), RTMSG_IFINFO, 1, 1, &p, 64, 3), 0);
	assert_int_equal(rtmsg_route6(buf, sizeof(buf), RTMSG_ADD, 1, 1, &p, 64, 70000), 0);
	assert_int_equal(rtmsg_get4(buf, sizeof(buf), 1, 1, tu_a4("0.0.0.0"), 33), 0);
	/* The largest request fits RTMSG_REQ_MAX. */
	assert_true(rtmsg_route6(buf, sizeof(buf), RTMSG_GET, 1, 1, &p, 64, 3) <= RTMSG_REQ_MAX);
	assert_true(rtmsg_route6(buf, sizeof(buf), RTMSG_ADD, 1, 1, &p, 64, 3) <= RTMSG_REQ_MAX);
}

/* What isatap-control re-reads for, and what the datapath yields to. */
static void
test_classify(void **state)
{
	struct kmsg k;
	struct rtmsg m;
	size_t used;

	(void)state;
	/* An IPv4 default route through en0, by configd (pid 50). */
	kstart(&k, 1, 92);
	k32(&k, 8, 0x1 | 0x2 | 0x800);
	k32(&k, 12, 0x1 | 0x2 | 0x4);
	k32(&k, 16, 50);
	ksin(&k, "0.0.0.0");
	ksin(&k, "192.0.2.254");
	ksa(&k, 0, 0, NULL, 0);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_ipv4_change(&m));
	assert_false(rtmsg_other_default6(&m, 99));
	/* An ARP entry coming and going: nothing. */
	k32(&k, 8, 0x1 | 0x4 | 0x400);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_false(rtmsg_ipv4_change(&m));
	k32(&k, 8, 0x1 | 0x20000);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_false(rtmsg_ipv4_change(&m));

	/* The native IPv6 default, by configd: the datapath yields; not its
	 * own, not a scoped one, not ::/1; nothing for the IPv4 watch. */
	kstart(&k, 1, 92);
	k16(&k, 4, 4);
	k32(&k, 8, 0x1 | 0x2);
	k32(&k, 12, 0x1 | 0x2 | 0x4);
	k32(&k, 16, 50);
	ksin6(&k, "::", 0);
	ksin6(&k, "fe80:4::1", 0);
	ksa(&k, 0, 0, NULL, 0);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_other_default6(&m, 99));
	assert_false(rtmsg_other_default6(&m, 50));
	assert_false(rtmsg_ipv4_change(&m));
	k32(&k, 8, 0x1 | 0x2 | 0x1000000);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_false(rtmsg_other_default6(&m, 99));
	route_added(&k); /* ::/1 */
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_false(rtmsg_other_default6(&m, 99));

	/* Addresses: IPv4 counts, IPv6 does not; an interface change does. */
	kstart(&k, 13, 20);
	k32(&k, 4, 0x20);
	ksin6(&k, "2001:db8::1", 0);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_false(rtmsg_ipv4_change(&m));
	kstart(&k, 13, 20);
	k32(&k, 4, 0x20);
	ksin(&k, "192.0.2.1");
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_ipv4_change(&m));
	kstart(&k, 14, 112);
	kend(&k);
	assert_int_equal(rtmsg_parse(k.b, k.len, &m, &used), RTMSG_OK);
	assert_true(rtmsg_ipv4_change(&m));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_route),
	        cmocka_unit_test(test_parse_default_empty_mask),
	        cmocka_unit_test(test_parse_embedded_scope),
	        cmocka_unit_test(test_parse_ifinfo_newaddr),
	        cmocka_unit_test(test_parse_several),
	        cmocka_unit_test(test_parse_hostile),
	        cmocka_unit_test(test_build_add),
	        cmocka_unit_test(test_build_delete_get),
	        cmocka_unit_test(test_build_refuses),
	        cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests_name("common_rtmsg", tests, NULL, NULL);
}
