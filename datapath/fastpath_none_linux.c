/*
 * The kernel fast path where this build has none (Linux without
 * HAVE_FASTPATH: clang, libbpf-dev, bpftool or the kernel's BTF were missing
 * when it was built; mk/bpf.mk says which). The datapath forwards in user
 * space, as with --no-fastpath, and says so once at start and in status.
 */
#ifndef HAVE_FASTPATH /* mk/bpf.mk; fastpath_linux.c otherwise */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath.h"
#include "log.h"

/* mk/bpf.mk says why in FASTPATH_NOT_BUILT. */
#ifndef FASTPATH_NOT_BUILT
#define FASTPATH_NOT_BUILT "built without clang, libbpf-dev, bpftool or kernel BTF"
#endif

struct fastpath {
	char reason[MSG_FP_REASON_MAX];
};

int
fastpath_open(struct fastpath **out, const struct dp *dp, const struct fastpath_opts *o)
{
	struct fastpath *fp;

	if ((fp = calloc(1, sizeof(*fp))) == NULL)
		return -ENOMEM;
	if (!o->enabled) {
		snprintf(fp->reason, sizeof(fp->reason), "--no-fastpath");
		log_info("kernel fast path off (--no-fastpath): forwarding in user space");
	} else {
		snprintf(fp->reason, sizeof(fp->reason), "fast path not built: %s",
		         FASTPATH_NOT_BUILT);
		log_info("kernel fast path off: %s; forwarding in user space", fp->reason);
	}
	*out = fp;
	return 0;
}

/* No maps to keep in step and nothing counted but by the user-space path. */
void
fastpath_sync(struct fastpath *fp, const struct dp *dp, bool v4_changed)
{
}

void
fastpath_add_counters(const struct fastpath *fp, uint64_t *v, size_t n)
{
}

void
fastpath_add_prl_stats(const struct fastpath *fp, struct msg_prl_stats *st)
{
}

const char *
fastpath_built(void)
{
	return "not built: " FASTPATH_NOT_BUILT;
}

bool
fastpath_active(const struct fastpath *fp)
{
	return false;
}

void
fastpath_get_status(const struct fastpath *fp, struct msg_fastpath *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->reason, fp->reason, sizeof(m->reason) - 1);
}

void
fastpath_close(struct fastpath *fp)
{
	free(fp);
}
#endif /* !HAVE_FASTPATH */
