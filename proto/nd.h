/*
 * Neighbor Discovery messages an ISATAP client needs (RFC 4861, RFC 4191,
 * RFC 8106), over complete IPv6 packets. Pure functions; every rejection
 * returns a named reason.
 */
#ifndef ISATAP_PROTO_ND_H
#define ISATAP_PROTO_ND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum nd_reason {
	ND_OK = 0,
	ND_BAD_IPV6,     /* the IPv6 header failed pkt_parse_ipv6() */
	ND_NOT_ICMPV6,   /* next header is not 58 (ND carries no extension headers) */
	ND_WRONG_TYPE,   /* not the ICMPv6 type asked for */
	ND_BAD_CODE,     /* ICMP code != 0 (RFC 4861 §6.1.2, §8.2) */
	ND_BAD_HOPLIMIT, /* IP hop limit != 255 */
	ND_BAD_CHECKSUM,
	ND_SHORT,             /* ICMP length below the message's fixed part */
	ND_SRC_NOT_LINKLOCAL, /* RA / Redirect source is not link-local (RFC 4861 §6.1.2, §8.1) */
	ND_OPT_ZERO_LEN,      /* an option with length 0 (RFC 4861 §4.6) */
	ND_OPT_OVERRUN,       /* an option runs past the end of the message */
	ND_OPT_BAD_LEN,       /* an option's length is wrong for its type */
	ND_OPT_BAD_VALUE,     /* e.g. prefix length > 128, route prefix length vs option size */
	ND_TOO_MANY,          /* more options of a kind than ND_MAX_* */
	ND_REDIRECT_MCAST_DST,  /* Redirect destination is multicast (RFC 4861 §8.1) */
	ND_REDIRECT_BAD_TARGET, /* target neither link-local nor == destination (RFC 4861 §8.1) */
	ND_NS_MCAST_TARGET,     /* NS target is multicast (RFC 4861 §7.1.1) */
	ND_NS_BAD_DAD, /* NS from :: not to a solicited-node group, or with SLLAO (§7.1.1) */
	ND_REASON_COUNT
};
const char *nd_reason_name(enum nd_reason r);

#define ND_MAX_PREFIXES  16
#define ND_MAX_ROUTES    16
#define ND_MAX_RDNSS     8
#define ND_MAX_DNSSL     8
#define ND_DNSSL_NAMELEN 254 /* text form, NUL-terminated in 255 */

/* RFC 4191 §2.1 preference, as signed: -1 low, 0 medium, +1 high;
 * the reserved value 10 is reported as ND_PREF_INVALID. */
#define ND_PREF_INVALID 2

struct nd_prefix {
	struct prefix6 prefix;
	bool onlink, autonomous;                     /* L and A flags, RFC 4861 §4.6.2 */
	uint32_t valid_lifetime, preferred_lifetime; /* seconds; 0xffffffff infinite */
};

struct nd_route {
	struct prefix6 prefix;
	int8_t preference;
	uint32_t lifetime;
};

struct nd_ra {
	struct in6_addr src; /* router's link-local address */
	uint8_t cur_hop_limit;
	bool managed, other;                    /* M and O flags */
	int8_t preference;                      /* RFC 4191 §2.2 default router preference */
	uint16_t router_lifetime;               /* seconds */
	uint32_t reachable_time, retrans_timer; /* ms */
	uint32_t mtu;                           /* 0 when no MTU option */
	size_t n_prefixes, n_routes, n_rdnss, n_dnssl;
	struct nd_prefix prefixes[ND_MAX_PREFIXES];
	struct nd_route routes[ND_MAX_ROUTES];
	struct in6_addr rdnss[ND_MAX_RDNSS];
	/* RFC 8106 §5.1, §5.2: each server and domain keeps the lifetime of
	 * the option that carried it (an RA may hold several options). */
	uint32_t rdnss_lifetime[ND_MAX_RDNSS];
	char dnssl[ND_MAX_DNSSL][ND_DNSSL_NAMELEN + 1];
	uint32_t dnssl_lifetime[ND_MAX_DNSSL];
	size_t n_unknown_opts; /* skipped, RFC 4861 §4.6 */
};

/*
 * Parses and fully validates a Router Advertisement carried in the IPv6
 * packet pkt[0..len) (RFC 4861 §6.1.2): IPv6 header, link-local source, hop
 * limit 255, ICMP code 0, checksum, ICMP length >= 16, options well formed.
 * Semantic checks that need state (the PRL, PIO prefix length vs 64 for
 * SLAAC) are the caller's.
 */
enum nd_reason nd_parse_ra(const uint8_t *pkt, size_t len, struct nd_ra *out);

struct nd_redirect {
	struct in6_addr src;    /* the router that sent it */
	struct in6_addr target; /* better first hop */
	struct in6_addr dst;    /* destination being redirected */
};

/* RFC 4861 §8.1 validity checks that need no state. Whether src is the
 * current first hop for dst is the caller's check. */
enum nd_reason nd_parse_redirect(const uint8_t *pkt, size_t len, struct nd_redirect *out);

/* The ICMPv6 type of an ND packet (133..137 with hop limit 255 and no
 * extension headers), or 0. Used by the decapsulation check. */
int nd_type(const uint8_t *pkt, size_t len);

/* A Neighbor Solicitation (RFC 4861 §4.3), as nd_parse_ns() found it. */
struct nd_ns {
	struct in6_addr src, dst; /* IPv6 source and destination */
	struct in6_addr target;
};

/* RFC 4861 §7.1.1 validity checks of a Neighbor Solicitation carried in the
 * IPv6 packet pkt[0..len): no extension headers, hop limit 255, code 0, ICMP
 * length >= 24, checksum, target not multicast, options well formed, and
 * from :: only to a solicited-node group without a Source Link-Layer
 * Address option. Whether the target is ours is the caller's check. */
enum nd_reason nd_parse_ns(const uint8_t *pkt, size_t len, struct nd_ns *out);

#define ND_RS_LEN (40 + 8)

/*
 * Builds a Router Solicitation as a complete IPv6 packet (RFC 4861 §4.1):
 * hop limit 255, no Source Link-Layer Address option (RFC 5214 §8.3.4: ISATAP
 * has no link-layer address worth sending, and the RS is unicast to the
 * router). Returns the number of bytes written, or 0 if buflen < ND_RS_LEN.
 */
size_t nd_build_rs(uint8_t *buf, size_t buflen, const struct in6_addr *src,
                   const struct in6_addr *dst);

/* RFC 4861 §4.4 Neighbor Advertisement flags. */
#define ND_NA_ROUTER    0x80
#define ND_NA_SOLICITED 0x40
#define ND_NA_OVERRIDE  0x20
#define ND_NA_LEN       (40 + 24)

/*
 * Builds a Neighbor Advertisement for target as a complete IPv6 packet
 * (RFC 4861 §4.4): hop limit 255, the given flags (ND_NA_*), no Target
 * Link-Layer Address option, which §7.2.4 lets a unicast solicitation's
 * answer omit (ISATAP's link-layer address is the IPv4 address the
 * interface identifier already carries, RFC 5214 §6.1). Returns the number
 * of bytes written, or 0 if buflen < ND_NA_LEN.
 */
size_t nd_build_na(uint8_t *buf, size_t buflen, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct in6_addr *target, uint8_t flags);

#endif
