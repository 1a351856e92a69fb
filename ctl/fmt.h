/*
 * Helpers for isatapctl's human output: typed, NULL-safe access to the
 * daemon's JSON (a missing or mistyped member reads as absent, never a
 * crash), durations and byte counts in words, and aligned tables whose cells
 * carry only printable ASCII, whatever the daemon sent.
 */
#ifndef ISATAP_CTL_FMT_H
#define ISATAP_CTL_FMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

/* Member access: NULL / false when o is not an object, the member is
 * missing, or it has another type. */
const char *j_str(const json_t *o, const char *key);
bool j_int(const json_t *o, const char *key, long long *v);
bool j_true(const json_t *o, const char *key); /* the member is the JSON literal true */
const json_t *j_obj(const json_t *o, const char *key);
const json_t *j_arr(const json_t *o, const char *key);

#define FMT_BUFLEN 64

/* 93784 -> "1d2h3m4s", 3600 -> "1h", 0 -> "0s"; negative -> "?". */
const char *fmt_dur(long long s, char buf[FMT_BUFLEN]);

/*
 * A lifetime member `key` of o: "forever" when it is null and o has
 * "infinite": true, `none` when null or missing, else a duration.
 */
const char *fmt_lifetime(const json_t *o, const char *key, const char *none, char buf[FMT_BUFLEN]);

/* 1040 -> "1040 B", 1536 -> "1.5 KiB", up to "TiB". */
const char *fmt_bytes(long long n, char buf[FMT_BUFLEN]);

/* s with every byte that is not printable ASCII replaced by '?', cut to fit. */
const char *fmt_safe(const char *s, char *buf, size_t len);

/* A string member for display: the value, or `none` when absent. */
const char *fmt_or(const char *s, const char *none);

/*
 * A table of ncols columns filled row by row; printing pads every column
 * but the last to its widest cell. Non-printable bytes become '?'.
 */
struct tbl {
	size_t ncols;
	size_t n, cap;
	char **cells;
};
void tbl_init(struct tbl *t, size_t ncols);
void tbl_add(struct tbl *t, const char *fmt, ...) LOG_FMT(2, 3);
void tbl_print(const struct tbl *t, FILE *f, const char *indent);
void tbl_free(struct tbl *t);

#endif
