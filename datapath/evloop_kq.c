/*
 * evloop_kq.h: the registration table of the kqueue loop.
 */
#include <errno.h>
#include <string.h>

#include "evloop_kq.h"

void
evkq_init(struct evkq *t)
{
	memset(t, 0, sizeof(*t));
}

static int
find(const struct evkq *t, int fd)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->fds[i].fd == fd)
			return (int)i;
	return -1;
}

/* The changes from events was to now for fd; a new tag re-adds what stays
 * (EV_ADD on a knote that exists replaces its udata). */
static unsigned
diff(int fd, short was, short now, int retag, struct evkq_change *ch)
{
	static const struct {
		short bit;
		enum evkq_filter filter;
	} map[] = {{POLLIN, EVKQ_READ}, {POLLOUT, EVKQ_WRITE}};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		int had = (was & map[i].bit) != 0, want = (now & map[i].bit) != 0;

		if (want && (!had || retag))
			ch[n++] = (struct evkq_change){fd, map[i].filter, 1};
		else if (had && !want)
			ch[n++] = (struct evkq_change){fd, map[i].filter, 0};
	}
	return n;
}

int
evkq_set(struct evkq *t, int fd, unsigned tag, short events, int add, struct evkq_change *ch,
         unsigned *n)
{
	int i = find(t, fd);

	events &= POLLIN | POLLOUT;
	*n = 0;
	if (add) {
		if (i >= 0)
			return -EEXIST;
		if (t->n == EVKQ_FDS_MAX)
			return -ENOSPC;
		i = (int)t->n++;
		t->fds[i].fd = fd;
		t->fds[i].tag = tag;
		t->fds[i].events = 0;
	} else if (i < 0) {
		return -ENOENT;
	}
	*n = diff(fd, t->fds[i].events, events, t->fds[i].tag != tag, ch);
	t->fds[i].tag = tag;
	t->fds[i].events = events;
	return 0;
}

void
evkq_undo(struct evkq *t, int fd, unsigned prev_tag, short prev_events)
{
	int i = find(t, fd);

	if (i < 0)
		return;
	if (prev_events < 0) {
		t->fds[i] = t->fds[--t->n];
		return;
	}
	t->fds[i].tag = prev_tag;
	t->fds[i].events = prev_events;
}

unsigned
evkq_del(struct evkq *t, int fd, struct evkq_change *ch)
{
	int i = find(t, fd);
	unsigned n;

	if (i < 0)
		return 0;
	n = diff(fd, t->fds[i].events, 0, 0, ch);
	t->fds[i] = t->fds[--t->n];
	return n;
}

int
evkq_get(const struct evkq *t, int fd, unsigned *tag, short *events)
{
	int i = find(t, fd);

	if (i < 0)
		return -ENOENT;
	*tag = t->fds[i].tag;
	*events = t->fds[i].events;
	return 0;
}

int
evkq_fold(const struct evkq *t, const struct evkq_got *got, unsigned n, struct evl_event *ev,
          int max)
{
	int out = 0, slot[EVKQ_FDS_MAX];

	for (unsigned i = 0; i < EVKQ_FDS_MAX; i++)
		slot[i] = -1;
	for (unsigned k = 0; k < n; k++) {
		short bits;
		int i;

		if (got[k].filter == EVKQ_SIGNAL) {
			if (out < max)
				ev[out++] = (struct evl_event){.tag = EVL_TAG_SIGNAL,
				                               .signo = got[k].ident};
			continue;
		}
		if ((i = find(t, got[k].ident)) < 0)
			continue;
		bits = (short)(got[k].filter == EVKQ_READ ? POLLIN : POLLOUT);
		if (got[k].eof)
			bits |= POLLHUP;
		if (got[k].err)
			bits |= POLLERR;
		if (slot[i] < 0) {
			if (out == max)
				continue;
			slot[i] = out++;
			ev[slot[i]] = (struct evl_event){.tag = t->fds[i].tag};
		}
		ev[slot[i]].revents |= bits;
	}
	return out;
}
