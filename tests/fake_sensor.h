/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A sensor fed by hand: readers with counters the test sets, on the default
 * target, so series and exporters run without BPF. */
#ifndef PW_TEST_FAKE_SENSOR_H
#define PW_TEST_FAKE_SENSOR_H

#include <stdlib.h>
#include <string.h>
#include "series.h"

#define NS 1000000000ull
#define T0 (1749254400ull * NS) /* 2025-06-07T00:00:00Z, an hour boundary */

struct fake {
	struct pw_targets ts;
	struct pw_reader r[2];
	int n;
	struct series_set set;
	struct det_params p;
};

static inline void fake_init_n(struct fake *f, int n, uint64_t now)
{
	char err[PW_ERRLEN];
	const char *ifn[] = { "eth9", "eth8" };
	struct det_params p = DET_PARAMS_DEFAULT;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->n = n;
	targets_init(&f->ts);
	assert_int_equal(targets_add(&f->ts, "175.45.176.0/22", NULL, err, sizeof(err)), 0);
	assert_int_equal(targets_split(&f->ts, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		snprintf(f->r[i].ifname, sizeof(f->r[i].ifname), "%s", ifn[i]);
		f->r[i].nblocks = f->ts.nblocks;
		f->r[i].c = calloc(f->ts.nblocks * PW_NDIRS, sizeof(*f->r[i].c));
	}
	assert_int_equal(series_init(&f->set, &f->ts, ifn, n, f->r, now), 0);
}

static inline void fake_init(struct fake *f, uint64_t now)
{
	fake_init_n(f, 1, now);
}

/* n packets from block 1 on interface i in the interval ending at now, the
 * last just before it as in a steady stream; other frames: extra. */
static inline void fake_add(struct fake *f, int i, uint64_t now, unsigned n, unsigned extra)
{
	struct pw_counters *c = &f->r[i].c[PW_SLOT(1, PW_DIR_FROM)];

	c->packets += n;
	c->bytes += 100ull * n;
	c->udp += n;
	if (n) {
		c->first_ns = now - NS / 2;
		c->last_ns = now - NS / 1000;
	}
	f->r[i].tot.frames += n + extra;
	f->r[i].tot.matched += n;
	f->r[i].tot.bytes += 100ull * n + 60ull * extra;
	/* as the program stamps the frames that are not the targets' */
	if (extra)
		f->r[i].tot.last_ns = now - NS / 1000;
	f->r[i].tot.first_ns = extra ? now - NS / 2 : 0;
}

static inline void fake_step(struct fake *f, uint64_t now)
{
	assert_int_equal(series_tick(&f->set, f->r, now, 0, 1.0, &f->p), 0);
}

static inline void fake_tick(struct fake *f, uint64_t now, unsigned n)
{
	fake_add(f, 0, now, n, 1);
	fake_step(f, now);
}

static inline void fake_free(struct fake *f)
{
	series_free(&f->set);
	for (int i = 0; i < f->n; i++)
		free(f->r[i].c);
	targets_free(&f->ts);
}

#endif
