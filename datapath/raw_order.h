/*
 * The byte order of IPv4 headers on XNU's raw sockets, in platform-neutral
 * code so that it is tested here (raw_darwin.c uses it).
 *
 * Receive: ip_input() converts ip_len and ip_off to host order and then
 * subtracts the header length from ip_len, before rip_input() copies the
 * datagram, header included, to the socket (XNU bsd/netinet/ip_input.c:
 * NTOHS(ip->ip_len), NTOHS(ip->ip_off), ip->ip_len -= hlen; the same in
 * xnu-7195.50.7.100.1 = macOS 11 and xnu-11417.101.15 = macOS 15.4).
 *
 * Send with IP_HDRINCL: rip_output() compares ip_len with the packet's
 * length unswapped, so ip_len is the host-order total length and ip_off
 * host order too; ip_output() swaps both before the interface and always
 * recomputes the header checksum (bsd/netinet/raw_ip.c rip_output,
 * bsd/netinet/ip_output.c HTONS(ip->ip_len), ip_sum = 0; same tags).
 */
#ifndef ISATAP_DATAPATH_RAW_ORDER_H
#define ISATAP_DATAPATH_RAW_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Puts a datagram as XNU's raw socket delivers it back into its wire form,
 * the form decap_check() reads: total length and fragment field in network
 * order, and the header checksum recomputed (ip_input() verified the
 * original, which the conversion made wrong: the kernel's own fields are
 * rewritten here, nothing from outside is trusted more than before). A
 * datagram too short for its header, or whose lengths cannot have come from
 * ip_input(), is left as it is and returns false: decap_check() refuses it.
 */
bool raw_order_rx(uint8_t *pkt, size_t len);

/* out: the 20-octet outer header hdr (wire form, pkt_build_ipv4()) as
 * IP_HDRINCL wants it on XNU: ip_len and ip_off in host order, checksum 0
 * (the kernel writes it). */
void raw_order_tx(uint8_t out[20], const uint8_t hdr[20]);

#endif
