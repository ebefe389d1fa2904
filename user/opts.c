// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "export.h"
#include "log.h"
#include "mrt.h"
#include "opts.h"

int opts_target(int id, const char *arg, struct pw_targets *ts)
{
	char err[PW_ERRLEN], origin[64];
	unsigned long v;
	int ret;

	switch (id) {
	case 't':
		snprintf(origin, sizeof(origin), "-t %.50s", arg);
		ret = targets_add(ts, arg, origin, err, sizeof(err));
		break;
	case OPTS_TFILE:
		ret = targets_add_file(ts, arg, err, sizeof(err));
		break;
	case OPTS_BLEN4:
		ret = cli_ulong("--block-len4", arg, 1, 32, &v);
		ts->blen4 = v;
		return ret;
	case OPTS_BLEN6:
		ret = cli_ulong("--block-len6", arg, 1, 128, &v);
		ts->blen6 = v;
		return ret;
	case OPTS_MAXBLK:
		ret = cli_ulong("--max-blocks", arg, 1, PW_BLOCKS_HARD_MAX, &v);
		ts->max_blocks = v;
		return ret;
	case OPTS_COUNTRY:
		if (strlen(arg) != 2 || !isalpha((unsigned char)arg[0]) || !isalpha((unsigned char)arg[1])) {
			fprintf(stderr, "prefixwatch: invalid value '%s' for --country: must be a two-letter ISO 3166 code\n", arg);
			return EXIT_USAGE;
		}
		ts->country = arg;
		return 0;
	case OPTS_DELEGATED:
		ts->delegated = arg;
		return 0;
	case OPTS_ORIGIN_AS:
		ret = cli_ulong("--origin-as", arg, 1, UINT32_MAX, &v);
		ts->origin_as = v;
		return ret;
	case OPTS_RIB:
		ts->rib = arg;
		return 0;
	default:
		return -1;
	}
	if (ret) {
		fprintf(stderr, "prefixwatch: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

int opts_series(int id, const char *arg, struct sampler_opts *so)
{
	unsigned long v;
	int ret;

	switch (id) {
	case OPTS_INTERVAL:
		return cli_seconds("--interval", arg, 0.01, 3600, &so->interval);
	case OPTS_OUT:
		so->out = arg;
		return 0;
	case OPTS_ROTATE:
		ret = cli_ulong("--rotate", arg, 1, 31 * 86400, &v);
		so->rotate_s = v;
		return ret;
	case OPTS_BASELINE:
		return cli_seconds("--baseline", arg, 1, 365 * 86400.0, &so->dp.window_s);
	case OPTS_ALPHA:
		return cli_number("--false-alarm", arg, 1e-300, 0.5, "a probability", &so->dp.alpha);
	case OPTS_MINPKT:
		ret = cli_ulong("--min-packets", arg, 1, 1000000000, &v);
		so->dp.min_packets = v;
		return ret;
	case OPTS_DROPRATIO:
		return cli_number("--drop-ratio", arg, 1e-9, 0.999, "a ratio", &so->dp.drop_ratio);
	case OPTS_DROPHOLD:
		return cli_seconds("--drop-hold", arg, 0.01, 365 * 86400.0, &so->dp.drop_hold_s);
	case OPTS_CSVROWS:
		if (!strcmp(arg, "active")) {
			so->csv_rows = CSV_ROWS_ACTIVE;
		} else if (!strcmp(arg, "all")) {
			so->csv_rows = CSV_ROWS_ALL;
		} else {
			fprintf(stderr, "prefixwatch: invalid value '%s' for --csv-rows: must be active or all\n", arg);
			return EXIT_USAGE;
		}
		return 0;
	}
	return -1;
}

struct origin_ctx {
	uint32_t asn;
	struct pw_prefix *list;
	size_t n, cap;
};

static int collect_origin(const struct mrt_entry *e, void *vctx)
{
	struct origin_ctx *c = vctx;

	if (e->kind == 'W' || e->kind == 'S' || bgp_path_origin(&e->attrs->path, NULL) != c->asn)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct pw_prefix *l = realloc(c->list, cap * sizeof(*l));

		if (!l)
			return -1;
		c->list = l;
		c->cap = cap;
	}
	c->list[c->n] = (struct pw_prefix){ .family = e->pfx->family, .len = e->pfx->len };
	memcpy(c->list[c->n++].addr, e->pfx->addr, 16);
	return 0;
}

/* Every prefix the AS originates in the file (a RIB dump, or updates). */
static int add_origin_as(struct pw_targets *ts, char *err, size_t errlen)
{
	struct origin_ctx c = { .asn = ts->origin_as };
	struct mrt_stats st = { 0 };
	char origin[128];
	int ret;

	/* said here, in one line, rather than by the reader */
	if (access(ts->rib, R_OK)) {
		snprintf(err, errlen, "cannot read --rib '%s': %s", ts->rib, strerror(errno));
		return -errno;
	}
	ret = mrt_read(ts->rib, NULL, collect_origin, &c, &st);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read --rib '%s': %s", ts->rib, strerror(-ret));
	} else if (!c.n) {
		ret = -ENOENT;
		snprintf(err, errlen, "AS%u originates no prefix in '%s'", ts->origin_as, ts->rib);
	} else {
		snprintf(origin, sizeof(origin), "%.60s (origin AS%u)", ts->rib, ts->origin_as);
		ret = targets_add_merged(ts, c.list, c.n, origin, err, errlen);
	}
	free(c.list);
	return ret;
}

int opts_finish_targets(struct pw_targets *ts)
{
	char err[PW_ERRLEN];

	if (!!ts->country != !!ts->delegated) {
		fprintf(stderr, "prefixwatch: --country and --delegated go together\n");
		return EXIT_USAGE;
	}
	if (!!ts->origin_as != !!ts->rib) {
		fprintf(stderr, "prefixwatch: --origin-as and --rib go together\n");
		return EXIT_USAGE;
	}
	if ((ts->country && targets_add_delegated(ts, ts->delegated, ts->country, err, sizeof(err))) ||
	    (ts->rib && add_origin_as(ts, err, sizeof(err))) ||
	    (!ts->n && targets_add(ts, PW_DEFAULT_TARGET, "default", err, sizeof(err))) ||
	    targets_split(ts, err, sizeof(err))) {
		fprintf(stderr, "prefixwatch: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

int opts_check_inputs(char *const *files, int n, const char *what)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		FILE *f = fopen(files[i], "r");

		int bad = !f ? errno : fstat(fileno(f), &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;

		if (bad) {
			fprintf(stderr, "prefixwatch: cannot read %s '%s': %s\n", what, files[i], strerror(bad));
			if (f)
				fclose(f);
			return EXIT_USAGE;
		}
		fclose(f);
	}
	return 0;
}

int opts_check_out(const char *dir, const char *user, uid_t uid, gid_t gid)
{
	static const char *ours[] = { "events.jsonl", "prefixwatch.prom" };
	struct stat st;

	if (stat(dir, &st)) {
		if (errno != ENOENT || mkdir(dir, 0755)) {
			fprintf(stderr, "prefixwatch: cannot create --out directory '%s': %s\n", dir,
				strerror(errno));
			return EXIT_USAGE;
		}
		if (user && chown(dir, uid, gid)) {
			fprintf(stderr, "prefixwatch: cannot give --out directory '%s' to %s: %s\n", dir,
				user, strerror(errno));
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "prefixwatch: --out '%s' exists and is not a directory\n", dir);
		return EXIT_USAGE;
	}
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "prefixwatch: cannot write to --out directory '%s': %s\n", dir,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (user) {
		char path[PATH_MAX];
		DIR *d = opendir(dir);
		struct dirent *e;

		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (snprintf(path, sizeof(path), "%s/%s", dir, ours[i]) < (int)sizeof(path))
				(void)!chown(path, uid, gid);
		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "series-", 7) &&
			    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
				(void)!chown(path, uid, gid);
		if (d)
			closedir(d);
	}
	return 0;
}
