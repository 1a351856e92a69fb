/*
 * IPv6/UDP datagrams for the UDP offload tests, built field by field and
 * checked with proto/pkt.c's checksum code, an implementation independent
 * of the one under test (datapath/offload.c). Payload octets follow
 * tu_tcp6_byte(), so a run of datagrams can carry one pattern.
 */
#ifndef ISATAP_TESTS_TU_UDP6_H
#define ISATAP_TESTS_TU_UDP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tu_udp6 {
	const char *src, *dst; /* default 2001:db8:1::1 -> 2001:db8:1::2 */
	uint16_t sport, dport; /* default 40000 -> 5201 */
	uint8_t hop_limit;     /* default 64 */
	uint8_t tclass;
	uint32_t flow_label;
	size_t plen; /* payload octets: tu_tcp6_byte(pattern, k) */
	uint32_t pattern;
	bool no_csum; /* leave the checksum 0 ("none", illegal over IPv6) */
};

/* Builds the datagram into buf, UDP and IPv6 lengths describing it and a
 * correct checksum (0xffff when it computes to 0); returns its length. */
size_t tu_udp6(uint8_t *buf, const struct tu_udp6 *u);

/* Whether an IPv6 datagram (UDP right after the fixed header) has a UDP
 * length that matches the IPv6 one and a present, verifying checksum. */
bool tu_udp6_csum_ok(const uint8_t *pkt, size_t len);

#endif
