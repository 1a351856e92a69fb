/*
 * macOS's DNS configuration as its resolver sees it: configd's "dnsinfo",
 * read with dns_configuration_copy() (dnsinfo_darwin.c) (libsystem_configuration.dylib, part
 * of libSystem). This is what libresolv's res_ninit() reads first since
 * libresolv-91 (res_init.c __res_vinit_from_dns) and what `scutil --dns`
 * prints; /etc/resolv.conf is only configd's copy of the default resolver's
 * servers and search list, "not consulted for DNS hostname resolution ... by
 * most processes" (configd Plugins/IPMonitor/ip_plugin.c), and it has
 * nothing of the supplemental resolvers (/etc/resolver/NAME, a VPN's split
 * DNS) nor of the per-interface scoped ones.
 */
#ifndef ISATAP_COMMON_DNSINFO_H
#define ISATAP_COMMON_DNSINFO_H

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

/* macOS (dnsinfo_darwin.c): 0, or -ENOENT when configd publishes no
 * configuration. */
int dnsinfo_read(struct dnsinfo *out);

/*
 * The rules above, from the default resolver's fields as configd has them
 * (dnsinfo.c, platform-neutral so that it is tested here): the search list
 * (n_search names, NULL or empty ones skipped, at most DNSINFO_SEARCH_MAX,
 * a name too long for DNSINFO_NAME_MAX skipped), else the domain; ndots
 * from "ndots:N" among the space-separated options (at most 15, as
 * libresolv caps it), else 1; the A/AAAA request flags; n_resolver and
 * n_scoped counted as configd counts them (the default included).
 */
void dnsinfo_fill(struct dnsinfo *out, const char *domain, const char *const *search, int n_search,
                  const char *options, bool request_a, bool request_aaaa, int n_resolver,
                  int n_scoped);

#endif
