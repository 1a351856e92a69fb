#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "tu_raw.h"

void
tu_raw_init(struct tu_raw *r)
{
	memset(r, 0, sizeof(*r));
	r->fail_index = -1;
	r->fail_err = -EHOSTUNREACH;
}

int
tu_raw_recv(void *h, struct dp_rx *rx, unsigned n)
{
	struct tu_raw *r = h;
	unsigned got = 0;

	while (got < n && r->next_in < r->n_in) {
		memcpy(rx[got].buf, r->in[r->next_in], r->in_len[r->next_in]);
		rx[got].len = r->in_len[r->next_in];
		got++;
		r->next_in++;
	}
	return (int)got;
}

unsigned
tu_raw_send(void *h, struct dp_tx *tx, unsigned n)
{
	struct tu_raw *r = h;
	unsigned sent = 0;

	r->calls++;
	for (unsigned i = 0; i < n; i++) {
		assert_true(r->n_out < TU_RAW_MAX);
		if ((int)r->n_out == r->fail_index) {
			tx[i].err = r->fail_err;
			r->fail_index = -1;
			continue;
		}
		assert_true(DP_OUTER_HDR + tx[i].inner_len <= TU_RAW_PKT);
		r->dst[r->n_out] = tx[i].dst;
		memcpy(r->out[r->n_out], tx[i].hdr, DP_OUTER_HDR);
		memcpy(r->out[r->n_out] + DP_OUTER_HDR, tx[i].inner, tx[i].inner_len);
		r->out_len[r->n_out] = DP_OUTER_HDR + tx[i].inner_len;
		r->n_out++;
		tx[i].err = 0;
		sent++;
	}
	return sent;
}
