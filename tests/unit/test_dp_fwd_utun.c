/*
 * datapath/fwd.c over the macOS TUN: every case of test_dp_fwd.c again,
 * with the datapath reading and writing through utun_read()/utun_write()
 * (datapath/utun.h) and the test's kernel adding and checking XNU's
 * 4-octet family header on each packet (tu_dp.h TU_DP_UTUN). The
 * forwarding code is the same on both systems; this is what holds it to
 * the same verdicts behind the other framing.
 */
#define TEST_DP_FWD_FLAGS TU_DP_UTUN
#define TEST_DP_FWD_NAME  "dp_fwd_utun"
#include "tests/unit/lib/tu_dp.h"

#include "test_dp_fwd.c"
