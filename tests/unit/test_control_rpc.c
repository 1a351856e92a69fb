/* control/jsonrpc.c: strict JSON-RPC 2.0 request validation (docs/API.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/jsonrpc.h"

static int
parse(const char *line, struct rpc_req *req, const char **msg)
{
	return rpc_parse(line, strlen(line), req, msg);
}

static void
test_valid(void **state)
{
	static const struct {
		const char *line;
		enum rpc_method m;
		const char *router;
		bool notification;
	} cases[] = {
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}", RPC_STATUS, NULL, false},
	        {"{\"id\":\"a\",\"method\":\"routers.list\",\"jsonrpc\":\"2.0\",\"params\":{}}",
	         RPC_ROUTERS_LIST, NULL, false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":"
	         "\"isatap.example.test\"},\"id\":null}",
	         RPC_ROUTERS_ADD, "isatap.example.test", false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.remove\",\"params\":{\"router\":"
	         "\"192.0.2.254\"},\"id\":2}",
	         RPC_ROUTERS_REMOVE, "192.0.2.254", false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"prl.refresh\",\"params\":[],\"id\":3}",
	         RPC_PRL_REFRESH, NULL, false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"solicit\",\"id\":4}", RPC_SOLICIT, NULL, false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"solicit\",\"params\":{\"router\":\"192.0.2."
	         "254\"},"
	         "\"id\":5}",
	         RPC_SOLICIT, "192.0.2.254", false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"stats\",\"id\":6}", RPC_STATS, NULL, false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"subscribe\"}", RPC_SUBSCRIBE, NULL, true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpc_req req;
		const char *msg = NULL;
		int r = parse(cases[i].line, &req, &msg);

		if (r != 0)
			fail_msg("case %zu: %d %s", i, r, msg);
		assert_int_equal(req.method, cases[i].m);
		assert_true(json_is_object(req.params));
		assert_int_equal(req.notification, cases[i].notification);
		if (cases[i].router)
			assert_string_equal(req.router, cases[i].router);
		else
			assert_null(req.router);
		rpc_req_free(&req);
	}
}

static void
test_invalid(void **state)
{
	static const struct {
		const char *line;
		int code;
		bool has_id; /* the error reply can quote the id */
	} cases[] = {
	        {"", RPC_PARSE_ERROR, false},
	        {"{", RPC_PARSE_ERROR, false},
	        {"not json", RPC_PARSE_ERROR, false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1} {}", RPC_PARSE_ERROR, false},
	        /* duplicate keys */
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"method\":\"stats\",\"id\":1}",
	         RPC_PARSE_ERROR, false},
	        {"[{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}]", RPC_INVALID_REQUEST,
	         false},
	        {"42", RPC_INVALID_REQUEST, false},
	        {"{\"method\":\"status\",\"id\":1}", RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":\"1.0\",\"method\":\"status\",\"id\":1}", RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":2.0,\"method\":\"status\",\"id\":1}", RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":\"2.0\",\"id\":1}", RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":7,\"id\":1}", RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1.5}", RPC_INVALID_REQUEST,
	         false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":{}}", RPC_INVALID_REQUEST,
	         false},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1,\"extra\":0}",
	         RPC_INVALID_REQUEST, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"reboot\",\"id\":1}", RPC_METHOD_NOT_FOUND,
	         true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"Status\",\"id\":1}", RPC_METHOD_NOT_FOUND,
	         true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":{\"x\":1},\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":[1],\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":null,\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"id\":1}", RPC_INVALID_PARAMS,
	         true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":1},\"id\":"
	         "1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":\"a b\"},"
	         "\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":"
	         "\"127.0.0.1\"},\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":"
	         "\"isatap\","
	         "\"force\":true},\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"solicit\",\"params\":{\"router\":\"isatap\"},"
	         "\"id\":1}",
	         RPC_INVALID_PARAMS, true},
	        /* a NUL inside a string would cut names short */
	        {"{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":"
	         "\"a\\u0000b\"},\"id\":1}",
	         RPC_PARSE_ERROR, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpc_req req;
		const char *msg = NULL;
		int r = parse(cases[i].line, &req, &msg);

		if (r != cases[i].code)
			fail_msg("case %zu (%s): got %d (%s)", i, cases[i].line, r, msg);
		assert_non_null(msg);
		assert_int_equal(req.id != NULL, cases[i].has_id);
		rpc_req_free(&req);
	}
}

static void
test_line_cap(void **state)
{
	size_t len = RPC_LINE_MAX + 1;
	char *line = malloc(len);
	struct rpc_req req;
	const char *msg;

	(void)state;
	assert_non_null(line);
	memset(line, ' ', len);
	assert_int_equal(rpc_parse(line, len, &req, &msg), RPC_INVALID_REQUEST);
	rpc_req_free(&req);
	free(line);
}

static void
test_privileged(void **state)
{
	(void)state;
	assert_false(rpc_method_privileged(RPC_STATUS));
	assert_false(rpc_method_privileged(RPC_ROUTERS_LIST));
	assert_false(rpc_method_privileged(RPC_STATS));
	assert_false(rpc_method_privileged(RPC_SUBSCRIBE));
	assert_true(rpc_method_privileged(RPC_ROUTERS_ADD));
	assert_true(rpc_method_privileged(RPC_ROUTERS_REMOVE));
	assert_true(rpc_method_privileged(RPC_PRL_REFRESH));
	assert_true(rpc_method_privileged(RPC_SOLICIT));
	assert_true(rpc_method_privileged(RPC_METHOD_COUNT));
}

static void
test_encode(void **state)
{
	size_t len = 0;
	char *s;
	json_t *id = json_integer(7);

	(void)state;
	s = rpc_encode_result(id, json_pack("{s:b}", "added", 1), &len);
	assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"result\":{\"added\":true},\"id\":7}\n");
	assert_int_equal(len, strlen(s));
	free(s);
	s = rpc_encode_error(NULL, RPC_NOT_PERMITTED, "not permitted", &len);
	assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"not "
	                       "permitted\"},\"id\":null}\n");
	free(s);
	s = rpc_encode_notification("event", json_pack("{s:s}", "event", "router_up"), &len);
	assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"event\":"
	                       "\"router_up\"}}\n");
	free(s);
	assert_null(rpc_encode_result(id, NULL, &len));
	json_decref(id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),    cmocka_unit_test(test_invalid),
	        cmocka_unit_test(test_line_cap), cmocka_unit_test(test_privileged),
	        cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
