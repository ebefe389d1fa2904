/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Route visibility of the target blocks from MRT entries: how many
 * (collector, peer) pairs have a route covering each block or inside it,
 * its origin and upstream AS, and the events bgp_withdrawn (visibility fell
 * to zero, or below ratio times the peers that had the block) and
 * bgp_restored, timed by the MRT record that crossed the line.
 */
#ifndef PW_BGPVIS_H
#define PW_BGPVIS_H

#include <stdio.h>
#include "mrt.h"
#include "outfile.h"
#include "targets.h"

struct bgpvis_opts {
	const char *out;	/* --out DIR or NULL */
	double interval;	/* seconds per series row */
	double ratio;		/* --visibility-ratio */
};

#define BGPVIS_OPTS_DEFAULT { NULL, 300, 0.5 }

struct bv_peer {
	struct mrt_addr collector, addr;
	uint32_t as;
};

struct bv_route {
	uint32_t peer;		/* index in peers; UINT32_MAX: free slot */
	struct bgp_prefix pfx;
	uint32_t origin, upstream;
	uint8_t used, dead;
};

struct bv_count {
	uint32_t peer, n;	/* routes of that peer overlapping the block */
};

struct bv_block {
	struct bv_count *c;
	uint32_t nc, cap;
	uint32_t visible;	/* peers with n > 0 */
	uint32_t had;		/* most peers since the start or the last restore */
	int withdrawn;
	uint32_t withdrawals;
};

/* An event, kept in memory too (for correlate). */
struct bv_event {
	int restored;		/* 0: bgp_withdrawn, 1: bgp_restored */
	uint64_t time_us;
	uint32_t block, peers, had;
};

struct bgpvis {
	const struct pw_targets *ts;
	struct bgpvis_opts o;
	struct bv_peer *peers;
	uint32_t npeers, cap_peers;
	struct bv_route *routes;	/* open addressing */
	size_t cap_routes, nroutes;
	struct bv_block *blocks;
	uint64_t now_us, next_tick_us;	/* MRT time, microseconds */
	int started;
	struct outfile csv, events;
	uint64_t nevents;
	struct bv_event *ev;
	size_t cap_ev;
};

int bgpvis_init(struct bgpvis *v, const struct pw_targets *ts, const struct bgpvis_opts *o);
int bgpvis_entry(struct bgpvis *v, const struct mrt_entry *e);
void bgpvis_finish(struct bgpvis *v);
void bgpvis_report(const struct bgpvis *v, FILE *f);
void bgpvis_free(struct bgpvis *v);
/* Most common origin of the routes overlapping block b, and up to four
 * upstreams (space-separated) into buf. */
uint32_t bgpvis_block_origin(const struct bgpvis *v, uint32_t b, char *ups, size_t len);

#endif
