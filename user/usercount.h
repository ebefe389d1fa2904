/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_USERCOUNT_H
#define PW_USERCOUNT_H

#include <stdint.h>
#include "dirtable.h"
#include "prefixwatch.h"
#include "targets.h"

/* The sensor's parser and counter (bpf/count.bpf.h), compiled into this
 * process: what `replay` runs frames through, a few hundred ns a frame
 * where a BPF_PROG_TEST_RUN call costs about 2 us. The same lookup tables
 * as the program's, the same records, one "CPU". One at a time per process. */
struct usercount {
	const struct pw_targets *ts;
	struct dirtable d4, d6;
	struct pw_counters *blocks;	/* nblocks * PW_NDIRS */
	struct pw_iface_counters iface;
	uint32_t nslots;
	volatile __u64 epoch;		/* as pw_epoch */
	uint64_t clock;			/* as pw_replay_clock */
};

/* max_chunks: the tables' budget, as the loader's (DIRTABLE_MAX_CHUNKS). */
int usercount_init(struct usercount *u, const struct pw_targets *ts, size_t max_chunks);
/* Count one frame of len captured bytes, wire_len on the wire, at ns. */
void usercount_frame(struct usercount *u, const uint8_t *data, uint32_t len, uint32_t wire_len,
		     uint64_t ns);
void usercount_free(struct usercount *u);

#endif
