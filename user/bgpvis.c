// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bgpvis.h"
#include "log.h"
#include "timefmt.h"

#define US 1000000ull
#define BV_MAX_GAP_US (86400ull * US)

int bgpvis_init(struct bgpvis *v, const struct pw_targets *ts, const struct bgpvis_opts *o)
{
	char path[PATH_MAX];
	int err;

	memset(v, 0, sizeof(*v));
	v->ts = ts;
	v->o = *o;
	v->blocks = calloc(ts->nblocks, sizeof(*v->blocks));
	v->cap_routes = 1024;
	v->routes = calloc(v->cap_routes, sizeof(*v->routes));
	if (!v->blocks || !v->routes)
		return -ENOMEM;
	if (!o->out)
		return 0;
	snprintf(path, sizeof(path), "%s/bgp-visibility.csv", o->out);
	err = outfile_open(&v->csv, path);
	if (!err && outfile_size(&v->csv) == 0)
		outfile_printf(&v->csv, "time,block,peers,peers_had,origin_as,upstream_as,state\n");
	if (!err) {
		snprintf(path, sizeof(path), "%s/bgp-events.jsonl", o->out);
		err = outfile_open(&v->events, path);
	}
	if (err)
		pr_warn("cannot open %s: %s\n", path, strerror(-err));
	return err;
}

static uint32_t peer_id(struct bgpvis *v, const struct mrt_entry *e)
{
	for (uint32_t i = v->npeers; i-- > 0;) {
		const struct bv_peer *p = &v->peers[i];

		if (p->as == e->peer_as && !memcmp(&p->addr, &e->peer, sizeof(p->addr)) &&
		    !memcmp(&p->collector, &e->collector, sizeof(p->collector)))
			return i;
	}
	if (v->npeers == v->cap_peers) {
		uint32_t cap = v->cap_peers ? v->cap_peers * 2 : 64;
		struct bv_peer *p = realloc(v->peers, cap * sizeof(*p));

		if (!p)
			return UINT32_MAX;
		v->peers = p;
		v->cap_peers = cap;
	}
	v->peers[v->npeers] = (struct bv_peer){ e->collector, e->peer, e->peer_as };
	return v->npeers++;
}

static uint64_t route_hash(uint32_t peer, const struct bgp_prefix *p)
{
	uint64_t h = 1469598103934665603ull ^ peer;

	h = (h ^ p->family) * 1099511628211ull;
	h = (h ^ p->len) * 1099511628211ull;
	h = (h ^ p->path_id) * 1099511628211ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ p->addr[i]) * 1099511628211ull;
	return h;
}

static int same(const struct bv_route *r, uint32_t peer, const struct bgp_prefix *p)
{
	return r->peer == peer && r->pfx.family == p->family && r->pfx.len == p->len &&
	       r->pfx.path_id == p->path_id && !memcmp(r->pfx.addr, p->addr, 16);
}

/* The slot of a route, or the free slot where it would go. */
static struct bv_route *slot(struct bgpvis *v, uint32_t peer, const struct bgp_prefix *p)
{
	size_t i = route_hash(peer, p) & (v->cap_routes - 1);
	struct bv_route *tomb = NULL;

	for (;; i = (i + 1) & (v->cap_routes - 1)) {
		struct bv_route *r = &v->routes[i];

		if (!r->used && !r->dead)
			return tomb ? tomb : r;
		if (r->dead) {
			if (!tomb)
				tomb = r;
		} else if (same(r, peer, p)) {
			return r;
		}
	}
}

static int grow(struct bgpvis *v)
{
	struct bv_route *old = v->routes;
	size_t n = v->cap_routes;

	v->routes = calloc(n * 2, sizeof(*v->routes));
	if (!v->routes) {
		v->routes = old;
		return -ENOMEM;
	}
	v->cap_routes = n * 2;
	for (size_t i = 0; i < n; i++)
		if (old[i].used)
			*slot(v, old[i].peer, &old[i].pfx) = old[i];
	free(old);
	return 0;
}

static int target_of(const struct bgpvis *v, const struct bgp_prefix *p, uint32_t *first,
		     uint32_t *n)
{
	struct pw_prefix q = { .family = p->family, .len = p->len };
	int t;

	memcpy(q.addr, p->addr, 16);
	t = targets_find_overlap(v->ts, &q);
	if (t < 0)
		return -1;
	targets_blocks_of(v->ts, t, &q, first, n);
	return t;
}

/* The origins (most common wins) and up to four upstreams of the routes
 * that overlap one block. */
struct bv_tally {
	uint32_t origin[16], n[16], up[4];
	uint32_t norigins, nups;
};

static void tally_add(struct bv_tally *t, const struct bv_route *r)
{
	uint32_t k;

	for (k = 0; k < t->norigins && t->origin[k] != r->origin; k++)
		;
	if (k == t->norigins && k < 16)
		t->origin[t->norigins++] = r->origin;
	if (k < 16)
		t->n[k]++;
	for (k = 0; k < t->nups && t->up[k] != r->upstream; k++)
		;
	if (k == t->nups && k < 4 && r->upstream)
		t->up[t->nups++] = r->upstream;
}

static uint32_t tally_result(const struct bv_tally *t, char *ups, size_t len)
{
	uint32_t best = 0;

	ups[0] = '\0';
	for (uint32_t k = 1; k < t->norigins; k++)
		if (t->n[k] > t->n[best])
			best = k;
	for (uint32_t k = 0, o = 0; k < t->nups && o < len; k++)
		o += snprintf(ups + o, len - o, k ? " %u" : "%u", t->up[k]);
	return t->norigins ? t->origin[best] : 0;
}

uint32_t bgpvis_block_origin(const struct bgpvis *v, uint32_t b, char *ups, size_t len)
{
	struct bv_tally t = { 0 };

	for (size_t i = 0; i < v->cap_routes; i++) {
		const struct bv_route *r = &v->routes[i];
		uint32_t first, n;

		if (r->used && target_of(v, &r->pfx, &first, &n) >= 0 && b >= first && b < first + n)
			tally_add(&t, r);
	}
	return tally_result(&t, ups, len);
}

/* The same for every block in one pass over the routes (not one pass per
 * block: rows are written every interval). NULL when out of memory. */
static struct bv_tally *tally_all(const struct bgpvis *v)
{
	struct bv_tally *t = calloc(v->ts->nblocks ? v->ts->nblocks : 1, sizeof(*t));

	for (size_t i = 0; t && i < v->cap_routes; i++) {
		const struct bv_route *r = &v->routes[i];
		uint32_t first, n;

		if (r->used && target_of(v, &r->pfx, &first, &n) >= 0)
			for (uint32_t b = first; b < first + n; b++)
				tally_add(&t[b], r);
	}
	return t;
}

static void write_event(struct bgpvis *v, int restored, uint32_t b)
{
	const char *name = restored ? "bgp_restored" : "bgp_withdrawn";
	char t[40], blk[64], ups[64];
	struct bv_block *bl = &v->blocks[b];
	uint32_t origin = bgpvis_block_origin(v, b, ups, sizeof(ups));

	if (v->nevents == v->cap_ev) {
		size_t cap = v->cap_ev ? v->cap_ev * 2 : 64;
		struct bv_event *e = realloc(v->ev, cap * sizeof(*e));

		if (e) {
			v->ev = e;
			v->cap_ev = cap;
		}
	}
	if (v->nevents < v->cap_ev)
		v->ev[v->nevents] = (struct bv_event){ restored, v->now_us, b, bl->visible, bl->had };
	v->nevents++;
	prefix_str(&v->ts->blocks[b].pfx, blk, sizeof(blk));
	fmt_rfc3339(v->now_us * 1000, t, sizeof(t));
	pr_info("%s %s %s: %u of %u peers\n", t, name, blk, bl->visible, bl->had);
	if (!v->o.out)
		return;
	outfile_printf(&v->events, "{\"event\":\"%s\",\"time\":\"%s\",\"interface\":\"bgp\",\"block\":\"%s\",\"direction\":null,\"scope\":\"block\",\"peers\":%u,\"peers_had\":%u",
		       name, t, blk, bl->visible, bl->had);
	if (origin)
		outfile_printf(&v->events, ",\"origin_as\":%u", origin);
	outfile_printf(&v->events, ",\"upstream_as\":[");
	for (char *s = ups, *tok; (tok = strtok_r(s, " ", &s));)
		outfile_printf(&v->events, "%s%s", tok == ups ? "" : ",", tok);
	outfile_printf(&v->events, "]}\n");
	outfile_flush(&v->events);
}

/* A peer gained (+1) or lost (-1) a route overlapping the block. */
static void count(struct bgpvis *v, uint32_t b, uint32_t peer, int d)
{
	struct bv_block *bl = &v->blocks[b];
	uint32_t i;

	for (i = 0; i < bl->nc && bl->c[i].peer != peer; i++)
		;
	if (i == bl->nc) {
		if (d < 0)
			return;
		if (bl->nc == bl->cap) {
			uint32_t cap = bl->cap ? bl->cap * 2 : 8;
			struct bv_count *c = realloc(bl->c, cap * sizeof(*c));

			if (!c)
				return;
			bl->c = c;
			bl->cap = cap;
		}
		bl->c[bl->nc++] = (struct bv_count){ peer, 0 };
	}
	if (d > 0 && bl->c[i].n++ == 0)
		bl->visible++;
	if (d < 0 && bl->c[i].n && --bl->c[i].n == 0)
		bl->visible--;

	/* the events, at the time of the record that crossed the line */
	if (!bl->withdrawn && bl->had && (bl->visible == 0 || bl->visible < v->o.ratio * bl->had)) {
		bl->withdrawn = 1;
		bl->withdrawals++;
		write_event(v, 0, b);
	} else if (bl->withdrawn && bl->visible && bl->visible >= v->o.ratio * bl->had) {
		bl->withdrawn = 0;
		write_event(v, 1, b);
		bl->had = bl->visible;
	}
	if (!bl->withdrawn && bl->visible > bl->had)
		bl->had = bl->visible;
}

static void route_blocks(struct bgpvis *v, const struct bv_route *r, int d)
{
	uint32_t first, n;

	if (target_of(v, &r->pfx, &first, &n) < 0)
		return;
	for (uint32_t b = first; b < first + n; b++)
		count(v, b, r->peer, d);
}

static void rows(struct bgpvis *v, uint64_t t_us)
{
	char t[40], blk[64], ups[64];

	if (!v->o.out)
		return;
	struct bv_tally *tl = tally_all(v);

	if (!tl)
		return;
	fmt_rfc3339(t_us * 1000, t, sizeof(t));
	for (uint32_t b = 0; b < v->ts->nblocks; b++) {
		const struct bv_block *bl = &v->blocks[b];
		uint32_t origin = tally_result(&tl[b], ups, sizeof(ups));

		prefix_str(&v->ts->blocks[b].pfx, blk, sizeof(blk));
		outfile_printf(&v->csv, "%s,%s,%u,%u,%u,%s,%s\n", t, blk, bl->visible, bl->had, origin,
			       ups, bl->withdrawn ? "withdrawn" : bl->visible ? "visible" : "none");
	}
	free(tl);
	outfile_flush(&v->csv);
}

static void advance(struct bgpvis *v, uint64_t t_us)
{
	uint64_t step = (uint64_t)(v->o.interval * US);

	if (!v->started) {
		v->started = 1;
		v->now_us = t_us;
		v->next_tick_us = (t_us / step + 1) * step;
		return;
	}
	if (t_us < v->now_us)
		return; /* files out of order: the series stays where it is */
	if (t_us - v->now_us > BV_MAX_GAP_US) /* archives of another time: no rows between */
		v->next_tick_us = (t_us / step + 1) * step;
	while (t_us >= v->next_tick_us) {
		rows(v, v->next_tick_us);
		v->next_tick_us += step;
	}
	v->now_us = t_us;
}

int bgpvis_entry(struct bgpvis *v, const struct mrt_entry *e)
{
	uint32_t peer;

	advance(v, (uint64_t)e->ts * US + (e->et ? e->usec : 0));
	peer = peer_id(v, e);
	if (peer == UINT32_MAX)
		return 0;
	if (e->kind == 'S') {
		/* a session that leaves Established takes its routes with it */
		if (e->old_state == 6 && e->new_state != 6)
			for (size_t i = 0; i < v->cap_routes; i++) {
				struct bv_route *r = &v->routes[i];

				if (r->used && r->peer == peer) {
					route_blocks(v, r, -1);
					r->used = 0;
					r->dead = 1;
					v->nroutes--;
				}
			}
		return 0;
	}
	struct bv_route *r = slot(v, peer, e->pfx);

	if (e->kind == 'W') {
		if (r->used) {
			route_blocks(v, r, -1);
			r->used = 0;
			r->dead = 1;
			v->nroutes--;
		}
		return 0;
	}
	/* 'A' or 'B': a new route, or a new path for one the peer had */
	if (!r->used) {
		if ((v->nroutes + 1) * 2 > v->cap_routes) {
			if (grow(v))
				return 0;
			r = slot(v, peer, e->pfx);
		}
		*r = (struct bv_route){ .peer = peer, .pfx = *e->pfx, .used = 1 };
		v->nroutes++;
		route_blocks(v, r, +1);
	}
	r->origin = bgp_path_origin(&e->attrs->path, &r->upstream);
	return 0;
}


void bgpvis_finish(struct bgpvis *v)
{
	if (v->started)
		rows(v, v->now_us);
	if (v->o.out) {
		outfile_close(&v->csv);
		outfile_close(&v->events);
	}
}

void bgpvis_report(const struct bgpvis *v, FILE *f)
{
	char blk[64], ups[64];

	fprintf(f, "%-43s %8s %8s %10s  %-24s %-10s %s\n", "BLOCK", "PEERS", "HAD", "ORIGIN",
		"UPSTREAMS", "STATE", "WITHDRAWALS");
	struct bv_tally *tl = tally_all(v);

	for (uint32_t b = 0; tl && b < v->ts->nblocks; b++) {
		const struct bv_block *bl = &v->blocks[b];
		uint32_t origin = tally_result(&tl[b], ups, sizeof(ups));

		prefix_str(&v->ts->blocks[b].pfx, blk, sizeof(blk));
		fprintf(f, "%-43s %8u %8u %10u  %-24s %-10s %u\n", blk, bl->visible, bl->had, origin,
			ups[0] ? ups : "-", bl->withdrawn ? "withdrawn" : bl->visible ? "visible" : "none",
			bl->withdrawals);
	}
	free(tl);
	fprintf(f, "%u peers seen, %zu routes of the targets held at the end, %llu events\n",
		v->npeers, v->nroutes, (unsigned long long)v->nevents);
}

void bgpvis_free(struct bgpvis *v)
{
	for (uint32_t b = 0; v->blocks && b < v->ts->nblocks; b++)
		free(v->blocks[b].c);
	free(v->blocks);
	free(v->routes);
	free(v->peers);
	free(v->ev);
}
