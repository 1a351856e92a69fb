/*
 * datapath/raw_order.c: IPv4 headers as XNU's raw socket delivers and
 * takes them. The XNU form is written here from ip_input()'s conversion
 * (ip_len and ip_off in host order, ip_len without the header), not with
 * raw_order.c's helpers; decap_check()'s own parser judges the result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/raw_order.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"

static void
host16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* A wire datagram, and the same as XNU hands it to a raw socket. */
static size_t
datagrams(uint8_t *wire, uint8_t *xnu, uint16_t off_field)
{
	uint8_t inner[60];
	size_t len;

	memset(inner, 0x60, sizeof(inner));
	len = tu_ipv4(wire, "192.0.2.2", "192.0.2.1", inner, sizeof(inner));
	wire[6] = (uint8_t)(off_field >> 8);
	wire[7] = (uint8_t)off_field;
	tu_ipv4_fix(wire);
	memcpy(xnu, wire, len);
	host16(xnu + 2, (uint16_t)(len - 20));
	host16(xnu + 6, off_field);
	return len;
}

static void
test_rx_back_to_wire(void **state)
{
	uint8_t wire[128], xnu[128];
	struct pkt_ipv4 o;
	size_t len = datagrams(wire, xnu, 0x4000 /* DF */);

	(void)state;
	/* As XNU delivers it, our parser refuses it. */
	assert_int_not_equal(pkt_parse_ipv4(xnu, len, &o), PKT_OK);
	assert_true(raw_order_rx(xnu, len));
	assert_memory_equal(xnu, wire, len);
	assert_int_equal(pkt_parse_ipv4(xnu, len, &o), PKT_OK);
	assert_int_equal(o.total_len, len);
}

/* A reassembled datagram keeps the checksum of its first fragment: the
 * checksum is recomputed, not trusted. */
static void
test_rx_checksum_recomputed(void **state)
{
	uint8_t wire[128], xnu[128];
	size_t len = datagrams(wire, xnu, 0);

	(void)state;
	xnu[10] ^= 0x55;
	assert_true(raw_order_rx(xnu, len));
	assert_memory_equal(xnu, wire, len);
}

static void
test_rx_refuses(void **state)
{
	uint8_t wire[128], xnu[128], keep[128];
	size_t len = datagrams(wire, xnu, 0);

	(void)state;
	memcpy(keep, xnu, len);
	/* A read cut short: ip_len says more than arrived. */
	assert_false(raw_order_rx(xnu, len - 1));
	/* Too short for a header; not IPv4; an IHL past the data or under 5. */
	assert_false(raw_order_rx(xnu, 19));
	xnu[0] = 0x65;
	assert_false(raw_order_rx(xnu, len));
	xnu[0] = 0x44;
	assert_false(raw_order_rx(xnu, len));
	xnu[0] = 0x4f;
	assert_false(raw_order_rx(xnu, 40));
	xnu[0] = 0x45;
	/* ip_len already in wire form (network order total): does not fit. */
	xnu[2] = wire[2];
	xnu[3] = wire[3];
	assert_false(raw_order_rx(xnu, len));
	/* Nothing was changed by a refusal. */
	xnu[2] = keep[2];
	xnu[3] = keep[3];
	assert_memory_equal(xnu, keep, len);
}

static void
test_tx_host_order(void **state)
{
	uint8_t hdr[20], out[20];
	uint16_t v;

	(void)state;
	pkt_build_ipv4(hdr, tu_a4("192.0.2.1"), tu_a4("192.0.2.2"), 1280, 0x1234, 64, 0x20);
	raw_order_tx(out, hdr);
	memcpy(&v, out + 2, 2);
	assert_int_equal(v, 20 + 1280);
	memcpy(&v, out + 6, 2);
	assert_int_equal(v, 0);
	assert_int_equal(out[10], 0);
	assert_int_equal(out[11], 0);
	/* Everything else as built: id, TOS, TTL, protocol, addresses. */
	assert_memory_equal(out + 4, hdr + 4, 2);
	assert_int_equal(out[1], 0x20);
	assert_memory_equal(out + 8, hdr + 8, 2);
	assert_memory_equal(out + 12, hdr + 12, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rx_back_to_wire),
	        cmocka_unit_test(test_rx_checksum_recomputed),
	        cmocka_unit_test(test_rx_refuses),
	        cmocka_unit_test(test_tx_host_order),
	};

	return cmocka_run_group_tests_name("dp_raw_order", tests, NULL, NULL);
}
