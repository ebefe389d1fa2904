/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_TARGETS_H
#define PW_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#define PW_DEFAULT_TARGET "175.45.176.0/22"
#define PW_ERRLEN 256

struct pw_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];	/* IPv4 uses the first 4 bytes */
};

struct pw_target {
	struct pw_prefix pfx;
	char origin[96];	/* where it came from, for messages: "-t 10/8", "file:3" */
	uint32_t first_block;
	uint32_t nblocks;
};

struct pw_block {
	struct pw_prefix pfx;
	uint32_t target;
};

struct pw_targets {
	struct pw_target *t;
	size_t n, cap;
	struct pw_block *blocks;	/* filled by targets_split() */
	size_t nblocks;
	size_t n4, n6;			/* blocks per family */
	unsigned int blen4, blen6;	/* block lengths */
	size_t max_blocks;
	uint32_t *by_addr;		/* target indexes sorted by address, for lookups */
	/* sources read when the options are all known (opts_finish_targets) */
	const char *country, *delegated, *rib;
	uint32_t origin_as;
};

void targets_init(struct pw_targets *ts);
void targets_free(struct pw_targets *ts);

/* Parse "ADDR/LEN" or a bare address (a host). Fills err and returns -EINVAL
 * on bad syntax, a length out of range, or host bits set (err then names the
 * prefix that was probably meant). */
int prefix_parse(const char *s, struct pw_prefix *out, char *err, size_t errlen);
/* "175.45.176.0/24", "2001:db8::/48" */
char *prefix_str(const struct pw_prefix *p, char *buf, size_t len);
int prefix_contains(const struct pw_prefix *outer, const struct pw_prefix *inner);

/* Add one target; origin names it in messages. */
int targets_add(struct pw_targets *ts, const char *cidr, const char *origin,
		char *err, size_t errlen);
/* One CIDR per line, '#' comments, blank lines. */
int targets_add_file(struct pw_targets *ts, const char *path, char *err,
		     size_t errlen);
/* Add a list of prefixes that may overlap each other (more-specifics of a
 * RIB): those inside another one of the list are dropped. origin names the
 * source in messages. */
int targets_add_merged(struct pw_targets *ts, struct pw_prefix *p, size_t n, const char *origin,
		       char *err, size_t errlen);
/* Every allocated or assigned IPv4 and IPv6 range of country cc in an RIR
 * delegated-stats file (IPv4 ranges that are not a power of two become
 * several CIDRs). Damaged lines are skipped with a warning naming the line. */
int targets_add_delegated(struct pw_targets *ts, const char *path, const char *cc, char *err,
			  size_t errlen);

/* Check overlaps and the block limit, then split every target into blocks
 * (IPv4 first, then IPv6, each in configuration order). */
int targets_split(struct pw_targets *ts, char *err, size_t errlen);

/* The target a prefix overlaps (contains it, or lies inside it), or -1.
 * Targets never overlap each other, so there is at most one. O(log n). */
int targets_find_overlap(const struct pw_targets *ts, const struct pw_prefix *p);
/* The blocks of target t that prefix p overlaps: [*first, *first + *n). */
void targets_blocks_of(const struct pw_targets *ts, int t, const struct pw_prefix *p,
		       uint32_t *first, uint32_t *n);

#endif
