/*
 * libFuzzer target: everything isatapctl does with a line from the daemon.
 * The line goes through the JSON-RPC check (rpc_parse_line); whatever JSON
 * it holds, valid reply or not, goes through every readable printer and the
 * doctor (with a fake host), so that no shape of JSON can crash, leak, or
 * put a control byte on the terminal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/doctor.h"
#include "ctl/rpc.h"
#include "ctl/show.h"
#include "fuzz.h"

static int
fake_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max, const char **why)
{
	/* Deterministic: names of even length "resolve" to one address. */
	if (strlen(name) % 2 != 0 || max == 0) {
		*why = "no such name";
		return -1;
	}
	out[0].s_addr = htonl(0xc00002fe);
	return 1;
}

static int
fake_read_knob(void *ctx, const char *ifname, const char *knob, long *val)
{
	/* The doctor must never hand a path component to the host. */
	CHECK(strchr(ifname, '/') == NULL && strcmp(ifname, "..") != 0);
	*val = (long)strlen(knob) % 3;
	return 0;
}

static int
fake_v4_route(void *ctx, struct in_addr v4)
{
	return (ntohl(v4.s_addr) & 1) ? -ENETUNREACH : 0;
}

static int
fake_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu)
{
	snprintf(ifname, DOCTOR_IFNAMSIZ, "eth0");
	*mtu = 1300 + (ntohl(v4.s_addr) & 0xff);
	return 0;
}

/* Every byte a printer produced is printable ASCII or a newline. */
static void
print_all(const json_t *j)
{
	static const struct doctor_ops ops = {fake_resolve4, fake_read_knob, fake_v4_route,
	                                      fake_v4_mtu,   NULL,           NULL};
	struct doctor_report rep;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	show_status(f, j);
	show_routers(f, j);
	show_stats(f, j);
	show_event(f, j);
	show_router_table(f, j);
	doctor_run(j, &ops, &rep);
	doctor_print(f, &rep);
	CHECK(doctor_healthy(&rep) || rep.n > 0);
	json_decref(doctor_json(&rep));
	doctor_free(&rep);
	CHECK(fclose(f) == 0);
	for (i = 0; i < len; i++)
		CHECK(buf[i] == '\n' || (buf[i] >= 0x20 && buf[i] < 0x7f));
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_error e;
	enum rpc_kind kind;
	enum rpc_status st;
	json_error_t jerr;
	json_t *out, *j;

	st = rpc_parse_line((const char *)data, size, 1, &kind, &out, &e);
	CHECK(st == RPC_OK || st == RPC_ERR_REMOTE || st == RPC_ERR_MALFORMED);
	CHECK(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
	if (st != RPC_OK)
		CHECK(out == NULL && e.msg[0] != '\0');
	if (st == RPC_OK && kind == RPC_KIND_REPLY)
		CHECK(json_is_object(out));
	if (out != NULL)
		print_all(out);
	json_decref(out);

	/* The printers see the raw JSON too, without the envelope. */
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (j != NULL) {
		print_all(j);
		json_decref(j);
	}
	return 0;
}
