// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The MRT reader and the UPDATE decoder on hand-built records of every type
 * read, compressed three ways, and on damaged ones. */
#include <bzlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "mrt.h"

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = v; }
static void u16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v & 0xFF); }
static void u32(struct buf *b, uint32_t v) { u16(b, v >> 16); u16(b, v & 0xFFFF); }
static void bytes(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void ip4(struct buf *b, unsigned a, unsigned c, unsigned d, unsigned e)
{
	u8(b, a), u8(b, c), u8(b, d), u8(b, e);
}

/* an MRT record around body */
static void record(struct buf *out, uint32_t ts, int type, int subtype, const struct buf *body)
{
	u32(out, ts);
	u16(out, type);
	u16(out, subtype);
	u32(out, body->n);
	bytes(out, body->b, body->n);
}

static void attr(struct buf *b, int flags, int type, const struct buf *v)
{
	if (v->n > 255)
		flags |= 0x10;	/* extended length */
	u8(b, flags);
	u8(b, type);
	if (flags & 0x10)
		u16(b, v->n);
	else
		u8(b, v->n);
	bytes(b, v->b, v->n);
}

/* ORIGIN IGP, AS_PATH (2- or 4-byte) "1 2 3 {4,5}", NEXT_HOP, MED 7,
 * LOCAL_PREF 100, COMMUNITIES 65000:1 no-export, ATOMIC_AGGREGATE,
 * AGGREGATOR 65001 192.0.2.9 */
static void std_attrs(struct buf *a, int as4, int nexthop)
{
	struct buf v = {};

	u8(&v, 0);
	attr(a, 0x40, 1, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 3);
	for (int i = 1; i <= 3; i++)
		as4 ? u32(&v, i) : u16(&v, i);
	u8(&v, 1), u8(&v, 2);
	as4 ? u32(&v, 4) : u16(&v, 4);
	as4 ? u32(&v, 5) : u16(&v, 5);
	attr(a, 0x40, 2, &v);
	if (nexthop) {
		v.n = 0;
		ip4(&v, 198, 51, 100, 1);
		attr(a, 0x40, 3, &v);
	}
	v.n = 0;
	u32(&v, 7);
	attr(a, 0x80, 4, &v);
	v.n = 0;
	u32(&v, 100);
	attr(a, 0x40, 5, &v);
	v.n = 0;
	attr(a, 0x40, 6, &v);
	v.n = 0;
	as4 ? u32(&v, 65001) : u16(&v, 65001);
	ip4(&v, 192, 0, 2, 9);
	attr(a, 0xC0, 7, &v);
	v.n = 0;
	u32(&v, 65000u << 16 | 1);
	u32(&v, 0xFFFFFF01);
	attr(a, 0xC0, 8, &v);
}

/* A BGP UPDATE message around withdrawn, attributes and NLRI. */
static void update(struct buf *m, const struct buf *wd, const struct buf *at, const struct buf *nlri)
{
	for (int i = 0; i < 16; i++)
		u8(m, 0xFF);
	u16(m, 19 + 2 + wd->n + 2 + at->n + nlri->n);
	u8(m, 2);
	u16(m, wd->n);
	bytes(m, wd->b, wd->n);
	u16(m, at->n);
	bytes(m, at->b, at->n);
	bytes(m, nlri->b, nlri->n);
}

struct got {
	char lines[64][512];
	int n;
	char kinds[64];
	uint32_t origin[64], upstream[64];
};

static int collect(const struct mrt_entry *e, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 64) {
		mrt_format_bgpdump(e, g->lines[g->n], sizeof(g->lines[0]));
		g->kinds[g->n] = e->kind;
		if (e->attrs)
			g->origin[g->n] = bgp_path_origin(&e->attrs->path, &g->upstream[g->n]);
		g->n++;
	}
	return 0;
}

static char path[64];

static int read_buf(const struct buf *file, struct got *g, struct mrt_stats *st, int how)
{
	strcpy(path, "/tmp/pw-mrt-XXXXXX");
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	if (how == 0) {
		FILE *f = fopen(path, "wb");

		fwrite(file->b, 1, file->n, f);
		fclose(f);
	} else if (how == 1) {
		gzFile gz = gzopen(path, "wb");

		gzwrite(gz, file->b, file->n);
		gzclose(gz);
	} else {
		FILE *f = fopen(path, "wb");
		int err;
		BZFILE *bz = BZ2_bzWriteOpen(&err, f, 9, 0, 0);

		BZ2_bzWrite(&err, bz, (void *)file->b, file->n);
		BZ2_bzWriteClose(&err, bz, 0, NULL, NULL);
		fclose(f);
	}
	/* PW_MRT_SEEDS=DIR keeps these files: the fuzzers' seed corpus */
	if (getenv("PW_MRT_SEEDS")) {
		static int seq;
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cp %s %s/seed-%02d", path, getenv("PW_MRT_SEEDS"), seq++);
		assert_int_equal(system(cmd), 0);
	}
	memset(g, 0, sizeof(*g));
	memset(st, 0, sizeof(*st));
	ret = mrt_read(path, NULL, collect, g, st);
	unlink(path);
	return ret;
}

static void expect_line(const struct got *g, int i, const char *line)
{
	if (i >= g->n || strcmp(g->lines[i], line))
		fail_msg("line %d:\n got  %s want %s", i, i < g->n ? g->lines[i] : "(none)\n", line);
}

static void test_table_dump_v1(void **state)
{
	struct buf f = {}, b = {}, a = {};
	struct got g;
	struct mrt_stats st;

	std_attrs(&a, 0, 1);
	u16(&b, 0), u16(&b, 1);			/* view, sequence */
	ip4(&b, 10, 1, 0, 0), u8(&b, 16);	/* prefix */
	u8(&b, 1), u32(&b, 1000);		/* status, originated */
	ip4(&b, 192, 0, 2, 1), u16(&b, 64500);	/* peer */
	u16(&b, a.n);
	bytes(&b, a.b, a.n);
	record(&f, 1749254400, 12, 1, &b);
	for (int how = 0; how < 3; how++) {
		assert_int_equal(read_buf(&f, &g, &st, how), 0);
		assert_int_equal(g.n, 1);
		expect_line(&g, 0, "TABLE_DUMP|1749254400|B|192.0.2.1|64500|10.1.0.0/16|1 2 3 {4,5}|IGP|198.51.100.1|100|7|65000:1 no-export|AG|65001 192.0.2.9|\n");
		/* a path ending in a set has no single origin */
		assert_int_equal(g.origin[0], 0);
	}
}

static void test_table_dump_v2(void **state)
{
	struct buf f = {}, b = {}, a = {}, v = {};
	struct got g;
	struct mrt_stats st;

	/* PEER_INDEX_TABLE: an IPv4 peer with a 2-byte AS, an IPv6 one with 4 */
	ip4(&b, 10, 0, 0, 1), u16(&b, 4), bytes(&b, "view", 4), u16(&b, 2);
	u8(&b, 0), ip4(&b, 1, 1, 1, 1), ip4(&b, 192, 0, 2, 7), u16(&b, 64501);
	u8(&b, 3), ip4(&b, 2, 2, 2, 2);
	bytes(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16), u32(&b, 4200000000u);
	record(&f, 1749254400, 13, 1, &b);

	/* RIB_IPV4_UNICAST 175.45.176.0/22, two entries */
	std_attrs(&a, 1, 1);
	b.n = 0;
	u32(&b, 0), u8(&b, 22), u8(&b, 175), u8(&b, 45), u8(&b, 176), u16(&b, 2);
	for (int peer = 0; peer < 2; peer++) {
		u16(&b, peer), u32(&b, 1000), u16(&b, a.n);
		bytes(&b, a.b, a.n);
	}
	record(&f, 1749254400, 13, 2, &b);

	/* RIB_IPV6_UNICAST with the abbreviated MP_REACH (next hop only) */
	a.n = v.n = 0;
	u8(&v, 0);
	attr(&a, 0x40, 1, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 2), u32(&v, 4200000000u), u32(&v, 131279);
	attr(&a, 0x40, 2, &v);
	v.n = 0;
	u8(&v, 16), bytes(&v, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
	attr(&a, 0x80, 14, &v);
	b.n = 0;
	u32(&b, 1), u8(&b, 32), bytes(&b, "\x20\x01\x0d\xb8", 4), u16(&b, 1);
	u16(&b, 1), u32(&b, 1000), u16(&b, a.n), bytes(&b, a.b, a.n);
	record(&f, 1749254401, 13, 4, &b);

	/* RIB_IPV4_UNICAST_ADDPATH: path id 7 */
	b.n = 0;
	u32(&b, 2), u8(&b, 24), u8(&b, 210), u8(&b, 52), u8(&b, 109), u16(&b, 1);
	u16(&b, 0), u32(&b, 1000), u32(&b, 7);
	a.n = 0;
	std_attrs(&a, 1, 1);
	u16(&b, a.n), bytes(&b, a.b, a.n);
	record(&f, 1749254402, 13, 8, &b);

	assert_int_equal(read_buf(&f, &g, &st, 2), 0);
	assert_int_equal(g.n, 4);
	expect_line(&g, 0, "TABLE_DUMP2|1749254400|B|192.0.2.7|64501|175.45.176.0/22|1 2 3 {4,5}|IGP|198.51.100.1|100|7|65000:1 no-export|AG|65001 192.0.2.9|\n");
	expect_line(&g, 1, "TABLE_DUMP2|1749254400|B|2001:db8::7|4200000000|175.45.176.0/22|1 2 3 {4,5}|IGP|198.51.100.1|100|7|65000:1 no-export|AG|65001 192.0.2.9|\n");
	expect_line(&g, 2, "TABLE_DUMP2|1749254401|B|2001:db8::7|4200000000|2001:db8::/32|4200000000 131279|IGP|2001:db8::7|0|0||NAG||\n");
	expect_line(&g, 3, "TABLE_DUMP2_AP|1749254402|B|192.0.2.7|64501|210.52.109.0/24|7|1 2 3 {4,5}|IGP|198.51.100.1|100|7|65000:1 no-export|AG|65001 192.0.2.9|\n");
	assert_int_equal(g.origin[2], 131279);
	assert_int_equal(g.upstream[2], 4200000000u);
	assert_int_equal(st.records, 4);
}

/* BGP4MP with a 2-byte session: AS_TRANS in AS_PATH, the real ASNs in
 * AS4_PATH and AS4_AGGREGATOR; one withdrawal, two announcements. */
static void test_bgp4mp_as4_merge(void **state)
{
	struct buf f = {}, b = {}, m = {}, wd = {}, at = {}, nlri = {}, v = {};
	struct got g;
	struct mrt_stats st;

	u8(&wd, 24), u8(&wd, 175), u8(&wd, 45), u8(&wd, 177);
	u8(&v, 0);
	attr(&at, 0x40, 1, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 4), u16(&v, 64496), u16(&v, 23456), u16(&v, 4837), u16(&v, 23456);
	attr(&at, 0x40, 2, &v);
	v.n = 0;
	ip4(&v, 192, 0, 2, 1);
	attr(&at, 0x40, 3, &v);
	v.n = 0;
	u16(&v, 23456), ip4(&v, 192, 0, 2, 9);
	attr(&at, 0xC0, 7, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 3), u32(&v, 4200000001u), u32(&v, 4837), u32(&v, 131279);
	attr(&at, 0xC0, 17, &v);
	v.n = 0;
	u32(&v, 4200000002u), ip4(&v, 192, 0, 2, 9);
	attr(&at, 0xC0, 18, &v);
	u8(&nlri, 24), u8(&nlri, 175), u8(&nlri, 45), u8(&nlri, 176);
	u8(&nlri, 22), u8(&nlri, 175), u8(&nlri, 45), u8(&nlri, 176);
	update(&m, &wd, &at, &nlri);
	u16(&b, 64496), u16(&b, 6447), u16(&b, 0), u16(&b, 1);
	ip4(&b, 192, 0, 2, 1), ip4(&b, 192, 0, 2, 2);
	bytes(&b, m.b, m.n);
	record(&f, 1749254400, 16, 1, &b);
	assert_int_equal(read_buf(&f, &g, &st, 1), 0);
	assert_int_equal(g.n, 3);
	expect_line(&g, 0, "BGP4MP|1749254400|W|192.0.2.1|64496|175.45.177.0/24\n");
	expect_line(&g, 1, "BGP4MP|1749254400|A|192.0.2.1|64496|175.45.176.0/24|64496 4200000001 4837 131279|IGP|192.0.2.1|0|0||NAG|4200000002 192.0.2.9|\n");
	expect_line(&g, 2, "BGP4MP|1749254400|A|192.0.2.1|64496|175.45.176.0/22|64496 4200000001 4837 131279|IGP|192.0.2.1|0|0||NAG|4200000002 192.0.2.9|\n");
	assert_int_equal(g.origin[1], 131279);
	assert_int_equal(g.upstream[1], 4837);
}

/* BGP4MP_ET, MESSAGE_AS4 with IPv6 in MP_REACH and MP_UNREACH; a state
 * change; an ADD-PATH message; a type not read. */
static void test_bgp4mp_et_ipv6_addpath_state(void **state)
{
	struct buf f = {}, b = {}, m = {}, wd = {}, at = {}, nlri = {}, v = {};
	struct got g;
	struct mrt_stats st;
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	u8(&v, 0);
	attr(&at, 0x40, 1, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 2), u32(&v, 65010), u32(&v, 65020);
	attr(&at, 0x40, 2, &v);
	v.n = 0;
	u16(&v, 2), u8(&v, 1), u8(&v, 16), bytes(&v, a6, 16), u8(&v, 0);
	u8(&v, 48), bytes(&v, "\x20\x01\x0d\xb8\x00\xaa", 6);
	attr(&at, 0x90, 14, &v);
	v.n = 0;
	u16(&v, 2), u8(&v, 1), u8(&v, 48), bytes(&v, "\x20\x01\x0d\xb8\x00\xab", 6);
	attr(&at, 0x90, 15, &v);
	update(&m, &wd, &at, &nlri);
	u32(&b, 123456);			/* microseconds */
	u32(&b, 65010), u32(&b, 6447), u16(&b, 0), u16(&b, 2);
	bytes(&b, a6, 16), bytes(&b, a6, 16);
	bytes(&b, m.b, m.n);
	record(&f, 1749254400, 17, 4, &b);

	b.n = 0;				/* STATE_CHANGE_AS4: Established -> Idle */
	u32(&b, 65010), u32(&b, 6447), u16(&b, 0), u16(&b, 1);
	ip4(&b, 192, 0, 2, 1), ip4(&b, 192, 0, 2, 2), u16(&b, 6), u16(&b, 1);
	record(&f, 1749254401, 16, 5, &b);

	m.n = at.n = nlri.n = v.n = 0;		/* MESSAGE_AS4_ADDPATH */
	u8(&v, 0);
	attr(&at, 0x40, 1, &v);
	v.n = 0;
	u8(&v, 2), u8(&v, 1), u32(&v, 65010);
	attr(&at, 0x40, 2, &v);
	v.n = 0;
	ip4(&v, 192, 0, 2, 1);
	attr(&at, 0x40, 3, &v);
	u32(&nlri, 9), u8(&nlri, 24), u8(&nlri, 77), u8(&nlri, 94), u8(&nlri, 35);
	update(&m, &wd, &at, &nlri);
	b.n = 0;
	u32(&b, 65010), u32(&b, 6447), u16(&b, 0), u16(&b, 1);
	ip4(&b, 192, 0, 2, 1), ip4(&b, 192, 0, 2, 2);
	bytes(&b, m.b, m.n);
	record(&f, 1749254402, 16, 9, &b);

	b.n = 0;
	u32(&b, 0);
	record(&f, 1749254403, 11, 0, &b);	/* OSPFv2: not read */

	assert_int_equal(read_buf(&f, &g, &st, 0), 0);
	assert_int_equal(g.n, 4);
	expect_line(&g, 0, "BGP4MP_ET|1749254400.123456|W|2001:db8::1|65010|2001:db8:ab::/48\n");
	expect_line(&g, 1, "BGP4MP_ET|1749254400.123456|A|2001:db8::1|65010|2001:db8:aa::/48|65010 65020|IGP|2001:db8::1|0|0||NAG||\n");
	expect_line(&g, 2, "BGP4MP|1749254401|STATE|192.0.2.1|65010|6|1\n");
	expect_line(&g, 3, "BGP4MP_AP|1749254402|A|192.0.2.1|65010|77.94.35.0/24|9|65010|IGP|192.0.2.1|0|0||NAG||\n");
	assert_int_equal(st.unknown, 1);
}

/* Damage: every case skipped with a warning and counted, and what comes
 * after it (when the stream can still be framed) read. */
static void test_damaged(void **state)
{
	struct buf f = {}, b = {}, m = {}, wd = {}, at = {}, nlri = {}, v = {};
	struct got g;
	struct mrt_stats st;

	/* a RIB before any PEER_INDEX_TABLE */
	u32(&b, 0), u8(&b, 8), u8(&b, 10), u16(&b, 0);
	record(&f, 1, 13, 2, &b);
	/* an UPDATE whose NLRI has a /33 after a good /24: the /24 is kept */
	u8(&v, 0);
	attr(&at, 0x40, 1, &v);
	u8(&nlri, 24), u8(&nlri, 10), u8(&nlri, 0), u8(&nlri, 0);
	u8(&nlri, 33), u32(&nlri, 0), u8(&nlri, 0);
	update(&m, &wd, &at, &nlri);
	b.n = 0;
	u16(&b, 1), u16(&b, 2), u16(&b, 0), u16(&b, 1), ip4(&b, 1, 2, 3, 4), ip4(&b, 5, 6, 7, 8);
	bytes(&b, m.b, m.n);
	record(&f, 2, 16, 1, &b);
	/* an attribute that runs past the attributes: the record is skipped */
	m.n = at.n = nlri.n = 0;
	u8(&at, 0x40), u8(&at, 1), u8(&at, 9), u8(&at, 0);
	u8(&nlri, 8), u8(&nlri, 10);
	update(&m, &wd, &at, &nlri);
	b.n = 0;
	u16(&b, 1), u16(&b, 2), u16(&b, 0), u16(&b, 1), ip4(&b, 1, 2, 3, 4), ip4(&b, 5, 6, 7, 8);
	bytes(&b, m.b, m.n);
	record(&f, 3, 16, 1, &b);
	/* a TABLE_DUMP with a prefix length of 40 */
	b.n = 0;
	u16(&b, 0), u16(&b, 0), ip4(&b, 10, 0, 0, 0), u8(&b, 40), u8(&b, 1), u32(&b, 0);
	ip4(&b, 1, 1, 1, 1), u16(&b, 1), u16(&b, 0);
	record(&f, 4, 12, 1, &b);
	size_t whole = f.n;
	/* and a last record cut in the middle */
	b.n = 0;
	for (int i = 0; i < 40; i++)
		u8(&b, i);
	record(&f, 5, 16, 1, &b);
	f.n -= 10;

	for (int how = 0; how < 3; how++) {
		assert_int_equal(read_buf(&f, &g, &st, how), 1);
		assert_int_equal(g.n, 1);
		expect_line(&g, 0, "BGP4MP|2|A|1.2.3.4|1|10.0.0.0/24||IGP|255.255.255.255|0|0||NAG||\n");
		assert_int_equal(st.damaged, 4);
		assert_int_equal(st.stream_damage, 1);
		assert_int_equal(st.records, 4);
	}

	/* a record length no file could hold: nothing after it is framed */
	f.n = whole;
	u32(&f, 6), u16(&f, 16), u16(&f, 1), u32(&f, 0xFFFFFFF0);
	assert_int_equal(read_buf(&f, &g, &st, 0), 1);
	assert_int_equal(st.stream_damage, 1);
	assert_int_equal(st.records, 4);

	/* a compressed stream cut short */
	f.n = whole;
	strcpy(path, "/tmp/pw-mrt-XXXXXX");
	int fd = mkstemp(path);
	close(fd);
	gzFile gz = gzopen(path, "wb");
	gzwrite(gz, f.b, f.n);
	gzclose(gz);
	assert_int_equal(truncate(path, 30), 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(mrt_read(path, NULL, NULL, NULL, &st), 1);
	assert_int_equal(st.stream_damage, 1);
	unlink(path);

	/* and a file that is not there */
	memset(&st, 0, sizeof(st));
	assert_true(mrt_read("/nonexistent.mrt", NULL, NULL, NULL, &st) < 0);
}

/* Found by the fuzzer: a RIB record too short for its sequence number, after
 * a peer table, once made the reader look past the record. */
static void test_short_rib_record(void **state)
{
	struct buf f = {}, b = {};
	struct got g;
	struct mrt_stats st;

	ip4(&b, 10, 0, 0, 1), u16(&b, 0), u16(&b, 0);
	record(&f, 7, 13, 1, &b);
	b.n = 0;
	record(&f, 7, 13, 11, &b);
	u8(&b, 0), u8(&b, 0);
	record(&f, 7, 13, 2, &b);
	assert_int_equal(read_buf(&f, &g, &st, 0), 1);
	assert_int_equal(st.damaged, 2);
	assert_int_equal(st.records, 3);
	assert_int_equal(g.n, 0);
}

static void test_path_strings(void **state)
{
	struct bgp_path p = { .nseg = 4, .type = { AS_SEQUENCE, AS_SET, AS_CONFED_SEQUENCE, AS_CONFED_SET },
			      .len = { 2, 2, 2, 2 }, .nasn = 8, .asn = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	char buf[128];
	uint32_t up;

	assert_string_equal(bgp_path_str(&p, buf, sizeof(buf)), "1 2 {3,4} (5 6) [7,8]");
	/* prepending: the upstream is the first AS before the origin's repeats */
	struct bgp_path q = { .nseg = 1, .type = { AS_SEQUENCE }, .len = { 5 }, .nasn = 5,
			      .asn = { 3356, 4837, 131279, 131279, 131279 } };

	assert_int_equal(bgp_path_origin(&q, &up), 131279);
	assert_int_equal(up, 4837);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_dump_v1),
		cmocka_unit_test(test_table_dump_v2),
		cmocka_unit_test(test_bgp4mp_as4_merge),
		cmocka_unit_test(test_bgp4mp_et_ipv6_addpath_state),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_short_rib_record),
		cmocka_unit_test(test_path_strings),
	};

	return cmocka_run_group_tests_name("mrt", tests, NULL, NULL);
}
