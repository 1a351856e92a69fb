/*
 * isatap-control's configuration: `key value` lines in a file (-f), each key
 * also a command-line option. The command line wins over the file, and keeps
 * winning across SIGHUP reloads, which re-read only the file.
 */
#ifndef ISATAP_CONTROL_CONF_H
#define ISATAP_CONTROL_CONF_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "msg.h"

#define CONF_DEFAULT_FILE     SYSCONFDIR "/isatap/isatap.conf"
#define CONF_DEFAULT_DP_SOCK  RUNSTATEDIR "/isatap/datapath.sock"
#define CONF_DEFAULT_API_SOCK RUNSTATEDIR "/isatap/control.sock"
#define CONF_DEFAULT_ROUTER   "isatap" /* RFC 5214 §8.3.2, RFC 6964 §5.4 */

#define CONF_ROUTERS_MAX MSG_PRL_MAX
#define CONF_NAME_MAX    253 /* RFC 1035 §2.3.4: a DNS name in text form */
#define CONF_GROUP_MAX   64
#define CONF_PATH_MAX    108 /* sizeof(sockaddr_un.sun_path) */
#define CONF_LINE_MAX    1024

enum conf_locator {
	CONF_LOCATOR_AUTO,   /* the source the kernel picks toward the first router */
	CONF_LOCATOR_IFACE,  /* the first IPv4 address of an interface */
	CONF_LOCATOR_STATIC, /* an explicit IPv4 address */
};
const char *conf_locator_name(enum conf_locator l); /* "auto", "interface", "static" */

/* One bit per key, to know what the command line set. */
enum conf_key {
	CONF_K_ROUTER = 0,
	CONF_K_LOCATOR,
	CONF_K_API_SOCKET,
	CONF_K_DATAPATH_SOCKET,
	CONF_K_API_GROUP,
	CONF_K_PRL_REFRESH,
	CONF_K_MAX_MTU,
	CONF_K_VERBOSE,
	CONF_K_FOREGROUND,
	CONF_K_COUNT
};

struct conf {
	/* router: a DNS name or a dotted quad, in the order given */
	char routers[CONF_ROUTERS_MAX][CONF_NAME_MAX + 1];
	unsigned n_routers;
	enum conf_locator locator;
	char locator_iface[MSG_IFNAMSIZ];
	struct in_addr locator_v4;
	char api_socket[CONF_PATH_MAX];
	char datapath_socket[CONF_PATH_MAX];
	char api_group[CONF_GROUP_MAX];  /* "" = only root may change state */
	uint32_t prl_refresh_interval_s; /* RFC 5214 §8.3.2 PrlRefreshInterval */
	uint32_t max_mtu;                /* upper bound for an RA's MTU option */
	int verbose;
	bool foreground;
	uint32_t set; /* bit (1 << enum conf_key) for every key given */
};

/* The built-in defaults; n_routers 0 means "CONF_DEFAULT_ROUTER". */
void conf_defaults(struct conf *c);

/*
 * Applies one `key value` setting. On error returns a negative errno and
 * writes a reason into err. Repeating `router` appends; other keys replace.
 */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen);

/*
 * Parses the text of a configuration file into c (on top of what is in it).
 * Lines: blank, `# comment`, or `key value` (value may be "quoted"). On the
 * first error returns a negative errno, sets *lineno and writes the reason.
 */
int conf_parse(struct conf *c, const char *text, size_t len, unsigned *lineno, char *err,
               size_t errlen);

/*
 * Builds the effective configuration: defaults, then the file at path (a
 * missing file is fine only when missing_ok), then every key set in cmdline.
 * On error writes "path:line: reason" into err and returns a negative errno.
 */
int conf_load(struct conf *out, const char *path, bool missing_ok, const struct conf *cmdline,
              char *err, size_t errlen);

/* The routers to use: the configured ones, or else the default name. */
unsigned conf_n_routers(const struct conf *c);
const char *conf_router(const struct conf *c, unsigned i);

/* True for a syntactically valid DNS host name (RFC 1123 §2.1 labels). */
bool conf_valid_hostname(const char *s);

#endif
