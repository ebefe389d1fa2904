// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "bgpvis.h"
#include "correlate.h"
#include "log.h"
#include "mrt.h"
#include "timefmt.h"

#define NS 1000000000ull
#define GROUP_S 1.0	/* outages that start this close to the one before make one incident */
#define VANTAGE_S 5	/* a vantage point silent this close to an outage's start explains it */

void corr_init(struct correlation *c, const struct corr_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
}

void corr_free(struct correlation *c)
{
	free(c->out);
	free(c->vantage_silent);
	free(c->vantage_iface);
	free(c->bev);
	free(c->rows);
	free(c->ifaces);
	free(c->labels);
	free(c->inc);
}

#define GROW(arr, n, cap)                                                        \
	do {                                                                     \
		if ((n) == (cap)) {                                              \
			size_t c_ = (cap) ? (cap) * 2 : 64;                      \
			void *p_ = realloc((arr), c_ * sizeof(*(arr)));          \
			if (!p_)                                                 \
				return -ENOMEM;                                  \
			(arr) = p_;                                              \
			(cap) = c_;                                              \
		}                                                                \
	} while (0)

/* The value of "key" in one of our JSON lines: a string without its
 * quotes, or a literal. 0 when absent. */
static int field(const char *line, const char *key, char *buf, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return 0;
	p += strlen(pat);
	if (*p == '"') {
		e = strchr(++p, '"');
	} else {
		e = p + strcspn(p, ",}");
	}
	if (!e || (size_t)(e - p) >= len)
		return 0;
	memcpy(buf, p, e - p);
	buf[e - p] = '\0';
	return 1;
}

/* 2025-06-07T01:02:03.456Z */
static uint64_t parse_time(const char *s)
{
	struct tm tm = {};
	const char *r = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	double frac = 0;

	if (!r)
		return 0;
	if (*r == '.')
		frac = strtod(r, NULL);
	return (uint64_t)timegm(&tm) * NS + (uint64_t)(frac * 1e9 + 0.5);
}

static int intern(char (**arr)[48], size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*arr)[i], s))
			return i;
	char (*a)[48] = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!a)
		return -1;
	*arr = a;
	snprintf(a[*n], 48, "%s", s);
	return (*n)++;
}

static int iface_id(struct correlation *c, const char *s)
{
	for (size_t i = 0; i < c->nifaces; i++)
		if (!strcmp(c->ifaces[i], s))
			return i;
	char (*a)[16] = realloc(c->ifaces, (c->nifaces + 1) * sizeof(*a));

	if (!a)
		return -1;
	c->ifaces = a;
	snprintf(a[c->nifaces], 16, "%s", s);
	return c->nifaces++;
}

static int load_events(struct correlation *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], ev[32], t[40], ifc[16], blk[48], dir[8], scope[8], v[8];

	if (!f) {
		int err = -errno;

		pr_warn("cannot read %s: %s\n", path, strerror(errno));
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!field(line, "event", ev, sizeof(ev)) || !field(line, "time", t, sizeof(t)))
			continue;
		uint64_t when = parse_time(t);

		if (!field(line, "interface", ifc, sizeof(ifc)))
			ifc[0] = '\0';
		if (!strcmp(ev, "vantage_silent")) {
			GROW(c->vantage_silent, c->nvs, c->cap_vs);
			c->vantage_iface = realloc(c->vantage_iface, c->cap_vs * sizeof(*c->vantage_iface));
			if (!c->vantage_iface)
				return -ENOMEM;
			c->vantage_silent[c->nvs] = when;
			snprintf(c->vantage_iface[c->nvs++], 16, "%s", ifc);
			continue;
		}
		if (strcmp(ev, "outage_start") && strcmp(ev, "outage_end"))
			continue;
		if (!field(line, "block", blk, sizeof(blk)) || !field(line, "direction", dir, sizeof(dir)))
			continue;
		if (!field(line, "scope", scope, sizeof(scope)))
			strcpy(scope, "block");
		if (!strcmp(ev, "outage_start")) {
			GROW(c->out, c->nout, c->cap_out);
			struct corr_outage *o = &c->out[c->nout++];

			memset(o, 0, sizeof(*o));
			snprintf(o->iface, sizeof(o->iface), "%s", ifc);
			snprintf(o->label, sizeof(o->label), "%s", blk);
			snprintf(o->dir, sizeof(o->dir), "%s", dir);
			snprintf(o->scope, sizeof(o->scope), "%s", scope);
			o->start = when;
			o->vantage = field(line, "vantage_silent", v, sizeof(v)) && !strcmp(v, "true");
		} else {
			for (size_t i = c->nout; i-- > 0;) {
				struct corr_outage *o = &c->out[i];

				if (!o->end && !strcmp(o->iface, ifc) && !strcmp(o->label, blk) &&
				    !strcmp(o->dir, dir) && !strcmp(o->scope, scope)) {
					o->end = when;
					break;
				}
			}
		}
	}
	fclose(f);
	return 0;
}

/* One series file, plain or gzipped: the rows of blocks and targets. */
static int load_series(struct correlation *c, const char *path)
{
	gzFile g = gzopen(path, "rb");
	char line[1024];

	if (!g)
		return -errno;
	while (gzgets(g, line, sizeof(line))) {
		char *f[18];
		int n = 0;

		/* empty fields matter: split by hand */
		f[n++] = line;
		for (char *p = line; *p && n < 18; p++)
			if (*p == ',') {
				*p = '\0';
				f[n++] = p + 1;
			}
		if (n < 16 || strcmp(f[0], "time") == 0 ||
		    (strcmp(f[2], "block") && strcmp(f[2], "target")))
			continue;
		GROW(c->rows, c->nrows, c->cap_rows);
		struct corr_row *r = &c->rows[c->nrows];
		int ifc = iface_id(c, f[1]), lb = intern(&c->labels, &c->nlabels, f[3]);

		if (ifc < 0 || lb < 0)
			return -ENOMEM;
		*r = (struct corr_row){ .t = parse_time(f[0]), .iface = ifc, .label = lb,
					.dir = strcmp(f[4], "to") != 0, .scope = !strcmp(f[2], "target"),
					.packets = strtoul(f[5], NULL, 10), .syn = strtoul(f[13], NULL, 10),
					.synack = strtoul(f[14], NULL, 10) };
		if (!r->t)
			continue; /* no time: no place in any window */
		if (!c->rows_from || r->t < c->rows_from)
			c->rows_from = r->t;
		c->nrows++;
	}
	gzclose(g);
	return 0;
}

int corr_load_traffic(struct correlation *c, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);
	int err;

	if (!d) {
		err = -errno;
		pr_warn("cannot read traffic directory %s: %s\n", dir, strerror(errno));
		return err;
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	err = load_events(c, path);
	while (!err && (e = readdir(d)))
		if (!strncmp(e->d_name, "series-", 7) &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path) &&
		    (err = load_series(c, path)))
			pr_warn("cannot read %s: %s\n", path, strerror(-err));
	closedir(d);
	return err;
}

int corr_load_bgp_dir(struct correlation *c, const char *dir)
{
	char path[PATH_MAX], line[2048], ev[32], t[40], blk[48], n[16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bgp-events.jsonl", dir);
	f = fopen(path, "r");
	if (!f) {
		int err = -errno;

		pr_warn("cannot read %s: %s\n", path, strerror(errno));
		return err;
	}
	c->bgp_known = 1;
	/* the time the BGP data covers: its visibility series */
	snprintf(path, sizeof(path), "%s/bgp-visibility.csv", dir);
	FILE *vf = fopen(path, "r");

	while (vf && fgets(line, sizeof(line), vf)) {
		uint64_t t = parse_time(line);

		if (!t)
			continue;
		if (!c->bgp_from || t < c->bgp_from)
			c->bgp_from = t;
		if (t > c->bgp_to)
			c->bgp_to = t;
	}
	if (vf)
		fclose(vf);
	while (fgets(line, sizeof(line), f)) {
		if (!field(line, "event", ev, sizeof(ev)) || strncmp(ev, "bgp_", 4) ||
		    !field(line, "time", t, sizeof(t)) || !field(line, "block", blk, sizeof(blk)))
			continue;
		GROW(c->bev, c->nbev, c->cap_bev);
		struct corr_bgp_event *b = &c->bev[c->nbev++];

		memset(b, 0, sizeof(*b));
		snprintf(b->label, sizeof(b->label), "%s", blk);
		b->time = parse_time(t);
		b->restored = !strcmp(ev, "bgp_restored");
		if (field(line, "peers", n, sizeof(n)))
			b->peers = strtoul(n, NULL, 10);
		if (field(line, "peers_had", n, sizeof(n)))
			b->had = strtoul(n, NULL, 10);
	}
	fclose(f);
	return 0;
}

static int to_bgpvis(const struct mrt_entry *e, void *v)
{
	return bgpvis_entry(v, e);
}

int corr_load_mrt(struct correlation *c, const struct pw_targets *ts, char *const *files, int n)
{
	struct bgpvis_opts o = BGPVIS_OPTS_DEFAULT;
	struct mrt_stats st = { 0 };
	struct bgpvis v;
	int err = bgpvis_init(&v, ts, &o);

	for (int i = 0; !err && i < n; i++)
		if (mrt_read(files[i], NULL, to_bgpvis, &v, &st) < 0)
			err = -EIO;
	/* the time the archives cover: every record counts, keepalives too,
	 * since they show the collector was listening */
	c->bgp_known = !err && st.last_ts;
	c->bgp_from = (uint64_t)st.first_ts * NS;
	c->bgp_to = ((uint64_t)st.last_ts + 1) * NS;
	for (uint64_t i = 0; !err && i < v.nevents && i < v.cap_ev; i++) {
		const struct bv_event *e = &v.ev[i];

		GROW(c->bev, c->nbev, c->cap_bev);
		struct corr_bgp_event *b = &c->bev[c->nbev++];

		memset(b, 0, sizeof(*b));
		prefix_str(&ts->blocks[e->block].pfx, b->label, sizeof(b->label));
		b->time = e->time_us * 1000;
		b->restored = e->restored;
		b->peers = e->peers;
		b->had = e->had;
	}
	bgpvis_free(&v);
	return err;
}

static int cmp_start(const void *a, const void *b)
{
	const struct corr_outage *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether two labels (block or target CIDRs) overlap. */
static int overlaps(const char *a, const char *b)
{
	struct pw_prefix p, q;
	char err[PW_ERRLEN];

	if (!strcmp(a, b))
		return 1;
	if (prefix_parse(a, &p, err, sizeof(err)) || prefix_parse(b, &q, err, sizeof(err)))
		return 0;
	return prefix_contains(&p, &q) || prefix_contains(&q, &p);
}

/* Packets (and SYNs, SYN-ACKs) of a label and direction over (from, to], on
 * one interface or (iface -1) on all: their "all" series when there is one,
 * which already sums the others. */
static void sum(const struct correlation *c, const char *label, int dir, int iface,
		uint64_t from, uint64_t to, double *pk, double *syn, double *synack)
{
	*pk = *syn = *synack = 0;
	for (size_t i = 0; iface < 0 && i < c->nifaces; i++)
		if (!strcmp(c->ifaces[i], "all"))
			iface = i;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct corr_row *r = &c->rows[i];

		if (r->t <= from || r->t > to || r->dir != dir || strcmp(c->labels[r->label], label) ||
		    (iface >= 0 && r->iface != iface))
			continue;
		*pk += r->packets;
		*syn += r->syn;
		*synack += r->synack;
	}
}

/* Whether the routes that withdrawal took came back before t: then it is
 * not what stopped the traffic at t. */
static int restored_before(const struct correlation *c, const struct corr_bgp_event *w, uint64_t t)
{
	for (size_t b = 0; b < c->nbev; b++)
		if (c->bev[b].restored && c->bev[b].time > w->time && c->bev[b].time < t &&
		    !strcmp(c->bev[b].label, w->label))
			return 1;
	return 0;
}

static int affected(const struct correlation *c, const struct corr_incident *in, const char *iface,
		    const char *label, const char *dir)
{
	for (int k = in->first; k < in->first + in->noutages; k++)
		if (!strcmp(c->out[k].iface, iface) && !strcmp(c->out[k].label, label) &&
		    !strcmp(c->out[k].dir, dir))
			return 1;
	return 0;
}

static void classify(struct correlation *c, struct corr_incident *in)
{
	uint64_t until = in->end ? in->end : in->start + (uint64_t)(c->o.window_s * NS);
	char *ev = in->evidence;
	size_t el = sizeof(in->evidence), o = 0;
	int nreal = 0, carried = 1, any_iface_outage = 0;

	for (size_t i = 0; i < c->nifaces; i++)
		nreal += strcmp(c->ifaces[i], "all") != 0;

	for (int k = in->first; k < in->first + in->noutages; k++) {
		const struct corr_outage *ot = &c->out[k];

		in->vantage |= ot->vantage;
		/* the vantage point went silent when the outage began (a silence
		 * that began well after is another matter: the end of a capture) */
		for (size_t v = 0; v < c->nvs; v++)
			if (!strcmp(c->vantage_iface[v], ot->iface) &&
			    c->vantage_silent[v] + VANTAGE_S * NS >= in->start &&
			    c->vantage_silent[v] <= in->start + VANTAGE_S * NS)
				in->vantage = 1;
		/* carried by another interface meanwhile? */
		if (!strcmp(ot->iface, "all")) {
			carried = 0;
			continue;
		}
		any_iface_outage = 1;
		int elsewhere = 0;

		for (size_t i = 0; i < c->nifaces; i++) {
			double pk, s1, s2;

			if (!strcmp(c->ifaces[i], ot->iface) || !strcmp(c->ifaces[i], "all") ||
			    affected(c, in, c->ifaces[i], ot->label, ot->dir))
				continue;
			sum(c, ot->label, strcmp(ot->dir, "to") != 0, i, in->start, until, &pk, &s1, &s2);
			elsewhere |= pk > 0;
		}
		carried &= elsewhere;
	}
	in->carried_elsewhere = carried && any_iface_outage && nreal >= 2;

	/* toward the target before the outage: a surge, and the answers? The
	 * windows are cut to the data there is, so rates stay rates */
	const char *lbl = c->out[in->first].label;
	uint64_t bw = (uint64_t)(c->o.before_s * NS), bl = (uint64_t)(c->o.baseline_s * NS);
	uint64_t pre = in->start > bw ? in->start - bw : 0, base = pre > bl ? pre - bl : 0;
	double tb, sb, ab, tp, sp, ap, fb, fp, x1, x2, base_s, pre_s;

	if (c->rows_from > base)
		base = c->rows_from < pre ? c->rows_from : pre;
	base_s = (double)(pre - base) / NS;
	pre_s = c->rows_from <= pre ? c->o.before_s
		: c->rows_from < in->start ? (double)(in->start - c->rows_from) / NS : 0;
	sum(c, lbl, 0, -1, base, pre, &tb, &sb, &x1);
	sum(c, lbl, 0, -1, pre, in->start, &tp, &sp, &x2);
	sum(c, lbl, 1, -1, base, pre, &fb, &x1, &ab);
	sum(c, lbl, 1, -1, pre, in->start, &fp, &x2, &ap);
	in->pre_s = pre_s;
	in->base_s = base_s;
	in->pps_base = base_s > 0 ? tb / base_s : 0;
	in->pps_pre = pre_s > 0 ? tp / pre_s : 0;
	in->surge = in->pps_base > 0 ? in->pps_pre / in->pps_base : 0;
	/* answers: SYN-ACKs per SYN when there are SYNs, else from-per-to */
	in->answers_base = sb > 0 ? ab / sb : tb > 0 ? fb / tb : 0;
	in->answers_pre = sp > 0 ? ap / sp : tp > 0 ? fp / tp : 0;
	int surge = in->pps_base > 0 && in->surge >= c->o.surge && in->answers_pre < 0.5 * in->answers_base;

	/* the routes around the start, if the BGP data covers that time */
	uint64_t w = (uint64_t)(c->o.window_s * NS);

	in->have_bgp = c->bgp_known && in->start + w >= c->bgp_from && in->start <= c->bgp_to + w;
	for (size_t b = 0; b < c->nbev; b++) {
		const struct corr_bgp_event *e = &c->bev[b];
		double d = ((double)in->start - (double)e->time) / 1e9;

		if (e->restored || d > c->o.window_s || -d > c->o.window_s || restored_before(c, e, in->start))
			continue;
		for (int k = in->first; k < in->first + in->noutages; k++)
			if (overlaps(e->label, c->out[k].label) && (!in->withdrawn || d > in->lag_s)) {
				in->withdrawn = 1;
				in->lag_s = d;
				in->lag_coarse = e->time % NS == 0;
				in->peers_before = e->had;
				in->peers_min = e->peers;
			}
	}

	if (in->vantage) {
		in->class = "vantage";
		o += snprintf(ev + o, el - o, "the vantage point's own traffic went silent too; ");
	} else if (surge) {
		in->class = "attack_like";
		o += snprintf(ev + o, el - o, "traffic toward the target rose %.1fx (%.1f pps against %.1f) in the %.0f s before, and the answers fell (%.2f per packet against %.2f); ",
			      in->surge, in->pps_pre, in->pps_base, c->o.before_s, in->answers_pre, in->answers_base);
	} else if (in->carried_elsewhere) {
		in->class = "path_shift";
		o += snprintf(ev + o, el - o, "another interface carried the same blocks while these were silent; ");
	} else if (in->withdrawn) {
		in->class = "routing_withdrawal";
		if (in->lag_coarse && in->lag_s > -1 && in->lag_s < 1)
			o += snprintf(ev + o, el - o, "the routes were withdrawn in the same second as the traffic stopped (the MRT times are whole seconds; %u of %u peers left); ",
				      in->peers_min, in->peers_before);
		else
			o += snprintf(ev + o, el - o, "the routes were withdrawn %.1f s %s the traffic stopped (%u of %u peers left); ",
				      in->lag_s < 0 ? -in->lag_s : in->lag_s, in->lag_s >= 0 ? "before" : "after",
				      in->peers_min, in->peers_before);
	} else if (in->have_bgp) {
		in->class = "data_plane";
		o += snprintf(ev + o, el - o, "no withdrawal of these blocks within %.0f s in the BGP data: the routes stayed up while the traffic stopped; ",
			      c->o.window_s);
	} else {
		in->class = "unknown";
		o += snprintf(ev + o, el - o, c->bgp_known ? "the BGP data does not cover this time, and nothing else decides; "
							     : "no BGP data given, and nothing else decides; ");
	}
	/* the numbers that did not decide, said all the same */
	if (in->withdrawn && strcmp(in->class, "routing_withdrawal"))
		o += snprintf(ev + o, el - o, "routes withdrawn %.1f s %s; ", in->lag_s < 0 ? -in->lag_s : in->lag_s,
			      in->lag_s >= 0 ? "before" : "after");
	if (!surge && in->pps_base > 0 && o < el)
		o += snprintf(ev + o, el - o, "no surge toward the target before (%.1fx)", in->surge);
	(void)o;
}

void corr_run(struct correlation *c)
{
	qsort(c->out, c->nout, sizeof(*c->out), cmp_start);
	free(c->inc);
	c->inc = calloc(c->nout ? c->nout : 1, sizeof(*c->inc));
	c->ninc = 0;
	for (size_t i = 0; i < c->nout && c->inc;) {
		struct corr_incident *in = &c->inc[c->ninc++];
		size_t j = i;

		in->first = i;
		in->start = c->out[i].start;
		/* one incident: outages that start within GROUP_S of the one
		 * before. Overlap is not enough: traffic that leaves one path
		 * and later leaves the other is two path shifts, not one */
		while (j < c->nout && (j == i || c->out[j].start <= c->out[j - 1].start + (uint64_t)(GROUP_S * NS))) {
			if (c->out[j].end == 0 || in->end == UINT64_MAX)
				in->end = UINT64_MAX;
			else if (c->out[j].end > in->end)
				in->end = c->out[j].end;
			j++;
		}
		if (in->end == UINT64_MAX)
			in->end = 0;
		in->noutages = j - i;
		classify(c, in);
		i = j;
	}
}

static void list(const struct correlation *c, const struct corr_incident *in, FILE *f, int what,
		 int json)
{
	const char *seen[64];
	int n = 0;

	for (int k = in->first; k < in->first + in->noutages; k++) {
		const struct corr_outage *o = &c->out[k];
		const char *s = what == 0 ? o->label : what == 1 ? o->iface : o->dir;
		int dup = 0;

		for (int m = 0; m < n; m++)
			dup |= !strcmp(seen[m], s);
		if (dup || n == 64)
			continue;
		seen[n] = s;
		fprintf(f, json ? "%s\"%s\"" : "%s%s", n ? (json ? "," : " ") : "", s);
		n++;
	}
}

void corr_print_text(const struct correlation *c, FILE *f)
{
	char a[40], b[40];

	if (!c->ninc)
		fprintf(f, "No outage in the traffic events.\n");
	for (size_t i = 0; i < c->ninc; i++) {
		const struct corr_incident *in = &c->inc[i];

		fprintf(f, "Incident %zu: %s .. %s", i + 1, fmt_rfc3339(in->start, a, sizeof(a)),
			in->end ? fmt_rfc3339(in->end, b, sizeof(b)) : "(still going at the end of the data)");
		if (in->end)
			fprintf(f, " (%.3f s)", (in->end - in->start) / 1e9);
		fprintf(f, "\n  blocks:     ");
		list(c, in, f, 0, 0);
		fprintf(f, "\n  interfaces: ");
		list(c, in, f, 1, 0);
		fprintf(f, "\n  directions: ");
		list(c, in, f, 2, 0);
		fprintf(f, "\n  BGP:        %s\n",
			!in->have_bgp ? "no data" : in->withdrawn ? "withdrawn near the start" : "no withdrawal near the start");
		fprintf(f, "  before:     toward %s %.1f pps in the %.0f s before, %.1f pps in the %.0f s before that\n",
			c->out[in->first].label, in->pps_pre, in->pre_s, in->pps_base, in->base_s);
		fprintf(f, "  class:      %s\n  evidence:   %s\n\n", in->class, in->evidence);
	}
}

void corr_print_json(const struct correlation *c, FILE *f)
{
	char a[40], b[40];

	fprintf(f, "{\"incidents\":[");
	for (size_t i = 0; i < c->ninc; i++) {
		const struct corr_incident *in = &c->inc[i];

		fprintf(f, "%s{\"start\":\"%s\",\"end\":", i ? "," : "", fmt_rfc3339(in->start, a, sizeof(a)));
		if (in->end)
			fprintf(f, "\"%s\",\"duration_s\":%.3f", fmt_rfc3339(in->end, b, sizeof(b)),
				(in->end - in->start) / 1e9);
		else
			fprintf(f, "null,\"duration_s\":null");
		fprintf(f, ",\"blocks\":[");
		list(c, in, f, 0, 1);
		fprintf(f, "],\"interfaces\":[");
		list(c, in, f, 1, 1);
		fprintf(f, "],\"directions\":[");
		list(c, in, f, 2, 1);
		fprintf(f, "],\"classification\":\"%s\",\"vantage_silent\":%s,\"carried_elsewhere\":%s,\"bgp\":{\"data\":%s,\"withdrawn\":%s",
			in->class, in->vantage ? "true" : "false", in->carried_elsewhere ? "true" : "false",
			in->have_bgp ? "true" : "false", in->withdrawn ? "true" : "false");
		if (in->withdrawn)
			fprintf(f, ",\"lag_s\":%.3f,\"peers_before\":%u,\"peers_left\":%u", in->lag_s,
				in->peers_before, in->peers_min);
		fprintf(f, "},\"to_pps_before\":%.3f,\"to_pps_baseline\":%.3f,\"before_s\":%.3f,\"baseline_s\":%.3f,\"surge\":%.3f,\"answers_before\":%.3f,\"answers_baseline\":%.3f,\"evidence\":\"",
			in->pps_pre, in->pps_base, in->pre_s, in->base_s, in->surge, in->answers_pre, in->answers_base);
		for (const char *p = in->evidence; *p; p++)
			fputc(*p == '"' ? '\'' : *p, f);
		fprintf(f, "\"}");
	}
	fprintf(f, "]}\n");
}
