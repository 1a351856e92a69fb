/*
 * datapath/evloop_kq.c: the bookkeeping of the macOS event loop (kqueue
 * filters per descriptor, folding kevents into one event per descriptor).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/evloop_kq.h"

static void
test_add_mod_del(void **state)
{
	struct evkq t;
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n, tag;
	short ev;

	(void)state;
	evkq_init(&t);
	assert_int_equal(evkq_set(&t, 7, 3, POLLIN, 1, ch, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].ident, 7);
	assert_int_equal(ch[0].filter, EVKQ_READ);
	assert_true(ch[0].add);
	/* Twice: refused, nothing to send. */
	assert_int_equal(evkq_set(&t, 7, 3, POLLIN, 1, ch, &n), -EEXIST);
	assert_int_equal(n, 0);
	/* Reading and writing: only the write filter is new. */
	assert_int_equal(evkq_set(&t, 7, 3, POLLIN | POLLOUT, 0, ch, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].filter, EVKQ_WRITE);
	assert_true(ch[0].add);
	/* Writing only: the read filter goes (a delete of a filter that is
	 * not there would fail with ENOENT). */
	assert_int_equal(evkq_set(&t, 7, 3, POLLOUT, 0, ch, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].filter, EVKQ_READ);
	assert_false(ch[0].add);
	/* Silent but registered (evloop.h: events 0). */
	assert_int_equal(evkq_set(&t, 7, 3, 0, 0, ch, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].filter, EVKQ_WRITE);
	assert_false(ch[0].add);
	assert_int_equal(evkq_get(&t, 7, &tag, &ev), 0);
	assert_int_equal(tag, 3);
	assert_int_equal(ev, 0);
	assert_int_equal(evkq_del(&t, 7, ch), 0);
	assert_int_equal(evkq_get(&t, 7, &tag, &ev), -ENOENT);
	assert_int_equal(evkq_set(&t, 7, 3, POLLIN, 0, ch, &n), -ENOENT);
}

/* A new tag for the same descriptor re-adds what stays: the kqueue's
 * udata changes with it. */
static void
test_retag(void **state)
{
	struct evkq t;
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n;

	(void)state;
	evkq_init(&t);
	evkq_set(&t, 9, 1, POLLIN | POLLOUT, 1, ch, &n);
	assert_int_equal(n, 2);
	assert_int_equal(evkq_set(&t, 9, 2, POLLIN, 0, ch, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ch[0].filter, EVKQ_READ);
	assert_true(ch[0].add);
	assert_int_equal(ch[1].filter, EVKQ_WRITE);
	assert_false(ch[1].add);
	/* The deletion of both filters at the end. */
	evkq_set(&t, 9, 2, POLLIN | POLLOUT, 0, ch, &n);
	assert_int_equal(evkq_del(&t, 9, ch), 2);
	assert_false(ch[0].add);
	assert_false(ch[1].add);
}

/* The kqueue refused a change: the table goes back to what it was. */
static void
test_undo(void **state)
{
	struct evkq t;
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n, tag;
	short ev;

	(void)state;
	evkq_init(&t);
	evkq_set(&t, 4, 1, POLLIN, 1, ch, &n);
	evkq_set(&t, 4, 5, POLLOUT, 0, ch, &n);
	evkq_undo(&t, 4, 1, POLLIN);
	assert_int_equal(evkq_get(&t, 4, &tag, &ev), 0);
	assert_int_equal(tag, 1);
	assert_int_equal(ev, POLLIN);
	evkq_set(&t, 5, 2, POLLIN, 1, ch, &n);
	evkq_undo(&t, 5, 0, -1);
	assert_int_equal(evkq_get(&t, 5, &tag, &ev), -ENOENT);
	assert_int_equal(evkq_get(&t, 4, &tag, &ev), 0);
}

static void
test_full(void **state)
{
	struct evkq t;
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n;

	(void)state;
	evkq_init(&t);
	for (int fd = 0; fd < EVKQ_FDS_MAX; fd++)
		assert_int_equal(evkq_set(&t, fd, (unsigned)fd, POLLIN, 1, ch, &n), 0);
	assert_int_equal(evkq_set(&t, 100, 100, POLLIN, 1, ch, &n), -ENOSPC);
}

/* Read and write of one descriptor are one event; EOF is POLLHUP, a
 * socket error POLLERR; a signal is its own event; a descriptor
 * forgotten since is dropped. */
static void
test_fold(void **state)
{
	struct evkq t;
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	struct evl_event ev[8];
	unsigned n;
	const struct evkq_got got[] = {
	        {.ident = 5, .filter = EVKQ_READ},
	        {.ident = 15, .filter = EVKQ_SIGNAL},
	        {.ident = 6, .filter = EVKQ_READ, .eof = 1},
	        {.ident = 5, .filter = EVKQ_WRITE},
	        {.ident = 42, .filter = EVKQ_READ},
	        {.ident = 6, .filter = EVKQ_WRITE, .eof = 1, .err = 1},
	};

	(void)state;
	evkq_init(&t);
	evkq_set(&t, 5, 10, POLLIN | POLLOUT, 1, ch, &n);
	evkq_set(&t, 6, 11, POLLIN | POLLOUT, 1, ch, &n);
	assert_int_equal(evkq_fold(&t, got, 6, ev, 8), 3);
	assert_int_equal(ev[0].tag, 10);
	assert_int_equal(ev[0].revents, POLLIN | POLLOUT);
	assert_int_equal(ev[1].tag, EVL_TAG_SIGNAL);
	assert_int_equal(ev[1].signo, 15);
	assert_int_equal(ev[2].tag, 11);
	assert_int_equal(ev[2].revents, POLLIN | POLLOUT | POLLHUP | POLLERR);
	/* Room for two: the rest waits for the next wake-up (kqueue keeps
	 * level-triggered knotes), never past max. */
	assert_int_equal(evkq_fold(&t, got, 6, ev, 2), 2);
	assert_int_equal(ev[0].revents, POLLIN | POLLOUT);
	assert_int_equal(ev[1].tag, EVL_TAG_SIGNAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_add_mod_del), cmocka_unit_test(test_retag),
	        cmocka_unit_test(test_undo),        cmocka_unit_test(test_full),
	        cmocka_unit_test(test_fold),
	};

	return cmocka_run_group_tests_name("dp_evloop_kq", tests, NULL, NULL);
}
