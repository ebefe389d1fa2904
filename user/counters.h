/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_COUNTERS_H
#define PW_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "prefixwatch.h"
#include "bpfclock.h"
#include "targets.h"

/* Read entries 0..n-1 of an array map (values of value_size bytes) in
 * batches. Returns 0 or -errno. */
int map_read_array(int fd, uint32_t n, size_t value_size, void *out);

/* CPUs the counters are kept for: the highest possible CPU number plus one. */
int counters_ncpus(void);
/* Map the pw_blocks array (fd) of nslots slots, read-only; *len for munmap.
 * NULL and errno on failure. */
const struct pw_counters *counters_map(int fd, uint32_t nslots, size_t *len);
/* Sum the CPUs' records into out[nslots]: last_ns is the latest on any CPU;
 * first_ns the earliest counted in epoch (0 if none was); times turned from
 * the program's clock into CLOCK_MONOTONIC with clk (NULL: left as they are). */
void counters_sum_blocks(const struct pw_counters *mem, int ncpus, uint32_t nslots, uint64_t epoch,
			 const struct pw_clock *clk, struct pw_counters *out);
/* The same from the map's fd (maps it for the call). */
int counters_read_blocks(int fd, uint32_t nslots, uint64_t epoch, struct pw_counters *out);
/* Sum the interface's per-CPU counters (v: ncpus records): last_ns the
 * latest, first_ns the earliest counted in epoch (0 if none was); times
 * converted with clk as in counters_sum_blocks. From the map (fd), or from
 * records at hand. */
int counters_read_iface(int fd, uint64_t epoch, const struct pw_clock *clk,
			struct pw_iface_counters *out);
void counters_sum_iface(const struct pw_iface_counters *v, int ncpus, uint64_t epoch,
			const struct pw_clock *clk, struct pw_iface_counters *out);

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
	const struct pw_counters *blocks_mem; /* pw_blocks, mapped (blocks_len), or
					       * replay's own memory (0) */
	size_t blocks_len;
	int ncpus;			/* records per slot in blocks_mem */
	const struct pw_iface_counters *iface_mem; /* replay's own, else iface_fd */
	struct pw_counters *c;		/* nblocks * PW_NDIRS, summed over CPUs */
	struct pw_iface_counters tot;
	struct pw_series_state *state;	/* nblocks * PW_NDIRS + 1, from pw_state; NULL
					 * when no run vouches for it now */
	struct pw_series_state *state_mem; /* pw_state mapped for writing (run) */
	uint64_t t_ns;			/* CLOCK_MONOTONIC right after the read */
	volatile __u64 *epoch;		/* the program's pw_epoch, bumped after each
					 * read; NULL when only reading pins */
	/* The program's clock: with tick_ns 0, times are ns of wall time
	 * already (replay); else jiffies, which reader_read turns into
	 * CLOCK_MONOTONIC in c and tot. */
	struct pw_clock clock;
	int clock_unknown;		/* pins whose run has not read its clock yet */
};

/* From the pins of ifname (for `stats`); prints what failed. */
int reader_open_pinned(struct pw_reader *r, const char *ifname);
/* From replay's counter in this process (struct usercount). */
struct usercount;
int reader_init_mem(struct pw_reader *r, const char *ifname, const struct pw_targets *ts,
		    struct usercount *u);
/* From fds a loader holds (borrowed); state_fd is where `run` publishes. */
int reader_init_fds(struct pw_reader *r, const char *ifname, int blocks_fd,
		    int iface_fd, int info_fd, int state_fd);
int reader_read(struct pw_reader *r);
void reader_free(struct pw_reader *r);

#endif
