/*
 * TUN offloads, as pure functions over caller-owned buffers (no I/O, no
 * allocation): what a Linux TUN opened with IFF_VNET_HDR and configured with
 * TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, and TUN_F_USO4 |
 * TUN_F_USO6 where the kernel has them, Linux >= 6.2) hands us, and what we
 * hand back to it.
 *
 *  - Outbound (TUN -> network): the kernel may give us a TCP "super-packet"
 *    of up to 64 KiB behind a virtio-net header; ofl_tso_segment() cuts it
 *    into tunnel-MTU segments with complete checksums, as a NIC doing TSO
 *    would. With USO, a UDP super-packet (a socket's UDP_SEGMENT, Linux
 *    SKB_GSO_UDP_L4) is cut by ofl_uso_segment() into the datagrams it
 *    stands for. Packets with only a partial checksum
 *    (VIRTIO_NET_HDR_F_NEEDS_CSUM, CHECKSUM_PARTIAL in the kernel) are
 *    completed by ofl_csum_complete().
 *  - Inbound (network -> TUN): ofl_gro_*() coalesce consecutive in-order
 *    TCP segments of one flow (and with USO, same-sized UDP datagrams of one
 *    flow) into one super-packet, described as an iovec (a rebuilt header,
 *    then the payloads where they already lie) ready for one writev() to the
 *    TUN, as GRO does for a NIC.
 *
 * Only IPv6 is carried by an ISATAP interface, so only IPv6/TCP and IPv6/UDP
 * with no extension headers are segmented or coalesced; everything else
 * passes as is.
 */
#ifndef ISATAP_DATAPATH_OFFLOAD_H
#define ISATAP_DATAPATH_OFFLOAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * The virtio-net header (Virtio 1.1 §5.1.6, struct virtio_net_hdr without
 * num_buffers): 10 octets before every packet on a TUN with IFF_VNET_HDR.
 * Multi-octet fields are little-endian (the datapath sets TUNSETVNETLE, and
 * it is the legacy native order on the little-endian hosts Linux TUN runs
 * on); ofl_vnet_decode()/ofl_vnet_encode() convert.
 */
#define OFL_VNET_HDR_LEN 10

#define OFL_VNET_F_NEEDS_CSUM 0x01 /* csum_start/csum_offset are valid */
#define OFL_VNET_F_DATA_VALID 0x02 /* receive side only */

#define OFL_GSO_NONE   0
#define OFL_GSO_TCPV4  1
#define OFL_GSO_UDP    3
#define OFL_GSO_TCPV6  4
#define OFL_GSO_UDP_L4 5    /* USO: gso_size payload octets per UDP datagram */
#define OFL_GSO_ECN    0x80 /* with TCPV4/TCPV6: the super-packet carries CWR */

struct ofl_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;  /* IP + TCP/UDP headers (no link header on a TUN); from
	                    * the kernel only a hint, at least the headers */
	uint16_t gso_size; /* payload octets per segment */
	uint16_t csum_start;
	uint16_t csum_offset;
};

void ofl_vnet_decode(const uint8_t b[OFL_VNET_HDR_LEN], struct ofl_vnet_hdr *h);
void ofl_vnet_encode(uint8_t b[OFL_VNET_HDR_LEN], const struct ofl_vnet_hdr *h);

/* Why an offloaded packet was refused. Names in ofl_reason_name(). */
enum ofl_reason {
	OFL_OK = 0,
	OFL_BAD_CSUM_OFFSET, /* csum_start/csum_offset past the packet */
	OFL_GSO_UNSUPPORTED, /* a GSO type we did not enable (UFO, TCPv4, ...) */
	OFL_GSO_NOT_TCP6,    /* a TCPv6 GSO packet that is not IPv6 + TCP */
	OFL_GSO_BAD_HDR,     /* headers inconsistent with their lengths or hdr_len */
	OFL_GSO_BAD_SIZE,    /* gso_size 0, or no room for one payload octet in the MTU */
	OFL_NO_ROOM,         /* the output buffer or segment table is too small */
	OFL_GSO_NOT_UDP6,    /* a UDP GSO packet that is not IPv6 + UDP */
	OFL_REASON_COUNT
};
const char *ofl_reason_name(enum ofl_reason r);

/*
 * RFC 1071 sums over bytes in memory order: the 16-bit result, stored back
 * into a packet with memcpy(), is in network order. Chained calls are exact
 * only when every piece but the last has an even length.
 */
uint64_t ofl_csum_add(uint64_t sum, const void *data, size_t len);
uint16_t ofl_csum_fold(uint64_t sum); /* folded, not complemented */

/* The sum of the IPv6 pseudo-header (RFC 8200 §8.1) for an upper-layer
 * packet of ulen octets and protocol nh. */
uint64_t ofl_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint32_t ulen, uint8_t nh);

/*
 * A non-GSO packet with VIRTIO_NET_HDR_F_NEEDS_CSUM: the kernel left the
 * pseudo-header sum at csum_start + csum_offset; sum from csum_start to the
 * end and store the complement there, in place. OFL_OK also when there was
 * nothing to do.
 */
enum ofl_reason ofl_csum_complete(uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh);

/* The largest number of segments one 64 KiB super-packet can make at the
 * IPv6 minimum MTU with the largest TCP header: 65535 / (1280 - 40 - 60). */
#define OFL_TSO_MAX_SEGS 56

struct ofl_seg {
	size_t off; /* into the output buffer */
	size_t len; /* IPv6 packet length */
};

/*
 * Cuts the IPv6/TCP super-packet pkt (len octets, the virtio-net header
 * already taken off and decoded into vh, gso_type TCPV6) into segments of at
 * most mtu octets each (a smaller segment size than gso_size when the MTU
 * demands it), written one after the other into out. Each segment has its
 * IPv6 payload length, sequence number and full TCP checksum; FIN and PSH
 * stay only on the last segment and CWR only on the first, as a TSO NIC
 * does (Linux tcp_gso_segment()). Returns the number of segments (>= 1) in
 * segs[], or -reason.
 */
int ofl_tso_segment(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu,
                    uint8_t *out, size_t cap, struct ofl_seg *segs, unsigned max_segs);

/*
 * The same in passes, for a segment size so small that the whole
 * super-packet does not fit out[] or segs[] at once (a peer's MSS of 536
 * makes 123 segments of a 64 KiB one): segments first, first + 1, ... as
 * many as fit, with exactly the headers, sequence numbers, flags and
 * checksums ofl_tso_segment() would give them. *total receives the number
 * of segments of the whole super-packet; call again with first advanced by
 * the return value until it reaches *total. Returns the number written
 * (>= 1), or -reason (-OFL_NO_ROOM when not even one fits, or first is
 * past the end).
 */
int ofl_tso_segment_from(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh,
                         uint32_t mtu, unsigned first, uint8_t *out, size_t cap,
                         struct ofl_seg *segs, unsigned max_segs, unsigned *total);

/* The most datagrams Linux puts in one UDP GSO packet (UDP_MAX_SEGMENTS,
 * 64 before Linux 6.11): it refuses to build more, so a table this large
 * never makes us drop a packet the kernel could have sent. */
#define OFL_USO_MAX_SEGS 128
/* A segment table large enough for either. */
#define OFL_SEG_MAX (OFL_USO_MAX_SEGS > OFL_TSO_MAX_SEGS ? OFL_USO_MAX_SEGS : OFL_TSO_MAX_SEGS)

/*
 * Cuts the IPv6/UDP super-packet pkt (gso_type UDP_L4, header decoded into
 * vh) into the datagrams it is made of: gso_size payload octets each, the
 * last one possibly shorter, each with its IPv6 payload length, UDP length
 * and full UDP checksum (0 sent as 0xffff, RFC 8200 §8.1), written one after
 * the other into out. Unlike TCP, UDP is never cut to a smaller size than
 * gso_size, since each datagram is a message of the application's: when
 * gso_size and the headers exceed mtu it is refused (OFL_GSO_BAD_SIZE).
 * Returns the number of datagrams (>= 1) in segs[], or -reason.
 */
int ofl_uso_segment(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu,
                    uint8_t *out, size_t cap, struct ofl_seg *segs, unsigned max_segs);

/*
 * Receive coalescing over one batch of inbound IPv6 packets.
 *
 * ofl_gro_add() is given each decapsulated packet of the batch in order;
 * the packets must stay where they are until the batch has been written,
 * since the output points into them. A TCP segment joins the open
 * super-packet of its flow when it continues it exactly: same addresses,
 * ports, traffic class, flow label, hop limit, ACK number, window, header
 * length and options; sequence number right after the super-packet; ACK set
 * and no flags but ACK and PSH; a payload no longer than the first
 * segment's (a shorter one, or PSH, closes the super-packet); a correct
 * checksum. Anything else of that flow closes the open super-packet and
 * goes out on its own, after it, so a flow is never reordered; so does a
 * packet that may hide a segment of it (behind extension headers, in
 * fragments), for every flow between the same two addresses. Segments
 * with a bad checksum are never coalesced: they go to the kernel alone and
 * unflagged, so it checks them itself and counts the error.
 *
 * With g->udp (the TUN has USO), a UDP datagram likewise joins the open
 * super-packet of its flow (same addresses and ports, traffic class, flow
 * label, hop limit) when its payload is no longer than the first one's (a
 * shorter one joins as the last), its UDP length matches its IPv6 payload
 * length and its checksum is present and correct (a zero checksum is not
 * allowed over IPv6, RFC 8200 §8.1: such datagrams go alone). Datagrams
 * with no payload go alone. Without g->udp, UDP passes as any protocol.
 *
 * Then ofl_gro_iov() gives, for each output packet in order, the iovec of
 * one writev() to the TUN: the virtio-net header, then the packet.
 */
#define OFL_GRO_MAX_PKTS 64 /* output packets per batch */
#define OFL_GRO_MAX_SEGS 48 /* segments in one super-packet (< 65535/1380) */
#define OFL_GRO_HDR_MAX  (OFL_VNET_HDR_LEN + 40 + 60)

struct ofl_gro_pkt {
	const uint8_t *first; /* the first segment as received */
	size_t first_len;
	uint16_t seg_size; /* payload octets of the first segment = gso_size */
	uint16_t l4_hlen;  /* TCP or UDP header after the fixed IPv6 header;
	                    * 0 when this packet is not a coalescing candidate */
	uint8_t proto;     /* 6 (TCP) or 17 (UDP) when a candidate */
	uint32_t next_seq; /* TCP: sequence number the next segment must carry */
	uint32_t total;    /* TCP or UDP payload octets so far */
	bool open;         /* more segments may join */
	bool psh;          /* a joined segment carried PSH */
	uint8_t nsegs;     /* segments joined, the first included */
	uint8_t hdr[OFL_GRO_HDR_MAX];
	struct iovec payload[OFL_GRO_MAX_SEGS]; /* of segments 2..nsegs */
};

struct ofl_gro {
	struct ofl_gro_pkt pkt[OFL_GRO_MAX_PKTS];
	unsigned n;
	/* Set by the caller, kept by ofl_gro_init(): UDP may be coalesced
	 * (the TUN takes gso_type UDP_L4). */
	bool udp;
	/* statistics of the batch, for counters */
	unsigned coalesced; /* segments that joined another */
	unsigned bad_csum;  /* TCP/UDP segments whose checksum was wrong or,
	                     * for UDP, absent */
};

void ofl_gro_init(struct ofl_gro *g);
/* Returns OFL_OK, or OFL_NO_ROOM when the packet needs a new output packet
 * and the batch is full (write it out, ofl_gro_init(), add it again). */
enum ofl_reason ofl_gro_add(struct ofl_gro *g, const uint8_t *pkt, size_t len);
/* iov[] needs OFL_GRO_MAX_SEGS + 1 entries. Returns the count. */
unsigned ofl_gro_iov(struct ofl_gro *g, unsigned i, struct iovec *iov);

#endif
