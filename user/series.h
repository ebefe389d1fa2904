/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rate series: every interval, the counters of every interface become one
 * row per (interface, block, direction), per (interface, whole target,
 * direction), per interface (all its frames) and, with several interfaces,
 * the same per block and target over all of them ("all"). Each series has a
 * detector; the interface series is the vantage check.
 */
#ifndef PW_SERIES_H
#define PW_SERIES_H

#include <stddef.h>
#include <stdint.h>
#include "counters.h"
#include "detector.h"
#include "targets.h"

enum series_scope { SCOPE_BLOCK, SCOPE_TARGET, SCOPE_IFACE };

struct series {
	uint8_t scope;		/* enum series_scope */
	uint8_t dir;		/* PW_DIR_*; unused for SCOPE_IFACE */
	int16_t iface;		/* index, or -1 for all interfaces */
	uint32_t index;		/* block or target index */
	/* a block that never saw a packet skips its detector until one comes
	 * (det_dormant): since tick dormant_tick, when the ticks' time was
	 * dormant_t. 0: not dormant. */
	uint64_t dormant_tick;
	double dormant_t;
	/* this interval */
	uint64_t packets, bytes, tcp, udp, icmp, other, syn, synack;
	double pps, bps;
	/* since the counters began */
	uint64_t total_packets, total_bytes;
	uint64_t last_ns, first_ns;	/* wall ns: last packet ever, first of the interval */
	struct det_series det;
};

/* One event, ready for the exporters. */
struct series_event {
	const char *name;	/* outage_start, ..., vantage_silent, vantage_back */
	const struct series *s;
	struct det_event d;
	int vantage_silent;	/* outage_start of a block or target: 0 or 1; else -1 */
	const char *detail;	/* a health event (interface_gone, ...): what happened; else NULL */
};

struct series_set {
	const struct pw_targets *ts;
	int nifaces;
	const char *ifnames[32];
	struct series *s;
	size_t n;
	size_t blk[33], tgt[33], ifs[32];	/* first series of each kind; [nifaces] is "all" */
	struct pw_counters *prev[32];
	uint32_t *active[32];	/* the block slots that moved this tick */
	size_t nactive[32];
	struct pw_iface_counters prev_tot[32];
	uint64_t resets;	/* counter resets seen */
	struct series_event *ev;
	size_t nev, cap_ev;
	/* the health events' sentences, apart: a country-wide outage raises a
	 * hundred thousand detector events, which need no room for one */
#define SERIES_HEALTH_MAX 3	/* changes an interface can have in one tick */
	char (*health)[256];	/* nifaces * SERIES_HEALTH_MAX */
	size_t nhealth;
	char (*labels)[48];	/* block CIDRs, then target CIDRs */
	/* ticks so far, their time, and the last ones' lengths (by tick
	 * number modulo SERIES_DTS), for dormant series to catch up */
#define SERIES_DTS (2 * DET_RECENT)
	uint64_t ticks;
	double ticks_t;
	double dts[SERIES_DTS];
};

int series_init(struct series_set *set, const struct pw_targets *ts, const char *const *ifnames,
		int nifaces, const struct pw_reader *r, uint64_t now_ns);
void series_free(struct series_set *set);

/* Feed one read of every interface (r[i] for ifnames[i]); now_ns and
 * mono_to_wall convert the readers' CLOCK_MONOTONIC times. Fills set->ev. */
int series_tick(struct series_set *set, const struct pw_reader *r, uint64_t now_ns,
		int64_t mono_to_wall, double dt, const struct det_params *p);

/* A health event of interface i (see health.h) at now_ns; detail is copied. */
int series_push_health(struct series_set *set, int i, const char *name, uint64_t now_ns,
		       const char *detail);

const char *series_iface(const struct series_set *set, const struct series *s);
const char *series_label(const struct series_set *set, const struct series *s);
const char *series_dir(const struct series *s);
const char *series_state(const struct series *s);

#endif
