/*
 * dnsinfo.h on macOS: dns_configuration_copy(). Its header (dnsinfo.h) is
 * configd's, not the SDK's; the part of its structures read here is
 * declared below, from configd dnsinfo/dnsinfo.h (DNSINFO_VERSION 20170629,
 * the same in configd-1109.40.9 = macOS 11 and configd-1405.100.8): packed
 * to 4 octets, each pointer in a 64-bit union. Only the leading fields are
 * read, through the pointers the library returns; later configd versions
 * append.
 *
 * Not tried on a real Mac: the layout as read in configd's source.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsinfo.h"

#define DNS_RESOLVER_FLAGS_REQUEST_A_RECORDS    0x0002
#define DNS_RESOLVER_FLAGS_REQUEST_AAAA_RECORDS 0x0004

#pragma pack(push, 4)
struct dnsinfo_resolver {
	union {
		char *p;
		uint64_t pad;
	} domain;
	int32_t n_nameserver;
	union {
		void **p;
		uint64_t pad;
	} nameserver;
	uint16_t port;
	int32_t n_search;
	union {
		char **p;
		uint64_t pad;
	} search;
	int32_t n_sortaddr;
	union {
		void **p;
		uint64_t pad;
	} sortaddr;
	union {
		char *p;
		uint64_t pad;
	} options;
	uint32_t timeout;
	uint32_t search_order;
	uint32_t if_index;
	uint32_t flags;
};

struct dnsinfo_config {
	int32_t n_resolver;
	union {
		struct dnsinfo_resolver **p;
		uint64_t pad;
	} resolver;
	int32_t n_scoped_resolver;
	union {
		struct dnsinfo_resolver **p;
		uint64_t pad;
	} scoped_resolver;
};
#pragma pack(pop)

/* The offsets of configd's dns_resolver_t and dns_config_t. */
_Static_assert(offsetof(struct dnsinfo_resolver, n_nameserver) == 8, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_resolver, port) == 20, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_resolver, n_search) == 24, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_resolver, search) == 28, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_resolver, options) == 48, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_resolver, flags) == 68, "dns_resolver_t");
_Static_assert(offsetof(struct dnsinfo_config, resolver) == 4, "dns_config_t");
_Static_assert(offsetof(struct dnsinfo_config, scoped_resolver) == 16, "dns_config_t");

/* libsystem_configuration.dylib (SDK usr/lib/libSystem.B.tbd). */
struct dnsinfo_config *dns_configuration_copy(void);
void dns_configuration_free(struct dnsinfo_config *config);

int
dnsinfo_read(struct dnsinfo *out)
{
	struct dnsinfo_config *cfg = dns_configuration_copy();
	const struct dnsinfo_resolver *r;

	dnsinfo_fill(out, NULL, NULL, 0, NULL, false, false, 0, 0);
	if (cfg == NULL)
		return -ENOENT;
	if (cfg->n_resolver < 1 || cfg->resolver.p == NULL || (r = cfg->resolver.p[0]) == NULL) {
		dns_configuration_free(cfg);
		return -ENOENT;
	}
	dnsinfo_fill(out, r->domain.p, (const char *const *)r->search.p, r->n_search, r->options.p,
	             (r->flags & DNS_RESOLVER_FLAGS_REQUEST_A_RECORDS) != 0,
	             (r->flags & DNS_RESOLVER_FLAGS_REQUEST_AAAA_RECORDS) != 0, cfg->n_resolver,
	             cfg->n_scoped_resolver);
	dns_configuration_free(cfg);
	return 0;
}
