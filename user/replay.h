/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Offline replay: every frame of pcap and pcapng captures goes through the
 * live sensor's parser and counter (bpf/count.bpf.h), compiled into this
 * process, or with --kernel through the XDP program itself in the kernel
 * (BPF_PROG_TEST_RUN), on the capture's clock, into the same series,
 * detector and files.
 */
#ifndef PW_REPLAY_H
#define PW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include "counters.h"
#include "loader.h"
#include "sampler.h"
#include "targets.h"
#include "usercount.h"

/* XDP test runs take one page at most: a longer frame is run on its first
 * PW_REPLAY_MAX_FRAME bytes (every header is there) with its real length. */
#define PW_REPLAY_MAX_FRAME 3000

/* A capture that jumps by more than this, ahead or back, was not recording
 * (or is a file of another time, or has a broken clock): no rows for the
 * gap, the series start again after it. Shorter gaps are silence, ticked
 * through as a live sensor would. */
#define PW_REPLAY_MAX_GAP_NS (86400ull * 1000000000ull)

struct replay_stats {
	uint64_t frames, bytes;		/* run through the program */
	uint64_t records;		/* read from the files */
	uint64_t wrapped;		/* given a synthetic Ethernet header */
	uint64_t skipped_linktype;	/* of a link type that cannot be wrapped */
	int skipped_dlt;		/* one such link type, for the summary */
	uint64_t skipped_short;		/* shorter than an Ethernet header */
	uint64_t out_of_order;		/* earlier than a frame before them */
	double max_back_s;		/* by how much, at most */
	int bad_files;			/* unreadable or damaged */
	uint64_t jumps;			/* jumps over PW_REPLAY_MAX_GAP_NS */
	uint64_t events[8];		/* by kind: outage_start ... vantage_back */
	uint64_t first_ns, last_ns;	/* capture time covered */
	double seconds;			/* wall time spent running frames */
};

struct replay {
	bool kernel;			/* through the program (sensor), not uc */
	struct pw_sensor sensor;	/* the program and its maps, not attached */
	struct usercount uc;
	struct pw_reader reader;
	struct replay_stats st;
};

/* Set up the counter for ts (kernel: load the program). Returns 0 or
 * -errno, printing what failed. */
int replay_open(struct replay *rp, const struct pw_targets *ts, bool kernel);
/* Run the files in order on the capture's clock, ticking every so->interval
 * of it into the series, detector and so->out. Returns 0, or 1 when a file
 * was unreadable or damaged (everything before the damage is counted and
 * written), or -errno when nothing could go on. */
int replay_files(struct replay *rp, const struct pw_targets *ts, const struct sampler_opts *so,
		 char *const *files, int n);
void replay_close(struct replay *rp);

#endif
