/*
 * libFuzzer target: the datapath <-> control message decoder, in both
 * directions, on arbitrary frames. A frame that decodes must be exactly
 * one known message of the right size, and a decoded payload must pass
 * msg_check_payload() again on its own.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum msg_dir dirs[] = {MSG_TO_DATAPATH, MSG_TO_CONTROL};
	static union msg_payload p;
	struct msg_hdr h;
	const char *field;
	uint8_t *copy = malloc(size ? size : 1);

	CHECK(copy != NULL);
	memcpy(copy, data, size);
	for (size_t i = 0; i < 2; i++) {
		enum msg_reason r = msg_decode(dirs[i], copy, size, &h, &p, &field);

		CHECK((unsigned)r < MSG_REASON_COUNT);
		CHECK(msg_reason_name(r) != NULL);
		if (r == MSG_OK) {
			CHECK(msg_type_name(h.type) != NULL);
			CHECK(msg_payload_size(h.type) == (int)h.len);
			CHECK(size == sizeof(h) + h.len);
			CHECK(msg_check_hdr(dirs[i], &h) == MSG_OK);
			CHECK(msg_check_payload(h.type, &p, NULL) == MSG_OK);
			CHECK(field == NULL);
		} else if (r == MSG_BAD_FIELD) {
			CHECK(field != NULL);
		}
	}
	free(copy);
	return 0;
}
