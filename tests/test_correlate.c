// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* correlate on constructed traffic and BGP files, one per classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "correlate.h"
#include "timefmt.h"

#define NS 1000000000ull
#define T0 (1749254400ull * NS) /* 2025-06-07T00:00:00Z */
#define OUT_AT 1200		/* the outage starts 20 min in */

static char traffic[64], bgp[64];

static int setup(void **state)
{
	strcpy(traffic, "/tmp/pw-corr-t-XXXXXX");
	strcpy(bgp, "/tmp/pw-corr-b-XXXXXX");
	return mkdtemp(traffic) && mkdtemp(bgp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", traffic, bgp);
	return system(cmd);
}

static FILE *open_in(const char *dir, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	return f;
}

static const char *at(double s)
{
	static char buf[4][40];
	static int k;

	k = (k + 1) % 4;
	return fmt_rfc3339(T0 + (uint64_t)(s * 1e9), buf[k], sizeof(buf[0]));
}

/* 1 s rows of one interface, block and direction, for [from, to) */
static void rows(FILE *f, const char *ifc, const char *blk, const char *dir, int from, int to,
		 int pps, int syn, int synack)
{
	for (int t = from + 1; t <= to; t++)
		fprintf(f, "%s,%s,block,%s,%s,%d,%d,%d.000,0.0,%d,0,0,0,%d,%d,normal,0.000,\n", at(t), ifc,
			blk, dir, pps, pps * 60, pps, syn, syn, synack);
}

static void outage(FILE *ev, const char *ifc, const char *blk, const char *dir, double start,
		   double end, int vantage)
{
	fprintf(ev, "{\"event\":\"outage_start\",\"time\":\"%s\",\"interface\":\"%s\",\"block\":\"%s\",\"direction\":\"%s\",\"scope\":\"block\",\"detected\":\"%s\",\"baseline_pps\":100,\"vantage_silent\":%s}\n",
		at(start), ifc, blk, dir, at(start + 0.2), vantage ? "true" : "false");
	fprintf(ev, "{\"event\":\"outage_end\",\"time\":\"%s\",\"interface\":\"%s\",\"block\":\"%s\",\"direction\":\"%s\",\"scope\":\"block\",\"detected\":\"%s\",\"started\":\"%s\",\"duration_s\":%.3f}\n",
		at(end), ifc, blk, dir, at(end + 0.5), at(start), end - start);
}

/* the usual: 100 pps to 175.45.176.0/24 on pb0, silent 1200..1500 */
static void write_traffic(int vantage, int second_iface, int surge)
{
	FILE *s = open_in(traffic, "series-20250607T000000Z.csv");
	FILE *ev = open_in(traffic, "events.jsonl");
	const char *b = "175.45.176.0/24";

	fprintf(s, "time,interface,scope,block,direction,packets,bytes,pps,bps,tcp,udp,icmp,other,syn,synack,state,baseline_pps,last_seen\n");
	if (surge) {
		rows(s, "pb0", b, "to", 0, OUT_AT - 60, 100, 10, 0);
		rows(s, "pb0", b, "from", 0, OUT_AT - 60, 100, 0, 10);
		rows(s, "pb0", b, "to", OUT_AT - 60, OUT_AT, 2000, 1500, 0);
		rows(s, "pb0", b, "from", OUT_AT - 60, OUT_AT, 20, 0, 3);
	} else {
		rows(s, "pb0", b, "to", 0, OUT_AT, 100, 5, 0);
		rows(s, "pb0", b, "from", 0, OUT_AT, 100, 0, 5);
	}
	rows(s, "pb0", b, "to", OUT_AT, 1500, 0, 0, 0);
	rows(s, "pb0", b, "to", 1500, 1800, 100, 5, 0);
	if (second_iface) /* the other path carries the traffic meanwhile */
		rows(s, "pb1", b, "to", OUT_AT, 1800, 100, 5, 0);
	outage(ev, "pb0", b, "to", OUT_AT - 0.01, 1500.02, vantage);
	if (vantage)
		fprintf(ev, "{\"event\":\"vantage_silent\",\"time\":\"%s\",\"interface\":\"pb0\",\"block\":null,\"direction\":null,\"scope\":\"interface\",\"detected\":\"%s\",\"baseline_pps\":50}\n",
			at(OUT_AT - 0.01), at(OUT_AT + 0.1));
	fclose(s);
	fclose(ev);
}

static void write_bgp(int withdrawn)
{
	FILE *ev = open_in(bgp, "bgp-events.jsonl");
	FILE *vis = open_in(bgp, "bgp-visibility.csv");

	/* the visibility series: 00:00 to 01:00, so it covers the outage */
	fprintf(vis, "time,block,peers,peers_had,origin_as,upstream_as,state\n");
	for (int t = 0; t <= 3600; t += 300)
		fprintf(vis, "%s,175.45.176.0/24,3,3,131279,4837,visible\n", at(t));
	fclose(vis);

	if (withdrawn)
		fprintf(ev, "{\"event\":\"bgp_withdrawn\",\"time\":\"%s\",\"interface\":\"bgp\",\"block\":\"175.45.176.0/24\",\"direction\":null,\"scope\":\"block\",\"peers\":0,\"peers_had\":3,\"origin_as\":131279,\"upstream_as\":[4837]}\n",
			at(OUT_AT - 5));
	/* an event of another block changes nothing */
	fprintf(ev, "{\"event\":\"bgp_withdrawn\",\"time\":\"%s\",\"interface\":\"bgp\",\"block\":\"10.0.0.0/24\",\"direction\":null,\"scope\":\"block\",\"peers\":0,\"peers_had\":3,\"upstream_as\":[]}\n",
		at(OUT_AT - 3));
	fclose(ev);
}

static const struct corr_incident *run(struct correlation *c, int with_bgp)
{
	struct corr_opts o = CORR_OPTS_DEFAULT;

	corr_init(c, &o);
	assert_int_equal(corr_load_traffic(c, traffic), 0);
	if (with_bgp)
		assert_int_equal(corr_load_bgp_dir(c, bgp), 0);
	corr_run(c);
	assert_int_equal(c->ninc, 1);
	assert_int_equal(c->inc[0].start, T0 + (uint64_t)((OUT_AT - 0.01) * 1e9));
	assert_int_equal(c->inc[0].end, T0 + (uint64_t)(1500.02 * 1e9));
	return &c->inc[0];
}

static void test_routing_withdrawal(void **state)
{
	struct correlation c;

	write_traffic(0, 0, 0);
	write_bgp(1);
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "routing_withdrawal");
	assert_true(in->lag_s > 4.9 && in->lag_s < 5.1);
	assert_int_equal(in->peers_before, 3);
	assert_int_equal(in->peers_min, 0);
	assert_non_null(strstr(in->evidence, "withdrawn 5.0 s before the traffic stopped"));
	corr_free(&c);
}

static void test_data_plane(void **state)
{
	struct correlation c;

	write_traffic(0, 0, 0);
	write_bgp(0);
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "data_plane");
	assert_int_equal(in->withdrawn, 0);
	corr_free(&c);
}

static void test_unknown_without_bgp(void **state)
{
	struct correlation c;

	write_traffic(0, 0, 0);
	const struct corr_incident *in = run(&c, 0);

	assert_string_equal(in->class, "unknown");
	corr_free(&c);

	/* BGP data of another time proves nothing about this one */
	FILE *vis = open_in(bgp, "bgp-visibility.csv");

	fprintf(vis, "time,block,peers,peers_had,origin_as,upstream_as,state\n");
	fprintf(vis, "2015-10-23T02:00:00.000Z,175.45.176.0/24,3,3,131279,4837,visible\n");
	fclose(vis);
	fclose(open_in(bgp, "bgp-events.jsonl"));
	in = run(&c, 1);
	assert_string_equal(in->class, "unknown");
	assert_non_null(strstr(in->evidence, "does not cover this time"));
	corr_free(&c);
}

static void test_vantage(void **state)
{
	struct correlation c;

	write_traffic(1, 0, 0);
	write_bgp(1); /* even with a withdrawal: the vantage point says nothing */
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "vantage");
	assert_non_null(strstr(in->evidence, "routes withdrawn"));
	corr_free(&c);
}

static void test_path_shift(void **state)
{
	struct correlation c;

	write_traffic(0, 1, 0);
	write_bgp(0);
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "path_shift");
	assert_int_equal(in->carried_elsewhere, 1);
	corr_free(&c);
}

static void test_attack_like(void **state)
{
	struct correlation c;

	write_traffic(0, 0, 1);
	write_bgp(1);
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "attack_like");
	assert_true(in->surge > 15);
	assert_true(in->answers_pre < 0.01 && in->answers_base > 0.9);
	corr_free(&c);

	/* and the JSON report says the same */
	corr_init(&c, &(struct corr_opts)CORR_OPTS_DEFAULT);
	corr_load_traffic(&c, traffic);
	corr_load_bgp_dir(&c, bgp);
	corr_run(&c);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	corr_print_json(&c, m);
	fclose(m);
	assert_non_null(strstr(buf, "{\"incidents\":[{\"start\":\"2025-06-07T00:19:59.990Z\",\"end\":\"2025-06-07T00:25:00.020Z\",\"duration_s\":300.030,\"blocks\":[\"175.45.176.0/24\"],\"interfaces\":[\"pb0\"],\"directions\":[\"to\"],\"classification\":\"attack_like\""));
	assert_non_null(strstr(buf, "\"withdrawn\":true,\"lag_s\":4.990"));
	free(buf);
	corr_free(&c);
}

static void test_restored_before(void **state)
{
	struct correlation c;

	/* withdrawn 100 s before the outage but back 50 s before it: the
	 * routes were there when the traffic stopped */
	write_traffic(0, 0, 0);
	write_bgp(0);
	FILE *ev = open_in(bgp, "bgp-events.jsonl");

	fprintf(ev, "{\"event\":\"bgp_withdrawn\",\"time\":\"%s\",\"block\":\"175.45.176.0/24\",\"peers\":0,\"peers_had\":3}\n", at(OUT_AT - 100));
	fprintf(ev, "{\"event\":\"bgp_restored\",\"time\":\"%s\",\"block\":\"175.45.176.0/24\",\"peers\":3,\"peers_had\":3}\n", at(OUT_AT - 50));
	fclose(ev);
	const struct corr_incident *in = run(&c, 1);

	assert_string_equal(in->class, "data_plane");
	assert_int_equal(in->withdrawn, 0);
	corr_free(&c);
}

static void test_there_and_back(void **state)
{
	struct correlation c;
	struct corr_opts o = CORR_OPTS_DEFAULT;
	FILE *s = open_in(traffic, "series-20250607T000000Z.csv");
	FILE *ev = open_in(traffic, "events.jsonl");
	const char *b = "175.45.176.0/24";

	/* pb0 carries the traffic, then pb1 while pb0's link is down, then
	 * pb0 again: two path shifts, although the outages overlap; the rates
	 * come from the "all" series, not from it and the interfaces added */
	rows(s, "pb0", b, "to", 0, OUT_AT, 100, 0, 0);
	rows(s, "pb1", b, "to", OUT_AT, 1500, 100, 0, 0);
	rows(s, "pb0", b, "to", 1500, 1800, 100, 0, 0);
	rows(s, "all", b, "to", 0, 1800, 100, 0, 0);
	outage(ev, "pb0", b, "to", OUT_AT - 0.01, 1500.02, 0);
	fprintf(ev, "{\"event\":\"outage_start\",\"time\":\"%s\",\"interface\":\"pb1\",\"block\":\"%s\",\"direction\":\"to\",\"scope\":\"block\",\"detected\":\"%s\",\"baseline_pps\":100,\"vantage_silent\":false}\n",
		at(1499.99), b, at(1500.2));
	fclose(s);
	fclose(ev);
	corr_init(&c, &o);
	assert_int_equal(corr_load_traffic(&c, traffic), 0);
	corr_run(&c);
	assert_int_equal(c.ninc, 2);
	assert_string_equal(c.inc[0].class, "path_shift");
	assert_string_equal(c.inc[1].class, "path_shift");
	assert_true(c.inc[0].pps_pre > 99 && c.inc[0].pps_pre < 101);
	assert_true(c.inc[0].pps_base > 99 && c.inc[0].pps_base < 101);
	corr_free(&c);
}

/* Silent rows of blocks without a baseline, as --csv-rows all writes them */
static void zero_rows(FILE *f, const char *ifc, const char *blk, const char *dir, int from, int to)
{
	for (int t = from + 1; t <= to; t++)
		fprintf(f, "%s,%s,block,%s,%s,0,0,0.000,0.0,0,0,0,0,0,0,insufficient,0.000,\n", at(t), ifc,
			blk, dir);
}

/* The series files of --csv-rows active leave out the rows of silent
 * blocks without a baseline: correlate must read an absent row as zero
 * packets, and find the same as with every row there. */
static void test_absent_rows_are_zero(void **state)
{
	struct correlation c, d;
	char path[128];

	write_traffic(0, 1, 1);
	write_bgp(0);
	const struct corr_incident *sparse = run(&c, 1);

	assert_string_equal(sparse->class, "attack_like");
	assert_int_equal(sparse->carried_elsewhere, 1);

	/* the same traffic with the zero rows written out */
	snprintf(path, sizeof(path), "%s/series-20250607T000000Z.csv", traffic);
	FILE *s = fopen(path, "a");

	assert_non_null(s);
	zero_rows(s, "pb1", "175.45.176.0/24", "to", 0, OUT_AT);
	zero_rows(s, "pb1", "175.45.176.0/24", "from", 0, 1800);
	zero_rows(s, "pb0", "175.45.176.0/24", "from", OUT_AT, 1800);
	for (int i = 0; i < 2; i++) {
		zero_rows(s, i ? "pb1" : "pb0", "175.45.177.0/24", "to", 0, 1800);
		zero_rows(s, i ? "pb1" : "pb0", "175.45.177.0/24", "from", 0, 1800);
	}
	fclose(s);
	const struct corr_incident *dense = run(&d, 1);

	assert_true(d.nrows > c.nrows + 4 * 1800);
	assert_string_equal(dense->class, sparse->class);
	assert_int_equal(dense->carried_elsewhere, sparse->carried_elsewhere);
	assert_true(dense->pps_pre == sparse->pps_pre && dense->pps_base == sparse->pps_base);
	assert_true(dense->pre_s == sparse->pre_s && dense->base_s == sparse->base_s);
	assert_true(dense->surge == sparse->surge);
	assert_true(dense->answers_pre == sparse->answers_pre && dense->answers_base == sparse->answers_base);
	corr_free(&c);
	corr_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routing_withdrawal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_plane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_without_bgp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vantage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_shift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_like, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restored_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_there_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_rows_are_zero, setup, teardown),
	};

	return cmocka_run_group_tests_name("correlate", tests, NULL, NULL);
}
