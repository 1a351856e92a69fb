/*
 * isatapctl: the command-line client of isatap-control's JSON-RPC API
 * (docs/API.md). After wireguard-tools' wg: a table of subcommands, each
 * with its own usage; human output by default, the daemon's own result
 * objects with --json.
 */
#ifndef ISATAP_CTL_CTL_H
#define ISATAP_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses, documented in isatapctl(8) and never changed. */
#define CTL_EXIT_OK          0
#define CTL_EXIT_FAIL        1  /* the operation failed, or the daemon answered an error */
#define CTL_EXIT_USAGE       2  /* bad command line */
#define CTL_EXIT_UNREACHABLE 69 /* EX_UNAVAILABLE: the daemon's socket cannot be used */

#define CTL_DEFAULT_SOCKET RUNSTATEDIR "/isatap/control.sock"
#define CTL_SOCKET_ENV     "ISATAP_CONTROL_SOCKET"
#define CTL_ARGS_MAX       8 /* positional words after the options; no command takes more */

enum ctl_json {
	CTL_JSON_OFF = 0,
	CTL_JSON_AUTO,   /* --json: pretty on a terminal, compact otherwise */
	CTL_JSON_PRETTY, /* --json=pretty */
	CTL_JSON_SHORT,  /* --json=short */
};

struct ctl_opts {
	const char *socket; /* -s, else $ISATAP_CONTROL_SOCKET, else the default */
	enum ctl_json json;
	bool help;
	bool version;
	int argc;                       /* positional words: the command and its arguments */
	const char *argv[CTL_ARGS_MAX]; /* pointers into the caller's argv */
};

/*
 * Parses the command line (argv[0] is the program name). Options may come
 * before or after the command; "--" ends them. `env_socket` is the value of
 * $ISATAP_CONTROL_SOCKET or NULL. Returns CTL_EXIT_OK, or CTL_EXIT_USAGE with
 * the reason in err.
 */
int ctl_parse_args(int argc, char *const argv[], const char *env_socket, struct ctl_opts *o,
                   char *err, size_t errlen);

/* The subcommand table (cmd.c). */
struct ctl_cmd {
	const char *name;
	const char *args;  /* usage of the arguments, "" when none */
	const char *about; /* one line for the summary */
	int min_args, max_args;
	int (*run)(const struct ctl_opts *o, int argc, const char *const argv[]);
};

/* The command named `name`, or NULL. */
const struct ctl_cmd *ctl_cmd_find(const char *name);

/* Checks the argument count and runs the command; prints its usage on a mismatch. */
int ctl_cmd_run(const struct ctl_cmd *c, const struct ctl_opts *o);

/* The summary of every command, for -h and for usage errors. */
void ctl_usage(FILE *f);

#endif
