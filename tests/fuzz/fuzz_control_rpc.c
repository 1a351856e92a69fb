/*
 * libFuzzer target: isatap-control's parsers of outside text. The first byte
 * picks one: a JSON-RPC request line (control/jsonrpc.c, from any local
 * user), a configuration file (control/conf.c), or a DNS response
 * (control/dns.c, from the network through the resolver, with the length
 * the resolver claims, which may exceed its buffer). None may crash,
 * leak or read out of bounds; accepted requests must carry a known method
 * and an object of params.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/conf.h"
#include "control/dns.h"
#include "control/jsonrpc.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		struct rpc_req req;
		const char *msg = NULL;
		int r = rpc_parse((const char *)data + 1, size - 1, &req, &msg);

		if (r == 0 &&
		    ((unsigned)req.method >= RPC_METHOD_COUNT || !json_is_object(req.params)))
			abort();
		if (r != 0 && msg == NULL)
			abort();
		rpc_req_free(&req);
		break;
	}
	case 1: {
		static struct conf c;
		char err[256];
		unsigned line;

		conf_defaults(&c);
		if (conf_parse(&c, (const char *)data + 1, size - 1, &line, err, sizeof(err)) ==
		            0 &&
		    c.n_routers > CONF_ROUTERS_MAX)
			abort();
		break;
	}
	default: {
		/*
		 * data[1..2]: the length the resolver claims, relative to
		 * the buffer it filled (data + 3, copied to exactly its
		 * size): from 256 octets short to 65279 past it, as glibc's
		 * res_nquery() claims the whole length of a TCP answer it
		 * cut to the buffer (review finding 10).
		 */
		struct in_addr v4[DNS_ADDRS_MAX];
		uint32_t ttl;
		size_t cap;
		long len;
		uint8_t *buf;
		int n;

		if (size < 3)
			break;
		cap = size - 3;
		len = (long)cap + (long)((unsigned)data[1] << 8 | data[2]) - 256;
		if ((buf = malloc(cap ? cap : 1)) == NULL)
			break;
		memcpy(buf, data + 3, cap);
		n = dns_parse_answer(buf, cap, len, v4, DNS_ADDRS_MAX, &ttl);
		free(buf);
		if (n > DNS_ADDRS_MAX)
			abort();
		if ((len < 0 || (size_t)len > cap) && n != -EMSGSIZE)
			abort();
		break;
	}
	}
	return 0;
}
