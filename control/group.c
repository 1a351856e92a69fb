/*
 * group.h: getgrnam_r() in a thread-pool thread, with a buffer that grows
 * on ERANGE (large groups), bounded. The loop thread sees only the result.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

#define GROUP_BUF_MIN 4096
#define GROUP_BUF_MAX (1024 * 1024)

struct group_work {
	uv_work_t req;
	group_done_fn done;
	void *ctx;
	char name[CONF_GROUP_MAX];
	bool found;
	gid_t gid;
	int error;
};

/* Runs in a thread-pool thread: no libuv call, no shared state. */
static void
group_work_cb(uv_work_t *req)
{
	struct group_work *w = (struct group_work *)req;
	struct group gr, *res = NULL;
	size_t len = GROUP_BUF_MIN;
	char *buf = NULL;
	int r;

	for (;;) {
		char *nb = realloc(buf, len);

		if (nb == NULL) {
			w->error = -ENOMEM;
			break;
		}
		buf = nb;
		r = getgrnam_r(w->name, &gr, buf, len, &res);
		if (r == ERANGE && len < GROUP_BUF_MAX) {
			len *= 2;
			continue;
		}
		if (r != 0)
			w->error = -r;
		else if (res != NULL) {
			w->found = true;
			w->gid = gr.gr_gid;
		}
		break;
	}
	free(buf);
}

static void
group_after_cb(uv_work_t *req, int status)
{
	struct group_work *w = (struct group_work *)req;

	if (status < 0 && w->error == 0)
		w->error = status;
	w->done(w->ctx, w->name, w->found, w->gid, w->error);
	free(w);
}

int
group_lookup(uv_loop_t *loop, const char *name, group_done_fn done, void *ctx)
{
	struct group_work *w;
	int r;

	if (strlen(name) >= sizeof(w->name))
		return -ENAMETOOLONG;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->done = done;
	w->ctx = ctx;
	memcpy(w->name, name, strlen(name) + 1);
	if ((r = uv_queue_work(loop, &w->req, group_work_cb, group_after_cb)) < 0) {
		free(w);
		return r;
	}
	return 0;
}
