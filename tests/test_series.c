// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Series: whole targets, "all" over interfaces, the vantage rule, resets. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "fake_sensor.h"

static int count_events(const struct series_set *set, const char *name, int scope, int iface,
			int *vantage)
{
	int n = 0;

	for (size_t i = 0; i < set->nev; i++) {
		const struct series_event *e = &set->ev[i];

		if (strcmp(e->name, name) || e->s->scope != scope || e->s->iface != iface)
			continue;
		if (vantage)
			*vantage = e->vantage_silent;
		n++;
	}
	return n;
}

/* The interface's own traffic stops with the target's: vantage_silent, and
 * the target's outage says the vantage point was silent too. */
static void test_vantage_silent(void **state)
{
	struct fake f;
	uint64_t t = T0;
	int v = -1, vant = 0, outs = 0;

	fake_init(&f, t);
	for (int i = 0; i < 60; i++)
		fake_add(&f, 0, t += NS, 100, 50), fake_step(&f, t);
	for (int i = 0; i < 3; i++) {
		fake_add(&f, 0, t += NS, 0, 0);	/* nothing at all */
		fake_step(&f, t);
		vant += count_events(&f.set, "vantage_silent", SCOPE_IFACE, 0, NULL);
		outs += count_events(&f.set, "outage_start", SCOPE_BLOCK, 0, &v);
	}
	assert_int_equal(vant, 1);
	assert_int_equal(outs, 1);
	assert_int_equal(v, 1);
	assert_string_equal(series_state(&f.set.s[f.set.ifs[0]]), "silent");
	fake_free(&f);
}

/* The target stops; the interface's other traffic goes on, however slow
 * (a BGP keepalive a second): a real outage of the target, even though the
 * interface lost most of its frames. */
static void test_target_silent_vantage_alive(void **state)
{
	struct fake f;
	uint64_t t = T0;
	int v = -1, outs = 0;

	fake_init(&f, t);
	for (int i = 0; i < 300; i++)
		fake_add(&f, 0, t += NS, 300, 1), fake_step(&f, t);
	for (int i = 0; i < 30; i++) {
		fake_add(&f, 0, t += NS, 0, 1);
		fake_step(&f, t);
		outs += count_events(&f.set, "outage_start", SCOPE_BLOCK, 0, &v);
		assert_int_equal(count_events(&f.set, "vantage_silent", SCOPE_IFACE, 0, NULL), 0);
	}
	assert_int_equal(outs, 1);
	assert_int_equal(v, 0);
	assert_string_equal(series_state(&f.set.s[f.set.ifs[0]]), "normal");
	fake_free(&f);

	/* and with no other traffic at all, there is no evidence against the
	 * vantage point either */
	fake_init(&f, t = T0);
	for (int i = 0; i < 60; i++)
		fake_add(&f, 0, t += NS, 100, 0), fake_step(&f, t);
	fake_add(&f, 0, t += NS, 0, 0);
	fake_step(&f, t);
	assert_int_equal(count_events(&f.set, "outage_start", SCOPE_BLOCK, 0, &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(count_events(&f.set, "outage_start", SCOPE_TARGET, 0, &v), 1);
	assert_string_equal(series_state(&f.set.s[f.set.ifs[0]]), "insufficient");
	fake_free(&f);
}

/* Two paths: traffic moves from one interface to the other. Each interface
 * sees its own outage or nothing; over all of them, nothing stops. */
static void test_path_shift(void **state)
{
	struct fake f;
	uint64_t t = T0;
	int all_out = 0, eth9_out = 0;

	fake_init_n(&f, 2, t);
	for (int i = 0; i < 60; i++) {
		t += NS;
		fake_add(&f, 0, t, 100, 50);
		fake_add(&f, 1, t, 0, 50);
		fake_step(&f, t);
	}
	for (int i = 0; i < 30; i++) {
		t += NS;
		fake_add(&f, 0, t, 0, 50);
		fake_add(&f, 1, t, 100, 50);
		fake_step(&f, t);
		eth9_out += count_events(&f.set, "outage_start", SCOPE_TARGET, 0, NULL);
		all_out += count_events(&f.set, "outage_start", SCOPE_TARGET, -1, NULL);
		all_out += count_events(&f.set, "outage_start", SCOPE_BLOCK, -1, NULL);
	}
	assert_int_equal(eth9_out, 1);
	assert_int_equal(all_out, 0);
	/* the sum over both: 100 pps throughout */
	const struct series *all = &f.set.s[f.set.tgt[2] + PW_DIR_FROM];

	assert_int_equal(all->iface, -1);
	assert_int_equal(all->packets, 100);
	assert_string_equal(series_iface(&f.set, all), "all");
	assert_string_equal(series_label(&f.set, all), "175.45.176.0/22");
	assert_int_equal(all->total_packets, 90 * 100);
	fake_free(&f);
}

/* Counters that go back (maps made anew): counted from zero, said once. */
static void test_counter_reset(void **state)
{
	struct fake f;
	uint64_t t = T0;

	fake_init(&f, t);
	for (int i = 0; i < 5; i++)
		fake_tick(&f, t += NS, 10);
	memset(f.r[0].c, 0, f.ts.nblocks * PW_NDIRS * sizeof(*f.r[0].c));
	fake_tick(&f, t += NS, 7);
	const struct series *s = &f.set.s[f.set.blk[0] + PW_SLOT(1, PW_DIR_FROM)];

	assert_int_equal(s->packets, 7);
	assert_int_equal(f.set.resets, 1);
	for (size_t k = 0; k < f.set.n; k++)
		assert_true(f.set.s[k].pps >= 0);
	fake_free(&f);
}

/* A whole target is the sum of its blocks; a silent block is zeros. */
/* The mapped counters of three CPUs summed: counts added, the latest last
 * packet, the earliest first packet among the CPUs that counted in this
 * epoch; a CPU with nothing for a slot (the first one here) changes nothing. */
static void test_sum_cpus(void **state)
{
	struct pw_counters m[3 * 2] = {}, out[2];
	const uint64_t E = 7;

	/* slot 0: CPU 0 nothing; CPU 1 in this epoch; CPU 2 in an older one */
	m[2 + 0] = (struct pw_counters){ .packets = 5, .bytes = 500, .udp = 5, .last_ns = 300, .first_ns = 250, .epoch = E };
	m[4 + 0] = (struct pw_counters){ .packets = 3, .bytes = 180, .tcp = 3, .syn = 2, .last_ns = 400, .first_ns = 100, .epoch = E - 1 };
	/* slot 1: every CPU, two in this epoch */
	m[0 + 1] = (struct pw_counters){ .packets = 1, .bytes = 60, .icmp = 1, .last_ns = 90, .first_ns = 80, .epoch = E };
	m[2 + 1] = (struct pw_counters){ .packets = 2, .bytes = 120, .other = 2, .last_ns = 95, .first_ns = 70, .epoch = E };
	m[4 + 1] = (struct pw_counters){ .packets = 4, .bytes = 240, .udp = 4, .synack = 1, .last_ns = 50, .first_ns = 40, .epoch = E + 1 };
	counters_sum_blocks(m, 3, 2, E, NULL, out);
	assert_int_equal(out[0].packets, 8);
	assert_int_equal(out[0].bytes, 680);
	assert_int_equal(out[0].udp, 5);
	assert_int_equal(out[0].tcp, 3);
	assert_int_equal(out[0].syn, 2);
	assert_int_equal(out[0].last_ns, 400);
	assert_int_equal(out[0].first_ns, 250); /* CPU 2's 100 is of another epoch */
	assert_int_equal(out[0].epoch, E);
	assert_int_equal(out[1].packets, 7);
	assert_int_equal(out[1].bytes, 420);
	assert_int_equal(out[1].icmp + out[1].other + out[1].udp, 7);
	assert_int_equal(out[1].synack, 1);
	assert_int_equal(out[1].last_ns, 95);
	assert_int_equal(out[1].first_ns, 70);
	/* times from jiffies: the middle of their tick, on the way */
	struct pw_clock clk = { .t0_ns = 1000, .tick_ns = 10 };

	counters_sum_blocks(m, 3, 2, E, &clk, out);
	assert_int_equal(out[0].last_ns, 1000 + 400 * 10 + 5);
	assert_int_equal(out[0].first_ns, 1000 + 250 * 10 + 5);
	assert_int_equal(out[1].last_ns, 1000 + 95 * 10 + 5);
	assert_int_equal(out[1].first_ns, 1000 + 70 * 10 + 5);
	assert_int_equal(out[0].packets, 8);
	/* an epoch no CPU counted in: no first packet */
	counters_sum_blocks(m, 3, 2, E + 5, NULL, out);
	assert_int_equal(out[0].first_ns, 0);
	assert_int_equal(out[1].first_ns, 0);
	assert_int_equal(out[1].packets, 7);
}

/* A target's series, kept up from the blocks that moved, is every tick the
 * sum of all its blocks, as if summed anew: totals, the interval, the last
 * and first packets; through a counter reset too. */
static void test_target_sums_moving_blocks(void **state)
{
	struct fake f;
	uint64_t t = T0, rng = 12345;

	fake_init(&f, t);
	for (int i = 0; i < 60; i++) {
		t += NS;
		for (int k = 0; k < 3; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			unsigned slot = (rng >> 33) % (f.ts.nblocks * PW_NDIRS), n = (rng >> 20) % 5;
			struct pw_counters *c = &f.r[0].c[slot];

			if (i == 40 && k == 0) { /* the maps made anew */
				memset(f.r[0].c, 0, f.ts.nblocks * PW_NDIRS * sizeof(*c));
				continue;
			}
			c->packets += n;
			c->bytes += 100ull * n;
			if (n) {
				c->last_ns = t - NS / 3 + k;
				c->first_ns = t - NS / 2 + k;
				c->epoch = 0;
			}
		}
		fake_step(&f, t);
		for (int d = 0; d < PW_NDIRS; d++) {
			const struct series *agg = &f.set.s[f.set.tgt[0] + d];
			uint64_t tp = 0, tb = 0, pk = 0, last = 0, first = 0;

			for (uint32_t b = 0; b < f.ts.nblocks; b++) {
				const struct series *s = &f.set.s[f.set.blk[0] + b * PW_NDIRS + d];

				tp += s->total_packets;
				tb += s->total_bytes;
				pk += s->packets;
				if (s->last_ns > last)
					last = s->last_ns;
				if (s->first_ns && (!first || s->first_ns < first))
					first = s->first_ns;
			}
			assert_int_equal(agg->total_packets, tp);
			assert_int_equal(agg->total_bytes, tb);
			assert_int_equal(agg->packets, pk);
			assert_true(agg->last_ns >= last); /* the latest ever, resets or not */
			assert_int_equal(agg->first_ns, first);
		}
	}
	fake_free(&f);
}

static void test_target_sums_blocks(void **state)
{
	struct fake f;
	uint64_t t = T0;

	fake_init(&f, t);
	f.r[0].c[PW_SLOT(3, PW_DIR_TO)].packets = 5;
	fake_tick(&f, t += NS, 0);
	assert_int_equal(f.set.s[f.set.tgt[0] + PW_DIR_TO].packets, 5);
	f.r[0].c[PW_SLOT(0, PW_DIR_TO)].packets += 2;
	f.r[0].c[PW_SLOT(3, PW_DIR_TO)].packets += 3;
	fake_tick(&f, t += NS, 4);
	const struct series *tgt = &f.set.s[f.set.tgt[0] + PW_DIR_TO];
	const struct series *from = &f.set.s[f.set.tgt[0] + PW_DIR_FROM];

	assert_int_equal(tgt->packets, 5);
	assert_int_equal(from->packets, 4);
	assert_int_equal(f.set.s[f.set.blk[0] + PW_SLOT(2, PW_DIR_TO)].packets, 0);
	assert_true(f.set.s[f.set.blk[0] + PW_SLOT(2, PW_DIR_TO)].pps == 0);
	fake_free(&f);
}

/* A block silent from the start sleeps (its detector is skipped) and,
 * when traffic comes, catches up: its detector then is the one fed every
 * interval by hand, and raises the same outage at the same time. */
static void test_dormant_block(void **state)
{
	struct fake f;
	struct det_series ref;
	struct det_event ev[2];
	uint64_t t = T0;
	int nref = 0, nset = 0;

	fake_init(&f, t);
	det_init(&ref, t);
	const struct series *s = &f.set.s[f.set.blk[0] + PW_SLOT(1, PW_DIR_FROM)];

	for (int i = 0; i < 130; i++) {
		unsigned n = i >= 30 && i < 100 ? 10 : 0;

		t += NS;
		fake_tick(&f, t, n);
		if (i == 29)
			assert_true(s->dormant_tick != 0); /* asleep after 30 silent ones */
		if (i == 30)
			assert_true(s->dormant_tick == 0); /* woken by the first packets */
		struct det_obs o = { t, 1.0, n, n ? t - NS / 1000 : 0, n ? t - NS / 2 : 0 };
		int k = det_update(&ref, &f.p, &o, ev);

		nref += k;
		for (size_t e = 0; e < f.set.nev; e++) {
			if (f.set.ev[e].s != s)
				continue;
			assert_true(nset < nref);
			assert_int_equal(f.set.ev[e].d.type, ev[nset - (nref - k)].type);
			assert_true(f.set.ev[e].d.time_ns == ev[nset - (nref - k)].time_ns);
			assert_true(f.set.ev[e].d.detected_ns == ev[nset - (nref - k)].detected_ns);
			nset++;
		}
		assert_int_equal(nset, nref);
	}
	assert_true(nref >= 1); /* the silence after the traffic is an outage */
	assert_true(fabs(s->det.T - ref.T) < 1e-9 * ref.T);
	assert_true(fabs(det_baseline(&s->det) - det_baseline(&ref)) < 1e-9 * det_baseline(&ref));
	/* a block that never saw a packet sleeps all along */
	assert_true(f.set.s[f.set.blk[0] + PW_SLOT(2, PW_DIR_TO)].dormant_tick != 0);
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vantage_silent),
		cmocka_unit_test(test_target_silent_vantage_alive),
		cmocka_unit_test(test_path_shift),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_target_sums_blocks),
		cmocka_unit_test(test_dormant_block),
		cmocka_unit_test(test_sum_cpus),
		cmocka_unit_test(test_target_sums_moving_blocks),
	};

	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
