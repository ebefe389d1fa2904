// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "counters.h"
#include "report.h"
#include "statemap.h"
#include "targets.h"
#include "timefmt.h"

static const char *dir_name(int d)
{
	return d == PW_DIR_TO ? "to" : "from";
}

static void state_cols(const struct pw_series_state *st, char *state, char *base, size_t len)
{
	snprintf(state, len, "%s", st ? statemap_name(st->state) : "-");
	if (st && st->state != PW_STATE_NONE)
		snprintf(base, len, "%.3f", st->baseline_mpps / 1000.0);
	else
		snprintf(base, len, "-");
}

void report_tables(FILE *f, const struct iface_view *v, size_t n, bool active_only)
{
	int wif = strlen("INTERFACE"), wblk = strlen("BLOCK");
	char blk[64], when[40], state[24], base[24];

	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(v[i].ifname) > wif)
			wif = strlen(v[i].ifname);
		for (uint32_t b = 0; b < v[i].nblocks; b++) {
			struct pw_prefix p;

			blockinfo_prefix(&v[i].info[b], &p, NULL);
			int l = strlen(prefix_str(&p, blk, sizeof(blk)));

			if (l > wblk)
				wblk = l;
		}
	}

	fprintf(f, "%-*s  %-*s  %-4s  %12s  %14s  %-24s  %10s  %10s  %10s  %10s  %10s  %10s  %-12s  %10s\n",
		wif, "INTERFACE", wblk, "BLOCK", "DIR", "PACKETS", "BYTES", "LAST_SEEN", "TCP", "UDP",
		"ICMP", "OTHER", "SYN", "SYNACK", "STATE", "BASELINE");
	for (size_t i = 0; i < n; i++) {
		for (uint32_t b = 0; b < v[i].nblocks; b++) {
			struct pw_prefix p;

			blockinfo_prefix(&v[i].info[b], &p, NULL);
			prefix_str(&p, blk, sizeof(blk));
			for (int d = 0; d < PW_NDIRS; d++) {
				const struct pw_counters *c = &v[i].c[PW_SLOT(b, d)];

				if (active_only && !c->packets)
					continue;
				if (c->last_ns)
					fmt_rfc3339(mono_to_real_ns(c->last_ns), when, sizeof(when));
				else
					strcpy(when, "-");
				state_cols(v[i].state ? &v[i].state[PW_SLOT(b, d)] : NULL, state, base,
					   sizeof(state));
				fprintf(f, "%-*s  %-*s  %-4s  %12llu  %14llu  %-24s  %10llu  %10llu  %10llu  %10llu  %10llu  %10llu  %-12s  %10s\n",
					wif, v[i].ifname, wblk, blk, dir_name(d),
					(unsigned long long)c->packets, (unsigned long long)c->bytes, when,
					(unsigned long long)c->tcp, (unsigned long long)c->udp,
					(unsigned long long)c->icmp, (unsigned long long)c->other,
					(unsigned long long)c->syn, (unsigned long long)c->synack, state, base);
			}
		}
	}

	fprintf(f, "\n%-*s  %12s  %14s  %12s  %12s  %10s  %10s  %10s  %10s  %12s  %-12s\n", wif,
		"INTERFACE", "FRAMES", "BYTES", "IPV4", "IPV6", "NONIP", "TRUNCATED", "MALFORMED",
		"FRAGMENTS", "MATCHED", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct pw_iface_counters *t = v[i].tot;
		const struct pw_series_state *st =
			v[i].state ? &v[i].state[v[i].nblocks * PW_NDIRS] : NULL;

		state_cols(st, state, base, sizeof(state));
		if (st && st->state == PW_STATE_OUTAGE)
			strcpy(state, "silent");
		fprintf(f, "%-*s  %12llu  %14llu  %12llu  %12llu  %10llu  %10llu  %10llu  %10llu  %12llu  %-12s\n",
			wif, v[i].ifname, (unsigned long long)t->frames,
			(unsigned long long)t->bytes, (unsigned long long)t->ipv4,
			(unsigned long long)t->ipv6, (unsigned long long)t->nonip,
			(unsigned long long)t->truncated, (unsigned long long)t->malformed,
			(unsigned long long)t->fragments, (unsigned long long)t->matched, state);
	}
}
