/*
 * IPv6/TCP packets for the offload tests, built field by field and checked
 * with proto/pkt.c's checksum code, an implementation independent of the
 * one under test (datapath/offload.c).
 */
#ifndef ISATAP_TESTS_TU_TCP6_H
#define ISATAP_TESTS_TU_TCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TU_TCP_FIN 0x01
#define TU_TCP_SYN 0x02
#define TU_TCP_RST 0x04
#define TU_TCP_PSH 0x08
#define TU_TCP_ACK 0x10
#define TU_TCP_URG 0x20
#define TU_TCP_ECE 0x40
#define TU_TCP_CWR 0x80

struct tu_tcp6 {
	const char *src, *dst; /* default 2001:db8:1::1 -> 2001:db8:1::2 */
	uint16_t sport, dport; /* default 40000 -> 5201 */
	uint32_t seq, ack;
	uint8_t flags;     /* default ACK */
	uint16_t window;   /* default 512 */
	uint8_t hop_limit; /* default 64 */
	uint8_t tclass;
	uint32_t flow_label;
	const uint8_t *opts; /* a multiple of 4 octets */
	size_t optlen;
	size_t plen;      /* payload octets, each a hash of (pattern + its offset): */
	uint32_t pattern; /* a stream's segment at offset k uses pattern base + k */
};

/* Builds the packet into buf with a correct TCP checksum; returns its length. */
size_t tu_tcp6(uint8_t *buf, const struct tu_tcp6 *t);

/* The payload octet at offset off of a packet made with pattern. */
uint8_t tu_tcp6_byte(uint32_t pattern, size_t off);

/* Whether the TCP checksum of an IPv6 packet (TCP right after the fixed
 * header) verifies. */
bool tu_tcp6_csum_ok(const uint8_t *pkt, size_t len);

/* 12 octets of options: NOP, NOP, timestamps TSval, TSecr (RFC 7323 §3). */
void tu_tcp_ts_opts(uint8_t opts[12], uint32_t tsval, uint32_t tsecr);

#endif
