/*
 * Protocol constants, each with the section that defines it.
 * Shared by the datapath, the control daemon and isatapctl; no code here.
 */
#ifndef ISATAP_PROTO_ISATAP_H
#define ISATAP_PROTO_ISATAP_H

#define ISATAP_VERSION_STRING "0.1.0"

/* RFC 5214 §6.1: ISATAP interface identifier, "00-00-5E-FE" (u bit in the first octet). */
#define ISATAP_IFID_OUI0  0x00 /* octet 8 of the address, u bit = 0x02 */
#define ISATAP_IFID_OUI1  0x00
#define ISATAP_IFID_OUI2  0x5e
#define ISATAP_IFID_OUI3  0xfe
#define ISATAP_IFID_U_BIT 0x02 /* RFC 4291 §2.5.1: universal/local bit */

/* RFC 4213 §3.2.1: the static tunnel MTU default; RFC 8200 §5: IPv6 minimum MTU. */
#define IPV6_MIN_MTU       1280
#define ISATAP_DEFAULT_MTU 1280
/* The largest IPv6 packet one outer IPv4 datagram carries: a 16-bit total
 * length (RFC 791 §3.1) less the 20-octet header we send (RFC 4213 §3.5). */
#define ISATAP_MAX_MTU     65515
#define ISATAP_DEFAULT_TTL 64 /* RFC 4213 §3.3: outer TTL, configurable */

#define IPPROTO_IPV6_IN_IPV4 41 /* RFC 4213 §3.5 */

/* RFC 4861 §10: host constants, and RFC 5214 §8.3.4 / RFC 7559 for the client's RS timing. */
#define ND_HOP_LIMIT                     255         /* RFC 4861 §6.1.1, §6.1.2 */
#define MAX_RTR_SOLICITATION_DELAY_MS    1000        /* RFC 4861 §10 */
#define RTR_SOLICITATION_INTERVAL_MS     4000        /* RFC 4861 §10 */
#define MAX_RTR_SOLICITATIONS            3           /* RFC 4861 §10 */
#define MAX_RTR_SOLICITATION_INTERVAL_MS 3600000     /* RFC 7559 §2: backoff ceiling */
#define MIN_ROUTER_SOLICIT_INTERVAL_S    120         /* RFC 5214 §8.3.4 MinRouterSolicitInterval */
#define PRL_REFRESH_INTERVAL_S           3600        /* RFC 5214 §8.3.2 PrlRefreshInterval */
#define PRL_MIN_REFRESH_INTERVAL_S       60          /* floor for DNS TTL-driven refresh */
#define SLAAC_TWO_HOURS_S                7200        /* RFC 4862 §5.5.3 (e) */
#define REACHABLE_TIME_MS                30000       /* RFC 4861 §10 */
#define RETRANS_TIMER_MS                 1000        /* RFC 4861 §10 */
#define DELAY_FIRST_PROBE_TIME_MS        5000        /* RFC 4861 §10 */
#define MAX_UNICAST_SOLICIT              3           /* RFC 4861 §10 */
#define ND_INFINITE_LIFETIME             0xffffffffu /* RFC 4861 §4.6.2 */

/* ICMPv6 types (RFC 4443 §2.1, RFC 4861 §4, RFC 2710/3810). */
#define ICMP6_ECHO_REQUEST     128
#define ICMP6_ECHO_REPLY       129
#define ICMP6_MLD_QUERY        130
#define ICMP6_MLD_REPORT       131
#define ICMP6_MLD_DONE         132
#define ICMP6_ROUTER_SOLICIT   133
#define ICMP6_ROUTER_ADVERT    134
#define ICMP6_NEIGHBOR_SOLICIT 135
#define ICMP6_NEIGHBOR_ADVERT  136
#define ICMP6_REDIRECT         137
#define ICMP6_MLD2_REPORT      143
#define ICMP6_DST_UNREACH      1   /* RFC 4443 §3.1 */
#define ICMP6_PACKET_TOO_BIG   2   /* RFC 4443 §3.2 */
#define ICMP6_INFO_MIN         128 /* RFC 4443 §2.1: types below are errors */

/* RFC 4443 §3.1 Destination Unreachable codes. */
#define ICMP6_UNREACH_NO_ROUTE 0
#define ICMP6_UNREACH_ADDR     3

/* RFC 4443 §2.4(c): an error carries as much of the invoking packet as fits
 * without exceeding the IPv6 minimum MTU; type, code, checksum and 4 unused
 * octets come first. */
#define ICMP6_ERR_MAX_LEN IPV6_MIN_MTU
#define ICMP6_ERR_HDR_LEN 8
/* The hop limit of the errors we originate (RFC 8200 §3: no fixed value). */
#define ICMP6_ERR_HOP_LIMIT 64

/* ND option types: RFC 4861 §4.6, RFC 4191 §2.3, RFC 8106 §5. */
#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define ND_OPT_PREFIX_INFO   3
#define ND_OPT_REDIRECTED    4
#define ND_OPT_MTU           5
#define ND_OPT_ROUTE_INFO    24
#define ND_OPT_RDNSS         25
#define ND_OPT_DNSSL         31

#define IPV6_HDR_LEN        40
#define IPV4_HDR_MIN        20
#define IPPROTO_ICMPV6_NUM  58
#define IPPROTO_HOPOPTS_NUM 0
/* RFC 8200 §4 extension headers, RFC 4302 AH, RFC 4303 ESP. */
#define IPPROTO_ROUTING_NUM  43
#define IPPROTO_FRAGMENT_NUM 44
#define IPPROTO_ESP_NUM      50
#define IPPROTO_AH_NUM       51
#define IPPROTO_NONE_NUM     59
#define IPPROTO_DSTOPTS_NUM  60

#endif
