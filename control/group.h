/*
 * The API group's id from its name (api_group), looked up in libuv's thread
 * pool: getgrnam_r() may ask LDAP or SSSD and wait on them, and the event
 * loop must never wait (review finding 16), neither at start nor on SIGHUP.
 */
#ifndef ISATAP_CONTROL_GROUP_H
#define ISATAP_CONTROL_GROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "conf.h"

/* name is the name asked for; found false when there is no such group or
 * the look-up failed (error: 0 or a negative errno). */
typedef void (*group_done_fn)(void *ctx, const char *name, bool found, gid_t gid, int error);

/* Starts the look-up; done() runs on the loop thread, always, even after a
 * cancel at shutdown. 0 or a negative errno. */
int group_lookup(uv_loop_t *loop, const char *name, group_done_fn done, void *ctx);

#endif
