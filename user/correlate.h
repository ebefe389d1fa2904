/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Correlation: the traffic outages of `run`/`replay` (events.jsonl and the
 * series files of --out) joined with the targets' route visibility (from
 * `bgp --out`, or MRT archives read on the spot) into incidents, each with a
 * classification and the numbers behind it:
 *   vantage            the vantage point's own traffic went silent too
 *   attack_like        a surge toward the target and falling answers first
 *   path_shift         another interface carried the traffic meanwhile
 *   routing_withdrawal the routes went from the peers near the start
 *   data_plane         the routes stayed up, the traffic stopped
 *   unknown            the evidence does not decide
 */
#ifndef PW_CORRELATE_H
#define PW_CORRELATE_H

#include <stdint.h>
#include <stdio.h>
#include "targets.h"

struct corr_opts {
	double window_s;	/* how far from an outage's start BGP events are looked for (default 300) */
	double surge;		/* "to" traffic this many times its baseline is a surge (default 5) */
	double before_s;	/* the surge is looked for this long before an outage (default 60) ... */
	double baseline_s;	/* ... against this long before that (default 600) */
};

#define CORR_OPTS_DEFAULT { 300, 5, 60, 600 }

struct corr_outage {
	char iface[16], label[48], dir[8], scope[8];
	uint64_t start, end;	/* ns; end 0: still going at the end of the data */
	int vantage;
};

struct corr_bgp_event {
	char label[48];
	uint64_t time;
	int restored;
	uint32_t peers, had;
};

struct corr_row {		/* one series row of a block or target */
	uint64_t t;
	uint16_t iface, label;
	uint8_t dir, scope;	/* dir: 0 to, 1 from; scope: 0 block, 1 target */
	uint32_t packets, syn, synack;
	double dt;
};

struct corr_incident {
	uint64_t start, end;
	int noutages, first;	/* outages[first .. first + noutages) */
	const char *class;
	char evidence[1024];
	/* the numbers */
	int vantage, carried_elsewhere, have_bgp, withdrawn;
	double lag_s;
	uint32_t peers_before, peers_min;
	double surge, pps_base, pps_pre, answers_base, answers_pre;
	double pre_s, base_s;	/* the windows those were measured over, cut to the data */
	int lag_coarse;		/* the withdrawal's time is in whole seconds (BGP4MP, not _ET) */
};

struct correlation {
	struct corr_opts o;
	struct corr_outage *out;
	size_t nout, cap_out;
	uint64_t *vantage_silent;	/* times of vantage_silent events */
	char (*vantage_iface)[16];
	size_t nvs, cap_vs;
	struct corr_bgp_event *bev;
	size_t nbev, cap_bev;
	int bgp_known;			/* BGP data was given */
	uint64_t bgp_from, bgp_to;	/* the time it covers (ns) */
	struct corr_row *rows;
	size_t nrows, cap_rows;
	uint64_t rows_from;		/* the earliest series row (ns) */
	char (*ifaces)[16];
	size_t nifaces;
	char (*labels)[48];
	size_t nlabels;
	struct corr_incident *inc;
	size_t ninc;
};

void corr_init(struct correlation *c, const struct corr_opts *o);
void corr_free(struct correlation *c);
/* The traffic side: DIR/events.jsonl and DIR/series-*.csv[.gz]. */
int corr_load_traffic(struct correlation *c, const char *dir);
/* The BGP side: DIR/bgp-events.jsonl, or MRT files read for the targets. */
int corr_load_bgp_dir(struct correlation *c, const char *dir);
int corr_load_mrt(struct correlation *c, const struct pw_targets *ts, char *const *files, int n);
/* Group outages into incidents and classify them. */
void corr_run(struct correlation *c);
void corr_print_text(const struct correlation *c, FILE *f);
void corr_print_json(const struct correlation *c, FILE *f);

#endif
