/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What `run` shows while it runs. */
#ifndef PW_LIVE_H
#define PW_LIVE_H

#include <stdio.h>
#include "series.h"

/* On a terminal: the whole table, redrawn. Targets and interfaces always;
 * blocks too when there are few, else only those with traffic or not normal. */
void live_table(FILE *f, const struct series_set *set, uint64_t now_ns, double interval);
/* Otherwise: one line per interval. */
void live_line(FILE *f, const struct series_set *set, uint64_t now_ns);

#endif
