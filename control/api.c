/*
 * The API socket. Clients are local but may be any user, so everything they
 * send is hostile until checked: a line longer than RPC_LINE_MAX closes the
 * client, a client that does not read its replies or notifications is
 * dropped once API_OUT_QUEUE_MAX bytes wait for it, and at most
 * API_CLIENTS_MAX are served, with slots kept for privileged peers, a cap
 * per unprivileged uid and an idle timeout (api.h). Who may change state
 * is decided from the connecting process's own credentials, never from a
 * name-service look-up on the loop. The daemon never blocks on a client:
 * writes go out with uv_try_write() and the rest is queued by libuv.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "log.h"
#include "peercred.h"

struct api_client {
	uv_pipe_t pipe; /* first: the handle's data points back here anyway */
	struct api *api;
	TAILQ_ENTRY(api_client) entry;
	struct api_peer peer;
	struct peercred cred; /* as it connected: SIGHUP re-judges it */
	char *buf;            /* RPC_LINE_MAX + 1 bytes, allocated at the first read */
	size_t len;
	bool subscribed;
	bool closing;
	bool refused;      /* not admitted: told so, then closed */
	bool unprivileged; /* admitted as such: counted in n_unprivileged */
	uint64_t idle_at;  /* closed then, unless a request comes; 0: never */
};

struct api_write {
	uv_write_t req;
	char *line;
};

struct api {
	uv_loop_t *loop;
	uv_pipe_t listener;
	bool listener_open;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct api_ops *ops;
	void *ctx;
	TAILQ_HEAD(, api_client) clients;
	size_t n_clients;
	size_t n_unprivileged;
	uv_timer_t idle_timer;
	bool idle_timer_open;
	uint64_t idle_ms;
	bool have_group;
	gid_t group;
	bool closing;
	struct api_counters counters;
	struct log_rate rate;
};

static void api_client_close(struct api_client *cl, const char *why);

static void
api_maybe_free(struct api *api)
{
	if (api->closing && !api->listener_open && !api->idle_timer_open &&
	    TAILQ_EMPTY(&api->clients))
		free(api);
}

/*
 * Review finding 16: the process's own groups (SO_PEERCRED's gid and
 * SO_PEERGROUPS), not the account's in the group database: a process that
 * dropped the group (setpriv --clear-groups, SupplementaryGroups= cleared)
 * does not keep it, and judging costs no NSS look-up on the loop.
 */
bool
api_peer_privileged(const struct peercred *c, bool have_group, gid_t group)
{
	if (c->uid == 0)
		return true;
	return have_group && peercred_in_group(c, group);
}

enum api_admit
api_admit(size_t n_total, size_t n_unprivileged, size_t n_same_uid, bool privileged)
{
	if (n_total >= API_CLIENTS_MAX)
		return API_ADMIT_FULL;
	if (privileged)
		return API_ADMIT_OK;
	if (n_unprivileged >= API_CLIENTS_MAX - API_CLIENTS_RESERVED)
		return API_ADMIT_FULL;
	if (n_same_uid >= API_CLIENTS_PER_UID)
		return API_ADMIT_UID_LIMIT;
	return API_ADMIT_OK;
}

/* ---- the idle timeout: one timer for the earliest deadline ---------------- */

static void api_idle_cb(uv_timer_t *t);

static void
api_arm_idle(struct api *api)
{
	struct api_client *cl;
	uint64_t first = 0, now = uv_now(api->loop);

	if (!api->idle_timer_open || api->closing)
		return;
	TAILQ_FOREACH(cl, &api->clients, entry)
	if (!cl->closing && cl->idle_at != 0 && (first == 0 || cl->idle_at < first))
		first = cl->idle_at;
	if (first == 0)
		uv_timer_stop(&api->idle_timer);
	else
		uv_timer_start(&api->idle_timer, api_idle_cb, first > now ? first - now : 0, 0);
}

static void
api_idle_cb(uv_timer_t *t)
{
	struct api *api = t->data;
	struct api_client *cl;
	uint64_t now = uv_now(api->loop);

	/* api_client_close() leaves a client on the list until its close
	 * callback, so the plain iteration is safe. */
	TAILQ_FOREACH(cl, &api->clients, entry)
	{
		if (cl->closing || cl->idle_at == 0 || cl->idle_at > now)
			continue;
		api->counters.idle_closed++;
		api_client_close(cl, "no complete request within the idle timeout");
	}
	api_arm_idle(api);
}

/* After a complete request: a subscriber may stay silent for ever, anyone
 * else has the idle timeout again. */
static void
api_client_active(struct api_client *cl)
{
	cl->idle_at = cl->subscribed ? 0 : uv_now(cl->api->loop) + cl->api->idle_ms;
	api_arm_idle(cl->api);
}

void
api_set_idle_timeout(struct api *api, uint64_t ms)
{
	api->idle_ms = ms;
}

static void
api_client_free_cb(uv_handle_t *h)
{
	struct api_client *cl = h->data;
	struct api *api = cl->api;

	TAILQ_REMOVE(&api->clients, cl, entry);
	if (!cl->refused)
		api->n_clients--;
	if (cl->unprivileged)
		api->n_unprivileged--;
	free(cl->buf);
	free(cl);
	api_maybe_free(api);
}

static void
api_client_close(struct api_client *cl, const char *why)
{
	if (uv_is_closing((uv_handle_t *)&cl->pipe))
		return;
	if (why != NULL)
		log_debug("api: client pid %ld uid %lu closed: %s", (long)cl->peer.pid,
		          (unsigned long)cl->peer.uid, why);
	cl->closing = true;
	uv_close((uv_handle_t *)&cl->pipe, api_client_free_cb);
}

static void
api_write_cb(uv_write_t *req, int status)
{
	struct api_write *w = (struct api_write *)req;

	free(w->line);
	free(w);
}

static void
api_shutdown_cb(uv_shutdown_t *req, int status)
{
	struct api_client *cl = req->data;

	free(req);
	api_client_close(cl, NULL);
}

/* Queues line (malloc'ed, taken) for the client. Returns false when the
 * client was dropped for a full queue. */
static bool
api_client_send(struct api_client *cl, char *line, size_t len)
{
	uv_stream_t *s = (uv_stream_t *)&cl->pipe;
	uv_buf_t b = uv_buf_init(line, (unsigned)len);
	struct api_write *w;
	int n = 0;

	if (line == NULL) {
		api_client_close(cl, "out of memory");
		return false;
	}
	if (cl->closing) {
		free(line);
		return false;
	}
	if (uv_stream_get_write_queue_size(s) == 0) {
		n = uv_try_write(s, &b, 1);
		if (n == (int)len) {
			free(line);
			return true;
		}
		if (n < 0 && n != UV_EAGAIN) {
			free(line);
			api_client_close(cl, uv_strerror(n));
			return false;
		}
		if (n < 0)
			n = 0;
	}
	if (uv_stream_get_write_queue_size(s) + (len - (size_t)n) > API_OUT_QUEUE_MAX) {
		free(line);
		cl->api->counters.slow_dropped++;
		if (log_ratelimit(&cl->api->rate, uv_now(cl->api->loop), NULL))
			log_info("api: client pid %ld dropped: %d KiB unread", (long)cl->peer.pid,
			         API_OUT_QUEUE_MAX / 1024);
		api_client_close(cl, NULL);
		return false;
	}
	w = malloc(sizeof(*w));
	if (w == NULL) {
		free(line);
		api_client_close(cl, "out of memory");
		return false;
	}
	w->line = line;
	b = uv_buf_init(line + n, (unsigned)(len - (size_t)n));
	if (uv_write(&w->req, s, &b, 1, api_write_cb) < 0) {
		free(line);
		free(w);
		api_client_close(cl, "write failed");
		return false;
	}
	return true;
}

/* Stops reading and closes once what is queued has been written. */
static void
api_client_finish(struct api_client *cl)
{
	uv_shutdown_t *req;

	uv_read_stop((uv_stream_t *)&cl->pipe);
	if (cl->closing)
		return;
	cl->closing = true;
	req = malloc(sizeof(*req));
	if (req == NULL) {
		api_client_close(cl, "out of memory");
		return;
	}
	req->data = cl;
	if (uv_shutdown(req, (uv_stream_t *)&cl->pipe, api_shutdown_cb) < 0) {
		free(req);
		api_client_close(cl, "shutdown failed");
	}
}

/* Sends a last error, then closes once it is written. */
static void
api_client_fail(struct api_client *cl, int code, const char *msg)
{
	size_t len = 0;
	char *line = rpc_encode_error(NULL, code, msg, &len);

	cl->api->counters.errors++;
	uv_read_stop((uv_stream_t *)&cl->pipe);
	if (api_client_send(cl, line, len))
		api_client_finish(cl);
}

static void
api_handle_line(struct api_client *cl, const char *line, size_t len)
{
	struct api *api = cl->api;
	struct rpc_req req;
	const char *msg = NULL;
	json_t *result = NULL;
	char *out;
	size_t outlen = 0;
	int code;

	api->counters.requests++;
	code = rpc_parse(line, len, &req, &msg);
	if (code == 0 && rpc_method_privileged(req.method) && !cl->peer.privileged) {
		code = RPC_NOT_PERMITTED;
		msg = "not permitted";
	}
	if (code == 0) {
		code = api->ops->call(api->ctx, &req, &cl->peer, &result, &msg);
		if (code == 0 && req.method == RPC_SUBSCRIBE)
			cl->subscribed = true;
	}
	/* JSON-RPC 2.0 §4.1: a notification is never answered, but a request
	 * whose id could not even be read gets an error with id null. */
	if (req.notification && code != RPC_PARSE_ERROR && code != RPC_INVALID_REQUEST) {
		json_decref(result);
		rpc_req_free(&req);
		return;
	}
	if (code == 0) {
		out = rpc_encode_result(req.id, result, &outlen);
	} else {
		api->counters.errors++;
		out = rpc_encode_error(req.id, code, msg ? msg : "error", &outlen);
	}
	rpc_req_free(&req);
	api_client_send(cl, out, outlen);
}

static void
api_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct api_client *cl = h->data;

	if (cl->buf == NULL)
		cl->buf = malloc(RPC_LINE_MAX + 1);
	if (cl->buf == NULL) {
		*b = uv_buf_init(NULL, 0);
		return;
	}
	*b = uv_buf_init(cl->buf + cl->len, (unsigned)(RPC_LINE_MAX + 1 - cl->len));
}

static void
api_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct api_client *cl = s->data;
	size_t start = 0;

	if (nread == UV_ENOBUFS) {
		api_client_close(cl, "out of memory");
		return;
	}
	if (nread == UV_EOF) {
		/* `echo request | socat - UNIX-CONNECT:...` ends its side
		 * first: the replies still go out. */
		api_client_finish(cl);
		return;
	}
	if (nread < 0) {
		api_client_close(cl, uv_strerror((int)nread));
		return;
	}
	cl->len += (size_t)nread;
	for (size_t i = cl->len - (size_t)nread; i < cl->len && !cl->closing; i++) {
		if (cl->buf[i] != '\n')
			continue;
		api_handle_line(cl, cl->buf + start, i - start);
		start = i + 1;
	}
	if (cl->closing)
		return;
	if (start > 0)
		api_client_active(cl);
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
	if (cl->len > RPC_LINE_MAX) {
		cl->api->counters.too_long++;
		api_client_fail(cl, RPC_INVALID_REQUEST, "request line too long");
	}
}

static void
api_peer_cred(struct api *api, struct api_client *cl)
{
	uv_os_fd_t fd;
	int r = -EBADF;

	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) < 0 || (r = peercred_get(fd, &cl->cred)) < 0) {
		/* Unknown: as nobody, unprivileged, all nobodies one uid. */
		api->counters.cred_failures++;
		if (log_ratelimit(&api->rate, uv_now(api->loop), NULL))
			log_warnx("api: peer credentials: %s", strerror(-r));
		memset(&cl->cred, 0, sizeof(cl->cred));
		cl->cred.uid = (uid_t)-1;
		cl->cred.gid = (gid_t)-1;
	}
	cl->peer.uid = cl->cred.uid;
	cl->peer.gid = cl->cred.gid;
	cl->peer.pid = cl->cred.pid;
	cl->peer.privileged = api_peer_privileged(&cl->cred, api->have_group, api->group);
}

/* Clients held by uid (the newcomer cl excluded). */
static size_t
api_uid_clients(const struct api *api, const struct api_client *cl)
{
	const struct api_client *o;
	size_t n = 0;

	TAILQ_FOREACH(o, &api->clients, entry)
	n += o != cl && !o->refused && o->peer.uid == cl->peer.uid;
	return n;
}

static void
api_connection_cb(uv_stream_t *server, int status)
{
	struct api *api = server->data;
	struct api_client *cl;

	if (status < 0) {
		log_warnx("api: accept: %s", uv_strerror(status));
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return;
	cl->api = api;
	uv_pipe_init(api->loop, &cl->pipe, 0);
	cl->pipe.data = cl;
	TAILQ_INSERT_TAIL(&api->clients, cl, entry);
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0) {
		cl->refused = true;
		api_client_close(cl, "accept failed");
		return;
	}
	api_peer_cred(api, cl);
	switch (api_admit(api->n_clients, api->n_unprivileged, api_uid_clients(api, cl),
	                  cl->peer.privileged)) {
	case API_ADMIT_OK:
		break;
	case API_ADMIT_FULL:
		cl->refused = true;
		api->counters.refused_full++;
		if (log_ratelimit(&api->rate, uv_now(api->loop), NULL))
			log_warnx("api: no client slot for pid %ld uid %lu (%zu held, %zu kept for "
			          "root and the API group)",
			          (long)cl->peer.pid, (unsigned long)cl->peer.uid, api->n_clients,
			          (size_t)API_CLIENTS_RESERVED);
		api_client_fail(cl, RPC_LIMIT_REACHED, "too many clients");
		return;
	case API_ADMIT_UID_LIMIT:
		cl->refused = true;
		api->counters.refused_uid++;
		if (log_ratelimit(&api->rate, uv_now(api->loop), NULL))
			log_warnx("api: uid %lu holds %d connections already, refusing pid %ld",
			          (unsigned long)cl->peer.uid, API_CLIENTS_PER_UID,
			          (long)cl->peer.pid);
		api_client_fail(cl, RPC_LIMIT_REACHED, "too many connections from this user");
		return;
	}
	api->n_clients++;
	if (!cl->peer.privileged) {
		cl->unprivileged = true;
		api->n_unprivileged++;
	}
	api->counters.accepted++;
	if (uv_read_start((uv_stream_t *)&cl->pipe, api_alloc_cb, api_read_cb) < 0) {
		api_client_close(cl, "read_start failed");
		return;
	}
	/* Until it sends a whole request line. */
	cl->idle_at = uv_now(api->loop) + api->idle_ms;
	api_arm_idle(api);
}

/* A socket file left by a daemon that died is replaced; one that still
 * answers belongs to a running daemon and is not. */
int
api_clear_stale(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	/* Never blocking: a listener with a full backlog answers EAGAIN,
	 * and is alive (review §19). */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN ? 0 : -1;
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
api_open(uv_loop_t *loop, const char *path, const struct api_ops *ops, void *ctx, struct api **out)
{
	struct api *api;
	int r;

	if (strlen(path) >= sizeof(api->path))
		return -ENAMETOOLONG;
	r = api_clear_stale(path);
	if (r < 0)
		return r;
	api = calloc(1, sizeof(*api));
	if (api == NULL)
		return -ENOMEM;
	api->loop = loop;
	api->ops = ops;
	api->ctx = ctx;
	api->rate = (struct log_rate)LOG_RATE_INIT(5, 1);
	api->idle_ms = API_IDLE_TIMEOUT_MS;
	memcpy(api->path, path, strlen(path) + 1);
	TAILQ_INIT(&api->clients);
	uv_timer_init(loop, &api->idle_timer);
	api->idle_timer.data = api;
	api->idle_timer_open = true;
	uv_pipe_init(loop, &api->listener, 0);
	api->listener.data = api;
	api->listener_open = true;
	r = uv_pipe_bind(&api->listener, path);
	if (r == 0 && chmod(path, API_SOCKET_MODE) < 0)
		r = -errno;
	if (r == 0)
		r = uv_listen((uv_stream_t *)&api->listener, 16, api_connection_cb);
	if (r < 0) {
		api->closing = true;
		api_close(api);
		return r;
	}
	*out = api;
	return 0;
}

void
api_set_group(struct api *api, bool have_group, gid_t gid)
{
	struct api_client *cl;

	api->have_group = have_group;
	api->group = gid;
	/* A reload takes effect for the clients already connected too, from
	 * the credentials they connected with: no look-up. */
	TAILQ_FOREACH(cl, &api->clients, entry)
	cl->peer.privileged = api_peer_privileged(&cl->cred, have_group, gid);
}

void
api_notify(struct api *api, json_t *params)
{
	struct api_client *cl;
	size_t len = 0;
	char *line = rpc_encode_notification("event", params, &len);

	if (line == NULL)
		return;
	api->counters.notifications++;
	/* api_client_close() leaves a client on the list until its close
	 * callback, so the plain iteration is safe. */
	TAILQ_FOREACH(cl, &api->clients, entry)
	{
		char *copy;

		if (!cl->subscribed || cl->closing)
			continue;
		copy = malloc(len);
		if (copy == NULL) {
			api_client_close(cl, "out of memory");
			continue;
		}
		memcpy(copy, line, len);
		api_client_send(cl, copy, len);
	}
	free(line);
}

size_t
api_n_clients(const struct api *api)
{
	return api->n_clients;
}

const struct api_counters *
api_get_counters(const struct api *api)
{
	return &api->counters;
}

static void
api_listener_closed(uv_handle_t *h)
{
	struct api *api = h->data;

	api->listener_open = false;
	api_maybe_free(api);
}

static void
api_timer_closed(uv_handle_t *h)
{
	struct api *api = h->data;

	api->idle_timer_open = false;
	api_maybe_free(api);
}

void
api_close(struct api *api)
{
	struct api_client *cl;

	if (api == NULL)
		return;
	api->closing = true;
	TAILQ_FOREACH(cl, &api->clients, entry)
	api_client_close(cl, NULL);
	if (api->idle_timer_open && !uv_is_closing((uv_handle_t *)&api->idle_timer))
		uv_close((uv_handle_t *)&api->idle_timer, api_timer_closed);
	if (api->listener_open && !uv_is_closing((uv_handle_t *)&api->listener)) {
		uv_close((uv_handle_t *)&api->listener, api_listener_closed);
		unlink(api->path);
	}
}
