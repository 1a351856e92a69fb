/*
 * libFuzzer target: datapath/raw_order.c, which rewrites what XNU's raw
 * socket delivers (outside bytes) before decap_check() sees it. The
 * invariants: a datagram it accepts comes out as one whose IPv4 header our
 * own parser takes (length, checksum) unless the fields it does not touch
 * (version, IHL, options, fragments) refuse it; a refused one is left
 * exactly as it was; and the header raw_order_tx() makes carries the
 * lengths in host order.
 */
#include <stdlib.h>
#include <string.h>

#include "datapath/raw_order.h"
#include "fuzz.h"
#include "isatap.h"
#include "pkt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p, out[20];
	struct pkt_ipv4 o;

	if (size > 65535 + 20)
		return 0;
	if ((p = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(p, data, size);
	if (raw_order_rx(p, size)) {
		enum pkt_reason v = pkt_parse_ipv4(p, size, &o);

		CHECK(v != PKT_SHORT && v != PKT_TRUNCATED && v != PKT_LEN_MISMATCH &&
		      v != PKT_BAD_CHECKSUM);
		if (v == PKT_OK)
			CHECK(o.total_len == size);
	} else {
		CHECK(memcmp(p, data, size) == 0);
	}
	if (size >= 20) {
		uint16_t len, off;

		raw_order_tx(out, data);
		memcpy(&len, out + 2, 2);
		memcpy(&off, out + 6, 2);
		CHECK(len == (uint16_t)(data[2] << 8 | data[3]));
		CHECK(off == (uint16_t)(data[6] << 8 | data[7]));
		CHECK(out[10] == 0 && out[11] == 0);
	}
	free(p);
	return 0;
}
