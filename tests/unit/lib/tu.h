/*
 * Test helpers shared by the unit tests: addresses from text and packets
 * built field by field, so that each test states only what it varies.
 */
#ifndef ISATAP_TESTS_TU_H
#define ISATAP_TESTS_TU_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Addresses from text; abort the test on a typo. */
struct in6_addr tu_a6(const char *s);
struct in_addr tu_a4(const char *s);

/*
 * An IPv6 packet into buf: version 6, the given next header and hop limit,
 * payload copied after the fixed header. If next_header is ICMPv6 the
 * checksum in the payload is computed. Returns the packet length.
 */
size_t tu_ipv6(uint8_t *buf, const char *src, const char *dst, uint8_t next_header,
               uint8_t hop_limit, const uint8_t *payload, size_t plen);

/* Recomputes the ICMPv6 checksum of an IPv6 packet whose ICMPv6 message
 * starts at offset icmp_off (40 without extension headers). */
void tu_icmp6_fix(uint8_t *pkt, size_t len, size_t icmp_off);

/* A protocol-41 datagram: a 20-octet IPv4 header from src to dst, then the
 * inner bytes. Returns the datagram length. */
size_t tu_ipv4(uint8_t *buf, const char *src, const char *dst, const uint8_t *inner, size_t ilen);

/* Recomputes the IPv4 header checksum after a test changed a field. */
void tu_ipv4_fix(uint8_t *hdr);

#endif
