/*
 * libFuzzer target: the TUN offload code (datapath/offload*.c) on any bytes.
 * Inbound packets come from the network (after the RFC 5214 checks, but the
 * coalescer must not rely on them); outbound super-packets come from the
 * kernel, which the datapath trusts no more than the network.
 *
 * Input: one mode octet (its low two bits: 0 TCP segmentation, 1 coalescing
 * without UDP, 2 UDP segmentation, 3 coalescing with UDP), then for
 * segmentation a 10-octet virtio-net header, a 2-octet MTU and the packet;
 * for coalescing a run of packets, each after a 2-octet length. Besides not
 * crashing, the output must keep the promises of offload.h: segments within
 * the MTU, with valid checksums, carrying the payload in order (UDP: each
 * gso_size octets but the last); every packet added is in exactly one
 * output packet, and a coalesced one completes to a valid checksum (UDP:
 * and cuts back into as many datagrams as were merged).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "datapath/offload.h"
#include "fuzz.h"

#define BIG 70000

static uint8_t pkt[BIG], out[BIG + OFL_SEG_MAX * 128], flat[BIG];
static struct ofl_seg segs[OFL_SEG_MAX];
static struct ofl_gro gro;

static bool
tcp6_csum_ok(const uint8_t *p, size_t len)
{
	uint64_t sum = ofl_pseudo6(p + 8, p + 24, (uint32_t)(len - 40), 6);

	return ofl_csum_fold(ofl_csum_add(sum, p + 40, len - 40)) == 0xffff;
}

/* RFC 768 over RFC 8200 §8.1: present, and verifying. */
static bool
udp6_csum_ok(const uint8_t *p, size_t len)
{
	uint64_t sum = ofl_pseudo6(p + 8, p + 24, (uint32_t)(len - 40), 17);

	return (p[46] | p[47]) != 0 && ofl_csum_fold(ofl_csum_add(sum, p + 40, len - 40)) == 0xffff;
}

/* A segmentation input: the virtio-net header and the MTU; the packet's
 * length after them (at data + 12). */
static bool
seg_input(const uint8_t *data, size_t size, struct ofl_vnet_hdr *vh, uint32_t *mtu, size_t *len)
{
	if (size < OFL_VNET_HDR_LEN + 2 || size - 12 > BIG)
		return false;
	ofl_vnet_decode(data, vh);
	*mtu = (uint32_t)(data[10] << 8 | data[11]);
	*len = size - 12;
	return true;
}

static void
fuzz_uso(const uint8_t *data, size_t size)
{
	struct ofl_vnet_hdr vh;
	uint32_t mtu;
	size_t len, done = 0;
	int n;

	if (!seg_input(data, size, &vh, &mtu, &len))
		return;
	n = ofl_uso_segment(data + 12, len, &vh, mtu, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	if (n < 0) {
		CHECK(-n > OFL_OK && -n < OFL_REASON_COUNT);
		return;
	}
	CHECK(n >= 1 && n <= OFL_USO_MAX_SEGS);
	for (int i = 0; i < n; i++) {
		const uint8_t *s = out + segs[i].off;
		size_t plen = segs[i].len - 48;

		CHECK(segs[i].off + segs[i].len <= sizeof(out));
		CHECK(segs[i].len <= mtu);
		CHECK(i + 1 == n || plen == vh.gso_size);
		CHECK((size_t)(s[4] << 8 | s[5]) + 40 == segs[i].len);
		CHECK((size_t)(s[44] << 8 | s[45]) + 40 == segs[i].len);
		CHECK(udp6_csum_ok(s, segs[i].len));
		CHECK(memcmp(s + 48, data + 12 + 48 + done, plen) == 0);
		done += plen;
	}
	CHECK(done == len - 48);
}

/* The same super-packet in passes through a small buffer (8 segments,
 * 12 KiB): every payload octet once, in order, whatever the MSS. */
static void
fuzz_tso_passes(const uint8_t *p, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu)
{
	unsigned first = 0, total = 0;
	size_t thl = 0, done = 0;
	int n;

	do {
		n = ofl_tso_segment_from(p, len, vh, mtu, first, out, 12288, segs, 8, &total);
		if (n < 0) {
			CHECK(-n > OFL_OK && -n < OFL_REASON_COUNT);
			CHECK(first == 0);
			return;
		}
		CHECK(n >= 1 && n <= 8 && first + (unsigned)n <= total);
		thl = (size_t)(p[52] >> 4) * 4; /* the call checked the headers */
		for (int i = 0; i < n; i++) {
			const uint8_t *s = out + segs[i].off;
			size_t plen = segs[i].len - 40 - thl;

			CHECK(segs[i].off + segs[i].len <= 12288);
			CHECK(segs[i].len <= mtu);
			CHECK(tcp6_csum_ok(s, segs[i].len));
			CHECK(memcmp(s + 40 + thl, p + 40 + thl + done, plen) == 0);
			done += plen;
		}
		first += (unsigned)n;
	} while (first < total);
	CHECK(done == len - 40 - thl);
}

static void
fuzz_tso(const uint8_t *data, size_t size)
{
	struct ofl_vnet_hdr vh;
	uint32_t mtu;
	size_t len, thl, done = 0;
	int n;

	if (!seg_input(data, size, &vh, &mtu, &len))
		return;
	memcpy(pkt, data + 12, len);
	(void)ofl_csum_complete(pkt, len, &vh);

	fuzz_tso_passes(data + 12, len, &vh, mtu);
	n = ofl_tso_segment(data + 12, len, &vh, mtu, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	if (n < 0) {
		CHECK(-n > OFL_OK && -n < OFL_REASON_COUNT);
		return;
	}
	CHECK(n >= 1 && n <= OFL_TSO_MAX_SEGS);
	thl = (size_t)(data[12 + 52] >> 4) * 4;
	for (int i = 0; i < n; i++) {
		const uint8_t *s = out + segs[i].off;
		size_t plen = segs[i].len - 40 - thl;

		CHECK(segs[i].off + segs[i].len <= sizeof(out));
		CHECK(segs[i].len <= mtu);
		CHECK((size_t)(s[4] << 8 | s[5]) + 40 == segs[i].len);
		CHECK(tcp6_csum_ok(s, segs[i].len));
		CHECK(memcmp(s + 40 + thl, data + 12 + 40 + thl + done, plen) == 0);
		done += plen;
	}
	CHECK(done == len - 40 - thl);
}

static void
fuzz_gro(const uint8_t *data, size_t size, bool udp)
{
	struct iovec iov[OFL_GRO_MAX_SEGS + 1];
	unsigned added = 0, total = 0;
	size_t off = 0;

	gro.udp = udp;
	ofl_gro_init(&gro);
	CHECK(gro.udp == udp);
	/* Packets are added in place: the output points into the input. */
	while (off + 2 <= size) {
		size_t len = (size_t)(data[off] << 8 | data[off + 1]);

		off += 2;
		if (len > size - off)
			len = size - off;
		if (ofl_gro_add(&gro, data + off, len) != OFL_OK)
			break;
		added++;
		off += len;
	}
	for (unsigned i = 0; i < gro.n; i++) {
		struct ofl_vnet_hdr vh;
		unsigned n = ofl_gro_iov(&gro, i, iov);
		size_t len = 0;

		CHECK(n >= 2 && n <= OFL_GRO_MAX_SEGS + 1);
		CHECK(iov[0].iov_len >= OFL_VNET_HDR_LEN);
		ofl_vnet_decode(iov[0].iov_base, &vh);
		for (unsigned k = 0; k < n; k++) {
			const uint8_t *b = iov[k].iov_base;
			size_t skip = k == 0 ? OFL_VNET_HDR_LEN : 0;

			CHECK(len + iov[k].iov_len - skip <= sizeof(flat));
			memcpy(flat + len, b + skip, iov[k].iov_len - skip);
			len += iov[k].iov_len - skip;
		}
		total += gro.pkt[i].nsegs;
		if (vh.gso_type == OFL_GSO_NONE) {
			CHECK(gro.pkt[i].nsegs == 1);
			continue;
		}
		CHECK(gro.pkt[i].nsegs >= 2);
		CHECK((size_t)(flat[4] << 8 | flat[5]) + 40 == len);
		if (vh.gso_type == OFL_GSO_UDP_L4) {
			CHECK(udp);
			CHECK((size_t)(flat[44] << 8 | flat[45]) + 40 == len);
			/* The kernel cuts it back into the datagrams merged. */
			CHECK(ofl_uso_segment(flat, len, &vh, 65535, out, sizeof(out), segs,
			                      OFL_USO_MAX_SEGS) == gro.pkt[i].nsegs);
			for (unsigned k = 0; k < gro.pkt[i].nsegs; k++)
				CHECK(udp6_csum_ok(out + segs[k].off, segs[k].len));
			CHECK(ofl_csum_complete(flat, len, &vh) == OFL_OK);
			CHECK(udp6_csum_ok(flat, len));
			continue;
		}
		CHECK(vh.gso_type == OFL_GSO_TCPV6);
		CHECK(ofl_csum_complete(flat, len, &vh) == OFL_OK);
		CHECK(tcp6_csum_ok(flat, len));
	}
	CHECK(total == added);
	CHECK(added - gro.n == gro.coalesced);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		fuzz_tso(data + 1, size - 1);
		break;
	case 1:
		fuzz_gro(data + 1, size - 1, false);
		break;
	case 2:
		fuzz_uso(data + 1, size - 1);
		break;
	default:
		fuzz_gro(data + 1, size - 1, true);
		break;
	}
	return 0;
}
