/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The detector's state, published in the pinned pw_state map for `stats`. */
#ifndef PW_STATEMAP_H
#define PW_STATEMAP_H

#include <stdint.h>
#include "series.h"

/* Write the state of interface i's block series and of the interface
 * itself; valid until expires_ns (CLOCK_MONOTONIC). Returns 0 or -errno. */
int statemap_publish(int fd, const struct series_set *set, int i, uint64_t expires_ns);
const char *statemap_name(uint32_t state);

#endif
