/*
 * PRL look-ups on macOS (control/dns_darwin.c), for dns.c's thread-pool
 * work: the candidates of name through the search list macOS's resolver
 * applies, /etc/hosts first (hosts(), dns.c's reader), then an A query for
 * each through mDNSResponder. Fills *a as dns.c's Linux path does.
 */
#ifndef ISATAP_CONTROL_DNS_DARWIN_H
#define ISATAP_CONTROL_DNS_DARWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "dns.h"

void dns_darwin_lookup(const char *name, uint32_t hosts_ttl_s,
                       bool (*hosts)(const char *cand, struct dns_answer *a), struct dns_answer *a);

#endif
