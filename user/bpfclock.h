/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_BPFCLOCK_H
#define PW_BPFCLOCK_H

#include <stdint.h>
#include "prefixwatch.h"

/* The program stamps packets with jiffies (see pw_counters): these turn
 * them into CLOCK_MONOTONIC ns. Jiffies advance in lock-step with that
 * clock (the kernel adds one tick's ns per jiffy), so one reading of both,
 * taken just after a jiffy begins, fixes t0 for good. */

/* Measure t0 with the pw_clock_probe program (prog_fd) and store it in the
 * pw_clock map (map_fd) for `stats`. Returns 0 or -errno. */
int bpfclock_calibrate(int prog_fd, int map_fd, struct pw_clock *c);
/* What a run stored (tick_ns stays 0 if none did). */
int bpfclock_read(int map_fd, struct pw_clock *c);

/* CLOCK_MONOTONIC ns of the middle of tick t (0 stays 0: never). With
 * tick_ns 0 the times are ns already (a replayed capture's). */
static inline uint64_t bpfclock_ns(const struct pw_clock *c, uint64_t t)
{
	if (!t || !c->tick_ns)
		return t;
	return (uint64_t)(c->t0_ns + (int64_t)(t * c->tick_ns + c->tick_ns / 2));
}

#endif
