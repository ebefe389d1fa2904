/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The sampling loop of `run`: read, series, detector, files, screen. */
#ifndef PW_SAMPLER_H
#define PW_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include "counters.h"
#include "detector.h"
#include "export.h"
#include "targets.h"

struct pw_health;

struct sampler_opts {
	double interval, duration;
	bool quiet;
	const char *out;	/* --out DIR, or NULL */
	uint64_t rotate_s;
	enum csv_rows csv_rows;	/* --csv-rows */
	struct det_params dp;
	bool wait_iface;	/* --wait-for-interface */
	/* checked every tick, one per interface (NULL: not checked) */
	struct pw_health *health;
	/* with wait_iface: attach again to interface i, back under its name */
	int (*reattach)(void *ctx, int i);
	void *ctx;
};


/* Runs until SIGINT/SIGTERM (blocked by the caller) or --duration, then
 * writes everything once more. Returns an exit code. */
int sampler_run(const struct sampler_opts *o, const struct pw_targets *ts, struct pw_reader *r,
		const char *const *ifnames, int n);

#endif
