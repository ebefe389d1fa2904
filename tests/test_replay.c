// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Replay of crafted captures with known contents through the live program:
 * exact counts, series and events; other link types; pcapng; damaged and
 * out-of-order captures. Needs root (BPF_PROG_TEST_RUN); skipped otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "frames.h"
#include "log.h"
#include "replay.h"

#define NS 1000000000ull
#define T0 (1749254400ull * NS) /* 2025-06-07T00:00:00Z */

static char dir[64];
static const char *skip_reason;
static bool kernel;	/* the second round: --kernel, through the program */

static int setup(void **state)
{
	strcpy(dir, "/tmp/pw-replay-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	skip_reason = NULL;
	if (kernel && geteuid() != 0)
		skip_reason = "replay --kernel tests need root (BPF_PROG_TEST_RUN); skipped";
	pw_log_setup_libbpf();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}


/* A classic pcap file, written by hand (nanosecond magic). */
struct pcapw {
	FILE *f;
	int linktype;
};

static void pw_open(struct pcapw *w, const char *path, int linktype)
{
	uint32_t hdr[6] = { 0xa1b23c4d, 2 | 4 << 16, 0, 0, 65535, linktype };

	w->f = fopen(path, "wb");
	assert_non_null(w->f);
	w->linktype = linktype;
	fwrite(hdr, sizeof(hdr), 1, w->f);
}

static void pw_rec(struct pcapw *w, uint64_t t, const void *p, uint32_t caplen, uint32_t len)
{
	uint32_t rec[4] = { t / NS, t % NS, caplen, len };

	fwrite(rec, sizeof(rec), 1, w->f);
	fwrite(p, caplen, 1, w->f);
}

/* The frame as the link type carries it. */
static void pw_frame(struct pcapw *w, uint64_t t, const struct frame *f)
{
	uint8_t b[FR_MAX + 32];
	uint32_t n = 0;

	if (w->linktype == 113) {	/* Linux cooked: 16 bytes, protocol last */
		memset(b, 0, 16);
		b[14] = f->b[12];
		b[15] = f->b[13];
		memcpy(b + 16, f->b + 14, f->len - 14);
		n = f->len + 2;
	} else if (w->linktype == 101) {	/* raw IP */
		memcpy(b, f->b + 14, f->len - 14);
		n = f->len - 14;
	} else {
		memcpy(b, f->b, f->len);
		n = f->len;
	}
	pw_rec(w, t, b, n, n);
}

static void run_replay(char **files, int n, const char *out, struct replay *rp, int *ret)
{
	struct pw_targets ts;
	char err[PW_ERRLEN];
	struct sampler_opts so = { .interval = 1.0, .rotate_s = 3600, .dp = DET_PARAMS_DEFAULT,
				   .out = out };

	targets_init(&ts);
	assert_int_equal(targets_add(&ts, "175.45.176.0/22", NULL, err, sizeof(err)), 0);
	assert_int_equal(targets_add(&ts, "2001:db8:aa::/47", NULL, err, sizeof(err)), 0);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(replay_open(rp, &ts, kernel), 0);
	*ret = replay_files(rp, &ts, &so, files, n);
	targets_free(&ts);
}

static const struct pw_counters *ctr(const struct replay *rp, int block, int dir)
{
	return &rp->reader.c[PW_SLOT(block, dir)];
}

static const struct frame_spec from176 = { .family = 4, .src = "175.45.176.7", .dst = "192.0.2.1",
					   .l4 = 17, .payload = 20 };
static const struct frame_spec syn_to177 = { .vlans = 1, .family = 4, .src = "192.0.2.1",
					     .dst = "175.45.177.1", .l4 = 6, .tcpflags = 0x02 };
static const struct frame_spec v6_to_ab = { .family = 6, .src = "2001:db8::1",
					    .dst = "2001:db8:ab::2", .ext = { 44 }, .next = 1,
					    .l4 = 17, .payload = 8 };

/* 60 s of 50 fps from 176.0/24, 5 s of nothing, then 10 s more; all along,
 * a SYN to 177.0/24 behind a VLAN tag and an IPv6 fragment every second. */
static void write_outage(const char *path, int linktype)
{
	struct pcapw w;
	struct frame a, b, c;

	frame_build(&from176, &a);
	frame_build(&syn_to177, &b);
	frame_build(&v6_to_ab, &c);
	pw_open(&w, path, linktype);
	for (uint64_t ms = 0; ms < 75000; ms += 20) {
		uint64_t t = T0 + ms * 1000000;

		if (ms < 60000 || ms >= 65000)
			pw_frame(&w, t, &a);
		if (ms % 1000 == 0) {
			if (linktype != 101 && linktype != 113)
				pw_frame(&w, t + 1000, &b); /* VLAN: Ethernet only */
			pw_frame(&w, t + 2000, &c);
		}
	}
	fclose(w.f);
}

static void check_outage_counts(const struct replay *rp, int vlan)
{
	struct frame a, b, c;

	frame_build(&from176, &a);
	frame_build(&syn_to177, &b);
	frame_build(&v6_to_ab, &c);
	/* 75 s at 50 fps less 5 s */
	assert_int_equal(ctr(rp, 0, PW_DIR_FROM)->packets, 3500);
	assert_int_equal(ctr(rp, 0, PW_DIR_FROM)->bytes, 3500 * a.len);
	assert_int_equal(ctr(rp, 0, PW_DIR_FROM)->udp, 3500);
	assert_int_equal(ctr(rp, 1, PW_DIR_TO)->packets, vlan ? 75 : 0);
	assert_int_equal(ctr(rp, 1, PW_DIR_TO)->syn, vlan ? 75 : 0);
	assert_int_equal(ctr(rp, 1, PW_DIR_TO)->bytes, vlan ? 75 * b.len : 0);
	assert_int_equal(ctr(rp, 5, PW_DIR_TO)->packets, 75);
	assert_int_equal(ctr(rp, 5, PW_DIR_TO)->bytes, 75 * c.len);
	assert_int_equal(rp->reader.tot.fragments, 75);
	/* the last packet's time is the capture's, not the clock's */
	assert_int_equal(ctr(rp, 0, PW_DIR_FROM)->last_ns, T0 + 74980 * 1000000ull);
}


static void test_outage_in_capture(void **state)
{
	char path[256], out[128], *files[1] = { path };
	struct replay rp;
	int ret;

	SKIP_IF_NO_BPF(skip_reason);
	snprintf(path, sizeof(path), "%s/outage.pcap", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	mkdir(out, 0755);
	write_outage(path, 1);
	run_replay(files, 1, out, &rp, &ret);
	assert_int_equal(ret, 0);
	check_outage_counts(&rp, 1);
	assert_int_equal(rp.st.frames, 3500 + 75 + 75);
	assert_int_equal(rp.st.events[0], 2);	/* outage_start: 176.0/24 and the /22, from */
	assert_int_equal(rp.st.events[1], 2);
	replay_close(&rp);

	/* the events are those the live sensor would have raised then */
	snprintf(path, sizeof(path), "%s/events.jsonl", out);
	char *ev = slurp(path, NULL);

	assert_non_null(strstr(ev, "{\"event\":\"outage_start\",\"time\":\"2025-06-07T00:00:59.980Z\",\"interface\":\"replay\",\"block\":\"175.45.176.0/24\",\"direction\":\"from\""));
	/* ln(1e6)/50 = 0.28 s after the last packet: the tick at 01:01 */
	assert_non_null(strstr(ev, "\"detected\":\"2025-06-07T00:01:01.000Z\""));
	assert_non_null(strstr(ev, "{\"event\":\"outage_end\",\"time\":\"2025-06-07T00:01:05.000Z\",\"interface\":\"replay\",\"block\":\"175.45.176.0/24\""));
	assert_non_null(strstr(ev, "\"duration_s\":5.020"));
	assert_non_null(strstr(ev, "\"vantage_silent\":false")); /* the IPv6 frames go on */
	free(ev);

	/* and the series rows: 50 per second but during the gap */
	snprintf(path, sizeof(path), "%s/series-20250607T000000Z.csv", out);
	char *csv = slurp(path, NULL);

	assert_non_null(strstr(csv, "2025-06-07T00:00:01.000Z,replay,block,175.45.176.0/24,from,50,"));
	assert_non_null(strstr(csv, "2025-06-07T00:01:03.000Z,replay,block,175.45.176.0/24,from,0,0,0.000,0.0,0,0,0,0,0,0,outage,"));
	assert_non_null(strstr(csv, "2025-06-07T00:01:15.000Z,replay,block,175.45.176.0/24,from,"));
	free(csv);
}

/* Linux cooked and raw IP captures count the same, with a synthetic
 * Ethernet header (14 bytes) in place of theirs. */
static void test_other_linktypes(void **state)
{
	char path[128], *files[1] = { path };
	struct replay rp;
	int ret;

	SKIP_IF_NO_BPF(skip_reason);
	for (int k = 0; k < 2; k++) {
		int lt = k ? 101 : 113;

		snprintf(path, sizeof(path), "%s/lt%d.pcap", dir, lt);
		write_outage(path, lt);
		run_replay(files, 1, NULL, &rp, &ret);
		assert_int_equal(ret, 0);
		check_outage_counts(&rp, 0);
		assert_int_equal(rp.st.wrapped, 3500 + 75);
		replay_close(&rp);
	}

	/* a link type that cannot be wrapped: skipped and counted */
	struct pcapw w;
	struct frame a;

	snprintf(path, sizeof(path), "%s/ieee80211.pcap", dir);
	pw_open(&w, path, 105);
	frame_build(&from176, &a);
	pw_frame(&w, T0, &a);
	pw_frame(&w, T0 + NS, &a);
	fclose(w.f);
	run_replay(files, 1, NULL, &rp, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(rp.st.skipped_linktype, 2);
	assert_int_equal(rp.st.frames, 0);
	replay_close(&rp);
}

/* pcapng, written by hand: section header, interface, enhanced packets. */
static void test_pcapng(void **state)
{
	char path[128], *files[1] = { path };
	struct replay rp;
	struct frame a;
	int ret;

	SKIP_IF_NO_BPF(skip_reason);
	snprintf(path, sizeof(path), "%s/c.pcapng", dir);
	FILE *f = fopen(path, "wb");
	uint32_t shb[7] = { 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0xFFFFFFFF, 0xFFFFFFFF, 28 };
	/* interface: Ethernet, if_tsresol 9 (ns) */
	uint32_t idb[8] = { 1, 32, 1, 65535, 9 | 1 << 16, 9, 0, 32 };

	fwrite(shb, sizeof(shb), 1, f);
	fwrite(idb, sizeof(idb), 1, f);
	frame_build(&from176, &a);
	uint32_t pad = (4 - a.len % 4) % 4, blen = 32 + a.len + pad;

	for (int i = 0; i < 40; i++) {
		uint64_t t = T0 + i * 100000000ull;
		uint32_t epb[7] = { 6, blen, 0, t >> 32, (uint32_t)t, a.len, a.len + 4 };
		uint8_t zero[4] = {};

		fwrite(epb, sizeof(epb), 1, f);
		fwrite(a.b, a.len, 1, f);
		fwrite(zero, pad, 1, f);
		fwrite(&blen, 4, 1, f);
	}
	fclose(f);
	run_replay(files, 1, NULL, &rp, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(ctr(&rp, 0, PW_DIR_FROM)->packets, 40);
	/* the wire length from the record, not the bytes kept */
	assert_int_equal(ctr(&rp, 0, PW_DIR_FROM)->bytes, 40 * (a.len + 4));
	assert_int_equal(ctr(&rp, 0, PW_DIR_FROM)->last_ns, T0 + 39 * 100000000ull);
	replay_close(&rp);
}

/* Out of order, an empty record, a record cut by the snap length, then a
 * file cut in the middle of a record: what came before is counted, the
 * damage is reported, nothing runs backwards. */
static void test_damaged_and_disordered(void **state)
{
	char p1[128], p2[128], *files[2] = { p1, p2 };
	struct replay rp;
	struct pcapw w;
	struct frame a;
	int ret;

	SKIP_IF_NO_BPF(skip_reason);
	frame_build(&from176, &a);
	snprintf(p1, sizeof(p1), "%s/disorder.pcap", dir);
	pw_open(&w, p1, 1);
	pw_frame(&w, T0 + 3 * NS, &a);
	pw_frame(&w, T0 + 1 * NS, &a);		/* 2 s back */
	pw_rec(&w, T0 + 4 * NS, a.b, 0, 0);	/* empty */
	pw_rec(&w, T0 + 5 * NS, a.b, 42, 1500);	/* snap length 42 of 1500 */
	fclose(w.f);

	snprintf(p2, sizeof(p2), "%s/cut.pcap", dir);
	pw_open(&w, p2, 1);
	pw_frame(&w, T0 + 6 * NS, &a);
	pw_frame(&w, T0 + 7 * NS, &a);
	fclose(w.f);
	assert_int_equal(truncate(p2, 24 + 2 * (16 + a.len) - 10), 0);

	run_replay(files, 2, NULL, &rp, &ret);
	assert_int_equal(ret, 1);			/* damage: non-zero exit */
	assert_int_equal(rp.st.bad_files, 2);		/* the empty record, the cut file */
	assert_int_equal(rp.st.out_of_order, 1);
	assert_true(rp.st.max_back_s > 1.99 && rp.st.max_back_s < 2.01);
	assert_int_equal(ctr(&rp, 0, PW_DIR_FROM)->packets, 4);	/* 2 + the cut one + 1 */
	assert_int_equal(ctr(&rp, 0, PW_DIR_FROM)->bytes, 3 * a.len + 1500);
	replay_close(&rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outage_in_capture),
		cmocka_unit_test(test_other_linktypes),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_damaged_and_disordered),
	};

	int failed = cmocka_run_group_tests_name("replay (the counter built into prefixwatch)", tests, setup,
						 teardown);

	kernel = true;
	return failed + cmocka_run_group_tests_name("replay --kernel (the XDP program, BPF_PROG_TEST_RUN)",
						    tests, setup, teardown);
}
