/*
 * The kernel fast path on macOS: there is none. XNU has no programmable
 * packet path a user-space daemon may load into (no BPF programs beyond
 * capture filters, no tc); a kernel extension, which the old ist0 driver
 * was, is what the user-space datapath exists to replace. Every packet
 * takes the utun and raw-socket path, and status says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath.h"
#include "log.h"

struct fastpath {
	char reason[MSG_FP_REASON_MAX];
};

int
fastpath_open(struct fastpath **out, const struct dp *dp, const struct fastpath_opts *o)
{
	struct fastpath *fp;

	if ((fp = calloc(1, sizeof(*fp))) == NULL)
		return -ENOMEM;
	snprintf(fp->reason, sizeof(fp->reason), "%s",
	         o->enabled ? "no kernel fast path on this system" : "--no-fastpath");
	if (o->enabled)
		log_debug("no kernel fast path on this system: forwarding in user space");
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
	return "none on this system";
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
