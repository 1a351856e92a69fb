/*
 * isatap-control's glue: one event loop, the pure core (control/core/), and
 * the I/O edges around it (datapath link, DNS, IPv4 watch, API). Every event
 * becomes one call into the core; ctl_run_core() then performs the actions
 * the core queued, in order, and re-arms the one wake-up from
 * core_next_deadline(). clock.h's clock, which counts suspend, is the core's.
 */
#ifndef ISATAP_CONTROL_CONTROL_H
#define ISATAP_CONTROL_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "api.h"
#include "conf.h"
#include "control/core/core.h"
#include "dns.h"
#include "dplink.h"
#include "log.h"
#include "v4watch.h"

struct ctl_counters {
	uint64_t locator_errors, dns_errors, dp_send_errors;
};

struct ctl {
	uv_loop_t *loop;
	const char *conf_path;
	bool conf_missing_ok; /* the default path may be absent */
	struct conf cmdline;  /* what the command line set; wins over the file */
	struct conf conf;     /* effective */

	struct core *core;
	struct dplink *dl;
	struct dns *dns;
	struct v4watch *v4w;
	struct api *api;

	struct ctl_wake *wake; /* core_next_deadline(), on the clock of clock.h */
	/* Tests only: a clock and a wake-up of their own (NULL: clock.h's). */
	uint64_t (*now_fn)(struct ctl *ctl);
	void (*arm_fn)(struct ctl *ctl, uint64_t deadline);
	uv_signal_t sig_hup, sig_term, sig_int;
	bool stopping;
	int exit_status;

	uint64_t start_ms;
	time_t start_time;
	/* the datapath's interface, from HELLO_REPLY / STATE / LINK_EVENT */
	bool have_link;
	bool link_up;
	uint32_t link_mtu;
	struct ctl_counters counters;
	struct log_rate rate;
};

/* Opens everything after the configuration is loaded into ctl->conf.
 * Returns 0 or a negative errno (with a log line). */
int ctl_start(struct ctl *ctl, uv_loop_t *loop);
/* Closes every handle; the loop then runs down and the memory goes. */
void ctl_stop(struct ctl *ctl);
/* SIGHUP: re-reads the file (the command line still wins) and applies it. */
void ctl_reload(struct ctl *ctl);

/* Performs what the core queued and re-arms the wake-up. */
void ctl_run_core(struct ctl *ctl);
/* The wake-up fired: the core's timers, then ctl_run_core(). */
void ctl_tick(struct ctl *ctl);
/* The core's clock: milliseconds that count suspend (clock.h). */
uint64_t ctl_now(struct ctl *ctl);
/* Re-evaluates the locator (after an IPv4 change, a new PRL, a reload). */
void ctl_locator_update(struct ctl *ctl);

/* Fills a core configuration from ours. */
void ctl_core_config(const struct conf *conf, struct core_config *cc, uint64_t seed);

/* status.c: the JSON views of docs/API.md. */
json_t *status_json(struct ctl *ctl);
json_t *status_routers_json(struct ctl *ctl);
json_t *status_counters_json(struct ctl *ctl, bool with_control);
json_t *status_event_json(const struct core_event *ev, time_t now);

/* The API methods (control.c), for api.c. */
extern const struct api_ops ctl_api_ops;

#endif
