#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_foreground = 1;
static int log_verbose;
static const char *log_progname = "isatap";

void
log_init(const char *progname, int foreground, int verbose)
{
	log_progname = progname;
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/* The va_list forms carry the printf attribute too, so that -Wformat=2
 * (-Wformat-nonliteral under clang) checks the callers instead. */
static void vlog(int pri, const char *fmt, va_list ap) LOG_FMT(2, 0);
static void vlog_errno(int pri, int saved, const char *fmt, va_list ap) LOG_FMT(3, 0);

static void
vlog(int pri, const char *fmt, va_list ap)
{
	if (log_foreground) {
		fprintf(stderr, "%s: ", log_progname);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else {
		vsyslog(pri, fmt, ap);
	}
}

static void
vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_foreground) {
		fprintf(stderr, "%s: %s: %s\n", log_progname, buf, strerror(saved));
		fflush(stderr);
	} else {
		syslog(pri, "%s: %s", buf, strerror(saved));
	}
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(status);
}

void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(status);
}

int
log_ratelimit(struct log_rate *r, uint64_t now_ms, uint64_t *suppressed)
{
	uint64_t refill;

	if (r->per_s > 0 && now_ms > r->last_ms) {
		refill = (now_ms - r->last_ms) * r->per_s / 1000;
		if (refill > 0) {
			r->tokens = refill >= r->burst || r->tokens + refill > r->burst
			                    ? r->burst
			                    : r->tokens + (uint32_t)refill;
			r->last_ms = now_ms;
		}
	}
	if (r->tokens == 0) {
		r->suppressed++;
		return 0;
	}
	r->tokens--;
	if (suppressed != NULL)
		*suppressed = r->suppressed;
	r->suppressed = 0;
	return 1;
}
