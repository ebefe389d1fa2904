// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf/count.bpf.h, compiled here: the maps become this process's memory,
 * map lookups plain array reads (the LPM trie, where a table sends the
 * program to it, the targets' own search). tests/test_bpf.c runs a
 * generated corpus through both builds and wants the same counts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include "usercount.h"

static struct usercount *uc;	/* the one the maps below stand for */

/* the maps: only their addresses matter, as the lookups' first argument */
static char pw_lpm4, pw_lpm6, pw_dir4, pw_dir6, pw_blocks, pw_iface;

#define pw_epoch uc->epoch
#define pw_replay_clock uc->clock
#define pw_nslots uc->nslots
#define bpf_jiffies64() 0ull		/* replay always has the capture's clock */
#define bpf_get_smp_processor_id() 0u
#define bpf_map_lookup_elem(map, key) uc_lookup(map, key)
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __u32 lpm_block;

/* What the LPM trie answers: the block of the address, if any. */
static __u32 *uc_lpm(int family, const __u8 *addr)
{
	struct pw_prefix a = { .family = family, .len = family == 4 ? 32 : 128 };
	uint32_t first, n;
	int t;

	memcpy(a.addr, addr, family == 4 ? 4 : 16);
	t = targets_find_overlap(uc->ts, &a);
	if (t < 0)
		return NULL;
	targets_blocks_of(uc->ts, t, &a, &first, &n);
	if (!n)
		return NULL;
	lpm_block = first;
	return &lpm_block;
}

static inline void *uc_lookup(const void *map, const void *key)
{
	__u32 k = *(const __u32 *)key;

	if (map == &pw_dir4)
		return k < dirtable_entries(&uc->d4) ? &uc->d4.e[k] : NULL;
	if (map == &pw_dir6)
		return k < dirtable_entries(&uc->d6) ? &uc->d6.e[k] : NULL;
	if (map == &pw_blocks)
		return k < uc->nslots ? &uc->blocks[k] : NULL;
	if (map == &pw_iface)
		return k == 0 ? &uc->iface : NULL;
	if (map == &pw_lpm4)
		return uc_lpm(4, ((const struct pw_key4 *)key)->addr);
	if (map == &pw_lpm6)
		return uc_lpm(6, ((const struct pw_key6 *)key)->addr);
	return NULL;
}

#define PW_USER_BUILD
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"	/* clang's "unroll" */
#include "count.bpf.h"
#pragma GCC diagnostic pop

int usercount_init(struct usercount *u, const struct pw_targets *ts, size_t max_chunks)
{
	int err;

	memset(u, 0, sizeof(*u));
	u->ts = ts;
	u->nslots = ts->nblocks * PW_NDIRS;
	u->blocks = calloc(u->nslots ? u->nslots : 1, sizeof(*u->blocks));
	if (!u->blocks)
		return -ENOMEM;
	err = dirtable_build(&u->d4, ts, 4, max_chunks);
	if (!err)
		err = dirtable_build(&u->d6, ts, 6, max_chunks);
	if (err)
		usercount_free(u);
	return err;
}

void usercount_frame(struct usercount *u, const uint8_t *data, uint32_t len, uint32_t wire_len,
		     uint64_t ns)
{
	uc = u;
	u->clock = ns;
	/* as pw_xdp(): the length on the wire when the capture kept less */
	pw_count((void *)data, (void *)(data + len), wire_len ? wire_len : len, 1);
}

void usercount_free(struct usercount *u)
{
	dirtable_free(&u->d4);
	dirtable_free(&u->d6);
	free(u->blocks);
	u->blocks = NULL;
}
