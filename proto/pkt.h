/*
 * Bounds-checked IPv4 / IPv6 / ICMPv6 header code. Pure functions over byte
 * buffers: nothing here assumes alignment, every multi-octet field is read
 * with memcpy or byte shifts.
 */
#ifndef ISATAP_PROTO_PKT_H
#define ISATAP_PROTO_PKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Why a header was rejected. Names in pkt_reason_name(). */
enum pkt_reason {
	PKT_OK = 0,
	PKT_SHORT,        /* fewer bytes than the fixed header */
	PKT_BAD_VERSION,  /* IP version field is wrong */
	PKT_BAD_HDRLEN,   /* IPv4 IHL < 5 or past the end */
	PKT_TRUNCATED,    /* length field says more than we have */
	PKT_LEN_MISMATCH, /* length field says less than we have */
	PKT_BAD_CHECKSUM,
	PKT_FRAGMENT,    /* IPv4 MF set or fragment offset != 0 */
	PKT_V4_OPTIONS,  /* IPv4 header carries options */
	PKT_NOT_PROTO41, /* outer protocol is not 41 */
	PKT_JUMBO,       /* IPv6 payload length 0 (jumbogram, RFC 2675) */
	PKT_REASON_COUNT
};
const char *pkt_reason_name(enum pkt_reason r);

/* The parts of an outer IPv4 header that ISATAP needs. */
struct pkt_ipv4 {
	struct in_addr src, dst;
	uint8_t ttl, proto, tos;
	size_t hdr_len;   /* IHL * 4 */
	size_t total_len; /* from the header; == bytes accepted */
};

/*
 * Parses and checks an outer IPv4 header of a protocol-41 datagram (RFC 4213 §3.5):
 * version 4, IHL 5 (options refused), total length == len, header checksum,
 * not a fragment, protocol 41.
 */
enum pkt_reason pkt_parse_ipv4(const uint8_t *p, size_t len, struct pkt_ipv4 *out);

/* The fixed IPv6 header (RFC 8200 §3). */
struct pkt_ipv6 {
	struct in6_addr src, dst;
	uint8_t next_header, hop_limit;
	uint8_t traffic_class;
	uint32_t flow_label;
	uint16_t payload_len;
};

/* Version 6, 40 + payload_len == len exactly, payload_len != 0. */
enum pkt_reason pkt_parse_ipv6(const uint8_t *p, size_t len, struct pkt_ipv6 *out);

/*
 * Walks the extension headers RFC 8200 §4 allows before an upper layer
 * (hop-by-hop, routing, destination options) and returns the upper-layer
 * protocol and its offset from p, or -1 if the chain is malformed or runs
 * past len. A fragment header stops the walk (returns 44 as protocol).
 */
int pkt_ipv6_upper(const uint8_t *p, size_t len, size_t *off);

/* RFC 1071 one's-complement sum helpers. */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t pkt_csum_fold(uint32_t sum);

/* The upper-layer checksum over the pseudo-header (RFC 8200 §8.1) for next
 * header nh, of len bytes at msg (checksum field as it is). A correct
 * message yields 0. */
uint16_t pkt_upper6_csum(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nh,
                         const uint8_t *msg, size_t len);
/* The same for ICMPv6 (RFC 4443 §2.3). */
uint16_t pkt_icmp6_csum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *msg,
                        size_t len);

/* Writes a 40-octet IPv6 header (RFC 8200 §3) with traffic class 0 and
 * flow label 0. */
void pkt_build_ipv6(uint8_t hdr[40], const struct in6_addr *src, const struct in6_addr *dst,
                    uint16_t payload_len, uint8_t nh, uint8_t hop_limit);

/* The IPv4 header checksum (RFC 791). */
uint16_t pkt_ipv4_csum(const uint8_t *hdr, size_t hdr_len);

/* Writes a 20-octet outer IPv4 header for a protocol-41 datagram (RFC 4213 §3.5):
 * DF clear (RFC 4213 §3.2.1 static MTU), the given id, ttl, tos copied from the
 * inner traffic class's upper bits only if the caller passes it. */
void pkt_build_ipv4(uint8_t hdr[20], struct in_addr src, struct in_addr dst, uint16_t payload_len,
                    uint16_t id, uint8_t ttl, uint8_t tos);

#endif
