// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "counters.h"
#include "report.h"
#include "targets.h"
#include "timefmt.h"

static const char *dir_name(int d)
{
	return d == PW_DIR_TO ? "to" : "from";
}

void report_tables(FILE *f, const struct iface_view *v, size_t n, bool active_only)
{
	int wif = strlen("INTERFACE"), wblk = strlen("BLOCK");
	bool rates = n && v[0].pps;
	char blk[64], when[40];

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

	fprintf(f, "%-*s  %-*s  %-4s  %12s  %14s", wif, "INTERFACE", wblk, "BLOCK", "DIR",
		"PACKETS", "BYTES");
	if (rates)
		fprintf(f, "  %10s  %12s", "PPS", "BPS");
	fprintf(f, "  %-24s  %10s  %10s  %10s  %10s  %10s  %10s\n", "LAST_SEEN", "TCP", "UDP",
		"ICMP", "OTHER", "SYN", "SYNACK");
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
				fprintf(f, "%-*s  %-*s  %-4s  %12llu  %14llu", wif, v[i].ifname, wblk,
					blk, dir_name(d), (unsigned long long)c->packets,
					(unsigned long long)c->bytes);
				if (rates)
					fprintf(f, "  %10.1f  %12.0f", v[i].pps[PW_SLOT(b, d)],
						v[i].bps[PW_SLOT(b, d)]);
				fprintf(f, "  %-24s  %10llu  %10llu  %10llu  %10llu  %10llu  %10llu\n",
					when, (unsigned long long)c->tcp, (unsigned long long)c->udp,
					(unsigned long long)c->icmp, (unsigned long long)c->other,
					(unsigned long long)c->syn, (unsigned long long)c->synack);
			}
		}
	}

	fprintf(f, "\n%-*s  %12s  %14s  %12s  %12s  %10s  %10s  %10s  %10s  %12s\n", wif,
		"INTERFACE", "FRAMES", "BYTES", "IPV4", "IPV6", "NONIP", "TRUNCATED",
		"MALFORMED", "FRAGMENTS", "MATCHED");
	for (size_t i = 0; i < n; i++) {
		const struct pw_iface_counters *t = v[i].tot;

		fprintf(f, "%-*s  %12llu  %14llu  %12llu  %12llu  %10llu  %10llu  %10llu  %10llu  %12llu\n",
			wif, v[i].ifname, (unsigned long long)t->frames,
			(unsigned long long)t->bytes, (unsigned long long)t->ipv4,
			(unsigned long long)t->ipv6, (unsigned long long)t->nonip,
			(unsigned long long)t->truncated, (unsigned long long)t->malformed,
			(unsigned long long)t->fragments, (unsigned long long)t->matched);
	}
}
