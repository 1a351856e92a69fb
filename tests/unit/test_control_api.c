/*
 * control/api.c against a real UNIX socket and a real libuv loop: framing,
 * errors, notifications, the caps on line length, clients and queued bytes,
 * and the permission check by peer credentials.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/api.h"

#define NOBODY 65534

struct fx {
	uv_loop_t loop;
	char dir[64];
	char path[108];
	struct api *api;
	int calls;
};

static int
fake_call(void *ctx, const struct rpc_req *req, const struct api_peer *peer, json_t **result,
          const char **msg)
{
	struct fx *fx = ctx;

	fx->calls++;
	if (req->method == RPC_SOLICIT) {
		*msg = "datapath not connected";
		return RPC_DP_DISCONNECTED;
	}
	*result = json_pack("{s:s, s:b}", "method", rpc_method_name(req->method), "privileged",
	                    peer->privileged);
	return 0;
}

static const struct api_ops fake_ops = {.call = fake_call};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_control_api.XXXXXX");
	if (mkdtemp(fx->dir) == NULL || chmod(fx->dir, 0755) < 0)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/control.sock", fx->dir);
	uv_loop_init(&fx->loop);
	if (api_open(&fx->loop, fx->path, &fake_ops, fx, &fx->api) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	int r;

	api_close(fx->api);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&fx->loop);
	rmdir(fx->dir);
	free(fx);
	/* Every handle closed: nothing left behind. */
	return r == 0 ? 0 : -1;
}

static int
client(struct fx *fx)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	uv_run(&fx->loop, UV_RUN_NOWAIT); /* accept */
	return fd;
}

static void
send_all(struct fx *fx, int fd, const char *s, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, s + done, len - done);

		if (n < 0 && errno == EAGAIN) {
			uv_run(&fx->loop, UV_RUN_NOWAIT);
			continue;
		}
		assert_true(n > 0);
		done += (size_t)n;
	}
}

/* Pumps the loop until one line arrives; returns it (static), or "EOF". */
static const char *
read_line(struct fx *fx, int fd)
{
	static char buf[8192];
	size_t len = 0;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ssize_t n = read(fd, buf + len, 1);

		if (n == 1) {
			if (buf[len] == '\n') {
				buf[len] = '\0';
				return buf;
			}
			if (++len == sizeof(buf) - 1)
				fail_msg("line too long");
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return "EOF";
		assert_int_equal(errno, EAGAIN);
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5)
			fail_msg("no reply");
		usleep(1000);
	}
}

static const char *
rpc(struct fx *fx, int fd, const char *line)
{
	send_all(fx, fd, line, strlen(line));
	return read_line(fx, fd);
}

static void
test_request_reply(void **state)
{
	struct fx *fx = *state;
	int fd = client(fx);

	assert_string_equal(
	        rpc(fx, fd, "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":42}\n"),
	        "{\"jsonrpc\":\"2.0\",\"result\":{\"method\":\"status\",\"privileged\":true},"
	        "\"id\":42}");
	/* An error keeps the connection; the next request is served. */
	assert_string_equal(rpc(fx, fd, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":\"x\"}\n"),
	                    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method "
	                    "not found\"},\"id\":\"x\"}");
	assert_string_equal(rpc(fx, fd, "garbage\n"),
	                    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"parse "
	                    "error\"},\"id\":null}");
	assert_string_equal(
	        rpc(fx, fd, "{\"jsonrpc\":\"2.0\",\"method\":\"solicit\",\"id\":1}\n"),
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"datapath "
	        "not connected\"},\"id\":1}");
	/* A notification is executed but never answered: the next line read
	 * is the answer to the request after it. Two requests in one write. */
	send_all(fx, fd,
	         "{\"jsonrpc\":\"2.0\",\"method\":\"stats\"}\n"
	         "{\"jsonrpc\":\"2.0\",\"method\":\"routers.list\",\"id\":2}\n",
	         strlen("{\"jsonrpc\":\"2.0\",\"method\":\"stats\"}\n"
	                "{\"jsonrpc\":\"2.0\",\"method\":\"routers.list\",\"id\":2}\n"));
	assert_non_null(strstr(read_line(fx, fd), "\"routers.list\""));
	assert_int_equal(fx->calls, 4);
	assert_int_equal(api_n_clients(fx->api), 1);
	close(fd);
}

/* `echo request | socat - UNIX-CONNECT:...`: the client ends its side right
 * after the request; the reply still comes, then the end. */
static void
test_half_close(void **state)
{
	struct fx *fx = *state;
	int fd = client(fx);
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":7}\n";

	send_all(fx, fd, req, sizeof(req) - 1);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_non_null(strstr(read_line(fx, fd), "\"id\":7"));
	assert_string_equal(read_line(fx, fd), "EOF");
	close(fd);
}

static void
test_line_too_long(void **state)
{
	struct fx *fx = *state;
	int fd = client(fx);
	size_t len = RPC_LINE_MAX + 100;
	char *big = malloc(len);

	assert_non_null(big);
	memset(big, ' ', len);
	send_all(fx, fd, big, len);
	free(big);
	assert_string_equal(read_line(fx, fd),
	                    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"request "
	                    "line too long\"},\"id\":null}");
	assert_string_equal(read_line(fx, fd), "EOF");
	assert_int_equal(api_get_counters(fx->api)->too_long, 1);
	assert_int_equal(fx->calls, 0);
	close(fd);
}

static void
test_client_cap(void **state)
{
	struct fx *fx = *state;
	int fds[API_CLIENTS_MAX + 1];

	for (int i = 0; i < API_CLIENTS_MAX; i++)
		fds[i] = client(fx);
	assert_int_equal(api_n_clients(fx->api), API_CLIENTS_MAX);
	fds[API_CLIENTS_MAX] = client(fx);
	assert_string_equal(
	        read_line(fx, fds[API_CLIENTS_MAX]),
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32002,\"message\":\"too many "
	        "clients\"},\"id\":null}");
	assert_string_equal(read_line(fx, fds[API_CLIENTS_MAX]), "EOF");
	assert_int_equal(api_get_counters(fx->api)->refused_full, 1);
	/* The others are still served. */
	assert_non_null(
	        strstr(rpc(fx, fds[0], "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}\n"),
	               "result"));
	for (int i = 0; i <= API_CLIENTS_MAX; i++)
		close(fds[i]);
	for (int i = 0; i < 10; i++)
		uv_run(&fx->loop, UV_RUN_NOWAIT);
	assert_int_equal(api_n_clients(fx->api), 0);
}

/* A subscriber that never reads is dropped once 256 KiB wait for it; one
 * that reads keeps every event; the daemon never blocks. */
static void
test_slow_subscriber(void **state)
{
	struct fx *fx = *state;
	int slow = client(fx), fast = client(fx);
	char pad[1000];
	int got = 0, sent = 0;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	assert_non_null(
	        strstr(rpc(fx, slow, "{\"jsonrpc\":\"2.0\",\"method\":\"subscribe\",\"id\":1}\n"),
	               "\"subscribe\""));
	assert_non_null(
	        strstr(rpc(fx, fast, "{\"jsonrpc\":\"2.0\",\"method\":\"subscribe\",\"id\":1}\n"),
	               "\"subscribe\""));
	while (api_get_counters(fx->api)->slow_dropped == 0) {
		api_notify(fx->api, json_pack("{s:s, s:s}", "event", "router_up", "pad", pad));
		sent++;
		assert_true(sent < 10000);
		while (got < sent) {
			const char *l = read_line(fx, fast);

			assert_non_null(strstr(l, "\"router_up\""));
			got++;
		}
	}
	/* More than the cap was produced before the drop: kernel buffer + queue. */
	assert_true((size_t)sent * sizeof(pad) > API_OUT_QUEUE_MAX);
	for (int i = 0; i < 10; i++)
		uv_run(&fx->loop, UV_RUN_NOWAIT);
	assert_int_equal(api_n_clients(fx->api), 1);
	close(slow);
	close(fast);
}

/* A client that is neither root nor in the group may read, not change. */
static void
test_not_permitted(void **state)
{
	struct fx *fx = *state;
	pid_t pid;
	int status;

	if (geteuid() != 0)
		skip(); /* then this test process itself is the unprivileged peer */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		static const char add[] = "{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\","
		                          "\"params\":{\"router\":\"192.0.2.9\"},\"id\":1}\n"
		                          "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":2}\n";
		char buf[4096];
		size_t len = 0;
		int fd;
		ssize_t n;

		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(2);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx->path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    write(fd, add, sizeof(add) - 1) != sizeof(add) - 1)
			_exit(3);
		while (len < sizeof(buf) - 1 &&
		       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if (strstr(buf, "\"id\":2"))
				break;
		}
		buf[len] = '\0';
		_exit(strstr(buf, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":"
		                  "\"not permitted\"},\"id\":1}") != NULL &&
		                      strstr(buf, "\"privileged\":false") != NULL
		              ? 0
		              : 4);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Only the read was executed. */
	assert_int_equal(fx->calls, 1);
}

static void
test_peer_privileged(void **state)
{
	struct peercred root = {.uid = 0, .gid = 0}, nobody = {.uid = NOBODY, .gid = NOBODY};
	struct peercred member = {.uid = NOBODY, .gid = 4242};
	struct peercred supp = {.uid = NOBODY, .gid = NOBODY, .ngroups = 2, .groups = {7, 4242}};
	struct peercred unknown = {.uid = NOBODY, .gid = NOBODY, .ngroups = -1};

	(void)state;
	assert_true(api_peer_privileged(&root, false, 0));
	assert_false(api_peer_privileged(&nobody, false, 0));
	assert_false(api_peer_privileged(&nobody, true, 4242));
	assert_true(api_peer_privileged(&member, true, 4242));
	/* The process's own supplementary groups, not the group database. */
	assert_true(api_peer_privileged(&supp, true, 4242));
	assert_false(api_peer_privileged(&supp, true, 4243));
	assert_false(api_peer_privileged(&unknown, true, 4242));
}

/* The admission rule: slots root and the group always get, a cap per
 * unprivileged uid. */
static void
test_admit(void **state)
{
	const size_t unpriv_max = API_CLIENTS_MAX - API_CLIENTS_RESERVED;

	(void)state;
	assert_int_equal(api_admit(0, 0, 0, false), API_ADMIT_OK);
	assert_int_equal(api_admit(7, 7, API_CLIENTS_PER_UID - 1, false), API_ADMIT_OK);
	assert_int_equal(api_admit(8, 8, API_CLIENTS_PER_UID, false), API_ADMIT_UID_LIMIT);
	/* Privileged peers have no per-uid cap, only the total. */
	assert_int_equal(api_admit(30, 0, 30, true), API_ADMIT_OK);
	/* Unprivileged peers of many uids fill what is theirs, no more. */
	assert_int_equal(api_admit(unpriv_max - 1, unpriv_max - 1, 0, false), API_ADMIT_OK);
	assert_int_equal(api_admit(unpriv_max, unpriv_max, 0, false), API_ADMIT_FULL);
	assert_int_equal(api_admit(unpriv_max, unpriv_max, 0, true), API_ADMIT_OK);
	assert_int_equal(api_admit(API_CLIENTS_MAX - 1, unpriv_max, 0, true), API_ADMIT_OK);
	assert_int_equal(api_admit(API_CLIENTS_MAX, unpriv_max, 0, true), API_ADMIT_FULL);
}

/* Runs fn(fx, arg) in a child that became uid nobody with the given
 * supplementary groups (none for n = 0), pumping the loop meanwhile;
 * returns the child's exit status. */
static int
as_nobody(struct fx *fx, const gid_t *groups, size_t n, int (*fn)(struct fx *, void *), void *arg)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(n, groups) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(2);
		_exit(fn(fx, arg));
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* In the child: a blocking connection to the API. */
static int
child_connect(const struct fx *fx)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx->path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -1;
	return fd;
}

/* In the child: one request, its reply into buf (up to the first newline). */
static int
child_rpc(int fd, const char *req, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -1;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (strchr(buf, '\n') != NULL)
			break;
	}
	buf[len] = '\0';
	return 0;
}

/* 20 silent connections as nobody; the 9th and later refused. Reports in
 * its exit status: 0 when the first 8 stayed open and the rest were told
 * "too many connections from this user". */
static int
child_hold_20(struct fx *fx, void *arg)
{
	int fds[20], ok = 0, refused = 0;
	char buf[512];

	(void)arg;
	for (int i = 0; i < 20; i++)
		if ((fds[i] = child_connect(fx)) < 0)
			return 3;
	for (int i = 0; i < 20; i++) {
		struct timeval tv = {.tv_sec = 0, .tv_usec = 300000};
		ssize_t n;

		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = read(fds[i], buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			refused += strstr(buf, "too many connections from this user") != NULL;
		} else if (n < 0 && errno == EAGAIN) {
			ok++;
		}
	}
	/* Hold them while the parent checks root is served (a signal file). */
	for (int i = 0; i < 200 && access((char *)fx->dir, F_OK) == 0; i++) {
		char flag[128];

		snprintf(flag, sizeof(flag), "%s/done", fx->dir);
		if (access(flag, F_OK) == 0)
			break;
		usleep(10000);
	}
	return ok == API_CLIENTS_PER_UID && refused == 20 - API_CLIENTS_PER_UID ? 0 : 4;
}

/*
 * The held-out check of issue 13 in small: one unprivileged uid cannot
 * take the slots. 20 idle connections as nobody: 8 held, 12 refused, and
 * root (this process) is served at once while they are held.
 */
static void
test_per_uid_limit(void **state)
{
	struct fx *fx = *state;
	pid_t pid;
	int status, fd;
	char flag[128];

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(2);
		_exit(child_hold_20(fx, NULL));
	}
	while (api_get_counters(fx->api)->refused_uid < 20 - API_CLIENTS_PER_UID) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(1000);
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	}
	assert_int_equal(api_n_clients(fx->api), API_CLIENTS_PER_UID);
	fd = client(fx);
	assert_non_null(
	        strstr(rpc(fx, fd, "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}\n"),
	               "\"privileged\":true"));
	close(fd);
	snprintf(flag, sizeof(flag), "%s/done", fx->dir);
	close(open(flag, O_CREAT | O_WRONLY, 0644));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	unlink(flag);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(api_get_counters(fx->api)->refused_uid, 20 - API_CLIENTS_PER_UID);
}

/* In a child as uid *arg: 8 silent connections, held until the flag. */
static int
child_hold_8(struct fx *fx, void *arg)
{
	char flag[128];
	int fds[8];

	(void)arg;
	for (int i = 0; i < 8; i++)
		if ((fds[i] = child_connect(fx)) < 0)
			return 3;
	snprintf(flag, sizeof(flag), "%s/done", fx->dir);
	for (int i = 0; i < 1000 && access(flag, F_OK) != 0; i++)
		usleep(10000);
	return 0;
}

/*
 * The slots kept for privileged peers: 7 unprivileged uids, 8 silent
 * connections each, get 48 slots between them (API_CLIENTS_MAX -
 * API_CLIENTS_RESERVED) and the last 8 are refused; root still gets in.
 */
static void
test_reserved_slots(void **state)
{
	struct fx *fx = *state;
	const size_t unpriv_max = API_CLIENTS_MAX - API_CLIENTS_RESERVED;
	pid_t pids[7];
	char flag[128];
	int status, fd;

	if (geteuid() != 0)
		skip();
	for (int u = 0; u < 7; u++) {
		pids[u] = fork();
		assert_true(pids[u] >= 0);
		if (pids[u] == 0) {
			uid_t uid = (uid_t)(60001 + u);

			if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
			    setresuid(uid, uid, uid) < 0)
				_exit(2);
			_exit(child_hold_8(fx, NULL));
		}
	}
	while (api_n_clients(fx->api) + api_get_counters(fx->api)->refused_full < 7 * 8) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	assert_int_equal(api_n_clients(fx->api), unpriv_max);
	assert_int_equal(api_get_counters(fx->api)->refused_full, 7 * 8 - unpriv_max);
	fd = client(fx);
	assert_non_null(
	        strstr(rpc(fx, fd, "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}\n"),
	               "\"privileged\":true"));
	assert_int_equal(api_n_clients(fx->api), unpriv_max + 1);
	close(fd);
	snprintf(flag, sizeof(flag), "%s/done", fx->dir);
	close(open(flag, O_CREAT | O_WRONLY, 0644));
	for (int u = 0; u < 7; u++) {
		while (waitpid(pids[u], &status, WNOHANG) == 0) {
			uv_run(&fx->loop, UV_RUN_NOWAIT);
			usleep(1000);
		}
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	unlink(flag);
}

/* A connection that never sends a complete request is closed after the
 * idle timeout; one that sends requests is kept while it does; a
 * subscriber may stay silent. */
static void
test_idle_timeout(void **state)
{
	struct fx *fx = *state;
	int silent, partial, talker, sub;
	struct timespec t0, t1;

	api_set_idle_timeout(fx->api, 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	silent = client(fx);
	partial = client(fx);
	talker = client(fx);
	sub = client(fx);
	send_all(fx, partial, "{\"jsonrpc\":\"2.0\",", 14);
	assert_non_null(
	        strstr(rpc(fx, sub, "{\"jsonrpc\":\"2.0\",\"method\":\"subscribe\",\"id\":1}\n"),
	               "\"subscribe\""));
	for (int i = 0; i < 4; i++) {
		usleep(150000);
		assert_non_null(strstr(
		        rpc(fx, talker, "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}\n"),
		        "result"));
	}
	/* 600 ms on: the silent and the partial ones are gone. */
	assert_string_equal(read_line(fx, silent), "EOF");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 300);
	assert_string_equal(read_line(fx, partial), "EOF");
	assert_int_equal(api_get_counters(fx->api)->idle_closed, 2);
	assert_int_equal(api_n_clients(fx->api), 2);
	/* The talker falls silent: gone in its turn; the subscriber stays. */
	assert_string_equal(read_line(fx, talker), "EOF");
	for (int i = 0; i < 50; i++) {
		uv_run(&fx->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	assert_int_equal(api_get_counters(fx->api)->idle_closed, 3);
	assert_int_equal(api_n_clients(fx->api), 1);
	api_notify(fx->api, json_pack("{s:s}", "event", "router_up"));
	assert_non_null(strstr(read_line(fx, sub), "router_up"));
	close(silent);
	close(partial);
	close(talker);
	close(sub);
}

/* In the child: routers.add, and whether it was refused (exit 0) or
 * allowed (exit 1). */
static int
child_add(struct fx *fx, void *arg)
{
	char buf[1024];
	int fd = child_connect(fx);

	(void)arg;
	if (fd < 0 || child_rpc(fd,
	                        "{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\","
	                        "\"params\":{\"router\":\"192.0.2.9\"},\"id\":1}\n",
	                        buf, sizeof(buf)) < 0)
		return 3;
	if (strstr(buf, "\"code\":-32000") != NULL)
		return 0;
	return strstr(buf, "\"privileged\":true") != NULL ? 1 : 4;
}

/*
 * Review finding 16: the peer's own groups decide, not the group
 * database. gid 4242 is in no /etc/group entry of nobody's (nor in the
 * database at all): a process that holds it as a supplementary group may
 * change state, the same uid without it may not.
 */
static void
test_group_from_process_credentials(void **state)
{
	struct fx *fx = *state;
	static const gid_t g4242[] = {4242}, g7[] = {7};

	if (geteuid() != 0)
		skip();
	api_set_group(fx->api, true, 4242);
	assert_int_equal(as_nobody(fx, g4242, 1, child_add, NULL), 1);
	assert_int_equal(as_nobody(fx, g7, 1, child_add, NULL), 0);
	assert_int_equal(as_nobody(fx, NULL, 0, child_add, NULL), 0);
	/* SIGHUP's api_set_group() re-judges from the same credentials. */
	api_set_group(fx->api, true, 7);
	assert_int_equal(as_nobody(fx, g7, 1, child_add, NULL), 1);
	api_set_group(fx->api, false, 0);
	assert_int_equal(as_nobody(fx, g7, 1, child_add, NULL), 0);
}

/* A stale socket file is replaced; a live one is not. */
static void
test_stale_and_live(void **state)
{
	struct fx *fx = *state;
	struct api *other = NULL;
	char stale[96];
	int fd;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	assert_int_equal(api_open(&fx->loop, fx->path, &fake_ops, fx, &other), -EADDRINUSE);
	snprintf(stale, sizeof(stale), "%s/stale.sock", fx->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", stale);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd); /* bound, never listened: nobody answers */
	assert_int_equal(api_open(&fx->loop, stale, &fake_ops, fx, &other), 0);
	api_close(other);
	uv_run(&fx->loop, UV_RUN_NOWAIT);
	assert_int_equal(access(stale, F_OK), -1);
	/* A live one whose backlog is full: in use, and said so at once
	 * rather than blocking in connect() (review §19). */
	{
		int l = socket(AF_UNIX, SOCK_STREAM, 0), cs[16], n;

		unlink(stale);
		assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
		assert_int_equal(listen(l, 0), 0);
		for (n = 0; n < 16; n++) {
			cs[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (connect(cs[n], (struct sockaddr *)&sun, sizeof(sun)) < 0) {
				close(cs[n]);
				break;
			}
		}
		assert_true(n < 16);
		alarm(5); /* the default action ends the test run, failing it */
		assert_int_equal(api_clear_stale(stale), -EADDRINUSE);
		alarm(0);
		for (int i = 0; i < n; i++)
			close(cs[i]);
		close(l);
		unlink(stale);
	}
	/* A regular file in the way is left alone. */
	fd = open(stale, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(api_open(&fx->loop, stale, &fake_ops, fx, &other), -EEXIST);
	unlink(stale);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_request_reply, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_half_close, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_client_cap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_slow_subscriber, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_not_permitted, setup, teardown),
	        cmocka_unit_test(test_peer_privileged),
	        cmocka_unit_test(test_admit),
	        cmocka_unit_test_setup_teardown(test_per_uid_limit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reserved_slots, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_group_from_process_credentials, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_stale_and_live, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
