/*
 * XNU's routing-socket (PF_ROUTE) messages as bytes: building RTM_ADD,
 * RTM_DELETE and RTM_GET requests and parsing what the kernel sends (route
 * messages, RTM_NEWADDR/RTM_DELADDR, RTM_IFINFO). Pure code over our own
 * byte layouts, so that it is unit-tested and fuzzed on Linux, whose
 * <net/route.h> has nothing of the kind; built against the macOS SDK,
 * rtmsg.c ties every offset and constant below to Apple's own structures
 * with _Static_asserts.
 *
 * Layouts (SDK usr/include/net/route.h, net/if.h, net/if_dl.h; the same on
 * arm64 and x86_64): struct rt_msghdr is 92 octets, if_msghdr 112,
 * ifa_msghdr 20; the sockaddrs that follow the header appear in RTA_* bit
 * order, each padded to a multiple of 4 octets, even on 64-bit systems,
 * and a zero-length one takes 4 (XNU bsd/net/rtsock.c ROUNDUP32, rt_xaddrs;
 * network_cmds route.tproj/route.c ROUNDUP). IPv6 link-local addresses
 * carry their scope in octets 2-3 (KAME embedded scope), as route(8)
 * writes and reads them (network_cmds route.c; XNU rtsock.c).
 */
#ifndef ISATAP_COMMON_RTMSG_H
#define ISATAP_COMMON_RTMSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTMSG_VERSION 5 /* RTM_VERSION */

/* rtm_type */
#define RTMSG_ADD     1
#define RTMSG_DELETE  2
#define RTMSG_CHANGE  3
#define RTMSG_GET     4
#define RTMSG_NEWADDR 12
#define RTMSG_DELADDR 13
#define RTMSG_IFINFO  14

/* rtm_flags */
#define RTMSG_F_UP        0x1
#define RTMSG_F_GATEWAY   0x2
#define RTMSG_F_HOST      0x4
#define RTMSG_F_LLINFO    0x400 /* an ARP / neighbour entry */
#define RTMSG_F_STATIC    0x800
#define RTMSG_F_WASCLONED 0x20000
#define RTMSG_F_IFSCOPE   0x1000000

/* rtm_addrs bits and their index (RTAX_*) */
enum rtmsg_ax {
	RTMSG_AX_DST,
	RTMSG_AX_GATEWAY,
	RTMSG_AX_NETMASK,
	RTMSG_AX_GENMASK,
	RTMSG_AX_IFP,
	RTMSG_AX_IFA,
	RTMSG_AX_AUTHOR,
	RTMSG_AX_BRD,
	RTMSG_AX_MAX
};
#define RTMSG_A(ax) (1u << (ax))

/* XNU's address families, not Linux's (AF_INET6 is 10 there). */
#define RTMSG_AF_INET  2
#define RTMSG_AF_LINK  18
#define RTMSG_AF_INET6 30

/* Fixed parts of the messages. */
#define RTMSG_RTM_LEN  92  /* struct rt_msghdr */
#define RTMSG_IFM_LEN  112 /* struct if_msghdr */
#define RTMSG_IFAM_LEN 20  /* struct ifa_msghdr */
#define RTMSG_SIN_LEN  16  /* struct sockaddr_in */
#define RTMSG_SIN6_LEN 28  /* struct sockaddr_in6 */
#define RTMSG_SDL_LEN  20  /* struct sockaddr_dl with an empty name */
#define RTMSG_SA_MAX   128 /* the largest sockaddr kept (sockaddr_storage) */

/* A request never needs more: header, then DST, GATEWAY, NETMASK, IFP. */
#define RTMSG_REQ_MAX (RTMSG_RTM_LEN + 2 * RTMSG_SIN6_LEN + 2 * RTMSG_SDL_LEN)

/* Why a message was not parsed. */
enum rtmsg_err {
	RTMSG_OK = 0,
	RTMSG_SHORT,       /* shorter than its header, or than rtm_msglen */
	RTMSG_BAD_VERSION, /* not RTM_VERSION */
	RTMSG_BAD_LEN,     /* rtm_msglen shorter than the fixed header */
	RTMSG_BAD_SA,      /* a sockaddr runs past the message or past RTMSG_SA_MAX */
	RTMSG_UNKNOWN,     /* a type this parser does not read: skip it */
};

/* One message, as parsed. */
struct rtmsg {
	uint8_t type;
	uint16_t msglen;
	uint16_t index;        /* rtm_index, ifm_index or ifam_index */
	int32_t flags;         /* rtm_flags, ifm_flags (IFF_*) or ifam_flags */
	int32_t pid, seq, err; /* route messages only */
	uint32_t mtu;          /* RTM_IFINFO only: ifm_data.ifi_mtu */
	uint32_t addrs;        /* RTMSG_A() bits of the sockaddrs present */
	uint8_t sa_len[RTMSG_AX_MAX];
	uint8_t sa[RTMSG_AX_MAX][RTMSG_SA_MAX];
};

/*
 * Parses one message at buf (len octets available). On RTMSG_OK and
 * RTMSG_UNKNOWN, *used is rtm_msglen: where the next message starts in a
 * buffer that holds several (a read(2) from the socket may return one
 * message, a sysctl dump many).
 */
enum rtmsg_err rtmsg_parse(const uint8_t *buf, size_t len, struct rtmsg *m, size_t *used);

/* The family of sockaddr ax (0 when absent). */
uint8_t rtmsg_family(const struct rtmsg *m, enum rtmsg_ax ax);
/* Sockaddr ax as IPv4 / IPv6. false when absent or of another family.
 * IPv6 link-local: the embedded scope moves to *scope (when not NULL). */
bool rtmsg_in4(const struct rtmsg *m, enum rtmsg_ax ax, struct in_addr *out);
bool rtmsg_in6(const struct rtmsg *m, enum rtmsg_ax ax, struct in6_addr *out, uint32_t *scope);
/* The interface index of an AF_LINK sockaddr ax; 0 when there is none. */
unsigned rtmsg_link_index(const struct rtmsg *m, enum rtmsg_ax ax);
/*
 * The prefix length of the netmask for a destination of family af: the
 * octets present (the kernel trims a mask after its last non-zero octet,
 * to nothing for /0), the rest zero; a host route (RTMSG_F_HOST, no mask)
 * is 32 or 128. -1 for a mask that is not contiguous.
 */
int rtmsg_plen(const struct rtmsg *m, uint8_t af);

/*
 * What the daemons watch for, decided here so that it is tested:
 * - rtmsg_ipv4_change(): the host's IPv4 state changed in a way that may
 *   change the locator (isatap-control's v4watch_darwin.c): an IPv4
 *   address came or went, an interface changed (RTM_IFINFO), or an IPv4
 *   route to a network did, the default route above all. Host entries
 *   (RTF_HOST, ARP's RTF_LLINFO, cloned RTF_WASCLONED) come and go all the
 *   time and say nothing about it.
 * - rtmsg_other_default6(): someone other than pid self added, deleted or
 *   changed the unscoped IPv6 default (::/0), e.g. configd for native IPv6
 *   (the datapath's netcfg_darwin.c yields to it). Scoped defaults
 *   (RTF_IFSCOPE, one per interface) are not the host's default.
 */
bool rtmsg_ipv4_change(const struct rtmsg *m);
bool rtmsg_other_default6(const struct rtmsg *m, int32_t self);

/*
 * An IPv6 route request: RTM_ADD or RTM_DELETE of prefix/plen through the
 * interface ifindex (an interface route: RTF_UP | RTF_STATIC, the
 * gateway the interface's AF_LINK address, as `route add -inet6 P/L
 * -interface utunN` sends it), or an RTM_GET of exactly prefix/plen (the
 * netmask makes the kernel match it exactly instead of the longest match;
 * RTA_IFP asks for the interface in the answer). Returns the length
 * written to buf (cap octets), 0 when it does not fit.
 */
size_t rtmsg_route6(uint8_t *buf, size_t cap, uint8_t type, int32_t seq, int32_t pid,
                    const struct in6_addr *prefix, uint8_t plen, unsigned ifindex);
/*
 * One request on a routing socket fd and its answer: what the socket holds
 * already is read and dropped (every routing message of the host arrives
 * on every routing socket), the request (len octets at req, as built
 * above) is written, and messages are read until the one of the request's
 * type, pid and seq, for at most wait_ms however many others come. Returns
 * 0 with the answer in *m, the kernel's -errno (the write's, or the
 * answer's rtm_errno: -ESRCH for no such route), -ETIMEDOUT, or -EINVAL for
 * a req that does not parse. Blocks (poll(2)) up to wait_ms.
 */
int rtmsg_transact(int fd, const uint8_t *req, size_t len, struct rtmsg *m, int wait_ms);

/* An RTM_GET of the IPv4 route to dst (longest match; plen < 0) or of
 * exactly dst/plen, asking for the interface. */
size_t rtmsg_get4(uint8_t *buf, size_t cap, int32_t seq, int32_t pid, struct in_addr dst, int plen);

#endif
