/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_COUNTERS_H
#define PW_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "prefixwatch.h"
#include "targets.h"

/* Read entries 0..n-1 of an array map in batches. For a per-CPU map, out
 * holds n * ncpus values, each rounded up to 8 bytes as the kernel lays them
 * out. Returns 0 or -errno. */
int map_read_array(int fd, uint32_t n, size_t value_size, int percpu, void *out);

/* Sum per-CPU block counters into out[nslots]: last_ns is the latest on any
 * CPU; first_ns the earliest counted in epoch (0 if none was). */
int counters_read_blocks(int fd, uint32_t nslots, uint64_t epoch, struct pw_counters *out);
int counters_read_iface(int fd, struct pw_iface_counters *out);

/* The record that describes block i of ts. */
void blockinfo_fill(const struct pw_targets *ts, size_t i, struct pw_block_info *bi);
/* The block (and target) a record describes. */
void blockinfo_prefix(const struct pw_block_info *bi, struct pw_prefix *blk,
		      struct pw_prefix *target);

/* The maps of one interface and the latest values read from them. */
struct pw_reader {
	char ifname[16];
	int blocks_fd, iface_fd, info_fd, state_fd;
	int owned;			/* fds opened from pins, closed by reader_free */
	uint32_t nblocks;
	struct pw_block_info *info;	/* nblocks */
	struct pw_counters *c;		/* nblocks * PW_NDIRS, summed over CPUs */
	struct pw_iface_counters tot;
	struct pw_series_state *state;	/* nblocks * PW_NDIRS + 1, from pw_state; NULL
					 * when no run vouches for it now */
	uint64_t t_ns;			/* CLOCK_MONOTONIC right after the read */
	volatile __u64 *epoch;		/* the program's pw_epoch, bumped after each
					 * read; NULL when only reading pins */
	/* Frames carry no timestamp: the count of frames that are not the
	 * targets' (the vantage point's own life) is probed often
	 * (reader_probe) to tell, to a probe period, when the interface last
	 * saw one. Wall ns: the probe that first saw the latest ones (the
	 * last came before it), and the probe before the first new ones since
	 * reader_probe_reset (the first came after it). */
	__u64 probe_frames;
	uint64_t frames_last_ns, frames_first_ns, probe_prev_ns;
};

/* From the pins of ifname (for `stats`); prints what failed. */
int reader_open_pinned(struct pw_reader *r, const char *ifname);
/* From fds a loader holds (borrowed); state_fd is where `run` publishes. */
int reader_init_fds(struct pw_reader *r, const char *ifname, int blocks_fd,
		    int iface_fd, int info_fd, int state_fd);
int reader_read(struct pw_reader *r);
/* Note the frame counter at wall time now_ns: read it first unless fresh
 * (just after reader_read, r->tot is). */
int reader_probe(struct pw_reader *r, uint64_t now_ns, int fresh);
void reader_probe_reset(struct pw_reader *r);
void reader_free(struct pw_reader *r);

#endif
