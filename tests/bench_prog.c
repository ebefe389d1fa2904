// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench, the measurements that run inside one process:
 *   prog  ns per packet of the XDP program and of an empty one (the floor),
 *         BPF_PROG_TEST_RUN with a large repeat, on the mix of
 *         tests/bench_mix.txt, for 1, 4, 1,024 and 65,536 target blocks;
 *   tick  one interval of `run`: read every counter on every possible CPU,
 *         series and detector, CSV, events and Prometheus files, with no
 *         block, 1% of the blocks and every block counting packets.
 * Prints a table and writes JSON lines to the file given.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "counters.h"
#include "export.h"
#include "frames.h"
#include "loader.h"
#include "log.h"
#include "series.h"
#include "statemap.h"
#include "timefmt.h"

#define REPEAT 1000000
#define ROUNDS 9

static const struct {
	const char *kind;
	struct frame_spec s;
} kinds[] = {
	{ "ipv4-udp-to-target", { .family = 4, .src = "198.51.100.1", .dst = "175.45.176.10", .l4 = 17, .payload = 18 } },
	{ "ipv4-tcp-syn-from-target", { .family = 4, .src = "175.45.177.10", .dst = "198.51.100.1", .l4 = 6, .tcpflags = 2, .payload = 6 } },
	{ "ipv4-udp-elsewhere", { .family = 4, .src = "198.51.100.1", .dst = "203.0.113.9", .l4 = 17, .payload = 18 } },
	{ "ipv6-udp-to-target", { .family = 6, .src = "2001:db8::1", .dst = "2001:db8:aa::1", .l4 = 17, .payload = 10 } },
	{ "ipv6-ext-elsewhere", { .family = 6, .src = "2001:db8::1", .dst = "2001:db8:ff::1", .ext = { 0, 60 }, .next = 2, .l4 = 6, .tcpflags = 0x10 } },
	{ "vlan-ipv4-to-target", { .vlans = 1, .family = 4, .src = "198.51.100.1", .dst = "175.45.178.1", .l4 = 17, .payload = 14 } },
	{ "qinq-ipv4-elsewhere", { .vlans = 2, .outer_ad = 1, .family = 4, .src = "198.51.100.1", .dst = "203.0.113.9", .l4 = 6, .tcpflags = 0x10 } },
	{ "ipv4-large-to-target", { .family = 4, .src = "198.51.100.1", .dst = "175.45.179.1", .l4 = 17, .payload = 1400 } },
};

struct mix {
	const char *name[16];
	struct frame f[16];
	double w[16];
	int n;
};

static int load_mix(const char *path, struct mix *m)
{
	FILE *f = fopen(path, "r");
	char line[256], kind[64];
	double w;

	if (!f)
		return -errno;
	m->n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%63s %lf", kind, &w) != 2)
			continue;
		size_t k;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].kind, kind); k++)
			;
		if (k == sizeof(kinds) / sizeof(kinds[0]) || m->n == 16) {
			fprintf(stderr, "bench: %s: unknown frame kind '%s'\n", path, kind);
			fclose(f);
			return -EINVAL;
		}
		frame_build(&kinds[k].s, &m->f[m->n]);
		m->name[m->n] = kinds[k].kind;
		m->w[m->n++] = w;
	}
	fclose(f);
	return m->n ? 0 : -EINVAL;
}

/* ns per packet of one program on one frame. */
static double run_one(int prog_fd, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = REPEAT);

	return bpf_prog_test_run_opts(prog_fd, &o) ? -1 : (double)o.duration;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int targets_for(struct pw_targets *ts, int nblocks)
{
	char err[PW_ERRLEN];
	const char *t4 = nblocks == 1 ? "175.45.176.0/24" : nblocks == 4 ? "175.45.176.0/22" :
			 nblocks == 1024 ? "175.44.0.0/14" : "175.0.0.0/8";

	targets_init(ts);
	ts->max_blocks = PW_BLOCKS_HARD_MAX;
	return targets_add(ts, t4, NULL, err, sizeof(err)) ||
	       (nblocks > 1 && targets_add(ts, "2001:db8:aa::/48", NULL, err, sizeof(err))) ||
	       targets_split(ts, err, sizeof(err));
}

/* The minimal counter (bpf/mincount.bpf.c), loaded with the blocks of ts. */
static struct bpf_object *load_min(const char *path, const struct pw_targets *ts, int *prog_fd)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	struct bpf_map *l4, *l6, *blk;

	if (!o)
		return NULL;
	l4 = bpf_object__find_map_by_name(o, "min_lpm4");
	l6 = bpf_object__find_map_by_name(o, "min_lpm6");
	blk = bpf_object__find_map_by_name(o, "min_blocks");
	if (!l4 || !l6 || !blk || bpf_map__set_max_entries(l4, ts->n4 ?: 1) ||
	    bpf_map__set_max_entries(l6, ts->n6 ?: 1) ||
	    bpf_map__set_max_entries(blk, ts->nblocks * PW_NDIRS) || bpf_object__load(o))
		goto fail;
	for (__u32 i = 0; i < ts->nblocks; i++) {
		const struct pw_prefix *p = &ts->blocks[i].pfx;
		struct pw_key6 k = { .prefixlen = p->len };

		memcpy(k.addr, p->addr, 16);
		if (bpf_map_update_elem(bpf_map__fd(p->family == 4 ? l4 : l6), &k, &i, BPF_ANY))
			goto fail;
	}
	*prog_fd = bpf_program__fd(bpf_object__next_program(o, NULL));
	return o;
fail:
	bpf_object__close(o);
	return NULL;
}

static int bench_prog(const struct mix *m, int pass_fd, const char *min_path, FILE *json)
{
	static const int sizes[] = { 1, 4, 1024, 65536 };

	printf("%-8s %11s %11s %12s %9s %7s %13s\n", "BLOCKS", "OURS_MIN_NS", "OURS_MED_NS",
	       "FLOOR_MED_NS", "OVER_NS", "RATIO", "MINIMAL_OVER");
	const char *only = getenv("PW_BENCH_BLOCKS"); /* one size, while working on it */

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct pw_targets ts;
		struct pw_sensor sen = { .lock_fd = -1, .xdp_link_fd = -1 };

		if (only && atoi(only) != sizes[s])
			continue;
		double ours[ROUNDS], floor_[ROUNDS], mini[ROUNDS], k_ours[16][ROUNDS], k_floor[16][ROUNDS];
		double k_min[16][ROUNDS];

		snprintf(sen.ifname, sizeof(sen.ifname), "bench");
		if (targets_for(&ts, sizes[s]) || loader_load(&sen, &ts, false, false))
			return -1;
		int fd = bpf_program__fd(sen.skel->progs.pw_xdp), min_fd;
		struct bpf_object *mo = load_min(min_path, &ts, &min_fd);

		if (!mo) {
			fprintf(stderr, "bench: cannot load %s with %zu blocks\n", min_path, ts.nblocks);
			return -1;
		}

		for (int r = 0; r < ROUNDS; r++) {
			/* side by side, frame after frame, round after round: a
			 * noisy neighbour slows both programs alike */
			double wsum = 0;

			ours[r] = floor_[r] = mini[r] = 0;
			for (int i = 0; i < m->n; i++) {
				k_ours[i][r] = run_one(fd, &m->f[i]);
				k_floor[i][r] = run_one(pass_fd, &m->f[i]);
				k_min[i][r] = run_one(min_fd, &m->f[i]);
				if (k_ours[i][r] < 0 || k_floor[i][r] < 0 || k_min[i][r] < 0)
					return -1;
				ours[r] += m->w[i] * k_ours[i][r];
				floor_[r] += m->w[i] * k_floor[i][r];
				mini[r] += m->w[i] * k_min[i][r];
				wsum += m->w[i];
			}
			ours[r] /= wsum;
			floor_[r] /= wsum;
			mini[r] /= wsum;
		}
		bpf_object__close(mo);
		qsort(ours, ROUNDS, sizeof(double), cmp_d);
		qsort(floor_, ROUNDS, sizeof(double), cmp_d);
		qsort(mini, ROUNDS, sizeof(double), cmp_d);
		double om = ours[ROUNDS / 2], fm = floor_[ROUNDS / 2], mm = mini[ROUNDS / 2];

		printf("%-8zu %11.1f %11.1f %12.1f %9.1f %7.2f %13.1f\n", ts.nblocks, ours[0], om, fm,
		       om - fm, om / fm, mm - fm);
		/* where the time goes: each kind of frame on its own (minimum
		 * over the rounds, the least disturbed figure) */
		for (int i = 0; i < m->n && sizes[s] == 4; i++) {
			qsort(k_ours[i], ROUNDS, sizeof(double), cmp_d);
			qsort(k_floor[i], ROUNDS, sizeof(double), cmp_d);
			qsort(k_min[i], ROUNDS, sizeof(double), cmp_d);
			double a = k_ours[i][0], b = k_floor[i][0], c = k_min[i][0];

			printf("    %-26s %5.1f ns, floor %5.1f, over %5.1f; minimal counter over %5.1f\n",
			       m->name[i], a, b, a - b, c - b);
			fprintf(json, "{\"bench\":\"prog_kind\",\"blocks\":%zu,\"kind\":\"%s\",\"ours_min_ns\":%.2f,\"floor_min_ns\":%.2f,\"minimal_min_ns\":%.2f}\n",
				ts.nblocks, m->name[i], a, b, c);
		}
		fprintf(json, "{\"bench\":\"prog\",\"blocks\":%zu,\"ours_min_ns\":%.2f,\"ours_median_ns\":%.2f,\"floor_min_ns\":%.2f,\"floor_median_ns\":%.2f,\"overhead_ns\":%.2f,\"ratio\":%.3f,\"minimal_median_ns\":%.2f,\"minimal_overhead_ns\":%.2f}\n",
			ts.nblocks, ours[0], om, floor_[0], fm, om - fm, om / fm, mm, mm - fm);
		prefixwatch_bpf__destroy(sen.skel);
		targets_free(&ts);
	}
	return 0;
}

/* Traffic for the tick: every step-th block, from block 0, gets one frame
 * to it and one from it, run through the XDP program as the kernel would
 * (BPF_PROG_TEST_RUN, repeat 1), so its counters move the way they do on
 * an interface. Outside the timed region. */
struct traffic {
	struct frame to4, from4, to6, from6;
};

static void traffic_init(struct traffic *tr)
{
	static const struct frame_spec to4 = { .family = 4, .src = "198.51.100.1", .dst = "0.0.0.0", .l4 = 17, .payload = 18 },
		from4 = { .family = 4, .src = "0.0.0.0", .dst = "198.51.100.1", .l4 = 17, .payload = 18 },
		to6 = { .family = 6, .src = "2001:db8::1", .dst = "::", .l4 = 17, .payload = 10 },
		from6 = { .family = 6, .src = "::", .dst = "2001:db8::1", .l4 = 17, .payload = 10 };

	frame_build(&to4, &tr->to4);
	frame_build(&from4, &tr->from4);
	frame_build(&to6, &tr->to6);
	frame_build(&from6, &tr->from6);
}

static int run_frame(int prog_fd, struct frame *f, size_t off, const uint8_t *addr, size_t alen)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = 1);

	memcpy(f->b + off, addr, alen);
	return bpf_prog_test_run_opts(prog_fd, &o) || o.retval != XDP_PASS ? -1 : 0;
}

static int traffic_run(struct traffic *tr, int prog_fd, const struct pw_targets *ts, size_t step)
{
	/* untagged frames: the addresses at the IPv4 and IPv6 header offsets */
	const size_t l3 = 14;

	for (size_t b = 0; step && b < ts->nblocks; b += step) {
		struct pw_prefix p = ts->blocks[b].pfx;
		size_t alen = p.family == 4 ? 4 : 16;

		/* the block's first host, or the block itself for a /32 or /128 */
		if (p.len < alen * 8)
			p.addr[alen - 1] |= 1;
		if (p.family == 4 ? run_frame(prog_fd, &tr->to4, l3 + 16, p.addr, 4) ||
				    run_frame(prog_fd, &tr->from4, l3 + 12, p.addr, 4)
				  : run_frame(prog_fd, &tr->to6, l3 + 24, p.addr, 16) ||
				    run_frame(prog_fd, &tr->from6, l3 + 8, p.addr, 16))
			return -1;
	}
	return 0;
}

#define TICKS 20

/* The files of one case, and its directory. */
static void remove_series(const char *sub)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(sub);

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && snprintf(path, sizeof(path), "%s/%s", sub, e->d_name) < (int)sizeof(path))
			unlink(path);
	if (d)
		closedir(d);
	rmdir(sub);
}

/* One tick of `run` with every block's counters on every possible CPU, with
 * no block, 1% of the blocks, or every block counting packets (both
 * directions) in each interval: the CSV writes a block's row only when it
 * has something to say, so a tick of silence alone would measure little. */
static int bench_tick(FILE *json, const char *dir)
{
	static const int sizes[] = { 4, 1024, 65536 };
	static const struct {
		const char *name;
		size_t per;	/* one block in per, 0: none */
	} active[] = { { "none", 0 }, { "1%", 100 }, { "all", 1 } };
	const char *only = getenv("PW_BENCH_BLOCKS"); /* one size, while working on it */
	struct traffic tr;

	traffic_init(&tr);
	printf("\n%-12s %-6s %8s %12s %12s %12s %12s\n", "BLOCKS", "ACTIVE", "BLOCKS", "TICK_MIN_MS",
	       "TICK_MED_MS", "READ_MED_MS", "CSV_KB_MED");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct pw_targets ts;
		struct pw_sensor sen = { .lock_fd = -1, .xdp_link_fd = -1 };

		if (only && atoi(only) != sizes[s])
			continue;
		snprintf(sen.ifname, sizeof(sen.ifname), "bench");
		if (targets_for(&ts, sizes[s]) || loader_load(&sen, &ts, false, false))
			return -1;
		struct prefixwatch_bpf *k = sen.skel;
		int prog_fd = bpf_program__fd(k->progs.pw_xdp);

		for (size_t a = 0; a < sizeof(active) / sizeof(active[0]); a++) {
			const char *names[] = { "bench" };
			struct det_params p = DET_PARAMS_DEFAULT;
			size_t nactive = active[a].per ? (ts.nblocks + active[a].per - 1) / active[a].per : 0;
			double tick[TICKS], rd[TICKS], kb[TICKS];
			char sub[PATH_MAX];
			struct series_set set;
			struct pw_reader r;
			struct exports w;

			/* each case its own series from the counters as they are,
			 * and its own files */
			snprintf(sub, sizeof(sub), "%s/tick-%zu-%zu", dir, ts.nblocks, a);
			if (mkdir(sub, 0755) && errno != EEXIST)
				return -1;
			if (reader_init_fds(&r, "bench", bpf_map__fd(k->maps.pw_blocks), bpf_map__fd(k->maps.pw_iface),
					    bpf_map__fd(k->maps.pw_blockinfo), bpf_map__fd(k->maps.pw_state)) ||
			    reader_read(&r) || series_init(&set, &ts, names, 1, &r, now_real_ns()) ||
			    exports_open(&w, sub, 3600, CSV_ROWS_ACTIVE, now_real_ns()))
				return -1;
			r.epoch = &k->bss->pw_epoch;
			if (loader_clock(&sen))
				return -1;
			r.clock = sen.clock;
			for (int i = 0; i < TICKS; i++) {
				if (traffic_run(&tr, prog_fd, &ts, active[a].per))
					return -1;

				off_t size0 = outfile_size(&w.csv.f);
				uint64_t t0 = now_mono_ns(), real;

				reader_read(&r);
				uint64_t t1 = now_mono_ns();

				real = now_real_ns();
				series_tick(&set, &r, real, (int64_t)(real - t1), 1.0, &p);
				exports_write(&w, &set, &r, real, NULL);
				/* and the detector's state for `stats`, as run does */
				statemap_publish(r.state_mem, &set, 0, t1 + 2500000000ull);
				tick[i] = (now_mono_ns() - t0) / 1e6;
				rd[i] = (t1 - t0) / 1e6;
				kb[i] = (outfile_size(&w.csv.f) - size0) / 1024.0;
			}
			qsort(tick, TICKS, sizeof(double), cmp_d);
			qsort(rd, TICKS, sizeof(double), cmp_d);
			qsort(kb, TICKS, sizeof(double), cmp_d);
			printf("%-12zu %-6s %8zu %12.2f %12.2f %12.2f %12.0f\n", ts.nblocks, active[a].name, nactive,
			       tick[0], tick[TICKS / 2], rd[TICKS / 2], kb[TICKS / 2]);
			fprintf(json, "{\"bench\":\"tick\",\"blocks\":%zu,\"active\":\"%s\",\"active_blocks\":%zu,\"cpus\":%d,\"tick_min_ms\":%.3f,\"tick_median_ms\":%.3f,\"read_median_ms\":%.3f,\"csv_kb_median\":%.1f}\n",
				ts.nblocks, active[a].name, nactive, libbpf_num_possible_cpus(), tick[0],
				tick[TICKS / 2], rd[TICKS / 2], kb[TICKS / 2]);
			exports_close(&w);
			series_free(&set);
			reader_free(&r);
			/* the next case must not pay for this one's page cache */
			remove_series(sub);
		}
		prefixwatch_bpf__destroy(k);
		targets_free(&ts);
	}
	return 0;
}

/* A capture of n frames of the mix, 1 us apart, for the replay benchmark. */
static int write_pcap(const char *path, const struct mix *m, long n)
{
	FILE *f = fopen(path, "wb");
	uint32_t hdr[6] = { 0xa1b23c4d, 2 | 4 << 16, 0, 0, 65535, 1 };
	uint64_t t = 1749254400ull * 1000000000ull;

	if (!f)
		return -errno;
	fwrite(hdr, sizeof(hdr), 1, f);
	for (long i = 0; i < n; i++, t += 1000) {
		const struct frame *fr = &m->f[i % m->n];
		uint32_t rec[4] = { t / 1000000000ull, t % 1000000000ull, fr->len, fr->len };

		fwrite(rec, sizeof(rec), 1, f);
		fwrite(fr->b, fr->len, 1, f);
	}
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct mix m;
	struct bpf_object *pass;
	FILE *json;

	if (argc == 5 && !strcmp(argv[1], "--pcap")) {
		if (load_mix(argv[2], &m) || write_pcap(argv[3], &m, atol(argv[4]))) {
			fprintf(stderr, "bench: cannot write %s\n", argv[3]);
			return 1;
		}
		return 0;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: bench_prog MIX PASS_OBJ OUT_JSON TMPDIR | bench_prog --pcap MIX FILE N\n");
		return 2;
	}
	pw_log_level = LOG_WARN;
	if (load_mix(argv[1], &m)) {
		fprintf(stderr, "bench: cannot read the packet mix %s\n", argv[1]);
		return 1;
	}
	pass = bpf_object__open_file(argv[2], NULL);
	if (!pass || bpf_object__load(pass)) {
		fprintf(stderr, "bench: cannot load %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	json = fopen(argv[3], "a");
	if (!json)
		return 1;
	int pass_fd = bpf_program__fd(bpf_object__next_program(pass, NULL));

	printf("Program cost (BPF_PROG_TEST_RUN, repeat %d, %d rounds, mix %s)\n", REPEAT, ROUNDS, argv[1]);
	/* PW_BENCH_ONLY=prog or =tick runs one half (while working on it) */
	const char *only = getenv("PW_BENCH_ONLY");

	/* the minimal counter lies next to the empty program */
	char min_path[PATH_MAX];
	const char *slash = strrchr(argv[2], '/');

	snprintf(min_path, sizeof(min_path), "%.*smincount.bpf.o", slash ? (int)(slash - argv[2] + 1) : 0,
		 argv[2]);
	if ((!only || !strcmp(only, "prog")) && bench_prog(&m, pass_fd, min_path, json)) {
		fprintf(stderr, "bench: a measurement failed: %s\n", strerror(errno));
		return 1;
	}
	if ((!only || !strcmp(only, "tick")) && bench_tick(json, argv[4])) {
		fprintf(stderr, "bench: a measurement failed: %s\n", strerror(errno));
		return 1;
	}
	fclose(json);
	bpf_object__close(pass);
	return 0;
}
