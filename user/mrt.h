/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MRT archives (RFC 6396) as RouteViews and RIPE RIS publish them: raw,
 * gzip or bzip2 (told by content), TABLE_DUMP, TABLE_DUMP_V2 (with the
 * ADD-PATH RIBs of RFC 8050), BGP4MP and BGP4MP_ET. One call per route
 * (or state change). Damage is skipped with a warning naming the file, the
 * byte offset (in the decompressed stream) and the reason, and counted.
 */
#ifndef PW_MRT_H
#define PW_MRT_H

#include <stdint.h>
#include "bgpmsg.h"

struct mrt_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];
};

struct mrt_entry {
	char kind;		/* 'B' RIB entry, 'A' announce, 'W' withdraw, 'S' state change */
	const char *format;	/* as bgpdump names it: TABLE_DUMP2_AP, BGP4MP_ET, ... */
	uint32_t ts, usec;
	int et;			/* usec is meaningful (BGP4MP_ET) */
	struct mrt_addr peer;	/* the peer the route came from */
	uint32_t peer_as;
	struct mrt_addr collector; /* the collector's side: local address or BGP ID */
	const struct bgp_prefix *pfx;
	int addpath;
	const struct bgp_attrs *attrs;	/* 'A' and 'B' */
	uint16_t old_state, new_state;	/* 'S' */
};

struct mrt_stats {
	uint64_t records;	/* framed */
	uint64_t entries;	/* routes and state changes passed on */
	uint64_t unknown;	/* records of types not read, skipped */
	uint64_t damaged;	/* records skipped for damage */
	int stream_damage;	/* the file ended inside a record, or would not decompress */
	uint32_t first_ts, last_ts; /* earliest and latest record time (s), keepalives too: 0 if none */
};

/* Whether a route for this prefix matters (NULL: all do). Records whose
 * prefixes all do not are skipped before their attributes are decoded. */
typedef int (*mrt_want_fn)(const struct bgp_prefix *p, void *ctx);
/* Called for each entry; a non-zero return stops the reading. */
typedef int (*mrt_entry_fn)(const struct mrt_entry *e, void *ctx);

/* Read one file. Returns 0 when it was read whole and undamaged, 1 when
 * something was skipped or the stream was damaged (see st), -errno when it
 * could not be opened. Prints one warning per damage. */
int mrt_read(const char *path, mrt_want_fn want, mrt_entry_fn fn, void *ctx, struct mrt_stats *st);
/* The same from an open file (read from its start); path names it in messages. */
int mrt_read_fd(int fd, const char *path, mrt_want_fn want, mrt_entry_fn fn, void *ctx,
		struct mrt_stats *st);

/* The entry as one line of `bgpdump -m`, newline included. */
int mrt_format_bgpdump(const struct mrt_entry *e, char *buf, size_t len);

#endif
