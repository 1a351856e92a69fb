/*
 * A datapath (datapath/dp.h) for the forwarding tests of datapath/fwd.c.
 * Its TUN is the real tun_read()/tun_write()/tun_writev() on one end of an
 * AF_UNIX SOCK_SEQPACKET pair (one read or write is one packet, exactly as
 * on /dev/net/tun); the test plays the kernel on the other end. Its raw
 * socket is the recording fake of tu_raw.h, since a real one needs root.
 *
 * The host it stands for: locator 192.0.2.1, ISATAP addresses
 * fe80::5efe:c000:201 and 2001:db8:1::5efe:c000:201 (dp->local only: a test
 * that needs dp->addrs fills it), on-link prefix 2001:db8:1::/64, TTL 64,
 * MTU 1280, link up; no PRL, route or broadcast address, no nd_up.
 */
#ifndef ISATAP_TESTS_TU_DP_H
#define ISATAP_TESTS_TU_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/dp.h"
#include "datapath/offload.h"
#include "tests/unit/lib/tu_raw.h"

/* Room for a TCP or UDP super-packet and its virtio-net header. */
#define TU_DP_BIG 70000

/* tu_dp_new() flags */
#define TU_DP_VNET 0x01 /* io.vnet: a virtio-net header on every TUN packet */
#define TU_DP_USO  0x02 /* io.uso as well (UDP segmentation offload) */
/* The macOS TUN instead (datapath/utun.h): utun_read/utun_write, and the
 * test's kernel puts and checks the 4-octet family header (00 00 00 1e)
 * on every packet, as XNU's utun does. Not with TU_DP_VNET. */
#define TU_DP_UTUN 0x04

struct tu_dp {
	struct dp dp;
	int tun[2]; /* [0] the datapath's TUN fd, [1] the "kernel" */
	struct tu_raw raw;
	uint8_t big[TU_DP_BIG]; /* for a test's super-packets */
	bool utun;              /* TU_DP_UTUN */
};

/* A datapath as above, test_calloc()ed; tu_dp_free() closes and frees it. */
struct tu_dp *tu_dp_new(unsigned flags);
void tu_dp_free(struct tu_dp *f);

/* CMocka setups (*state: a struct tu_dp) and the teardown for them all. */
int tu_dp_setup_vnet(void **state);
int tu_dp_setup_uso(void **state);
int tu_dp_teardown(void **state);

/*
 * The kernel writes a packet into the TUN. With io.vnet it goes behind a
 * virtio-net header made from vh, all zeros when vh is NULL (no offload);
 * without, vh must be NULL.
 */
void tu_dp_kernel_sends(struct tu_dp *f, const struct ofl_vnet_hdr *vh, const uint8_t *pkt,
                        size_t len);

/*
 * One packet the datapath wrote into the TUN, into buf (the test fails if it
 * does not fit in cap); its length, 0 when nothing was written. Unless vh
 * is NULL, its virtio-net header is decoded into *vh (all zeros without
 * io.vnet); when nothing was written, *vh is left as it was.
 */
size_t tu_dp_kernel_gets(struct tu_dp *f, struct ofl_vnet_hdr *vh, uint8_t *buf, size_t cap);

/* A protocol-41 datagram from src to dst (IPv4) around inner arrives on
 * the raw socket (tu_raw's queue). */
void tu_dp_network_sends(struct tu_dp *f, const char *src, const char *dst, const uint8_t *inner,
                         size_t ilen);

/* dp->counters[i]; the test fails on an index past DPC_COUNT. */
uint64_t tu_dp_ctr(const struct tu_dp *f, unsigned i);

/*
 * An ICMPv6 message of type from src to dst: identifier 0x1234, sequence 1,
 * then plen octets 0, 1, 2, ... Returns the packet length.
 */
size_t tu_dp_icmp6(uint8_t *buf, const char *src, const char *dst, uint8_t type, uint8_t hop_limit,
                   size_t plen);

/* An echo request with hop limit 64 (tu_dp_icmp6()). */
size_t tu_dp_echo(uint8_t *buf, const char *src, const char *dst, size_t plen);

/* The virtio-net header the kernel puts on a TCP super-packet of IPv6 and
 * a 20-octet TCP header (tu_tcp6() without options): GSO TCPv6 cut into
 * gso_size payload octets, TCP checksum partial. */
struct ofl_vnet_hdr tu_dp_vnet_tcp6(uint16_t gso_size);

#endif
