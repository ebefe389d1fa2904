// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The files of --out: series CSV and its rotation, events JSON Lines, the
 * Prometheus textfile, and the writer under a full disk. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "testutil.h"
#include "export.h"
#include "opts.h"
#include "outfile.h"
#include "series.h"
#include "timefmt.h"
#include "fake_sensor.h"

static char dir[64];

static int mkdir_tmp(void **state)
{
	strcpy(dir, "/tmp/pw-export-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}


static char *gunzip(const char *path)
{
	gzFile g = gzopen(path, "rb");
	size_t cap = 1 << 20, len = 0;
	char *b = malloc(cap);
	int n;

	if (!g)
		return NULL;
	while ((n = gzread(g, b + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 >= cap)
			b = realloc(b, cap *= 2);
	}
	assert_true(n == 0);
	assert_int_equal(gzclose(g), Z_OK);
	b[len] = '\0';
	return b;
}

/* Every line has the header's number of fields; returns the data rows. */
static int csv_check(const char *text)
{
	int rows = 0, fields_hdr = 0;
	const char *line = text;

	assert_true(!strncmp(text, CSV_HEADER, strlen(CSV_HEADER)));
	while (*line) {
		const char *nl = strchr(line, '\n');
		int fields = 1;

		assert_non_null(nl); /* whole lines only */
		for (const char *p = line; p < nl; p++)
			fields += *p == ',';
		if (!fields_hdr)
			fields_hdr = fields;
		else
			rows++;
		assert_int_equal(fields, fields_hdr);
		line = nl + 1;
	}
	assert_int_equal(fields_hdr, 18);
	return rows;
}

static void test_csv_rotation(void **state)
{
	struct fake f;
	struct csv_out c;
	char p1[256], p2[256], name[64];
	uint64_t t = T0 - 3 * NS; /* three intervals before the hour */

	fake_init(&f, t - NS);
	assert_int_equal(csv_open(&c, dir, 3600, CSV_ROWS_ACTIVE, t), 0);
	c.rows = CSV_ROWS_ALL;
	for (int i = 0; i < 6; i++, t += NS) {
		fake_tick(&f, t, 10);
		assert_int_equal(csv_rows(&c, &f.set, t), 0);
	}
	csv_close(&c);

	/* 23:59:57 .. 23:59:59 went to the old file, now gzipped */
	csv_name(T0 / NS - 3600, name, sizeof(name));
	snprintf(p1, sizeof(p1), "%s/%s.gz", dir, name);
	char *old = gunzip(p1);

	assert_non_null(old);
	/* series: 4 blocks + 1 target, 2 directions, + 1 interface = 11 */
	assert_int_equal(csv_check(old), 3 * 11);
	assert_non_null(strstr(old, "2025-06-06T23:59:57.000Z,eth9,block,175.45.177.0/24,from,10,1000,10.000,8000.0,0,10,0,0,0,0,insufficient"));
	snprintf(p2, sizeof(p2), "%s/%s", dir, name);
	assert_int_equal(access(p2, F_OK), -1); /* the plain file is gone */

	/* 00:00:00 .. 00:00:02 in the new one, which has its own header */
	csv_name(T0 / NS, name, sizeof(name));
	assert_string_equal(name, "series-20250607T000000Z.csv");
	snprintf(p2, sizeof(p2), "%s/%s", dir, name);
	char *cur = slurp(p2, NULL);

	assert_non_null(cur);
	assert_int_equal(csv_check(cur), 3 * 11);
	assert_non_null(strstr(cur, "2025-06-07T00:00:00.000Z,eth9,target,175.45.176.0/22,from,10,1000,"));
	assert_non_null(strstr(cur, "2025-06-07T00:00:02.000Z,eth9,interface,,,11,1060,"));
	free(old);
	free(cur);

	/* a restart an hour later compresses what was left uncompressed */
	assert_int_equal(csv_open(&c, dir, 3600, CSV_ROWS_ACTIVE, T0 + 3600 * NS), 0);
	csv_close(&c);
	assert_int_equal(access(p2, F_OK), -1);
	strcat(p2, ".gz");
	cur = gunzip(p2);
	assert_non_null(cur);
	assert_int_equal(csv_check(cur), 3 * 11);
	free(cur);
	fake_free(&f);
}

/* --csv-rows active against all, side by side on the same series: the rows
 * left out are exactly the blocks that were silent, without a baseline and
 * without a new state; every block that had something to say is there. */
static void test_csv_sparse(void **state)
{
	char sub[128], path[256], name[64];
	struct csv_out act, all;
	struct fake f;
	uint64_t t = T0;

	snprintf(sub, sizeof(sub), "%s/all", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	fake_init(&f, t - NS);
	struct sampler_opts def = OPTS_SAMPLER_DEFAULT;

	assert_int_equal(def.csv_rows, CSV_ROWS_ACTIVE); /* the default */
	assert_int_equal(csv_open(&act, dir, 3600, def.csv_rows, t), 0);
	assert_int_equal(csv_open(&all, sub, 3600, CSV_ROWS_ALL, t), 0);
	assert_int_equal(all.rows, CSV_ROWS_ALL);
	/* 10 pps from block 177.0/24 for 10 s (a baseline from the third
	 * second), then silence: zeros, then an outage, rows all along */
	for (int i = 0; i < 40; i++, t += NS) {
		fake_tick(&f, t, i < 10 ? 10 : 0);
		if (i == 20) {
			/* a state that changed back to insufficient, silent:
			 * its row is kept (the detector does not do this today;
			 * the rule must hold whatever it does) */
			struct series *s = &f.set.s[f.set.blk[0] + 2 * PW_NDIRS + PW_DIR_TO];

			assert_int_equal(s->packets, 0);
			s->det.prev_state = DET_NORMAL;
			s->det.state = DET_INSUFFICIENT;
			s->dormant_tick = 0; /* judged again, as one that changed is */
		}
		assert_int_equal(csv_rows(&act, &f.set, t), 0);
		assert_int_equal(csv_rows(&all, &f.set, t), 0);
	}
	csv_close(&act);
	csv_close(&all);
	csv_name(T0 / NS, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *a = slurp(path, NULL);

	snprintf(path, sizeof(path), "%s/%s", sub, name);
	char *b = slurp(path, NULL);

	assert_non_null(a);
	assert_non_null(b);
	/* every interval: the target's two rows, the interface's, and the one
	 * block with something to say; one more for the state change */
	assert_int_equal(csv_check(a), 40 * 4 + 1);
	assert_int_equal(csv_check(b), 40 * 11);
	assert_non_null(strstr(a, "2025-06-07T00:00:20.000Z,eth9,block,175.45.178.0/24,to,0,0,0.000,0.0,0,0,0,0,0,0,insufficient,"));
	assert_null(strstr(a, "2025-06-07T00:00:21.000Z,eth9,block,175.45.178.0/24,"));
	assert_non_null(strstr(a, "2025-06-07T00:00:39.000Z,eth9,block,175.45.177.0/24,from,0,0,0.000,0.0,0,0,0,0,0,0,outage,"));
	assert_non_null(strstr(a, "2025-06-07T00:00:39.000Z,eth9,target,175.45.176.0/22,to,0,0,"));
	assert_null(strstr(a, ",175.45.176.0/24,"));
	assert_null(strstr(a, ",175.45.177.0/24,to,"));

	/* every row of the active file is in the full one; every row missing
	 * from it is a silent block without a baseline */
	int missing = 0;

	for (char *line = strtok(b, "\n"); line; line = strtok(NULL, "\n")) {
		char want[256];

		snprintf(want, sizeof(want), "%s\n", line);
		if (strstr(a, want))
			continue;
		missing++;
		if (!strstr(line, ",block,") || !strstr(line, ",0,0,0.000,0.0,0,0,0,0,0,0,insufficient,"))
			fail_msg("left out, but not a silent block without a baseline: %s", line);
	}
	assert_int_equal(missing, 40 * 7 - 1);
	free(a);
	free(b);
	fake_free(&f);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: the same values every run */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static int fixed_mismatches;

/* The hand-made "%.Nf" against snprintf's, for N = 0..3 */
static void fixed_same(double v)
{
	char want[400], got[CSV_FIXED_MAX + 1];

	for (int d = 0; d <= 3; d++) {
		snprintf(want, sizeof(want), "%.*f", d, v);
		*csv_put_fixed(got, v, d) = '\0';
		if (strcmp(want, got) && fixed_mismatches++ < 10)
			print_message("%%.%df of %a: printf '%s', ours '%s'\n", d, v, want, got);
	}
}

static void test_put_fixed(void **state)
{
	static const double edges[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 0.25, 0.75, 0.125, 0.0625, 0.1875, 1.0625,
		0.05, 0.0005, 0.0015, 0.0025, 999.9995, 9.9995, 0.9995, 0.95, 9.95, 99.95,
		1e-320, DBL_TRUE_MIN, DBL_MIN, 1e-9, 1e6, 1e9 + 0.0005, 123456789.0625,
		4503599627370495.5, 4503599627370496.0, 9007199254740993.0, 1e17, 1e300, DBL_MAX,
		-DBL_MAX, -2.5, -0.0005, -1e-9,
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++, n++)
		fixed_same(edges[i]);
	fixed_same(INFINITY);
	fixed_same(-INFINITY);
	fixed_same(NAN);
	/* every tie of the decimals printed, exact in binary or not, and the
	 * doubles either side of it */
	for (int k = 0; k < 200000; k++, n += 3) {
		double v = (k + 0.5) / 1000.0;

		fixed_same(v);
		fixed_same(nextafter(v, 0));
		fixed_same(nextafter(v, INFINITY));
	}
	/* the exact binary ties: odd multiples of 2^-m */
	for (int m = 1; m <= 30; m++)
		for (int j = 1; j < 2000; j += 2, n++)
			fixed_same(ldexp(j, -m) + (m % 3) * 1000);
	/* rates as the series make them, packets or bits over a measured
	 * interval, and doubles of any bits */
	for (int k = 0; k < 200000; k++, n += 2) {
		uint64_t packets = rnd() >> (rnd() % 64);
		double dt = 0.01 + (rnd() % 3600000000ull) / 1e6;

		fixed_same(packets / dt);
		fixed_same(packets * 8.0 / dt);
		if (k % 10 == 0) { /* printf's way is slow for the huge ones */
			uint64_t bits = rnd();
			double any;

			memcpy(&any, &bits, sizeof(any));
			fixed_same(any);
			n++;
		}
	}
	if (fixed_mismatches)
		fail_msg("%d of %d values printed differently", fixed_mismatches, n * 4);
}

static void test_put_u64(void **state)
{
	char want[32], got[32];
	uint64_t p10 = 1;

	for (int k = 0; k < 100000; k++) {
		uint64_t v = k < 3 ? (uint64_t[]){ 0, 9, UINT64_MAX }[k] : k < 63 ? p10 - (k & 1) :
			     rnd() >> (rnd() % 64);

		if (k >= 3 && k < 63 && (k & 1) && p10 <= UINT64_MAX / 10)
			p10 *= 10;
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		*csv_put_u64(got, v) = '\0';
		assert_string_equal(got, want);
	}
}

/* The reference: the C library's calendar. */
static void ref_rfc3339(uint64_t real_ns, char *buf, size_t len)
{
	time_t sec = real_ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(real_ns % 1000000000ull / 1000000));
}

static void test_put_rfc3339(void **state)
{
	static const uint64_t edges[] = {
		0, 999999999, 951782400ull * NS, 951868799999999999ull, /* 2000-02-29 */
		4107542399ull * NS + 999000000, 4107542400ull * NS,	    /* 2100-02-28/03-01 */
		2147483647ull * NS, 1709164800ull * NS + 123456789,	    /* 2038, 2024-02-29 */
		T0, T0 - 1, UINT64_MAX,
	};
	char want[80], got[40];

	for (int k = 0; k < 200000; k++) {
		uint64_t v = k < (int)(sizeof(edges) / sizeof(edges[0])) ? edges[k] : rnd() >> (rnd() % 8);

		ref_rfc3339(v, want, sizeof(want));
		*put_rfc3339(got, v) = '\0';
		assert_string_equal(got, want);
		assert_string_equal(fmt_rfc3339(v, got, sizeof(got)), want);
	}
}

/* Whole rows against the printf formats of earlier versions. */
static void test_csv_row_as_printf(void **state)
{
	static char got[CSV_ROW_MAX + 64];
	char want[2048], seen[40];
	const char *when = "2025-06-07T00:00:01.000Z";
	struct fake f;

	fake_init_n(&f, 2, T0);
	for (int round = 0; round < 200; round++) {
		for (size_t k = 0; k < f.set.n; k++) {
			struct series *s = &f.set.s[k];
			uint64_t *v[] = { &s->packets, &s->bytes, &s->tcp, &s->udp, &s->icmp, &s->other,
					  &s->syn, &s->synack };

			for (int i = 0; i < 8; i++)
				*v[i] = round == 0 ? 0 : rnd() >> (rnd() % 64);
			s->pps = s->packets / (0.01 + (rnd() % 100000) / 1e3);
			s->bps = s->bytes * 8.0 / (0.01 + (rnd() % 100000) / 1e3);
			s->det.S = round == 0 ? 0 : (rnd() % 100000000) / 7.0;
			s->det.T = round == 0 ? 0 : 1 + rnd() % 1000;
			s->det.state = rnd() % 4;
			s->last_ns = round == 0 || rnd() % 3 == 0 ? 0 : T0 - rnd() % (1ull << 62);
			if (s->last_ns)
				fmt_rfc3339(s->last_ns, seen, sizeof(seen));
			else
				seen[0] = '\0';
			if (s->scope == SCOPE_IFACE)
				snprintf(want, sizeof(want), "%s,%s,interface,,,%llu,%llu,%.3f,%.1f,,,,,,,%s,%.3f,\n",
					 when, series_iface(&f.set, s), (unsigned long long)s->packets,
					 (unsigned long long)s->bytes, s->pps, s->bps, series_state(s),
					 det_baseline(&s->det));
			else
				snprintf(want, sizeof(want), "%s,%s,%s,%s,%s,%llu,%llu,%.3f,%.1f,%llu,%llu,%llu,%llu,%llu,%llu,%s,%.3f,%s\n",
					 when, series_iface(&f.set, s), s->scope == SCOPE_BLOCK ? "block" : "target",
					 series_label(&f.set, s), series_dir(s), (unsigned long long)s->packets,
					 (unsigned long long)s->bytes, s->pps, s->bps, (unsigned long long)s->tcp,
					 (unsigned long long)s->udp, (unsigned long long)s->icmp,
					 (unsigned long long)s->other, (unsigned long long)s->syn,
					 (unsigned long long)s->synack, series_state(s), det_baseline(&s->det), seen);
			*csv_row(got, when, &f.set, s) = '\0';
			assert_string_equal(got, want);
		}
	}
	fake_free(&f);
}

/* A tiny JSON checker: objects of string keys; values are strings,
 * numbers, true, false, null. Returns the position after the object. */
static const char *json_value(const char *p);

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\')
			p++;
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_value(const char *p)
{
	char *end;

	if (*p == '"')
		return json_string(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '{') {
		p++;
		if (*p == '}')
			return p + 1;
		for (;;) {
			p = json_string(p);
			if (!p || *p++ != ':' || !(p = json_value(p)))
				return NULL;
			if (*p == '}')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p != '-' && (*p < '0' || *p > '9'))
		return NULL;
	strtod(p, &end);
	return end > p ? end : NULL;
}

static void test_events_json(void **state)
{
	static const char *required[] = { "\"event\":", "\"time\":", "\"interface\":", "\"block\":",
					  "\"direction\":" };
	struct fake f;
	struct outfile ev;
	uint64_t t = T0;
	char path[256];
	int lines = 0, starts = 0, ends = 0;

	fake_init(&f, t);
	assert_int_equal(events_open(&ev, dir), 0);
	for (int i = 0; i < 120; i++, t += NS) {	/* 100 pps, silence, back */
		fake_tick(&f, t, i < 60 || i >= 90 ? 100 : 0);
		assert_int_equal(events_write(&ev, &f.set), 0);
	}
	assert_int_equal(outfile_close(&ev), 0);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	char *text = slurp(path, NULL);

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		const char *end = json_value(line);

		if (!end || *end)
			fail_msg("not one JSON object: %s", line);
		for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
			if (!strstr(line, required[k]))
				fail_msg("no %s in %s", required[k], line);
		if (strstr(line, "\"outage_start\"")) {
			starts++;
			assert_non_null(strstr(line, "\"detected\":"));
			assert_non_null(strstr(line, "\"baseline_pps\":"));
			assert_non_null(strstr(line, "\"vantage_silent\":false"));
		}
		if (strstr(line, "\"outage_end\"")) {
			ends++;
			assert_non_null(strstr(line, "\"started\":"));
			assert_non_null(strstr(line, "\"duration_s\":"));
		}
		lines++;
	}
	/* block 177.0/24 and the whole /22, from: out and back */
	assert_int_equal(starts, 2);
	assert_int_equal(ends, 2);
	assert_int_equal(lines, 4);
	free(text);
	fake_free(&f);
}

/* Every line of a textfile is a comment or "name{labels} value". */
static void prom_check(const char *text)
{
	const char *line = text;
	int samples = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		if (*line != '#') {
			const char *sp = memchr(line, ' ', nl - line);
			char *end;

			assert_non_null(sp);
			strtod(sp + 1, &end);
			assert_true(end == nl);
			samples++;
		}
		line = nl + 1;
	}
	assert_true(samples > 0);
	assert_non_null(strstr(text, "prefixwatch_last_update_timestamp_seconds "));
}

static void test_prom_always_whole(void **state)
{
	struct fake f;
	char path[256];
	pid_t pid;
	int status;

	fake_init(&f, T0);
	fake_tick(&f, T0 + NS, 5);
	assert_int_equal(prom_write(dir, &f.set, f.r, T0 + NS, &(struct tick_stats){ .tick_s = 0.001 }), 0);
	snprintf(path, sizeof(path), "%s/prefixwatch.prom", dir);
	char *text = slurp(path, NULL);

	prom_check(text);
	assert_non_null(strstr(text, "prefixwatch_packets_total{interface=\"eth9\",scope=\"block\",block=\"175.45.177.0/24\",direction=\"from\"} 5\n"));
	assert_non_null(strstr(text, "# TYPE prefixwatch_packets_total counter\n"));
	assert_non_null(strstr(text, "prefixwatch_interface_frames_total{interface=\"eth9\"} 6\n"));
	free(text);

	/* a reader that looks while the file is rewritten never sees half */
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 300; i++) {
			char *t = slurp(path, NULL);

			if (!t || !strstr(t, "prefixwatch_last_update_timestamp_seconds ") ||
			    t[strlen(t) - 1] != '\n')
				_exit(1);
			free(t);
		}
		_exit(0);
	}
	for (int i = 0; i < 300; i++) {
		fake_tick(&f, T0 + (2 + i) * NS, i);
		assert_int_equal(prom_write(dir, &f.set, f.r, T0 + (2 + i) * NS, &(struct tick_stats){ .tick_s = 0.001 }), 0);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fake_free(&f);
}

/* Disk full, simulated with a file size limit: the file keeps only whole
 * flushes, the rest waits in memory and lands when there is room again. */
static void test_outfile_full_disk(void **state)
{
	struct rlimit small = { 4096, RLIM_INFINITY }, old;
	struct outfile f;
	char path[256], line[64];
	size_t len;

	signal(SIGXFSZ, SIG_IGN);
	snprintf(path, sizeof(path), "%s/full.csv", dir);
	assert_int_equal(outfile_open(&f, path), 0);
	getrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int failed = 0;

	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "row %06d,%s\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		outfile_write(&f, line, strlen(line));
		if (i % 10 == 9 && outfile_flush(&f))
			failed++;
	}
	assert_true(failed > 0);
	char *partial = slurp(path, &len);

	assert_true(len <= 4096);
	assert_true(len > 0 && partial[len - 1] == '\n'); /* no half row */
	free(partial);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(outfile_flush(&f), 0);
	assert_int_equal(outfile_close(&f), 0);
	char *all = slurp(path, &len), *p = all;

	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "row %06d,", i);
		assert_true(!strncmp(p, line, strlen(line))); /* every row, once, in order */
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(*p, '\0');
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csv_rotation, mkdir_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_csv_sparse, mkdir_tmp, rm_tmp),
		cmocka_unit_test(test_put_fixed),
		cmocka_unit_test(test_put_u64),
		cmocka_unit_test(test_put_rfc3339),
		cmocka_unit_test(test_csv_row_as_printf),
		cmocka_unit_test_setup_teardown(test_events_json, mkdir_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_prom_always_whole, mkdir_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_outfile_full_disk, mkdir_tmp, rm_tmp),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
