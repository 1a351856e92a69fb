/*
 * The message catalogue's table and its strict decoder. A malformed message
 * between the two daemons means a bug or a compromise: the receiver closes
 * the connection and logs the reason this code returns.
 */
#include <string.h>

#include "addr.h"
#include "isatap.h"
#include "msg.h"

struct msg_desc {
	uint16_t type;
	uint16_t size;
	enum msg_dir dir;
	const char *name;
};

static const struct msg_desc msg_table[] = {
        {MSG_HELLO, sizeof(struct msg_hello), MSG_TO_DATAPATH, "HELLO"},
        {MSG_SET_LOCATOR, sizeof(struct msg_locator), MSG_TO_DATAPATH, "SET_LOCATOR"},
        {MSG_SET_PRL, sizeof(struct msg_prl), MSG_TO_DATAPATH, "SET_PRL"},
        {MSG_ADDR_ADD, sizeof(struct msg_addr), MSG_TO_DATAPATH, "ADDR_ADD"},
        {MSG_ADDR_DEL, sizeof(struct msg_addr), MSG_TO_DATAPATH, "ADDR_DEL"},
        {MSG_ROUTE_ADD, sizeof(struct msg_route), MSG_TO_DATAPATH, "ROUTE_ADD"},
        {MSG_ROUTE_DEL, sizeof(struct msg_route), MSG_TO_DATAPATH, "ROUTE_DEL"},
        {MSG_ONLINK_ADD, sizeof(struct msg_onlink), MSG_TO_DATAPATH, "ONLINK_ADD"},
        {MSG_ONLINK_DEL, sizeof(struct msg_onlink), MSG_TO_DATAPATH, "ONLINK_DEL"},
        {MSG_SET_MTU, sizeof(struct msg_mtu), MSG_TO_DATAPATH, "SET_MTU"},
        {MSG_SET_LINK, sizeof(struct msg_link), MSG_TO_DATAPATH, "SET_LINK"},
        {MSG_SEND_RS, sizeof(struct msg_send_rs), MSG_TO_DATAPATH, "SEND_RS"},
        {MSG_GET_STATE, 0, MSG_TO_DATAPATH, "GET_STATE"},
        {MSG_GET_COUNTERS, 0, MSG_TO_DATAPATH, "GET_COUNTERS"},
        {MSG_HELLO_REPLY, sizeof(struct msg_hello_reply), MSG_TO_CONTROL, "HELLO_REPLY"},
        {MSG_RESULT, sizeof(struct msg_result), MSG_TO_CONTROL, "RESULT"},
        {MSG_STATE, sizeof(struct msg_state), MSG_TO_CONTROL, "STATE"},
        {MSG_COUNTERS, sizeof(struct msg_counters), MSG_TO_CONTROL, "COUNTERS"},
        {MSG_ND_RECV, sizeof(struct msg_nd_recv), MSG_TO_CONTROL, "ND_RECV"},
        {MSG_LINK_EVENT, sizeof(struct msg_link_event), MSG_TO_CONTROL, "LINK_EVENT"},
        {MSG_SET_ND_PARAMS, sizeof(struct msg_nd_params), MSG_TO_DATAPATH, "SET_ND_PARAMS"},
        {MSG_GET_PRL_STATS, 0, MSG_TO_DATAPATH, "GET_PRL_STATS"},
        {MSG_PRL_STATS, sizeof(struct msg_prl_stats), MSG_TO_CONTROL, "PRL_STATS"},
        {MSG_GET_FASTPATH, 0, MSG_TO_DATAPATH, "GET_FASTPATH"},
        {MSG_FASTPATH, sizeof(struct msg_fastpath), MSG_TO_CONTROL, "FASTPATH"},
};

static const char *const msg_reason_names[MSG_REASON_COUNT] = {
        [MSG_OK] = "ok",
        [MSG_UNKNOWN_TYPE] = "unknown_type",
        [MSG_WRONG_DIRECTION] = "wrong_direction",
        [MSG_BAD_LENGTH] = "bad_length",
        [MSG_BAD_FIELD] = "bad_field",
};

static const struct msg_desc *
msg_lookup(uint16_t type)
{
	for (size_t i = 0; i < sizeof(msg_table) / sizeof(msg_table[0]); i++)
		if (msg_table[i].type == type)
			return &msg_table[i];
	return NULL;
}

const char *
msg_reason_name(enum msg_reason r)
{
	if ((unsigned)r >= MSG_REASON_COUNT)
		return "invalid";
	return msg_reason_names[r];
}

const char *
msg_type_name(uint16_t type)
{
	const struct msg_desc *d = msg_lookup(type);

	return d ? d->name : NULL;
}

int
msg_payload_size(uint16_t type)
{
	const struct msg_desc *d = msg_lookup(type);

	return d ? d->size : -1;
}

enum msg_reason
msg_check_hdr(enum msg_dir dir, const struct msg_hdr *h)
{
	const struct msg_desc *d = msg_lookup(h->type);

	if (d == NULL)
		return MSG_UNKNOWN_TYPE;
	if (d->dir != dir)
		return MSG_WRONG_DIRECTION;
	if (h->len != d->size)
		return MSG_BAD_LENGTH;
	return MSG_OK;
}

static int
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* A unicast IPv4 peer: never 0/8, loopback, multicast, class E, broadcast. */
static int
v4_unicast(struct in_addr a)
{
	return !addr_v4_is_bogus(a);
}

/* Bits past plen are zero. */
static int
prefix_canonical(const struct in6_addr *a, uint8_t plen)
{
	struct prefix6 p;

	addr_prefix_make(&p, a, plen);
	return memcmp(&p.addr, a, sizeof(*a)) == 0;
}

#define BAD(name)                     \
	do {                          \
		*field = (name);      \
		return MSG_BAD_FIELD; \
	} while (0)

static enum msg_reason
check_addr(const struct msg_addr *a, const char **field)
{
	if (a->plen > 128)
		BAD("addr.plen");
	if (!all_zero(a->pad, sizeof(a->pad)))
		BAD("addr.pad");
	/* Only unicast: never ::, ::1, multicast, v4-mapped or v4-compatible. */
	if (addr_is_unspecified(&a->addr) || addr_is_loopback(&a->addr) ||
	    addr_is_multicast(&a->addr) || addr_is_v4mapped(&a->addr) || addr_is_v4compat(&a->addr))
		BAD("addr.addr");
	/* RFC 4291 §2.5.6: link-local addresses live in fe80::/64 only. */
	if (addr_is_linklocal(&a->addr) && (!addr_is_linklocal64(&a->addr) || a->plen != 64))
		BAD("addr.addr");
	if (a->preferred_lft > a->valid_lft)
		BAD("addr.preferred_lft");
	return MSG_OK;
}

static enum msg_reason
check_route(const struct msg_route *r, const char **field)
{
	if (r->plen > 128)
		BAD("route.plen");
	if (!all_zero(r->pad, sizeof(r->pad)))
		BAD("route.pad");
	if (!prefix_canonical(&r->prefix, r->plen))
		BAD("route.prefix");
	if (r->plen > 0 && (addr_is_multicast(&r->prefix) || addr_is_linklocal(&r->prefix)))
		BAD("route.prefix");
	if (!v4_unicast(r->via))
		BAD("route.via");
	if (r->metric > MSG_ROUTE_METRIC_MAX)
		BAD("route.metric");
	return MSG_OK;
}

static enum msg_reason
check_onlink(const struct msg_onlink *o, const char **field)
{
	if (o->plen == 0 || o->plen > 128)
		BAD("onlink.plen");
	if (!all_zero(o->pad, sizeof(o->pad)))
		BAD("onlink.pad");
	if (!prefix_canonical(&o->prefix, o->plen))
		BAD("onlink.prefix");
	if (addr_is_multicast(&o->prefix) || addr_is_linklocal(&o->prefix))
		BAD("onlink.prefix");
	return MSG_OK;
}

static enum msg_reason
check_prl(const struct in_addr *v4, uint32_t count, const char **field)
{
	if (count > MSG_PRL_MAX)
		BAD("prl.count");
	for (uint32_t i = 0; i < MSG_PRL_MAX; i++) {
		if (i < count && !v4_unicast(v4[i]))
			BAD("prl.v4");
		if (i >= count && v4[i].s_addr != 0)
			BAD("prl.v4");
	}
	return MSG_OK;
}

/* A NUL-terminated string in buf[0..len), zero after its end. */
static int
str_canonical(const char *buf, size_t len)
{
	size_t n = strnlen(buf, len);

	return n < len && all_zero(buf + n, len - n);
}

static enum msg_reason
check_fastpath(const struct msg_fastpath *f, const char **field)
{
	if (f->active > 1)
		BAD("fastpath.active");
	if (!str_canonical(f->reason, sizeof(f->reason)))
		BAD("fastpath.reason");
	if (!str_canonical(f->egress, sizeof(f->egress)))
		BAD("fastpath.egress");
	if (f->n_ingress > MSG_FP_IFACE_MAX)
		BAD("fastpath.n_ingress");
	for (uint32_t i = 0; i < MSG_FP_IFACE_MAX; i++) {
		if (i < f->n_ingress &&
		    (f->ingress[i][0] == '\0' || !str_canonical(f->ingress[i], MSG_IFNAMSIZ)))
			BAD("fastpath.ingress");
		if (i >= f->n_ingress && !all_zero(f->ingress[i], MSG_IFNAMSIZ))
			BAD("fastpath.ingress");
	}
	if (f->n > MSG_COUNTERS_MAX)
		BAD("fastpath.n");
	if (!all_zero(f->v + f->n, (MSG_COUNTERS_MAX - f->n) * sizeof(f->v[0])))
		BAD("fastpath.v");
	return MSG_OK;
}

static enum msg_reason
check_state(const struct msg_state *s, const char **field)
{
	enum msg_reason r;

	if (s->ifname[MSG_IFNAMSIZ - 1] != '\0')
		BAD("state.ifname");
	if (s->link_up > 1)
		BAD("state.link_up");
	if (s->mtu < IPV6_MIN_MTU || s->mtu > ISATAP_MAX_MTU)
		BAD("state.mtu");
	if (s->locator.s_addr != 0 && !v4_unicast(s->locator))
		BAD("state.locator");
	if (s->n_addrs > MSG_ADDR_MAX)
		BAD("state.n_addrs");
	if (s->n_routes > MSG_ROUTE_MAX)
		BAD("state.n_routes");
	if (s->n_onlink > MSG_ONLINK_MAX)
		BAD("state.n_onlink");
	if ((r = check_prl(s->prl, s->n_prl, field)) != MSG_OK)
		return r;
	for (uint32_t i = 0; i < s->n_addrs; i++)
		if ((r = check_addr(&s->addrs[i], field)) != MSG_OK)
			return r;
	for (uint32_t i = 0; i < s->n_routes; i++)
		if ((r = check_route(&s->routes[i], field)) != MSG_OK)
			return r;
	for (uint32_t i = 0; i < s->n_onlink; i++)
		if ((r = check_onlink(&s->onlink[i], field)) != MSG_OK)
			return r;
	return MSG_OK;
}

enum msg_reason
msg_check_payload(uint16_t type, const union msg_payload *p, const char **field)
{
	const char *dummy;

	if (field == NULL)
		field = &dummy;
	*field = NULL;

	switch (type) {
	case MSG_HELLO:
		if (p->hello.magic != MSG_MAGIC)
			BAD("hello.magic");
		if (p->hello.version != MSG_PROTO_VERSION)
			BAD("hello.version");
		return MSG_OK;
	case MSG_HELLO_REPLY:
		if (p->hello_reply.magic != MSG_MAGIC)
			BAD("hello_reply.magic");
		if (p->hello_reply.version != MSG_PROTO_VERSION)
			BAD("hello_reply.version");
		if (p->hello_reply.flags & ~(MSG_DP_ROUTER_MODE | MSG_DP_FASTPATH))
			BAD("hello_reply.flags");
		if (p->hello_reply.ifname[MSG_IFNAMSIZ - 1] != '\0')
			BAD("hello_reply.ifname");
		return MSG_OK;
	case MSG_SET_LOCATOR:
		/* INADDR_ANY withdraws the locator; anything else must be unicast. */
		if (p->locator.v4.s_addr != 0 && !v4_unicast(p->locator.v4))
			BAD("locator.v4");
		return MSG_OK;
	case MSG_SET_PRL:
		return check_prl(p->prl.v4, p->prl.count, field);
	case MSG_ADDR_ADD:
	case MSG_ADDR_DEL:
		return check_addr(&p->addr, field);
	case MSG_ROUTE_ADD:
	case MSG_ROUTE_DEL:
		return check_route(&p->route, field);
	case MSG_ONLINK_ADD:
	case MSG_ONLINK_DEL:
		return check_onlink(&p->onlink, field);
	case MSG_SET_MTU:
		/* RFC 8200 §5 minimum; a 16-bit IPv4 total length caps the top. */
		if (p->mtu.mtu < IPV6_MIN_MTU || p->mtu.mtu > ISATAP_MAX_MTU)
			BAD("mtu.mtu");
		return MSG_OK;
	case MSG_SET_LINK:
		if (p->link.up > 1)
			BAD("link.up");
		return MSG_OK;
	case MSG_SEND_RS:
		if (!v4_unicast(p->send_rs.router))
			BAD("send_rs.router");
		if (p->send_rs.u_bit > 1)
			BAD("send_rs.u_bit");
		return MSG_OK;
	case MSG_GET_STATE:
	case MSG_GET_COUNTERS:
	case MSG_GET_PRL_STATS:
	case MSG_GET_FASTPATH:
		return MSG_OK;
	case MSG_SET_ND_PARAMS:
		if (p->nd_params.hop_limit > 255)
			BAD("nd_params.hop_limit");
		if (p->nd_params.reachable_ms > MSG_ND_TIME_MAX_MS)
			BAD("nd_params.reachable_ms");
		if (p->nd_params.retrans_ms > MSG_ND_TIME_MAX_MS)
			BAD("nd_params.retrans_ms");
		return MSG_OK;
	case MSG_PRL_STATS:
		if (p->prl_stats.n > MSG_PRL_MAX)
			BAD("prl_stats.n");
		if (p->prl_stats.pad != 0)
			BAD("prl_stats.pad");
		for (uint32_t i = 0; i < MSG_PRL_MAX; i++) {
			const struct msg_prl_stat *e = &p->prl_stats.e[i];

			if (i < p->prl_stats.n && (!v4_unicast(e->v4) || e->pad != 0))
				BAD("prl_stats.e");
			if (i >= p->prl_stats.n && !all_zero(e, sizeof(*e)))
				BAD("prl_stats.e");
		}
		return MSG_OK;
	case MSG_RESULT:
		if (p->result.error > 0 || p->result.error < -4095)
			BAD("result.error");
		if (msg_lookup(p->result.req_type) == NULL || p->result.pad != 0)
			BAD("result.req_type");
		return MSG_OK;
	case MSG_STATE:
		return check_state(&p->state, field);
	case MSG_FASTPATH:
		return check_fastpath(&p->fastpath, field);
	case MSG_COUNTERS:
		if (p->counters.n > MSG_COUNTERS_MAX)
			BAD("counters.n");
		return MSG_OK;
	case MSG_ND_RECV:
		if (p->nd_recv.len > MSG_ND_MAX)
			BAD("nd_recv.len");
		if (!v4_unicast(p->nd_recv.outer_src))
			BAD("nd_recv.outer_src");
		if (!all_zero(p->nd_recv.pkt + p->nd_recv.len, MSG_ND_MAX - p->nd_recv.len))
			BAD("nd_recv.pkt");
		return MSG_OK;
	case MSG_LINK_EVENT:
		if (p->link_event.up > 1)
			BAD("link_event.up");
		if (p->link_event.mtu != 0 &&
		    (p->link_event.mtu < IPV6_MIN_MTU || p->link_event.mtu > ISATAP_MAX_MTU))
			BAD("link_event.mtu");
		return MSG_OK;
	}
	return MSG_UNKNOWN_TYPE;
}

enum msg_reason
msg_decode(enum msg_dir dir, const uint8_t *buf, size_t len, struct msg_hdr *h,
           union msg_payload *p, const char **field)
{
	enum msg_reason r;

	if (field != NULL)
		*field = NULL;
	if (len < sizeof(*h))
		return MSG_BAD_LENGTH;
	memcpy(h, buf, sizeof(*h));
	if ((r = msg_check_hdr(dir, h)) != MSG_OK)
		return r;
	if (len - sizeof(*h) != h->len)
		return MSG_BAD_LENGTH;
	memset(p, 0, sizeof(*p));
	memcpy(p, buf + sizeof(*h), h->len);
	return msg_check_payload(h->type, p, field);
}
