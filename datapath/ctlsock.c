/*
 * The message server. The control daemon is less trusted than we are: every
 * frame is checked by msg_check_hdr() before its payload is read and by
 * msg_check_payload() before it is acted on, and anything malformed or out of
 * order closes the connection with a logged reason. It never stops the
 * process, and it never stops forwarding.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "isatap.h"
#include "peercred.h"

/* Frames handled per wake-up, so that a chatty peer cannot starve forwarding. */
#define CTL_FRAMES_PER_WAKE 64

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Log lines caused by the peer are rate limited: a local user who may
 * connect must not be able to flood syslog. */
static bool
ctl_may_log(struct ctl_srv *s)
{
	uint64_t suppressed = 0;

	if (!log_ratelimit(&s->rl, now_ms(), &suppressed))
		return false;
	if (suppressed > 0)
		log_warnx("control: %llu similar messages suppressed",
		          (unsigned long long)suppressed);
	return true;
}

void
ctl_init(struct ctl_srv *s, struct dp *dp, uid_t allowed_uid)
{
	memset(s, 0, sizeof(*s));
	s->dp = dp;
	s->lfd = -1;
	s->cfd = -1;
	s->allowed_uid = allowed_uid;
	s->rl = (struct log_rate)LOG_RATE_INIT(10, 1);
}

void
ctl_drop(struct ctl_srv *s, const char *why)
{
	if (s->cfd < 0)
		return;
	if (why != NULL) {
		s->closed_bad++;
		if (ctl_may_log(s))
			log_warnx("control connection closed: %s", why);
	} else {
		log_info("control disconnected; forwarding with the last configuration");
	}
	close(s->cfd);
	s->cfd = -1;
	s->gen++;
	s->hello_done = false;
	s->in_len = 0;
	s->out_len = 0;
}

static void
ctl_flush(struct ctl_srv *s)
{
	ssize_t n;

	while (s->cfd >= 0 && s->out_len > 0) {
		n = send(s->cfd, s->out, s->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			ctl_drop(s, errno == EPIPE || errno == ECONNRESET ? NULL : "write error");
			return;
		}
		memmove(s->out, s->out + n, s->out_len - (size_t)n);
		s->out_len -= (size_t)n;
	}
}

/* Queues one frame and tries to send it: 0, or -ENOBUFS when it does not fit. */
static int
ctl_send(struct ctl_srv *s, uint16_t type, uint32_t seq, const void *payload, size_t len)
{
	struct msg_hdr h = {.type = type, .len = (uint16_t)len, .seq = seq};

	if (s->cfd < 0)
		return -ENOTCONN;
	if (CTL_OUTQ - s->out_len < sizeof(h) + len)
		return -ENOBUFS;
	memcpy(s->out + s->out_len, &h, sizeof(h));
	memcpy(s->out + s->out_len + sizeof(h), payload, len);
	s->out_len += sizeof(h) + len;
	ctl_flush(s);
	return 0;
}

static void
ctl_result(struct ctl_srv *s, const struct msg_hdr *h, int error)
{
	struct msg_result r = {.error = error, .req_type = h->type};

	/* ctl_read() made room for the largest reply before reading. */
	if (ctl_send(s, MSG_RESULT, h->seq, &r, sizeof(r)) == -ENOBUFS)
		ctl_drop(s, "output queue full");
}

/* ---- requests --------------------------------------------------------------- */

static int
req_hello(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	struct msg_hello_reply r;

	memset(&r, 0, sizeof(r));
	r.magic = MSG_MAGIC;
	r.version = MSG_PROTO_VERSION;
	r.flags = (s->dp->router_mode ? MSG_DP_ROUTER_MODE : 0) | MSG_DP_FASTPATH;
	r.ifindex = s->dp->ifindex;
	memcpy(r.ifname, s->dp->ifname, sizeof(r.ifname) - 1);
	s->hello_done = true;
	return ctl_send(s, MSG_HELLO_REPLY, h->seq, &r, sizeof(r));
}

static int
req_get_state(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	static struct msg_state st; /* 3 KiB: kept off the stack */

	dp_get_state(s->dp, &st);
	return ctl_send(s, MSG_STATE, h->seq, &st, sizeof(st));
}

static int
req_get_counters(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	struct msg_counters c;

	dp_get_counters(s->dp, &c);
	return ctl_send(s, MSG_COUNTERS, h->seq, &c, sizeof(c));
}

static int
req_locator(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_set_locator(s->dp, p->locator.v4);
}

static int
req_prl(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_set_prl(s->dp, &p->prl);
}

static int
req_addr(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return h->type == MSG_ADDR_ADD ? dp_addr_add(s->dp, &p->addr)
	                               : dp_addr_del(s->dp, &p->addr);
}

static int
req_route(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return h->type == MSG_ROUTE_ADD ? dp_route_add(s->dp, &p->route)
	                                : dp_route_del(s->dp, &p->route);
}

static int
req_onlink(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return h->type == MSG_ONLINK_ADD ? dp_onlink_add(s->dp, &p->onlink)
	                                 : dp_onlink_del(s->dp, &p->onlink);
}

static int
req_mtu(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_set_mtu(s->dp, p->mtu.mtu);
}

static int
req_link(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_set_link(s->dp, p->link.up != 0);
}

static int
req_send_rs(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_send_rs(s->dp, p->send_rs.router, p->send_rs.u_bit != 0);
}

static int
req_nd_params(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	return dp_set_nd_params(s->dp, &p->nd_params);
}

static int
req_get_prl_stats(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	struct msg_prl_stats st;

	dp_get_prl_stats(s->dp, &st);
	return ctl_send(s, MSG_PRL_STATS, h->seq, &st, sizeof(st));
}

static int
req_get_fastpath(struct ctl_srv *s, const struct msg_hdr *h, const union msg_payload *p)
{
	struct msg_fastpath f;

	memset(&f, 0, sizeof(f));
	if (s->dp->fp_status != NULL)
		s->dp->fp_status(s->dp->fp_h, &f);
	else
		snprintf(f.reason, sizeof(f.reason), "no fast path in this program");
	return ctl_send(s, MSG_FASTPATH, h->seq, &f, sizeof(f));
}

/* What each request does, and whether it answers with RESULT or its own reply. */
static const struct ctl_req {
	uint16_t type;
	bool own_reply;
	int (*fn)(struct ctl_srv *, const struct msg_hdr *, const union msg_payload *);
} ctl_reqs[] = {
        {MSG_HELLO, true, req_hello},
        {MSG_SET_LOCATOR, false, req_locator},
        {MSG_SET_PRL, false, req_prl},
        {MSG_ADDR_ADD, false, req_addr},
        {MSG_ADDR_DEL, false, req_addr},
        {MSG_ROUTE_ADD, false, req_route},
        {MSG_ROUTE_DEL, false, req_route},
        {MSG_ONLINK_ADD, false, req_onlink},
        {MSG_ONLINK_DEL, false, req_onlink},
        {MSG_SET_MTU, false, req_mtu},
        {MSG_SET_LINK, false, req_link},
        {MSG_SEND_RS, false, req_send_rs},
        {MSG_GET_STATE, true, req_get_state},
        {MSG_GET_COUNTERS, true, req_get_counters},
        {MSG_SET_ND_PARAMS, false, req_nd_params},
        {MSG_GET_PRL_STATS, true, req_get_prl_stats},
        {MSG_GET_FASTPATH, true, req_get_fastpath},
};

static void
ctl_dispatch(struct ctl_srv *s, const struct msg_hdr *h, const uint8_t *payload)
{
	union msg_payload p;
	const char *field = NULL;
	const char *name = msg_type_name(h->type);
	enum msg_reason why;
	char reason[96];
	int r;

	/* An aligned copy, zero past the payload (OpenBSD imsg habit). */
	memset(&p, 0, sizeof(p));
	memcpy(&p, payload, h->len);
	if ((why = msg_check_payload(h->type, &p, &field)) != MSG_OK) {
		snprintf(reason, sizeof(reason), "%s: %s%s%s", name, msg_reason_name(why),
		         field ? " " : "", field ? field : "");
		ctl_drop(s, reason);
		return;
	}
	if (!s->hello_done && h->type != MSG_HELLO) {
		snprintf(reason, sizeof(reason), "%s before HELLO", name);
		ctl_drop(s, reason);
		return;
	}
	if (s->hello_done && h->type == MSG_HELLO) {
		ctl_drop(s, "second HELLO");
		return;
	}
	for (size_t i = 0; i < sizeof(ctl_reqs) / sizeof(ctl_reqs[0]); i++) {
		if (ctl_reqs[i].type != h->type)
			continue;
		r = ctl_reqs[i].fn(s, h, &p);
		log_debug("control: %s seq %u: %s", name, h->seq, r < 0 ? strerror(-r) : "ok");
		if (!ctl_reqs[i].own_reply) {
			/* Every other request may change the tables (a
			 * failed one too, half-way): the fast path follows. */
			s->dp->tables_changed = true;
			ctl_result(s, h, r);
		} else if (r == -ENOBUFS)
			ctl_drop(s, "output queue full");
		return;
	}
	/* msg_check_hdr() let through a request type this table lacks. */
	snprintf(reason, sizeof(reason), "%s not handled", name);
	ctl_drop(s, reason);
}

static void
ctl_read(struct ctl_srv *s)
{
	struct msg_hdr h;
	enum msg_reason why;
	char reason[64];
	unsigned frames = 0;

	while (s->cfd >= 0 && frames < CTL_FRAMES_PER_WAKE) {
		size_t need = sizeof(h);
		ssize_t n;

		/* Back-pressure: read a request only when its reply fits. */
		if (CTL_OUTQ - s->out_len < CTL_FRAME_MAX)
			return;
		if (s->in_len >= sizeof(h)) {
			memcpy(&h, s->in, sizeof(h));
			need += h.len;
		}
		if (s->in_len < need) {
			n = recv(s->cfd, s->in + s->in_len, need - s->in_len, MSG_DONTWAIT);
			if (n == 0) {
				ctl_drop(s, s->in_len > 0 ? "closed in the middle of a message"
				                          : NULL);
				return;
			}
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					ctl_drop(s, errno == ECONNRESET ? NULL : "read error");
				return;
			}
			s->in_len += (size_t)n;
			if (s->in_len == sizeof(h)) {
				/* The header decides how much more we read: check it
				 * before reading a byte of payload. */
				memcpy(&h, s->in, sizeof(h));
				if ((why = msg_check_hdr(MSG_TO_DATAPATH, &h)) != MSG_OK) {
					snprintf(reason, sizeof(reason),
					         "header type %u len %u: %s", h.type, h.len,
					         msg_reason_name(why));
					ctl_drop(s, reason);
					return;
				}
			}
			if (s->in_len < sizeof(h) || s->in_len < sizeof(h) + h.len)
				continue;
		}
		memcpy(&h, s->in, sizeof(h));
		s->in_len = 0;
		frames++;
		ctl_dispatch(s, &h, s->in + sizeof(h));
	}
}

short
ctl_events(const struct ctl_srv *s)
{
	short ev = 0;

	if (s->cfd < 0)
		return 0;
	if (CTL_OUTQ - s->out_len >= CTL_FRAME_MAX)
		ev |= POLLIN;
	if (s->out_len > 0)
		ev |= POLLOUT;
	return ev;
}

void
ctl_handle(struct ctl_srv *s, short revents)
{
	if (s->cfd < 0)
		return;
	/* On a hang-up too: under back-pressure ctl_read() reads nothing, so
	 * only a send (failing with EPIPE) notices a peer that shut down
	 * both ways without closing; the level-triggered POLLHUP would
	 * otherwise wake the loop forever. */
	if (revents & (POLLOUT | POLLHUP | POLLERR))
		ctl_flush(s);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		ctl_read(s);
}

void
ctl_attach(struct ctl_srv *s, int fd)
{
	s->cfd = fd;
	s->gen++;
	s->hello_done = false;
	s->in_len = 0;
	s->out_len = 0;
}

void
ctl_accept(struct ctl_srv *s)
{
	struct peercred uc;
	int fd, r;

	if ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED && ctl_may_log(s))
			log_warn("accept");
		return;
	}
	if ((r = peercred_get(fd, &uc)) < 0) {
		errno = -r;
		if (ctl_may_log(s))
			log_warn("peer credentials");
		close(fd);
		return;
	}
	if (uc.uid != s->allowed_uid) {
		s->refused++;
		if (ctl_may_log(s))
			log_warnx("refused control connection from uid %u pid %d: only uid %u may "
			          "connect",
			          (unsigned)uc.uid, (int)uc.pid, (unsigned)s->allowed_uid);
		close(fd);
		return;
	}
	if (s->cfd >= 0) {
		s->refused++;
		if (ctl_may_log(s))
			log_warnx("refused control connection from pid %d: one is already open",
			          (int)uc.pid);
		close(fd);
		return;
	}
	log_info("control connected (pid %d)", (int)uc.pid);
	ctl_attach(s, fd);
}

int
ctl_nd_up(void *h, struct in_addr outer_src, const uint8_t *pkt, size_t len)
{
	struct ctl_srv *s = h;
	struct msg_nd_recv m;

	if (s->cfd < 0 || !s->hello_done)
		return -ENOTCONN;
	if (len > MSG_ND_MAX)
		return -EMSGSIZE;
	/* Bytes past len are zero: the receiver checks it. */
	memset(&m, 0, sizeof(m));
	m.outer_src = outer_src;
	m.len = (uint32_t)len;
	memcpy(m.pkt, pkt, len);
	return ctl_send(s, MSG_ND_RECV, 0, &m, sizeof(m));
}

void
ctl_link_event(struct ctl_srv *s, bool up, uint32_t mtu)
{
	struct msg_link_event ev = {.ifindex = s->dp->ifindex, .up = up, .mtu = mtu};

	if (s->cfd < 0 || !s->hello_done)
		return;
	if (ctl_send(s, MSG_LINK_EVENT, 0, &ev, sizeof(ev)) < 0 && ctl_may_log(s))
		log_warnx("control not reading: link event dropped");
}

/*
 * Whether the socket file at path is free to take. A socket nobody listens
 * on is stale: removed. One a datapath listens on is another instance:
 * -EADDRINUSE. One some other uid listens on is an impostor: the runtime
 * directory is shared with the control daemon's unit (and owned by
 * whichever started last), so a compromised control could occupy our path
 * and make every later start fail (review §19); it is taken back. The probe
 * never blocks. Who listens: SO_PEERCRED of the probe (a datapath runs as
 * our euid, or was root when it listened). A listener whose backlog is
 * full answers EAGAIN and gives no credentials; then the file tells: a
 * datapath made it as its own user, or, started as root, gave it to the
 * control user with group root (ctl_listen()), a group the control user
 * can neither have a file made in nor give one.
 */
static int
ctl_stale(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct peercred pc;
	struct stat st;
	bool datapath;
	int fd, r, e;
	uid_t who;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST; /* never remove something that is not a socket */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -errno;
	memcpy(sun.sun_path, path, strlen(path));
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	if (r == 0 && peercred_get(fd, &pc) == 0) {
		who = pc.uid;
		datapath = who == geteuid() || who == 0;
	} else if (r < 0 && e == EAGAIN) {
		who = st.st_uid;
		datapath = who == geteuid() || who == 0 || st.st_gid == 0;
	} else {
		who = (uid_t)-1;
		datapath = false;
	}
	close(fd);
	if (r == 0 || e == EAGAIN) {
		if (datapath)
			return -EADDRINUSE;
		log_warnx("%s: uid %lu listens there, not a datapath: taking the path back", path,
		          (unsigned long)who);
	}
	return unlink(path) < 0 ? -errno : 0;
}

int
ctl_listen(struct ctl_srv *s, const char *path, uid_t owner)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dir[sizeof(sun.sun_path)];
	mode_t old;
	int fd, r, e;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	memcpy(dir, path, strlen(path) + 1);
	/* The runtime directory: made if missing, searchable so that the
	 * control user reaches the socket. */
	if (mkdir(dirname(dir), 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((r = ctl_stale(path)) < 0)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	/* Never connectable by anyone else, even for an instant. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	if (r < 0) {
		close(fd);
		return -e;
	}
	/*
	 * Started as root: the socket belongs to the control user, mode 0600,
	 * and to group root, which marks it as a datapath's for the next
	 * start's ctl_stale() (a file of the control user's own never has it).
	 * Started unprivileged with capabilities (systemd User= with ambient
	 * CAP_NET_ADMIN/CAP_NET_RAW), we cannot give it away: it stays ours,
	 * mode 0660, and the control user reaches it as a member of our group
	 * (dist/sysusers.d). Either way SO_PEERCRED decides who is served.
	 */
	if (geteuid() == 0)
		r = chown(path, owner, 0) < 0 || chmod(path, 0600) < 0 ? -1 : 0;
	else
		r = chmod(path, 0660);
	if (r < 0 || listen(fd, 4) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		return -e;
	}
	s->lfd = fd;
	memcpy(s->path, path, strlen(path) + 1);
	return 0;
}

void
ctl_close(struct ctl_srv *s)
{
	ctl_drop(s, NULL);
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
		/* Best effort: after the drop the directory may not be ours. */
		if (s->path[0] != '\0')
			(void)unlink(s->path);
	}
}
