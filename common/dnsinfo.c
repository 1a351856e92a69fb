/*
 * dnsinfo.h: what the default resolver's fields come to, the way libresolv's
 * res_ninit() reads them on macOS (libresolv res_init.c
 * __res_vinit_from_dns: the search list, else the domain; "ndots:" among
 * the options).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsinfo.h"

static unsigned
dnsinfo_ndots(const char *options)
{
	const char *p = options;

	while (p != NULL && (p = strstr(p, "ndots:")) != NULL) {
		if (p == options || p[-1] == ' ') {
			unsigned long n = strtoul(p + 6, NULL, 10);

			return n > 15 ? 15 : (unsigned)n;
		}
		p += 6;
	}
	return 1;
}

static void
dnsinfo_add(struct dnsinfo *out, const char *name)
{
	if (name == NULL || name[0] == '\0' || out->n_search == DNSINFO_SEARCH_MAX ||
	    strlen(name) >= DNSINFO_NAME_MAX)
		return;
	snprintf(out->search[out->n_search++], DNSINFO_NAME_MAX, "%s", name);
}

void
dnsinfo_fill(struct dnsinfo *out, const char *domain, const char *const *search, int n_search,
             const char *options, bool request_a, bool request_aaaa, int n_resolver, int n_scoped)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; search != NULL && i < n_search; i++)
		dnsinfo_add(out, search[i]);
	if (out->n_search == 0)
		dnsinfo_add(out, domain);
	out->ndots = dnsinfo_ndots(options);
	out->request_a = request_a;
	out->request_aaaa = request_aaaa;
	out->n_other = n_resolver > 1 ? (unsigned)(n_resolver - 1) : 0;
	out->n_scoped = n_scoped > 0 ? (unsigned)n_scoped : 0;
}
