// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "export.h"
#include "health.h"
#include "live.h"
#include "log.h"
#include "report.h"
#include "sampler.h"
#include "series.h"
#include "statemap.h"
#include "timefmt.h"

/* The interface, our program, the pins: a change is an event. Returns
 * non-zero when the run cannot go on (the interface gone, and not waited
 * for). */
static int check_health(const struct sampler_opts *o, struct series_set *set, int i, uint64_t now)
{
	struct pw_health *h = &o->health[i];
	struct health_change ch[3];
	int n, fatal = 0;

	/* back under its name: attach again, as asked (the reattach gives
	 * h the new index; the check then says it is back). The same index
	 * is the same interface, renamed away and back: our link is still on
	 * it. One that refused us is not tried again every tick. */
	int idx = h->gone && o->wait_iface && o->reattach ? (int)if_nametoindex(h->ifname) : 0;

	if (idx && idx != h->ifindex && idx != h->failed_index && o->reattach(o->ctx, i))
		h->failed_index = idx;
	n = health_check(h, ch);
	for (int k = 0; k < n; k++) {
		if (series_push_health(set, i, ch[k].event, now, ch[k].detail))
			return -1;
		if (!strcmp(ch[k].event, "interface_gone") && !o->wait_iface) {
			pr_warn("%s: stopping: the interface is gone (--wait-for-interface waits for it)\n",
				h->ifname);
			fatal = 1;
		}
	}
	return fatal;
}

int sampler_run(const struct sampler_opts *o, const struct pw_targets *ts, struct pw_reader *r,
		const char *const *ifnames, int n)
{
	bool tty = isatty(STDOUT_FILENO);
	uint64_t start = now_mono_ns(), last;
	struct itimerspec its = {};
	struct series_set set;
	struct exports w;
	struct tick_stats tk = {};
	uint64_t interval_ns = (uint64_t)(o->interval * 1e9), due;
	sigset_t mask;
	int sfd = -1, tfd = -1, ret = EXIT_OK;

	for (int i = 0; i < n; i++) {
		if (reader_read(&r[i])) {
			pr_warn("cannot read the counters of %s: %s\n", r[i].ifname, strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	last = r[0].t_ns;
	if (series_init(&set, ts, ifnames, n, r, now_real_ns())) {
		pr_warn("cannot set up the series: %s\n", strerror(ENOMEM));
		series_free(&set);
		return EXIT_RUNTIME;
	}
	if (exports_open(&w, o->out, o->rotate_s, o->csv_rows, now_real_ns())) {
		series_free(&set);
		return EXIT_RUNTIME;
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
	its.it_interval.tv_sec = (time_t)o->interval;
	its.it_interval.tv_nsec = (long)((o->interval - floor(o->interval)) * 1e9);
	its.it_value = its.it_interval;
	timerfd_settime(tfd, 0, &its, NULL);
	due = now_mono_ns() + interval_ns;

	for (bool stop = false; !stop;) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { tfd, POLLIN, 0 } };
		int timeout = -1;
		uint64_t exp;

		uint64_t now = now_mono_ns();

		/* between ticks, wake only for the end of --duration: the
		 * program stamps frames itself */
		if (o->duration > 0) {
			uint64_t end = start + (uint64_t)(o->duration * 1e9);

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
		if (pfd[1].revents & POLLIN) {
			if (read(tfd, &exp, sizeof(exp)) != sizeof(exp))
				continue;
			/* how late this tick is, against the timer's schedule;
			 * expirations beyond one are ticks that never ran */
			uint64_t woke = now_mono_ns();

			due += (exp - 1) * interval_ns;
			tk.missed += exp - 1;
			tk.delay_s = woke > due ? (woke - due) / 1e9 : 0;
			if (tk.delay_s > tk.delay_max_s)
				tk.delay_max_s = tk.delay_s;
			due += interval_ns;
		}
		if (o->duration > 0 && now_mono_ns() - start >= (uint64_t)(o->duration * 1e9))
			stop = true;
		if (!stop && !(pfd[1].revents & POLLIN))
			continue;

		uint64_t t0 = now_mono_ns();

		for (int i = 0; i < n; i++) {
			if (reader_read(&r[i])) {
				pr_warn("cannot read the counters of %s: %s\n", r[i].ifname, strerror(errno));
				ret = EXIT_RUNTIME;
				stop = true;
			}
		}
		uint64_t mono = now_mono_ns(), real = now_real_ns();

		/* rates over the measured period, not the nominal interval */
		double dt = (r[0].t_ns - last) / 1e9;

		last = r[0].t_ns;
		if (dt <= 0)
			continue;
		if (series_tick(&set, r, real, (int64_t)(real - mono), dt, &o->dp)) {
			pr_warn("cannot record events: %s\n", strerror(ENOMEM));
			ret = EXIT_RUNTIME;
			break;
		}
		for (int i = 0; o->health && i < n; i++)
			if (check_health(o, &set, i, real))
				stop = true, ret = EXIT_RUNTIME;
		exports_log_events(&set);
		exports_write(&w, &set, r, real, &tk);
		/* for `stats`: good for two intervals, then no run vouches */
		for (int i = 0; i < n; i++)
			statemap_publish(r[i].state_mem, &set, i, mono + (uint64_t)(2.5 * o->interval * 1e9));
		if (!o->quiet && !stop) {
			if (tty)
				live_table(stdout, &set, real, o->interval);
			else
				live_line(stdout, &set, real);
			fflush(stdout);
		}
		tk.tick_s = (now_mono_ns() - t0) / 1e9;
	}
	/* final counts, complete, whatever the terminal */
	if (!o->quiet) {
		struct iface_view v[32];

		for (int i = 0; i < n; i++) /* the states as last published */
			v[i] = (struct iface_view){ r[i].ifname, r[i].nblocks, r[i].info, r[i].c, &r[i].tot,
						    r[i].state_mem };
		if (tty)
			printf("\033[H\033[2J");
		report_tables(stdout, v, n, ts->nblocks * n > 64);
		fflush(stdout);
	}
	/* no run vouches for these states any more */
	for (int i = 0; i < n; i++)
		statemap_publish(r[i].state_mem, &set, i, 0);
out:
	exports_close(&w);
	series_free(&set);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return ret;
}
