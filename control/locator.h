/*
 * Where the IPv4 locator comes from (-l auto|IFACE|IPv4). Queries the
 * kernel's current view; no privilege, no packet sent.
 */
#ifndef ISATAP_CONTROL_LOCATOR_H
#define ISATAP_CONTROL_LOCATOR_H

#include <netinet/in.h>

#include "conf.h"

/*
 * The locator the configuration asks for now:
 *   auto:      the source address the kernel picks toward router (a
 *              connected UDP socket; -EHOSTUNREACH without a router or route);
 *   interface: the first IPv4 address of iface (-EADDRNOTAVAIL without one);
 *   static:    v4 as configured.
 */
int locator_find(const struct conf *c, struct in_addr router, struct in_addr *out);

/* The host's IPv4 addresses, every interface, into out[0..max): how many,
 * or a negative errno. */
int locator_host_v4(struct in_addr *out, size_t max);

#endif
