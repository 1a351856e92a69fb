/*
 * macOS's DNS configuration as its resolver sees it: configd's "dnsinfo",
 * read with dns_configuration_copy() (libsystem_configuration.dylib, part
 * of libSystem). This is what libresolv's res_ninit() reads first since
 * libresolv-91 (res_init.c __res_vinit_from_dns) and what `scutil --dns`
 * prints; /etc/resolv.conf is only configd's copy of the default resolver's
 * servers and search list, "not consulted for DNS hostname resolution ... by
 * most processes" (configd Plugins/IPMonitor/ip_plugin.c), and it has
 * nothing of the supplemental resolvers (/etc/resolver/NAME, a VPN's split
 * DNS) nor of the per-interface scoped ones.
 */
#ifndef ISATAP_COMMON_DNSINFO_DARWIN_H
#define ISATAP_COMMON_DNSINFO_DARWIN_H

#include <stdbool.h>
#include <stddef.h>

#define DNSINFO_SEARCH_MAX 6 /* libresolv's MAXDNSRCH */
#define DNSINFO_NAME_MAX   256

struct dnsinfo {
	/* resolver #1, the default: its search list (or its domain when it
	 * has none, as res_ninit() does) and ndots (options "ndots:N", 1
	 * when not said) */
	char search[DNSINFO_SEARCH_MAX][DNSINFO_NAME_MAX];
	size_t n_search;
	unsigned ndots;
	/* whether configd asks for A / AAAA records: it asks for AAAA only
	 * when some network service has routable IPv6 (configd
	 * Plugins/IPMonitor/dns-configuration.c dns_resolver_flags_service) */
	bool request_a, request_aaaa;
	/* resolvers besides the default one: supplemental (by domain) and
	 * scoped (by interface) */
	unsigned n_other, n_scoped;
};

/* 0, or -ENOENT when configd publishes no configuration. */
int dnsinfo_read(struct dnsinfo *out);

#endif
