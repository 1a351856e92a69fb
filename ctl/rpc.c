/*
 * The JSON-RPC client: a plain blocking UNIX stream socket, poll() for the
 * timeout, jansson for the JSON. No event loop: isatapctl sends one request
 * and reads one reply, or reads notifications until interrupted.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rpc.h"

#define RPC_SET(e, c, ...)                                         \
	do {                                                       \
		(e)->code = (c);                                   \
		snprintf((e)->msg, sizeof((e)->msg), __VA_ARGS__); \
	} while (0)

enum rpc_status
rpc_open(struct rpc *r, const char *path, struct rpc_error *e)
{
	const struct timeval tv = {.tv_sec = RPC_TIMEOUT_MS / 1000};
	struct sockaddr_un sun;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->path = path;
	r->next_id = 1;
	r->timeout_ms = RPC_TIMEOUT_MS;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		RPC_SET(e, 0, "%s: socket path too long", path);
		return RPC_ERR_UNREACHABLE;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	r->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (r->fd < 0) {
		RPC_SET(e, 0, "socket: %s", strerror(errno));
		return RPC_ERR_UNREACHABLE;
	}
	/* Bounds connect() when the daemon's backlog is full (Linux waits
	 * for room up to the send timeout) and every write after it. */
	if (setsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		RPC_SET(e, 0, "setsockopt: %s", strerror(errno));
		close(r->fd);
		r->fd = -1;
		return RPC_ERR_UNREACHABLE;
	}
	if (connect(r->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		RPC_SET(e, 0, "cannot connect to isatap-control at %s: %s", path, strerror(errno));
		close(r->fd);
		r->fd = -1;
		return RPC_ERR_UNREACHABLE;
	}
	return RPC_OK;
}

void
rpc_close(struct rpc *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

static enum rpc_status
rpc_write_all(struct rpc *r, const char *p, size_t n, struct rpc_error *e)
{
	while (n > 0) {
		ssize_t w = write(r->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			RPC_SET(e, 0, "%s: write: %s", r->path,
			        w < 0 ? strerror(errno) : "short write");
			return RPC_ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return RPC_OK;
}

enum rpc_status
rpc_send(struct rpc *r, const char *method, json_t *params, long long *id, struct rpc_error *e)
{
	enum rpc_status st;
	json_t *req;
	char *text;

	*id = r->next_id++;
	req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)*id, "method",
	                method);
	if (req == NULL || (params != NULL && json_object_set_new(req, "params", params) != 0)) {
		json_decref(req);
		RPC_SET(e, 0, "out of memory");
		return RPC_ERR_IO;
	}
	text = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(req);
	if (text == NULL) {
		RPC_SET(e, 0, "out of memory");
		return RPC_ERR_IO;
	}
	st = rpc_write_all(r, text, strlen(text), e);
	if (st == RPC_OK)
		st = rpc_write_all(r, "\n", 1, e);
	free(text);
	return st;
}

static long long
rpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drops the line handed out by the previous rpc_read_line(). */
static void
rpc_consume(struct rpc *r)
{
	if (r->used == 0)
		return;
	memmove(r->buf, r->buf + r->used, r->len - r->used);
	r->len -= r->used;
	r->used = 0;
}

enum rpc_status
rpc_read_line(struct rpc *r, int timeout_ms, const char **line, size_t *len, struct rpc_error *e)
{
	long long deadline = timeout_ms < 0 ? -1 : rpc_now_ms() + timeout_ms;

	rpc_consume(r);
	for (;;) {
		char *nl = r->len > 0 ? memchr(r->buf, '\n', r->len) : NULL;
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		ssize_t n;
		int wait, pr;

		if (nl != NULL) {
			/* The line is passed on with its length: a NUL inside it
			 * makes json_loadb() refuse it (no JSON_ALLOW_NUL). */
			*nl = '\0';
			*line = r->buf;
			*len = (size_t)(nl - r->buf);
			r->used = *len + 1;
			return RPC_OK;
		}
		if (r->len >= RPC_LINE_MAX) {
			RPC_SET(e, 0, "%s: a line from the daemon is longer than %d bytes", r->path,
			        RPC_LINE_MAX);
			return RPC_ERR_MALFORMED;
		}
		if (r->cap - r->len < 4096) {
			size_t ncap = r->cap == 0 ? 16384 : r->cap * 2;
			char *nb;

			if (ncap > RPC_LINE_MAX + 1)
				ncap = RPC_LINE_MAX + 1;
			nb = realloc(r->buf, ncap);
			if (nb == NULL) {
				RPC_SET(e, 0, "out of memory");
				return RPC_ERR_IO;
			}
			r->buf = nb;
			r->cap = ncap;
		}

		wait = -1;
		if (deadline >= 0) {
			long long left = deadline - rpc_now_ms();

			if (left <= 0) {
				RPC_SET(e, 0, "%s: no answer from isatap-control (timed out)",
				        r->path);
				return RPC_ERR_IO;
			}
			wait = (int)left;
		}
		pr = poll(&pfd, 1, wait);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			RPC_SET(e, 0, "poll: %s", strerror(errno));
			return RPC_ERR_IO;
		}
		if (pr == 0)
			continue; /* the deadline check above reports it */
		n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			RPC_SET(e, 0, "%s: read: %s", r->path, strerror(errno));
			return RPC_ERR_IO;
		}
		if (n == 0) {
			RPC_SET(e, 0, "%s: isatap-control closed the connection", r->path);
			return RPC_ERR_IO;
		}
		r->len += (size_t)n;
	}
}

static enum rpc_status
rpc_check_error(const json_t *err, struct rpc_error *e)
{
	const json_t *code = json_object_get(err, "code");
	const json_t *msg = json_object_get(err, "message");

	if (!json_is_object(err) || !json_is_integer(code) || !json_is_string(msg)) {
		RPC_SET(e, 0, "malformed error object from isatap-control");
		return RPC_ERR_MALFORMED;
	}
	if (json_integer_value(code) < -2147483647LL || json_integer_value(code) > 2147483647LL) {
		RPC_SET(e, 0, "malformed error code from isatap-control");
		return RPC_ERR_MALFORMED;
	}
	/* The message is printed on a terminal: only printable ASCII goes through. */
	e->code = (int)json_integer_value(code);
	{
		const char *s = json_string_value(msg);
		size_t i;

		for (i = 0; s[i] != '\0' && i < sizeof(e->msg) - 1; i++)
			e->msg[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
		e->msg[i] = '\0';
	}
	return RPC_ERR_REMOTE;
}

static enum rpc_status
rpc_check_notification(json_t *m, enum rpc_kind *kind, json_t **out, struct rpc_error *e)
{
	const json_t *method = json_object_get(m, "method");
	json_t *params = json_object_get(m, "params");
	const json_t *ev, *tm;

	*kind = RPC_KIND_NOTIFICATION;
	if (!json_is_string(method)) {
		RPC_SET(e, 0, "notification without a method");
		return RPC_ERR_MALFORMED;
	}
	/* Other notifications may appear in later schema versions: skipped. */
	if (strcmp(json_string_value(method), "event") != 0)
		return RPC_OK;
	ev = json_object_get(params, "event");
	tm = json_object_get(params, "time");
	if (!json_is_object(params) || !json_is_string(ev) || json_string_length(ev) == 0 ||
	    !json_is_integer(tm)) {
		RPC_SET(e, 0, "malformed event notification");
		return RPC_ERR_MALFORMED;
	}
	*out = json_incref(params);
	return RPC_OK;
}

enum rpc_status
rpc_parse_line(const char *line, size_t len, long long id, enum rpc_kind *kind, json_t **out,
               struct rpc_error *e)
{
	json_error_t jerr;
	json_t *m, *jid, *res, *err, *ver;
	enum rpc_status st = RPC_ERR_MALFORMED;
	const char *k;
	json_t *v;

	*out = NULL;
	*kind = RPC_KIND_OTHER_REPLY;
	memset(e, 0, sizeof(*e));
	m = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (m == NULL) {
		RPC_SET(e, 0, "unreadable JSON from isatap-control: %.100s", jerr.text);
		return RPC_ERR_MALFORMED;
	}
	if (!json_is_object(m)) {
		RPC_SET(e, 0, "isatap-control sent JSON that is not an object");
		goto out;
	}
	ver = json_object_get(m, "jsonrpc");
	if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0) {
		RPC_SET(e, 0, "isatap-control sent a message without \"jsonrpc\": \"2.0\"");
		goto out;
	}
	json_object_foreach(m, k, v)
	{
		if (strcmp(k, "jsonrpc") != 0 && strcmp(k, "id") != 0 && strcmp(k, "result") != 0 &&
		    strcmp(k, "error") != 0 && strcmp(k, "method") != 0 &&
		    strcmp(k, "params") != 0) {
			RPC_SET(e, 0, "isatap-control sent an unknown member \"%.40s\"", k);
			goto out;
		}
	}

	jid = json_object_get(m, "id");
	res = json_object_get(m, "result");
	err = json_object_get(m, "error");
	if (jid == NULL) {
		if (res != NULL || err != NULL) {
			RPC_SET(e, 0, "isatap-control sent a response without an id");
			goto out;
		}
		st = rpc_check_notification(m, kind, out, e);
		goto out;
	}
	if (json_object_get(m, "method") != NULL || json_object_get(m, "params") != NULL) {
		RPC_SET(e, 0, "isatap-control sent a request");
		goto out;
	}
	if ((res == NULL) == (err == NULL)) {
		RPC_SET(e, 0, "a response must hold exactly one of result and error");
		goto out;
	}
	if (json_is_null(jid) && err != NULL) {
		*kind = RPC_KIND_REPLY;
	} else if (!json_is_integer(jid)) {
		RPC_SET(e, 0, "isatap-control sent a response with an id that is not ours");
		goto out;
	} else if (json_integer_value(jid) == id) {
		*kind = RPC_KIND_REPLY;
	} else {
		*kind = RPC_KIND_OTHER_REPLY;
		st = RPC_OK;
		goto out;
	}
	if (err != NULL) {
		st = rpc_check_error(err, e);
		goto out;
	}
	/* Every result of schema version 1 is an object (docs/API.md). */
	if (!json_is_object(res)) {
		RPC_SET(e, 0, "isatap-control sent a result that is not an object");
		goto out;
	}
	*out = json_incref(res);
	st = RPC_OK;
out:
	json_decref(m);
	return st;
}

enum rpc_status
rpc_call(struct rpc *r, const char *method, json_t *params, json_t **result, struct rpc_error *e)
{
	enum rpc_status st;
	long long id, deadline;

	*result = NULL;
	st = rpc_send(r, method, params, &id, e);
	if (st != RPC_OK)
		return st;
	/* One deadline for the reply, however many other lines come first. */
	deadline = rpc_now_ms() + r->timeout_ms;
	for (;;) {
		long long left = deadline - rpc_now_ms();
		enum rpc_kind kind;
		const char *line;
		size_t len;
		json_t *out;

		st = rpc_read_line(r, left > 0 ? (int)left : 0, &line, &len, e);
		if (st != RPC_OK)
			return st;
		st = rpc_parse_line(line, len, id, &kind, &out, e);
		if (st == RPC_ERR_MALFORMED || kind == RPC_KIND_REPLY) {
			*result = out;
			return st;
		}
		json_decref(out); /* a notification or a stale reply: not ours */
	}
}
