/*
 * The API methods (docs/API.md "Methods"). api.c has already parsed the
 * request strictly and checked the caller's permission for the methods
 * that change state; each method here maps onto one core entry point.
 */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "control.h"
#include "log.h"

static int
m_errno(int r, const char **msg)
{
	switch (r) {
	case -EINVAL:
		*msg = "invalid router";
		return RPC_INVALID_PARAMS;
	case -EEXIST:
		*msg = "router already in the list";
		return RPC_INVALID_PARAMS;
	case -ENOENT:
		*msg = "no such router";
		return RPC_INVALID_PARAMS;
	case -ENOSPC:
		*msg = "router list full";
		return RPC_LIMIT_REACHED;
	default:
		*msg = "internal error";
		return RPC_INTERNAL_ERROR;
	}
}

static int
m_solicit(struct ctl *ctl, const struct rpc_req *req, json_t **result, const char **msg)
{
	struct in_addr router = {0}, out[CORE_ROUTERS_MAX];
	char b[ADDR4_STRLEN];
	json_t *arr;
	int n;

	/* An RS needs the datapath to go out (docs/API.md: -32001). */
	if (dplink_get_state(ctl->dl) != DPLINK_READY) {
		*msg = "datapath not connected";
		return RPC_DP_DISCONNECTED;
	}
	if (req->router != NULL && !addr_parse4(req->router, &router)) {
		*msg = "router must be an IPv4 address";
		return RPC_INVALID_PARAMS;
	}
	n = core_solicit(ctl->core, ctl_now(ctl), router, out, CORE_ROUTERS_MAX);
	if (n < 0)
		return m_errno(n, msg);
	arr = json_array();
	for (int i = 0; i < n && i < CORE_ROUTERS_MAX; i++)
		json_array_append_new(arr, json_string(addr_fmt4(out[i], b)));
	*result = json_pack("{s:o}", "solicited", arr);
	return 0;
}

static int
ctl_api_call(void *arg, const struct rpc_req *req, const struct api_peer *peer, json_t **result,
             const char **msg)
{
	struct ctl *ctl = arg;
	uint64_t now = ctl_now(ctl);
	int r = 0;

	*result = NULL;
	switch (req->method) {
	case RPC_STATUS:
		*result = status_json(ctl);
		break;
	case RPC_ROUTERS_LIST:
		*result = json_pack("{s:o}", "routers", status_routers_json(ctl));
		break;
	case RPC_ROUTERS_ADD:
	case RPC_ROUTERS_REMOVE: {
		bool add = req->method == RPC_ROUTERS_ADD;

		r = add ? core_router_add(ctl->core, now, req->router)
		        : core_router_remove(ctl->core, now, req->router);
		if (r < 0)
			return m_errno(r, msg);
		log_info("api: uid %lu %s router %s", (unsigned long)peer->uid,
		         add ? "added" : "removed", req->router);
		*result = json_pack("{s:b}", add ? "added" : "removed", 1);
		break;
	}
	case RPC_PRL_REFRESH:
		core_prl_refresh(ctl->core, now);
		*result = json_pack("{s:b}", "refreshing", 1);
		break;
	case RPC_SOLICIT:
		r = m_solicit(ctl, req, result, msg);
		if (r != 0)
			return r;
		break;
	case RPC_STATS:
		*result = json_pack("{s:i, s:o}", "version", 1, "counters",
		                    status_counters_json(ctl, true));
		break;
	case RPC_SUBSCRIBE:
		*result = json_pack("{s:b}", "subscribed", 1);
		break;
	default:
		*msg = "method not found";
		return RPC_METHOD_NOT_FOUND;
	}
	/* A change queues work for the core's outputs. */
	ctl_run_core(ctl);
	if (*result == NULL) {
		*msg = "out of memory";
		return RPC_INTERNAL_ERROR;
	}
	return 0;
}

const struct api_ops ctl_api_ops = {
        .call = ctl_api_call,
};
