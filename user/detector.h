/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Outage and drop detection on one series, one interval at a time. Pure
 * logic: no clock, no I/O, so that tests drive it with synthetic streams.
 *
 * Baseline: the packet rate weighted exponentially over the last --baseline
 * seconds (over all the history while that is shorter). Intervals that may
 * be the start of an outage or a drop are held back and learned only once
 * they turn out to be normal, so silence never teaches the baseline that
 * silence is normal.
 *
 * Drop to zero: with a Poisson stream at rate L, a silence of s seconds has
 * probability exp(-L s); the series is out when that falls below alpha,
 * s > ln(1/alpha) / L. The outage starts at the last packet before the
 * silence and ends at the first packet after it. Real packets come in clumps
 * (a TCP exchange, a burst), and silences fall between clumps, which are
 * fewer than packets: the clumping is measured as the index of dispersion D
 * of the counts (variance over mean, at least 1) and the silence must be D
 * times as long. The partial-drop test is scaled the same way. And a rate
 * that was learned high (a flood) is not held against the traffic after it:
 * silence is judged against the last few normal intervals' rate too, when
 * that is lower.
 *
 * Sharp partial drop: the rate stays below ratio * L for hold seconds, and
 * so few packets at rate L would have probability below alpha. It ends the
 * same way round: the rate is back above ratio * L, for hold seconds or with
 * so many packets that the drop's own rate cannot explain them. While the rate
 * is down, silence is judged against the highest rate the packets since the
 * fall leave plausible, when that is below L: the onset of a partial drop is
 * not a string of outages.
 */
#ifndef PW_DETECTOR_H
#define PW_DETECTOR_H

#include <stdint.h>

enum det_state { DET_INSUFFICIENT, DET_NORMAL, DET_DROP, DET_OUTAGE };

enum det_event_type { DET_OUTAGE_START, DET_OUTAGE_END, DET_DROP_START, DET_DROP_END };

struct det_params {
	double window_s;	/* --baseline */
	double alpha;		/* --false-alarm */
	double min_packets;	/* --min-packets: baseline established from here */
	double drop_ratio;	/* --drop-ratio */
	double drop_hold_s;	/* --drop-hold */
	double clock_res_s;	/* how coarse packet times are: a last packet
				 * may be this much later than its time says */
};

#define DET_PARAMS_DEFAULT { 900, 1e-6, 30, 0.1, 60 }

struct det_series {
	double S, T;		/* decayed packets and seconds: baseline S / T */
	double Z, W;		/* decayed sum of (n - m)^2 / (n + m) and of samples: D = Z / W */
	double prev_pps;	/* the last interval's rate: m for the next */
#define DET_RECENT 8
	float recent_n[DET_RECENT], recent_t[DET_RECENT]; /* the last intervals learned */
	uint8_t recent_i;
	double pend_n, pend_T;	/* held back, not yet learned */
	double cand_n, cand_T;	/* since a possible drop began */
	uint64_t cand_start_ns;
	double post_n, post_T;	/* since an outage ended, while a drop is judged */
	double rec_n, rec_T;	/* since a drop may have ended */
	uint64_t rec_start_ns;
	uint64_t last_ns;	/* last packet seen (wall ns), or the series start */
	uint64_t event_ns;	/* start of the current outage or drop */
	double event_pps;	/* baseline when it began */
	uint8_t state;		/* enum det_state */
	uint8_t prev_state;	/* the state before the last interval was fed */
	uint8_t cand;		/* a possible drop is being judged */
	uint8_t rec;		/* a possible end of a drop is being judged */
	uint8_t have_prev;	/* prev_pps is of an interval of this series */
};

/* One interval of a series. Times are wall-clock ns. */
struct det_obs {
	uint64_t now_ns;	/* end of the interval */
	double dt;		/* its length in seconds, measured */
	uint64_t packets;	/* counted in it */
	uint64_t last_ns;	/* last packet ever (0: none yet) */
	uint64_t first_ns;	/* first packet in this interval (0: unknown) */
};

struct det_event {
	enum det_event_type type;
	uint64_t time_ns;	/* outage_start: last packet; outage_end: first packet
				 * after; drop_start: when the rate fell; drop_end:
				 * when it came back */
	uint64_t detected_ns;
	uint64_t started_ns;	/* for the *_end events */
	double baseline_pps;
	double dispersion;	/* D when it began: the silence was judged against D ln(1/alpha) / L */
	double duration_s;	/* for the *_end events */
};

void det_init(struct det_series *s, uint64_t start_ns);
/* Feed one interval; writes up to 2 events and returns how many. */
int det_update(struct det_series *s, const struct det_params *p, const struct det_obs *o,
	       struct det_event ev[2]);
/* A series that never saw a packet and is judged on nothing: feeding it a
 * silent interval only moves its clock (T) and its recent intervals. Such
 * a series may skip its silent intervals and catch up with det_wake(). */
int det_dormant(const struct det_series *s);
/* The k silent intervals skipped since the series went dormant, of T
 * seconds in all; dts[] the last min(k, DET_RECENT) of them, oldest first.
 * Leaves the series as k calls of det_update() with no packet would have. */
void det_wake(struct det_series *s, const struct det_params *p, uint64_t k, double T,
	      const double *dts);
double det_baseline(const struct det_series *s);
/* Seconds of silence that make an outage at the current baseline (0: none). */
double det_threshold(const struct det_series *s, const struct det_params *p);
/* D: how clumped the packets are (1 for a Poisson stream, more for bursts) */
double det_dispersion(const struct det_series *s);
const char *det_state_name(enum det_state st);
const char *det_event_name(enum det_event_type t);
/* P(N <= k) for N ~ Poisson(mu) */
double poisson_cdf(double k, double mu);

#endif
