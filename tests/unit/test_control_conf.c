/* control/conf.c: the `key value` configuration, every key and every error. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/conf.h"
#include "isatap.h"
#include "tests/unit/lib/tu.h"

static int
parse(struct conf *c, const char *text, unsigned *line, char *err)
{
	conf_defaults(c);
	return conf_parse(c, text, strlen(text), line, err, 256);
}

static void
test_defaults(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.locator, CONF_LOCATOR_AUTO);
	assert_string_equal(c.api_socket, RUNSTATEDIR "/isatap/control.sock");
	assert_string_equal(c.datapath_socket, RUNSTATEDIR "/isatap/datapath.sock");
	assert_int_equal(c.prl_refresh_interval_s, PRL_REFRESH_INTERVAL_S);
	assert_int_equal(c.max_mtu, ISATAP_MAX_MTU);
	assert_int_equal(c.api_group[0], '\0');
	/* No router configured: the DNS name "isatap" (RFC 5214 §8.3.2). */
	assert_int_equal(conf_n_routers(&c), 1);
	assert_string_equal(conf_router(&c, 0), "isatap");
	assert_null(conf_router(&c, 1));
}

static void
test_every_key(void **state)
{
	struct conf c;
	unsigned line;
	char err[256];
	const char *text = "# a comment\n"
	                   "\n"
	                   "router isatap.example.test\n"
	                   "router 192.0.2.254   # trailing comment\n"
	                   "  locator\t198.51.100.7\n"
	                   "api_socket \"/run/x/api.sock\"\n"
	                   "datapath_socket /run/x/dp.sock\r\n"
	                   "api_group netdev\n"
	                   "prl_refresh_interval 600\n"
	                   "max_mtu 1480\n"
	                   "verbose 2\n"
	                   "foreground yes";

	(void)state;
	assert_int_equal(parse(&c, text, &line, err), 0);
	assert_int_equal(line, 12);
	assert_int_equal(conf_n_routers(&c), 2);
	assert_string_equal(conf_router(&c, 0), "isatap.example.test");
	assert_string_equal(conf_router(&c, 1), "192.0.2.254");
	assert_int_equal(c.locator, CONF_LOCATOR_STATIC);
	assert_int_equal(c.locator_v4.s_addr, tu_a4("198.51.100.7").s_addr);
	assert_string_equal(c.api_socket, "/run/x/api.sock");
	assert_string_equal(c.datapath_socket, "/run/x/dp.sock");
	assert_string_equal(c.api_group, "netdev");
	assert_int_equal(c.prl_refresh_interval_s, 600);
	assert_int_equal(c.max_mtu, 1480);
	assert_int_equal(c.verbose, 2);
	assert_true(c.foreground);
	assert_int_equal(c.set, (1u << CONF_K_COUNT) - 1);
}

static void
test_locator_forms(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "locator", "eth0", err, sizeof(err)), 0);
	assert_int_equal(c.locator, CONF_LOCATOR_IFACE);
	assert_string_equal(c.locator_iface, "eth0");
	assert_int_equal(conf_set(&c, "locator", "auto", err, sizeof(err)), 0);
	assert_int_equal(c.locator, CONF_LOCATOR_AUTO);
	assert_string_equal(conf_locator_name(CONF_LOCATOR_IFACE), "interface");
}

/* Each bad line is refused with its line number and a reason. */
static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		int err;
		const char *why;
	} cases[] = {
	        {"bogus_key 1\n", 1, -ENOENT, "unknown key 'bogus_key'"},
	        {"\n\nrouter\n", 3, -EINVAL, "has no value"},
	        {"router   \n", 1, -EINVAL, "empty value"},
	        {"router \"isatap\n", 1, -EINVAL, "unterminated quote"},
	        {"router isatap extra\n", 1, -EINVAL, "trailing text"},
	        {"router 127.0.0.1\n", 1, -EINVAL, "not a unicast"},
	        {"router 224.0.0.1\n", 1, -EINVAL, "not a unicast"},
	        {"router -bad-.name\n", 1, -EINVAL, "neither"},
	        {"router a..b\n", 1, -EINVAL, "neither"},
	        {"router 1.2.3\n", 1, -EINVAL, "neither"},
	        {"router isatap\nrouter ISATAP\n", 2, -EEXIST, "given twice"},
	        {"locator 0.0.0.0\n", 1, -EINVAL, "not a unicast"},
	        {"locator averyveryverylongname0\n", 1, -EINVAL, "not auto"},
	        {"locator a/b\n", 1, -EINVAL, "not auto"},
	        {"api_socket relative.sock\n", 1, -EINVAL, "absolute path"},
	        {"datapath_socket "
	         "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	         1, -ENAMETOOLONG, "absolute path"},
	        {"api_group a:b\n", 1, -EINVAL, "not a group name"},
	        {"prl_refresh_interval 59\n", 1, -ERANGE, "60.."},
	        {"prl_refresh_interval 604801\n", 1, -ERANGE, "60.."},
	        {"prl_refresh_interval -1\n", 1, -EINVAL, "60.."},
	        {"prl_refresh_interval 10x\n", 1, -ERANGE, "60.."},
	        {"max_mtu 1279\n", 1, -ERANGE, "1280..65515"},
	        /* What no outer IPv4 datagram carries (review finding 13). */
	        {"max_mtu 65516\n", 1, -ERANGE, "1280..65515"},
	        {"max_mtu 65535\n", 1, -ERANGE, "1280..65515"},
	        {"max_mtu 65536\n", 1, -ERANGE, "1280..65515"},
	        {"verbose loud\n", 1, -EINVAL, "verbose must be"},
	        {"verbose 4\n", 1, -EINVAL, "verbose must be"},
	        {"foreground maybe\n", 1, -EINVAL, "foreground must be"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf c;
		unsigned line = 0;
		char err[256] = "";
		int r = parse(&c, cases[i].text, &line, err);

		if (r != cases[i].err || line != cases[i].line || !strstr(err, cases[i].why))
			fail_msg("case %zu (%s): r %d line %u err '%s'", i, cases[i].text, r, line,
			         err);
	}
}

static void
test_too_many_routers(void **state)
{
	struct conf c;
	char err[256], name[32];

	(void)state;
	conf_defaults(&c);
	for (int i = 0; i < CONF_ROUTERS_MAX; i++) {
		snprintf(name, sizeof(name), "r%d.example.test", i);
		assert_int_equal(conf_set(&c, "router", name, err, sizeof(err)), 0);
	}
	assert_int_equal(conf_set(&c, "router", "one.more.test", err, sizeof(err)), -E2BIG);
}

static void
test_long_line_and_nul(void **state)
{
	struct conf c;
	unsigned line;
	char err[256];
	char *big = malloc(CONF_LINE_MAX + 16);
	static const char nul[] = "router isatap\nrouter a\0b\n";

	(void)state;
	assert_non_null(big);
	memset(big, 'a', CONF_LINE_MAX + 8);
	memcpy(big, "router ", 7);
	big[CONF_LINE_MAX + 8] = '\0';
	assert_int_equal(parse(&c, big, &line, err), -E2BIG);
	assert_int_equal(line, 1);
	free(big);
	conf_defaults(&c);
	assert_int_equal(conf_parse(&c, nul, sizeof(nul) - 1, &line, err, sizeof(err)), -EINVAL);
	assert_int_equal(line, 2);
	assert_non_null(strstr(err, "NUL"));
}

static void
test_hostname(void **state)
{
	(void)state;
	assert_true(conf_valid_hostname("isatap"));
	assert_true(conf_valid_hostname("isatap.example.test."));
	assert_true(conf_valid_hostname("a-b.c1"));
	assert_false(conf_valid_hostname(""));
	assert_false(conf_valid_hostname("."));
	assert_false(conf_valid_hostname("-a"));
	assert_false(conf_valid_hostname("a-.b"));
	assert_false(conf_valid_hostname("a b"));
	assert_false(conf_valid_hostname("192.0.2.1"));
	assert_false(conf_valid_hostname("0123456789012345678901234567890123456789012345678901234"
	                                 "567890123"));
}

/* conf_load: the file, then the command line on top; errors name path:line. */
static void
test_load(void **state)
{
	char path[] = "/tmp/test_control_conf.XXXXXX";
	int fd = mkstemp(path);
	struct conf cl, out;
	char err[512];
	static const char text[] = "router file.example.test\nmax_mtu 1400\nverbose 1\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);

	conf_defaults(&cl);
	assert_int_equal(conf_set(&cl, "router", "192.0.2.254", err, sizeof(err)), 0);
	assert_int_equal(conf_set(&cl, "verbose", "3", err, sizeof(err)), 0);
	assert_int_equal(conf_load(&out, path, false, &cl, err, sizeof(err)), 0);
	/* The command line replaces the file's routers, not appends. */
	assert_int_equal(conf_n_routers(&out), 1);
	assert_string_equal(conf_router(&out, 0), "192.0.2.254");
	assert_int_equal(out.max_mtu, 1400);
	assert_int_equal(out.verbose, 3);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "max_mtu 1400\nmtu 1\n", 19), 19);
	close(fd);
	assert_int_equal(conf_load(&out, path, false, &cl, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, ":2: unknown key 'mtu'"));
	unlink(path);

	/* Missing: an error for -f, fine for the default path. */
	assert_int_equal(conf_load(&out, path, false, &cl, err, sizeof(err)), -ENOENT);
	assert_int_equal(conf_load(&out, path, true, &cl, err, sizeof(err)), 0);
	assert_string_equal(conf_router(&out, 0), "192.0.2.254");
	/* A directory is not a configuration file. */
	assert_int_equal(conf_load(&out, "/tmp", false, &cl, err, sizeof(err)), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_every_key),
	        cmocka_unit_test(test_locator_forms),    cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_too_many_routers), cmocka_unit_test(test_long_line_and_nul),
	        cmocka_unit_test(test_hostname),         cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
