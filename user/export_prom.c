// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch.prom for node_exporter's textfile collector, replaced whole
 * every interval (temporary file and rename: a reader never sees half). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "export.h"
#include "log.h"

#define PROM_MAX_BLOCKS 1024

struct metric {
	const char *name, *type, *help;
};

static const struct metric series_metrics[] = {
	{ "prefixwatch_packets_total", "counter", "Packets counted to or from the block or target." },
	{ "prefixwatch_bytes_total", "counter", "Bytes counted (frame length, Ethernet header included)." },
	{ "prefixwatch_packets_per_second", "gauge", "Packet rate over the last interval." },
	{ "prefixwatch_bits_per_second", "gauge", "Bit rate over the last interval." },
	{ "prefixwatch_baseline_packets_per_second", "gauge", "The detector's baseline packet rate." },
	{ "prefixwatch_outage", "gauge", "1 while the series is in an outage (drop to zero)." },
	{ "prefixwatch_drop", "gauge", "1 while the series is in a sharp partial drop." },
	{ "prefixwatch_baseline_established", "gauge", "0 while the series has too little history to judge." },
};

static double series_value(const struct series *s, int m)
{
	switch (m) {
	case 0: return s->total_packets;
	case 1: return s->total_bytes;
	case 2: return s->pps;
	case 3: return s->bps;
	case 4: return det_baseline(&s->det);
	case 5: return s->det.state == DET_OUTAGE;
	case 6: return s->det.state == DET_DROP;
	}
	return s->det.state != DET_INSUFFICIENT;
}

static const struct metric iface_metrics[] = {
	{ "prefixwatch_interface_frames_total", "counter", "Every frame the interface's program saw." },
	{ "prefixwatch_interface_bytes_total", "counter", "Bytes of every frame seen." },
	{ "prefixwatch_interface_nonip_frames_total", "counter", "Frames that are neither IPv4 nor IPv6." },
	{ "prefixwatch_interface_truncated_frames_total", "counter", "Frames cut before their addresses." },
	{ "prefixwatch_interface_malformed_frames_total", "counter", "Frames with a bad IP header." },
	{ "prefixwatch_interface_fragments_total", "counter", "IPv4 and IPv6 fragments." },
	{ "prefixwatch_interface_silent", "gauge", "1 while the interface itself is silent (vantage point)." },
};

int prom_write(const char *dir, const struct series_set *set, const struct pw_reader *r,
	       uint64_t now_ns, const struct tick_stats *tk)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct outfile f;
	int err;

	if (snprintf(path, sizeof(path), "%s/prefixwatch.prom", dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.prefixwatch.prom.tmp", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	err = outfile_open(&f, tmp);
	if (err)
		return err;
	f.max = SIZE_MAX; /* a snapshot written whole: no backlog to bound */

	/* The series to print, chosen once: with 65,536 blocks, a pass over
	 * every series for each metric, to print a handful, cost more than
	 * the printing. */
	size_t npick = 0;
	const struct series **pick = malloc((set->n ? set->n : 1) * sizeof(*pick));

	if (!pick) {
		outfile_close(&f);
		unlink(tmp);
		return -ENOMEM;
	}
	for (size_t k = 0; k < set->n; k++) {
		const struct series *s = &set->s[k];

		if (s->scope == SCOPE_IFACE)
			continue;
		/* Beyond PROM_MAX_BLOCKS, blocks only while not normal:
		 * a million series per scrape helps nobody. */
		if (s->scope == SCOPE_BLOCK && set->ts->nblocks > PROM_MAX_BLOCKS &&
		    (s->dormant_tick || (s->det.state != DET_OUTAGE && s->det.state != DET_DROP)))
			continue;
		pick[npick++] = s;
	}
	for (size_t m = 0; m < sizeof(series_metrics) / sizeof(series_metrics[0]); m++) {
		outfile_printf(&f, "# HELP %s %s\n# TYPE %s %s\n", series_metrics[m].name,
			       series_metrics[m].help, series_metrics[m].name, series_metrics[m].type);
		for (size_t k = 0; k < npick; k++) {
			const struct series *s = pick[k];

			outfile_printf(&f, "%s{interface=\"%s\",scope=\"%s\",block=\"%s\",direction=\"%s\"} %.17g\n",
				       series_metrics[m].name, series_iface(set, s),
				       s->scope == SCOPE_BLOCK ? "block" : "target", series_label(set, s),
				       series_dir(s), series_value(s, m));
		}
	}
	free(pick);
	for (size_t m = 0; m < sizeof(iface_metrics) / sizeof(iface_metrics[0]); m++) {
		outfile_printf(&f, "# HELP %s %s\n# TYPE %s %s\n", iface_metrics[m].name,
			       iface_metrics[m].help, iface_metrics[m].name, iface_metrics[m].type);
		for (int i = 0; i < set->nifaces; i++) {
			const struct pw_iface_counters *t = &r[i].tot;
			__u64 v[] = { t->frames, t->bytes, t->nonip, t->truncated, t->malformed,
				      t->fragments, set->s[set->ifs[i]].det.state == DET_OUTAGE };

			outfile_printf(&f, "%s{interface=\"%s\"} %llu\n", iface_metrics[m].name,
				       set->ifnames[i], (unsigned long long)v[m]);
		}
	}
	if (tk)
		outfile_printf(&f, "# HELP prefixwatch_tick_seconds Time the last read-and-write tick took.\n"
				   "# TYPE prefixwatch_tick_seconds gauge\nprefixwatch_tick_seconds %.6f\n"
				   "# HELP prefixwatch_tick_delay_seconds How late the last tick began.\n"
				   "# TYPE prefixwatch_tick_delay_seconds gauge\nprefixwatch_tick_delay_seconds %.6f\n"
				   "# HELP prefixwatch_tick_delay_max_seconds The latest a tick began since the start.\n"
				   "# TYPE prefixwatch_tick_delay_max_seconds gauge\nprefixwatch_tick_delay_max_seconds %.6f\n"
				   "# HELP prefixwatch_ticks_missed_total Ticks skipped because one ran over its interval.\n"
				   "# TYPE prefixwatch_ticks_missed_total counter\nprefixwatch_ticks_missed_total %llu\n",
			       tk->tick_s, tk->delay_s, tk->delay_max_s, (unsigned long long)tk->missed);
	outfile_printf(&f, "# HELP prefixwatch_counter_resets_total Counter resets seen (program reloaded).\n"
			   "# TYPE prefixwatch_counter_resets_total counter\nprefixwatch_counter_resets_total %llu\n"
			   "# HELP prefixwatch_last_update_timestamp_seconds When this file was written.\n"
			   "# TYPE prefixwatch_last_update_timestamp_seconds gauge\n"
			   "prefixwatch_last_update_timestamp_seconds %.3f\n",
		       (unsigned long long)set->resets, now_ns / 1e9);
	err = outfile_close(&f);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
