/* Type=notify readiness (sd_notify(3)); see sdnotify.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

int
sdnotify_ready(void)
{
	static const char msg[] = "READY=1";
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	size_t n;
	int fd, e = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	/* A path, or "@name" for the abstract namespace (a leading NUL). */
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path)) {
		unsetenv("NOTIFY_SOCKET");
		return -EINVAL;
	}
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	unsetenv("NOTIFY_SOCKET");
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		e = -errno;
	close(fd);
	return e;
}
