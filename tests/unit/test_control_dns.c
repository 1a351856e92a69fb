/*
 * control/dns.c: the names tried (resolv.conf search and ndots), /etc/hosts
 * lines, and the DNS answer parser with its TTL (RFC 1035 §4.1, RFC 2181
 * §5.2), on answers built byte by byte, hostile ones included.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/dns.h"
#include "tests/unit/lib/tu.h"

static void
test_candidates(void **state)
{
	const char *const doms[] = {"example.test", "corp.example"};
	char out[8][DNS_NAME_MAX];
	size_t n;

	(void)state;
	/* "isatap" has fewer dots than ndots 1: search domains first. */
	n = dns_candidates("isatap", doms, 2, 1, out, 8);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "isatap.example.test");
	assert_string_equal(out[1], "isatap.corp.example");
	assert_string_equal(out[2], "isatap");
	/* Enough dots: as given first. */
	n = dns_candidates("isatap.site", doms, 2, 1, out, 8);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "isatap.site");
	assert_string_equal(out[1], "isatap.site.example.test");
	/* An absolute name is only itself. */
	n = dns_candidates("isatap.example.test.", doms, 2, 1, out, 8);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "isatap.example.test.");
	/* No search list. */
	n = dns_candidates("isatap", NULL, 0, 1, out, 8);
	assert_int_equal(n, 1);
	assert_int_equal(dns_candidates("", doms, 2, 1, out, 8), 0);
	/* The output bound holds. */
	assert_int_equal(dns_candidates("isatap", doms, 2, 1, out, 2), 2);
}

static void
test_candidates_too_long(void **state)
{
	char name[250], out[4][DNS_NAME_MAX];
	const char *const doms[] = {"example.test"};

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	/* name.example.test would pass 253 octets: only the bare name. */
	assert_int_equal(dns_candidates(name, doms, 1, 1, out, 4), 1);
	assert_string_equal(out[0], name);
}

static void
test_hosts_line(void **state)
{
	struct in_addr v4[2];
	size_t n = 0;
	char l1[] = "192.0.2.254\tisatap.example.test isatap # router\n";
	char l2[] = "# 192.0.2.9 isatap\n";
	char l3[] = "2001:db8::1 isatap\n";
	char l4[] = "198.51.100.1 ISATAP.\n";
	char l5[] = "192.0.2.254 isatap\n";
	char l6[] = "203.0.113.1 isatap\n";
	char l7[] = "127.0.0.1 isatap\n";
	char l8[] = "192.0.2.7 notisatap isatapx\n";

	(void)state;
	assert_true(dns_hosts_line(l1, "isatap", v4, &n, 2));
	assert_int_equal(n, 1);
	assert_int_equal(v4[0].s_addr, tu_a4("192.0.2.254").s_addr);
	assert_false(dns_hosts_line(l2, "isatap", v4, &n, 2));
	assert_false(dns_hosts_line(l3, "isatap", v4, &n, 2));
	/* case and a trailing dot do not matter */
	assert_true(dns_hosts_line(l4, "isatap", v4, &n, 2));
	assert_int_equal(n, 2);
	/* no duplicates, and the bound holds */
	assert_true(dns_hosts_line(l5, "isatap", v4, &n, 2));
	assert_true(dns_hosts_line(l6, "isatap", v4, &n, 2));
	assert_int_equal(n, 2);
	/* loopback is never a router */
	n = 0;
	assert_true(dns_hosts_line(l7, "isatap", v4, &n, 2));
	assert_int_equal(n, 0);
	assert_false(dns_hosts_line(l8, "isatap", v4, &n, 2));
}

/* A DNS response: header, the question isatap.example.test A IN, then
 * answer records given as (type, ttl, rdata). */
struct rr {
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

static size_t
build(uint8_t *b, uint8_t rcode, const struct rr *rrs, size_t n)
{
	static const uint8_t qname[] = "\6isatap\7example\4test";
	size_t off = 12;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = 0x81; /* QR, RD */
	b[3] = 0x80 | rcode;
	b[5] = 1;                 /* QDCOUNT */
	b[6] = (uint8_t)(n >> 8); /* ANCOUNT */
	b[7] = (uint8_t)n;
	memcpy(b + off, qname, sizeof(qname)); /* includes the root label */
	off += sizeof(qname);
	b[off++] = 0;
	b[off++] = 1; /* A */
	b[off++] = 0;
	b[off++] = 1; /* IN */
	for (size_t i = 0; i < n; i++) {
		b[off++] = 0xc0; /* pointer to the question name */
		b[off++] = 12;
		b[off++] = (uint8_t)(rrs[i].type >> 8);
		b[off++] = (uint8_t)rrs[i].type;
		b[off++] = 0;
		b[off++] = 1;
		b[off++] = (uint8_t)(rrs[i].ttl >> 24);
		b[off++] = (uint8_t)(rrs[i].ttl >> 16);
		b[off++] = (uint8_t)(rrs[i].ttl >> 8);
		b[off++] = (uint8_t)rrs[i].ttl;
		b[off++] = (uint8_t)(rrs[i].rdlen >> 8);
		b[off++] = (uint8_t)rrs[i].rdlen;
		memcpy(b + off, rrs[i].rdata, rrs[i].rdlen);
		off += rrs[i].rdlen;
	}
	return off;
}

static void
test_parse_answer(void **state)
{
	static const uint8_t a1[] = {192, 0, 2, 254}, a2[] = {192, 0, 2, 252};
	static const uint8_t lo[] = {127, 0, 0, 1}, cname[] = {0xc0, 12};
	uint8_t msg[512];
	struct in_addr v4[4];
	uint32_t ttl = 0;
	size_t len;
	struct rr two[] = {{1, 300, a1, 4}, {1, 120, a2, 4}};
	struct rr chain[] = {{5, 60, cname, 2}, {1, 3600, a1, 4}, {1, 3600, lo, 4}};
	struct rr bad[] = {{1, 300, a1, 3}};

	(void)state;
	len = build(msg, 0, two, 2);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), 2);
	assert_int_equal(v4[0].s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(v4[1].s_addr, tu_a4("192.0.2.252").s_addr);
	assert_int_equal(ttl, 120); /* the smallest */
	/* A CNAME's TTL bounds the answer; loopback is skipped. */
	len = build(msg, 0, chain, 3);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), 1);
	assert_int_equal(ttl, 60);
	/* NXDOMAIN: no addresses. */
	len = build(msg, 3, NULL, 0);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), 0);
	/* SERVFAIL, REFUSED: nothing said about the name (review finding 2:
	 * an outage keeps the routers, "no such name" takes them away). */
	len = build(msg, 2, two, 2);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), -EAGAIN);
	len = build(msg, 5, NULL, 0);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), -EAGAIN);
	/* An A record with 3 octets of data. */
	len = build(msg, 0, bad, 1);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 4, &ttl), -EBADMSG);
	/* Truncated anywhere: refused, never read past the end. */
	len = build(msg, 0, two, 2);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int r;

		memcpy(copy, msg, cut);
		r = dns_parse_answer(copy, cut, (long)cut, v4, 4, &ttl);
		if (r != -EBADMSG && r != 1)
			fail_msg("cut at %zu: %d", cut, r);
		free(copy);
	}
	/* The output bound holds. */
	len = build(msg, 0, two, 2);
	assert_int_equal(dns_parse_answer(msg, sizeof(msg), (long)len, v4, 1, &ttl), 1);
}

/*
 * Review finding 10: glibc's res_nquery() returns the whole length of a TCP
 * answer longer than the buffer, of which only the buffer's worth was
 * read. An answer of 300 A records (4837 octets) in a 4096-octet buffer,
 * the length as glibc reports it: refused, never read past the buffer (a
 * heap copy of exactly 4096 octets, so that ASan sees any overread), and
 * an answer of exactly the buffer's size still parsed.
 */
static void
test_parse_answer_longer_than_buffer(void **state)
{
	enum { CAP = 4096, N = 300 };
	static uint8_t big[8192];
	static const uint8_t txt[15] = {14,  'i', 's', 'a', 't', 'a', 'p', ' ',
	                                'p', 'a', 'd', 'd', 'i', 'n', 'g'};
	struct rr rrs[N];
	uint8_t a[N][4];
	struct in_addr v4[16];
	uint32_t ttl = 0;
	size_t len;
	uint8_t *buf;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		a[i][0] = 198;
		a[i][1] = 51;
		a[i][2] = (uint8_t)(100 + i / 250);
		a[i][3] = (uint8_t)(1 + i % 250);
		rrs[i] = (struct rr){1, 300, a[i], 4};
	}
	len = build(big, 0, rrs, N);
	assert_int_equal(len, 12 + 21 + 4 + N * 16);
	assert_true(len > CAP);
	buf = malloc(CAP);
	assert_non_null(buf);
	memcpy(buf, big, CAP);
	assert_int_equal(dns_parse_answer(buf, CAP, (long)len, v4, 16, &ttl), -EMSGSIZE);
	assert_int_equal(dns_parse_answer(buf, CAP, CAP + 1, v4, 16, &ttl), -EMSGSIZE);
	assert_int_equal(dns_parse_answer(buf, CAP, 65535, v4, 16, &ttl), -EMSGSIZE);
	assert_int_equal(dns_parse_answer(buf, CAP, -1, v4, 16, &ttl), -EMSGSIZE);
	/* What the buffer holds of it is a truncated answer: malformed. */
	assert_int_equal(dns_parse_answer(buf, CAP, CAP, v4, 16, &ttl), -EBADMSG);
	/* 252 A records and a TXT record of 15 octets: exactly 4096, the
	 * boundary, which fits. */
	rrs[252] = (struct rr){16, 300, txt, sizeof(txt)};
	len = build(big, 0, rrs, 253);
	assert_int_equal(len, CAP);
	memcpy(buf, big, CAP);
	assert_int_equal(dns_parse_answer(buf, CAP, CAP, v4, 16, &ttl), 16);
	assert_int_equal(v4[0].s_addr, tu_a4("198.51.100.1").s_addr);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_candidates),
	        cmocka_unit_test(test_candidates_too_long),
	        cmocka_unit_test(test_hosts_line),
	        cmocka_unit_test(test_parse_answer),
	        cmocka_unit_test(test_parse_answer_longer_than_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
