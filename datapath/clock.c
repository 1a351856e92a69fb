/*
 * The datapath's clock, behind dp->now_ms so that the forwarding code makes
 * no system call of its own and tests can drive time. CLOCK_MONOTONIC is
 * POSIX (macOS has it too) and a vDSO call on Linux.
 */
#include <time.h>

#include "dp.h"

uint64_t
dp_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
