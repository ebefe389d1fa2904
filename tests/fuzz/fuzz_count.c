// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the sensor's parser and counter as `replay` runs it in
 * user space (bpf/count.bpf.h through user/usercount.c), on any bytes as a
 * frame. In the kernel the verifier proves every read in bounds; here ASan
 * checks it. Targets with blocks of every kind of table entry and a small
 * chunk budget, so lookups end in roots, chunks and the LPM fallback. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "targets.h"
#include "usercount.h"

static struct usercount uc;

static void setup(void)
{
	static struct pw_targets ts;
	static const char *t[] = { "175.45.176.0/22", "10.9.9.9", "100.64.0.0/16", "12.0.0.0/8",
				   "2001:db8:aa::/62", "2001:db8:1:2::/96", "2001:db8:5::1" };
	char err[PW_ERRLEN];

	targets_init(&ts);
	ts.blen6 = 64;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (targets_add(&ts, t[i], NULL, err, sizeof(err))) {
			fprintf(stderr, "fuzz_count: %s\n", err);
			abort();
		}
	}
	ts.blen4 = 24;
	ts.max_blocks = PW_BLOCKS_HARD_MAX;
	/* a budget of 3 chunks: most of IPv4 and IPv6 is left to the trie */
	if (targets_split(&ts, err, sizeof(err)) || usercount_init(&uc, &ts, 3)) {
		fprintf(stderr, "fuzz_count: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!uc.blocks)
		setup();
	/* a copy of exactly size bytes: a read past it is ASan's to see */
	uint8_t *f = malloc(size ? size : 1);

	if (!f)
		return 0;
	for (size_t i = 0; i < size; i++)
		f[i] = data[i];
	uc.epoch++;
	usercount_frame(&uc, f, size, size, 1 + size);
	free(f);
	return 0;
}
