// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The detector on synthetic streams, ticked every second as `run` does. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "detector.h"

#define NS 1000000000ull
#define T0 (1749254400ull * NS) /* 2025-06-07T00:00:00Z */

struct sim {
	struct det_series s;
	struct det_params p;
	uint64_t now, last;	/* ns */
	double next;		/* next arrival, seconds since T0 */
	double gap;		/* seconds between packets; 0: none */
	int clump;		/* packets per arrival (0: 1) */
	double tick;		/* seconds per interval (0: 1) */
	struct det_event ev[64];
	int nev;
	uint64_t rng;
};

static void sim_init(struct sim *m)
{
	struct det_params p = DET_PARAMS_DEFAULT;

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->now = T0;
	m->rng = 42;
	det_init(&m->s, T0);
}

/* Arrivals every `gap` seconds, or Poisson when jitter is set. */
static double rnd(struct sim *m)
{
	m->rng = m->rng * 6364136223846793005ull + 1442695040888963407ull;
	return ((m->rng >> 11) + 0.5) / 9007199254740992.0;
}

/* Run `secs` of ticks (one second, or m->tick) with the current traffic. */
static void run(struct sim *m, double secs, int poisson)
{
	double tick = m->tick > 0 ? m->tick : 1.0;

	for (double t = 0; t < secs; t += tick) {
		uint64_t end = m->now + (uint64_t)(tick * NS);
		struct det_obs o = { .now_ns = end, .dt = tick };

		while (m->gap > 0 && T0 + (uint64_t)(m->next * NS) <= end) {
			uint64_t at = T0 + (uint64_t)(m->next * NS);

			if (at > m->now) {
				if (!o.packets)
					o.first_ns = at;
				o.packets += m->clump ? m->clump : 1;
				m->last = at;
			}
			m->next += poisson ? -log(rnd(m)) * m->gap : m->gap;
		}
		o.last_ns = m->last;
		m->now = end;
		m->nev += det_update(&m->s, &m->p, &o, m->ev + m->nev);
		assert_true(m->nev < 60);
	}
}

static void rate(struct sim *m, double pps)
{
	m->gap = pps > 0 ? 1 / pps : 0;
	if (pps > 0)
		m->next = (m->now - T0) / 1e9 + m->gap / 2;
}

static void test_steady_then_zero(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 300, 1);
	assert_int_equal(m.nev, 0);
	assert_int_equal(m.s.state, DET_NORMAL);
	assert_true(fabs(det_baseline(&m.s) - 100) < 5);

	uint64_t last = m.last;

	rate(&m, 0);
	run(&m, 5, 0);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_OUTAGE_START);
	/* the start is the last packet, not the tick that noticed */
	assert_int_equal(m.ev[0].time_ns, last);
	/* noticed within ln(1/alpha)/lambda plus one interval */
	double bound = log(1e6) / m.ev[0].baseline_pps + 1.0;
	assert_true((m.ev[0].detected_ns - last) / 1e9 <= bound);
	assert_true(fabs(m.ev[0].baseline_pps - 100) < 5);
	assert_int_equal(m.s.state, DET_OUTAGE);
}

static void test_slow_series_no_false_alarm(void **state)
{
	struct sim m;

	/* 0.05 pps: the threshold is ln(1e6)/0.05 = 276 s; two hours of
	 * Poisson traffic has gaps of up to a few minutes, none that long */
	sim_init(&m);
	rate(&m, 0.05);
	run(&m, 7200, 1);
	assert_int_equal(m.nev, 0);
	assert_true(det_threshold(&m.s, &m.p) > 200);

	/* and regular 19-second gaps stay quiet too */
	sim_init(&m);
	rate(&m, 1 / 19.0);
	run(&m, 7200, 0);
	assert_int_equal(m.nev, 0);
}

static int count(const struct sim *m, enum det_event_type t, int from);

static void test_clumped_traffic(void **state)
{
	struct sim m;

	/* 60 Poisson arrivals a second of 5 packets each (TCP exchanges):
	 * 300 pps, but gaps as long as a 60 pps stream's. Judged as a
	 * Poisson stream of packets, 6% of the gaps would be outages
	 * (ln(1e6)/300 = 46 ms); the dispersion (5) makes it 230 ms. */
	sim_init(&m);
	m.clump = 5;
	rate(&m, 60);
	run(&m, 1200, 1);
	assert_int_equal(m.nev, 0);
	assert_true(fabs(det_baseline(&m.s) - 300) < 15);
	assert_true(det_dispersion(&m.s) > 4 && det_dispersion(&m.s) < 6.5);

	/* a surge to three times the rate for a minute and back is no
	 * clumping: D stays near 5, as does the time to notice a silence */
	rate(&m, 180);
	run(&m, 60, 1);
	rate(&m, 60);
	run(&m, 60, 1);
	assert_int_equal(m.nev, 0);
	assert_true(det_dispersion(&m.s) > 4 && det_dispersion(&m.s) < 7);

	uint64_t last = m.last;

	rate(&m, 0);
	run(&m, 5, 0);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_OUTAGE_START);
	assert_int_equal(m.ev[0].time_ns, last);
	assert_true(fabs(m.ev[0].dispersion - det_dispersion(&m.s)) < 1e-9);
	double bound = m.ev[0].dispersion * log(1e6) / m.ev[0].baseline_pps + 1.0;
	assert_true((m.ev[0].detected_ns - last) / 1e9 <= bound);

	/* the same at 75 pps with quarter-second ticks: the silence is
	 * longer than a tick before it counts, and the ticks of silence
	 * before it is judged an outage do not hide it */
	sim_init(&m);
	m.clump = 5;
	m.tick = 0.25;
	rate(&m, 15);
	run(&m, 300, 1);
	assert_int_equal(m.nev, 0);
	last = m.last;
	rate(&m, 0);
	run(&m, 10, 0);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].time_ns, last);
	bound = m.ev[0].dispersion * log(1e6) / m.ev[0].baseline_pps + m.tick;
	assert_true((m.ev[0].detected_ns - last) / 1e9 <= bound);

	/* a steady Poisson stream keeps D near 1 */
	sim_init(&m);
	rate(&m, 300);
	run(&m, 600, 1);
	assert_true(det_dispersion(&m.s) < 1.5);
}

static void test_flood_then_outage_then_normal(void **state)
{
	struct sim m;

	/* a minute at 300 pps, a 30-second flood at 3000, 15 s of silence,
	 * then 300 pps again: the baseline still holds the flood (1200 pps,
	 * a threshold of 12 ms that 3% of the ticks would catch), but the
	 * traffic back at 300 pps is not taken for a string of outages */
	sim_init(&m);
	rate(&m, 300);
	run(&m, 60, 1);
	rate(&m, 3000);
	run(&m, 30, 1);
	rate(&m, 0);
	run(&m, 15, 0);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_OUTAGE_START);
	rate(&m, 300);
	run(&m, 300, 1);
	assert_true(det_baseline(&m.s) > 400); /* still learning the flood away */
	assert_int_equal(count(&m, DET_OUTAGE_START, 0), 1);
	assert_int_equal(count(&m, DET_OUTAGE_END, 0), 1);
	assert_int_equal(m.nev, 2);
}

static void test_recovery_and_duration(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 50);
	run(&m, 120, 0);
	uint64_t last = m.last;

	rate(&m, 0);
	run(&m, 600, 0);
	assert_int_equal(m.nev, 1);
	rate(&m, 50);
	uint64_t first = T0 + (uint64_t)(m.next * NS);

	run(&m, 3, 0);
	assert_int_equal(m.nev, 2);
	assert_int_equal(m.ev[1].type, DET_OUTAGE_END);
	assert_int_equal(m.ev[1].time_ns, first);
	assert_int_equal(m.ev[1].started_ns, last);
	assert_true(fabs(m.ev[1].duration_s - (first - last) / 1e9) < 1e-6);
	assert_true(m.ev[1].duration_s > 600);
	/* ten minutes of silence did not drag the baseline down */
	assert_true(fabs(det_baseline(&m.s) - 50) < 3);
	assert_int_equal(m.s.state, DET_NORMAL);
}

static void test_burst_then_silence(void **state)
{
	struct sim m;

	/* 20 packets, fewer than --min-packets: the baseline is not
	 * established and silence raises nothing */
	sim_init(&m);
	rate(&m, 20);
	run(&m, 1, 0);
	rate(&m, 0);
	run(&m, 3600, 0);
	assert_int_equal(m.nev, 0);
	assert_int_equal(m.s.state, DET_INSUFFICIENT);
}

static void test_fresh_start_detects_after_min_packets(void **state)
{
	struct sim m;

	/* 10 pps for 5 s: 50 packets, enough; then silence */
	sim_init(&m);
	rate(&m, 10);
	run(&m, 5, 0);
	assert_int_equal(m.s.state, DET_NORMAL);
	rate(&m, 0);
	run(&m, 5, 0);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_OUTAGE_START);
}

static void test_flapping(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 60, 0);
	for (int i = 0; i < 5; i++) {
		rate(&m, 0);
		run(&m, 3, 0);
		rate(&m, 100);
		run(&m, 4, 0);
	}
	assert_int_equal(m.nev, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(m.ev[i].type, i % 2 ? DET_OUTAGE_END : DET_OUTAGE_START);
		if (i % 2) {
			assert_true(m.ev[i].duration_s > 2.5 && m.ev[i].duration_s < 3.5);
			assert_int_equal(m.ev[i].started_ns, m.ev[i - 1].time_ns);
		}
	}
	/* flaps teach nothing: the baseline is still 100 pps */
	assert_true(fabs(det_baseline(&m.s) - 100) < 2);
}

static int count(const struct sim *m, enum det_event_type t, int from)
{
	int n = 0;

	for (int i = from; i < m->nev; i++)
		n += m->ev[i].type == t;
	return n;
}

static void test_partial_drop(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 300, 1);
	uint64_t fell = m.now;

	rate(&m, 4);
	run(&m, 10, 1);
	/* at the onset a gap may still look like an outage at 100 pps; once
	 * the lower rate shows, no more */
	int early = m.nev;

	run(&m, 49, 1);
	assert_int_equal(m.nev, early);
	assert_int_equal(count(&m, DET_DROP_START, 0), 0); /* not before --drop-hold */
	run(&m, 3, 1);
	assert_int_equal(count(&m, DET_DROP_START, 0), 1);
	const struct det_event *d = &m.ev[m.nev - 1];

	assert_int_equal(d->type, DET_DROP_START);
	/* it began when the rate fell (at the first outage, if one was seen) */
	assert_true(d->time_ns >= fell - NS && d->time_ns <= fell + 2 * NS);
	assert_true(fabs(d->baseline_pps - 100) < 5);
	assert_int_equal(m.s.state, DET_DROP);
	int at = m.nev;

	run(&m, 600, 1);
	assert_int_equal(m.nev, at);	/* no flapping; the drop is not learned */
	rate(&m, 100);
	uint64_t back = m.now;

	run(&m, 2, 1);
	assert_int_equal(m.nev, at + 1);
	assert_int_equal(m.ev[at].type, DET_DROP_END);
	assert_int_equal(m.ev[at].started_ns, d->time_ns);
	assert_int_equal(m.ev[at].time_ns, back);
	assert_true(fabs(det_baseline(&m.s) - 100) < 5);
}

static void test_drop_to_half_is_no_drop(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 300, 1);
	rate(&m, 50);
	run(&m, 600, 1);
	assert_int_equal(m.nev, 0);
	assert_int_equal(m.s.state, DET_NORMAL);
}

static void test_drop_then_zero(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 300, 1);
	rate(&m, 2);
	run(&m, 90, 0);
	int at = m.nev;

	assert_int_equal(count(&m, DET_DROP_START, 0), 1);
	assert_int_equal(m.s.state, DET_DROP);
	rate(&m, 0);
	run(&m, 5, 0);
	/* judged against the drop's rate, ~2 pps: ln(1e6)/2.x = 5-7 s */
	assert_int_equal(m.nev, at);
	run(&m, 5, 0);
	assert_int_equal(m.nev, at + 2);
	assert_int_equal(m.ev[at].type, DET_DROP_END);
	assert_int_equal(m.ev[at + 1].type, DET_OUTAGE_START);
	assert_int_equal(m.ev[at + 1].time_ns, m.last);
	assert_true(m.ev[at + 1].baseline_pps > 1.5 && m.ev[at + 1].baseline_pps < 2.5);
}

/* Traffic back at the usual rate after an outage is not a drop. */
static void test_outage_then_normal_is_no_drop(void **state)
{
	struct sim m;

	sim_init(&m);
	rate(&m, 100);
	run(&m, 300, 1);
	rate(&m, 0);
	run(&m, 300, 0);
	rate(&m, 100);
	run(&m, 300, 1);
	assert_int_equal(m.nev, 2);
	assert_int_equal(m.ev[0].type, DET_OUTAGE_START);
	assert_int_equal(m.ev[1].type, DET_OUTAGE_END);
	assert_int_equal(m.s.state, DET_NORMAL);
	assert_int_equal(m.s.cand, 0);
}

/* A series that sleeps through k silent intervals and wakes with
 * det_wake() is the series fed them one by one: the same clock, recent
 * intervals and state, then the same events for the same traffic. */
static void test_dormant_wake(void **state)
{
	struct det_params p = DET_PARAMS_DEFAULT;
	struct det_series a, b;
	struct det_event ea[2], eb[2];
	uint64_t now = 1749254400ull * 1000000000ull;
	double dts[200], T = 0;
	const int k = 150;

	det_init(&a, now);
	det_init(&b, now);
	assert_false(det_dormant(&a)); /* never fed: no previous interval */
	struct det_obs o0 = { .now_ns = now += 1000000000ull, .dt = 1 };

	det_update(&a, &p, &o0, ea);
	det_update(&b, &p, &o0, eb);
	assert_true(det_dormant(&b));
	for (int i = 0; i < k; i++) {
		dts[i] = 0.9 + 0.2 * (i % 7) / 6; /* measured periods vary */
		T += dts[i];
		now += (uint64_t)(dts[i] * 1e9);
		struct det_obs o = { .now_ns = now, .dt = dts[i] };

		assert_int_equal(det_update(&a, &p, &o, ea), 0);
		assert_true(det_dormant(&a));
	}
	det_wake(&b, &p, k, T, dts + k - DET_RECENT);
	assert_true(fabs(a.T - b.T) < 1e-9 * a.T);
	assert_true(a.S == 0 && b.S == 0);
	assert_int_equal(a.recent_i, b.recent_i);
	assert_memory_equal(a.recent_n, b.recent_n, sizeof(a.recent_n));
	assert_memory_equal(a.recent_t, b.recent_t, sizeof(a.recent_t));
	assert_int_equal(a.state, b.state);
	/* then traffic for a minute, and silence: the same events */
	int na = 0, nb = 0;

	for (int i = 0; i < 90; i++) {
		now += 1000000000ull;
		struct det_obs o = { .now_ns = now, .dt = 1, .packets = i < 60 ? 50 : 0,
				     .last_ns = i < 60 ? now - 10000000ull : 0,
				     .first_ns = i < 60 ? now - 990000000ull : 0 };
		int xa = det_update(&a, &p, &o, ea), xb = det_update(&b, &p, &o, eb);

		assert_int_equal(xa, xb);
		for (int e = 0; e < xa; e++) {
			assert_int_equal(ea[e].type, eb[e].type);
			assert_true(ea[e].time_ns == eb[e].time_ns);
		}
		na += xa;
		nb += xb;
	}
	assert_int_equal(na, nb);
	assert_true(na >= 1); /* the silence after the minute is an outage */
	assert_true(fabs(det_baseline(&a) - det_baseline(&b)) < 1e-9 * det_baseline(&a));
}

static void test_poisson_cdf(void **state)
{
	assert_true(fabs(poisson_cdf(0, 2) - exp(-2)) < 1e-12);
	assert_true(fabs(poisson_cdf(2, 2) - 5 * exp(-2)) < 1e-12);
	assert_true(fabs(poisson_cdf(100000, 100000) - 0.5) < 0.01);
	assert_true(poisson_cdf(300, 6000) < 1e-100 + 1e-300);
	assert_true(poisson_cdf(5, 6) > 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_then_zero),
		cmocka_unit_test(test_slow_series_no_false_alarm),
		cmocka_unit_test(test_clumped_traffic),
		cmocka_unit_test(test_flood_then_outage_then_normal),
		cmocka_unit_test(test_recovery_and_duration),
		cmocka_unit_test(test_burst_then_silence),
		cmocka_unit_test(test_fresh_start_detects_after_min_packets),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_partial_drop),
		cmocka_unit_test(test_drop_to_half_is_no_drop),
		cmocka_unit_test(test_drop_then_zero),
		cmocka_unit_test(test_outage_then_normal_is_no_drop),
		cmocka_unit_test(test_dormant_wake),
		cmocka_unit_test(test_poisson_cdf),
	};

	return cmocka_run_group_tests_name("detector", tests, NULL, NULL);
}
