// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* All the files of --out together, as `run` and `replay` write them. */
#include <errno.h>
#include <string.h>
#include "export.h"
#include "log.h"
#include "timefmt.h"

void exports_log_events(const struct series_set *set)
{
	char t[40];

	for (size_t i = 0; i < set->nev; i++) {
		const struct series_event *e = &set->ev[i];

		if (e->detail) {
			pr_warn("%s %s %s: %s\n", fmt_rfc3339(e->d.time_ns, t, sizeof(t)), e->name,
				series_iface(set, e->s), e->detail);
			continue;
		}
		pr_info("%s %s %s %s %s%s\n", fmt_rfc3339(e->d.time_ns, t, sizeof(t)), e->name,
			series_iface(set, e->s), series_label(set, e->s), series_dir(e->s),
			e->vantage_silent > 0 ? " (vantage point silent too)" : "");
	}
}

int exports_open(struct exports *w, const char *dir, uint64_t rotate_s, enum csv_rows rows,
		 uint64_t now_ns)
{
	memset(w, 0, sizeof(*w));
	w->dir = dir;
	if (!dir)
		return 0;
	if (csv_open(&w->csv, dir, rotate_s, rows, now_ns))
		return -1;
	if (events_open(&w->events, dir)) {
		csv_close(&w->csv);
		return -1;
	}
	return 0;
}

/* Failures are reported by the writers and retried next interval: counting
 * goes on whatever happens to the disk. */
void exports_write(struct exports *w, const struct series_set *set, const struct pw_reader *r,
		   uint64_t now_ns, const struct tick_stats *tk)
{
	if (!w->dir)
		return;
	events_write(&w->events, set);
	csv_rows(&w->csv, set, now_ns);
	int err = prom_write(w->dir, set, r, now_ns, tk);

	if (err && !w->prom_failing)
		pr_warn("cannot write %s/prefixwatch.prom: %s; retrying every interval\n", w->dir,
			strerror(-err));
	else if (!err && w->prom_failing)
		pr_warn("%s/prefixwatch.prom: writing again\n", w->dir);
	w->prom_failing = err != 0;
}

int exports_close(struct exports *w)
{
	int err = 0;

	if (!w->dir)
		return 0;
	if ((err = outfile_close(&w->events)))
		pr_warn("%s: events not written: %s\n", w->events.path, strerror(-err));
	if (w->csv.open && (err = outfile_flush(&w->csv.f)))
		pr_warn("%s: rows not written: %s\n", w->csv.f.path, strerror(-err));
	csv_close(&w->csv);
	return err;
}
