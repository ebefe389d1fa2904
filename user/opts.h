/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Options that keep one meaning in every command that has them: the
 * targets, and the series, detector and files of --out. */
#ifndef PW_OPTS_H
#define PW_OPTS_H

#include <sys/types.h>
#include "sampler.h"
#include "targets.h"

enum {
	OPTS_TFILE = 300, OPTS_BLEN4, OPTS_BLEN6, OPTS_MAXBLK, OPTS_INTERVAL, OPTS_OUT,
	OPTS_COUNTRY, OPTS_DELEGATED, OPTS_ORIGIN_AS, OPTS_RIB,
	OPTS_ROTATE, OPTS_BASELINE, OPTS_ALPHA, OPTS_MINPKT, OPTS_DROPRATIO, OPTS_DROPHOLD,
	OPTS_CSVROWS,
};

#define OPTS_TARGETS                                                                              \
	{ "target", 't', "CIDR", "target prefix, IPv4 or IPv6 (repeatable; default " PW_DEFAULT_TARGET ")" }, \
	{ "targets-file", OPTS_TFILE, "FILE", "read targets from FILE: one CIDR per line, # comments" }, \
	{ "block-len4", OPTS_BLEN4, "N", "split IPv4 targets into /N blocks (default 24)" },            \
	{ "block-len6", OPTS_BLEN6, "N", "split IPv6 targets into /N blocks (default 48)" },            \
	{ "max-blocks", OPTS_MAXBLK, "N", "refuse targets that make more than N blocks (default 65536)" }, \
	{ "country", OPTS_COUNTRY, "CC", "every range of country CC in the --delegated file is a target" }, \
	{ "delegated", OPTS_DELEGATED, "FILE", "an RIR delegated-stats file, for --country" },       \
	{ "origin-as", OPTS_ORIGIN_AS, "ASN", "every prefix ASN originates in the --rib file is a target" }, \
	{ "rib", OPTS_RIB, "FILE", "an MRT RIB dump (or updates), for --origin-as" }

#define OPTS_SERIES                                                                               \
	{ "interval", OPTS_INTERVAL, "SEC", "seconds per interval of the series (default 1)" },         \
	{ "out", OPTS_OUT, "DIR", "write series-*.csv, events.jsonl and prefixwatch.prom to DIR" },      \
	{ "rotate", OPTS_ROTATE, "SEC", "start a new series file every SEC seconds, gzip the old (default 3600)" }, \
	{ "csv-rows", OPTS_CSVROWS, "WHICH", "block rows of the series files: active (with packets, a baseline or a new state; default) or all" }, \
	{ "baseline", OPTS_BASELINE, "SEC", "baseline window of the detector (default 900)" },          \
	{ "false-alarm", OPTS_ALPHA, "P", "chance of a false outage per silence judged (default 1e-6)" }, \
	{ "min-packets", OPTS_MINPKT, "N", "packets in the window before a series is judged (default 30)" }, \
	{ "drop-ratio", OPTS_DROPRATIO, "R", "a rate below R times the baseline is a drop (default 0.1)" }, \
	{ "drop-hold", OPTS_DROPHOLD, "SEC", "for at least SEC seconds (default 60)" }

#define OPTS_SAMPLER_DEFAULT { .interval = 1.0, .rotate_s = 3600, .dp = DET_PARAMS_DEFAULT }

/* Handle a target option: 0 done, an exit code after printing the error,
 * or -1 when id is not a target option. */
int opts_target(int id, const char *arg, struct pw_targets *ts);
/* Likewise for the series, detector and --out options. */
int opts_series(int id, const char *arg, struct sampler_opts *so);
/* The default target when none was given, then the checks and the blocks.
 * 0 or EXIT_USAGE after printing the error. */
int opts_finish_targets(struct pw_targets *ts);
/* --out must be a directory that can be written, or one that can be made;
 * checked before anything is attached. With uid/gid (not -1), the directory
 * made and our files in an existing one become that user's. */
int opts_check_out(const char *dir, const char *user, uid_t uid, gid_t gid);
/* Every input file can be opened and is not a directory: else one line
 * naming it ("capture", "MRT file") and EXIT_USAGE, before any work. */
int opts_check_inputs(char *const *files, int n, const char *what);

#endif
