/*
 * kroutes.h: the datapath's kernel routes on XNU. The tables are small
 * (KR_WANT_MAX) and change only on control's requests: linear scans.
 */
#include <errno.h>
#include <string.h>

#include "kroutes.h"

static bool
same(const struct prefix6 *a, const struct prefix6 *b)
{
	return a->plen == b->plen && memcmp(&a->addr, &b->addr, sizeof(a->addr)) == 0;
}

/* ::/1 and 8000::/1 */
static void
halves(struct prefix6 h[2])
{
	memset(h, 0, 2 * sizeof(*h));
	h[0].plen = h[1].plen = 1;
	h[1].addr.s6_addr[0] = 0x80;
}

static void
add_unique(struct prefix6 *d, size_t *n, size_t max, const struct prefix6 *p)
{
	for (size_t i = 0; i < *n; i++)
		if (same(&d[i], p))
			return;
	if (*n < max)
		d[(*n)++] = *p;
}

/* The kernel routes that what is wanted comes to. */
static size_t
desired(const struct kroutes *kr, struct prefix6 *d, size_t max)
{
	struct prefix6 h[2];
	size_t n = 0;

	halves(h);
	for (size_t i = 0; i < kr->n_want; i++) {
		if (kr->want[i].p.plen != 0) {
			add_unique(d, &n, max, &kr->want[i].p);
		} else if (!kr->foreign_default) {
			add_unique(d, &n, max, &h[0]);
			add_unique(d, &n, max, &h[1]);
		}
	}
	return n;
}

static ssize_t
kern_find(const struct kroutes *kr, const struct prefix6 *p)
{
	for (size_t i = 0; i < kr->n_kern; i++)
		if (same(&kr->kern[i].p, p))
			return (ssize_t)i;
	return -1;
}

static void
kern_drop(struct kroutes *kr, size_t i)
{
	kr->kern[i] = kr->kern[--kr->n_kern];
}

/* Another's route nobody wants any more is forgotten: a later wish asks
 * the kernel again. */
static void
prune(struct kroutes *kr)
{
	struct prefix6 d[KR_KERNEL_MAX];
	size_t n = desired(kr, d, KR_KERNEL_MAX);

	for (size_t i = 0; i < kr->n_kern;) {
		bool wanted = false;

		for (size_t j = 0; j < n; j++)
			wanted |= same(&d[j], &kr->kern[i].p);
		if (!kr->kern[i].ours && !wanted)
			kern_drop(kr, i);
		else
			i++;
	}
}

void
kr_init(struct kroutes *kr)
{
	memset(kr, 0, sizeof(*kr));
}

int
kr_set(struct kroutes *kr, bool add, const struct prefix6 *p, uint32_t metric)
{
	for (size_t i = 0; i < kr->n_want; i++) {
		if (kr->want[i].metric != metric || !same(&kr->want[i].p, p))
			continue;
		if (!add) {
			kr->want[i] = kr->want[--kr->n_want];
			prune(kr);
		}
		return 0;
	}
	if (!add)
		return -ENOENT;
	if (kr->n_want == KR_WANT_MAX)
		return -ENOSPC;
	kr->want[kr->n_want].p = *p;
	kr->want[kr->n_want].metric = metric;
	kr->n_want++;
	return 0;
}

size_t
kr_plan(const struct kroutes *kr, struct kr_op *ops, size_t max)
{
	struct prefix6 d[KR_KERNEL_MAX];
	size_t nd = desired(kr, d, KR_KERNEL_MAX), n = 0;

	for (size_t i = 0; i < nd && n < max; i++)
		if (kern_find(kr, &d[i]) < 0)
			ops[n++] = (struct kr_op){.add = true, .p = d[i]};
	for (size_t i = 0; i < kr->n_kern && n < max; i++) {
		bool wanted = false;

		if (!kr->kern[i].ours)
			continue;
		for (size_t j = 0; j < nd; j++)
			wanted |= same(&d[j], &kr->kern[i].p);
		if (!wanted)
			ops[n++] = (struct kr_op){.add = false, .p = kr->kern[i].p};
	}
	return n;
}

void
kr_done(struct kroutes *kr, const struct kr_op *op, int err)
{
	ssize_t i = kern_find(kr, &op->p);

	if (op->add) {
		if ((err != 0 && err != -EEXIST) || i >= 0 || kr->n_kern == KR_KERNEL_MAX)
			return; /* not there: asked for again by the next plan */
		kr->kern[kr->n_kern].p = op->p;
		kr->kern[kr->n_kern].ours = err == 0;
		kr->n_kern++;
		return;
	}
	if (i >= 0 && (err == 0 || err == -ESRCH))
		kern_drop(kr, (size_t)i);
}

void
kr_foreign_default(struct kroutes *kr, bool present)
{
	kr->foreign_default = present;
	prune(kr);
}

void
kr_recheck(struct kroutes *kr)
{
	for (size_t i = 0; i < kr->n_kern;)
		if (!kr->kern[i].ours)
			kern_drop(kr, i);
		else
			i++;
}

size_t
kr_flush(struct kroutes *kr, struct kr_op *ops, size_t max)
{
	size_t n = 0;

	kr->n_want = 0;
	for (size_t i = 0; i < kr->n_kern && n < max; i++)
		if (kr->kern[i].ours)
			ops[n++] = (struct kr_op){.add = false, .p = kr->kern[i].p};
	/* Another's routes are theirs to keep; ours go with the ops. */
	kr_recheck(kr);
	return n;
}

bool
kr_installed(const struct kroutes *kr, const struct prefix6 *p)
{
	struct prefix6 h[2];

	if (p->plen != 0)
		return kern_find(kr, p) >= 0;
	halves(h);
	return kern_find(kr, &h[0]) >= 0 && kern_find(kr, &h[1]) >= 0;
}
