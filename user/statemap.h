/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The detector's state, published in the pinned pw_state map for `stats`. */
#ifndef PW_STATEMAP_H
#define PW_STATEMAP_H

#include <stdint.h>
#include "series.h"

/* Map the pw_state array (fd) of n entries for writing; NULL and errno on
 * failure. statemap_unmap() undoes it. */
struct pw_series_state *statemap_map(int fd, uint32_t n);
void statemap_unmap(struct pw_series_state *m, uint32_t n);
/* Write the state of interface i's block series and of the interface
 * itself into m (mapped), the entries that changed only: valid until
 * expires_ns (CLOCK_MONOTONIC). */
void statemap_publish(struct pw_series_state *m, const struct series_set *set, int i,
		      uint64_t expires_ns);
const char *statemap_name(uint32_t state);

#endif
