/*
 * Logging for the daemons and isatapctl, after OpenBSD's log.c: stderr in the
 * foreground, syslog otherwise. log_warn() appends strerror(errno); fatal()
 * and fatalx() log and exit. Per-packet events are counters, never log lines.
 */
#ifndef ISATAP_COMMON_LOG_H
#define ISATAP_COMMON_LOG_H

#include <stdarg.h>
#include <stdint.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

void log_init(const char *progname, int foreground, int verbose);
void log_setverbose(int verbose);
int log_getverbose(void);

void log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void log_warnx(const char *fmt, ...) LOG_FMT(1, 2);
void log_info(const char *fmt, ...) LOG_FMT(1, 2);
void log_debug(const char *fmt, ...) LOG_FMT(1, 2);
void fatal(int status, const char *fmt, ...) LOG_FMT(2, 3) __attribute__((noreturn));
void fatalx(int status, const char *fmt, ...) LOG_FMT(2, 3) __attribute__((noreturn));

/*
 * A token bucket for log lines caused by outside input (hostile packets,
 * bad API clients): at most `burst` lines, refilled at `per_s` a second.
 * log_ratelimit() returns 1 when the caller may log; the number suppressed
 * since the last allowed line is returned through *suppressed.
 */
struct log_rate {
	uint64_t last_ms;
	uint32_t tokens;
	uint32_t burst, per_s;
	uint64_t suppressed;
};
/* clang-format off */
#define LOG_RATE_INIT(burst, per_s) {0, (burst), (burst), (per_s), 0}
/* clang-format on */
int log_ratelimit(struct log_rate *r, uint64_t now_ms, uint64_t *suppressed);

#endif
