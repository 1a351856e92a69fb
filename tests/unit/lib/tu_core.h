/*
 * A harness for the control core (control/core/core.h) under a simulated
 * clock. Every action the core queues is rendered as one line of text
 * ("SEND_RS 192.0.2.254 u=0", "ADDR_ADD 2001:db8:1::5efe:c000:201/64
 * v=86400 p=14400", "EV router_up 192.0.2.254 1800", "RESOLVE isatap"),
 * stamped with the simulated time, so that tests assert exact sequences.
 *
 * Datapath requests are also applied to a model of the datapath's tables
 * (struct msg_state, as the datapath reports it in MSG_STATE), after
 * checking each with msg_check_payload(): the core must never send what the
 * datapath would refuse, never delete what is not there, never hold two
 * routes for one prefix, and never ask for an RS to a router outside the
 * PRL or without a locator.
 */
#ifndef ISATAP_TESTS_TU_CORE_H
#define ISATAP_TESTS_TU_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/core/core.h"
#include "tests/unit/lib/tu_ra.h"

#define TUC_ACTS_MAX 4096
#define TUC_LINE     320

#define TUC_TYPES   128 /* message numbers below this */
#define TUC_REPLIES 256

struct tuc {
	struct core *c;
	uint64_t now;
	struct msg_state dp; /* the datapath model */
	/* The model refuses requests of type t with refuse[t] (a negative
	 * errno) and leaves its tables as they were; with real_rs, a SEND_RS
	 * without a locator is refused (-EADDRNOTAVAIL) as the datapath does,
	 * instead of failing the test. Replies the core must hear (refusals,
	 * the STATE of a GET_STATE) are given back in order after each drain. */
	int refuse[TUC_TYPES];
	struct msg_nd_params nd; /* the model's last SET_ND_PARAMS */
	bool real_rs;
	size_t n_replies;
	struct {
		uint16_t type;
		int error;
		struct msg_state *state; /* GET_STATE: the model as it was then */
	} reply[TUC_REPLIES];
	size_t n;
	char act[TUC_ACTS_MAX][TUC_LINE];
	uint64_t at[TUC_ACTS_MAX];
};

/* A configuration: routers is a comma-separated list of specs (or NULL). */
void tuc_config(struct core_config *cfg, uint64_t seed, const char *routers);
/* core_new() at t->now (0 unless set) with CMocka's allocator; drains. */
void tuc_start(struct tuc *t, const struct core_config *cfg);
void tuc_start_simple(struct tuc *t, uint64_t seed, const char *routers);
void tuc_stop(struct tuc *t);

void tuc_drain(struct tuc *t);
void tuc_clear(struct tuc *t);
/* Moves the clock to `to`, calling core_tick() at every deadline on the
 * way (as the glue's one timer would) and at none other. */
void tuc_until(struct tuc *t, uint64_t to);
void tuc_advance(struct tuc *t, uint64_t ms);

/* The datapath connects reporting the model's current tables. */
void tuc_connect(struct tuc *t);
void tuc_locator(struct tuc *t, const char *v4);
/* An RA from router v4 (source fe80::5efe:V4 unless src is given). */
enum core_nd_verdict tuc_ra(struct tuc *t, const char *v4, const char *src, const struct tu_ra *b);
/* A DNS answer: v4s comma-separated. */
void tuc_dns(struct tuc *t, const char *name, const char *v4s, uint32_t ttl_s);

size_t tuc_count(const struct tuc *t, const char *prefix);
int tuc_find(const struct tuc *t, const char *line);
int tuc_find_prefix(const struct tuc *t, const char *prefix);
/* Asserts that the actions since the last tuc_clear() are exactly want
 * (NULL-terminated), in order; prints both lists otherwise. */
void tuc_expect(const struct tuc *t, const char *const *want);
/* The same, ignoring lines that start with any of the NULL-terminated skip. */
void tuc_expect_only(const struct tuc *t, const char *const *skip, const char *const *want);
void tuc_dump(const struct tuc *t);

#endif
