/*
 * rtmsg.h: XNU routing-socket messages, built and parsed as bytes. The
 * fixed fields are in the host's byte order, as the kernel writes them;
 * every sockaddr is bounded by the message and by RTMSG_SA_MAX before a
 * byte of it is read.
 */
#include <string.h>

#include "rtmsg.h"

#if defined(__APPLE__)
#include <net/if.h>
#include <net/if_dl.h>
#include <net/route.h>
#include <stddef.h>
#include <sys/socket.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " is " #b)
SAME(RTMSG_VERSION, RTM_VERSION);
SAME(RTMSG_ADD, RTM_ADD);
SAME(RTMSG_DELETE, RTM_DELETE);
SAME(RTMSG_CHANGE, RTM_CHANGE);
SAME(RTMSG_GET, RTM_GET);
SAME(RTMSG_NEWADDR, RTM_NEWADDR);
SAME(RTMSG_DELADDR, RTM_DELADDR);
SAME(RTMSG_IFINFO, RTM_IFINFO);
SAME(RTMSG_F_UP, RTF_UP);
SAME(RTMSG_F_GATEWAY, RTF_GATEWAY);
SAME(RTMSG_F_HOST, RTF_HOST);
SAME(RTMSG_F_LLINFO, RTF_LLINFO);
SAME(RTMSG_F_STATIC, RTF_STATIC);
SAME(RTMSG_F_WASCLONED, RTF_WASCLONED);
SAME(RTMSG_F_IFSCOPE, RTF_IFSCOPE);
SAME(RTMSG_A(RTMSG_AX_DST), RTA_DST);
SAME(RTMSG_A(RTMSG_AX_GATEWAY), RTA_GATEWAY);
SAME(RTMSG_A(RTMSG_AX_NETMASK), RTA_NETMASK);
SAME(RTMSG_A(RTMSG_AX_GENMASK), RTA_GENMASK);
SAME(RTMSG_A(RTMSG_AX_IFP), RTA_IFP);
SAME(RTMSG_A(RTMSG_AX_IFA), RTA_IFA);
SAME(RTMSG_A(RTMSG_AX_AUTHOR), RTA_AUTHOR);
SAME(RTMSG_A(RTMSG_AX_BRD), RTA_BRD);
SAME(RTMSG_AX_MAX, RTAX_MAX);
SAME(RTMSG_AF_INET, AF_INET);
SAME(RTMSG_AF_LINK, AF_LINK);
SAME(RTMSG_AF_INET6, AF_INET6);
SAME(RTMSG_RTM_LEN, sizeof(struct rt_msghdr));
SAME(RTMSG_IFM_LEN, sizeof(struct if_msghdr));
SAME(RTMSG_IFAM_LEN, sizeof(struct ifa_msghdr));
SAME(RTMSG_SIN_LEN, sizeof(struct sockaddr_in));
SAME(RTMSG_SIN6_LEN, sizeof(struct sockaddr_in6));
SAME(RTMSG_SDL_LEN, sizeof(struct sockaddr_dl));
SAME(RTMSG_SA_MAX, sizeof(struct sockaddr_storage));
SAME(offsetof(struct rt_msghdr, rtm_msglen), 0);
SAME(offsetof(struct rt_msghdr, rtm_version), 2);
SAME(offsetof(struct rt_msghdr, rtm_type), 3);
SAME(offsetof(struct rt_msghdr, rtm_index), 4);
SAME(offsetof(struct rt_msghdr, rtm_flags), 8);
SAME(offsetof(struct rt_msghdr, rtm_addrs), 12);
SAME(offsetof(struct rt_msghdr, rtm_pid), 16);
SAME(offsetof(struct rt_msghdr, rtm_seq), 20);
SAME(offsetof(struct rt_msghdr, rtm_errno), 24);
SAME(offsetof(struct if_msghdr, ifm_addrs), 4);
SAME(offsetof(struct if_msghdr, ifm_flags), 8);
SAME(offsetof(struct if_msghdr, ifm_index), 12);
SAME(offsetof(struct if_msghdr, ifm_data.ifi_mtu), 24);
SAME(offsetof(struct ifa_msghdr, ifam_addrs), 4);
SAME(offsetof(struct ifa_msghdr, ifam_flags), 8);
SAME(offsetof(struct ifa_msghdr, ifam_index), 12);
SAME(offsetof(struct sockaddr_dl, sdl_index), 2);
SAME(offsetof(struct sockaddr_dl, sdl_type), 4);
SAME(offsetof(struct sockaddr_in, sin_addr), 4);
SAME(offsetof(struct sockaddr_in6, sin6_addr), 8);
SAME(offsetof(struct sockaddr_in6, sin6_scope_id), 24);
#undef SAME
#endif

/* Where the header's fields are (see the asserts above). */
#define OFF_MSGLEN  0
#define OFF_VERSION 2
#define OFF_TYPE    3
#define RTM_INDEX   4
#define RTM_FLAGS   8
#define RTM_ADDRS   12
#define RTM_PID     16
#define RTM_SEQ     20
#define RTM_ERRNO   24
#define IFM_ADDRS   4
#define IFM_FLAGS   8
#define IFM_INDEX   12
#define IFM_MTU     24
#define IFAM_ADDRS  4
#define IFAM_FLAGS  8
#define IFAM_INDEX  12
#define SIN_ADDR    4
#define SIN6_ADDR   8
#define SIN6_SCOPE  24
#define SDL_INDEX   2

/* XNU's ROUNDUP32: a multiple of 4, and 4 for an empty sockaddr. */
static size_t
sa_space(size_t len)
{
	return len == 0 ? 4 : (len + 3) & ~(size_t)3;
}

static uint16_t
get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int32_t
get_i32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put_i32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static bool
is_route_type(uint8_t type)
{
	return type >= RTMSG_ADD && type <= RTMSG_GET;
}

enum rtmsg_err
rtmsg_parse(const uint8_t *buf, size_t len, struct rtmsg *m, size_t *used)
{
	const uint8_t *cp, *end;
	size_t hdr;

	memset(m, 0, sizeof(*m));
	*used = 0;
	if (len < 4)
		return RTMSG_SHORT;
	m->msglen = get_u16(buf + OFF_MSGLEN);
	m->type = buf[OFF_TYPE];
	if (m->msglen < 4)
		return RTMSG_BAD_LEN;
	if (m->msglen > len)
		return RTMSG_SHORT;
	if (buf[OFF_VERSION] != RTMSG_VERSION)
		return RTMSG_BAD_VERSION;
	if (is_route_type(m->type)) {
		hdr = RTMSG_RTM_LEN;
	} else if (m->type == RTMSG_IFINFO) {
		hdr = RTMSG_IFM_LEN;
	} else if (m->type == RTMSG_NEWADDR || m->type == RTMSG_DELADDR) {
		hdr = RTMSG_IFAM_LEN;
	} else {
		*used = m->msglen;
		return RTMSG_UNKNOWN;
	}
	if (m->msglen < hdr)
		return RTMSG_BAD_LEN;
	if (hdr == RTMSG_RTM_LEN) {
		m->index = get_u16(buf + RTM_INDEX);
		m->flags = get_i32(buf + RTM_FLAGS);
		m->addrs = (uint32_t)get_i32(buf + RTM_ADDRS);
		m->pid = get_i32(buf + RTM_PID);
		m->seq = get_i32(buf + RTM_SEQ);
		m->err = get_i32(buf + RTM_ERRNO);
	} else if (hdr == RTMSG_IFM_LEN) {
		m->addrs = (uint32_t)get_i32(buf + IFM_ADDRS);
		m->flags = get_i32(buf + IFM_FLAGS);
		m->index = get_u16(buf + IFM_INDEX);
		m->mtu = (uint32_t)get_i32(buf + IFM_MTU);
	} else {
		m->addrs = (uint32_t)get_i32(buf + IFAM_ADDRS);
		m->flags = get_i32(buf + IFAM_FLAGS);
		m->index = get_u16(buf + IFAM_INDEX);
	}
	m->addrs &= RTMSG_A(RTMSG_AX_MAX) - 1;
	cp = buf + hdr;
	end = buf + m->msglen;
	for (unsigned ax = 0; ax < RTMSG_AX_MAX; ax++) {
		size_t sl;

		if (!(m->addrs & RTMSG_A(ax)))
			continue;
		if (cp >= end)
			return RTMSG_BAD_SA;
		sl = cp[0];
		if (sl > RTMSG_SA_MAX || sl > (size_t)(end - cp))
			return RTMSG_BAD_SA;
		m->sa_len[ax] = (uint8_t)sl;
		memcpy(m->sa[ax], cp, sl);
		/* The last one may end the message without its padding. */
		cp += sa_space(sl) < (size_t)(end - cp) ? sa_space(sl) : (size_t)(end - cp);
	}
	*used = m->msglen;
	return RTMSG_OK;
}

uint8_t
rtmsg_family(const struct rtmsg *m, enum rtmsg_ax ax)
{
	if ((unsigned)ax >= RTMSG_AX_MAX || !(m->addrs & RTMSG_A(ax)) || m->sa_len[ax] < 2)
		return 0;
	return m->sa[ax][1];
}

bool
rtmsg_in4(const struct rtmsg *m, enum rtmsg_ax ax, struct in_addr *out)
{
	if (rtmsg_family(m, ax) != RTMSG_AF_INET || m->sa_len[ax] < SIN_ADDR + 4)
		return false;
	memcpy(out, m->sa[ax] + SIN_ADDR, 4);
	return true;
}

bool
rtmsg_in6(const struct rtmsg *m, enum rtmsg_ax ax, struct in6_addr *out, uint32_t *scope)
{
	uint32_t sc = 0;
	uint8_t *b = out->s6_addr;

	if (rtmsg_family(m, ax) != RTMSG_AF_INET6 || m->sa_len[ax] < SIN6_ADDR + 16)
		return false;
	memcpy(out, m->sa[ax] + SIN6_ADDR, 16);
	if (m->sa_len[ax] >= SIN6_SCOPE + 4)
		memcpy(&sc, m->sa[ax] + SIN6_SCOPE, 4);
	/* KAME: fe80:SCOPE::/64 in the kernel's tables (RFC 4007 §11 zones). */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80 && (b[2] != 0 || b[3] != 0)) {
		sc = (uint32_t)b[2] << 8 | b[3];
		b[2] = b[3] = 0;
	}
	if (scope != NULL)
		*scope = sc;
	return true;
}

unsigned
rtmsg_link_index(const struct rtmsg *m, enum rtmsg_ax ax)
{
	if (rtmsg_family(m, ax) != RTMSG_AF_LINK || m->sa_len[ax] < SDL_INDEX + 2)
		return 0;
	return get_u16(m->sa[ax] + SDL_INDEX);
}

int
rtmsg_plen(const struct rtmsg *m, uint8_t af)
{
	const size_t off = af == RTMSG_AF_INET6 ? SIN6_ADDR : SIN_ADDR;
	const size_t alen = af == RTMSG_AF_INET6 ? 16 : 4;
	uint8_t mask[16] = {0};
	size_t have;
	int plen = 0;
	bool zero = false;

	if (!(m->addrs & RTMSG_A(RTMSG_AX_NETMASK)))
		return (int)alen * 8; /* a host route, or a message that does not say */
	have = m->sa_len[RTMSG_AX_NETMASK] > off ? m->sa_len[RTMSG_AX_NETMASK] - off : 0;
	memcpy(mask, m->sa[RTMSG_AX_NETMASK] + off, have < alen ? have : alen);
	for (size_t i = 0; i < alen; i++)
		for (int bit = 7; bit >= 0; bit--) {
			bool one = (mask[i] >> bit) & 1;

			if (one && zero)
				return -1;
			if (one)
				plen++;
			else
				zero = true;
		}
	return plen;
}

bool
rtmsg_ipv4_change(const struct rtmsg *m)
{
	switch (m->type) {
	case RTMSG_NEWADDR:
	case RTMSG_DELADDR:
		return rtmsg_family(m, RTMSG_AX_IFA) == RTMSG_AF_INET;
	case RTMSG_IFINFO:
		return true;
	case RTMSG_ADD:
	case RTMSG_DELETE:
	case RTMSG_CHANGE:
		return rtmsg_family(m, RTMSG_AX_DST) == RTMSG_AF_INET &&
		       !(m->flags & (RTMSG_F_HOST | RTMSG_F_LLINFO | RTMSG_F_WASCLONED));
	default:
		return false;
	}
}

bool
rtmsg_other_default6(const struct rtmsg *m, int32_t self)
{
	struct in6_addr dst;

	if (m->type != RTMSG_ADD && m->type != RTMSG_DELETE && m->type != RTMSG_CHANGE)
		return false;
	return m->pid != self && !(m->flags & RTMSG_F_IFSCOPE) &&
	       rtmsg_in6(m, RTMSG_AX_DST, &dst, NULL) &&
	       memcmp(&dst, &in6addr_any, sizeof(dst)) == 0 && rtmsg_plen(m, RTMSG_AF_INET6) == 0;
}

/* ---- requests ------------------------------------------------------------------ */

struct rtbuf {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

static uint8_t *
rt_take(struct rtbuf *b, size_t n)
{
	uint8_t *at;

	if (b->overflow || b->cap - b->len < sa_space(n)) {
		b->overflow = true;
		return NULL;
	}
	at = b->p + b->len;
	memset(at, 0, sa_space(n));
	b->len += sa_space(n);
	return at;
}

static void
rt_sin6(struct rtbuf *b, const uint8_t addr[16])
{
	uint8_t *sa = rt_take(b, RTMSG_SIN6_LEN);

	if (sa == NULL)
		return;
	sa[0] = RTMSG_SIN6_LEN;
	sa[1] = RTMSG_AF_INET6;
	memcpy(sa + SIN6_ADDR, addr, 16);
}

static void
rt_sin(struct rtbuf *b, const uint8_t addr[4])
{
	uint8_t *sa = rt_take(b, RTMSG_SIN_LEN);

	if (sa == NULL)
		return;
	sa[0] = RTMSG_SIN_LEN;
	sa[1] = RTMSG_AF_INET;
	memcpy(sa + SIN_ADDR, addr, 4);
}

/* An AF_LINK address naming only an interface index (0: "tell me"). */
static void
rt_sdl(struct rtbuf *b, unsigned ifindex)
{
	uint8_t *sa = rt_take(b, RTMSG_SDL_LEN);

	if (sa == NULL)
		return;
	sa[0] = RTMSG_SDL_LEN;
	sa[1] = RTMSG_AF_LINK;
	put_u16(sa + SDL_INDEX, (uint16_t)ifindex);
}

static void
mask_bytes(uint8_t *mask, size_t alen, unsigned plen)
{
	memset(mask, 0, alen);
	for (size_t i = 0; i < alen && plen > 0; i++) {
		unsigned n = plen >= 8 ? 8 : plen;

		mask[i] = (uint8_t)(0xff00u >> n);
		plen -= n;
	}
}

static size_t
rt_finish(struct rtbuf *b, uint8_t type, int32_t flags, uint32_t addrs, int32_t seq, int32_t pid)
{
	if (b->overflow || b->len > UINT16_MAX)
		return 0;
	put_u16(b->p + OFF_MSGLEN, (uint16_t)b->len);
	b->p[OFF_VERSION] = RTMSG_VERSION;
	b->p[OFF_TYPE] = type;
	put_i32(b->p + RTM_FLAGS, flags);
	put_i32(b->p + RTM_ADDRS, (int32_t)addrs);
	put_i32(b->p + RTM_PID, pid);
	put_i32(b->p + RTM_SEQ, seq);
	return b->len;
}

size_t
rtmsg_route6(uint8_t *buf, size_t cap, uint8_t type, int32_t seq, int32_t pid,
             const struct in6_addr *prefix, uint8_t plen, unsigned ifindex)
{
	struct rtbuf b = {.p = buf, .cap = cap};
	uint8_t mask[16];
	uint32_t addrs;

	if (plen > 128 || (type != RTMSG_ADD && type != RTMSG_DELETE && type != RTMSG_GET) ||
	    cap < RTMSG_RTM_LEN || ifindex > UINT16_MAX)
		return 0;
	memset(buf, 0, RTMSG_RTM_LEN);
	b.len = RTMSG_RTM_LEN;
	mask_bytes(mask, sizeof(mask), plen);
	/* In RTA_* order: DST, GATEWAY, NETMASK, IFP. The mask keeps its full
	 * length: a zero-length sockaddr would end the list (rt_xaddrs). */
	rt_sin6(&b, prefix->s6_addr);
	if (type == RTMSG_ADD)
		rt_sdl(&b, ifindex);
	rt_sin6(&b, mask);
	if (type == RTMSG_GET)
		rt_sdl(&b, 0);
	addrs = RTMSG_A(RTMSG_AX_DST) | RTMSG_A(RTMSG_AX_NETMASK) |
	        (type == RTMSG_ADD ? RTMSG_A(RTMSG_AX_GATEWAY) : 0) |
	        (type == RTMSG_GET ? RTMSG_A(RTMSG_AX_IFP) : 0);
	return rt_finish(&b, type, RTMSG_F_UP | (type == RTMSG_GET ? 0 : RTMSG_F_STATIC), addrs,
	                 seq, pid);
}

size_t
rtmsg_get4(uint8_t *buf, size_t cap, int32_t seq, int32_t pid, struct in_addr dst, int plen)
{
	struct rtbuf b = {.p = buf, .cap = cap};
	uint8_t mask[4];
	uint32_t addrs = RTMSG_A(RTMSG_AX_DST) | RTMSG_A(RTMSG_AX_IFP);

	if (plen > 32 || cap < RTMSG_RTM_LEN)
		return 0;
	memset(buf, 0, RTMSG_RTM_LEN);
	b.len = RTMSG_RTM_LEN;
	rt_sin(&b, (const uint8_t *)&dst.s_addr);
	if (plen >= 0) {
		mask_bytes(mask, sizeof(mask), (unsigned)plen);
		rt_sin(&b, mask);
		addrs |= RTMSG_A(RTMSG_AX_NETMASK);
	}
	rt_sdl(&b, 0);
	return rt_finish(&b, RTMSG_GET, RTMSG_F_UP, addrs, seq, pid);
}
