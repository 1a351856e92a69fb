/*
 * A blocking JSON-RPC 2.0 client for isatap-control's UNIX socket: one
 * compact object per line each way (docs/API.md). Everything the daemon
 * sends is checked before use: a reply that is not exactly a JSON-RPC
 * response to our request is an error, never a crash.
 */
#ifndef ISATAP_CTL_RPC_H
#define ISATAP_CTL_RPC_H

#include <jansson.h>
#include <stddef.h>

#define RPC_LINE_MAX   (1024 * 1024) /* a status with every table full is ~60 KiB */
#define RPC_TIMEOUT_MS 10000         /* a reply later than this means a stuck daemon */
#define RPC_ERRLEN     256

/* JSON-RPC 2.0 §5.1 codes, and the daemon's own (docs/API.md). */
#define RPC_E_PARSE         (-32700)
#define RPC_E_INVALID_REQ   (-32600)
#define RPC_E_NO_METHOD     (-32601)
#define RPC_E_INVALID_PARAM (-32602)
#define RPC_E_INTERNAL      (-32603)
#define RPC_E_NOT_PERMITTED (-32000)
#define RPC_E_NO_DATAPATH   (-32001)
#define RPC_E_LIMIT         (-32002)

enum rpc_status {
	RPC_OK = 0,
	RPC_ERR_REMOTE,      /* the daemon answered with a JSON-RPC error */
	RPC_ERR_MALFORMED,   /* the daemon sent something that is not a valid reply */
	RPC_ERR_IO,          /* the connection failed, closed or timed out */
	RPC_ERR_UNREACHABLE, /* connect() failed */
};

struct rpc {
	int fd;
	const char *path;
	long long next_id;
	char *buf;      /* bytes received and not yet consumed */
	size_t len;     /* bytes in buf */
	size_t cap;     /* size of buf */
	size_t used;    /* bytes of the line last handed out, dropped on the next read */
	int timeout_ms; /* for a reply: RPC_TIMEOUT_MS, shorter in tests */
};

/* A failure, in words for stderr, and the daemon's error code when remote. */
struct rpc_error {
	int code;
	char msg[RPC_ERRLEN];
};

/* Connects to the socket at path. RPC_OK or RPC_ERR_UNREACHABLE. */
enum rpc_status rpc_open(struct rpc *r, const char *path, struct rpc_error *e);
void rpc_close(struct rpc *r);

/*
 * Sends one request (params is stolen; NULL sends none) and waits up to
 * r->timeout_ms (RPC_TIMEOUT_MS) for its reply, however many other lines
 * arrive meanwhile; they are skipped. On RPC_OK *result holds the result
 * object (the caller owns it).
 */
enum rpc_status rpc_call(struct rpc *r, const char *method, json_t *params, json_t **result,
                         struct rpc_error *e);

/* Sends a request and returns without waiting (for subscribe). */
enum rpc_status rpc_send(struct rpc *r, const char *method, json_t *params, long long *id,
                         struct rpc_error *e);

/*
 * Reads the next line, waiting at most timeout_ms (-1: for ever). On RPC_OK
 * *line points into the client's buffer, NUL-terminated, valid until the
 * next read.
 */
enum rpc_status rpc_read_line(struct rpc *r, int timeout_ms, const char **line, size_t *len,
                              struct rpc_error *e);

/* What one line from the daemon is. */
enum rpc_kind {
	RPC_KIND_REPLY,        /* a response to request `id` */
	RPC_KIND_NOTIFICATION, /* a notification: *out is its params object */
	RPC_KIND_OTHER_REPLY,  /* a well-formed response with another id */
};

/*
 * Classifies and checks one line (pure, for tests and fuzzing). For a reply
 * to `id`: RPC_OK with *out the result object, or RPC_ERR_REMOTE with the
 * error in *e. A reply whose id is null counts as ours when it carries an
 * error (JSON-RPC 2.0 §5: the server could not read our id). Anything else
 * that is not valid JSON-RPC 2.0 is RPC_ERR_MALFORMED.
 */
enum rpc_status rpc_parse_line(const char *line, size_t len, long long id, enum rpc_kind *kind,
                               json_t **out, struct rpc_error *e);

#endif
