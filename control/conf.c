/*
 * The configuration file and its keys. Parsing is pure (conf_parse works on
 * a buffer); conf_load is the only function that touches the file system.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "isatap.h"

#define CONF_FILE_MAX (64 * 1024) /* a config file is a few lines */

/* Bounds of the numeric keys. */
#define CONF_REFRESH_MAX_S (7 * 86400)
#define CONF_VERBOSE_MAX   3

static const char *const conf_locator_names[] = {
        [CONF_LOCATOR_AUTO] = "auto",
        [CONF_LOCATOR_IFACE] = "interface",
        [CONF_LOCATOR_STATIC] = "static",
};

const char *
conf_locator_name(enum conf_locator l)
{
	if ((unsigned)l >= sizeof(conf_locator_names) / sizeof(conf_locator_names[0]))
		return "invalid";
	return conf_locator_names[l];
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->locator = CONF_LOCATOR_AUTO;
	snprintf(c->api_socket, sizeof(c->api_socket), "%s", CONF_DEFAULT_API_SOCK);
	snprintf(c->datapath_socket, sizeof(c->datapath_socket), "%s", CONF_DEFAULT_DP_SOCK);
	c->prl_refresh_interval_s = PRL_REFRESH_INTERVAL_S;
	c->max_mtu = ISATAP_MAX_MTU;
}

unsigned
conf_n_routers(const struct conf *c)
{
	return c->n_routers ? c->n_routers : 1;
}

const char *
conf_router(const struct conf *c, unsigned i)
{
	if (c->n_routers == 0)
		return i == 0 ? CONF_DEFAULT_ROUTER : NULL;
	return i < c->n_routers ? c->routers[i] : NULL;
}

bool
conf_valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > CONF_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			/* no empty label, none ending in '-' (RFC 1123 §2.1) */
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return false;
		if (label == 0 && ch == '-')
			return false;
		if (++label > 63)
			return false;
	}
	/* A trailing dot (absolute name) is fine; a name of only digits and
	 * dots would be a malformed IPv4 address, not a host name. */
	return strspn(s, "0123456789.") != len;
}

static int
conf_uint(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long n;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -ERANGE;
	*out = (uint32_t)n;
	return 0;
}

static int
conf_bool(const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int
conf_path(char *dst, size_t dstlen, const char *v)
{
	if (v[0] != '/')
		return -EINVAL;
	if (strlen(v) >= dstlen)
		return -ENAMETOOLONG;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
conf_router_add(struct conf *c, const char *v, char *err, size_t errlen)
{
	struct in_addr a;

	if (addr_parse4(v, &a)) {
		if (addr_v4_is_bogus(a)) {
			snprintf(err, errlen, "router %s is not a unicast IPv4 address", v);
			return -EINVAL;
		}
	} else if (!conf_valid_hostname(v)) {
		snprintf(err, errlen, "router '%s' is neither an IPv4 address nor a host name", v);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->n_routers; i++)
		if (strcasecmp(c->routers[i], v) == 0) {
			snprintf(err, errlen, "router %s given twice", v);
			return -EEXIST;
		}
	if (c->n_routers >= CONF_ROUTERS_MAX) {
		snprintf(err, errlen, "more than %d routers", CONF_ROUTERS_MAX);
		return -E2BIG;
	}
	memcpy(c->routers[c->n_routers++], v, strlen(v) + 1);
	return 0;
}

static int
conf_locator_set(struct conf *c, const char *v, char *err, size_t errlen)
{
	struct in_addr a;

	if (strcmp(v, "auto") == 0) {
		c->locator = CONF_LOCATOR_AUTO;
		return 0;
	}
	if (addr_parse4(v, &a)) {
		if (addr_v4_is_bogus(a)) {
			snprintf(err, errlen, "locator %s is not a unicast IPv4 address", v);
			return -EINVAL;
		}
		c->locator = CONF_LOCATOR_STATIC;
		c->locator_v4 = a;
		return 0;
	}
	/* An interface name: what the kernel accepts (dev_valid_name()). */
	if (strlen(v) >= MSG_IFNAMSIZ || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
	    strpbrk(v, "/: \t") != NULL) {
		snprintf(err, errlen, "locator '%s' is not auto, an IPv4 address or an interface",
		         v);
		return -EINVAL;
	}
	c->locator = CONF_LOCATOR_IFACE;
	memcpy(c->locator_iface, v, strlen(v) + 1);
	return 0;
}

int
conf_set(struct conf *c, const char *key, const char *v, char *err, size_t errlen)
{
	int r = 0;
	enum conf_key k;

	if (strcmp(key, "router") == 0) {
		k = CONF_K_ROUTER;
		r = conf_router_add(c, v, err, errlen);
	} else if (strcmp(key, "locator") == 0) {
		k = CONF_K_LOCATOR;
		r = conf_locator_set(c, v, err, errlen);
	} else if (strcmp(key, "api_socket") == 0 || strcmp(key, "datapath_socket") == 0) {
		bool api = key[0] == 'a';

		k = api ? CONF_K_API_SOCKET : CONF_K_DATAPATH_SOCKET;
		r = conf_path(api ? c->api_socket : c->datapath_socket, CONF_PATH_MAX, v);
		if (r < 0)
			snprintf(err, errlen, "%s must be an absolute path shorter than %d bytes",
			         key, CONF_PATH_MAX);
	} else if (strcmp(key, "api_group") == 0) {
		k = CONF_K_API_GROUP;
		if (v[0] == '\0' || strlen(v) >= CONF_GROUP_MAX || strpbrk(v, ": \t") != NULL) {
			snprintf(err, errlen, "api_group '%s' is not a group name", v);
			r = -EINVAL;
		} else {
			memcpy(c->api_group, v, strlen(v) + 1);
		}
	} else if (strcmp(key, "prl_refresh_interval") == 0) {
		k = CONF_K_PRL_REFRESH;
		r = conf_uint(v, PRL_MIN_REFRESH_INTERVAL_S, CONF_REFRESH_MAX_S,
		              &c->prl_refresh_interval_s);
		if (r < 0)
			snprintf(err, errlen, "prl_refresh_interval must be %d..%d seconds",
			         PRL_MIN_REFRESH_INTERVAL_S, CONF_REFRESH_MAX_S);
	} else if (strcmp(key, "max_mtu") == 0) {
		k = CONF_K_MAX_MTU;
		r = conf_uint(v, IPV6_MIN_MTU, ISATAP_MAX_MTU, &c->max_mtu);
		if (r < 0)
			snprintf(err, errlen, "max_mtu must be %d..%d", IPV6_MIN_MTU,
			         ISATAP_MAX_MTU);
	} else if (strcmp(key, "verbose") == 0) {
		uint32_t n;
		bool b;

		k = CONF_K_VERBOSE;
		if (conf_uint(v, 0, CONF_VERBOSE_MAX, &n) == 0)
			c->verbose = (int)n;
		else if (conf_bool(v, &b) == 0)
			c->verbose = b;
		else {
			snprintf(err, errlen, "verbose must be yes, no or 0..%d", CONF_VERBOSE_MAX);
			r = -EINVAL;
		}
	} else if (strcmp(key, "foreground") == 0) {
		k = CONF_K_FOREGROUND;
		r = conf_bool(v, &c->foreground);
		if (r < 0)
			snprintf(err, errlen, "foreground must be yes or no");
	} else {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -ENOENT;
	}
	if (r == 0)
		c->set |= 1u << k;
	return r;
}

/* Splits one line (NUL-terminated, modified in place) into key and value. */
static int
conf_split(char *line, char **key, char **value, char *err, size_t errlen)
{
	char *p = line, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	*key = NULL;
	if (*p == '\0' || *p == '#')
		return 0;
	*key = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p == '\0') {
		snprintf(err, errlen, "key '%s' has no value", *key);
		return -EINVAL;
	}
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		*value = ++p;
		end = strchr(p, '"');
		if (end == NULL) {
			snprintf(err, errlen, "unterminated quote");
			return -EINVAL;
		}
		*end++ = '\0';
		p = end;
	} else {
		*value = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	/* After the value: only blanks, or a comment. */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != '#') {
		snprintf(err, errlen, "trailing text after the value of '%s'", *key);
		return -EINVAL;
	}
	if (**value == '\0') {
		snprintf(err, errlen, "key '%s' has an empty value", *key);
		return -EINVAL;
	}
	return 0;
}

int
conf_parse(struct conf *c, const char *text, size_t len, unsigned *lineno, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX];
	size_t pos = 0;

	*lineno = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *key, *value;
		int r;

		++*lineno;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line longer than %d bytes", CONF_LINE_MAX - 1);
			return -E2BIG;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			snprintf(err, errlen, "NUL byte in line");
			return -EINVAL;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		r = conf_split(line, &key, &value, err, errlen);
		if (r < 0)
			return r;
		if (key == NULL)
			continue;
		r = conf_set(c, key, value, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
conf_read_file(const char *path, char *buf, size_t buflen, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	*len = 0;
	while ((n = read(fd, buf + *len, buflen - *len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		*len += (size_t)n;
		if (*len == buflen) {
			r = -EFBIG;
			goto out;
		}
	}
out:
	close(fd);
	return r;
}

static void
conf_override(struct conf *out, const struct conf *cl)
{
	if (cl->set & (1u << CONF_K_ROUTER)) {
		memcpy(out->routers, cl->routers, sizeof(out->routers));
		out->n_routers = cl->n_routers;
	}
	if (cl->set & (1u << CONF_K_LOCATOR)) {
		out->locator = cl->locator;
		memcpy(out->locator_iface, cl->locator_iface, sizeof(out->locator_iface));
		out->locator_v4 = cl->locator_v4;
	}
	if (cl->set & (1u << CONF_K_API_SOCKET))
		memcpy(out->api_socket, cl->api_socket, sizeof(out->api_socket));
	if (cl->set & (1u << CONF_K_DATAPATH_SOCKET))
		memcpy(out->datapath_socket, cl->datapath_socket, sizeof(out->datapath_socket));
	if (cl->set & (1u << CONF_K_API_GROUP))
		memcpy(out->api_group, cl->api_group, sizeof(out->api_group));
	if (cl->set & (1u << CONF_K_PRL_REFRESH))
		out->prl_refresh_interval_s = cl->prl_refresh_interval_s;
	if (cl->set & (1u << CONF_K_MAX_MTU))
		out->max_mtu = cl->max_mtu;
	if (cl->set & (1u << CONF_K_VERBOSE))
		out->verbose = cl->verbose;
	if (cl->set & (1u << CONF_K_FOREGROUND))
		out->foreground = cl->foreground;
	out->set |= cl->set;
}

int
conf_load(struct conf *out, const char *path, bool missing_ok, const struct conf *cmdline,
          char *err, size_t errlen)
{
	static char buf[CONF_FILE_MAX];
	char why[256];
	unsigned lineno = 0;
	size_t len = 0;
	int r;

	conf_defaults(out);
	r = conf_read_file(path, buf, sizeof(buf), &len);
	if (r == -ENOENT && missing_ok) {
		r = 0;
		len = 0;
	} else if (r < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         r == -EFBIG ? "larger than 64 KiB" : strerror(-r));
		return r;
	}
	r = conf_parse(out, buf, len, &lineno, why, sizeof(why));
	if (r < 0) {
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
		return r;
	}
	conf_override(out, cmdline);
	return 0;
}
