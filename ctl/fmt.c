#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fmt.h"

const char *
j_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool
j_int(const json_t *o, const char *key, long long *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

bool
j_true(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

const json_t *
j_obj(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

const json_t *
j_arr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

const char *
fmt_dur(long long s, char buf[FMT_BUFLEN])
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t off = 0, i;
	bool started = false;

	if (s < 0)
		return strcpy(buf, "?");
	if (s == 0)
		return strcpy(buf, "0s");
	/* From the largest non-zero unit down to the smallest non-zero one:
	 * 3600 is "1h", 3605 is "1h0m5s", so that nothing is rounded away. */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long q = s / units[i].secs;

		s %= units[i].secs;
		if (q == 0 && !started)
			continue;
		started = true;
		off += (size_t)snprintf(buf + off, FMT_BUFLEN - off, "%lld%c", q, units[i].unit);
		if (s == 0)
			break;
	}
	return buf;
}

const char *
fmt_lifetime(const json_t *o, const char *key, const char *none, char buf[FMT_BUFLEN])
{
	long long v;

	if (j_int(o, key, &v))
		return fmt_dur(v, buf);
	if (json_is_null(json_object_get(o, key)) && j_true(o, "infinite"))
		return "forever";
	return none;
}

const char *
fmt_bytes(long long n, char buf[FMT_BUFLEN])
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t i;

	if (n < 0)
		return strcpy(buf, "?");
	if (n < 1024) {
		snprintf(buf, FMT_BUFLEN, "%lld B", n);
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1 && v >= 1024.0 * 1024.0; i++)
		v /= 1024.0;
	snprintf(buf, FMT_BUFLEN, "%.1f %s", v / 1024.0, units[i]);
	return buf;
}

const char *
fmt_safe(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

const char *
fmt_or(const char *s, const char *none)
{
	return s != NULL ? s : none;
}

void
tbl_init(struct tbl *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void
tbl_add(struct tbl *t, const char *fmt, ...)
{
	va_list ap;
	char *cell, *p;
	int n;

	if (t->n == t->cap) {
		size_t ncap = t->cap == 0 ? 32 : t->cap * 2;
		char **nc = realloc(t->cells, ncap * sizeof(*nc));

		if (nc == NULL)
			fatalx(CTL_EXIT_FAIL, "out of memory");
		t->cells = nc;
		t->cap = ncap;
	}
	va_start(ap, fmt);
	n = vasprintf(&cell, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx(CTL_EXIT_FAIL, "out of memory");
	/* The daemon's strings reach a terminal: no escape sequences. */
	for (p = cell; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	t->cells[t->n++] = cell;
}

void
tbl_print(const struct tbl *t, FILE *f, const char *indent)
{
	size_t *width, row, c, last;

	if (t->ncols == 0 || t->n == 0)
		return;
	width = calloc(t->ncols, sizeof(*width));
	if (width == NULL)
		fatalx(CTL_EXIT_FAIL, "out of memory");
	for (c = 0; c < t->n; c++) {
		size_t l = strlen(t->cells[c]);

		if (l > width[c % t->ncols])
			width[c % t->ncols] = l;
	}
	for (row = 0; row < t->n; row += t->ncols) {
		const char *const *cells = (const char *const *)t->cells + row;
		size_t nc = t->n - row < t->ncols ? t->n - row : t->ncols;

		/* Pad up to the last non-empty cell only: no trailing blanks. */
		for (last = nc; last > 1 && cells[last - 1][0] == '\0'; last--)
			;
		fputs(indent, f);
		for (c = 0; c + 1 < last; c++)
			fprintf(f, "%-*s  ", (int)width[c], cells[c]);
		fprintf(f, "%s\n", cells[last - 1]);
	}
	free(width);
}

void
tbl_free(struct tbl *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
