/*
 * Random ISATAP worlds and packets for differential tests: a seeded
 * generator (the seed is printed, so any failure is replayed by setting
 * it), a state of the kind control pushes (locators, PRL, on-link
 * prefixes, addresses, routes) drawn from small pools so that packets
 * often hit it, and packets that are valid for it or nearly so:
 * well-formed ones, then mutated field by field (lengths, IHL, fragments,
 * checksum, versions, extension headers, hop limits, ECN) or byte by byte.
 * Pure: no I/O, no allocation.
 */
#ifndef ISATAP_TESTS_TU_PKTGEN_H
#define ISATAP_TESTS_TU_PKTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decap.h"
#include "nexthop.h"

/* xorshift64*: small, fast, and the same sequence everywhere. */
struct tu_rng {
	uint64_t s;
};
void tu_rng_seed(struct tu_rng *r, uint64_t seed);
uint32_t tu_rng_u32(struct tu_rng *r);
uint32_t tu_rng_below(struct tu_rng *r, uint32_t n); /* 0 .. n-1 */
bool tu_rng_chance(struct tu_rng *r, unsigned percent);

#define TU_GEN_V4    8
#define TU_GEN_MAX   8
#define TU_GEN_BCAST 2

/* One state, with the contexts both checks are given pointing into it. */
struct tu_world {
	struct in_addr v4[TU_GEN_V4]; /* the pool every IPv4 address comes from */
	struct in_addr retired[3];
	struct in_addr prl[TU_GEN_MAX];
	struct prefix6 onlink[TU_GEN_MAX];
	struct in6_addr local[TU_GEN_MAX];
	struct nh_route routes[TU_GEN_MAX];
	struct in_addr bcast[TU_GEN_BCAST];
	size_t n_bcast;
	struct decap_ctx decap;
	struct nh_ctx nh;
};

/* A new random world; router mode in about one world out of four. */
void tu_gen_world(struct tu_rng *r, struct tu_world *w);

/* A protocol-41 datagram for w (outer IPv4 header included) into buf,
 * cap >= 1600; returns its length. */
size_t tu_gen_ingress(struct tu_rng *r, const struct tu_world *w, uint8_t *buf, size_t cap);
/* An IPv6 packet as the kernel would hand the TUN; returns its length. */
size_t tu_gen_egress(struct tu_rng *r, const struct tu_world *w, uint8_t *buf, size_t cap);

#endif
