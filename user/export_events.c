// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* events.jsonl: one JSON object per line, flushed as raised. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "export.h"
#include "log.h"
#include "timefmt.h"

int events_open(struct outfile *f, const char *dir)
{
	char path[PATH_MAX];
	int err;

	if (snprintf(path, sizeof(path), "%s/events.jsonl", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	err = outfile_open(f, path);
	if (err)
		pr_warn("cannot open %s: %s\n", path, strerror(-err));
	return err;
}

/* Interface names and CIDRs hold no character JSON must escape. */
int events_write(struct outfile *f, const struct series_set *set)
{
	char t[40], t2[40];

	for (size_t i = 0; i < set->nev; i++) {
		const struct series_event *e = &set->ev[i];
		const struct series *s = e->s;
		const struct det_event *d = &e->d;

		outfile_printf(f, "{\"event\":\"%s\",\"time\":\"%s\",\"interface\":\"%s\"", e->name,
			       fmt_rfc3339(d->time_ns, t, sizeof(t)), series_iface(set, s));
		if (s->scope == SCOPE_IFACE)
			outfile_printf(f, ",\"block\":null,\"direction\":null,\"scope\":\"interface\"");
		else
			outfile_printf(f, ",\"block\":\"%s\",\"direction\":\"%s\",\"scope\":\"%s\"",
				       series_label(set, s), series_dir(s),
				       s->scope == SCOPE_BLOCK ? "block" : "target");
		outfile_printf(f, ",\"detected\":\"%s\"", fmt_rfc3339(d->detected_ns, t, sizeof(t)));
		if (e->detail) {
			outfile_printf(f, ",\"detail\":\"");
			/* a path in it may hold anything */
			for (const char *c = e->detail; *c; c++)
				outfile_printf(f, *c == '"' || *c == '\\' ? "\\%c" : (unsigned char)*c < 0x20 ? "\\u%04x" : "%c", *c);
			outfile_printf(f, "\"}\n");
			continue;
		}
		if (d->type == DET_OUTAGE_START || d->type == DET_DROP_START)
			outfile_printf(f, ",\"baseline_pps\":%.6g,\"dispersion\":%.3g", d->baseline_pps,
				       d->dispersion);
		if (d->type == DET_OUTAGE_END || d->type == DET_DROP_END)
			outfile_printf(f, ",\"started\":\"%s\",\"duration_s\":%.3f",
				       fmt_rfc3339(d->started_ns, t2, sizeof(t2)), d->duration_s);
		if (e->vantage_silent >= 0)
			outfile_printf(f, ",\"vantage_silent\":%s", e->vantage_silent ? "true" : "false");
		outfile_printf(f, "}\n");
	}
	return outfile_flush(f);
}
