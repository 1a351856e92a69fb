/*
 * dpclient: a test client for isatap-datapath's message socket. Speaks the
 * catalogue of proto/msg.h, one connection per run: HELLO, then each request
 * named on the command line in order, printing every reply; STATE and
 * COUNTERS and FASTPATH as key=value lines for shell tests.
 *
 *   dpclient -s SOCK locator 192.0.2.1 prl 192.0.2.254 \
 *       addr fe80::5efe:c000:201/64 onlink 2001:db8:1::/64 \
 *       route ::/0 192.0.2.254 mtu 1400 link up state counters send-rs 192.0.2.254 0
 *   dpclient -s SOCK --hold -n 1 -w 10 send-rs 192.0.2.254 0   # then print events
 *   dpclient -s SOCK --raw 0100080001000000...                 # arbitrary bytes
 *
 * Exit: 0 all requests succeeded, 1 a request failed, 2 the connection or
 * the protocol failed (closed, bad reply, timeout), 64 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "counters.h"
#include "isatap.h"
#include "msg.h"
#include "pkt.h"

#define EXIT_REQ_FAILED 1
#define EXIT_PROTO      2
#define EXIT_USAGE      64

static int fd = -1;
static int timeout_ms = 5000;
static uint32_t next_seq = 1;
static bool req_failed;

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: dpclient -s SOCKET [-w SECONDS] [--hold [-n EVENTS]] [--no-hello]\n"
	                "                [--raw HEX]... [request...]\n"
	                "requests: hello | locator V4|none | prl V4[,V4...]|none\n"
	                "          addr P/LEN [VALID PREFERRED] | addr-del P/LEN\n"
	                "          route P/LEN V4 [METRIC] | route-del P/LEN V4\n"
	                "          onlink P/LEN | onlink-del P/LEN | mtu N | link up|down\n"
	                "          send-rs V4 0|1 | state | counters | fastpath\n");
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dpclient: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_PROTO);
}

/* Reads exactly len bytes within the timeout: 1, 0 on EOF, -1 on timeout. */
static int
read_full(void *buf, size_t len, int tmo)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, tmo);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -1;
		n = read(fd, (uint8_t *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			return 0;
		if (n < 0)
			die("read: %s", strerror(errno));
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

static void
write_full(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			printf("closed\n");
			die("%s", "the datapath closed the connection");
		}
		if (n < 0)
			die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static uint32_t
send_msg(uint16_t type, const void *payload, size_t len)
{
	uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	struct msg_hdr h = {.type = type, .len = (uint16_t)len, .seq = next_seq++};

	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), payload, len);
	write_full(buf, sizeof(h) + len);
	return h.seq;
}

/* Receives and checks one frame. 1: got it; 0: EOF; -1: timeout. */
static int
recv_msg(struct msg_hdr *h, union msg_payload *p, int tmo)
{
	uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	const char *field = NULL;
	enum msg_reason why;
	int r;

	if ((r = read_full(buf, sizeof(*h), tmo)) <= 0)
		return r;
	memcpy(h, buf, sizeof(*h));
	if ((why = msg_check_hdr(MSG_TO_CONTROL, h)) != MSG_OK)
		die("bad header from the datapath: %s", msg_reason_name(why));
	if (h->len > 0 && read_full(buf + sizeof(*h), h->len, tmo) <= 0)
		die("%s", "short frame from the datapath");
	why = msg_decode(MSG_TO_CONTROL, buf, sizeof(*h) + h->len, h, p, &field);
	if (why != MSG_OK) {
		fprintf(stderr, "dpclient: bad %s from the datapath: %s %s\n",
		        msg_type_name(h->type), msg_reason_name(why), field ? field : "");
		exit(EXIT_PROTO);
	}
	return 1;
}

static const char *
lft(uint32_t s, char *buf, size_t len)
{
	if (s == ND_INFINITE_LIFETIME)
		return "forever";
	snprintf(buf, len, "%u", s);
	return buf;
}

static void
print_state(const struct msg_state *s)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN], l1[16], l2[16];

	printf("ifname=%s\nifindex=%u\nrouter_mode=%u\nlink=%s\nmtu=%u\n", s->ifname, s->ifindex,
	       (s->flags & MSG_DP_ROUTER_MODE) ? 1 : 0, s->link_up ? "up" : "down", s->mtu);
	printf("locator=%s\n", s->locator.s_addr ? addr_fmt4(s->locator, b) : "none");
	printf("n_prl=%u\nn_addrs=%u\nn_routes=%u\nn_onlink=%u\n", s->n_prl, s->n_addrs,
	       s->n_routes, s->n_onlink);
	for (uint32_t i = 0; i < s->n_prl; i++)
		printf("prl=%s\n", addr_fmt4(s->prl[i], b));
	for (uint32_t i = 0; i < s->n_addrs; i++)
		printf("addr=%s/%u valid=%s preferred=%s\n", addr_fmt6(&s->addrs[i].addr, a),
		       s->addrs[i].plen, lft(s->addrs[i].valid_lft, l1, sizeof(l1)),
		       lft(s->addrs[i].preferred_lft, l2, sizeof(l2)));
	for (uint32_t i = 0; i < s->n_routes; i++)
		printf("route=%s/%u via=%s metric=%u\n", addr_fmt6(&s->routes[i].prefix, a),
		       s->routes[i].plen, addr_fmt4(s->routes[i].via, b), s->routes[i].metric);
	for (uint32_t i = 0; i < s->n_onlink; i++)
		printf("onlink=%s/%u\n", addr_fmt6(&s->onlink[i].prefix, a), s->onlink[i].plen);
}

static void
print_counters(const struct msg_counters *c)
{
	for (uint32_t i = 0; i < c->n; i++) {
		const char *name = dp_counter_name(i);

		printf("%s=%llu\n", name ? name : "unknown", (unsigned long long)c->v[i]);
	}
}

/* FASTPATH: active=, reason=, egress=, ingress=a,b, generation=, then the
 * fast path's own counters as fp_NAME=N. */
static void
print_fastpath(const struct msg_fastpath *f)
{
	printf("fp_active=%u\nfp_reason=%s\nfp_egress=%s\nfp_generation=%u\nfp_ingress=", f->active,
	       f->reason, f->egress, f->generation);
	for (uint32_t i = 0; i < f->n_ingress; i++)
		printf("%s%s", i ? "," : "", f->ingress[i]);
	printf("\n");
	for (uint32_t i = 0; i < f->n; i++) {
		const char *name = dp_counter_name(i);

		printf("fp_%s=%llu\n", name ? name : "unknown", (unsigned long long)f->v[i]);
	}
}

static void
print_event(const struct msg_hdr *h, const union msg_payload *p)
{
	char a[ADDR6_STRLEN], b[ADDR6_STRLEN], v4[ADDR4_STRLEN];

	if (h->type == MSG_LINK_EVENT) {
		printf("event=link_event ifindex=%u up=%u mtu=%u\n", p->link_event.ifindex,
		       p->link_event.up, p->link_event.mtu);
	} else if (h->type == MSG_ND_RECV) {
		const struct msg_nd_recv *nd = &p->nd_recv;
		struct pkt_ipv6 ip6;
		size_t off = 0;
		int proto;

		printf("event=nd_recv outer_src=%s len=%u", addr_fmt4(nd->outer_src, v4), nd->len);
		if (pkt_parse_ipv6(nd->pkt, nd->len, &ip6) == PKT_OK) {
			printf(" src=%s dst=%s hlim=%u", addr_fmt6(&ip6.src, a),
			       addr_fmt6(&ip6.dst, b), ip6.hop_limit);
			proto = pkt_ipv6_upper(nd->pkt, nd->len, &off);
			if (proto == IPPROTO_ICMPV6_NUM && off < nd->len)
				printf(" icmp6_type=%u", nd->pkt[off]);
		}
		printf("\n");
	} else {
		printf("event=unexpected type=%s seq=%u\n", msg_type_name(h->type), h->seq);
	}
	fflush(stdout);
}

/* Waits for the reply to seq; events that come first are printed. */
static void
await_reply(uint32_t seq, uint16_t req_type, struct msg_hdr *h, union msg_payload *p)
{
	for (;;) {
		int r = recv_msg(h, p, timeout_ms);

		if (r == 0) {
			printf("closed\n");
			die("the datapath closed the connection after %s", msg_type_name(req_type));
		}
		if (r < 0)
			die("no reply to %s", msg_type_name(req_type));
		if (h->seq == 0) {
			print_event(h, p);
			continue;
		}
		if (h->seq != seq)
			die("reply out of order to %s", msg_type_name(req_type));
		return;
	}
}

static void
request(uint16_t type, const void *payload, size_t len)
{
	struct msg_hdr h;
	union msg_payload p;
	uint32_t seq = send_msg(type, payload, len);

	await_reply(seq, type, &h, &p);
	switch (h.type) {
	case MSG_HELLO_REPLY:
		printf("hello version=%u ifname=%s ifindex=%u router_mode=%u\n",
		       p.hello_reply.version, p.hello_reply.ifname, p.hello_reply.ifindex,
		       (p.hello_reply.flags & MSG_DP_ROUTER_MODE) ? 1 : 0);
		break;
	case MSG_STATE:
		print_state(&p.state);
		break;
	case MSG_COUNTERS:
		print_counters(&p.counters);
		break;
	case MSG_FASTPATH:
		print_fastpath(&p.fastpath);
		break;
	case MSG_RESULT:
		if (p.result.req_type != type)
			die("RESULT for the wrong request after %s", msg_type_name(type));
		if (p.result.error == 0) {
			printf("%s ok\n", msg_type_name(type));
		} else {
			printf("%s error %d (%s)\n", msg_type_name(type), p.result.error,
			       strerror(-p.result.error));
			req_failed = true;
		}
		break;
	default:
		die("unexpected reply %s", msg_type_name(h.type));
	}
	fflush(stdout);
}

static const char *
next_arg(int *i, int argc, char **argv, const char *what)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "dpclient: %s needs an argument\n", what);
		usage();
	}
	return argv[++*i];
}

static bool
is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static uint32_t
number(const char *s)
{
	unsigned long v;

	if (!is_number(s) || (v = strtoul(s, NULL, 10)) > UINT32_MAX) {
		fprintf(stderr, "dpclient: not a number: %s\n", s);
		usage();
	}
	return (uint32_t)v;
}

static struct in_addr
v4_arg(const char *s)
{
	struct in_addr a;

	if (!addr_parse4(s, &a)) {
		fprintf(stderr, "dpclient: not an IPv4 address: %s\n", s);
		usage();
	}
	return a;
}

static struct prefix6
p6_arg(const char *s)
{
	struct prefix6 p;

	if (!addr_parse_prefix6(s, &p)) {
		fprintf(stderr, "dpclient: not an IPv6 prefix: %s\n", s);
		usage();
	}
	return p;
}

/* Requests are sent as given, unchecked: the datapath is what is under test. */
static void
run_request(int *i, int argc, char **argv)
{
	const char *w = argv[*i];
	union msg_payload p;

	memset(&p, 0, sizeof(p));
	if (strcmp(w, "hello") == 0) {
		p.hello.magic = MSG_MAGIC;
		p.hello.version = MSG_PROTO_VERSION;
		request(MSG_HELLO, &p.hello, sizeof(p.hello));
	} else if (strcmp(w, "locator") == 0) {
		const char *a = next_arg(i, argc, argv, w);
		if (strcmp(a, "none") != 0)
			p.locator.v4 = v4_arg(a);
		request(MSG_SET_LOCATOR, &p.locator, sizeof(p.locator));
	} else if (strcmp(w, "prl") == 0) {
		char list[256], *save = NULL, *tok;
		snprintf(list, sizeof(list), "%s", next_arg(i, argc, argv, w));
		if (strcmp(list, "none") != 0)
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (p.prl.count == MSG_PRL_MAX)
					usage();
				p.prl.v4[p.prl.count++] = v4_arg(tok);
			}
		request(MSG_SET_PRL, &p.prl, sizeof(p.prl));
	} else if (strcmp(w, "addr") == 0 || strcmp(w, "addr-del") == 0) {
		const char *s = next_arg(i, argc, argv, w);
		char host[ADDR6_STRLEN + 4], *slash;
		/* An address keeps its host bits: not a prefix. */
		snprintf(host, sizeof(host), "%s", s);
		if ((slash = strchr(host, '/')) == NULL || !is_number(slash + 1))
			usage();
		*slash = '\0';
		if (!addr_parse6(host, &p.addr.addr)) {
			fprintf(stderr, "dpclient: not an IPv6 address: %s\n", host);
			usage();
		}
		p.addr.plen = (uint8_t)number(slash + 1);
		p.addr.valid_lft = p.addr.preferred_lft = ND_INFINITE_LIFETIME;
		if (w[4] == '\0' && *i + 2 < argc && is_number(argv[*i + 1]) &&
		    is_number(argv[*i + 2])) {
			p.addr.valid_lft = number(argv[++*i]);
			p.addr.preferred_lft = number(argv[++*i]);
		}
		request(w[4] == '\0' ? MSG_ADDR_ADD : MSG_ADDR_DEL, &p.addr, sizeof(p.addr));
	} else if (strcmp(w, "route") == 0 || strcmp(w, "route-del") == 0) {
		struct prefix6 a = p6_arg(next_arg(i, argc, argv, w));
		p.route.prefix = a.addr;
		p.route.plen = a.plen;
		p.route.via = v4_arg(next_arg(i, argc, argv, w));
		p.route.metric = 1024;
		if (*i + 1 < argc && is_number(argv[*i + 1]))
			p.route.metric = number(argv[++*i]);
		request(w[5] == '\0' ? MSG_ROUTE_ADD : MSG_ROUTE_DEL, &p.route, sizeof(p.route));
	} else if (strcmp(w, "onlink") == 0 || strcmp(w, "onlink-del") == 0) {
		struct prefix6 a = p6_arg(next_arg(i, argc, argv, w));
		p.onlink.prefix = a.addr;
		p.onlink.plen = a.plen;
		request(w[6] == '\0' ? MSG_ONLINK_ADD : MSG_ONLINK_DEL, &p.onlink,
		        sizeof(p.onlink));
	} else if (strcmp(w, "mtu") == 0) {
		p.mtu.mtu = number(next_arg(i, argc, argv, w));
		request(MSG_SET_MTU, &p.mtu, sizeof(p.mtu));
	} else if (strcmp(w, "link") == 0) {
		const char *s = next_arg(i, argc, argv, w);
		if (strcmp(s, "up") != 0 && strcmp(s, "down") != 0)
			usage();
		p.link.up = strcmp(s, "up") == 0;
		request(MSG_SET_LINK, &p.link, sizeof(p.link));
	} else if (strcmp(w, "send-rs") == 0) {
		p.send_rs.router = v4_arg(next_arg(i, argc, argv, w));
		p.send_rs.u_bit = number(next_arg(i, argc, argv, w));
		request(MSG_SEND_RS, &p.send_rs, sizeof(p.send_rs));
	} else if (strcmp(w, "state") == 0) {
		request(MSG_GET_STATE, NULL, 0);
	} else if (strcmp(w, "counters") == 0) {
		request(MSG_GET_COUNTERS, NULL, 0);
	} else if (strcmp(w, "fastpath") == 0) {
		request(MSG_GET_FASTPATH, NULL, 0);
	} else {
		fprintf(stderr, "dpclient: unknown request %s\n", w);
		usage();
	}
}

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; *s; s += 2) {
		unsigned v;

		if (s[1] == '\0' || n == cap || sscanf(s, "%2x", &v) != 1) {
			fprintf(stderr, "dpclient: bad hex\n");
			exit(EXIT_USAGE);
		}
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* --raw: the bytes go out as they are; then whatever comes back is printed,
 * ending with "closed" (the datapath hung up) or "open" (it did not). */
static int
run_raw(char **raws, int nraw)
{
	static uint8_t buf[65536];
	struct msg_hdr h;
	union msg_payload p;
	int r;

	for (int i = 0; i < nraw; i++)
		write_full(buf, unhex(raws[i], buf, sizeof(buf)));
	for (;;) {
		uint8_t hb[sizeof(h)];

		r = read_full(hb, sizeof(hb), timeout_ms);
		if (r == 0) {
			printf("closed\n");
			return 0;
		}
		if (r < 0) {
			printf("open\n");
			return 0;
		}
		memcpy(&h, hb, sizeof(h));
		if (msg_check_hdr(MSG_TO_CONTROL, &h) != MSG_OK ||
		    read_full(&p, h.len, timeout_ms) <= 0)
			die("%s", "bad frame from the datapath");
		if (h.type == MSG_RESULT)
			printf("reply RESULT seq=%u req=%s error=%d\n", h.seq,
			       msg_type_name(p.result.req_type) ? msg_type_name(p.result.req_type)
			                                        : "?",
			       p.result.error);
		else
			printf("reply %s seq=%u\n", msg_type_name(h.type), h.seq);
		fflush(stdout);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	        {"hold", no_argument, NULL, 'H'},
	        {"raw", required_argument, NULL, 'r'},
	        {"no-hello", no_argument, NULL, 'N'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = NULL;
	bool hold = false, hello = true;
	long max_events = -1, events = 0;
	char *raws[64];
	int nraw = 0, ch;

	/* "+": stop at the first request word (route ::/0 ... starts with ':'). */
	while ((ch = getopt_long(argc, argv, "+hn:s:w:", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'w':
			timeout_ms = (int)number(optarg) * 1000;
			break;
		case 'n':
			max_events = number(optarg);
			break;
		case 'H':
			hold = true;
			break;
		case 'N':
			hello = false;
			break;
		case 'r':
			if (nraw == 64)
				usage();
			raws[nraw++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		usage();
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "dpclient: %s: %s\n", path, strerror(errno));
		return EXIT_PROTO;
	}
	if (hello) {
		char *hw[] = {"hello"};
		int i = 0;

		run_request(&i, 1, hw);
	}
	if (nraw > 0)
		return run_raw(raws, nraw);
	for (int i = optind; i < argc; i++)
		run_request(&i, argc, argv);
	if (hold) {
		struct msg_hdr h;
		union msg_payload p;
		int r;

		printf("holding\n");
		fflush(stdout);
		while (max_events < 0 || events < max_events) {
			r = recv_msg(&h, &p, max_events < 0 ? -1 : timeout_ms);
			if (r == 0)
				die("%s", "the datapath closed the connection");
			if (r < 0) {
				fprintf(stderr, "dpclient: timeout after %ld events\n", events);
				return EXIT_PROTO;
			}
			print_event(&h, &p);
			events++;
		}
	}
	close(fd);
	return req_failed ? EXIT_REQ_FAILED : 0;
}
