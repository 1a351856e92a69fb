/*
 * ISATAP address math (RFC 5214 §6.1) and the RFC 5952 text forms.
 * Pure functions over network-byte-order addresses; no allocation.
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "isatap.h"

/* ISATAP identifier octets 8..11 of an IPv6 address (RFC 5214 §6.1). */
#define IFID_OFF 8
#define V4_OFF   12

static uint32_t
v4_host(struct in_addr v4)
{
	return ntohl(v4.s_addr);
}

static bool
v4_in(uint32_t a, uint32_t net, unsigned plen)
{
	uint32_t mask = plen == 0 ? 0 : 0xffffffffu << (32 - plen);

	return (a & mask) == net;
}

/*
 * RFC 6890 special-purpose blocks that are not globally unique, so that an
 * ISATAP identifier built on them must have u = 0 (RFC 5214 §6.1). The list
 * is the one in addr.h; 255.255.255.255 falls inside 240/4.
 */
static const struct {
	uint32_t net;
	uint8_t plen;
} v4_not_global[] = {
        {0x00000000, 8},  /* 0/8 "this network", RFC 1122 */
        {0x0a000000, 8},  /* 10/8, RFC 1918 */
        {0x64400000, 10}, /* 100.64/10 shared address space, RFC 6598 */
        {0x7f000000, 8},  /* 127/8 loopback */
        {0xa9fe0000, 16}, /* 169.254/16 link local, RFC 3927 */
        {0xac100000, 12}, /* 172.16/12, RFC 1918 */
        {0xc0000000, 24}, /* 192.0.0/24 IETF protocol assignments */
        {0xc0000200, 24}, /* 192.0.2/24 TEST-NET-1, RFC 5737 */
        {0xc0586300, 24}, /* 192.88.99/24 6to4 relay anycast, RFC 7526 */
        {0xc0a80000, 16}, /* 192.168/16, RFC 1918 */
        {0xc6120000, 15}, /* 198.18/15 benchmarking, RFC 2544 */
        {0xc6336400, 24}, /* 198.51.100/24 TEST-NET-2 */
        {0xcb007100, 24}, /* 203.0.113/24 TEST-NET-3 */
        {0xe0000000, 4},  /* 224/4 multicast */
        {0xf0000000, 4},  /* 240/4 reserved, includes 255.255.255.255 */
};

bool
addr_v4_is_global(struct in_addr v4)
{
	uint32_t a = v4_host(v4);

	for (size_t i = 0; i < sizeof(v4_not_global) / sizeof(v4_not_global[0]); i++)
		if (v4_in(a, v4_not_global[i].net, v4_not_global[i].plen))
			return false;
	return true;
}

bool
addr_v4_is_bogus(struct in_addr v4)
{
	uint32_t a = v4_host(v4);

	return v4_in(a, 0x00000000, 8) || v4_in(a, 0x7f000000, 8) || v4_in(a, 0xe0000000, 4) ||
	       v4_in(a, 0xf0000000, 4);
}

static void
ifid_u(struct in_addr v4, bool u, uint8_t ifid[8])
{
	ifid[0] = u ? ISATAP_IFID_U_BIT : ISATAP_IFID_OUI0;
	ifid[1] = ISATAP_IFID_OUI1;
	ifid[2] = ISATAP_IFID_OUI2;
	ifid[3] = ISATAP_IFID_OUI3;
	memcpy(ifid + 4, &v4.s_addr, 4);
}

void
addr_isatap_ifid(struct in_addr v4, uint8_t ifid[8])
{
	ifid_u(v4, addr_v4_is_global(v4), ifid);
}

bool
addr_is_isatap(const struct in6_addr *a)
{
	const uint8_t *b = a->s6_addr;

	/* The first octet is the IANA OUI's 00 with only the u bit allowed:
	 * the g bit (0x01) set would make it a group identifier. */
	return (b[IFID_OFF] & ~ISATAP_IFID_U_BIT) == ISATAP_IFID_OUI0 &&
	       b[IFID_OFF + 1] == ISATAP_IFID_OUI1 && b[IFID_OFF + 2] == ISATAP_IFID_OUI2 &&
	       b[IFID_OFF + 3] == ISATAP_IFID_OUI3;
}

bool
addr_isatap_v4(const struct in6_addr *a, struct in_addr *v4)
{
	if (!addr_is_isatap(a))
		return false;
	memcpy(&v4->s_addr, a->s6_addr + V4_OFF, 4);
	return true;
}

void
addr_isatap_linklocal_u(struct in_addr v4, bool u, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfe;
	out->s6_addr[1] = 0x80;
	ifid_u(v4, u, out->s6_addr + IFID_OFF);
}

void
addr_isatap_linklocal(struct in_addr v4, struct in6_addr *out)
{
	addr_isatap_linklocal_u(v4, addr_v4_is_global(v4), out);
}

void
addr_isatap_compose(const struct in6_addr *prefix, struct in_addr v4, struct in6_addr *out)
{
	uint8_t ifid[8];

	addr_isatap_ifid(v4, ifid);
	memmove(out->s6_addr, prefix->s6_addr, IFID_OFF); /* out may alias prefix */
	memcpy(out->s6_addr + IFID_OFF, ifid, sizeof(ifid));
}

/* plen above 128 is taken as 128. */
void
addr_prefix_make(struct prefix6 *p, const struct in6_addr *a, uint8_t plen)
{
	if (plen > 128)
		plen = 128;
	memset(p, 0, sizeof(*p));
	p->plen = plen;
	memcpy(p->addr.s6_addr, a->s6_addr, plen / 8);
	if (plen % 8)
		p->addr.s6_addr[plen / 8] =
		        a->s6_addr[plen / 8] & (uint8_t)(0xff << (8 - plen % 8));
}

bool
addr_prefix_match(const struct prefix6 *p, const struct in6_addr *a)
{
	unsigned plen = p->plen > 128 ? 128 : p->plen;
	unsigned whole = plen / 8, rest = plen % 8;

	if (memcmp(p->addr.s6_addr, a->s6_addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr.s6_addr[whole] & mask) == (a->s6_addr[whole] & mask);
}

bool
addr_is_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

bool
addr_is_linklocal64(const struct in6_addr *a)
{
	static const uint8_t ll64[8] = {0xfe, 0x80};

	return memcmp(a->s6_addr, ll64, sizeof(ll64)) == 0;
}

bool
addr_is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

static bool
zero_bytes(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

bool
addr_is_unspecified(const struct in6_addr *a)
{
	return zero_bytes(a->s6_addr, 16);
}

bool
addr_is_loopback(const struct in6_addr *a)
{
	return zero_bytes(a->s6_addr, 15) && a->s6_addr[15] == 1;
}

bool
addr_is_v4compat(const struct in6_addr *a)
{
	return zero_bytes(a->s6_addr, 12) && !addr_is_unspecified(a) && !addr_is_loopback(a);
}

bool
addr_is_v4mapped(const struct in6_addr *a)
{
	return zero_bytes(a->s6_addr, 10) && a->s6_addr[10] == 0xff && a->s6_addr[11] == 0xff;
}

/* ---- text forms ----------------------------------------------------------- */

static char *
put_dec(char *o, unsigned v)
{
	if (v >= 100)
		*o++ = (char)('0' + v / 100);
	if (v >= 10)
		*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

static char *
put_v4(char *o, const uint8_t b[4])
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			*o++ = '.';
		o = put_dec(o, b[i]);
	}
	return o;
}

/* A 16-bit field in lower-case hex without leading zeros (RFC 5952 §4.1, §4.3). */
static char *
put_hex16(char *o, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int started = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;
		if (d != 0 || started || shift == 0) {
			*o++ = hex[d];
			started = 1;
		}
	}
	return o;
}

/*
 * Writes the first nfields 16-bit fields of a with the longest run of two or
 * more zero fields replaced by "::" (the first run on a tie), RFC 5952 §4.2.
 * Returns the end, and sets *ends_colons when the text ends with "::".
 */
static char *
put_fields(char *o, const struct in6_addr *a, int nfields, bool *ends_colons)
{
	unsigned f[8];
	int best = -1, best_len = 0;

	for (int i = 0; i < nfields; i++)
		f[i] = (unsigned)a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1];
	for (int i = 0; i < nfields;) {
		int j = i;
		while (j < nfields && f[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2) {
		best = -1; /* RFC 5952 §4.2.2: a single 0 field is not compressed */
		best_len = 0;
	}

	*ends_colons = false;
	for (int i = 0; i < nfields; i++) {
		if (i == best) {
			*o++ = ':';
			*o++ = ':';
			i += best_len - 1;
			*ends_colons = i == nfields - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*o++ = ':';
		o = put_hex16(o, f[i]);
	}
	return o;
}

/* Six fields then a dotted quad: RFC 4291 §2.2 form 3. */
static char *
fmt6_dotted(const struct in6_addr *a, char *buf)
{
	bool ends_colons;
	char *o = put_fields(buf, a, 6, &ends_colons);

	if (!ends_colons)
		*o++ = ':';
	o = put_v4(o, a->s6_addr + V4_OFF);
	*o = '\0';
	return buf;
}

/*
 * RFC 5952 §5: IPv4-mapped addresses (::ffff:0:0/96) are a prefix known to
 * embed IPv4, so they are written in mixed notation ("::ffff:192.0.2.1"),
 * as inet_ntop() does. Everything else is pure hex.
 */
char *
addr_fmt6(const struct in6_addr *a, char *buf)
{
	bool ends_colons;
	char *o;

	if (addr_is_v4mapped(a))
		return fmt6_dotted(a, buf);
	o = put_fields(buf, a, 8, &ends_colons);
	*o = '\0';
	return buf;
}

char *
addr_fmt6_mixed(const struct in6_addr *a, char *buf)
{
	if (addr_is_isatap(a))
		return fmt6_dotted(a, buf);
	return addr_fmt6(a, buf);
}

char *
addr_fmt4(struct in_addr a, char *buf)
{
	uint8_t b[4];

	memcpy(b, &a.s_addr, 4);
	*put_v4(buf, b) = '\0';
	return buf;
}

/*
 * Dotted quad only: exactly four decimal parts 0..255, no leading zeros (so
 * "010.0.0.1" is not silently octal or decimal), no sign, no whitespace.
 */
bool
addr_parse4(const char *s, struct in_addr *out)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int digits = 0;

		if (i > 0 && *s++ != '.')
			return false;
		while (*s >= '0' && *s <= '9') {
			if (digits > 0 && v == 0)
				return false; /* leading zero */
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return false;
		}
		if (digits == 0)
			return false;
		b[i] = (uint8_t)v;
	}
	if (*s != '\0')
		return false;
	memcpy(&out->s_addr, b, 4);
	return true;
}

/*
 * inet_pton() implements exactly the RFC 4291 §2.2 grammar (no zone index,
 * no surrounding text); the length bound keeps absurd input out of it.
 */
bool
addr_parse6(const char *s, struct in6_addr *out)
{
	struct in6_addr a;

	if (strnlen(s, ADDR6_STRLEN) >= ADDR6_STRLEN)
		return false;
	if (inet_pton(AF_INET6, s, &a) != 1)
		return false;
	*out = a;
	return true;
}

/*
 * "addr/len", len decimal 0..128 without leading zeros. The bits past len
 * must be zero: "2001:db8::1/64" is refused, as iproute2 does for routes,
 * rather than silently turned into another prefix.
 */
bool
addr_parse_prefix6(const char *s, struct prefix6 *out)
{
	char buf[ADDR6_STRLEN];
	const char *slash = strchr(s, '/');
	struct in6_addr a;
	struct prefix6 p;
	unsigned plen = 0;
	size_t alen;
	const char *d;

	if (slash == NULL)
		return false;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!addr_parse6(buf, &a))
		return false;

	d = slash + 1;
	if (*d == '\0' || (d[0] == '0' && d[1] != '\0'))
		return false;
	for (; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return false;
		plen = plen * 10 + (unsigned)(*d - '0');
		if (plen > 128)
			return false;
	}
	addr_prefix_make(&p, &a, (uint8_t)plen);
	if (memcmp(&p.addr, &a, sizeof(a)) != 0)
		return false;
	*out = p;
	return true;
}
