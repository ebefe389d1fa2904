// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "log.h"
#include "mrt.h"

#define MRT_MAX_RECORD (16u << 20)

enum {
	MRT_TABLE_DUMP = 12, MRT_TABLE_DUMP_V2 = 13, MRT_BGP4MP = 16, MRT_BGP4MP_ET = 17,
};

/* A stream that may be raw, gzip or bzip2. */
struct stream {
	gzFile gz;	/* raw or gzip: zlib reads both */
	FILE *f;
	BZFILE *bz;
	uint64_t offset;
	const char *path;
	const char *error;
};

static int stream_open(struct stream *s, int fd, const char *path)
{
	unsigned char magic[3] = {};
	int dfd;

	memset(s, 0, sizeof(*s));
	s->path = path;
	if (pread(fd, magic, 3, 0) < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0 || (dfd = dup(fd)) < 0)
		return -errno;
	if (magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
		int err;

		s->f = fdopen(dfd, "rb");
		if (!s->f) {
			close(dfd);
			return -errno;
		}
		s->bz = BZ2_bzReadOpen(&err, s->f, 0, 0, NULL, 0);
		return err == BZ_OK ? 0 : -EIO;
	}
	s->gz = gzdopen(dfd, "rb");	/* raw or gzip: zlib reads both */
	if (!s->gz) {
		close(dfd);
		return -ENOMEM;
	}
	return 0;
}

/* Read up to n bytes; fewer only at the end of the stream or on damage
 * (then s->error says what). */
static size_t stream_read(struct stream *s, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n && !s->error) {
		int r;

		if (s->bz) {
			int err;

			r = BZ2_bzRead(&err, s->bz, (char *)buf + got, n - got);
			if (err == BZ_STREAM_END) {
				/* a file may hold several streams: go on to the next */
				void *unused;
				int nunused;
				char rest[5000];

				BZ2_bzReadGetUnused(&err, s->bz, &unused, &nunused);
				memcpy(rest, unused, nunused < (int)sizeof(rest) ? nunused : (int)sizeof(rest));
				BZ2_bzReadClose(&err, s->bz);
				s->bz = NULL;
				if (nunused == 0 && feof(s->f)) {
					got += r;
					break;
				}
				s->bz = BZ2_bzReadOpen(&err, s->f, 0, 0, rest, nunused);
				if (err != BZ_OK) {
					s->error = "bzip2 stream cannot be reopened";
					s->bz = NULL;
				}
			} else if (err != BZ_OK) {
				s->error = err == BZ_UNEXPECTED_EOF ? "the bzip2 stream ends early (truncated file)"
								    : "bzip2 data damaged";
			}
			if (r <= 0 && !s->bz)
				break;
		} else if (s->gz) {
			r = gzread(s->gz, (char *)buf + got, n - got);
			if (r < 0) {
				int zerr;

				s->error = gzerror(s->gz, &zerr);
				break;
			}
			if (r == 0) {
				int zerr;
				const char *m = gzerror(s->gz, &zerr);

				if (zerr == Z_BUF_ERROR)
					s->error = "the gzip stream ends early (truncated file)";
				else if (zerr != Z_OK)
					s->error = m;
				break;
			}
		} else {
			break;
		}
		got += r > 0 ? r : 0;
	}
	s->offset += got;
	return got;
}

static void stream_close(struct stream *s)
{
	int err;

	if (s->bz)
		BZ2_bzReadClose(&err, s->bz);
	if (s->f)
		fclose(s->f);
	if (s->gz)
		gzclose(s->gz);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

struct peer {
	struct mrt_addr addr;
	uint32_t as;
};

struct reader {
	const char *path;
	uint64_t rec_off;	/* byte offset of the record being read */
	mrt_want_fn want;
	mrt_entry_fn fn;
	void *ctx;
	struct mrt_stats *st;
	struct peer *peers;	/* from the last PEER_INDEX_TABLE */
	int npeers, have_index;
	struct mrt_addr collector;
	struct bgp_update *u;
	struct bgp_attrs *attrs;
	int warned_unknown;
};

static void damaged(struct reader *r, const char *why)
{
	r->st->damaged++;
	pr_warn("%s: offset %llu: %s: record skipped\n", r->path, (unsigned long long)r->rec_off, why);
}

static int emit(struct reader *r, struct mrt_entry *e)
{
	r->st->entries++;
	return r->fn ? r->fn(e, r->ctx) : 0;
}

static void read_addr(struct mrt_addr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, p, family == 4 ? 4 : 16);
}

/* TABLE_DUMP (v1): one route a record, 2-byte AS paths. */
static int table_dump(struct reader *r, const uint8_t *p, size_t len, uint32_t ts, int subtype)
{
	int fam = subtype == 1 || subtype == 3 ? 4 : subtype == 2 || subtype == 4 ? 6 : 0;
	int as4 = subtype == 3 || subtype == 4, al = fam == 4 ? 4 : 16;
	size_t need = 4 + al + 2 + 4 + al + (as4 ? 4 : 2) + 2;
	struct bgp_prefix pfx = { .family = fam };
	struct bgp_opts o = { .as4 = as4 };
	struct mrt_entry e = { .kind = 'B', .format = "TABLE_DUMP", .ts = ts };
	const char *why = NULL;

	if (!fam) {
		r->st->unknown++;
		return 0;
	}
	if (len < need) {
		damaged(r, "TABLE_DUMP record shorter than its fields");
		return 0;
	}
	memcpy(pfx.addr, p + 4, al);
	pfx.len = p[4 + al];
	if (pfx.len > (fam == 4 ? 32 : 128)) {
		damaged(r, "prefix length over the address size");
		return 0;
	}
	if (r->want && !r->want(&pfx, r->ctx))
		return 0;
	const uint8_t *q = p + 4 + al + 2 + 4;

	read_addr(&e.peer, fam, q);
	q += al;
	e.peer_as = as4 ? get32(q) : get16(q);
	q += as4 ? 4 : 2;
	size_t alen = get16(q);

	q += 2;
	if (q + alen > p + len) {
		damaged(r, "path attributes run past the record");
		return 0;
	}
	if (bgp_decode_attrs(q, alen, &o, 1, r->attrs, NULL, NULL, NULL, NULL, &why)) {
		damaged(r, why);
		return 0;
	}
	e.pfx = &pfx;
	e.attrs = r->attrs;
	return emit(r, &e);
}

static int peer_index(struct reader *r, const uint8_t *p, size_t len)
{
	size_t off = 4, n;

	if (len < 8 || 6 + (size_t)get16(p + 4) + 2 > len) {
		damaged(r, "PEER_INDEX_TABLE cut short");
		return 0;
	}
	read_addr(&r->collector, 4, p);
	off = 6 + get16(p + 4);
	n = get16(p + off);
	off += 2;
	free(r->peers);
	r->peers = calloc(n ? n : 1, sizeof(*r->peers));
	r->npeers = 0;
	r->have_index = 1;
	for (size_t i = 0; i < n; i++) {
		if (off + 5 > len) {
			damaged(r, "PEER_INDEX_TABLE entry cut short");
			return 0;
		}
		uint8_t type = p[off];
		int fam = type & 1 ? 6 : 4, asl = type & 2 ? 4 : 2;

		off += 5; /* type, BGP ID */
		if (off + (fam == 4 ? 4 : 16) + asl > len) {
			damaged(r, "PEER_INDEX_TABLE entry cut short");
			return 0;
		}
		read_addr(&r->peers[i].addr, fam, p + off);
		off += fam == 4 ? 4 : 16;
		r->peers[i].as = asl == 4 ? get32(p + off) : get16(p + off);
		off += asl;
		r->npeers++;
	}
	return 0;
}

/* RIB_IPV4/IPV6_UNICAST (and multicast), their ADD-PATH forms, and
 * RIB_GENERIC for IPv4/IPv6. */
static int rib(struct reader *r, const uint8_t *p, size_t len, uint32_t ts, int subtype)
{
	int addpath = subtype >= 8 && subtype <= 12, generic = subtype == 6 || subtype == 12;
	int fam = subtype == 2 || subtype == 3 || subtype == 8 || subtype == 9 ? 4 : 6;
	struct bgp_prefix pfx;
	struct bgp_opts o = { .as4 = 1, .addpath = 0 };
	size_t off = 4;
	int used;

	if (!r->have_index) {
		damaged(r, "RIB record with no PEER_INDEX_TABLE before it");
		return 0;
	}
	if (len < 5) {
		damaged(r, "RIB record shorter than its sequence number and prefix length");
		return 0;
	}
	if (generic) {
		if (len < 7) {
			damaged(r, "RIB_GENERIC cut short");
			return 0;
		}
		int afi = get16(p + 4), safi = p[6];

		off = 7;
		if ((afi != 1 && afi != 2) || (safi != 1 && safi != 2)) {
			r->st->unknown++;
			return 0;
		}
		fam = afi == 1 ? 4 : 6;
	}
	used = bgp_read_prefix(p + off, len - off, fam, 0, &pfx);
	if (used < 0) {
		damaged(r, fam == 4 ? "bad IPv4 prefix (length over 32 or past the end)"
				    : "bad IPv6 prefix (length over 128 or past the end)");
		return 0;
	}
	if (r->want && !r->want(&pfx, r->ctx))
		return 0; /* the fast path: no attribute decoded */
	off += used;
	if (off + 2 > len) {
		damaged(r, "RIB entry count cut short");
		return 0;
	}
	int n = get16(p + off);

	off += 2;
	for (int i = 0; i < n; i++) {
		struct mrt_entry e = { .kind = 'B', .format = addpath ? "TABLE_DUMP2_AP" : "TABLE_DUMP2",
				       .ts = ts, .pfx = &pfx, .addpath = addpath,
				       .collector = r->collector };
		const char *why = NULL;

		if (off + 8 + (addpath ? 4 : 0) > len) {
			damaged(r, "RIB entry cut short");
			return 0;
		}
		int pi = get16(p + off);

		off += 6; /* peer index, originated time */
		if (addpath) {
			pfx.path_id = get32(p + off);
			off += 4;
		}
		size_t alen = get16(p + off);

		off += 2;
		if (off + alen > len) {
			damaged(r, "RIB entry attributes run past the record");
			return 0;
		}
		if (pi >= r->npeers) {
			damaged(r, "RIB entry names a peer the PEER_INDEX_TABLE does not have");
			off += alen;
			continue;
		}
		if (bgp_decode_attrs(p + off, alen, &o, 1, r->attrs, NULL, NULL, NULL, NULL, &why)) {
			damaged(r, why);
			off += alen;
			continue;
		}
		off += alen;
		e.peer = r->peers[pi].addr;
		e.peer_as = r->peers[pi].as;
		e.attrs = r->attrs;
		if (emit(r, &e))
			return 1;
	}
	return 0;
}

static const char *bgp4mp_format(int et, int local, int addpath)
{
	static const char *f[2][2][2] = {
		{ { "BGP4MP", "BGP4MP_AP" }, { "BGP4MP_LOCAL", "BGP4MP_LOCAL_AP" } },
		{ { "BGP4MP_ET", "BGP4MP_ET_AP" }, { "BGP4MP_ET_LOCAL", "BGP4MP_ET_LOCAL_AP" } },
	};

	return f[et][local][addpath];
}

static int bgp4mp(struct reader *r, const uint8_t *p, size_t len, uint32_t ts, uint32_t usec,
		  int et, int subtype)
{
	int as4 = subtype == 4 || subtype == 5 || subtype == 7 || subtype == 9 || subtype == 11;
	int local = subtype == 6 || subtype == 7 || subtype == 10 || subtype == 11;
	int addpath = subtype >= 8 && subtype <= 11;
	int asl = as4 ? 4 : 2;
	struct mrt_entry e = { .ts = ts, .usec = usec, .et = et };

	if (subtype == 2 || subtype == 3 || subtype > 11) { /* ENTRY, SNAPSHOT: deprecated */
		r->st->unknown++;
		return 0;
	}
	if (len < (size_t)2 * asl + 4) {
		damaged(r, "BGP4MP header cut short");
		return 0;
	}
	uint32_t peer_as = as4 ? get32(p) : get16(p), local_as = as4 ? get32(p + 4) : get16(p + 2);

	if ((subtype == 0 || subtype == 5) && len == (size_t)2 * asl + 4) {
		/* the short state change of early Zebra dumps: the two ASes
		 * and the states, no interface, family or address */
		e.kind = 'S';
		e.format = et ? "BGP4MP_ET" : "BGP4MP";
		e.peer.family = e.collector.family = 4;
		e.peer_as = peer_as;
		e.old_state = get16(p + 2 * asl);
		e.new_state = get16(p + 2 * asl + 2);
		return emit(r, &e);
	}
	int afi = get16(p + 2 * asl + 2), fam = afi == 1 ? 4 : afi == 2 ? 6 : 0, al = fam == 4 ? 4 : 16;
	size_t off = 2 * asl + 4;

	if (!fam && (subtype == 0 || subtype == 5) && len >= off + 4) {
		/* a state change that carries no addresses (seen in 2000) */
		fam = 4;
		al = 0;
	} else if (!fam) {
		damaged(r, "BGP4MP address family is neither IPv4 nor IPv6");
		return 0;
	}
	if (off + 2 * al > len) {
		damaged(r, "BGP4MP addresses cut short");
		return 0;
	}
	struct mrt_addr peer_ip = { .family = 4 }, local_ip = { .family = 4 };

	if (al) {
		read_addr(&peer_ip, fam, p + off);
		read_addr(&local_ip, fam, p + off + al);
	}
	off += 2 * al;
	/* bgpdump names the other side: the peer, or for messages we sent
	 * (LOCAL) the one they went to */
	e.peer = local ? local_ip : peer_ip;
	e.peer_as = local ? local_as : peer_as;
	e.collector = local ? peer_ip : local_ip;
	e.format = bgp4mp_format(et, local, addpath);
	e.addpath = addpath;

	if (subtype == 0 || subtype == 5) {
		if (off + 4 > len) {
			damaged(r, "BGP4MP state change cut short");
			return 0;
		}
		e.kind = 'S';
		e.old_state = get16(p + off);
		e.new_state = get16(p + off + 2);
		e.format = et ? "BGP4MP_ET" : "BGP4MP";
		return emit(r, &e);
	}

	struct bgp_opts o = { .as4 = as4, .addpath = addpath };
	struct bgp_update *u = r->u;
	const char *why = NULL;
	int err = bgp_decode_message(p + off, len - off, &o, u, &why);

	if (err == -ENOMSG)
		return 0; /* OPEN, KEEPALIVE, NOTIFICATION: no route */
	if (err == -EPROTO) {
		/* the routes before the damage are good: warn, keep them */
		r->st->damaged++;
		pr_warn("%s: offset %llu: %s: the rest of the NLRI is skipped\n", r->path,
			(unsigned long long)r->rec_off, why);
	} else if (err) {
		damaged(r, why);
		return 0;
	}
	for (int i = 0; i < u->nwithdrawn; i++) {
		if (r->want && !r->want(&u->withdrawn[i], r->ctx))
			continue;
		e.kind = 'W';
		e.pfx = &u->withdrawn[i];
		e.attrs = NULL;
		if (emit(r, &e))
			return 1;
	}
	for (int i = 0; i < u->nannounced; i++) {
		if (r->want && !r->want(&u->announced[i], r->ctx))
			continue;
		e.kind = 'A';
		e.pfx = &u->announced[i];
		e.attrs = &u->attrs;
		if (emit(r, &e))
			return 1;
	}
	return 0;
}

int mrt_read(const char *path, mrt_want_fn want, mrt_entry_fn fn, void *ctx, struct mrt_stats *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		pr_warn("cannot read MRT file %s: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = mrt_read_fd(fd, path, want, fn, ctx, st);
	close(fd);
	return ret;
}

int mrt_read_fd(int fd, const char *path, mrt_want_fn want, mrt_entry_fn fn, void *ctx,
		struct mrt_stats *st)
{
	struct stream s;
	struct reader r = { .path = path, .want = want, .fn = fn, .ctx = ctx, .st = st };
	uint8_t hdr[12], *body = NULL;
	size_t cap = 0;
	int err = stream_open(&s, fd, path), ret = 0;

	if (err) {
		pr_warn("cannot read MRT file %s: %s\n", path, strerror(-err));
		stream_close(&s);
		return err;
	}
	r.u = malloc(sizeof(*r.u));
	r.attrs = malloc(sizeof(*r.attrs));
	if (!r.u || !r.attrs) {
		ret = -ENOMEM;
		goto out;
	}
	uint64_t damaged_before = st->damaged, unknown_before = st->unknown;
	int stream_damage = 0;

	for (;;) {
		r.rec_off = s.offset;
		size_t n = stream_read(&s, hdr, 12);

		if (n == 0 && !s.error)
			break;
		if (n < 12) {
			pr_warn("%s: offset %llu: %s: the file ends inside a record header\n", path,
				(unsigned long long)r.rec_off, s.error ? s.error : "truncated");
			stream_damage = 1;
			break;
		}
		uint32_t ts = get32(hdr), len = get32(hdr + 8);
		int type = get16(hdr + 4), subtype = get16(hdr + 6);

		if (len > MRT_MAX_RECORD) {
			pr_warn("%s: offset %llu: record length %u is not plausible: the rest of the file cannot be framed\n",
				path, (unsigned long long)r.rec_off, len);
			stream_damage = 1;
			break;
		}
		if (len > cap) {
			uint8_t *b = realloc(body, len);

			if (!b) {
				ret = -ENOMEM;
				goto out;
			}
			body = b;
			cap = len;
		}
		n = stream_read(&s, body, len);
		if (n < len) {
			pr_warn("%s: offset %llu: a record of %u bytes runs past the end of the file (%zu left)%s%s\n",
				path, (unsigned long long)r.rec_off, len, n, s.error ? ": " : "",
				s.error ? s.error : "");
			stream_damage = 1;
			break;
		}
		st->records++;
		if (ts && (!st->first_ts || ts < st->first_ts))
			st->first_ts = ts;
		if (ts > st->last_ts)
			st->last_ts = ts;
		int stop = 0;

		switch (type) {
		case MRT_TABLE_DUMP:
			stop = table_dump(&r, body, len, ts, subtype);
			break;
		case MRT_TABLE_DUMP_V2:
			if (subtype == 1)
				stop = peer_index(&r, body, len);
			else if ((subtype >= 2 && subtype <= 6) || (subtype >= 8 && subtype <= 12))
				stop = rib(&r, body, len, ts, subtype);
			else
				st->unknown++;
			break;
		case MRT_BGP4MP:
			stop = bgp4mp(&r, body, len, ts, 0, 0, subtype);
			break;
		case MRT_BGP4MP_ET:
			if (len < 4) {
				damaged(&r, "BGP4MP_ET record shorter than its microseconds");
				break;
			}
			stop = bgp4mp(&r, body + 4, len - 4, ts, get32(body), 1, subtype);
			break;
		default:
			st->unknown++;
		}
		if (stop)
			break;
	}
	if (st->unknown > unknown_before)
		pr_info("%s: %llu records of types prefixwatch does not read were skipped\n", path,
			(unsigned long long)(st->unknown - unknown_before));
	st->stream_damage |= stream_damage;
	ret = st->damaged > damaged_before || stream_damage ? 1 : 0;
out:
	free(body);
	free(r.peers);
	free(r.u);
	free(r.attrs);
	stream_close(&s);
	return ret;
}
