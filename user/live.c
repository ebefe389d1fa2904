// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "live.h"
#include "timefmt.h"

#define LIVE_ALL_BLOCKS 64

static void row(FILE *f, const struct series_set *set, const struct series *s)
{
	char seen[40] = "-";

	if (s->last_ns)
		fmt_rfc3339(s->last_ns, seen, sizeof(seen));
	fprintf(f, "%-10s %-7s %-43s %-4s %10.1f %12.0f %12llu %10.1f  %-12s %s\n",
		series_iface(set, s), s->scope == SCOPE_BLOCK ? "block" : s->scope == SCOPE_TARGET ? "target" : "iface",
		series_label(set, s), series_dir(s), s->pps, s->bps,
		(unsigned long long)s->total_packets, det_baseline(&s->det), series_state(s),
		s->scope == SCOPE_IFACE ? "" : seen);
}

void live_table(FILE *f, const struct series_set *set, uint64_t now_ns, double interval)
{
	int all = set->ts->nblocks * set->nifaces <= LIVE_ALL_BLOCKS;
	char when[40];

	fprintf(f, "\033[H\033[2Jprefixwatch  %s  every %gs  (Ctrl-C to stop)\n\n",
		fmt_rfc3339(now_ns, when, sizeof(when)), interval);
	fprintf(f, "%-10s %-7s %-43s %-4s %10s %12s %12s %10s  %-12s %s\n", "INTERFACE", "SCOPE",
		"BLOCK", "DIR", "PPS", "BPS", "PACKETS", "BASELINE", "STATE", "LAST_SEEN");
	for (int pass = 0; pass < 3; pass++) {
		for (size_t k = 0; k < set->n; k++) {
			const struct series *s = &set->s[k];

			if (s->scope != (pass == 0 ? SCOPE_TARGET : pass == 1 ? SCOPE_BLOCK : SCOPE_IFACE))
				continue;
			if (s->scope == SCOPE_BLOCK && !all && !s->packets && s->det.state != DET_OUTAGE &&
			    s->det.state != DET_DROP)
				continue;
			row(f, set, s);
		}
	}
}

void live_line(FILE *f, const struct series_set *set, uint64_t now_ns)
{
	unsigned int out = 0, drop = 0;
	double to = 0, from = 0;
	char when[40];

	for (size_t k = 0; k < set->n; k++) {
		const struct series *s = &set->s[k];

		if (s->scope != SCOPE_BLOCK || (set->nifaces > 1 && s->iface >= 0))
			continue;
		out += s->det.state == DET_OUTAGE;
		drop += s->det.state == DET_DROP;
		if (s->dir == PW_DIR_TO)
			to += s->pps;
		else
			from += s->pps;
	}
	fprintf(f, "%s to %.1f pps, from %.1f pps; blocks in outage %u, in drop %u",
		fmt_rfc3339(now_ns, when, sizeof(when)), to, from, out, drop);
	for (int i = 0; i < set->nifaces; i++) {
		const struct series *s = &set->s[set->ifs[i]];

		fprintf(f, "; %s %.1f fps%s", set->ifnames[i], s->pps,
			s->det.state == DET_OUTAGE ? " SILENT" : "");
	}
	fputc('\n', f);
}
