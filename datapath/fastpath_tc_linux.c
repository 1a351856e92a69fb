/*
 * The kernel fast path on Linux: our tc filters on the interfaces. Egress
 * on the TUN, ingress on every IPv4 interface that carries one of the
 * locators, following them when they move (the host's IPv4 addresses are
 * watched by main.c's netlink monitor), and a killed predecessor's ingress
 * filters taken over at start.
 *
 * Creating a clsact qdisc and attaching or detaching a filter is rtnetlink
 * (libbpf opens a NETLINK_ROUTE socket of its own for each request):
 * CAP_NET_ADMIN, which the datapath keeps, and the program fd it holds.
 * Our filters sit at one handle and priority (FP_TC_HANDLE, FP_TC_PRIO), a
 * band of their own as the kernel routes have (netcfg_linux.c): what sits
 * there is ours or a predecessor's, never someone else's.
 */
#ifdef HAVE_FASTPATH /* mk/bpf.mk */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fastpath_linux.h"
#include "log.h"
#include "platform.h"

int
fp_hook_attach(struct fp_hook *hk, enum bpf_tc_attach_point where, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)hk->ifindex, .attach_point = where);
	/* REPLACE: a predecessor's filter at our handle is swapped for ours
	 * in one step, with no moment when neither is there. */
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO,
	            .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int r;

	r = bpf_tc_hook_create(&hook);
	if (r == 0)
		hk->qdisc_ours = true;
	else if (r != -EEXIST)
		return r;
	if ((r = bpf_tc_attach(&hook, &opts)) < 0 && hk->qdisc_ours) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
		hk->qdisc_ours = false;
	}
	return r;
}

/* Our filter off, if it is still ours (a successor may have replaced it:
 * then it is the successor's), and the clsact if we made it. */
void
fp_hook_detach(struct fp_hook *hk, enum bpf_tc_attach_point where, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)hk->ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
	LIBBPF_OPTS(bpf_tc_opts, d, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
	int r;

	if (bpf_tc_query(&hook, &q) == 0 && q.prog_id == prog_id &&
	    (r = bpf_tc_detach(&hook, &d)) < 0 && r != -ENOENT && r != -ENODEV)
		log_warnx("kernel fast path: detaching from %s: %s", hk->name, strerror(-r));
	if (hk->qdisc_ours) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		if ((r = bpf_tc_hook_destroy(&hook)) < 0 && r != -ENOENT && r != -ENODEV &&
		    r != -EINVAL)
			log_warnx("kernel fast path: clsact of %s: %s", hk->name, strerror(-r));
	}
}

void
fp_hook_name(struct fastpath *fp, struct fp_hook *hk)
{
	if (netcfg_ifname(fp->nc, hk->ifindex, hk->name) < 0)
		snprintf(hk->name, sizeof(hk->name), "if%u", hk->ifindex);
}

/* ---- ingress follows the locators ---------------------------------------------- */

/* The interfaces carrying the locator set: looked up again when the set
 * changed or the host's IPv4 addresses did. */
void
fp_locate(struct fastpath *fp, const struct dp *dp, bool v4_changed)
{
	__u32 set[1 + FP_RETIRED_MAX] = {dp->locator.s_addr};

	for (size_t i = 0; i < dp->n_retired && i < FP_RETIRED_MAX; i++)
		set[1 + i] = dp->retired[i].s_addr;
	if (!v4_changed && memcmp(set, fp->if_of, sizeof(set)) == 0)
		return;
	memcpy(fp->if_of, set, sizeof(set));
	fp->n_ifs = 0;
	for (size_t i = 0; i < 1 + FP_RETIRED_MAX; i++) {
		int r;

		if (set[i] == 0)
			continue;
		if ((r = netcfg_v4_ifindex(fp->nc, (struct in_addr){set[i]})) > 0)
			fp->ifs[fp->n_ifs++] = (uint32_t)r;
		else if (r < 0)
			log_warnx("kernel fast path: where is the locator: %s", strerror(-r));
	}
}

static ssize_t
hook_find(const struct fastpath *fp, unsigned ifindex)
{
	for (size_t i = 0; i < fp->n_ingress; i++)
		if (fp->ingress[i].ifindex == ifindex)
			return (ssize_t)i;
	return -1;
}

/* Ingress on every interface of nu->ifaces, on no other. An interface it
 * cannot be attached to leaves nu->ifaces: its traffic goes the user-space
 * way, and the reason is logged. */
void
fp_follow(struct fastpath *fp, struct fp_image *nu)
{
	int prog = bpf_program__fd(fp->skel->progs.isatap_ingress);

	for (size_t i = 0; i < nu->n_ifaces;) {
		struct fp_hook *hk;
		int r;

		if (hook_find(fp, nu->ifaces[i]) >= 0) {
			i++;
			continue;
		}
		hk = &fp->ingress[fp->n_ingress];
		memset(hk, 0, sizeof(*hk));
		hk->ifindex = nu->ifaces[i];
		fp_hook_name(fp, hk);
		if ((r = fp_hook_attach(hk, BPF_TC_INGRESS, prog)) < 0) {
			log_warnx("kernel fast path: ingress on %s: %s; its traffic goes through "
			          "user "
			          "space",
			          hk->name, strerror(-r));
			nu->ifaces[i] = nu->ifaces[--nu->n_ifaces];
			continue;
		}
		log_info("kernel fast path: ingress on %s", hk->name);
		fp->n_ingress++;
		i++;
	}
	for (size_t i = 0; i < fp->n_ingress;) {
		size_t j;

		for (j = 0; j < nu->n_ifaces; j++)
			if (nu->ifaces[j] == fp->ingress[i].ifindex)
				break;
		if (j < nu->n_ifaces) {
			i++;
			continue;
		}
		log_info("kernel fast path: ingress off %s", fp->ingress[i].name);
		fp_hook_detach(&fp->ingress[i], BPF_TC_INGRESS, fp->in_id);
		fp->ingress[i] = fp->ingress[--fp->n_ingress];
	}
}

/*
 * A predecessor that was killed left its ingress filters behind, and they
 * keep running on its maps, redirecting into a TUN that is gone. Ours
 * replace them at once (stopped: everything to user space) on every
 * interface with an IPv4 address; sync then keeps those the locators need.
 */
void
fp_take_over(struct fastpath *fp)
{
	unsigned ifs[FP_IFACE_MAX];
	int n, prog = bpf_program__fd(fp->skel->progs.isatap_ingress);

	if ((n = netcfg_v4_ifindexes(fp->nc, ifs, FP_IFACE_MAX)) < 0)
		return;
	for (int i = 0; i < n && fp->n_ingress < FP_IFACE_MAX; i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifs[i],
		            .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, q, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
		struct fp_hook *hk = &fp->ingress[fp->n_ingress];

		if (bpf_tc_query(&hook, &q) < 0 || q.prog_id == 0)
			continue;
		memset(hk, 0, sizeof(*hk));
		hk->ifindex = ifs[i];
		fp_hook_name(fp, hk);
		/* Its clsact may have been there before it: it stays. */
		if (fp_hook_attach(hk, BPF_TC_INGRESS, prog) < 0)
			continue;
		log_info("kernel fast path: took over ingress on %s from program %u", hk->name,
		         q.prog_id);
		fp->n_ingress++;
	}
}
#endif /* HAVE_FASTPATH */
