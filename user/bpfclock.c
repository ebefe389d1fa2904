// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <time.h>
#include <bpf/bpf.h>
#include "bpfclock.h"
#include "timefmt.h"

static int probe(int prog_fd, int map_fd, struct pw_clock *out)
{
	/* the program needs a frame, never reads it; the frame out is for
	 * valgrind, which takes a NULL one for a bad address */
	static const unsigned char frame[64];
	unsigned char back[64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .data_out = back, .data_size_out = sizeof(back));
	__u32 zero = 0;

	if (bpf_prog_test_run_opts(prog_fd, &o) || bpf_map_lookup_elem(map_fd, &zero, out))
		return -errno;
	return 0;
}

int bpfclock_calibrate(int prog_fd, int map_fd, struct pw_clock *c)
{
	struct timespec res;
	struct pw_clock a, b;
	__u32 zero = 0;
	int err;

	/* the coarse clocks advance once a tick: their resolution is its length */
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		return -errno;
	c->tick_ns = (uint64_t)res.tv_sec * 1000000000ull + res.tv_nsec;
	if (!c->tick_ns)
		return -EINVAL;
	/* wait for a jiffy to begin (at most a few ticks): the reading just
	 * after it puts t0 within a system call of the truth; any other
	 * reading only bounds it from above */
	if ((err = probe(prog_fd, map_fd, &a)))
		return err;
	uint64_t give_up = now_mono_ns() + 20 * c->tick_ns;

	do {
		if ((err = probe(prog_fd, map_fd, &b)))
			return err;
	} while (b.probe_jiffies == a.probe_jiffies && now_mono_ns() < give_up);
	/* a tick that does not come (a stalled timekeeper) leaves t0 late by
	 * however long it has been missing: better no run than wrong times */
	if (b.probe_jiffies == a.probe_jiffies)
		return -ETIME;
	c->t0_ns = (int64_t)b.probe_ns - (int64_t)(b.probe_jiffies * c->tick_ns);
	c->probe_jiffies = b.probe_jiffies;
	c->probe_ns = b.probe_ns;
	return bpf_map_update_elem(map_fd, &zero, c, BPF_ANY) ? -errno : 0;
}

int bpfclock_read(int map_fd, struct pw_clock *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(map_fd, &zero, c) ? -errno : 0;
}
