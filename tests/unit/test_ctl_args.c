/*
 * isatapctl's command line: global options before or after the command,
 * the socket path's precedence (-s, then $ISATAP_CONTROL_SOCKET, then the
 * default), --json modes, and every usage error (exit 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/ctl.h"

#define ARGV(...) ((char *const[]){"isatapctl", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((const char *[]){"isatapctl", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(env, o, err, ...) \
	ctl_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), env, o, err, sizeof(err))

static void
test_no_arguments(void **state)
{
	char *const argv[] = {"isatapctl", NULL};
	struct ctl_opts o;
	char err[128];

	assert_int_equal(ctl_parse_args(1, argv, NULL, &o, err, sizeof(err)), CTL_EXIT_OK);
	assert_int_equal(o.argc, 0);
	assert_string_equal(o.socket, RUNSTATEDIR "/isatap/control.sock");
	assert_int_equal(o.json, CTL_JSON_OFF);
	assert_false(o.help);
	assert_false(o.version);
}

static void
test_socket_precedence(void **state)
{
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE("/env.sock", &o, err, "status"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/env.sock");
	/* An empty variable is no setting at all. */
	assert_int_equal(PARSE("", &o, err, "status"), CTL_EXIT_OK);
	assert_string_equal(o.socket, RUNSTATEDIR "/isatap/control.sock");
	assert_int_equal(PARSE("/env.sock", &o, err, "-s", "/opt.sock", "status"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/opt.sock");
	assert_int_equal(PARSE(NULL, &o, err, "-s/glued.sock"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/glued.sock");
	assert_int_equal(PARSE(NULL, &o, err, "--socket=/long.sock", "routers"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/long.sock");
	assert_int_equal(PARSE(NULL, &o, err, "--socket", "/l2.sock"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/l2.sock");
	/* The last one wins, as with getopt. */
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/a", "-s", "/b"), CTL_EXIT_OK);
	assert_string_equal(o.socket, "/b");
}

static void
test_json_modes(void **state)
{
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE(NULL, &o, err, "--json"), CTL_EXIT_OK);
	assert_int_equal(o.json, CTL_JSON_AUTO);
	assert_int_equal(PARSE(NULL, &o, err, "-j", "stats"), CTL_EXIT_OK);
	assert_int_equal(o.json, CTL_JSON_AUTO);
	assert_int_equal(PARSE(NULL, &o, err, "--json=pretty"), CTL_EXIT_OK);
	assert_int_equal(o.json, CTL_JSON_PRETTY);
	assert_int_equal(PARSE(NULL, &o, err, "--json=short"), CTL_EXIT_OK);
	assert_int_equal(o.json, CTL_JSON_SHORT);
	assert_int_equal(PARSE(NULL, &o, err, "--json=ugly"), CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "pretty or short"));
	assert_int_equal(PARSE(NULL, &o, err, "--json="), CTL_EXIT_USAGE);
}

/* Options may follow the command: `isatapctl status --json` works. */
static void
test_options_anywhere(void **state)
{
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE(NULL, &o, err, "router", "--json", "add", "-s", "/x", "192.0.2.9"),
	                 CTL_EXIT_OK);
	assert_int_equal(o.argc, 3);
	assert_string_equal(o.argv[0], "router");
	assert_string_equal(o.argv[1], "add");
	assert_string_equal(o.argv[2], "192.0.2.9");
	assert_string_equal(o.socket, "/x");
	assert_int_equal(o.json, CTL_JSON_AUTO);
	/* After "--" everything is a word, and "-" alone is one anyway. */
	assert_int_equal(PARSE(NULL, &o, err, "--", "-h", "-"), CTL_EXIT_OK);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "-h");
	assert_string_equal(o.argv[1], "-");
	assert_false(o.help);
}

static void
test_help_version(void **state)
{
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE(NULL, &o, err, "-h"), CTL_EXIT_OK);
	assert_true(o.help);
	assert_int_equal(PARSE(NULL, &o, err, "status", "--help"), CTL_EXIT_OK);
	assert_true(o.help);
	assert_int_equal(PARSE(NULL, &o, err, "--version"), CTL_EXIT_OK);
	assert_true(o.version);
	assert_int_equal(PARSE(NULL, &o, err, "-V"), CTL_EXIT_OK);
	assert_true(o.version);
}

static void
test_usage_errors(void **state)
{
	char longpath[200];
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE(NULL, &o, err, "-x"), CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "unknown option '-x'"));
	assert_int_equal(PARSE(NULL, &o, err, "--jsonx"), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "status", "-s"), CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "needs a socket path"));
	assert_int_equal(PARSE(NULL, &o, err, "-s", ""), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "--socket="), CTL_EXIT_USAGE);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(PARSE(NULL, &o, err, "-s", longpath), CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "longer than"));
	assert_int_equal(PARSE(longpath, &o, err, "status"), CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "in $ISATAP_CONTROL_SOCKET"));
	assert_int_equal(PARSE(NULL, &o, err, "a", "b", "c", "d", "e", "f", "g", "h", "i"),
	                 CTL_EXIT_USAGE);
	assert_non_null(strstr(err, "too many"));
}

/* The command table: each command's argument counts, checked before any
 * connection is made. */
static void
test_command_table(void **state)
{
	static const struct {
		const char *name;
		int min, max;
	} want[] = {{"status", 0, 0},  {"routers", 0, 0}, {"router", 2, 2},
	            {"refresh", 0, 0}, {"solicit", 0, 1}, {"stats", 0, 0},
	            {"monitor", 0, 0}, {"doctor", 0, 0},  {"help", 0, 0}};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ctl_cmd *c = ctl_cmd_find(want[i].name);

		assert_non_null(c);
		assert_string_equal(c->name, want[i].name);
		assert_int_equal(c->min_args, want[i].min);
		assert_int_equal(c->max_args, want[i].max);
		assert_non_null(c->run);
	}
	assert_null(ctl_cmd_find("statu"));
	assert_null(ctl_cmd_find(""));
	assert_null(ctl_cmd_find("isatapd"));
}

/* A wrong argument count is a usage error before anything is sent: the
 * socket below does not exist, so reaching it would give 69. */
static void
test_command_arity(void **state)
{
	struct ctl_opts o;
	char err[128];

	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "status", "x"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("status"), &o), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "router", "add"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("router"), &o), CTL_EXIT_USAGE);
	assert_int_equal(
	        PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "router", "move", "x"),
	        CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("router"), &o), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "router", "add",
	                       "bad name!"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("router"), &o), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "router", "del",
	                       "-leading.example"),
	                 CTL_EXIT_USAGE); /* an unknown option, not a name */
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "solicit",
	                       "isatap.example.test"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("solicit"), &o), CTL_EXIT_USAGE);
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "solicit",
	                       "192.0.2.254", "192.0.2.253"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("solicit"), &o), CTL_EXIT_USAGE);
	/* Valid arguments get as far as the missing socket. */
	assert_int_equal(PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "router", "add",
	                       "isatap.example.test"),
	                 CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("router"), &o), CTL_EXIT_UNREACHABLE);
	assert_int_equal(
	        PARSE(NULL, &o, err, "-s", "/nonexistent/isatap.sock", "solicit", "192.0.2.254"),
	        CTL_EXIT_OK);
	assert_int_equal(ctl_cmd_run(ctl_cmd_find("solicit"), &o), CTL_EXIT_UNREACHABLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_no_arguments),  cmocka_unit_test(test_socket_precedence),
	        cmocka_unit_test(test_json_modes),    cmocka_unit_test(test_options_anywhere),
	        cmocka_unit_test(test_help_version),  cmocka_unit_test(test_usage_errors),
	        cmocka_unit_test(test_command_table), cmocka_unit_test(test_command_arity),
	};

	return cmocka_run_group_tests_name("ctl_args", tests, NULL, NULL);
}
