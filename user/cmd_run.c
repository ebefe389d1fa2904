// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch run: attach to interfaces and show live counts. */
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "cli.h"
#include "commands.h"
#include "counters.h"
#include "loader.h"
#include "log.h"
#include "report.h"
#include "timefmt.h"

#define MAX_IFACES 32
/* Beyond this many blocks the live table shows only blocks with traffic. */
#define LIVE_ALL_BLOCKS 64

enum { OPT_TFILE = 256, OPT_BLEN4, OPT_BLEN6, OPT_MAXBLK, OPT_EGRESS, OPT_KEEP,
       OPT_INTERVAL, OPT_DURATION };

static const struct cli_option run_opts[] = {
	{ "interface", 'i', "IFNAME", "interface to watch (repeat for several; required)" },
	{ "target", 't', "CIDR", "target prefix, IPv4 or IPv6 (repeatable; default " PW_DEFAULT_TARGET ")" },
	{ "targets-file", OPT_TFILE, "FILE", "read targets from FILE: one CIDR per line, # comments" },
	{ "block-len4", OPT_BLEN4, "N", "split IPv4 targets into /N blocks (default 24)" },
	{ "block-len6", OPT_BLEN6, "N", "split IPv6 targets into /N blocks (default 48)" },
	{ "max-blocks", OPT_MAXBLK, "N", "refuse targets that make more than N blocks (default 65536)" },
	{ "mode", 'm', "MODE", "XDP mode: native, generic or auto (default auto: native, else generic)" },
	{ "egress", OPT_EGRESS, NULL, "also count packets this host sends (tc egress); not on a router" },
	{ "keep-attached", OPT_KEEP, NULL, "on exit leave the program attached and counting" },
	{ "interval", OPT_INTERVAL, "SEC", "seconds between reads of the counters (default 1)" },
	{ "duration", OPT_DURATION, "SEC", "stop after SEC seconds, as on SIGTERM (default: run until stopped)" },
	{ "quiet", 'q', NULL, "print nothing while running" },
	{ NULL }
};

struct run_ctx {
	const char *ifaces[MAX_IFACES];
	int nifaces;
	struct pw_targets ts;
	struct loader_opts lo;
	bool keep;
	bool quiet;
	double interval, duration;
};

static int run_option(int id, const char *arg, void *vctx)
{
	struct run_ctx *c = vctx;
	char err[PW_ERRLEN], origin[64];
	unsigned long v;
	int ret = 0;

	switch (id) {
	case 'i':
		if (!if_nametoindex(arg)) {
			fprintf(stderr, "prefixwatch: no interface '%s': %s\n", arg, strerror(errno));
			return EXIT_USAGE;
		}
		for (int k = 0; k < c->nifaces; k++)
			if (!strcmp(c->ifaces[k], arg)) {
				fprintf(stderr, "prefixwatch: interface '%s' given twice\n", arg);
				return EXIT_USAGE;
			}
		if (c->nifaces == MAX_IFACES) {
			fprintf(stderr, "prefixwatch: too many interfaces (at most %d)\n", MAX_IFACES);
			return EXIT_USAGE;
		}
		c->ifaces[c->nifaces++] = arg;
		return 0;
	case 't':
		snprintf(origin, sizeof(origin), "-t %.50s", arg);
		ret = targets_add(&c->ts, arg, origin, err, sizeof(err));
		break;
	case OPT_TFILE:
		ret = targets_add_file(&c->ts, arg, err, sizeof(err));
		break;
	case OPT_BLEN4:
		ret = cli_ulong("--block-len4", arg, 1, 32, &v);
		c->ts.blen4 = v;
		return ret;
	case OPT_BLEN6:
		ret = cli_ulong("--block-len6", arg, 1, 128, &v);
		c->ts.blen6 = v;
		return ret;
	case OPT_MAXBLK:
		ret = cli_ulong("--max-blocks", arg, 1, PW_BLOCKS_HARD_MAX, &v);
		c->ts.max_blocks = v;
		return ret;
	case 'm':
		if (!strcmp(arg, "native"))
			c->lo.mode = PW_MODE_NATIVE;
		else if (!strcmp(arg, "generic") || !strcmp(arg, "skb"))
			c->lo.mode = PW_MODE_GENERIC;
		else if (!strcmp(arg, "auto"))
			c->lo.mode = PW_MODE_AUTO;
		else {
			fprintf(stderr, "prefixwatch: invalid value '%s' for --mode: must be native, generic or auto\n", arg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_EGRESS:
		c->lo.egress = true;
		return 0;
	case OPT_KEEP:
		c->keep = true;
		return 0;
	case OPT_INTERVAL:
		return cli_seconds("--interval", arg, 0.01, 3600, &c->interval);
	case OPT_DURATION:
		return cli_seconds("--duration", arg, 0.01, 1e9, &c->duration);
	case 'q':
		c->quiet = true;
		return 0;
	}
	if (ret) {
		fprintf(stderr, "prefixwatch: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

const struct cli_command cmd_run_def = {
	.name = "run",
	.synopsis = "-i IFNAME [-i IFNAME ...] [options]",
	.summary = "Attach the counting program to each interface and show live counts of packets\n"
		   "and bytes to and from every block of the targets. Stop with Ctrl-C or SIGTERM.",
	.opts = run_opts,
	.option = run_option,
};

/* Live view on a terminal: the whole table, redrawn each interval. */
static void show_table(struct pw_reader *r, struct pw_counters **prev, int n,
		       double dt, bool rates, bool all)
{
	struct iface_view v[MAX_IFACES] = {};
	double *pps[MAX_IFACES] = {}, *bps[MAX_IFACES] = {};

	for (int i = 0; i < n; i++) {
		v[i] = (struct iface_view){ r[i].ifname, r[i].nblocks, r[i].info, r[i].c, &r[i].tot };
		if (!rates)
			continue;
		size_t ns = (size_t)r[i].nblocks * PW_NDIRS;

		pps[i] = calloc(ns, sizeof(double));
		bps[i] = calloc(ns, sizeof(double));
		if (!pps[i] || !bps[i])
			continue;
		for (size_t s = 0; s < ns; s++) {
			/* a counter that went backwards was reset: count from zero */
			__u64 dp = r[i].c[s].packets >= prev[i][s].packets ?
				   r[i].c[s].packets - prev[i][s].packets : r[i].c[s].packets;
			__u64 db = r[i].c[s].bytes >= prev[i][s].bytes ?
				   r[i].c[s].bytes - prev[i][s].bytes : r[i].c[s].bytes;

			pps[i][s] = dp / dt;
			bps[i][s] = db * 8 / dt;
		}
		v[i].pps = pps[i];
		v[i].bps = bps[i];
	}
	report_tables(stdout, v, n, !all);
	for (int i = 0; i < n; i++) {
		free(pps[i]);
		free(bps[i]);
	}
}

/* Not a terminal: one line per interface and interval. */
static void show_line(const struct pw_reader *r, const struct pw_counters *prev, double dt)
{
	__u64 to = 0, from = 0, dto = 0, dfrom = 0;
	char when[40];

	for (uint32_t b = 0; b < r->nblocks; b++) {
		to += r->c[PW_SLOT(b, PW_DIR_TO)].packets;
		from += r->c[PW_SLOT(b, PW_DIR_FROM)].packets;
		dto += r->c[PW_SLOT(b, PW_DIR_TO)].packets - prev[PW_SLOT(b, PW_DIR_TO)].packets;
		dfrom += r->c[PW_SLOT(b, PW_DIR_FROM)].packets - prev[PW_SLOT(b, PW_DIR_FROM)].packets;
	}
	printf("%s %s frames=%llu to=%llu (%.1f pps) from=%llu (%.1f pps) nonip=%llu truncated=%llu\n",
	       fmt_rfc3339(now_real_ns(), when, sizeof(when)), r->ifname,
	       (unsigned long long)r->tot.frames, (unsigned long long)to, dto / dt,
	       (unsigned long long)from, dfrom / dt, (unsigned long long)r->tot.nonip,
	       (unsigned long long)(r->tot.truncated + r->tot.malformed));
}

static int sample_loop(struct run_ctx *c, struct pw_reader *r, int n)
{
	struct pw_counters *prev[MAX_IFACES] = {};
	bool tty = isatty(STDOUT_FILENO);
	uint32_t total_blocks = 0;
	uint64_t start = now_mono_ns(), last = start;
	struct itimerspec its = {};
	sigset_t mask;
	int sfd = -1, tfd = -1, ret = EXIT_OK;

	for (int i = 0; i < n; i++) {
		total_blocks += r[i].nblocks;
		prev[i] = calloc((size_t)r[i].nblocks * PW_NDIRS, sizeof(**prev));
		if (!prev[i] || reader_read(&r[i])) {
			pr_warn("cannot read the counters of %s: %s\n", r[i].ifname, strerror(errno));
			ret = EXIT_RUNTIME;
			goto out;
		}
		memcpy(prev[i], r[i].c, (size_t)r[i].nblocks * PW_NDIRS * sizeof(**prev));
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0) {
		pr_warn("cannot set up the sampling loop: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	its.it_interval.tv_sec = (time_t)c->interval;
	its.it_interval.tv_nsec = (long)((c->interval - floor(c->interval)) * 1e9);
	its.it_value = its.it_interval;
	timerfd_settime(tfd, 0, &its, NULL);

	for (;;) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { tfd, POLLIN, 0 } };
		bool stop = false;
		uint64_t exp;

		int timeout = -1;

		if (c->duration > 0) {
			/* wake for the end of --duration even between ticks */
			uint64_t end = start + (uint64_t)(c->duration * 1e9), now = now_mono_ns();

			timeout = now >= end ? 0 : (int)((end - now + 999999) / 1000000);
		}
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			pr_warn("poll failed: %s\n", strerror(errno));
			ret = EXIT_RUNTIME;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				pr_info("%s received, stopping\n", strsignal(si.ssi_signo));
			stop = true;
		}
		if (pfd[1].revents & POLLIN && read(tfd, &exp, sizeof(exp)) < 0)
			continue;
		if (c->duration > 0 && now_mono_ns() - start >= (uint64_t)(c->duration * 1e9))
			stop = true;

		for (int i = 0; i < n; i++) {
			if (reader_read(&r[i])) {
				pr_warn("cannot read the counters of %s: %s\n", r[i].ifname, strerror(errno));
				ret = EXIT_RUNTIME;
				stop = true;
			}
		}
		/* rates over the measured period, not the nominal interval */
		double dt = (r[0].t_ns - last) / 1e9;

		last = r[0].t_ns;
		if (!c->quiet && !stop && dt > 0) {
			if (tty) {
				char when[40];

				printf("\033[H\033[2J");
				printf("prefixwatch  %s  every %gs  (Ctrl-C to stop)\n\n",
				       fmt_rfc3339(now_real_ns(), when, sizeof(when)), c->interval);
				show_table(r, prev, n, dt, true, total_blocks <= LIVE_ALL_BLOCKS);
			} else {
				for (int i = 0; i < n; i++)
					show_line(&r[i], prev[i], dt);
			}
			fflush(stdout);
		}
		for (int i = 0; i < n; i++) {
			memcpy(prev[i], r[i].c, (size_t)r[i].nblocks * PW_NDIRS * sizeof(**prev));
			}
		if (stop)
			break;
	}
	/* final counts, complete, whatever the terminal */
	if (!c->quiet) {
		if (tty)
			printf("\033[H\033[2J");
		show_table(r, prev, n, 0, false, total_blocks <= LIVE_ALL_BLOCKS);
		fflush(stdout);
	}
out:
	for (int i = 0; i < n; i++)
		free(prev[i]);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx c = { .interval = 1.0 };
	struct pw_sensor s[MAX_IFACES];
	struct pw_reader r[MAX_IFACES];
	char err[PW_ERRLEN];
	int ret, first, n = 0;
	sigset_t mask;

	targets_init(&c.ts);
	ret = cli_parse(&cmd_run_def, argc, argv, &c, &first);
	if (ret)
		goto out_targets;
	if (first < argc) {
		fprintf(stderr, "prefixwatch run: unexpected argument '%s' (interfaces go with -i)\n", argv[first]);
		ret = EXIT_USAGE;
		goto out_targets;
	}
	if (!c.nifaces) {
		fprintf(stderr, "prefixwatch run: no interface given: use -i IFNAME (see --help)\n");
		ret = EXIT_USAGE;
		goto out_targets;
	}
	if (!c.ts.n && targets_add(&c.ts, PW_DEFAULT_TARGET, "default", err, sizeof(err))) {
		fprintf(stderr, "prefixwatch: %s\n", err);
		ret = EXIT_USAGE;
		goto out_targets;
	}
	if (targets_split(&c.ts, err, sizeof(err))) {
		fprintf(stderr, "prefixwatch: %s\n", err);
		ret = EXIT_USAGE;
		goto out_targets;
	}

	/* Block the stop signals before attaching: one that arrives while we
	 * attach waits for the loop instead of killing us half-way. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	pw_log_setup_libbpf();

	for (; n < c.nifaces; n++) {
		if (loader_attach(&s[n], c.ifaces[n], &c.ts, &c.lo)) {
			ret = EXIT_BPF;
			goto out_detach;
		}
		if (reader_init_fds(&r[n], s[n].ifname, bpf_map__fd(s[n].skel->maps.pw_blocks),
				    bpf_map__fd(s[n].skel->maps.pw_iface),
				    bpf_map__fd(s[n].skel->maps.pw_blockinfo))) {
			pr_warn("cannot read the block list of %s: %s\n", s[n].ifname, strerror(errno));
			loader_close(&s[n], c.keep);
			ret = EXIT_RUNTIME;
			goto out_detach;
		}
		r[n].epoch = &s[n].skel->bss->pw_epoch;
		pr_info("counting %zu blocks of %zu target%s on %s (%s mode%s%s%s)\n", c.ts.nblocks,
			c.ts.n, c.ts.n == 1 ? "" : "s", s[n].ifname, s[n].mode,
			s[n].egress ? ", egress too" : "",
			s[n].reused_maps ? ", counters continued from an earlier run" : "",
			s[n].reused_link ? ", program left attached by an earlier run" : "");
	}

	ret = sample_loop(&c, r, n);

out_detach:
	while (n-- > 0) {
		reader_free(&r[n]);
		loader_close(&s[n], c.keep);
		pr_info("%s: %s\n", s[n].ifname, c.keep ? "left attached, still counting" : "detached");
	}
out_targets:
	targets_free(&c.ts);
	return ret < 0 ? EXIT_OK : ret;
}
