/*
 * isatapctl's output of the daemon's results: readable text for people, or
 * the result object itself as JSON for scripts. The text functions accept
 * any JSON value and print what they can recognise: a member that is
 * missing or of the wrong type shows as "-".
 */
#ifndef ISATAP_CTL_SHOW_H
#define ISATAP_CTL_SHOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctl.h"

/* The result of `status` (docs/API.md "status result"). */
void show_status(FILE *f, const json_t *status);

/* The `prl` array as one aligned table, one row per router. */
void show_router_table(FILE *f, const json_t *prl);

/* The result of `routers.list`: one block per router with every field. */
void show_routers(FILE *f, const json_t *result);

/* The result of `stats`: every counter, then every drop reason. */
void show_stats(FILE *f, const json_t *result);

/* One event notification's params as one line, ending in '\n'. */
void show_event(FILE *f, const json_t *event);

/*
 * v as JSON: indented for CTL_JSON_PRETTY (and CTL_JSON_AUTO on a terminal),
 * one line otherwise. Non-ASCII is escaped so that nothing the daemon sent
 * can drive the terminal. Returns 0, or -1 when the write failed.
 */
int show_json(FILE *f, const json_t *v, enum ctl_json mode, bool tty);

#endif
