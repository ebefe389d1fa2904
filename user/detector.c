// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <string.h>
#include "detector.h"

void det_init(struct det_series *s, uint64_t start_ns)
{
	memset(s, 0, sizeof(*s));
	s->last_ns = start_ns;
	s->state = s->prev_state = DET_INSUFFICIENT;
}

/* exp(-t / w) and ln(1 / alpha) take the same few arguments for every
 * series of a tick (131,000 of them at 65,536 blocks): computed once each. */
static double decay(double t, double w)
{
	static double ct = -1, cw, cd;

	if (t != ct || w != cw) {
		ct = t;
		cw = w;
		cd = exp(-t / w);
	}
	return cd;
}

static double ln_inv(double alpha)
{
	static double ca = -1, cl;

	if (alpha != ca) {
		ca = alpha;
		cl = log(1 / alpha);
	}
	return cl;
}

int det_dormant(const struct det_series *s)
{
	return s->S == 0 && s->state == DET_INSUFFICIENT && s->prev_state == DET_INSUFFICIENT &&
	       !s->cand && !s->rec && s->pend_T == 0 && s->have_prev && s->prev_pps == 0;
}

void det_wake(struct det_series *s, const struct det_params *p, uint64_t k, double T,
	      const double *dts)
{
	if (!k)
		return;
	/* learn(0, t) each time: S stays 0, and w - T shrinks by exp(-t / w)
	 * each time, so by exp(-T / w) over them all */
	s->T = p->window_s - (p->window_s - s->T) * exp(-T / p->window_s);
	/* learn_interval's ring, where k pushes leave it (only the last
	 * DET_RECENT stay); learn_dispersion learns nothing from 0 + 0 */
	uint64_t n = k < DET_RECENT ? k : DET_RECENT, end = s->recent_i + k;

	for (uint64_t i = 0; i < n; i++) {
		s->recent_n[(end - n + i) % DET_RECENT] = 0;
		s->recent_t[(end - n + i) % DET_RECENT] = dts[i];
	}
	s->recent_i = end % DET_RECENT;
}

double det_baseline(const struct det_series *s)
{
	return s->T > 0 ? s->S / s->T : 0;
}

/* samples before the dispersion is trusted; until then D is 1 */
#define DISP_MIN_SAMPLES 8

double det_dispersion(const struct det_series *s)
{
	double d = s->W >= DISP_MIN_SAMPLES ? s->Z / s->W : 1;

	return d > 1 ? d : 1;
}

double det_threshold(const struct det_series *s, const struct det_params *p)
{
	double l = det_baseline(s);

	return l > 0 ? det_dispersion(s) * ln_inv(p->alpha) / l : 0;
}

/* Add n packets over t seconds to the baseline, forgetting with time
 * constant window_s. T tends to window_s; at the start it is the elapsed
 * time, so the baseline is then the mean over all the history. */
static void learn(struct det_series *s, const struct det_params *p, double n, double t)
{
	double d = decay(t, p->window_s);

	s->S = s->S * d + n;
	s->T = s->T * d + p->window_s * (1 - d);
}

/* How clumped the packets are, from two neighbouring intervals: for counts
 * n and m of the same stream, (n - m)^2 / (n + m) has mean D (1 for Poisson).
 * Neighbours, not the baseline, so that the rate moving (a surge, the hour of
 * the day) is not taken for clumping; and each sample is capped at 16 D + 16
 * (a 1e-8 tail for Poisson), so that one step at a change of rate, or the
 * first interval after an outage, adds at most that to a mean over the
 * window's many intervals. */
static void learn_dispersion(struct det_series *s, const struct det_params *p, double n, double t)
{
	double m = s->prev_pps * t, d = decay(t, p->window_s);

	if (!s->have_prev || n + m < 10)
		return;
	double z = (n - m) * (n - m) / (n + m), cap = 16 * det_dispersion(s) + 16;

	s->Z = s->Z * d + (z < cap ? z : cap);
	s->W = s->W * d + 1;
}

/* One interval learned as it came: the recent rate and the clumping. */
static void learn_interval(struct det_series *s, const struct det_params *p, double n, double t)
{
	s->recent_n[s->recent_i] = n;
	s->recent_t[s->recent_i] = t;
	s->recent_i = (s->recent_i + 1) % DET_RECENT;
	learn_dispersion(s, p, n, t);
	learn(s, p, n, t);
}

static void learn_pending(struct det_series *s, const struct det_params *p)
{
	if (s->pend_T > 0)
		learn(s, p, s->pend_n, s->pend_T);
	s->pend_n = s->pend_T = 0;
	s->cand = 0;
}

static void forget_pending(struct det_series *s)
{
	s->pend_n = s->pend_T = 0;
	s->cand = 0;
}

double poisson_cdf(double k, double mu)
{
	if (k < 0)
		return 0;
	if (mu <= 0)
		return 1;
	if (k > 10000 || mu > 10000) {
		/* normal approximation with continuity correction */
		double z = (floor(k) + 0.5 - mu) / sqrt(mu);

		return 0.5 * erfc(-z / sqrt(2));
	}
	double sum = 0, lmu = log(mu);

	for (double i = 0; i <= k; i++)
		sum += exp(-mu + i * lmu - lgamma(i + 1));
	return sum > 1 ? 1 : sum;
}

static int emit(struct det_event *ev, int n, enum det_event_type t, uint64_t time_ns,
		uint64_t detected_ns, uint64_t started_ns, double pps)
{
	ev[n] = (struct det_event){ .type = t, .time_ns = time_ns, .detected_ns = detected_ns,
				    .started_ns = started_ns, .baseline_pps = pps };
	if (t == DET_OUTAGE_END || t == DET_DROP_END)
		ev[n].duration_s = time_ns > started_ns ? (time_ns - started_ns) / 1e9 : 0;
	return n + 1;
}

/* Judge a possible drop after its latest interval was added. */
static int judge_drop(struct det_series *s, const struct det_params *p, double l,
		      const struct det_obs *o, struct det_event *ev, int n)
{
	double back = p->drop_ratio * l;

	if (s->cand_n / s->cand_T >= back || (s->post_T > 0 && s->post_n / s->post_T >= back) ||
	    s->cand_T > p->window_s) {
		/* a lull, traffic back to normal after an outage, or (after a
		 * whole window) the new normal: learn what was held back */
		learn_pending(s, p);
	} else if (s->cand_T >= p->drop_hold_s &&
		   poisson_cdf(s->cand_n / det_dispersion(s), l * s->cand_T / det_dispersion(s)) < p->alpha) {
		n = emit(ev, n, DET_DROP_START, s->cand_start_ns, o->now_ns, 0, l);
		s->state = DET_DROP;
		s->event_ns = s->cand_start_ns;
		s->event_pps = l;
		s->rec = 0;
		forget_pending(s); /* cand_n, cand_T stay: the rate during the drop */
	}
	return n;
}

static int update(struct det_series *s, const struct det_params *p, const struct det_obs *o,
		  struct det_event ev[2])
{
	double l = det_baseline(s), dt = o->dt > 0 ? o->dt : 1e-9, disp = det_dispersion(s);
	double rate = o->packets / dt;
	int silent = o->packets == 0;
	int n = 0;

	if (o->last_ns > s->last_ns)
		s->last_ns = o->last_ns;
	double silence = o->now_ns > s->last_ns ? (o->now_ns - s->last_ns) / 1e9 : 0;

	/* only what the clock vouches for */
	silence = silence > p->clock_res_s ? silence - p->clock_res_s : 0;
	/* While the rate is down (a possible or declared drop), silence is
	 * judged against the highest rate the packets since the fall leave
	 * plausible, (n + D ln(1/alpha)) / T, when that is below the baseline:
	 * a gap that is normal at 4 pps is no outage for a series that was
	 * at 100 before. A fall straight to zero is judged on the baseline. */
	double le = l, rn = 0, rt = 0;

	if ((s->cand || s->state == DET_DROP) && s->cand_T > 0) {
		double up = (s->cand_n + disp * ln_inv(p->alpha)) / s->cand_T;

		if (up < l)
			le = up;
	}
	/* the same for the last intervals learned: after a flood, the
	 * baseline is high for a while, and the traffic back at its old rate
	 * has gaps that would be outages at the flood's */
	for (int i = 0; i < DET_RECENT; i++) {
		rn += s->recent_n[i];
		rt += s->recent_t[i];
	}
	if (rt > 0 && (rn + disp * ln_inv(p->alpha)) / rt < le)
		le = (rn + disp * ln_inv(p->alpha)) / rt;
	/* The silence runs from the last packet, which may lie inside this
	 * interval: no need to wait for a whole silent one. */
	int out = le > 0 && silence > disp * ln_inv(p->alpha) / le;

	switch (s->state) {
	case DET_OUTAGE:
		if (s->cand) {
			s->cand_n += o->packets;
			s->cand_T += dt;
		}
		if (silent)
			return 0;
		/* back: the first packet of this interval ends the outage */
		uint64_t end = o->first_ns ? o->first_ns : s->last_ns;

		if (end < s->event_ns)
			end = s->event_ns;
		double after = o->now_ns > end ? (o->now_ns - end) / 1e9 : dt;

		n = emit(ev, n, DET_OUTAGE_END, end, o->now_ns, s->event_ns, s->event_pps);
		s->state = s->S >= p->min_packets ? DET_NORMAL : DET_INSUFFICIENT;
		if (!s->cand) {
			learn(s, p, o->packets, after);
			return n;
		}
		/* Back at what rate? The fall that began with the outage goes
		 * on being judged as a possible drop. */
		s->pend_n += o->packets;
		s->pend_T += after;
		s->post_n = o->packets;
		s->post_T = after;
		return judge_drop(s, p, l, o, ev, n);

	case DET_DROP:
		/* the baseline is frozen during a drop: l is the one it began with */
		s->cand_n += o->packets;
		s->cand_T += dt;
		if (out) {
			n = emit(ev, n, DET_DROP_END, s->last_ns, o->now_ns, s->event_ns, s->event_pps);
			n = emit(ev, n, DET_OUTAGE_START, s->last_ns, o->now_ns, 0, le);
			s->state = DET_OUTAGE;
			s->event_ns = s->last_ns;
			s->event_pps = le;
			forget_pending(s);
			return n;
		}
		if (!s->rec && rate >= p->drop_ratio * s->event_pps) {
			s->rec = 1;
			s->rec_start_ns = o->now_ns - (uint64_t)(dt * 1e9);
			s->rec_n = s->rec_T = 0;
		}
		if (!s->rec)
			return n;
		s->rec_n += o->packets;
		s->rec_T += dt;
		/* the drop's own rate, without the recovery being judged */
		double rd = s->cand_T > s->rec_T ? (s->cand_n - s->rec_n) / (s->cand_T - s->rec_T) : 0;

		if (s->rec_n / s->rec_T < p->drop_ratio * s->event_pps) {
			s->rec = 0; /* a blip */
		} else if (s->rec_T >= p->drop_hold_s ||
			   1 - poisson_cdf((s->rec_n - 1) / disp, rd * s->rec_T / disp) < p->alpha) {
			n = emit(ev, n, DET_DROP_END, s->rec_start_ns, o->now_ns, s->event_ns,
				 s->event_pps);
			learn(s, p, s->rec_n, s->rec_T);
			s->state = DET_NORMAL;
			s->rec = 0;
		}
		return n;
	}

	if (s->S < p->min_packets || l <= 0) {
		/* too little history to judge anything: learn all */
		learn_interval(s, p, o->packets, dt);
		s->state = s->S >= p->min_packets ? DET_NORMAL : DET_INSUFFICIENT;
		return 0;
	}
	s->state = DET_NORMAL;
	if (out) {
		n = emit(ev, n, DET_OUTAGE_START, s->last_ns, o->now_ns, 0, le);
		if (!s->cand) {
			/* the rate fell at the last packet: judged as a possible
			 * drop too, should traffic come back lower */
			s->cand = 1;
			s->cand_start_ns = s->last_ns;
			s->cand_n = 0;
			s->cand_T = silence;
		} else {
			s->cand_n += o->packets;
			s->cand_T += dt;
		}
		s->post_n = s->post_T = 0;
		s->pend_n = s->pend_T = 0; /* the silence being judged is not learned */
		s->state = DET_OUTAGE;
		s->event_ns = s->last_ns;
		s->event_pps = le;
		return n;
	}
	if (!s->cand && rate < p->drop_ratio * l) {
		/* maybe the start of a drop, or of an outage: hold back */
		s->cand = 1;
		s->cand_start_ns = o->now_ns - (uint64_t)(dt * 1e9);
		s->cand_n = s->cand_T = 0;
		s->post_n = s->post_T = 0;
	}
	if (!s->cand) {
		learn_interval(s, p, o->packets, dt);
		return 0;
	}
	s->cand_n += o->packets;
	s->cand_T += dt;
	s->pend_n += o->packets;
	s->pend_T += dt;
	if (s->post_T > 0) {
		s->post_n += o->packets;
		s->post_T += dt;
	}
	return judge_drop(s, p, l, o, ev, n);
}

int det_update(struct det_series *s, const struct det_params *p, const struct det_obs *o,
	       struct det_event ev[2])
{
	double disp = det_dispersion(s);
	int n;

	s->prev_state = s->state;
	n = update(s, p, o, ev);

	for (int i = 0; i < n; i++)
		ev[i].dispersion = disp;
	s->prev_pps = o->dt > 0 ? o->packets / o->dt : 0;
	s->have_prev = 1;
	return n;
}

const char *det_state_name(enum det_state st)
{
	static const char *names[] = { "insufficient", "normal", "drop", "outage" };

	return st <= DET_OUTAGE ? names[st] : "?";
}

const char *det_event_name(enum det_event_type t)
{
	static const char *names[] = { "outage_start", "outage_end", "drop_start", "drop_end" };

	return t <= DET_DROP_END ? names[t] : "?";
}
