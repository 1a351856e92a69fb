/*
 * Watching the host's IPv4 addresses (DESIGN.md "IPv4 change"): one small
 * interface, one file per platform (v4watch_linux.c: rtnetlink). Changes are
 * debounced, so that a burst (DHCP replacing an address: delete then add)
 * converges on its last state with one callback.
 */
#ifndef ISATAP_CONTROL_V4WATCH_H
#define ISATAP_CONTROL_V4WATCH_H

#include <stdint.h>
#include <uv.h>

#define V4WATCH_DEBOUNCE_MS 200

typedef void (*v4watch_fn)(void *ctx);

struct v4watch_counters {
	uint64_t messages, changes, overruns, errors;
};

struct v4watch;

/* Starts watching; changed() runs V4WATCH_DEBOUNCE_MS after the last change
 * of a burst (and after a lost-notification overrun). No privilege needed. */
int v4watch_new(uv_loop_t *loop, v4watch_fn changed, void *ctx, struct v4watch **out);
void v4watch_close(struct v4watch *w);
const struct v4watch_counters *v4watch_get_counters(const struct v4watch *w);

#endif
