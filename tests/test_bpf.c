// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The counting programs through BPF_PROG_TEST_RUN: crafted frames, each
 * asserting XDP_PASS, an unchanged packet and the exact counter deltas.
 * Needs root (or CAP_BPF); skipped with the reason otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "counters.h"
#include "frames.h"
#include "dirtable.h"
#include "refclass.h"
#include "usercount.h"
#include "loader.h"
#include "log.h"
#include "timefmt.h"

/* Blocks (IPv4 first): 0-3 are 175.45.176-179.0/24, 4 is the single host
 * 10.9.9.9/32, 5-6 are 2001:db8:aa::/48 and 2001:db8:ab::/48. */
static struct pw_targets ts;
static struct pw_sensor sensor;
static struct usercount ucount;	/* the same counter compiled into this process */
static const char *skip_reason;

enum { L_TCP, L_UDP, L_ICMP, L_OTHER };

struct expect {
	int to, from;		/* block, or -1 */
	int l4;			/* L_* of the counted packet */
	int syn, synack;
	/* interface deltas */
	int ipv4, ipv6, nonip, truncated, malformed, fragments;
};

static int setup(void **state)
{
	char err[PW_ERRLEN];

	targets_init(&ts);
	if (targets_add(&ts, "175.45.176.0/22", NULL, err, sizeof(err)) ||
	    targets_add(&ts, "2001:db8:aa::/47", NULL, err, sizeof(err)) ||
	    targets_add(&ts, "10.9.9.9", NULL, err, sizeof(err)) ||
	    targets_split(&ts, err, sizeof(err))) {
		fprintf(stderr, "targets: %s\n", err);
		return -1;
	}
	if (geteuid() != 0) {
		skip_reason = "BPF tests need root (BPF_PROG_TEST_RUN); skipped";
		return 0;
	}
	if (usercount_init(&ucount, &ts, DIRTABLE_MAX_CHUNKS))
		return -1;
	memset(&sensor, 0, sizeof(sensor));
	snprintf(sensor.ifname, sizeof(sensor.ifname), "test");
	pw_log_setup_libbpf();
	int ret = loader_load(&sensor, &ts, true, false);

	if (!ret)
		ret = loader_clock(&sensor);

	if (ret == -EPERM) {
		skip_reason = "BPF tests: loading a program is not permitted here; skipped";
		return 0;
	}
	return ret ? -1 : 0;
}

static int teardown(void **state)
{
	usercount_free(&ucount);
	prefixwatch_bpf__destroy(sensor.skel);
	targets_free(&ts);
	return 0;
}


struct snap {
	struct pw_counters c[7 * PW_NDIRS];
	struct pw_iface_counters t;
};

static void take(struct snap *s)
{
	assert_int_equal(counters_read_blocks(bpf_map__fd(sensor.skel->maps.pw_blocks),
					      ts.nblocks * PW_NDIRS, sensor.skel->bss->pw_epoch, s->c), 0);
	assert_int_equal(counters_read_iface(bpf_map__fd(sensor.skel->maps.pw_iface),
					     sensor.skel->bss->pw_epoch, NULL, &s->t), 0);
}

/* Run one frame through a program; the packet must come out untouched. */
static void run_prog(struct bpf_program *prog, const uint8_t *b, size_t len, int verdict)
{
	uint8_t out[FR_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);

	if (err)
		fail_msg("BPF_PROG_TEST_RUN of %s on a frame of %zu bytes (type %02x%02x): %s",
			 bpf_program__name(prog), len, b[12], b[13], strerror(-err));
	assert_int_equal(o.retval, verdict);
	assert_int_equal(o.data_size_out, len);
	assert_memory_equal(out, b, len);
}

/* The user-space build (replay's) on the same frame: the same counts as
 * the program's, field by field (times aside: its clock is the capture's). */
static void check_usercount(const char *desc, const uint8_t *b, size_t len, const struct snap *before,
			    const struct snap *after)
{
	static struct pw_iface_counters i0;
	static struct pw_counters c0[7 * PW_NDIRS];
	size_t n = ts.nblocks * PW_NDIRS;

	assert_true(n <= 7 * PW_NDIRS);
	i0 = ucount.iface;
	memcpy(c0, ucount.blocks, n * sizeof(*c0));
	ucount.epoch++;
	usercount_frame(&ucount, b, len, len, 1000000000ull);
	for (size_t k = 0; k <= offsetof(struct pw_iface_counters, matched) / 8; k++) {
		uint64_t u = ((uint64_t *)&ucount.iface)[k] - ((uint64_t *)&i0)[k];
		uint64_t p = ((const uint64_t *)&after->t)[k] - ((const uint64_t *)&before->t)[k];

		if (u != p)
			fail_msg("%s (len %zu): interface counter %zu: user space +%llu, the program +%llu",
				 desc, len, k, (unsigned long long)u, (unsigned long long)p);
	}
	for (size_t sl = 0; sl < n; sl++) {
		static const size_t f[] = { offsetof(struct pw_counters, packets), offsetof(struct pw_counters, bytes),
					    offsetof(struct pw_counters, tcp), offsetof(struct pw_counters, udp),
					    offsetof(struct pw_counters, icmp), offsetof(struct pw_counters, other),
					    offsetof(struct pw_counters, syn), offsetof(struct pw_counters, synack) };

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			uint64_t u = *(uint64_t *)((char *)&ucount.blocks[sl] + f[k]) -
				     *(uint64_t *)((char *)&c0[sl] + f[k]);
			uint64_t p = *(const uint64_t *)((const char *)&after->c[sl] + f[k]) -
				     *(const uint64_t *)((const char *)&before->c[sl] + f[k]);

			if (u != p)
				fail_msg("%s (len %zu): slot %zu field at %zu: user space +%llu, the program +%llu",
					 desc, len, sl, f[k], (unsigned long long)u, (unsigned long long)p);
		}
	}
	/* the vantage point's times: stamped by the same frames (each frame
	 * here is the first of its epoch) */
	if ((ucount.iface.epoch == ucount.epoch && ucount.iface.first_ns) != (after->t.first_ns != 0))
		fail_msg("%s (len %zu): user space and the program disagree on stamping the interface", desc, len);
}

/* Was program time t (jiffies) during [t0, t1] (CLOCK_MONOTONIC ns)? To
 * the tick: the kernel's jiffy may lag its start by a little. */
static int in_run(uint64_t t, uint64_t t0, uint64_t t1)
{
	uint64_t ns = bpfclock_ns(&sensor.clock, t), tick = sensor.clock.tick_ns;

	return tick && ns + tick >= t0 && ns <= t1 + tick;
}

static void check(const char *desc, const uint8_t *b, size_t len, const struct expect *e,
		  int tc)
{
	struct snap before, after;
	uint64_t t0, t1;

	sensor.skel->bss->pw_epoch++; /* a new interval: first_ns will be this frame's */
	take(&before);
	t0 = now_mono_ns();
	if (tc)
		run_prog(sensor.skel->progs.pw_tc_egress, b, len, 0 /* TC_ACT_OK */);
	else
		run_prog(sensor.skel->progs.pw_xdp, b, len, 2 /* XDP_PASS */);
	t1 = now_mono_ns();
	take(&after);
	if (!tc)
		check_usercount(desc, b, len, &before, &after);

	int matched = e->to >= 0 || e->from >= 0;

#define IFD(f) (after.t.f - before.t.f)
	if (IFD(frames) != 1 || IFD(bytes) != len || IFD(ipv4) != (unsigned)e->ipv4 ||
	    IFD(ipv6) != (unsigned)e->ipv6 || IFD(nonip) != (unsigned)e->nonip ||
	    IFD(truncated) != (unsigned)e->truncated || IFD(malformed) != (unsigned)e->malformed ||
	    IFD(fragments) != (unsigned)e->fragments || IFD(matched) != (unsigned)matched)
		fail_msg("%s (len %zu): interface deltas frames=%llu bytes=%llu ipv4=%llu ipv6=%llu nonip=%llu truncated=%llu malformed=%llu fragments=%llu matched=%llu; expected ipv4=%d ipv6=%d nonip=%d truncated=%d malformed=%d fragments=%d matched=%d",
			 desc, len, IFD(frames), IFD(bytes), IFD(ipv4), IFD(ipv6), IFD(nonip),
			 IFD(truncated), IFD(malformed), IFD(fragments), IFD(matched), e->ipv4,
			 e->ipv6, e->nonip, e->truncated, e->malformed, e->fragments, matched);

	for (size_t blk = 0; blk < ts.nblocks; blk++) {
		for (int d = 0; d < PW_NDIRS; d++) {
			const struct pw_counters *a = &after.c[PW_SLOT(blk, d)];
			const struct pw_counters *z = &before.c[PW_SLOT(blk, d)];
			int hit = (d == PW_DIR_TO ? e->to : e->from) == (int)blk;
			uint64_t dl4[4] = { a->tcp - z->tcp, a->udp - z->udp, a->icmp - z->icmp,
					    a->other - z->other };

			for (int k = 0; k < 4; k++)
				if (dl4[k] != (uint64_t)(hit && e->l4 == k))
					fail_msg("%s (len %zu): block %zu dir %d protocol %d delta %llu",
						 desc, len, blk, d, k, (unsigned long long)dl4[k]);
			if (a->packets - z->packets != (uint64_t)hit ||
			    a->bytes - z->bytes != (hit ? len : 0) ||
			    a->syn - z->syn != (uint64_t)(hit && e->syn) ||
			    a->synack - z->synack != (uint64_t)(hit && e->synack))
				fail_msg("%s (len %zu): block %zu dir %d packets +%llu bytes +%llu syn +%llu synack +%llu; expected hit=%d",
					 desc, len, blk, d,
					 (unsigned long long)(a->packets - z->packets),
					 (unsigned long long)(a->bytes - z->bytes),
					 (unsigned long long)(a->syn - z->syn),
					 (unsigned long long)(a->synack - z->synack), hit);
			if (hit && (a->first_ns != a->last_ns || !in_run(a->last_ns, t0, t1)))
				fail_msg("%s: first (%llu) and last (%llu) packet of the epoch, not the one run within [%llu, %llu] ns",
					 desc, (unsigned long long)a->first_ns, (unsigned long long)a->last_ns,
					 (unsigned long long)t0, (unsigned long long)t1);
		}
	}
	/* a frame that is not the targets' is the vantage point's own life:
	 * stamped; one of the targets' is not */
	if (!matched && (after.t.first_ns != after.t.last_ns || !in_run(after.t.last_ns, t0, t1)))
		fail_msg("%s: the interface's first (%llu) and last (%llu) frame time, not the one run within [%llu, %llu] ns",
			 desc, (unsigned long long)after.t.first_ns, (unsigned long long)after.t.last_ns,
			 (unsigned long long)t0, (unsigned long long)t1);
	if (matched && (after.t.last_ns != before.t.last_ns || after.t.first_ns))
		fail_msg("%s: a frame of the targets moved the interface's own frame times", desc);
}

struct tcase {
	const char *desc;
	struct frame_spec s;
	struct expect e;
};

#define V4 .family = 4, .ipv4 = 1
#define NOHIT .to = -1, .from = -1

static const struct tcase cases[] = {
	{ "IPv4 UDP to a target block",
	  { .family = 4, .src = "10.0.0.1", .dst = "175.45.177.9", .l4 = 17, .payload = 30 },
	  { .to = 1, .from = -1, .l4 = L_UDP, .ipv4 = 1 } },
	{ "IPv4 TCP SYN from a target block",
	  { .family = 4, .src = "175.45.176.5", .dst = "8.8.8.8", .l4 = 6, .tcpflags = 0x02 },
	  { .to = -1, .from = 0, .l4 = L_TCP, .syn = 1, .ipv4 = 1 } },
	{ "IPv4 TCP SYN-ACK to a target block",
	  { .family = 4, .src = "8.8.8.8", .dst = "175.45.179.255", .l4 = 6, .tcpflags = 0x12 },
	  { .to = 3, .from = -1, .l4 = L_TCP, .synack = 1, .ipv4 = 1 } },
	{ "IPv4 TCP ACK: neither SYN nor SYN-ACK",
	  { .family = 4, .src = "8.8.8.8", .dst = "175.45.178.1", .l4 = 6, .tcpflags = 0x10 },
	  { .to = 2, .from = -1, .l4 = L_TCP, .ipv4 = 1 } },
	{ "IPv4 TCP SYN+RST counts as SYN (ACK clear)",
	  { .family = 4, .src = "8.8.8.8", .dst = "175.45.178.1", .l4 = 6, .tcpflags = 0x06 },
	  { .to = 2, .from = -1, .l4 = L_TCP, .syn = 1, .ipv4 = 1 } },
	{ "IPv4 ICMP between two target blocks counts both ways",
	  { .family = 4, .src = "175.45.176.1", .dst = "175.45.179.1", .l4 = 1, .payload = 56 },
	  { .to = 3, .from = 0, .l4 = L_ICMP, .ipv4 = 1 } },
	{ "IPv4 host target /32",
	  { .family = 4, .src = "10.9.9.9", .dst = "1.1.1.1", .l4 = 17 },
	  { .to = -1, .from = 4, .l4 = L_UDP, .ipv4 = 1 } },
	{ "IPv4 next to a host target is not it",
	  { .family = 4, .src = "10.9.9.8", .dst = "175.45.175.255", .l4 = 17 },
	  { NOHIT, .ipv4 = 1 } },
	{ "IPv4 GRE is other",
	  { .family = 4, .src = "192.0.2.1", .dst = "175.45.176.7", .l4 = 47, .payload = 24 },
	  { .to = 0, .from = -1, .l4 = L_OTHER, .ipv4 = 1 } },
	{ "IPv4 with 40 bytes of options, TCP SYN",
	  { .family = 4, .ihl = 15, .src = "1.2.3.4", .dst = "175.45.176.80", .l4 = 6, .tcpflags = 0x02 },
	  { .to = 0, .from = -1, .l4 = L_TCP, .syn = 1, .ipv4 = 1 } },
	{ "IPv4 IHL 4 is malformed",
	  { .family = 4, .ihl = 4, .src = "1.2.3.4", .dst = "175.45.176.80", .l4 = 17 },
	  { NOHIT, .ipv4 = 1, .malformed = 1 } },
	{ "version 5 behind an IPv4 ethertype is malformed",
	  { .family = 4, .bad_version = 5, .src = "1.2.3.4", .dst = "175.45.176.80", .l4 = 17 },
	  { NOHIT, .ipv4 = 1, .malformed = 1 } },
	{ "IPv4 first fragment with the TCP SYN",
	  { .family = 4, .frag = 0x2000, .src = "1.2.3.4", .dst = "175.45.177.1", .l4 = 6, .tcpflags = 0x02, .payload = 100 },
	  { .to = 1, .from = -1, .l4 = L_TCP, .syn = 1, .ipv4 = 1, .fragments = 1 } },
	{ "IPv4 later fragment: TCP, its bytes are not a header",
	  { .family = 4, .frag = 185, .src = "1.2.3.4", .dst = "175.45.177.1", .l4 = 6, .tcpflags = 0x02, .payload = 10 },
	  { .to = 1, .from = -1, .l4 = L_TCP, .ipv4 = 1, .fragments = 1 } },
	{ "802.1Q IPv4 UDP",
	  { .vlans = 1, .family = 4, .src = "175.45.178.3", .dst = "9.9.9.9", .l4 = 17, .payload = 4 },
	  { .to = -1, .from = 2, .l4 = L_UDP, .ipv4 = 1 } },
	{ "QinQ (802.1ad outer, 802.1Q inner) IPv4 TCP SYN",
	  { .vlans = 2, .outer_ad = 1, .family = 4, .src = "9.9.9.9", .dst = "175.45.178.3", .l4 = 6, .tcpflags = 0x02 },
	  { .to = 2, .from = -1, .l4 = L_TCP, .syn = 1, .ipv4 = 1 } },
	{ "0x9100 outer tag (pre-standard QinQ), IPv4 UDP",
	  { .vlans = 2, .outer_ad = 2, .family = 4, .src = "9.9.9.9", .dst = "175.45.178.3", .l4 = 17 },
	  { .to = 2, .from = -1, .l4 = L_UDP, .ipv4 = 1 } },
	{ "two 802.1Q tags, IPv6 ICMPv6",
	  { .vlans = 2, .family = 6, .src = "2001:db8:ab::1", .dst = "2001:db8::1", .l4 = 58 },
	  { .to = -1, .from = 6, .l4 = L_ICMP, .ipv6 = 1 } },
	{ "three VLAN tags are more than the parser reads: not IP",
	  { .vlans = 3, .family = 4, .src = "9.9.9.9", .dst = "175.45.178.3", .l4 = 17 },
	  { NOHIT, .nonip = 1 } },
	{ "ARP is not IP",
	  { .family = 0 },
	  { NOHIT, .nonip = 1 } },
	{ "IPv6 UDP to a target block",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:aa:ffff::1", .l4 = 17, .payload = 12 },
	  { .to = 5, .from = -1, .l4 = L_UDP, .ipv6 = 1 } },
	{ "IPv6 outside the targets",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:ac::1", .l4 = 17 },
	  { NOHIT, .ipv6 = 1 } },
	{ "IPv6 hop-by-hop, routing, destination options, then TCP SYN",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:aa::1", .ext = { 0, 43, 60 }, .next = 3, .l4 = 6, .tcpflags = 0x02 },
	  { .to = 5, .from = -1, .l4 = L_TCP, .syn = 1, .ipv6 = 1 } },
	{ "IPv6 AH then TCP SYN-ACK",
	  { .family = 6, .src = "2001:db8:aa::9", .dst = "2001:db8::5", .ext = { 51 }, .next = 1, .l4 = 6, .tcpflags = 0x12 },
	  { .to = -1, .from = 5, .l4 = L_TCP, .synack = 1, .ipv6 = 1 } },
	{ "IPv6 first fragment with TCP SYN",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:ab::1", .ext = { 44 }, .next = 1, .l4 = 6, .tcpflags = 0x02, .payload = 64 },
	  { .to = 6, .from = -1, .l4 = L_TCP, .syn = 1, .ipv6 = 1, .fragments = 1 } },
	{ "IPv6 later fragment: UDP by its header, no L4 parse",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:ab::1", .ext = { 0, 44 }, .next = 2, .frag6_off = 100, .l4 = 17, .payload = 64 },
	  { .to = 6, .from = -1, .l4 = L_UDP, .ipv6 = 1, .fragments = 1 } },
	{ "IPv6 with 8 extension headers (the bound) then TCP SYN",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:aa::1", .ext = { 0, 60, 60, 60, 60, 60, 60, 60 }, .next = 8, .l4 = 6, .tcpflags = 0x02 },
	  { .to = 5, .from = -1, .l4 = L_TCP, .syn = 1, .ipv6 = 1 } },
	{ "IPv6 with 9 extension headers: past the bound, other",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:aa::1", .ext = { 0, 60, 60, 60, 60, 60, 60, 60, 60 }, .next = 9, .l4 = 6, .tcpflags = 0x02 },
	  { .to = 5, .from = -1, .l4 = L_OTHER, .ipv6 = 1 } },
	{ "IPv6 no next header (59) is other",
	  { .family = 6, .src = "2001:db8::5", .dst = "2001:db8:aa::1", .l4 = 59 },
	  { .to = 5, .from = -1, .l4 = L_OTHER, .ipv6 = 1 } },
	{ "version 4 behind an IPv6 ethertype is malformed",
	  { .family = 6, .bad_version = 4, .src = "2001:db8::5", .dst = "2001:db8:aa::1", .l4 = 17 },
	  { NOHIT, .ipv6 = 1, .malformed = 1 } },
};

static void test_cases(void **state, int tc)
{
	SKIP_IF_NO_BPF(skip_reason);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame f;

		frame_build(&cases[i].s, &f);
		check(cases[i].desc, f.b, f.len, &cases[i].e, tc);
	}
}

static void test_xdp_cases(void **state)
{
	test_cases(state, 0);
}

/* The tc egress program shares the parser: same frames, same counts. */
static void test_tc_cases(void **state)
{
	test_cases(state, 1);
}

/* Cut a frame at every length from the Ethernet header to its end and
 * derive what must be counted from where its headers end. */
static void sweep(const char *desc, const struct frame_spec *s, const struct expect *full)
{
	struct frame f;

	frame_build(s, &f);
	for (size_t len = 14; len <= f.len; len++) {
		struct expect e = *full;
		size_t l3 = 14 + 4 * s->vlans;

		if (len < l3) {
			e = (struct expect){ NOHIT, .truncated = 1 };
		} else if (len < f.addr_end) {
			e.to = e.from = -1;
			e.truncated = 1;
			e.fragments = 0;
		} else {
			if (len < f.l4_end)
				e.syn = e.synack = 0;
			if (s->family == 6 && len < f.chain_end)
				e.l4 = L_OTHER;
			/* an IPv6 fragment header counts once it is complete */
			if (s->family == 6 && e.fragments) {
				size_t fh_end = f.addr_end;

				for (int i = 0; i < s->next; i++) {
					fh_end += s->ext[i] == 51 ? 12 : 8;
					if (s->ext[i] == 44)
						break;
				}
				e.fragments = len >= fh_end;
			}
		}
		check(desc, f.b, len, &e, 0);
	}
}

static void test_truncated_ipv4(void **state)
{
	struct frame_spec s = { .vlans = 2, .outer_ad = 1, .family = 4, .ihl = 6, .frag = 0x2000,
				.src = "175.45.176.1", .dst = "8.8.4.4", .l4 = 6, .tcpflags = 0x02,
				.payload = 6 };
	struct expect e = { .to = -1, .from = 0, .l4 = L_TCP, .syn = 1, .ipv4 = 1, .fragments = 1 };

	SKIP_IF_NO_BPF(skip_reason);
	sweep("QinQ IPv4 with options, first fragment, TCP SYN, cut short", &s, &e);
}

static void test_truncated_ipv6(void **state)
{
	struct frame_spec s = { .vlans = 1, .family = 6, .src = "2001:db8::1",
				.dst = "2001:db8:ab::77", .ext = { 0, 51, 44 }, .next = 3,
				.l4 = 6, .tcpflags = 0x12, .payload = 3 };
	struct expect e = { .to = 6, .from = -1, .l4 = L_TCP, .synack = 1, .ipv6 = 1, .fragments = 1 };

	SKIP_IF_NO_BPF(skip_reason);
	sweep("802.1Q IPv6 hop-by-hop, AH, fragment, TCP SYN-ACK, cut short", &s, &e);
}

/* Many blocks: the LPM lookups land on the right one at the far edges. */
/* A generated corpus against the reference classifier (refclass.h): random
 * bytes, and frames of random structure (0 to 3 tags of any TPID, IPv4 with
 * any version nibble, header length, fragment field and protocol, IPv6 with
 * 0 to 10 extension headers of every kind, any flags), cut at random
 * lengths. Every frame through both programs; counts must be identical. */
static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void put16(uint8_t *b, size_t *n, unsigned int v)
{
	b[(*n)++] = v >> 8;
	b[(*n)++] = v;
}

static void addr4(uint8_t *a)
{
	static const uint8_t host[4] = { 10, 9, 9, 9 };

	switch (rnd() % 4) {
	case 0: a[0] = 175; a[1] = 45; a[2] = 176 + rnd() % 4; a[3] = rnd(); break;
	case 1: memcpy(a, host, 4); break;
	case 2: a[0] = 175; a[1] = 45; a[2] = 175 + (rnd() % 2) * 5; a[3] = rnd(); break; /* just outside */
	default: for (int i = 0; i < 4; i++) a[i] = rnd();
	}
}

static void addr6(uint8_t *a)
{
	for (int i = 0; i < 16; i++)
		a[i] = rnd();
	if (rnd() % 2) { /* 2001:db8:aa::/47, or just outside it */
		static const uint8_t p[5] = { 0x20, 0x01, 0x0d, 0xb8, 0x00 };

		memcpy(a, p, 5);
		a[5] = 0xaa + (rnd() % 3 == 0 ? 2 : rnd() % 2);
	}
}

static size_t gen_frame(uint8_t *b)
{
	static const unsigned int tpids[] = { 0x8100, 0x88a8, 0x9100, 0x8100 };
	static const unsigned int exts[] = { 0, 43, 60, 51, 44 };
	static const unsigned int protos[] = { 6, 17, 1, 58, 6, 47, 132 };
	size_t n = 12;

	for (int i = 0; i < 12; i++)
		b[i] = rnd();
	if (rnd() % 10 == 0) { /* random bytes after a random or known type */
		size_t len = 14 + rnd() % 200;

		for (size_t i = 12; i < len; i++)
			b[i] = rnd();
		if (rnd() % 2)
			b[12] = rnd() % 2 ? 0x08 : 0x86, b[13] = b[12] == 0x08 ? 0x00 : 0xdd;
		return len;
	}
	for (int t = rnd() % 4; t > 0; t--) {
		put16(b, &n, rnd() % 8 ? tpids[rnd() % 4] : rnd() & 0xffff);
		put16(b, &n, rnd() & 0xfff);
	}
	unsigned int r = rnd() % 20, proto = protos[rnd() % 7];

	put16(b, &n, r < 9 ? 0x0800 : r < 18 ? 0x86dd : r == 18 ? 0x0806 : rnd() & 0xffff);
	size_t l3 = n;

	if (r < 9) {
		unsigned int ihl = rnd() % 3 ? 5 + (rnd() % 3 ? 0 : rnd() % 11) : rnd() % 16;
		unsigned int frag = rnd() % 2 ? 0 : rnd() % 3 == 0 ? 0x2000 : rnd() & 0x3fff;

		memset(b + n, 0, 20);
		b[n] = (rnd() % 10 ? 4 : rnd() % 16) << 4 | ihl;
		b[n + 6] = frag >> 8;
		b[n + 7] = frag;
		b[n + 8] = 64;
		b[n + 9] = proto;
		addr4(b + n + 12);
		addr4(b + n + 16);
		n += 20;
		for (unsigned int i = 20; i < ihl * 4; i++)
			b[n++] = rnd();
	} else if (r < 18) {
		memset(b + n, 0, 40);
		b[n] = rnd() % 10 ? 0x60 : (rnd() % 16) << 4;
		addr6(b + n + 8);
		addr6(b + n + 24);
		size_t nh = n + 6;
		int next = rnd() % 11;

		n += 40;
		/* 0 to 10 extension headers: past the bound of 8 too */
		for (int i = 0; i < next && n + 64 < FR_MAX - 100; i++) {
			unsigned int e = exts[rnd() % 5], hl = rnd() % 3;

			b[nh] = e;
			nh = n;
			if (e == 44) {
				unsigned int off = rnd() % 2 ? 0 : (rnd() & 0x1fff) << 3;

				memset(b + n, 0, 8);
				b[n + 2] = off >> 8;
				b[n + 3] = off | (rnd() % 2); /* M flag */
				n += 8;
			} else {
				size_t l = e == 51 ? (hl + 2) * 4 : (hl + 1) * 8;

				memset(b + n, 0, l);
				b[n + 1] = hl;
				n += l;
			}
		}
		b[nh] = proto;
	} else {
		for (int i = 0; i < 28; i++)
			b[n++] = rnd();
		return n;
	}
	(void)l3;
	/* the upper layer: a TCP header with SYN, SYN-ACK or any flags, or bytes */
	size_t l4 = 8 + rnd() % 32;

	for (size_t i = 0; i < l4; i++)
		b[n + i] = rnd();
	if (proto == 6 && rnd() % 2) {
		b[n + 12] = 5 << 4;
		b[n + 13] = rnd() % 2 ? 0x02 : 0x12;
	}
	n += l4;
	/* cut at a random length, half the time */
	if (rnd() % 2)
		n = 14 + rnd() % (n - 13);
	return n;
}

static void test_generated_corpus(void **state)
{
	const char *seed = getenv("PW_CORPUS_SEED");
	int frames = getenv("PW_CORPUS_FRAMES") ? atoi(getenv("PW_CORPUS_FRAMES")) : 20000;
	uint8_t b[FR_MAX];
	char desc[128];
	int tc_refused = 0;

	SKIP_IF_NO_BPF(skip_reason);
	rng_state = seed ? strtoull(seed, NULL, 0) : 0x70726566697877ull;
	for (int i = 0; i < frames; i++) {
		size_t len = gen_frame(b);
		struct ref_result r;

		ref_classify(b, len, &ts, &r);
		struct expect e = { r.to, r.from, r.l4, r.syn, r.synack, r.ipv4, r.ipv6, r.nonip,
				    r.truncated, r.malformed, r.fragments };

		snprintf(desc, sizeof(desc), "generated frame %d (seed %s)", i, seed ? seed : "default");
		check(desc, b, len, &e, 0);
		/* the kernel will not make an skb of an IP ethertype shorter
		 * than its IP header for a tc test run (no host sends one) */
		unsigned int et = b[12] << 8 | b[13];

		if ((et == 0x0800 && len < 14 + 20) || (et == 0x86dd && len < 14 + 40))
			tc_refused++;
		else
			check(desc, b, len, &e, 1);
	}
	printf("[          ] %d generated frames: XDP counted each as the reference classifier; tc too, but for %d the kernel would not run it on\n",
	       frames, tc_refused);
}

static void test_many_blocks(void **state)
{
	struct pw_targets big;
	struct pw_sensor s = {};
	char err[PW_ERRLEN];
	struct frame f;
	struct frame_spec fs = { .family = 4, .src = "1.1.1.1", .dst = "10.255.255.1", .l4 = 17 };

	SKIP_IF_NO_BPF(skip_reason);
	targets_init(&big);
	assert_int_equal(targets_add(&big, "10.0.0.0/8", NULL, err, sizeof(err)), 0);
	assert_int_equal(targets_add(&big, "2001:db8::/32", NULL, err, sizeof(err)), 0);
	big.blen6 = 48;
	big.max_blocks = 65536 + 65536;
	assert_int_equal(targets_split(&big, err, sizeof(err)), 0);
	assert_int_equal(big.nblocks, 131072);
	snprintf(s.ifname, sizeof(s.ifname), "big");
	assert_int_equal(loader_load(&s, &big, false, false), 0);

	frame_build(&fs, &f);
	run_prog(s.skel->progs.pw_xdp, f.b, f.len, 2);
	fs.dst = "2001:db8:ffff:1::1";
	fs.family = 6;
	fs.src = "2001:db8::1";
	frame_build(&fs, &f);
	run_prog(s.skel->progs.pw_xdp, f.b, f.len, 2);

	struct pw_counters *c = calloc(big.nblocks * PW_NDIRS, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(counters_read_blocks(bpf_map__fd(s.skel->maps.pw_blocks),
					      big.nblocks * PW_NDIRS, 0, c), 0);
	uint64_t total = 0;

	for (size_t i = 0; i < big.nblocks * PW_NDIRS; i++)
		total += c[i].packets;
	/* 10.255.255.0/24 is block 65535; 2001:db8:ffff::/48 is 65536 + 65535 */
	assert_int_equal(c[PW_SLOT(65535, PW_DIR_TO)].packets, 1);
	assert_int_equal(c[PW_SLOT(65536 + 65535, PW_DIR_TO)].packets, 1);
	/* 2001:db8::1 is the source of the second frame: block 65536 */
	assert_int_equal(c[PW_SLOT(65536, PW_DIR_FROM)].packets, 1);
	assert_int_equal(total, 3);
	free(c);
	prefixwatch_bpf__destroy(s.skel);
	targets_free(&big);
}

/* first_ns is the first packet since the epoch changed, whatever the CPU
 * saw before: the reader's time for the end of an outage, to the tick. */
static void test_epoch_first_packet(void **state)
{
	struct frame f;
	struct frame_spec fs = { .family = 4, .src = "1.1.1.1", .dst = "175.45.176.9", .l4 = 17 };
	struct pw_counters c[7 * PW_NDIRS];
	__u64 e, t0, t1;
	int fd;

	SKIP_IF_NO_BPF(skip_reason);
	fd = bpf_map__fd(sensor.skel->maps.pw_blocks);
	frame_build(&fs, &f);
	e = ++sensor.skel->bss->pw_epoch;
	run_prog(sensor.skel->progs.pw_xdp, f.b, f.len, 2);
	run_prog(sensor.skel->progs.pw_xdp, f.b, f.len, 2);
	assert_int_equal(counters_read_blocks(fd, ts.nblocks * PW_NDIRS, e, c), 0);
	__u64 first_e = c[PW_SLOT(0, PW_DIR_TO)].first_ns, last_e = c[PW_SLOT(0, PW_DIR_TO)].last_ns;

	assert_true(first_e > 0 && first_e <= last_e);
	/* two ticks later, in the next epoch: its own first packet */
	sensor.skel->bss->pw_epoch = e + 1;
	usleep(2 * sensor.clock.tick_ns / 1000);
	t0 = now_mono_ns();
	run_prog(sensor.skel->progs.pw_xdp, f.b, f.len, 2);
	usleep(2 * sensor.clock.tick_ns / 1000);
	run_prog(sensor.skel->progs.pw_xdp, f.b, f.len, 2);
	t1 = now_mono_ns();
	assert_int_equal(counters_read_blocks(fd, ts.nblocks * PW_NDIRS, e + 1, c), 0);
	assert_true(c[PW_SLOT(0, PW_DIR_TO)].first_ns > last_e);
	assert_true(in_run(c[PW_SLOT(0, PW_DIR_TO)].first_ns, t0, t1));
	assert_true(c[PW_SLOT(0, PW_DIR_TO)].first_ns < c[PW_SLOT(0, PW_DIR_TO)].last_ns);
	/* asked about an epoch with no packet: none */
	assert_int_equal(counters_read_blocks(fd, ts.nblocks * PW_NDIRS, e + 2, c), 0);
	assert_int_equal(c[PW_SLOT(0, PW_DIR_TO)].first_ns, 0);
}

/* The lookup tables against the reference (every block tried in turn), in
 * user space (dirtable_walk) and in the program: blocks from /8 to /96,
 * filling root entries, chunk entries, and entries past the levels (the
 * trie answers), and the chunk budget spent (the trie answers). Addresses:
 * each block's first and last, their neighbours outside, two inside. */
struct lookup_conf {
	unsigned int blen4, blen6;
	size_t chunks;
	const char *t[6];
};

static void probe_addr(const struct pw_prefix *p, int k, uint8_t *a)
{
	int n = p->family == 4 ? 4 : 16;
	int bits = n * 8 - p->len; /* host bits */

	memcpy(a, p->addr, n);
	for (int i = n - 1, b = 0; i >= 0 && b < bits; i--, b += 8) {
		uint8_t mask = bits - b >= 8 ? 0xff : (1u << (bits - b)) - 1;

		if (k == 1 || k == 3)
			a[i] |= mask;		/* last */
		else if (k >= 4)
			a[i] |= rnd() & mask;	/* inside */
	}
	if (k == 2 || k == 3) {		/* first - 1, last + 1 */
		for (int i = n - 1; i >= 0; i--) {
			if (k == 2 ? a[i]-- != 0 : ++a[i] != 0)
				break;
		}
	}
}

static void test_lookup_tables(void **state)
{
	static const struct lookup_conf confs[] = {
		{ 24, 48, DIRTABLE_MAX_CHUNKS, { "175.45.176.0/22", "10.9.9.9", "192.168.1.16/28", "100.64.0.0/16", "2001:db8:aa::/47", NULL } },
		{ 20, 64, DIRTABLE_MAX_CHUNKS, { "10.0.0.0/12", "172.16.5.0/24", "9.0.0.0/10", "2001:db8::/56", "2a00:1::/64", NULL } },
		{ 8, 96, DIRTABLE_MAX_CHUNKS, { "12.0.0.0/6", "1.2.3.4", "2001:db8:1:2::/94", "2001:db8:5::/128", "3000::/96", NULL } },
		{ 16, 16, DIRTABLE_MAX_CHUNKS, { "10.0.0.0/15", "10.2.3.0/24", "3000::/15", "2001:db8:7::/48", NULL } },
		{ 24, 48, 2, { "175.45.176.0/22", "10.9.9.9", "192.168.1.16/28", "100.64.0.0/16", "2001:db8:aa::/47", NULL } },
	};

	SKIP_IF_NO_BPF(skip_reason);
	rng_state = 0x6c6f6f6b7570ull;
	for (size_t ci = 0; ci < sizeof(confs) / sizeof(confs[0]); ci++) {
		const struct lookup_conf *cf = &confs[ci];
		struct pw_targets lt;
		struct pw_sensor s = {};
		struct dirtable d4, d6;
		char err[PW_ERRLEN];
		size_t lpm = 0;

		targets_init(&lt);
		lt.blen4 = cf->blen4;
		lt.blen6 = cf->blen6;
		for (int i = 0; cf->t[i]; i++)
			if (targets_add(&lt, cf->t[i], NULL, err, sizeof(err)))
				fail_msg("conf %zu: %s", ci, err);
		if (targets_split(&lt, err, sizeof(err)))
			fail_msg("conf %zu: %s", ci, err);
		assert_int_equal(dirtable_build(&d4, &lt, 4, cf->chunks), 0);
		assert_int_equal(dirtable_build(&d6, &lt, 6, cf->chunks), 0);
		loader_dir_chunks = cf->chunks;
		snprintf(s.ifname, sizeof(s.ifname), "lookup%zu", ci);
		int lerr = loader_load(&s, &lt, false, false);

		loader_dir_chunks = DIRTABLE_MAX_CHUNKS;
		assert_int_equal(lerr, 0);

		uint64_t *want = calloc(lt.nblocks, sizeof(*want));
		size_t probes = 0;
		struct usercount u;

		assert_int_equal(usercount_init(&u, &lt, cf->chunks), 0);

		assert_non_null(want);
		for (size_t b = 0; b < lt.nblocks; b++) {
			const struct pw_prefix *p = &lt.blocks[b].pfx;

			for (int k = 0; k < 6; k++) {
				uint8_t a[16];
				int fam = p->family, ref;
				const struct dirtable *d = fam == 4 ? &d4 : &d6;

				probe_addr(p, k, a);
				ref = ref_block(&lt, fam, a);
				uint32_t v = dirtable_walk(d, a);
				int got = PW_DIR_KIND(v) == PW_DIR_BLOCK ? (int)PW_DIR_ID(v) : -1;

				if (PW_DIR_KIND(v) == PW_DIR_LPM) {
					/* the table sends the program to the trie: ask it */
					struct pw_key6 key = { .prefixlen = fam == 4 ? 32 : 128 };
					__u32 blk;

					memcpy(key.addr, a, fam == 4 ? 4 : 16);
					lpm++;
					got = bpf_map_lookup_elem(bpf_map__fd(fam == 4 ? s.skel->maps.pw_lpm4
										      : s.skel->maps.pw_lpm6),
								  &key, &blk) ? -1 : (int)blk;
				}

				if (got != ref)
					fail_msg("conf %zu: block %zu probe %d: table says %d (entry %#x), reference %d",
						 ci, b, k, got, v, ref);
				/* and the program, with a source in no block */
				struct frame_spec fs = { .family = fam, .l4 = 17, .payload = 8 };
				char dst[64];
				struct frame f;

				inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, dst, sizeof(dst));
				fs.dst = dst;
				fs.src = fam == 4 ? "198.18.0.1" : "fd00::1";
				frame_build(&fs, &f);
				run_prog(s.skel->progs.pw_xdp, f.b, f.len, 2);
				usercount_frame(&u, f.b, f.len, f.len, 1);
				if (ref >= 0)
					want[ref]++;
				probes++;
			}
		}
		struct pw_counters *c = calloc(lt.nblocks * PW_NDIRS, sizeof(*c));

		assert_non_null(c);
		assert_int_equal(counters_read_blocks(bpf_map__fd(s.skel->maps.pw_blocks),
						      lt.nblocks * PW_NDIRS, 0, c), 0);
		for (size_t b = 0; b < lt.nblocks; b++) {
			char pb[64];

			if (u.blocks[PW_SLOT(b, PW_DIR_TO)].packets != want[b] || u.blocks[PW_SLOT(b, PW_DIR_FROM)].packets)
				fail_msg("conf %zu: block %s: user space counted %llu to, the reference %llu", ci,
					 prefix_str(&lt.blocks[b].pfx, pb, sizeof(pb)),
					 (unsigned long long)u.blocks[PW_SLOT(b, PW_DIR_TO)].packets,
					 (unsigned long long)want[b]);
			if (c[PW_SLOT(b, PW_DIR_TO)].packets != want[b] || c[PW_SLOT(b, PW_DIR_FROM)].packets)
				fail_msg("conf %zu: block %s counted %llu to, %llu from; the reference says %llu to",
					 ci, prefix_str(&lt.blocks[b].pfx, pb, sizeof(pb)),
					 (unsigned long long)c[PW_SLOT(b, PW_DIR_TO)].packets,
					 (unsigned long long)c[PW_SLOT(b, PW_DIR_FROM)].packets,
					 (unsigned long long)want[b]);
		}
		printf("[          ] lookup conf %zu: %zu blocks, %zu probes, %zu chunks (v4 %zu, v6 %zu), %zu answered by the trie\n",
		       ci, lt.nblocks, probes, d4.nchunks + d6.nchunks, d4.nchunks, d6.nchunks, lpm);
		if (ci == 2 || ci == 4)
			assert_true(lpm > 0); /* past the levels, or out of budget */
		free(c);
		free(want);
		usercount_free(&u);
		dirtable_free(&d4);
		dirtable_free(&d6);
		prefixwatch_bpf__destroy(s.skel);
		targets_free(&lt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_cases),
		cmocka_unit_test(test_tc_cases),
		cmocka_unit_test(test_truncated_ipv4),
		cmocka_unit_test(test_truncated_ipv6),
		cmocka_unit_test(test_generated_corpus),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_lookup_tables),
		cmocka_unit_test(test_epoch_first_packet),
	};

	return cmocka_run_group_tests_name("bpf (BPF_PROG_TEST_RUN)", tests, setup, teardown);
}
