// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Series files: CSV, appended every interval, rotated and gzipped. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "export.h"
#include "log.h"
#include "timefmt.h"


/* Whether a block's row says anything: with 65,536 blocks, rows of silent
 * blocks that have no baseline would be most of a terabyte a day of zeros.
 * A block with a baseline keeps its rows while silent: those zeros are
 * evidence. The row of a state change is kept, whatever the state. */
static int block_row_due(const struct series *s)
{
	if (s->dormant_tick)
		return 0; /* asleep: no packet ever, insufficient since (and read
			   * without touching the detector's cache lines) */
	return s->packets || s->det.state != DET_INSUFFICIENT || s->det.state != s->det.prev_state;
}

void csv_name(uint64_t period, char *buf, size_t len)
{
	time_t t = period;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "series-%Y%m%dT%H%M%SZ.csv", &tm);
}

int csv_compress(const char *path)
{
	char gz[PATH_MAX + 8], tmp[PATH_MAX + 16], buf[65536];
	FILE *in = fopen(path, "rb");
	gzFile out;
	size_t n;
	int err = 0;

	if (!in)
		return -errno;
	snprintf(gz, sizeof(gz), "%s.gz", path);
	snprintf(tmp, sizeof(tmp), "%s.gz.tmp", path);
	out = gzopen(tmp, "wb6");
	if (!out) {
		err = errno ? -errno : -ENOMEM;
		fclose(in);
		return err;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (gzwrite(out, buf, n) != (int)n) {
			int zerr;

			gzerror(out, &zerr);
			err = zerr == Z_ERRNO && errno ? -errno : -EIO;
			break;
		}
	}
	if (!err && ferror(in))
		err = -EIO;
	if (gzclose(out) != Z_OK && !err)
		err = errno ? -errno : -EIO;
	fclose(in);
	if (!err && rename(tmp, gz))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	unlink(path);
	return 0;
}

static int period_file(struct csv_out *c, uint64_t period, char *path, size_t len)
{
	char name[64];

	csv_name(period, name, sizeof(name));
	return snprintf(path, len, "%s/%s", c->dir, name) >= (int)len ? -ENAMETOOLONG : 0;
}

static void compress_or_warn(const char *path)
{
	int err = csv_compress(path);

	if (err)
		pr_warn("cannot compress %s: %s (left as it is)\n", path, strerror(-err));
}

int csv_open(struct csv_out *c, const char *dir, uint64_t rotate_s, enum csv_rows rows,
	     uint64_t now_ns)
{
	char path[PATH_MAX], cur[64];
	struct dirent *e;
	DIR *d;
	int err;

	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	c->rotate_s = rotate_s;
	c->rows = rows;
	c->period = now_ns / 1000000000ull / rotate_s * rotate_s;
	csv_name(c->period, cur, sizeof(cur));

	/* files an earlier run left for other periods: compress them now */
	d = opendir(dir);
	if (!d) {
		err = -errno;
		pr_warn("cannot read --out directory %s: %s\n", dir, strerror(-err));
		return err;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (strncmp(e->d_name, "series-", 7) || l < 11 || strcmp(e->d_name + l - 4, ".csv") ||
		    !strcmp(e->d_name, cur))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			compress_or_warn(path);
	}
	closedir(d);

	err = period_file(c, c->period, path, sizeof(path));
	if (!err)
		err = outfile_open(&c->f, path);
	if (err) {
		pr_warn("cannot open %s: %s\n", path, strerror(-err));
		return err;
	}
	c->open = 1;
	return 0;
}

static int rotate(struct csv_out *c, uint64_t period)
{
	char old[PATH_MAX], path[PATH_MAX];
	/* rows still waiting (disk full) move on to the new file */
	char *keep = c->f.buf;
	size_t keep_len = c->f.len;
	int err;

	snprintf(old, sizeof(old), "%s", c->f.path);
	if (outfile_flush(&c->f) == 0)
		keep_len = 0;
	c->f.buf = NULL;
	c->f.len = 0;
	outfile_close(&c->f);
	if (!keep_len)
		compress_or_warn(old);
	c->period = period;
	err = period_file(c, period, path, sizeof(path));
	if (!err)
		err = outfile_open(&c->f, path);
	if (err) {
		/* keep buffering: the next flush opens it again */
		pr_warn("cannot open %s: %s\n", path, strerror(-err));
		snprintf(c->f.path, sizeof(c->f.path), "%s", path);
	}
	if (keep_len)
		outfile_write(&c->f, keep, keep_len);
	free(keep);
	return 0;
}

/* The rows are formatted by hand: printf's parsing of the format and its
 * exact binary-to-decimal conversion of the rates were a third of a tick
 * with 65,536 blocks. The text is byte for byte what "%llu" and "%.Nf"
 * give (tests/test_export.c compares them over many values). */

char *csv_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *csv_put_fixed(char *p, double v, int decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000 };
	uint64_t bits, m, q, scale;
	int e, k;

	memcpy(&bits, &v, sizeof(bits));
	e = bits >> 52 & 0x7ff;
	m = bits & ((1ull << 52) - 1);
	/* Not finite, or 2^52 and more (no fraction left, and maybe more
	 * digits than a u64 has; 4.5e15 pps is not a rate we count): printf */
	if (decimals < 0 || decimals > 3 || e >= 1075)
		return p + snprintf(p, CSV_FIXED_MAX, "%.*f", decimals, v);
	if (e)
		m |= 1ull << 52;
	else
		e = 1;	/* subnormal */
	/* v = m / 2^k exactly; m * 10^decimals < 2^63 */
	k = 1075 - e;
	scale = pow10[decimals];
	m *= scale;
	if (k >= 64) {
		q = 0;	/* m < 2^63 <= 2^(k-1): below half a unit, rounds to 0 */
	} else {
		uint64_t r = m & ((1ull << k) - 1), half = 1ull << (k - 1);

		q = m >> k;
		/* to nearest, ties to even, as glibc's printf in the default
		 * rounding mode */
		if (r > half || (r == half && (q & 1)))
			q++;
	}
	if (bits >> 63)
		*p++ = '-';
	p = csv_put_u64(p, q / scale);
	if (decimals) {
		uint64_t f = q % scale;

		*p++ = '.';
		for (int i = decimals; i-- > 0; f /= 10)
			p[i] = '0' + f % 10;
		p += decimals;
	}
	return p;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

char *csv_row(char *p, const char *when, const struct series_set *set, const struct series *s)
{
	p = put_str(p, when);
	*p++ = ',';
	p = put_str(p, series_iface(set, s));
	if (s->scope == SCOPE_IFACE) {
		p = put_str(p, ",interface,,,");
	} else {
		p = put_str(p, s->scope == SCOPE_BLOCK ? ",block," : ",target,");
		p = put_str(p, series_label(set, s));
		*p++ = ',';
		p = put_str(p, series_dir(s));
		*p++ = ',';
	}
	p = csv_put_u64(p, s->packets);
	*p++ = ',';
	p = csv_put_u64(p, s->bytes);
	*p++ = ',';
	p = csv_put_fixed(p, s->pps, 3);
	*p++ = ',';
	p = csv_put_fixed(p, s->bps, 1);
	*p++ = ',';
	if (s->scope == SCOPE_IFACE) {
		p = put_str(p, ",,,,,,");
	} else {
		const uint64_t v[] = { s->tcp, s->udp, s->icmp, s->other, s->syn, s->synack };

		for (int i = 0; i < 6; i++) {
			p = csv_put_u64(p, v[i]);
			*p++ = ',';
		}
	}
	p = put_str(p, series_state(s));
	*p++ = ',';
	p = csv_put_fixed(p, det_baseline(&s->det), 3);
	*p++ = ',';
	/* the interface's row has no last_seen */
	if (s->scope != SCOPE_IFACE && s->last_ns)
		p = put_rfc3339(p, s->last_ns);
	*p++ = '\n';
	return p;
}

int csv_rows(struct csv_out *c, const struct series_set *set, uint64_t now_ns)
{
	uint64_t period = now_ns / 1000000000ull / c->rotate_s * c->rotate_s;
	size_t room = CSV_ROW_MAX;
	char when[40];

	if (!c->open)
		return -EBADF;
	if (period != c->period)
		rotate(c, period);
	if (outfile_size(&c->f) == 0)
		outfile_write(&c->f, CSV_HEADER, sizeof(CSV_HEADER) - 1);
	fmt_rfc3339(now_ns, when, sizeof(when));
	/* the one field of no fixed bound: the interface's name ("all" too) */
	for (int i = 0; i < set->nifaces; i++)
		if (CSV_ROW_MAX + strlen(set->ifnames[i]) > room)
			room = CSV_ROW_MAX + strlen(set->ifnames[i]);
	room += 3;
	for (size_t k = 0; k < set->n; k++) {
		const struct series *s = &set->s[k];
		char *p;

		if (s->scope == SCOPE_BLOCK && c->rows == CSV_ROWS_ACTIVE && !block_row_due(s))
			continue;
		p = outfile_reserve(&c->f, room);
		if (!p)
			return -ENOMEM;
		outfile_commit(&c->f, csv_row(p, when, set, s) - p);
	}
	return outfile_flush(&c->f);
}

void csv_close(struct csv_out *c)
{
	if (c->open)
		outfile_close(&c->f);
	c->open = 0;
}
