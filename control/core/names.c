/*
 * Enum name tables. These names are the vocabulary of logs, `status` and
 * the event stream (docs/API.md); they never change within a schema version.
 */
#include "core_int.h"

#define NAME_OF(table, i, count) ((unsigned)(i) < (count) && (table)[i] ? (table)[i] : "invalid")

static const char *const locator_source_names[CORE_LOC_SOURCE_COUNT] = {
        [CORE_LOC_NONE] = "none",
        [CORE_LOC_AUTO] = "auto",
        [CORE_LOC_INTERFACE] = "interface",
        [CORE_LOC_STATIC] = "static",
};

static const char *const nd_verdict_names[CORE_ND_VERDICT_COUNT] = {
        [CORE_ND_RA_ACCEPTED] = "ra_accepted",
        [CORE_ND_REDIRECT_ACCEPTED] = "redirect_accepted",
        [CORE_ND_NOT_FROM_PRL] = "not_from_prl",
        [CORE_ND_PARSE_ERROR] = "parse_error",
        [CORE_ND_IGNORED_TYPE] = "ignored_type",
        [CORE_ND_REDIRECT_NOT_FIRST_HOP] = "redirect_not_first_hop",
        [CORE_ND_REDIRECT_TARGET_UNUSABLE] = "redirect_target_unusable",
};

static const char *const event_names[CORE_EV_COUNT] = {
        [CORE_EV_ROUTER_UP] = "router_up",
        [CORE_EV_ROUTER_DOWN] = "router_down",
        [CORE_EV_DEFAULT_ROUTER_CHANGED] = "default_router_changed",
        [CORE_EV_ADDRESS_ADDED] = "address_added",
        [CORE_EV_ADDRESS_DEPRECATED] = "address_deprecated",
        [CORE_EV_ADDRESS_REMOVED] = "address_removed",
        [CORE_EV_LOCATOR_CHANGED] = "locator_changed",
        [CORE_EV_PRL_CHANGED] = "prl_changed",
        [CORE_EV_DATAPATH_CONNECTED] = "datapath_connected",
        [CORE_EV_DATAPATH_DISCONNECTED] = "datapath_disconnected",
};

static const char *const down_reason_names[CORE_DOWN_REASON_COUNT] = {
        [CORE_DOWN_LIFETIME_EXPIRED] = "lifetime_expired",
        [CORE_DOWN_UNREACHABLE] = "unreachable",
        [CORE_DOWN_REMOVED] = "removed",
        [CORE_DOWN_NO_SUCH_NAME] = "no_such_name",
};

static const char *const origin_names[CORE_ORIGIN_COUNT] = {
        [CORE_ORIGIN_STATIC] = "static",
        [CORE_ORIGIN_DNS] = "dns",
        [CORE_ORIGIN_DATAPATH] = "datapath",
};

static const char *const router_state_names[CORE_RTR_STATE_COUNT] = {
        [CORE_RTR_PROBING] = "probing",
        [CORE_RTR_REACHABLE] = "reachable",
        [CORE_RTR_UNREACHABLE] = "unreachable",
        [CORE_RTR_NOT_DEFAULT] = "not_default",
};

static const char *const addr_state_names[CORE_ADDR_STATE_COUNT] = {
        [CORE_ADDR_PREFERRED] = "preferred",
        [CORE_ADDR_DEPRECATED] = "deprecated",
        [CORE_ADDR_REMOVING] = "removing",
};

static const char *const route_origin_names[CORE_ROUTE_ORIGIN_COUNT] = {
        [CORE_ROUTE_DEFAULT] = "default",
        [CORE_ROUTE_RIO] = "rio",
        [CORE_ROUTE_REDIRECT] = "redirect",
};

static const char *const counter_names[CORE_C_COUNT] = {
        [CORE_C_RS_SENT] = "rs_sent",
        [CORE_C_RA_ACCEPTED] = "ra_accepted",
        [CORE_C_REDIRECT_ACCEPTED] = "redirect_accepted",
        [CORE_C_ND_NOT_FROM_PRL] = "nd_not_from_prl",
        [CORE_C_ND_PARSE_ERROR] = "nd_parse_error",
        [CORE_C_ND_IGNORED_TYPE] = "nd_ignored_type",
        [CORE_C_REDIRECT_NOT_FIRST_HOP] = "redirect_not_first_hop",
        [CORE_C_REDIRECT_TARGET_UNUSABLE] = "redirect_target_unusable",
        [CORE_C_PIO_BAD_PLEN] = "pio_bad_plen",
        [CORE_C_PIO_LINKLOCAL] = "pio_linklocal",
        [CORE_C_PIO_BAD_LIFETIMES] = "pio_bad_lifetimes",
        [CORE_C_TWO_HOUR_RULE] = "two_hour_rule",
        [CORE_C_MTU_OUT_OF_RANGE] = "mtu_out_of_range",
        [CORE_C_RIO_BAD] = "rio_bad",
        [CORE_C_TABLE_FULL] = "table_full",
        [CORE_C_DNS_FAILURES] = "dns_failures",
        [CORE_C_ACTION_OVERFLOW] = "action_overflow",
        [CORE_C_DP_REFUSED] = "dp_refused",
        [CORE_C_DP_RESYNCS] = "dp_resyncs",
        [CORE_C_RA_PARAM_BAD] = "ra_param_bad",
        [CORE_C_NUD_PROBES] = "nud_probes",
        [CORE_C_NUD_UNREACHABLE] = "nud_unreachable",
        [CORE_C_DNS_NO_SUCH_NAME] = "dns_no_such_name",
};

static const char *const name_state_names[CORE_NAME_STATE_COUNT] = {
        [CORE_NAME_PENDING] = "pending",
        [CORE_NAME_RESOLVED] = "resolved",
        [CORE_NAME_NO_SUCH_NAME] = "no_such_name",
        [CORE_NAME_FAILING] = "failing",
};

const char *
core_locator_source_name(enum core_locator_source s)
{
	return NAME_OF(locator_source_names, s, CORE_LOC_SOURCE_COUNT);
}

const char *
core_nd_verdict_name(enum core_nd_verdict v)
{
	return NAME_OF(nd_verdict_names, v, CORE_ND_VERDICT_COUNT);
}

const char *
core_event_name(enum core_event_type t)
{
	return NAME_OF(event_names, t, CORE_EV_COUNT);
}

const char *
core_down_reason_name(enum core_down_reason r)
{
	return NAME_OF(down_reason_names, r, CORE_DOWN_REASON_COUNT);
}

const char *
core_router_origin_name(enum core_router_origin o)
{
	return NAME_OF(origin_names, o, CORE_ORIGIN_COUNT);
}

const char *
core_router_state_name(enum core_router_state s)
{
	return NAME_OF(router_state_names, s, CORE_RTR_STATE_COUNT);
}

const char *
core_addr_state_name(enum core_addr_state s)
{
	return NAME_OF(addr_state_names, s, CORE_ADDR_STATE_COUNT);
}

const char *
core_route_origin_name(enum core_route_origin o)
{
	return NAME_OF(route_origin_names, o, CORE_ROUTE_ORIGIN_COUNT);
}

const char *
core_name_state_name(enum core_name_state st)
{
	return NAME_OF(name_state_names, st, CORE_NAME_STATE_COUNT);
}

const char *
core_counter_name(enum core_counter i)
{
	return NAME_OF(counter_names, i, CORE_C_COUNT);
}

const char *
core_pref_name(int8_t pref)
{
	/* RFC 4191 §2.2: the reserved value is treated as medium. */
	if (pref > 0 && pref != ND_PREF_INVALID)
		return "high";
	if (pref < 0)
		return "low";
	return "medium";
}
