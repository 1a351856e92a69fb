/*
 * The subcommands: each calls one API method (docs/API.md) and prints its
 * result, readable or as JSON. Exit statuses are those of ctl.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ctl.h"
#include "doctor.h"
#include "fmt.h"
#include "rpc.h"
#include "show.h"

#define ERR(...) fprintf(stderr, "isatapctl: " __VA_ARGS__)

/* What an RPC failure means for the exit status. */
static int
cmd_rpc_failed(const char *what, enum rpc_status st, const struct rpc_error *e)
{
	switch (st) {
	case RPC_OK:
		return CTL_EXIT_OK;
	case RPC_ERR_REMOTE:
		ERR("%s: %s (error %d)%s\n", what, e->msg, e->code,
		    e->code == RPC_E_NOT_PERMITTED
		            ? ": changes need root or the API group (isatap-control -G)"
		            : "");
		return CTL_EXIT_FAIL;
	case RPC_ERR_MALFORMED:
		ERR("%s: %s\n", what, e->msg);
		return CTL_EXIT_FAIL;
	case RPC_ERR_IO:
	case RPC_ERR_UNREACHABLE:
		/* Refused, gone, or not answering: the service is unavailable. */
		ERR("%s\n", e->msg);
		return CTL_EXIT_UNREACHABLE;
	}
	return CTL_EXIT_FAIL;
}

/* One request, one reply. On CTL_EXIT_OK *result is the result object. */
static int
cmd_call(const struct ctl_opts *o, const char *method, json_t *params, json_t **result)
{
	struct rpc_error e;
	enum rpc_status st;
	struct rpc r;

	*result = NULL;
	st = rpc_open(&r, o->socket, &e);
	if (st == RPC_OK)
		st = rpc_call(&r, method, params, result, &e);
	else
		json_decref(params);
	rpc_close(&r);
	return cmd_rpc_failed(method, st, &e);
}

/* The end of every command's output: a write error is a failure. */
static int
cmd_flush(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			ERR("standard output: %s\n", strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return rc;
}

/* Prints a result: the object itself with --json, else through show()
 * (NULL: the caller says it in words). */
static int
cmd_print(const struct ctl_opts *o, const json_t *res, void (*show)(FILE *, const json_t *))
{
	if (o->json != CTL_JSON_OFF)
		return show_json(stdout, res, o->json, isatty(STDOUT_FILENO)) == 0
		               ? cmd_flush(CTL_EXIT_OK)
		               : cmd_flush(CTL_EXIT_FAIL);
	if (show != NULL)
		show(stdout, res);
	return cmd_flush(CTL_EXIT_OK);
}

static int
cmd_show(const struct ctl_opts *o, const char *method, void (*show)(FILE *, const json_t *))
{
	json_t *res;
	int rc = cmd_call(o, method, NULL, &res);

	if (rc == CTL_EXIT_OK)
		rc = cmd_print(o, res, show);
	json_decref(res);
	return rc;
}

static int
cmd_status(const struct ctl_opts *o, int argc, const char *const argv[])
{
	return cmd_show(o, "status", show_status);
}

static int
cmd_routers(const struct ctl_opts *o, int argc, const char *const argv[])
{
	return cmd_show(o, "routers.list", show_routers);
}

static int
cmd_stats(const struct ctl_opts *o, int argc, const char *const argv[])
{
	return cmd_show(o, "stats", show_stats);
}

/*
 * A DNS host name as the daemon takes it (RFC 1123 section 2.1): labels of
 * letters, digits and hyphens, not starting or ending with a hyphen. The
 * daemon checks again; this catches typos with a usage message.
 */
static bool
cmd_valid_name(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && label > 0)))
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '-';
}

static int
cmd_router(const struct ctl_opts *o, int argc, const char *const argv[])
{
	const char *verb = argv[0], *router = argv[1], *method, *done;
	struct in_addr a;
	json_t *res;
	int rc;

	if (strcmp(verb, "add") == 0) {
		method = "routers.add";
		done = "added";
	} else if (strcmp(verb, "del") == 0 || strcmp(verb, "delete") == 0 ||
	           strcmp(verb, "remove") == 0) {
		method = "routers.remove";
		done = "removed";
	} else {
		ERR("router: unknown action '%.32s' (add or del)\n", verb);
		return CTL_EXIT_USAGE;
	}
	if (!addr_parse4(router, &a) && !cmd_valid_name(router)) {
		ERR("router %s: '%.64s' is neither an IPv4 address nor a host name\n", verb,
		    router);
		return CTL_EXIT_USAGE;
	}
	rc = cmd_call(o, method, json_pack("{s:s}", "router", router), &res);
	if (rc == CTL_EXIT_OK) {
		rc = cmd_print(o, res, NULL);
		if (o->json == CTL_JSON_OFF && rc == CTL_EXIT_OK)
			printf("%s %s\n", done, router);
	}
	json_decref(res);
	return cmd_flush(rc);
}

static int
cmd_refresh(const struct ctl_opts *o, int argc, const char *const argv[])
{
	json_t *res;
	int rc = cmd_call(o, "prl.refresh", NULL, &res);

	if (rc == CTL_EXIT_OK) {
		rc = cmd_print(o, res, NULL);
		if (o->json == CTL_JSON_OFF && rc == CTL_EXIT_OK)
			printf("refreshing the potential router list\n");
	}
	json_decref(res);
	return cmd_flush(rc);
}

static void
cmd_show_solicited(FILE *f, const json_t *res)
{
	const json_t *list = j_arr(res, "solicited"), *v;
	struct tbl t;
	size_t i;

	if (json_array_size(list) == 0) {
		fputs("no router to solicit\n", f);
		return;
	}
	tbl_init(&t, 2);
	json_array_foreach(list, i, v)
	{
		tbl_add(&t, "%s", i == 0 ? "solicited" : "");
		tbl_add(&t, "%s", json_is_string(v) ? json_string_value(v) : "?");
	}
	tbl_print(&t, f, "");
	tbl_free(&t);
}

static int
cmd_solicit(const struct ctl_opts *o, int argc, const char *const argv[])
{
	json_t *params = NULL, *res;
	struct in_addr a;
	int rc;

	if (argc == 1) {
		if (!addr_parse4(argv[0], &a)) {
			ERR("solicit: '%.64s' is not an IPv4 address\n", argv[0]);
			return CTL_EXIT_USAGE;
		}
		params = json_pack("{s:s}", "router", argv[0]);
	}
	rc = cmd_call(o, "solicit", params, &res);
	if (rc == CTL_EXIT_OK)
		rc = cmd_print(o, res, cmd_show_solicited);
	json_decref(res);
	return rc;
}

static int
cmd_monitor(const struct ctl_opts *o, int argc, const char *const argv[])
{
	struct rpc_error e;
	enum rpc_status st;
	struct rpc r;
	long long id;
	int rc = CTL_EXIT_OK;

	st = rpc_open(&r, o->socket, &e);
	if (st == RPC_OK)
		st = rpc_send(&r, "subscribe", NULL, &id, &e);
	while (st == RPC_OK) {
		enum rpc_kind kind;
		const char *line;
		size_t len;
		json_t *out;

		st = rpc_read_line(&r, -1, &line, &len, &e);
		if (st != RPC_OK)
			break;
		st = rpc_parse_line(line, len, id, &kind, &out, &e);
		if (st != RPC_OK || kind != RPC_KIND_NOTIFICATION || out == NULL) {
			json_decref(out); /* our subscribe reply, or one to ignore */
			continue;
		}
		/* One object per line, whatever the terminal: a stream to parse. */
		if (o->json != CTL_JSON_OFF)
			show_json(stdout, out, CTL_JSON_SHORT, false);
		else
			show_event(stdout, out);
		json_decref(out);
		if (fflush(stdout) != 0) {
			rc = cmd_flush(CTL_EXIT_FAIL);
			break;
		}
	}
	rpc_close(&r);
	if (rc != CTL_EXIT_OK)
		return rc;
	/* The stream only ends on an error: the daemon went away, or refused. */
	rc = cmd_rpc_failed("subscribe", st, &e);
	return rc == CTL_EXIT_UNREACHABLE && st == RPC_ERR_IO ? CTL_EXIT_FAIL : rc;
}

static int
cmd_doctor(const struct ctl_opts *o, int argc, const char *const argv[])
{
	struct doctor_report rep;
	json_t *st, *j;
	int rc = cmd_call(o, "status", NULL, &st);

	if (rc == CTL_EXIT_UNREACHABLE)
		ERR("is isatap-control running, and is %s its socket (-s, $%s)?\n", o->socket,
		    CTL_SOCKET_ENV);
	if (rc != CTL_EXIT_OK)
		return rc;
	doctor_run(st, &doctor_os_ops, &rep);
	json_decref(st);
	rc = doctor_healthy(&rep) ? CTL_EXIT_OK : CTL_EXIT_FAIL;
	if (o->json != CTL_JSON_OFF) {
		j = doctor_json(&rep);
		if (j == NULL || show_json(stdout, j, o->json, isatty(STDOUT_FILENO)) != 0)
			rc = CTL_EXIT_FAIL;
		json_decref(j);
	} else {
		doctor_print(stdout, &rep);
	}
	doctor_free(&rep);
	return cmd_flush(rc);
}

static int
cmd_help(const struct ctl_opts *o, int argc, const char *const argv[])
{
	ctl_usage(stdout);
	return cmd_flush(CTL_EXIT_OK);
}

static const struct ctl_cmd ctl_cmds[] = {
        {"status", "", "show the interface, addresses, routers and counters (the default)", 0, 0,
         cmd_status},
        {"routers", "", "list the potential router list with each router's state", 0, 0,
         cmd_routers},
        {"router", "add|del NAME|IPv4", "add a router to, or remove one from, the list", 2, 2,
         cmd_router},
        {"refresh", "", "resolve the router names again now", 0, 0, cmd_refresh},
        {"solicit", "[IPv4]", "send Router Solicitations now (to every router, or to one)", 0, 1,
         cmd_solicit},
        {"stats", "", "show every datapath counter", 0, 0, cmd_stats},
        {"monitor", "", "print events as they happen, until interrupted", 0, 0, cmd_monitor},
        {"doctor", "", "check the setup and explain what is wrong", 0, 0, cmd_doctor},
        {"help", "", "show this summary", 0, 0, cmd_help},
};

const struct ctl_cmd *
ctl_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

int
ctl_cmd_run(const struct ctl_cmd *c, const struct ctl_opts *o)
{
	int argc = o->argc - 1;

	if (argc < c->min_args || argc > c->max_args) {
		fprintf(stderr, "usage: isatapctl [-s PATH] [--json[=pretty|short]] %s%s%s\n",
		        c->name, c->args[0] != '\0' ? " " : "", c->args);
		return CTL_EXIT_USAGE;
	}
	return c->run(o, argc, o->argv + 1);
}

void
ctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: isatapctl [-s PATH] [--json[=pretty|short]] [COMMAND [ARGS]]\n"
	           "       isatapctl -h | --version\n\n"
	           "Commands:\n");
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		char head[48];

		snprintf(head, sizeof(head), "%s%s%s", ctl_cmds[i].name,
		         ctl_cmds[i].args[0] != '\0' ? " " : "", ctl_cmds[i].args);
		fprintf(f, "  %-26s%s\n", head, ctl_cmds[i].about);
	}
	fprintf(f,
	        "\nThe socket is -s PATH, else $%s, else %s.\n"
	        "Exit status: 0 ok, 1 failed, 2 usage, 69 isatap-control unreachable.\n",
	        CTL_SOCKET_ENV, CTL_DEFAULT_SOCKET);
}
