/*
 * What every libFuzzer target here shares: the entry point's prototype
 * (the Makefile's -Wmissing-prototypes wants one) and CHECK(), which turns a
 * broken invariant into a crash the fuzzer reports, in any build mode.
 */
#ifndef ISATAP_TESTS_FUZZ_H
#define ISATAP_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

#endif
