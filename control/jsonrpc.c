/*
 * Strict JSON-RPC 2.0 request parsing (https://www.jsonrpc.org/specification)
 * for docs/API.md. Everything here comes from a local client that may be any
 * user: every member is checked, nothing unknown is ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "jsonrpc.h"

/* Which params a method takes. */
enum rpc_params {
	RPC_P_NONE,          /* absent, {} or [] */
	RPC_P_ROUTER,        /* {"router": NAME or IPv4} */
	RPC_P_OPT_ROUTER_V4, /* none, or {"router": IPv4} */
};

static const struct {
	const char *name;
	bool privileged;
	enum rpc_params params;
} rpc_methods[RPC_METHOD_COUNT] = {
        [RPC_STATUS] = {"status", false, RPC_P_NONE},
        [RPC_ROUTERS_LIST] = {"routers.list", false, RPC_P_NONE},
        [RPC_ROUTERS_ADD] = {"routers.add", true, RPC_P_ROUTER},
        [RPC_ROUTERS_REMOVE] = {"routers.remove", true, RPC_P_ROUTER},
        [RPC_PRL_REFRESH] = {"prl.refresh", true, RPC_P_NONE},
        [RPC_SOLICIT] = {"solicit", true, RPC_P_OPT_ROUTER_V4},
        [RPC_STATS] = {"stats", false, RPC_P_NONE},
        [RPC_SUBSCRIBE] = {"subscribe", false, RPC_P_NONE},
};

const char *
rpc_method_name(enum rpc_method m)
{
	return (unsigned)m < RPC_METHOD_COUNT ? rpc_methods[m].name : "invalid";
}

bool
rpc_method_privileged(enum rpc_method m)
{
	return (unsigned)m < RPC_METHOD_COUNT ? rpc_methods[m].privileged : true;
}

void
rpc_req_free(struct rpc_req *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

/* JSON-RPC 2.0 §4: an id is a string, a number or null. We also refuse
 * fractional numbers, which the specification discourages. */
static bool
rpc_id_valid(const json_t *id)
{
	return json_is_string(id) || json_is_integer(id) || json_is_null(id);
}

static int
rpc_check_params(struct rpc_req *req, const char **msg)
{
	enum rpc_params kind = rpc_methods[req->method].params;
	json_t *p = req->params;
	const char *key;
	json_t *v;

	if (p == NULL || (json_is_array(p) && json_array_size(p) == 0)) {
		p = json_object();
		if (p == NULL) {
			*msg = "out of memory";
			return RPC_INTERNAL_ERROR;
		}
		/* Owned by root from here, so it is freed with it. */
		if (json_object_set_new(req->root, "params", p) < 0) {
			*msg = "out of memory";
			return RPC_INTERNAL_ERROR;
		}
		req->params = p;
	}
	if (!json_is_object(p)) {
		*msg = "params must be an object";
		return RPC_INVALID_PARAMS;
	}
	json_object_foreach(p, key, v)
	{
		if (kind == RPC_P_NONE || strcmp(key, "router") != 0) {
			*msg = "unknown param";
			return RPC_INVALID_PARAMS;
		}
		if (!json_is_string(v)) {
			*msg = "router must be a string";
			return RPC_INVALID_PARAMS;
		}
		req->router = json_string_value(v);
	}
	if (kind == RPC_P_ROUTER && req->router == NULL) {
		*msg = "missing param router";
		return RPC_INVALID_PARAMS;
	}
	if (req->router != NULL) {
		struct in_addr a;
		bool v4 = addr_parse4(req->router, &a);

		if (kind == RPC_P_OPT_ROUTER_V4 && !v4) {
			*msg = "router must be an IPv4 address";
			return RPC_INVALID_PARAMS;
		}
		if ((v4 && addr_v4_is_bogus(a)) || (!v4 && !conf_valid_hostname(req->router))) {
			*msg = "router is neither a unicast IPv4 address nor a host name";
			return RPC_INVALID_PARAMS;
		}
	}
	return 0;
}

int
rpc_parse(const char *line, size_t len, struct rpc_req *req, const char **msg)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key, *method = NULL;
	bool have_version = false;

	memset(req, 0, sizeof(*req));
	if (len > RPC_LINE_MAX) {
		*msg = "request line too long";
		return RPC_INVALID_REQUEST;
	}
	/* No NUL inside strings: names and addresses are C strings from here. */
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		*msg = "parse error";
		return RPC_PARSE_ERROR;
	}
	req->root = root;
	if (!json_is_object(root)) {
		/* Batches (arrays) are not supported: one request per line. */
		*msg = "request must be one JSON object";
		return RPC_INVALID_REQUEST;
	}
	/* Take the id first, so that every later error can quote it. */
	v = json_object_get(root, "id");
	if (v != NULL && rpc_id_valid(v))
		req->id = v;
	req->notification = v == NULL;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "jsonrpc") == 0) {
			if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
				*msg = "jsonrpc must be \"2.0\"";
				return RPC_INVALID_REQUEST;
			}
			have_version = true;
		} else if (strcmp(key, "method") == 0) {
			if (!json_is_string(v)) {
				*msg = "method must be a string";
				return RPC_INVALID_REQUEST;
			}
			method = json_string_value(v);
		} else if (strcmp(key, "params") == 0) {
			req->params = v;
		} else if (strcmp(key, "id") == 0) {
			if (!rpc_id_valid(v)) {
				*msg = "id must be a string, an integer or null";
				return RPC_INVALID_REQUEST;
			}
		} else {
			*msg = "unknown member";
			return RPC_INVALID_REQUEST;
		}
	}
	if (!have_version || method == NULL) {
		*msg = have_version ? "missing method" : "missing jsonrpc";
		return RPC_INVALID_REQUEST;
	}
	for (req->method = 0; req->method < RPC_METHOD_COUNT; req->method++)
		if (strcmp(method, rpc_methods[req->method].name) == 0)
			break;
	if (req->method == RPC_METHOD_COUNT) {
		*msg = "method not found";
		return RPC_METHOD_NOT_FOUND;
	}
	return rpc_check_params(req, msg);
}

static char *
rpc_dump(json_t *obj, size_t *len)
{
	char *s, *line;
	size_t n;

	if (obj == NULL)
		return NULL;
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

char *
rpc_encode_result(json_t *id, json_t *result, size_t *len)
{
	if (result == NULL)
		return NULL;
	return rpc_dump(json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0", "result", result, "id",
	                          id ? id : json_null()),
	                len);
}

char *
rpc_encode_error(json_t *id, int code, const char *message, size_t *len)
{
	return rpc_dump(json_pack("{s:s, s:{s:i, s:s}, s:O}", "jsonrpc", "2.0", "error", "code",
	                          code, "message", message, "id", id ? id : json_null()),
	                len);
}

char *
rpc_encode_notification(const char *method, json_t *params, size_t *len)
{
	if (params == NULL)
		return NULL;
	return rpc_dump(
	        json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params),
	        len);
}
