/*
 * A token bucket for things caused by outside input that must not be done
 * more often than a budget allows (ICMPv6 errors, RFC 4443 §2.4(f)): at most
 * `burst` at once, refilled at `per_s` a second. Pure: the caller passes
 * the monotonic time, so tests drive it. log_ratelimit() (log.h) is the
 * same idea for log lines, with a suppression count for the next line.
 */
#ifndef ISATAP_COMMON_RATE_H
#define ISATAP_COMMON_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct rate_bucket {
	uint64_t last_ms; /* the time the tokens were last counted up to */
	uint32_t tokens;
	uint32_t burst, per_s;
};
/* Full at start. per_s 0: only the first `burst`, ever. */
/* clang-format off */
#define RATE_BUCKET_INIT(burst, per_s) {0, (burst), (burst), (per_s)}
/* clang-format on */

/* Takes one token at now_ms: true when the caller may go ahead. */
bool rate_take(struct rate_bucket *b, uint64_t now_ms);

#endif
