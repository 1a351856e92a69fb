/*
 * A recording stand-in for the datapath's raw protocol-41 socket (a real one
 * needs root): raw_recv hands out datagrams the test queued in in[], raw_send
 * records destination, outer header and inner packet in out[].
 */
#ifndef ISATAP_TU_RAW_H
#define ISATAP_TU_RAW_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/dp.h"

/* Room for the 123 segments of a 64 KiB super-packet cut at MSS 536. */
#define TU_RAW_MAX 160
#define TU_RAW_PKT 2048

struct tu_raw {
	/* queued for raw_recv */
	uint8_t in[TU_RAW_MAX][TU_RAW_PKT];
	size_t in_len[TU_RAW_MAX];
	unsigned n_in, next_in;
	/* recorded by raw_send */
	struct in_addr dst[TU_RAW_MAX];
	uint8_t out[TU_RAW_MAX][TU_RAW_PKT];
	size_t out_len[TU_RAW_MAX];
	unsigned n_out, calls;
	int fail_index; /* -1: none; else that datagram fails with fail_err */
	int fail_err;   /* -EHOSTUNREACH unless the test says otherwise */
};

void tu_raw_init(struct tu_raw *r);
int tu_raw_recv(void *h, struct dp_rx *rx, unsigned n);
unsigned tu_raw_send(void *h, struct dp_tx *tx, unsigned n);

#endif
