/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The files of --out DIR: series CSV, events JSON Lines, Prometheus textfile. */
#ifndef PW_EXPORT_H
#define PW_EXPORT_H

#include <stdint.h>
#include "counters.h"
#include "outfile.h"
#include "series.h"

#define CSV_HEADER "time,interface,scope,block,direction,packets,bytes,pps,bps,tcp,udp,icmp,other," \
		   "syn,synack,state,baseline_pps,last_seen\n"

/* --csv-rows: which block rows the series files get. */
enum csv_rows {
	/* a block's row only when it says something: packets in the
	 * interval, a baseline (normal, drop, outage), or a new state. An
	 * absent row is zero packets in state insufficient. */
	CSV_ROWS_ACTIVE,
	CSV_ROWS_ALL,		/* every block's row, every interval */
};

struct csv_out {
	char dir[PATH_MAX];
	uint64_t rotate_s;
	uint64_t period;	/* start of the current file's period, s since the epoch */
	struct outfile f;
	int open;
	enum csv_rows rows;
};

/* Prepare DIR for series files (compressing any left by an earlier run for
 * another period). Returns 0 or -errno, printing what failed. */
int csv_open(struct csv_out *c, const char *dir, uint64_t rotate_s, enum csv_rows rows,
	     uint64_t now_ns);
/* The rows of the interval ending at now_ns: every target and interface
 * series, and the block series c->rows asks for; rotates first when a new
 * period began. Returns the flush result (data is kept on failure). */
int csv_rows(struct csv_out *c, const struct series_set *set, uint64_t now_ns);
void csv_close(struct csv_out *c);

/* One series row of the interval ending at `when` (its RFC 3339 text) at
 * p, which has room for CSV_ROW_MAX bytes plus the interface name's
 * length; returns the end. The same text as printf with the formats of
 * earlier versions. */
#define CSV_FIXED_MAX 320	/* "%.3f" of the largest double, and its sign */
#define CSV_ROW_MAX (3 * CSV_FIXED_MAX + 512)
char *csv_row(char *p, const char *when, const struct series_set *set, const struct series *s);
/* v as "%llu" at p (up to 20 bytes); returns the end. */
char *csv_put_u64(char *p, uint64_t v);
/* v as "%.Nf" for N = decimals, 0 to 3, at p (up to CSV_FIXED_MAX bytes);
 * returns the end. */
char *csv_put_fixed(char *p, double v, int decimals);
/* Compress path to path.gz through a temporary file and rename, then
 * remove path. Returns 0 or -errno (path is kept then). */
int csv_compress(const char *path);
/* series-YYYYMMDDTHHMMSSZ.csv for a period start */
void csv_name(uint64_t period, char *buf, size_t len);

int events_open(struct outfile *f, const char *dir);
/* Append set->ev as JSON lines and flush. */
int events_write(struct outfile *f, const struct series_set *set);

/* How the ticks kept time: for the Prometheus file (NULL: none, as in replay). */
struct tick_stats {
	double tick_s;		/* the last tick's work */
	double delay_s;		/* how late the last tick began */
	double delay_max_s;	/* the latest one so far */
	uint64_t missed;	/* ticks skipped because one ran over */
};

/* Rewrite DIR/prefixwatch.prom atomically. tk: how the ticks kept time;
 * the readers: for the interface health counters. */
int prom_write(const char *dir, const struct series_set *set, const struct pw_reader *r,
	       uint64_t now_ns, const struct tick_stats *tk);

/* The three together. */
struct exports {
	const char *dir;	/* NULL: no --out */
	struct csv_out csv;
	struct outfile events;
	int prom_failing;
};

int exports_open(struct exports *w, const char *dir, uint64_t rotate_s, enum csv_rows rows,
		 uint64_t now_ns);
void exports_write(struct exports *w, const struct series_set *set, const struct pw_reader *r,
		   uint64_t now_ns, const struct tick_stats *tk);
/* Returns non-zero when something could not be written in the end. */
int exports_close(struct exports *w);
/* Each event of the interval as one line on stderr. */
void exports_log_events(const struct series_set *set);

#endif
