/*
 * JSON-RPC 2.0 framing for the control API (docs/API.md): strict parsing of
 * one request line, the method table with the params each method allows,
 * and the encoding of replies and notifications. No I/O: api.c moves the
 * bytes, control.c implements the methods.
 */
#ifndef ISATAP_CONTROL_JSONRPC_H
#define ISATAP_CONTROL_JSONRPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* JSON-RPC 2.0 §5.1 codes, and ours (docs/API.md). */
#define RPC_PARSE_ERROR      -32700
#define RPC_INVALID_REQUEST  -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS   -32602
#define RPC_INTERNAL_ERROR   -32603
#define RPC_NOT_PERMITTED    -32000
#define RPC_DP_DISCONNECTED  -32001
#define RPC_LIMIT_REACHED    -32002

#define RPC_LINE_MAX (64 * 1024) /* bytes of one request, newline excluded */

enum rpc_method {
	RPC_STATUS = 0,
	RPC_ROUTERS_LIST,
	RPC_ROUTERS_ADD,
	RPC_ROUTERS_REMOVE,
	RPC_PRL_REFRESH,
	RPC_SOLICIT,
	RPC_STATS,
	RPC_SUBSCRIBE,
	RPC_METHOD_COUNT
};
const char *rpc_method_name(enum rpc_method m);
/* True for methods that change state: uid 0 or the API group only. */
bool rpc_method_privileged(enum rpc_method m);

struct rpc_req {
	enum rpc_method method;
	json_t *id;         /* borrowed from root; NULL for a notification */
	json_t *params;     /* borrowed; an object (possibly empty), never NULL after success */
	json_t *root;       /* owned: rpc_req_free() */
	const char *router; /* the "router" param where the method takes one, or NULL */
	bool notification;  /* no "id" member: JSON-RPC 2.0 §4.1, never answered */
};

/*
 * Parses and validates one request line (without its newline). On success
 * returns 0 and fills req. On failure returns the JSON-RPC error code, sets
 * *msg to a static reason, and req->id to the request's id when it could be
 * read (so the error reply can carry it), else NULL; req->root is then
 * owned too and must be freed.
 */
int rpc_parse(const char *line, size_t len, struct rpc_req *req, const char **msg);
void rpc_req_free(struct rpc_req *req);

/*
 * Encodes a reply as one compact line ending in '\n', into a malloc'ed
 * buffer (*len bytes). result is stolen. NULL on allocation failure.
 */
char *rpc_encode_result(json_t *id, json_t *result, size_t *len);
char *rpc_encode_error(json_t *id, int code, const char *message, size_t *len);
/* A notification {"jsonrpc":"2.0","method":method,"params":params}; params stolen. */
char *rpc_encode_notification(const char *method, json_t *params, size_t *len);

#endif
