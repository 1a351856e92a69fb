/*
 * The doctor's host look-ups that are the same on every system
 * (doctor_host.c), for the doctor_os_*.c ops tables.
 */
#ifndef ISATAP_CTL_DOCTOR_HOST_H
#define ISATAP_CTL_DOCTOR_HOST_H

#include "doctor.h"

int doctor_host_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max,
                         const char **why);
int doctor_host_v4_route(void *ctx, struct in_addr v4);
int doctor_host_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu);

#endif
