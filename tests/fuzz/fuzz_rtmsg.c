/*
 * libFuzzer target: common/rtmsg.c, the parser of XNU routing-socket
 * messages (what the datapath's and isatap-control's routing sockets read
 * on macOS, several back to back as a sysctl dump gives them). Every
 * message is walked, every accessor asked; the invariants: a parsed
 * message never claims more than the buffer, each sockaddr fits its slot,
 * a prefix length is -1 or within the family's, and what rtmsg_route6()
 * builds parses back to what was asked for.
 */
#include <string.h>

#include "fuzz.h"
#include "rtmsg.h"

static void
ask(const struct rtmsg *m)
{
	struct in6_addr a6;
	struct in_addr a4;
	uint32_t scope;
	int p4 = rtmsg_plen(m, RTMSG_AF_INET), p6 = rtmsg_plen(m, RTMSG_AF_INET6);

	CHECK(p4 >= -1 && p4 <= 32);
	CHECK(p6 >= -1 && p6 <= 128);
	for (unsigned ax = 0; ax < RTMSG_AX_MAX; ax++) {
		CHECK(m->sa_len[ax] <= RTMSG_SA_MAX);
		if (rtmsg_in6(m, (enum rtmsg_ax)ax, &a6, &scope) && a6.s6_addr[0] == 0xfe &&
		    (a6.s6_addr[1] & 0xc0) == 0x80)
			CHECK(a6.s6_addr[2] == 0 && a6.s6_addr[3] == 0);
		(void)rtmsg_in4(m, (enum rtmsg_ax)ax, &a4);
		(void)rtmsg_link_index(m, (enum rtmsg_ax)ax);
	}
	(void)rtmsg_ipv4_change(m);
	(void)rtmsg_other_default6(m, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[RTMSG_REQ_MAX];
	size_t off = 0, used;
	struct rtmsg m;

	while (off < size) {
		enum rtmsg_err e = rtmsg_parse(data + off, size - off, &m, &used);

		if (e != RTMSG_OK && e != RTMSG_UNKNOWN)
			break;
		CHECK(used >= 4 && used <= size - off);
		if (e == RTMSG_OK)
			ask(&m);
		off += used;
	}
	/* The builder, fed from the input: it parses back. */
	if (size >= 18) {
		struct in6_addr p, got;
		uint8_t plen = data[16] % 130, type = (uint8_t)(1 + data[17] % 4);
		size_t n;

		memcpy(&p, data, 16);
		n = rtmsg_route6(buf, sizeof(buf), type, 7, 9, &p, plen, 17);
		if (plen > 128 || type == RTMSG_CHANGE) {
			CHECK(n == 0);
		} else {
			CHECK(n > 0 && n <= sizeof(buf));
			CHECK(rtmsg_parse(buf, n, &m, &used) == RTMSG_OK && used == n);
			CHECK(m.type == type && m.seq == 7 && m.pid == 9);
			CHECK(rtmsg_plen(&m, RTMSG_AF_INET6) == plen);
			CHECK(rtmsg_in6(&m, RTMSG_AX_DST, &got, NULL));
			/* A link-local prefix reads back without octets 2-3 (the
			 * KAME scope the kernel would have put there). */
			if (!(p.s6_addr[0] == 0xfe && (p.s6_addr[1] & 0xc0) == 0x80))
				CHECK(memcmp(&got, &p, 16) == 0);
		}
	}
	return 0;
}
