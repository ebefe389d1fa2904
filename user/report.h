/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_REPORT_H
#define PW_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "prefixwatch.h"

/* What one interface's maps held at one read. */
struct iface_view {
	const char *ifname;
	uint32_t nblocks;
	const struct pw_block_info *info;	/* nblocks */
	const struct pw_counters *c;		/* nblocks * PW_NDIRS */
	const struct pw_iface_counters *tot;
	const struct pw_series_state *state;	/* per slot + interface, or NULL */
};

/* The aligned table of `stats`: one row per interface, block and direction,
 * then the interface totals; the detector's state where a run publishes it
 * ("-" where none does). active_only skips rows with no packets. */
void report_tables(FILE *f, const struct iface_view *v, size_t n, bool active_only);

#endif
