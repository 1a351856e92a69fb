/*
 * Real packets for the unit tests, from tests/vectors/kernel-isatap-router.pcap
 * (see tests/vectors/README.md): a Linux kernel ISATAP router with radvd,
 * client 192.0.2.1, router 192.0.2.254, kernel ISATAP host 192.0.2.253.
 * Each array is an outer IPv4 datagram; the IPv6 packet starts at
 * VEC_INNER_OFF.
 */
#ifndef ISATAP_TESTS_VECTORS_H
#define ISATAP_TESTS_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define VEC_INNER_OFF 20 /* every outer header in the capture has IHL 5 */

#define VEC_CLIENT_V4 "192.0.2.1"
#define VEC_ROUTER_V4 "192.0.2.254"
#define VEC_HOST_V4   "192.0.2.253"

extern const uint8_t vec_rs[68];
extern const size_t vec_rs_len;
extern const uint8_t vec_ra[220];
extern const size_t vec_ra_len;
extern const uint8_t vec_echo_out[80];
extern const size_t vec_echo_out_len;
extern const uint8_t vec_echo_routed[80];
extern const size_t vec_echo_routed_len;
extern const uint8_t vec_echo_onlink[80];
extern const size_t vec_echo_onlink_len;
extern const uint8_t vec_echo_onlink_reply[80];
extern const size_t vec_echo_onlink_reply_len;
extern const uint8_t vec_kernel_echo[124];
extern const size_t vec_kernel_echo_len;
extern const uint8_t vec_icmp4_unreach[152];
extern const size_t vec_icmp4_unreach_len;

#endif
