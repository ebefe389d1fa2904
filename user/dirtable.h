/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_DIRTABLE_H
#define PW_DIRTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "prefixwatch.h"
#include "targets.h"

/* The direct-index table of one family that the program looks addresses up
 * in (PW_DIR_* in prefixwatch.h): the root's 65,536 entries, then chunks of
 * 256. Blocks the levels do not reach, and any block once max_chunks are
 * spent, are left to the LPM trie (PW_DIR_LPM entries). */
struct dirtable {
	uint32_t *e;
	size_t nchunks, max_chunks;
	int family, levels;
	size_t lpm_entries;	/* entries that send the program to the trie */
	size_t n;		/* dirtable_entries() */
};

/* 16 MB of table per family at most; past it, the trie answers. */
#define DIRTABLE_MAX_CHUNKS 16384

int dirtable_build(struct dirtable *t, const struct pw_targets *ts, int family, size_t max_chunks);
/* Entries to give the map: the root and the chunks; 1 when the family has
 * no block at all (every lookup then misses, as it should). */
size_t dirtable_entries(const struct dirtable *t);
/* The entry the program ends on for address a (4 or 16 bytes): the same
 * walk as pw_dir_walk() in bpf/count.bpf.h. */
uint32_t dirtable_walk(const struct dirtable *t, const uint8_t *a);
void dirtable_free(struct dirtable *t);

#endif
