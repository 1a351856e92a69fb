/* common/sdnotify.c: READY=1 on $NOTIFY_SOCKET, as systemd's Type=notify reads it. */
#include <stdarg.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdnotify.h"

/* A datagram socket bound where the manager's would be; returns its fd. */
static int
manager(const char *name, bool abstract)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, name, strlen(name));
	if (abstract)
		sun.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

static void
expect_ready(int fd)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	assert_int_equal(n, 7);
	assert_memory_equal(buf, "READY=1", 7);
	/* Once only, and the variable is gone for what we might run later. */
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_null(getenv("NOTIFY_SOCKET"));
}

static void
test_path(void **state)
{
	char path[64];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/isatap-sdnotify-%ld", (long)getpid());
	unlink(path);
	fd = manager(path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_ready(), 0);
	expect_ready(fd);
	close(fd);
	unlink(path);
}

static void
test_abstract(void **state)
{
	char name[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@isatap-sdnotify-%ld", (long)getpid());
	fd = manager(name, true);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_ready(), 0);
	expect_ready(fd);
	close(fd);
}

static void
test_no_manager_and_bad_names(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_ready(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdnotify_ready(), 0);
	/* Neither a path nor an abstract name: refused, and unset. */
	setenv("NOTIFY_SOCKET", "relative/name", 1);
	assert_true(sdnotify_ready() < 0);
	assert_null(getenv("NOTIFY_SOCKET"));
	/* A manager that is not there. */
	setenv("NOTIFY_SOCKET", "/nonexistent/isatap-notify", 1);
	assert_true(sdnotify_ready() < 0);
	assert_null(getenv("NOTIFY_SOCKET"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_path),
	        cmocka_unit_test(test_abstract),
	        cmocka_unit_test(test_no_manager_and_bad_names),
	};

	return cmocka_run_group_tests_name("common_sdnotify", tests, NULL, NULL);
}
