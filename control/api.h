/*
 * The JSON-RPC API server (docs/API.md) on a UNIX stream socket: clients,
 * line framing, bounded queues, peer credentials. The methods themselves are
 * the glue's (control.c), reached through struct api_ops.
 */
#ifndef ISATAP_CONTROL_API_H
#define ISATAP_CONTROL_API_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "jsonrpc.h"
#include "peercred.h"

#define API_CLIENTS_MAX   64
#define API_OUT_QUEUE_MAX (256 * 1024) /* bytes queued for one client */
#define API_SOCKET_MODE   0666         /* reads for all; changes checked per method */
/*
 * A local user who may read must not be able to lock root or the API group
 * out (review finding 16): API_CLIENTS_RESERVED of the slots are only ever
 * given to privileged peers, one unprivileged uid holds at most
 * API_CLIENTS_PER_UID, and a connection that has sent no complete request
 * for API_IDLE_TIMEOUT_MS (since it connected, or since its last request,
 * unless it subscribed) is closed.
 */
#define API_CLIENTS_RESERVED 16
#define API_CLIENTS_PER_UID  8
#define API_IDLE_TIMEOUT_MS  15000

struct api_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool privileged; /* uid 0, or a member of the API group */
};

struct api_ops {
	/*
	 * Runs a validated and permitted request. Returns 0 with *result set
	 * (ownership passes to the caller), or a JSON-RPC error code with *msg.
	 * For RPC_SUBSCRIBE the server marks the client itself.
	 */
	int (*call)(void *ctx, const struct rpc_req *req, const struct api_peer *peer,
	            json_t **result, const char **msg);
};

struct api_counters {
	uint64_t accepted, refused_full, requests, errors, too_long, slow_dropped, notifications;
	uint64_t refused_uid;   /* over API_CLIENTS_PER_UID */
	uint64_t idle_closed;   /* no complete request within the idle timeout */
	uint64_t cred_failures; /* peer credentials unreadable: served as nobody */
};

struct api;

/* Binds and listens on path (a stale socket is replaced, a live one is
 * not: -EADDRINUSE). Returns 0 or a negative errno. */
int api_open(uv_loop_t *loop, const char *path, const struct api_ops *ops, void *ctx,
             struct api **out);

/* Makes path free for api_open(): removes a stale socket file; -EADDRINUSE
 * when a daemon answers on it, -EEXIST when it is not a socket. */
int api_clear_stale(const char *path);

/* Who may change state besides root: a group id, or none. Applies to the
 * clients already connected as well. */
void api_set_group(struct api *api, bool have_group, gid_t gid);

/* Sends a notification (docs/API.md "Notifications") to every subscriber;
 * params is stolen. A subscriber whose queue is full is disconnected. */
void api_notify(struct api *api, json_t *params);

size_t api_n_clients(const struct api *api);
const struct api_counters *api_get_counters(const struct api *api);

/* Closes the listener and every client and unlinks the socket; the memory
 * goes with the last close callback, so run the loop afterwards. */
void api_close(struct api *api);

/* Exposed for tests: whether the peer may change state given the group,
 * from its own credentials (common/peercred.h), with no NSS look-up. */
bool api_peer_privileged(const struct peercred *c, bool have_group, gid_t group);

/* Exposed for tests: whether one more client is admitted when n_total are
 * held, n_unprivileged of them by unprivileged peers and n_same_uid by the
 * newcomer's uid. */
enum api_admit {
	API_ADMIT_OK = 0,
	API_ADMIT_FULL,      /* every slot, or every slot an unprivileged peer may take */
	API_ADMIT_UID_LIMIT, /* this uid holds API_CLIENTS_PER_UID already */
};
enum api_admit api_admit(size_t n_total, size_t n_unprivileged, size_t n_same_uid, bool privileged);

/* The idle timeout, API_IDLE_TIMEOUT_MS unless a test says otherwise. */
void api_set_idle_timeout(struct api *api, uint64_t ms);

#endif
