/*
 * isatapctl's JSON-RPC client: the check of every line the daemon sends
 * (replies, errors, notifications, and everything that is neither), and the
 * line reader and request writer over a real UNIX socket.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_ctl_canned.h"

#include "ctl/rpc.h"

static enum rpc_status
parse(const char *line, long long id, enum rpc_kind *kind, json_t **out, struct rpc_error *e)
{
	return rpc_parse_line(line, strlen(line), id, kind, out, e);
}

static void
test_reply_ok(void **state)
{
	struct rpc_error e;
	enum rpc_kind kind;
	json_t *out;

	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"result\":{\"added\":true},\"id\":7}", 7,
	                       &kind, &out, &e),
	                 RPC_OK);
	assert_int_equal(kind, RPC_KIND_REPLY);
	assert_true(json_is_true(json_object_get(out, "added")));
	json_decref(out);
	/* Another id: well formed, not ours, skipped by rpc_call(). */
	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}", 7, &kind, &out, &e),
	                 RPC_OK);
	assert_int_equal(kind, RPC_KIND_OTHER_REPLY);
	assert_null(out);
}

static void
test_reply_error(void **state)
{
	struct rpc_error e;
	enum rpc_kind kind;
	json_t *out;

	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"not "
	                       "permitted\"},\"id\":3}",
	                       3, &kind, &out, &e),
	                 RPC_ERR_REMOTE);
	assert_int_equal(kind, RPC_KIND_REPLY);
	assert_int_equal(e.code, RPC_E_NOT_PERMITTED);
	assert_string_equal(e.msg, "not permitted");
	assert_null(out);
	/* id null: the server could not read our id (JSON-RPC 2.0 section 5). */
	assert_int_equal(
	        parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"parse "
	              "error\",\"data\":\"x\"},\"id\":null}",
	              3, &kind, &out, &e),
	        RPC_ERR_REMOTE);
	assert_int_equal(kind, RPC_KIND_REPLY);
	assert_int_equal(e.code, RPC_E_PARSE);
	/* The message reaches a terminal: control bytes are replaced. */
	assert_int_equal(
	        parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"a\\u001b]0;"
	              "x\\u0007\\u00e9\"},\"id\":3}",
	              3, &kind, &out, &e),
	        RPC_ERR_REMOTE);
	assert_string_equal(e.msg, "a?]0;x???");
}

static void
test_notification(void **state)
{
	struct rpc_error e;
	enum rpc_kind kind;
	json_t *out;

	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":"
	                       "\"router_up\",\"time\":1700000000,\"router\":\"192.0.2.254\"}}",
	                       1, &kind, &out, &e),
	                 RPC_OK);
	assert_int_equal(kind, RPC_KIND_NOTIFICATION);
	assert_string_equal(json_string_value(json_object_get(out, "router")), "192.0.2.254");
	json_decref(out);
	/* A notification of a later schema: skipped, not an error. */
	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"params\":[1]}", 1,
	                       &kind, &out, &e),
	                 RPC_OK);
	assert_int_equal(kind, RPC_KIND_NOTIFICATION);
	assert_null(out);
}

/* Everything the daemon could send that is not JSON-RPC 2.0 as documented. */
static void
test_malformed(void **state)
{
	static const char *const lines[] = {
	        "",
	        "{",
	        "[]",
	        "42",
	        "\"x\"",
	        "{}",
	        "{\"jsonrpc\":\"1.0\",\"result\":{},\"id\":1}",
	        "{\"jsonrpc\":2,\"result\":{},\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1,\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1,\"extra\":0}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"error\":{\"code\":1,\"message\":\"\"},\"id\":"
	        "1}",
	        "{\"jsonrpc\":\"2.0\",\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":\"1\"}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1.0}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":null}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{}}",
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":\"1\",\"message\":\"\"},\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1},\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"error\":[],\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":99999999999,\"message\":\"\"},\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}",
	        "{\"jsonrpc\":\"2.0\",\"params\":{}}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\"}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":[]}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"time\":1}}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":\"\",\"time\":1}}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":\"x\",\"time\":1."
	        "5}}",
	        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":\"x\"}}",
	        "{\"jsonrpc\":\"2.0\",\"method\":7,\"params\":{}}",
	        "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1} trailing",
	        "{\"jsonrpc\":\"2.0\",\"result\":{\"a\":1,\"a\":2},\"id\":1}",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct rpc_error e;
		enum rpc_kind kind;
		json_t *out = (json_t *)1;

		if (parse(lines[i], 1, &kind, &out, &e) != RPC_ERR_MALFORMED)
			fail_msg("accepted: %s", lines[i]);
		assert_null(out);
		assert_true(strlen(e.msg) > 0);
	}
}

/* A NUL byte inside a line is not the end of the JSON. */
static void
test_embedded_nul(void **state)
{
	static const char line[] = "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1}\0junk";
	struct rpc_error e;
	enum rpc_kind kind;
	json_t *out;

	assert_int_equal(rpc_parse_line(line, sizeof(line) - 1, 1, &kind, &out, &e),
	                 RPC_ERR_MALFORMED);
}

/* A listening socket in a fresh directory; rpc_open() connects through the
 * backlog, so one thread plays both sides. */
struct server {
	char dir[64];
	char path[108];
	int lfd, cfd;
	struct rpc r;
};

static int
server_setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct rpc_error e;

	assert_non_null(s);
	strcpy(s->dir, "/tmp/test_ctl_rpc.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/control.sock", s->dir);
	memcpy(sun.sun_path, s->path, strlen(s->path) + 1);
	s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(rpc_open(&s->r, s->path, &e), RPC_OK);
	s->cfd = accept(s->lfd, NULL, NULL);
	assert_true(s->cfd >= 0);
	*state = s;
	return 0;
}

static int
server_teardown(void **state)
{
	struct server *s = *state;

	rpc_close(&s->r);
	if (s->cfd >= 0)
		close(s->cfd);
	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

static void
server_send(struct server *s, const char *text)
{
	assert_int_equal(write(s->cfd, text, strlen(text)), (ssize_t)strlen(text));
}

/* What the client wrote, up to and without its newline. */
static json_t *
server_request(struct server *s)
{
	char buf[4096];
	size_t len = 0;
	json_error_t je;
	json_t *j;

	for (;;) {
		ssize_t n = read(s->cfd, buf + len, 1);

		assert_int_equal(n, 1);
		if (buf[len] == '\n')
			break;
		assert_true(++len < sizeof(buf));
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(j);
	return j;
}

static void
test_call_round_trip(void **state)
{
	struct server *s = *state;
	struct rpc_error e;
	json_t *res, *req;

	/* The reply is queued first: the client's first id is 1. A notification
	 * arriving before it is skipped. */
	server_send(s,
	            "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":\"x\","
	            "\"time\":1}}\n{\"jsonrpc\":\"2.0\",\"result\":{\"solicited\":[\"192.0.2.254\""
	            "]},\"id\":1}\n");
	assert_int_equal(
	        rpc_call(&s->r, "solicit", json_pack("{s:s}", "router", "192.0.2.254"), &res, &e),
	        RPC_OK);
	assert_string_equal(json_string_value(json_array_get(json_object_get(res, "solicited"), 0)),
	                    "192.0.2.254");
	json_decref(res);
	req = server_request(s);
	assert_string_equal(json_string_value(json_object_get(req, "jsonrpc")), "2.0");
	assert_int_equal(json_integer_value(json_object_get(req, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(req, "method")), "solicit");
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(req, "params"), "router")),
	        "192.0.2.254");
	assert_int_equal(json_object_size(req), 4);
	json_decref(req);

	/* No params: the member is left out, as the strict server wants. */
	server_send(s, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"datapath not "
	               "connected\"},\"id\":2}\n");
	assert_int_equal(rpc_call(&s->r, "status", NULL, &res, &e), RPC_ERR_REMOTE);
	assert_null(res);
	assert_int_equal(e.code, RPC_E_NO_DATAPATH);
	req = server_request(s);
	assert_null(json_object_get(req, "params"));
	assert_int_equal(json_integer_value(json_object_get(req, "id")), 2);
	json_decref(req);
}

/* Lines split across reads, several in one read, then the end. */
static void
test_read_lines(void **state)
{
	struct server *s = *state;
	struct rpc_error e;
	const char *line;
	size_t len;

	server_send(s, "{\"a\":");
	server_send(s, "1}\n{\"b\":2}\n{\"c\"");
	assert_int_equal(rpc_read_line(&s->r, 1000, &line, &len, &e), RPC_OK);
	assert_string_equal(line, "{\"a\":1}");
	assert_int_equal(len, 7);
	assert_int_equal(rpc_read_line(&s->r, 1000, &line, &len, &e), RPC_OK);
	assert_string_equal(line, "{\"b\":2}");
	server_send(s, ":3}\n");
	assert_int_equal(rpc_read_line(&s->r, 1000, &line, &len, &e), RPC_OK);
	assert_string_equal(line, "{\"c\":3}");
	/* Nothing more: the timeout. */
	assert_int_equal(rpc_read_line(&s->r, 50, &line, &len, &e), RPC_ERR_IO);
	assert_non_null(strstr(e.msg, "no answer"));
	close(s->cfd);
	s->cfd = -1;
	assert_int_equal(rpc_read_line(&s->r, 1000, &line, &len, &e), RPC_ERR_IO);
	assert_non_null(strstr(e.msg, "closed the connection"));
}

/* A daemon that never ends its line cannot make the client grow without
 * bound. */
static void
test_line_too_long(void **state)
{
	struct server *s = *state;
	struct rpc_error e;
	const char *line;
	size_t len;
	pid_t pid;
	int status;

	/* A child writes 2 MiB without a newline; the client must give up at
	 * RPC_LINE_MAX rather than buffer it all. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char chunk[65536];
		size_t sent = 0;

		/* Only the parent may hold the client's end, or it never closes. */
		close(s->r.fd);
		signal(SIGPIPE, SIG_IGN);
		alarm(10); /* whatever goes wrong, the test does not hang */
		memset(chunk, ' ', sizeof(chunk));
		while (sent < 2u * RPC_LINE_MAX) {
			ssize_t n = write(s->cfd, chunk, sizeof(chunk));

			if (n <= 0)
				_exit(0);
			sent += (size_t)n;
		}
		_exit(0);
	}
	assert_int_equal(rpc_read_line(&s->r, 5000, &line, &len, &e), RPC_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "longer than"));
	rpc_close(&s->r); /* the child's writes now fail, and it exits */
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* A daemon that talks without ever answering cannot hold the client past
 * its deadline: the timeout covers the whole call, not each line. */
static void
test_call_deadline(void **state)
{
	struct server *s = *state;
	struct rpc_error e;
	struct timespec t0, t1;
	json_t *res;
	pid_t pid;
	long ms;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const char note[] = "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":"
		                           "{\"event\":\"x\",\"time\":1}}\n";

		close(s->r.fd);
		signal(SIGPIPE, SIG_IGN);
		alarm(10);
		while (write(s->cfd, note, sizeof(note) - 1) > 0)
			usleep(5000);
		_exit(0);
	}
	s->r.timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rpc_call(&s->r, "status", NULL, &res, &e), RPC_ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_null(res);
	assert_non_null(strstr(e.msg, "timed out"));
	assert_true(ms >= 290 && ms < 3000);
	rpc_close(&s->r);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void
test_unreachable(void **state)
{
	struct rpc_error e;
	struct rpc r;

	assert_int_equal(rpc_open(&r, "/nonexistent-dir/control.sock", &e), RPC_ERR_UNREACHABLE);
	assert_non_null(strstr(e.msg, "/nonexistent-dir/control.sock"));
	rpc_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reply_ok),
	        cmocka_unit_test(test_reply_error),
	        cmocka_unit_test(test_notification),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_embedded_nul),
	        cmocka_unit_test_setup_teardown(test_call_round_trip, server_setup,
	                                        server_teardown),
	        cmocka_unit_test_setup_teardown(test_read_lines, server_setup, server_teardown),
	        cmocka_unit_test_setup_teardown(test_line_too_long, server_setup, server_teardown),
	        cmocka_unit_test_setup_teardown(test_call_deadline, server_setup, server_teardown),
	        cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests_name("ctl_rpc", tests, NULL, NULL);
}
