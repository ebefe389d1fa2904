// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "prefixwatch.h"
#include "log.h"
#include "targets.h"

void targets_init(struct pw_targets *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->blen4 = 24;
	ts->blen6 = 48;
	ts->max_blocks = PW_BLOCKS_DEFAULT_MAX;
}

void targets_free(struct pw_targets *ts)
{
	free(ts->t);
	free(ts->blocks);
	free(ts->by_addr);
	ts->t = NULL;
	ts->blocks = NULL;
	ts->by_addr = NULL;
	ts->n = ts->cap = ts->nblocks = 0;
}

static unsigned int addr_bits(const struct pw_prefix *p)
{
	return p->family == 4 ? 32 : 128;
}

static int bit_at(const uint8_t *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static void clear_host_bits(struct pw_prefix *p)
{
	unsigned int bits = addr_bits(p);

	for (unsigned int i = p->len; i < bits; i++)
		p->addr[i / 8] &= ~(1u << (7 - i % 8));
}

int prefix_parse(const char *s, struct pw_prefix *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *endp;
	unsigned long len;
	unsigned int bits;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "invalid target '%.64s...': too long for a prefix", s);
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
	} else {
		snprintf(err, errlen, "invalid target '%s': '%s' is not an IPv4 or IPv6 address", s, buf);
		return -EINVAL;
	}
	bits = addr_bits(out);
	if (!slash) {
		out->len = bits;
		return 0;
	}
	errno = 0;
	len = strtoul(slash + 1, &endp, 10);
	if (slash[1] < '0' || slash[1] > '9' || *endp || errno || len > bits) {
		snprintf(err, errlen, "invalid target '%s': prefix length '%s' is not a number from 0 to %u",
			 s, slash + 1, bits);
		return -EINVAL;
	}
	out->len = len;

	struct pw_prefix clean = *out;

	clear_host_bits(&clean);
	if (memcmp(clean.addr, out->addr, 16)) {
		char meant[64];

		snprintf(err, errlen, "invalid target '%s': host bits set (did you mean %s?)",
			 s, prefix_str(&clean, meant, sizeof(meant)));
		return -EINVAL;
	}
	return 0;
}

char *prefix_str(const struct pw_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

int prefix_contains(const struct pw_prefix *outer, const struct pw_prefix *inner)
{
	if (outer->family != inner->family || outer->len > inner->len)
		return 0;
	for (unsigned int i = 0; i < outer->len; i++)
		if (bit_at(outer->addr, i) != bit_at(inner->addr, i))
			return 0;
	return 1;
}

int targets_add(struct pw_targets *ts, const char *cidr, const char *origin,
		char *err, size_t errlen)
{
	struct pw_prefix p;
	int ret = prefix_parse(cidr, &p, err, errlen);

	if (ret) {
		/* name where the bad value came from when it was a file */
		if (origin && strncmp(origin, "-t", 2)) {
			char tmp[PW_ERRLEN];

			snprintf(tmp, sizeof(tmp), "%s: %s", origin, err);
			snprintf(err, errlen, "%s", tmp);
		}
		return ret;
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 8;
		struct pw_target *t = realloc(ts->t, cap * sizeof(*t));

		if (!t) {
			snprintf(err, errlen, "cannot add target '%s': %s", cidr, strerror(ENOMEM));
			return -ENOMEM;
		}
		ts->t = t;
		ts->cap = cap;
	}
	memset(&ts->t[ts->n], 0, sizeof(ts->t[0]));
	ts->t[ts->n].pfx = p;
	snprintf(ts->t[ts->n].origin, sizeof(ts->t[0].origin), "%s", origin ? origin : cidr);
	ts->n++;
	return 0;
}

int targets_add_file(struct pw_targets *ts, const char *path, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512], origin[96];
	unsigned int lineno = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open targets file '%s': %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			ret = -EINVAL;
			break;
		}
		if ((e = strchr(s, '#')))
			*e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
			*--e = '\0';
		if (!*s)
			continue;
		snprintf(origin, sizeof(origin), "%.80s:%u", path, lineno);
		ret = targets_add(ts, s, origin, err, errlen);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "cannot read targets file '%s': %s", path, strerror(EIO));
	}
	fclose(f);
	return ret;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct pw_target *x = a, *y = b;
	int c;

	if (x->pfx.family != y->pfx.family)
		return x->pfx.family - y->pfx.family;
	c = memcmp(x->pfx.addr, y->pfx.addr, 16);
	return c ? c : x->pfx.len - y->pfx.len;
}

/* 2^(blen - len) blocks for a target shorter than the block length. */
static uint64_t blocks_of(const struct pw_prefix *p, unsigned int blen)
{
	if (p->len >= blen)
		return 1;
	if (blen - p->len >= 63)
		return UINT64_MAX;
	return 1ull << (blen - p->len);
}

/* addr + i << (bits - blen), i.e. the i-th block of the target */
static void block_addr(const struct pw_prefix *t, unsigned int blen, uint64_t i,
		       struct pw_prefix *out)
{
	*out = *t;
	if (t->len >= blen)
		return;
	out->len = blen;
	/* add i at bit position blen-1 (counting from the most significant) */
	int pos = blen - 1;

	while (i && pos >= 0) {
		if (i & 1)
			out->addr[pos / 8] |= 1u << (7 - pos % 8);
		i >>= 1;
		pos--;
	}
}

int targets_split(struct pw_targets *ts, char *err, size_t errlen)
{
	uint64_t total = 0;
	char a[64], b[64];

	if (ts->blen4 < 1 || ts->blen4 > 32) {
		snprintf(err, errlen, "invalid --block-len4 %u: must be 1 to 32", ts->blen4);
		return -EINVAL;
	}
	if (ts->blen6 < 1 || ts->blen6 > 128) {
		snprintf(err, errlen, "invalid --block-len6 %u: must be 1 to 128", ts->blen6);
		return -EINVAL;
	}
	if (!ts->n) {
		snprintf(err, errlen, "no targets");
		return -EINVAL;
	}

	/* Overlaps: after sorting by address, any overlap shows up between
	 * neighbours (a prefix sorts before everything it contains). */
	struct pw_target *sorted = malloc(ts->n * sizeof(*sorted));

	if (!sorted) {
		snprintf(err, errlen, "cannot split targets: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(sorted, ts->t, ts->n * sizeof(*sorted));
	qsort(sorted, ts->n, sizeof(*sorted), cmp_prefix);
	for (size_t i = 1; i < ts->n; i++) {
		if (prefix_contains(&sorted[i - 1].pfx, &sorted[i].pfx)) {
			snprintf(err, errlen, "targets %s (%s) and %s (%s) overlap",
				 prefix_str(&sorted[i - 1].pfx, a, sizeof(a)), sorted[i - 1].origin,
				 prefix_str(&sorted[i].pfx, b, sizeof(b)), sorted[i].origin);
			free(sorted);
			return -EINVAL;
		}
	}
	free(sorted);

	ts->n4 = ts->n6 = 0;
	for (size_t i = 0; i < ts->n; i++) {
		const struct pw_prefix *p = &ts->t[i].pfx;
		uint64_t nb = blocks_of(p, p->family == 4 ? ts->blen4 : ts->blen6);

		total = nb == UINT64_MAX || total + nb < total ? UINT64_MAX : total + nb;
		if (total > ts->max_blocks) {
			if (total == UINT64_MAX)
				snprintf(a, sizeof(a), "over 2^62");
			else
				snprintf(a, sizeof(a), "at least %llu", (unsigned long long)total);
			snprintf(err, errlen,
				 "targets make %s blocks, more than the limit of %zu (reached at %s, %s; see --max-blocks, --block-len4, --block-len6)",
				 a, ts->max_blocks, prefix_str(p, b, sizeof(b)), ts->t[i].origin);
			return -E2BIG;
		}
		ts->t[i].nblocks = nb;
		if (p->family == 4)
			ts->n4 += nb;
		else
			ts->n6 += nb;
	}

	free(ts->blocks);
	ts->blocks = calloc(total, sizeof(*ts->blocks));
	if (!ts->blocks) {
		snprintf(err, errlen, "cannot allocate %llu blocks: %s",
			 (unsigned long long)total, strerror(ENOMEM));
		return -ENOMEM;
	}
	ts->nblocks = 0;
	for (int fam = 4; fam <= 6; fam += 2) {
		for (size_t i = 0; i < ts->n; i++) {
			struct pw_target *t = &ts->t[i];
			unsigned int blen = fam == 4 ? ts->blen4 : ts->blen6;

			if (t->pfx.family != fam)
				continue;
			t->first_block = ts->nblocks;
			for (uint64_t k = 0; k < t->nblocks; k++) {
				block_addr(&t->pfx, blen, k, &ts->blocks[ts->nblocks].pfx);
				ts->blocks[ts->nblocks].target = i;
				ts->nblocks++;
			}
		}
	}
	return 0;
}

/* A prefix as the interval [lo, hi] of 16-byte big-endian addresses, family
 * first, so that memcmp orders them. */
static void span(const struct pw_prefix *p, uint8_t lo[17], uint8_t hi[17])
{
	unsigned int bits = addr_bits(p);

	lo[0] = hi[0] = p->family;
	memset(lo + 1, 0, 16);
	memcpy(lo + 1, p->addr, bits / 8);
	memcpy(hi + 1, lo + 1, 16);
	for (unsigned int i = p->len; i < bits; i++)
		hi[1 + i / 8] |= 1u << (7 - i % 8);
	for (unsigned int i = bits; i < 128; i++)
		hi[1 + i / 8] |= 1u << (7 - i % 8);
}

static const struct pw_targets *sort_ts;

static int cmp_idx(const void *a, const void *b)
{
	const struct pw_prefix *x = &sort_ts->t[*(const uint32_t *)a].pfx;
	const struct pw_prefix *y = &sort_ts->t[*(const uint32_t *)b].pfx;
	uint8_t xl[17], xh[17], yl[17], yh[17];

	span(x, xl, xh);
	span(y, yl, yh);
	return memcmp(xl, yl, 17);
}

int targets_find_overlap(const struct pw_targets *ts, const struct pw_prefix *p)
{
	uint8_t pl[17], ph[17], tl[17], th[17];
	size_t lo = 0, hi = ts->n;

	if (!ts->by_addr) {
		struct pw_targets *mts = (struct pw_targets *)ts;

		mts->by_addr = malloc(ts->n * sizeof(*ts->by_addr));
		if (!mts->by_addr)
			return -1;
		for (size_t i = 0; i < ts->n; i++)
			mts->by_addr[i] = i;
		sort_ts = ts;
		qsort(mts->by_addr, ts->n, sizeof(*ts->by_addr), cmp_idx);
	}
	span(p, pl, ph);
	/* the last target that starts at or before the prefix's end */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		span(&ts->t[ts->by_addr[mid]].pfx, tl, th);
		if (memcmp(tl, ph, 17) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	span(&ts->t[ts->by_addr[lo - 1]].pfx, tl, th);
	return memcmp(th, pl, 17) >= 0 ? (int)ts->by_addr[lo - 1] : -1;
}

/* bits [from, to) of an address as a number (to - from <= 63) */
static uint64_t bits_of(const uint8_t *a, unsigned int from, unsigned int to)
{
	uint64_t v = 0;

	for (unsigned int i = from; i < to; i++)
		v = v << 1 | bit_at(a, i);
	return v;
}

void targets_blocks_of(const struct pw_targets *ts, int t, const struct pw_prefix *p,
		       uint32_t *first, uint32_t *n)
{
	const struct pw_target *tg = &ts->t[t];
	unsigned int blen = tg->pfx.family == 4 ? ts->blen4 : ts->blen6;

	if (p->len <= tg->pfx.len || tg->nblocks == 1) {	/* covers the whole target */
		*first = tg->first_block;
		*n = tg->nblocks;
		return;
	}
	/* inside the target: the blocks its addresses fall in */
	uint64_t off = bits_of(p->addr, tg->pfx.len, blen < p->len ? blen : p->len);

	if (p->len >= blen) {
		*first = tg->first_block + off;
		*n = 1;
	} else {
		*first = tg->first_block + (off << (blen - p->len));
		*n = 1u << (blen - p->len);
	}
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct pw_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, 16);
	return c ? c : x->len - y->len;
}

int targets_add_merged(struct pw_targets *ts, struct pw_prefix *p, size_t n, const char *origin,
		       char *err, size_t errlen)
{
	char cidr[64];
	const struct pw_prefix *keep = NULL;

	qsort(p, n, sizeof(*p), cmp_pfx);
	for (size_t i = 0; i < n; i++) {
		/* sorted, a prefix comes before those it contains */
		if (keep && prefix_contains(keep, &p[i]))
			continue;
		keep = &p[i];
		int ret = targets_add(ts, prefix_str(&p[i], cidr, sizeof(cidr)), origin, err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

static int push(struct pw_prefix **list, size_t *n, size_t *cap, const struct pw_prefix *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct pw_prefix *l = realloc(*list, c * sizeof(*l));

		if (!l)
			return -ENOMEM;
		*list = l;
		*cap = c;
	}
	(*list)[(*n)++] = *p;
	return 0;
}

/* The largest CIDR that starts at a and does not pass the end of a range
 * of count addresses. */
static unsigned int cidr_len(uint32_t a, uint64_t count)
{
	unsigned int len = 32;

	while (len > 0 && !(a & (1u << (32 - len))) && (1ull << (33 - len)) <= count)
		len--;
	return len;
}

int targets_add_delegated(struct pw_targets *ts, const char *path, const char *cc, char *err,
			  size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024], origin[128];
	unsigned int lineno = 0, bad = 0;
	struct pw_prefix *list = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open delegated file '%s': %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fld[8] = {}, *save = NULL, *tok;
		int nf = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		for (tok = strtok_r(line, "|", &save); tok && nf < 8; tok = strtok_r(NULL, "|", &save))
			fld[nf++] = tok;
		/* the version line and the summaries have other shapes */
		if (nf < 7 || !strcmp(fld[1], "*") || !strcmp(fld[5], "summary"))
			continue;
		if (strcasecmp(fld[1], cc) || (strcmp(fld[2], "ipv4") && strcmp(fld[2], "ipv6")) ||
		    (strcmp(fld[6], "allocated") && strcmp(fld[6], "assigned")))
			continue;
		struct pw_prefix p = {};
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(fld[4], &end, 10);
		int ok = !errno && *end == '\0' && v > 0;

		if (ok && !strcmp(fld[2], "ipv6")) {
			ok = inet_pton(AF_INET6, fld[3], p.addr) == 1 && v <= 128;
			p.family = 6;
			p.len = v;
			if (ok)
				clear_host_bits(&p);
		} else if (ok) {
			uint8_t a[4];

			ok = inet_pton(AF_INET, fld[3], a) == 1 && v <= (1ull << 32);
			if (ok) {
				/* a range of v addresses: as many CIDRs as it takes */
				uint64_t start = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];

				while (v && ok) {
					unsigned int len = cidr_len(start, v);
					struct pw_prefix q = { .family = 4, .len = len };

					q.addr[0] = start >> 24, q.addr[1] = start >> 16;
					q.addr[2] = start >> 8, q.addr[3] = start;
					if (push(&list, &n, &cap, &q)) {
						ret = -ENOMEM;
						goto out;
					}
					start += 1ull << (32 - len);
					v -= 1ull << (32 - len);
					ok = start <= 1ull << 32;
				}
				continue;
			}
		}
		if (!ok) {
			bad++;
			pr_warn("%s:%u: damaged line skipped (%s %s|%s)\n", path, lineno, fld[2], fld[3], fld[4]);
			continue;
		}
		if (push(&list, &n, &cap, &p)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "cannot read delegated file '%s': %s", path, strerror(EIO));
		goto out;
	}
	if (!n) {
		ret = -ENOENT;
		snprintf(err, errlen, "no allocated or assigned range of country '%s' in '%s'%s", cc, path,
			 bad ? " (some lines were damaged)" : "");
		goto out;
	}
	snprintf(origin, sizeof(origin), "%.60s (country %.2s)", path, cc);
	ret = targets_add_merged(ts, list, n, origin, err, errlen);
out:
	free(list);
	fclose(f);
	return ret;
}
