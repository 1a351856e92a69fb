/*
 * The kernel fast path on Linux: loads the two tc programs of
 * bpf/isatap.bpf.c (the skeleton $(BUILD)/bpf/isatap.skel.h), attaches
 * isatap_egress on the TUN and isatap_ingress on every IPv4 interface that
 * carries one of our locators, and keeps their maps equal to struct dp
 * (fastpath_maps.c builds the image, this file writes it).
 *
 * What each step needs (measured on Linux 6.18, ../shared/BPF-FASTPATH.md):
 *   - creating the maps and loading the programs (bpf(BPF_MAP_CREATE),
 *     bpf(BPF_PROG_LOAD) of sched_cls programs): CAP_BPF and CAP_NET_ADMIN,
 *     or root; only during set-up, before sandbox_drop() gives up CAP_BPF;
 *   - creating or deleting a clsact qdisc, attaching or detaching a filter
 *     (rtnetlink RTM_NEWQDISC/RTM_DELQDISC, RTM_NEWTFILTER/RTM_DELTFILTER):
 *     CAP_NET_ADMIN, which the datapath keeps, with a program fd we hold;
 *     that is how ingress follows a locator to another interface;
 *   - reading and writing the maps, and a program's id, through fds we
 *     hold (BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
 *     BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET_INFO_BY_FD): no capability at all.
 *     Nothing is pinned and no fd is reopened by id (that would need
 *     CAP_SYS_ADMIN): the fds live as long as the process.
 *
 * Our filters sit at one handle and priority (FP_TC_HANDLE, FP_TC_PRIO), a
 * band of their own as the kernel routes have (netcfg_linux.c): what sits
 * there is ours or a predecessor's, never someone else's.
 */
#ifdef HAVE_FASTPATH /* mk/bpf.mk; fastpath_none_linux.c otherwise */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fastpath_linux.h"
#include "log.h"
#include "platform.h"

/* ---- libbpf's messages ------------------------------------------------------- */

static bool fp_verbose;

/* -v: every line libbpf prints (the verifier's log when it refuses a
 * program) at debug level; otherwise none: fastpath_open() says in one line
 * what failed. */
static int fp_print(enum libbpf_print_level level, const char *fmt, va_list ap) LOG_FMT(2, 0);

static int
fp_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *text, *line, *save = NULL;

	if (!fp_verbose || vasprintf(&text, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		log_debug("%s", line); /* libbpf says "libbpf: " itself */
	free(text);
	return 0;
}

/* ---- loading ---------------------------------------------------------------- */

static void fp_off(struct fastpath *fp, const char *fmt, ...) LOG_FMT(2, 3);

static void
fp_off(struct fastpath *fp, const char *fmt, ...)
{
	va_list ap;

	/* Zero past the end too: MSG_FASTPATH says so. */
	memset(fp->reason, 0, sizeof(fp->reason));
	va_start(ap, fmt);
	vsnprintf(fp->reason, sizeof(fp->reason), fmt, ap);
	va_end(ap);
	fp->active = false;
	log_warnx("kernel fast path off: %s; forwarding in user space", fp->reason);
}

/* Why a load failed, as the user can act on it. */
static void
fp_off_load(struct fastpath *fp, int r)
{
	if (r == -EPERM)
		fp_off(fp, "no privilege to load BPF programs (EPERM): needs CAP_BPF and "
		           "CAP_NET_ADMIN, or root");
	else if (r == -EACCES)
		fp_off(fp,
		       "the kernel's verifier refused the programs (EACCES): needs Linux %s or "
		       "later; -v logs the verifier's reason",
		       FP_MIN_KERNEL);
	else if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		fp_off(fp, "the kernel has no BTF (/sys/kernel/btf/vmlinux): %s", strerror(-r));
	else
		fp_off(fp, "loading the programs: %s", strerror(-r));
}

static int
prog_id(int fd, __u32 *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int r;

	memset(&info, 0, sizeof(info));
	if ((r = bpf_obj_get_info_by_fd(fd, &info, &len)) < 0)
		return r;
	*id = info.id;
	return 0;
}

static int
fp_load(struct fastpath *fp)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	int r;

	if ((fp->ncpus = libbpf_num_possible_cpus()) <= 0) {
		fp_off(fp, "cannot count the CPUs: %s", strerror(-fp->ncpus));
		return -EINVAL;
	}
	if ((fp->percpu = calloc((size_t)fp->ncpus, sizeof(__u64))) == NULL ||
	    (fp->prl_percpu = calloc((size_t)fp->ncpus, sizeof(struct fp_prl_count))) == NULL) {
		fp_off(fp, "out of memory");
		return -ENOMEM;
	}
	if ((fp->skel = isatap_bpf__open()) == NULL) {
		fp_off(fp, "the BPF object: %s", strerror(errno));
		return -EINVAL;
	}
	/* Without the kernel's BTF the load below fails and says so. */
	if ((r = fastpath_kernel_decap_flags()) == 0)
		log_info("kernel fast path: this kernel's bpf_skb_adjust_room() has no "
		         "BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (Linux 6.3): ingress decapsulates with "
		         "bpf_skb_change_proto(), GRO super-packets go to user space");
	fp->skel->rodata->fp_decap_flags = r > 0;
	if ((r = isatap_bpf__load(fp->skel)) < 0) {
		fp_off_load(fp, r);
		return r;
	}
	fp->map[FPM_CFG] = bpf_map__fd(fp->skel->maps.fp_cfg);
	fp->map[FPM_PRL] = bpf_map__fd(fp->skel->maps.fp_prl);
	fp->map[FPM_PRL_STATS] = bpf_map__fd(fp->skel->maps.fp_prl_stats);
	fp->map[FPM_BCAST] = bpf_map__fd(fp->skel->maps.fp_bcast);
	fp->map[FPM_LOCAL] = bpf_map__fd(fp->skel->maps.fp_local);
	fp->map[FPM_ONLINK] = bpf_map__fd(fp->skel->maps.fp_onlink);
	fp->map[FPM_ROUTES] = bpf_map__fd(fp->skel->maps.fp_routes);
	fp->map[FPM_IFACES] = bpf_map__fd(fp->skel->maps.fp_ifaces);
	fp->map[FPM_STATS] = bpf_map__fd(fp->skel->maps.fp_stats);
	if ((r = prog_id(bpf_program__fd(fp->skel->progs.isatap_egress), &fp->eg_id)) < 0 ||
	    (r = prog_id(bpf_program__fd(fp->skel->progs.isatap_ingress), &fp->in_id)) < 0) {
		fp_off(fp, "program ids: %s", strerror(-r));
		return r;
	}
	if ((fp->grace_inner_fd =
	             bpf_map_create(BPF_MAP_TYPE_ARRAY, "fp_grace_in", 4, 4, 1, NULL)) < 0) {
		fp_off_load(fp, -errno);
		return -errno;
	}
	mo.inner_map_fd = fp->grace_inner_fd;
	if ((fp->grace_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "fp_grace", 4, 4, 1, &mo)) <
	    0) {
		fp_off_load(fp, -errno);
		return -errno;
	}
	return 0;
}

/* ---- writing the maps ----------------------------------------------------------- */

/* A map write failed: nothing the maps say can be trusted any more, so the
 * programs stay stopped (everything to user space) until we exit. */
static void
fp_broken(struct fastpath *fp, const char *what, int err)
{
	struct fp_cfg c = fp->img.cfg;
	__u32 zero = 0;

	c.flags &= ~FP_F_ENABLED;
	bpf_map_update_elem(fp->map[FPM_CFG], &zero, &c, BPF_ANY);
	fp_off(fp, "writing %s: %s", what, strerror(-err));
}

static int
upd(struct fastpath *fp, enum fp_map m, const void *k, const void *v, const char *what)
{
	int r = bpf_map_update_elem(fp->map[m], k, v, BPF_ANY);

	if (r < 0)
		fp_broken(fp, what, r);
	return r;
}

static int
del(struct fastpath *fp, enum fp_map m, const void *k, const char *what)
{
	int r = bpf_map_delete_elem(fp->map[m], k);

	if (r < 0 && r != -ENOENT) {
		fp_broken(fp, what, r);
		return r;
	}
	return 0;
}

/* The programs punt everything from here on, and none still runs on what
 * it read before: the maps may then change in any order. */
static int
fp_pause(struct fastpath *fp)
{
	struct fp_cfg c = fp->img.cfg;
	__u32 zero = 0;
	int r;

	if (!(c.flags & FP_F_ENABLED))
		return 0;
	/* Only the flags word changes: a program reading the entry while it
	 * is written sees the old flags or the new, and the rest unchanged. */
	c.flags &= ~FP_F_ENABLED;
	if ((r = upd(fp, FPM_CFG, &zero, &c, "fp_cfg")) < 0)
		return r;
	fp->img.cfg = c;
	if ((r = bpf_map_update_elem(fp->grace_fd, &zero, &fp->grace_inner_fd, BPF_ANY)) < 0) {
		fp_broken(fp, "fp_grace", r);
		return r;
	}
	return 0;
}

static int
fp_write(struct fastpath *fp, struct fp_image *nu)
{
	static const __u32 zero = 0, none = 0;
	__u32 k4[FP_ROUTE_MAX];
	struct fp_in6 k6[FP_LOCAL_MAX];
	struct fp_lpm6 kl[FP_ROUTE_MAX];
	size_t n;
	int r = 0;

	for (size_t i = 0; i < nu->n_prl && r == 0; i++)
		r = upd(fp, FPM_PRL, &nu->prl[i], &none, "fp_prl");
	/* A router that stays keeps its counts (dp_set_prl() keeps its own). */
	memset(fp->prl_percpu, 0, (size_t)fp->ncpus * sizeof(struct fp_prl_count));
	for (size_t i = 0; i < nu->n_prl && r == 0; i++)
		if ((r = bpf_map_update_elem(fp->map[FPM_PRL_STATS], &nu->prl[i], fp->prl_percpu,
		                             BPF_NOEXIST)) == -EEXIST)
			r = 0;
		else if (r < 0)
			fp_broken(fp, "fp_prl_stats", r);
	for (size_t i = 0; i < nu->n_bcast && r == 0; i++)
		r = upd(fp, FPM_BCAST, &nu->bcast[i], &none, "fp_bcast");
	for (size_t i = 0; i < nu->n_local && r == 0; i++)
		r = upd(fp, FPM_LOCAL, &nu->local[i], &none, "fp_local");
	for (size_t i = 0; i < nu->n_onlink && r == 0; i++)
		r = upd(fp, FPM_ONLINK, &nu->onlink[i], &none, "fp_onlink");
	for (size_t i = 0; i < nu->n_routes && r == 0; i++)
		r = upd(fp, FPM_ROUTES, &nu->route_key[i], &nu->route[i], "fp_routes");
	for (size_t i = 0; i < nu->n_ifaces && r == 0; i++)
		r = upd(fp, FPM_IFACES, &nu->ifaces[i], &none, "fp_ifaces");
	n = fp_image_gone_prl(&fp->img, nu, k4);
	for (size_t i = 0; i < n && r == 0; i++)
		if ((r = del(fp, FPM_PRL, &k4[i], "fp_prl")) == 0)
			r = del(fp, FPM_PRL_STATS, &k4[i], "fp_prl_stats");
	n = fp_image_gone_bcast(&fp->img, nu, k4);
	for (size_t i = 0; i < n && r == 0; i++)
		r = del(fp, FPM_BCAST, &k4[i], "fp_bcast");
	n = fp_image_gone_local(&fp->img, nu, k6);
	for (size_t i = 0; i < n && r == 0; i++)
		r = del(fp, FPM_LOCAL, &k6[i], "fp_local");
	n = fp_image_gone_onlink(&fp->img, nu, kl);
	for (size_t i = 0; i < n && r == 0; i++)
		r = del(fp, FPM_ONLINK, &kl[i], "fp_onlink");
	n = fp_image_gone_routes(&fp->img, nu, kl);
	for (size_t i = 0; i < n && r == 0; i++)
		r = del(fp, FPM_ROUTES, &kl[i], "fp_routes");
	n = fp_image_gone_ifaces(&fp->img, nu, k4);
	for (size_t i = 0; i < n && r == 0; i++)
		r = del(fp, FPM_IFACES, &k4[i], "fp_ifaces");
	if (r < 0)
		return r;
	/* The new configuration, still stopped; then the same with
	 * FP_F_ENABLED and the next generation: that last write differs from
	 * this one in the flags and the generation only. */
	nu->cfg.flags &= ~FP_F_ENABLED;
	if ((r = upd(fp, FPM_CFG, &zero, &nu->cfg, "fp_cfg")) < 0)
		return r;
	nu->cfg.flags |= FP_F_ENABLED;
	nu->cfg.generation = ++fp->generation;
	if ((r = upd(fp, FPM_CFG, &zero, &nu->cfg, "fp_cfg")) < 0)
		return r;
	fp->img = *nu;
	return 0;
}

/* ---- the interface -------------------------------------------------------------- */

/* Everything of ours off the interfaces, the maps and programs freed (the
 * kernel frees them with their last fd). */
static void
fp_unload(struct fastpath *fp)
{
	for (size_t i = 0; i < fp->n_ingress; i++)
		fp_hook_detach(&fp->ingress[i], BPF_TC_INGRESS, fp->in_id);
	fp->n_ingress = 0;
	if (fp->egress.ifindex != 0 && fp->eg_id != 0)
		fp_hook_detach(&fp->egress, BPF_TC_EGRESS, fp->eg_id);
	fp->egress.ifindex = 0;
	if (fp->grace_fd >= 0)
		close(fp->grace_fd);
	if (fp->grace_inner_fd >= 0)
		close(fp->grace_inner_fd);
	fp->grace_fd = fp->grace_inner_fd = -1;
	isatap_bpf__destroy(fp->skel);
	fp->skel = NULL;
	free(fp->percpu);
	free(fp->prl_percpu);
	fp->percpu = NULL;
	fp->prl_percpu = NULL;
}

int
fastpath_open(struct fastpath **out, const struct dp *dp, const struct fastpath_opts *o)
{
	struct fastpath *fp;
	struct fp_image nu;
	int r;

	if ((fp = calloc(1, sizeof(*fp))) == NULL)
		return -ENOMEM;
	*out = fp;
	fp->grace_fd = fp->grace_inner_fd = -1;
	fp->nc = o->nc;
	if (!o->enabled) {
		snprintf(fp->reason, sizeof(fp->reason), "--no-fastpath");
		log_info("kernel fast path off (--no-fastpath): forwarding in user space");
		return 0;
	}
	fp_verbose = o->verbose;
	libbpf_set_print(fp_print);
	if ((r = fp_load(fp)) < 0)
		goto off;
	fp->egress.ifindex = dp->ifindex;
	memcpy(fp->egress.name, dp->ifname, strnlen(dp->ifname, MSG_IFNAMSIZ - 1));
	if ((r = fp_hook_attach(&fp->egress, BPF_TC_EGRESS,
	                        bpf_program__fd(fp->skel->progs.isatap_egress))) < 0) {
		if (r == -EPERM)
			fp_off(fp, "no privilege to attach to %s (EPERM): needs CAP_NET_ADMIN",
			       fp->egress.name);
		else if (r == -ENOENT || r == -EOPNOTSUPP)
			fp_off(fp, "no clsact qdisc in this kernel (CONFIG_NET_SCH_INGRESS): %s",
			       strerror(-r));
		else
			fp_off(fp, "attaching to %s: %s", fp->egress.name, strerror(-r));
		goto off;
	}
	/*
	 * The egress program asks bpf_fib_lookup() for the outer route as a
	 * forwarding lookup from the TUN, which the kernel answers only for a
	 * device with IPv4 forwarding on (BPF_FIB_LKUP_RET_FWD_DISABLED
	 * otherwise: everything punted). On the TUN alone, which never
	 * carries IPv4, so nothing is forwarded that was not before; it goes
	 * with the TUN.
	 */
	if ((r = netcfg_sysctl4(fp->egress.name, "forwarding", "1")) < 0) {
		fp_off(fp, "net.ipv4.conf.%s.forwarding: %s", fp->egress.name, strerror(-r));
		goto off;
	}
	fp_take_over(fp);
	fp->active = true;
	/* No interface in fp_ifaces yet: the programs taken over hand
	 * everything to user space until control has pushed a locator and
	 * fastpath_sync() has found its interface (it keeps those of them it
	 * needs, and detaches the others). */
	fp_locate(fp, dp, true);
	fp_image_build(&nu, dp, NULL, 0);
	if (fp_write(fp, &nu) < 0)
		goto off;
	memset(fp->reason, 0, sizeof(fp->reason));
	snprintf(fp->reason, sizeof(fp->reason), "attached");
	log_info("kernel fast path: egress on %s (program %u), ingress (program %u) on the "
	         "interfaces of the locators",
	         fp->egress.name, fp->eg_id, fp->in_id);
	return 0;
off:
	fp->active = false;
	fp_unload(fp);
	return 0;
}

void
fastpath_sync(struct fastpath *fp, const struct dp *dp, bool v4_changed)
{
	struct fp_image nu;

	if (fp == NULL || !fp->active)
		return;
	fp_locate(fp, dp, v4_changed);
	fp_image_build(&nu, dp, fp->ifs, fp->n_ifs);
	if (fp_image_same(&fp->img, &nu))
		return;
	if (fp_pause(fp) < 0)
		return;
	fp_follow(fp, &nu);
	fp_write(fp, &nu);
}

const char *
fastpath_built(void)
{
	return "built";
}

bool
fastpath_active(const struct fastpath *fp)
{
	return fp != NULL && fp->active;
}

void
fastpath_add_counters(const struct fastpath *fp, uint64_t *v, size_t n)
{
	if (fp == NULL || fp->skel == NULL)
		return;
	for (__u32 i = 0; i < n && i < FP_STATS_SLOTS; i++) {
		if (bpf_map_lookup_elem(fp->map[FPM_STATS], &i, fp->percpu) < 0)
			continue;
		for (int c = 0; c < fp->ncpus; c++)
			v[i] += fp->percpu[c];
	}
}

void
fastpath_add_prl_stats(const struct fastpath *fp, struct msg_prl_stats *st)
{
	if (fp == NULL || fp->skel == NULL)
		return;
	for (uint32_t i = 0; i < st->n && i < MSG_PRL_MAX; i++) {
		__u32 k = st->e[i].v4.s_addr;

		if (bpf_map_lookup_elem(fp->map[FPM_PRL_STATS], &k, fp->prl_percpu) < 0)
			continue;
		for (int c = 0; c < fp->ncpus; c++) {
			st->e[i].in_packets += fp->prl_percpu[c].in_packets;
			st->e[i].out_packets += fp->prl_percpu[c].out_packets;
		}
	}
}

void
fastpath_get_status(const struct fastpath *fp, struct msg_fastpath *m)
{
	memset(m, 0, sizeof(*m));
	m->active = fp->active;
	m->generation = fp->generation;
	memcpy(m->reason, fp->reason, sizeof(m->reason));
	m->reason[sizeof(m->reason) - 1] = '\0';
	if (!fp->active)
		return;
	memcpy(m->egress, fp->egress.name, sizeof(m->egress));
	m->n_ingress = (uint32_t)fp->n_ingress;
	for (size_t i = 0; i < fp->n_ingress; i++)
		memcpy(m->ingress[i], fp->ingress[i].name, MSG_IFNAMSIZ);
	m->n = DPC_COUNT;
	fastpath_add_counters(fp, m->v, m->n);
}

void
fastpath_close(struct fastpath *fp)
{
	if (fp == NULL)
		return;
	if (fp->skel != NULL)
		log_info("kernel fast path: detaching");
	fp_unload(fp);
	free(fp);
}
#endif /* HAVE_FASTPATH */
