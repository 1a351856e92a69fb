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

/*
 * Address lifetimes must age while the machine sleeps: CLOCK_BOOTTIME on
 * Linux. Elsewhere CLOCK_MONOTONIC, which macOS keeps running in sleep.
 */
uint64_t
dp_boottime_ms(void)
{
	struct timespec ts;

#ifdef CLOCK_BOOTTIME
	clock_gettime(CLOCK_BOOTTIME, &ts);
#else
	clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
