/*
 * `isatapctl monitor` without --json: one line per event notification,
 * "TIME EVENT words", the words from a template per known event (docs/API.md
 * "Notifications"). Events of a later schema are shown as key=value pairs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "show.h"

static const struct {
	const char *event;
	const char *text; /* %{member} is replaced by the member's value */
} event_text[] = {
        {"router_up", "router %{router} up, lifetime %{lifetime_s}"},
        {"router_down", "router %{router} down: %{reason}"},
        {"default_router_changed", "default router %{router} (was %{previous})"},
        {"address_added", "address %{address}/%{prefix_len} added"},
        {"address_deprecated", "address %{address} deprecated"},
        {"address_removed", "address %{address} removed"},
        {"locator_changed", "locator %{ipv4} (was %{previous})"},
        {"datapath_connected", "datapath connected"},
        {"datapath_disconnected", "datapath disconnected"},
        {"prl_changed", "potential router list: %{routers}"},
};

/* A growing line; fatal on allocation failure (a CLI has nothing to save). */
struct line {
	char *s;
	size_t len, cap;
};

static void
line_put(struct line *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		size_t ncap = (l->len + n + 1) * 2;
		char *ns = realloc(l->s, ncap);

		if (ns == NULL)
			fatalx(1, "out of memory");
		l->s = ns;
		l->cap = ncap;
	}
	memcpy(l->s + l->len, s, n);
	l->len += n;
	l->s[l->len] = '\0';
}

static void
line_puts(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/* One member's value in words: durations for *_s, "none" for null. */
static void
event_value(struct line *l, const char *key, const json_t *v)
{
	char b[FMT_BUFLEN];
	size_t klen = strlen(key), i;
	const json_t *e;

	if (v == NULL) {
		line_puts(l, "-");
	} else if (json_is_null(v)) {
		line_puts(l, "none");
	} else if (json_is_string(v)) {
		line_puts(l, json_string_value(v));
	} else if (json_is_integer(v) && klen > 2 && strcmp(key + klen - 2, "_s") == 0) {
		line_puts(l, fmt_dur(json_integer_value(v), b));
	} else if (json_is_integer(v)) {
		snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
		line_puts(l, b);
	} else if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			line_puts(l, "empty");
		json_array_foreach(v, i, e)
		{
			if (i > 0)
				line_puts(l, " ");
			event_value(l, "", e);
		}
	} else {
		char *j = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);

		line_puts(l, j != NULL ? j : "?");
		free(j);
	}
}

static void
event_expand(struct line *l, const char *tmpl, const json_t *ev)
{
	const char *p = tmpl;

	while (*p != '\0') {
		const char *open = strstr(p, "%{"), *close;
		char key[64];

		if (open == NULL || (close = strchr(open, '}')) == NULL ||
		    (size_t)(close - open - 2) >= sizeof(key)) {
			line_puts(l, p);
			return;
		}
		line_put(l, p, (size_t)(open - p));
		memcpy(key, open + 2, (size_t)(close - open - 2));
		key[close - open - 2] = '\0';
		event_value(l, key, json_object_get(ev, key));
		p = close + 1;
	}
}

void
show_event(FILE *f, const json_t *ev)
{
	const char *name = fmt_or(j_str(ev, "event"), "?");
	struct line l = {0};
	char tb[32] = "?";
	long long t;
	size_t i;

	if (j_int(ev, "time", &t)) {
		time_t tt = (time_t)t;
		struct tm tm;

		if (localtime_r(&tt, &tm) != NULL)
			strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S", &tm);
	}
	line_puts(&l, tb);
	line_puts(&l, " ");
	line_puts(&l, name);
	line_puts(&l, " ");
	for (i = 0; i < sizeof(event_text) / sizeof(event_text[0]); i++)
		if (strcmp(name, event_text[i].event) == 0)
			break;
	if (i < sizeof(event_text) / sizeof(event_text[0])) {
		event_expand(&l, event_text[i].text, ev);
	} else {
		const char *k;
		json_t *v;
		bool first = true;

		json_object_foreach((json_t *)ev, k, v)
		{
			if (strcmp(k, "event") == 0 || strcmp(k, "time") == 0)
				continue;
			if (!first)
				line_puts(&l, " ");
			first = false;
			line_puts(&l, k);
			line_puts(&l, "=");
			event_value(&l, k, v);
		}
	}
	/* Everything but the template came from the daemon: printable ASCII only. */
	for (i = 0; i < l.len; i++)
		if (l.s[i] < 0x20 || l.s[i] >= 0x7f)
			l.s[i] = '?';
	fprintf(f, "%s\n", l.s);
	free(l.s);
}
