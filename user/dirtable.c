// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Direct-index lookup tables: an LPM trie lookup costs 10-30 ns a packet
 * here, an array entry about one; two addresses a packet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dirtable.h"

static int new_chunk(struct dirtable *t, uint32_t *id)
{
	uint32_t *e = realloc(t->e, (PW_DIR_ROOT + (t->nchunks + 1) * 256) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	t->e = e;
	memset(e + PW_DIR_ROOT + t->nchunks * 256, 0, 256 * sizeof(*e));
	*id = t->nchunks++;
	return 0;
}

static void fill(uint32_t *e, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		e[i] = v;
}

/* Block id with prefix p: the entries its addresses fall under say so. Blocks
 * never overlap, so an entry on the way is empty, a chunk, or (budget spent,
 * levels exhausted) already the trie's. */
static int insert(struct dirtable *t, const struct pw_prefix *p, uint32_t id)
{
	const uint8_t *a = p->addr;
	size_t idx = (size_t)a[0] << 8 | a[1];
	unsigned int covered = 16;

	if (p->len <= 16) {
		fill(t->e + idx, (size_t)1 << (16 - p->len), PW_DIR_ENTRY(PW_DIR_BLOCK, id));
		return 0;
	}
	for (int lvl = 0;; lvl++) {
		uint32_t v = t->e[idx], c;

		if (PW_DIR_KIND(v) == PW_DIR_LPM)
			return 0;
		if (PW_DIR_KIND(v) == PW_DIR_NEXT) {
			c = PW_DIR_ID(v);
		} else if (lvl == t->levels || t->nchunks == t->max_chunks) {
			t->e[idx] = PW_DIR_ENTRY(PW_DIR_LPM, 0);
			t->lpm_entries++;
			return 0;
		} else {
			int err = new_chunk(t, &c);

			if (err)
				return err;
			t->e[idx] = PW_DIR_ENTRY(PW_DIR_NEXT, c);
		}
		idx = PW_DIR_ROOT + (size_t)c * 256 + a[2 + lvl];
		covered += 8;
		if (p->len <= covered) {
			fill(t->e + idx, (size_t)1 << (covered - p->len), PW_DIR_ENTRY(PW_DIR_BLOCK, id));
			return 0;
		}
	}
}

int dirtable_build(struct dirtable *t, const struct pw_targets *ts, int family, size_t max_chunks)
{
	memset(t, 0, sizeof(*t));
	t->family = family;
	t->levels = family == 4 ? PW_DIR4_LEVELS : PW_DIR6_LEVELS;
	t->max_chunks = max_chunks;
	t->e = calloc(PW_DIR_ROOT, sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	for (size_t i = 0; i < ts->nblocks; i++) {
		if (ts->blocks[i].pfx.family != family)
			continue;
		int err = insert(t, &ts->blocks[i].pfx, (uint32_t)i);

		if (err) {
			dirtable_free(t);
			return err;
		}
	}
	t->n = 1;
	for (size_t i = 0; i < PW_DIR_ROOT; i++) {
		if (t->e[i]) {
			t->n = PW_DIR_ROOT + t->nchunks * 256;
			break;
		}
	}
	return 0;
}

size_t dirtable_entries(const struct dirtable *t)
{
	return t->n;
}

uint32_t dirtable_walk(const struct dirtable *t, const uint8_t *a)
{
	uint32_t v = t->e[a[0] << 8 | a[1]];

	for (int i = 0; i < t->levels && PW_DIR_KIND(v) == PW_DIR_NEXT; i++)
		v = t->e[PW_DIR_ROOT + (size_t)PW_DIR_ID(v) * 256 + a[2 + i]];
	return v;
}

void dirtable_free(struct dirtable *t)
{
	free(t->e);
	t->e = NULL;
}
