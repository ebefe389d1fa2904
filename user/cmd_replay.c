// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch replay: run captures through the live sensor's parser and counter. */
#include <stdio.h>
#include <string.h>
#include "capture.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "opts.h"
#include "replay.h"
#include "report.h"
#include "timefmt.h"

enum { OPT_ACTIVE = 256, OPT_KERNEL };

static const struct cli_option replay_opts[] = {
	OPTS_TARGETS,
	OPTS_SERIES,
	{ "active", OPT_ACTIVE, NULL, "in the final table, only rows with packets" },
	{ "quiet", 'q', NULL, "no final table" },
	{ "kernel", OPT_KERNEL, NULL, "run the frames through the XDP program in the kernel (BPF_PROG_TEST_RUN; root), not its build in this process" },
	{ NULL }
};

struct replay_ctx {
	struct pw_targets ts;
	struct sampler_opts so;
	bool active, kernel;
};

static int replay_option(int id, const char *arg, void *vctx)
{
	struct replay_ctx *c = vctx;
	int ret = opts_target(id, arg, &c->ts);

	if (ret < 0)
		ret = opts_series(id, arg, &c->so);
	if (ret >= 0)
		return ret;
	if (id == 'q')
		c->so.quiet = true;
	else if (id == OPT_ACTIVE)
		c->active = true;
	else if (id == OPT_KERNEL)
		c->kernel = true;
	return 0;
}

const struct cli_command cmd_replay_def = {
	.name = "replay",
	.synopsis = "FILE... [options]",
	.summary = "Run the frames of pcap and pcapng captures through the live sensor's parser and\n"
		   "counter (the XDP program's own source, built into prefixwatch; --kernel: the program\n"
		   "itself, in the kernel), on the captures' clock: the same counts, series, events and\n"
		   "files as `run`. Linux cooked (SLL, SLL2), raw IP and BSD loopback captures get a\n"
		   "synthetic Ethernet header; other link types are skipped and counted. Needs no\n"
		   "privilege, but root (or CAP_BPF) with --kernel.",
	.opts = replay_opts,
	.option = replay_option,
};

static void summary(const struct replay_stats *st)
{
	char a[40], b[40];

	fprintf(stderr, "prefixwatch: replayed %llu frames of %llu records in %.3f s (%.0f frames/s)",
		(unsigned long long)st->frames, (unsigned long long)st->records, st->seconds,
		st->seconds > 0 ? st->frames / st->seconds : 0);
	if (st->frames)
		fprintf(stderr, ", capture time %s to %s", fmt_rfc3339(st->first_ns, a, sizeof(a)),
			fmt_rfc3339(st->last_ns, b, sizeof(b)));
	fputc('\n', stderr);
	if (st->wrapped)
		fprintf(stderr, "prefixwatch: %llu frames given a synthetic Ethernet header\n",
			(unsigned long long)st->wrapped);
	if (st->skipped_linktype)
		fprintf(stderr, "prefixwatch: skipped %llu records of link type %s, which cannot be wrapped in Ethernet\n",
			(unsigned long long)st->skipped_linktype,
			capture_linktype_name(st->skipped_dlt));
	if (st->skipped_short)
		fprintf(stderr, "prefixwatch: skipped %llu records shorter than an Ethernet header\n",
			(unsigned long long)st->skipped_short);
	if (st->jumps)
		fprintf(stderr, "prefixwatch: the capture time jumped %llu times by more than a day, ahead or back: the series started again each time\n",
			(unsigned long long)st->jumps);
	fprintf(stderr, "prefixwatch: events: %llu outage_start, %llu outage_end, %llu drop_start, %llu drop_end, %llu vantage_silent, %llu vantage_back%s\n",
		(unsigned long long)st->events[0], (unsigned long long)st->events[1],
		(unsigned long long)st->events[2], (unsigned long long)st->events[3],
		(unsigned long long)st->events[4], (unsigned long long)st->events[5],
		pw_log_level > LOG_INFO ? "" : " (-v lists them; --out writes them)");
	if (st->out_of_order)
		fprintf(stderr, "prefixwatch: %llu frames were earlier than one before them (by up to %.3f s): counted at the latest time seen\n",
			(unsigned long long)st->out_of_order, st->max_back_s);
}

int cmd_replay(int argc, char **argv)
{
	struct replay_ctx c = { .so = OPTS_SAMPLER_DEFAULT };
	struct replay rp;
	int ret, first;

	targets_init(&c.ts);
	ret = cli_parse(&cmd_replay_def, argc, argv, &c, &first);
	if (ret)
		goto out;
	if (first == argc) {
		fprintf(stderr, "prefixwatch replay: no capture file given (see --help)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	if ((ret = opts_check_inputs(argv + first, argc - first, "capture")) ||
	    (ret = opts_finish_targets(&c.ts)) ||
	    (c.so.out && (ret = opts_check_out(c.so.out, NULL, -1, -1))))
		goto out;
	pw_log_setup_libbpf();
	if (replay_open(&rp, &c.ts, c.kernel)) {
		replay_close(&rp);
		ret = EXIT_BPF;
		goto out;
	}
	int r = replay_files(&rp, &c.ts, &c.so, argv + first, argc - first);

	summary(&rp.st);
	if (!c.so.quiet) {
		struct iface_view v = { "replay", rp.reader.nblocks, rp.reader.info, rp.reader.c,
					&rp.reader.tot, NULL };

		report_tables(stdout, &v, 1, c.active);
	}
	replay_close(&rp);
	ret = r == 0 ? EXIT_OK : EXIT_RUNTIME;
out:
	targets_free(&c.ts);
	return ret;
}
