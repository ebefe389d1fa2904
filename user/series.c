// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "series.h"

/* Layout, for I interfaces, B blocks and T targets, with A = 1 if I > 1:
 *   blk[i] + b * 2 + d     block series of interface i (i == I: all)
 *   tgt[i] + t * 2 + d     target series
 *   ifs[i]                 interface series */
int series_init(struct series_set *set, const struct pw_targets *ts, const char *const *ifnames,
		int nifaces, const struct pw_reader *r, uint64_t now_ns)
{
	int groups = nifaces > 1 ? nifaces + 1 : nifaces;
	size_t k = 0;

	memset(set, 0, sizeof(*set));
	if (nifaces < 1 || nifaces > 32)
		return -EINVAL;
	set->ts = ts;
	set->nifaces = nifaces;
	set->n = groups * (ts->nblocks + ts->n) * PW_NDIRS + nifaces;
	set->s = calloc(set->n, sizeof(*set->s));
	set->labels = calloc(ts->nblocks + ts->n, sizeof(*set->labels));
	set->health = calloc(nifaces * SERIES_HEALTH_MAX, sizeof(*set->health));
	if (!set->s || !set->labels || !set->health)
		return -ENOMEM;
	for (size_t b = 0; b < ts->nblocks; b++)
		prefix_str(&ts->blocks[b].pfx, set->labels[b], sizeof(set->labels[b]));
	for (size_t t = 0; t < ts->n; t++)
		prefix_str(&ts->t[t].pfx, set->labels[ts->nblocks + t], sizeof(set->labels[0]));

	for (int g = 0; g < groups; g++) {
		int16_t iface = g < nifaces ? g : -1;

		set->blk[g] = k;
		for (uint32_t b = 0; b < ts->nblocks; b++)
			for (int d = 0; d < PW_NDIRS; d++, k++)
				set->s[k] = (struct series){ .scope = SCOPE_BLOCK, .dir = d,
							     .iface = iface, .index = b };
		set->tgt[g] = k;
		for (uint32_t t = 0; t < ts->n; t++)
			for (int d = 0; d < PW_NDIRS; d++, k++)
				set->s[k] = (struct series){ .scope = SCOPE_TARGET, .dir = d,
							     .iface = iface, .index = t };
	}
	for (int i = 0; i < nifaces; i++, k++) {
		set->ifs[i] = k;
		set->s[k] = (struct series){ .scope = SCOPE_IFACE, .iface = i };
	}
	for (size_t i = 0; i < set->n; i++)
		det_init(&set->s[i].det, now_ns);

	/* The first read is the starting point: a restart continues from the
	 * pinned counters with no spike. */
	for (int i = 0; i < nifaces; i++) {
		size_t slots = (size_t)ts->nblocks * PW_NDIRS;

		set->ifnames[i] = ifnames[i];
		set->prev[i] = malloc(slots * sizeof(**set->prev));
		set->active[i] = malloc((slots ? slots : 1) * sizeof(**set->active));
		if (!set->prev[i] || !set->active[i])
			return -ENOMEM;
		memcpy(set->prev[i], r[i].c, slots * sizeof(**set->prev));
		set->prev_tot[i] = r[i].tot;
	}
	return 0;
}

void series_free(struct series_set *set)
{
	for (int i = 0; i < set->nifaces; i++) {
		free(set->prev[i]);
		free(set->active[i]);
	}
	free(set->s);
	free(set->ev);
	free(set->health);
	free(set->labels);
	memset(set, 0, sizeof(*set));
}

static void zero_interval(struct series *s)
{
	s->packets = s->bytes = s->tcp = s->udp = s->icmp = s->other = s->syn = s->synack = 0;
	s->first_ns = 0;
}

/* Add what src counted this interval into an aggregate; add_into() its
 * totals too. */
static void add_interval(struct series *agg, const struct series *src)
{
	agg->packets += src->packets;
	agg->bytes += src->bytes;
	agg->tcp += src->tcp;
	agg->udp += src->udp;
	agg->icmp += src->icmp;
	agg->other += src->other;
	agg->syn += src->syn;
	agg->synack += src->synack;
	if (src->last_ns > agg->last_ns)
		agg->last_ns = src->last_ns;
	if (src->first_ns && (!agg->first_ns || src->first_ns < agg->first_ns))
		agg->first_ns = src->first_ns;
}

static void add_into(struct series *agg, const struct series *src)
{
	add_interval(agg, src);
	agg->total_packets += src->total_packets;
	agg->total_bytes += src->total_bytes;
}

static __u64 delta(__u64 cur, __u64 prev)
{
	return cur >= prev ? cur - prev : cur;
}

static int push_event(struct series_set *set, const char *name, const struct series *s,
		      const struct det_event *d, int vantage)
{
	if (set->nev == set->cap_ev) {
		size_t cap = set->cap_ev ? set->cap_ev * 2 : 64;
		struct series_event *e = realloc(set->ev, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		set->ev = e;
		set->cap_ev = cap;
	}
	set->ev[set->nev++] = (struct series_event){ name, s, *d, vantage, NULL };
	return 0;
}

int series_push_health(struct series_set *set, int i, const char *name, uint64_t now_ns,
		       const char *detail)
{
	struct det_event d = { .type = -1, .time_ns = now_ns, .detected_ns = now_ns };
	int err;

	if (set->nhealth == (size_t)set->nifaces * SERIES_HEALTH_MAX)
		return -ENOSPC;
	err = push_event(set, name, &set->s[set->ifs[i]], &d, -1);
	if (err)
		return err;
	snprintf(set->health[set->nhealth], sizeof(*set->health), "%s", detail);
	set->ev[set->nev - 1].detail = set->health[set->nhealth++];
	return 0;
}

static void fill_block(struct series_set *set, int i, const struct pw_reader *r,
		       int64_t mono_to_wall)
{
	const struct pw_targets *ts = set->ts;
	struct pw_counters *prev = set->prev[i];
	int reset = 0;

	set->nactive[i] = 0;
	for (size_t slot = 0; slot < (size_t)ts->nblocks * PW_NDIRS; slot++) {
		const struct pw_counters *c = &r->c[slot];
		const struct pw_counters *p = &prev[slot];
		struct series *s = &set->s[set->blk[i] + slot];

		/* nothing new, and nothing to clear from the last interval:
		 * the series is as it was (most of 65,536 blocks) */
		if (c->packets == p->packets && !s->packets && s->total_packets == c->packets)
			continue;
		/* counters that went back were reset (the maps were made
		 * anew): count from zero rather than report a negative rate */
		if (c->packets < p->packets)
			reset = 1;
		s->packets = delta(c->packets, p->packets);
		s->bytes = delta(c->bytes, p->bytes);
		s->tcp = delta(c->tcp, p->tcp);
		s->udp = delta(c->udp, p->udp);
		s->icmp = delta(c->icmp, p->icmp);
		s->other = delta(c->other, p->other);
		s->syn = delta(c->syn, p->syn);
		s->synack = delta(c->synack, p->synack);
		s->total_packets = c->packets;
		s->total_bytes = c->bytes;
		s->last_ns = c->last_ns ? c->last_ns + mono_to_wall : 0;
		s->first_ns = s->packets && c->first_ns ? c->first_ns + mono_to_wall : 0;
		/* the slots skipped above have the counters of prev already */
		prev[slot] = *c;
		set->active[i][set->nactive[i]++] = slot;
	}
	if (reset) {
		set->resets++;
		pr_warn("warning: the counters of %s went back (reset or reloaded): counting from zero\n",
			set->ifnames[i]);
	}
}

/* A dormant series gets a packet: the silent ticks it skipped, between the
 * one it went dormant after and this one, as if it had been fed them. */
static void wake(struct series_set *set, struct series *s, const struct det_params *p)
{
	uint64_t k = set->ticks - 1 - s->dormant_tick;
	double T = set->ticks_t - set->dts[set->ticks % SERIES_DTS] - s->dormant_t, dts[DET_RECENT];
	uint64_t m = k < DET_RECENT ? k : DET_RECENT;

	for (uint64_t i = 0; i < m; i++) /* oldest first: ticks - m .. ticks - 1 */
		dts[i] = set->dts[(set->ticks - m + i) % SERIES_DTS];
	det_wake(&s->det, p, k, T, dts);
	s->dormant_tick = 0;
}

/* Is interface i's own traffic (other than the targets') silent too, as
 * significantly as its detector requires? Without such traffic there is no
 * evidence against the vantage point. */
static int vantage_quiet(const struct series_set *set, int i)
{
	return set->s[set->ifs[i]].det.state == DET_OUTAGE;
}

int series_tick(struct series_set *set, const struct pw_reader *r, uint64_t now_ns,
		int64_t mono_to_wall, double dt, const struct det_params *p)
{
	const struct pw_targets *ts = set->ts;
	int groups = set->nifaces > 1 ? set->nifaces + 1 : set->nifaces;
	struct det_event ev[2];
	int err = 0;

	set->nev = 0;
	set->nhealth = 0;
	set->ticks++;
	set->ticks_t += dt;
	set->dts[set->ticks % SERIES_DTS] = dt;
	/* blocks of each interface, straight from the counters */
	uint64_t resets = set->resets;

	for (int i = 0; i < set->nifaces; i++)
		fill_block(set, i, &r[i], mono_to_wall);
	/* blocks over all interfaces */
	if (groups > set->nifaces) {
		for (size_t k = 0; k < (size_t)ts->nblocks * PW_NDIRS; k++) {
			struct series *agg = &set->s[set->blk[set->nifaces] + k];

			zero_interval(agg);
			agg->total_packets = agg->total_bytes = 0;
			for (int i = 0; i < set->nifaces; i++)
				add_into(agg, &set->s[set->blk[i] + k]);
		}
	}
	/* whole targets, per interface and over all: summed anew from every
	 * block on the first tick, after a reset and over all interfaces;
	 * otherwise from the blocks that moved (the others add nothing to the
	 * interval, and their totals are in the targets' already) */
	for (int g = 0; g < groups; g++) {
		int full = set->ticks == 1 || set->resets != resets || g == set->nifaces;

		for (size_t t = 0; t < ts->n; t++) {
			for (int d = 0; d < PW_NDIRS; d++) {
				struct series *agg = &set->s[set->tgt[g] + t * PW_NDIRS + d];

				zero_interval(agg);
				if (!full)
					continue;
				agg->total_packets = agg->total_bytes = 0;
				for (uint32_t b = 0; b < ts->t[t].nblocks; b++)
					add_into(agg, &set->s[set->blk[g] +
							      (ts->t[t].first_block + b) * PW_NDIRS + d]);
			}
		}
		for (size_t k = 0; !full && k < set->nactive[g]; k++) {
			uint32_t slot = set->active[g][k];
			const struct series *src = &set->s[set->blk[g] + slot];
			struct series *agg = &set->s[set->tgt[g] +
						     ts->blocks[slot / PW_NDIRS].target * PW_NDIRS +
						     slot % PW_NDIRS];
			add_interval(agg, src);
			/* the totals move by what this interval added */
			agg->total_packets += src->packets;
			agg->total_bytes += src->bytes;
		}
	}

	/* The vantage point first: its silence qualifies the others. The
	 * program stamps its frames (those not the targets') to the tick. */
	for (int i = 0; i < set->nifaces; i++) {
		struct series *s = &set->s[set->ifs[i]];
		const struct pw_iface_counters *t = &r[i].tot;

		/* The row shows every frame; the detector judges those that
		 * are not the targets': when the targets are most of the
		 * traffic, their silence must not pass for the vantage point's. */
		__u64 other = delta(t->frames - t->matched,
				    set->prev_tot[i].frames - set->prev_tot[i].matched);

		s->packets = delta(t->frames, set->prev_tot[i].frames);
		s->bytes = delta(t->bytes, set->prev_tot[i].bytes);
		s->total_packets = t->frames;
		s->total_bytes = t->bytes;
		/* the vantage point's own frames, stamped by the program */
		uint64_t last = t->last_ns ? t->last_ns + mono_to_wall : 0;

		if (last > s->last_ns)
			s->last_ns = last;
		s->first_ns = other && t->first_ns ? t->first_ns + mono_to_wall : 0;
		set->prev_tot[i] = *t;
		struct det_obs o = { now_ns, dt, other, s->last_ns, s->first_ns };
		int n = det_update(&s->det, p, &o, ev);

		for (int k = 0; k < n && !err; k++) {
			if (ev[k].type == DET_OUTAGE_START)
				err = push_event(set, "vantage_silent", s, &ev[k], -1);
			else if (ev[k].type == DET_OUTAGE_END)
				err = push_event(set, "vantage_back", s, &ev[k], -1);
		}
	}

	for (size_t k = 0; k < set->n && !err; k++) {
		struct series *s = &set->s[k];

		if (s->scope == SCOPE_IFACE)
			continue;
		if (s->dormant_tick) {
			if (!s->packets)
				continue; /* still nothing: nothing to judge (pps 0) */
			wake(set, s, p);
		}
		s->pps = s->packets / dt;
		s->bps = s->bytes * 8 / dt;
		struct det_obs o = { now_ns, dt, s->packets, s->last_ns, s->first_ns };
		int n = det_update(&s->det, p, &o, ev);

		/* at 65,536 blocks, most never see a packet: their detector
		 * waits, untouched, for one */
		if (s->scope == SCOPE_BLOCK && !n && det_dormant(&s->det)) {
			s->dormant_tick = set->ticks;
			s->dormant_t = set->ticks_t;
		}

		for (int e = 0; e < n && !err; e++) {
			/* a target that falls silent with its vantage point is
			 * not known to be down */
			int vantage = -1;

			if (ev[e].type == DET_OUTAGE_START) {
				vantage = 1;
				for (int i = 0; i < set->nifaces; i++)
					if (s->iface < 0 || s->iface == i)
						vantage &= vantage_quiet(set, i);
			}
			err = push_event(set, det_event_name(ev[e].type), s, &ev[e], vantage);
		}
	}
	for (int i = 0; i < set->nifaces; i++) {
		struct series *s = &set->s[set->ifs[i]];

		s->pps = s->packets / dt;
		s->bps = s->bytes * 8 / dt;
	}
	return err;
}

const char *series_iface(const struct series_set *set, const struct series *s)
{
	return s->iface >= 0 ? set->ifnames[s->iface] : "all";
}

const char *series_label(const struct series_set *set, const struct series *s)
{
	switch (s->scope) {
	case SCOPE_BLOCK:
		return set->labels[s->index];
	case SCOPE_TARGET:
		return set->labels[set->ts->nblocks + s->index];
	}
	return "";
}

const char *series_dir(const struct series *s)
{
	if (s->scope == SCOPE_IFACE)
		return "";
	return s->dir == PW_DIR_TO ? "to" : "from";
}

const char *series_state(const struct series *s)
{
	if (s->scope == SCOPE_IFACE && s->det.state == DET_OUTAGE)
		return "silent";
	return det_state_name(s->det.state);
}
