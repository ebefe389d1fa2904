// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch run: attach to interfaces and show live counts. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "cli.h"
#include "commands.h"
#include "counters.h"
#include "loader.h"
#include "log.h"
#include "sampler.h"

#define MAX_IFACES 32

enum { OPT_TFILE = 256, OPT_BLEN4, OPT_BLEN6, OPT_MAXBLK, OPT_EGRESS, OPT_KEEP,
       OPT_INTERVAL, OPT_DURATION, OPT_OUT, OPT_ROTATE, OPT_BASELINE, OPT_ALPHA, OPT_MINPKT,
       OPT_DROPRATIO, OPT_DROPHOLD, OPT_USER };

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
	{ "out", OPT_OUT, "DIR", "write series-*.csv, events.jsonl and prefixwatch.prom to DIR" },
	{ "rotate", OPT_ROTATE, "SEC", "start a new series file every SEC seconds, gzip the old (default 3600)" },
	{ "baseline", OPT_BASELINE, "SEC", "baseline window of the detector (default 900)" },
	{ "false-alarm", OPT_ALPHA, "P", "chance of a false outage per silence judged (default 1e-6)" },
	{ "min-packets", OPT_MINPKT, "N", "packets in the window before a series is judged (default 30)" },
	{ "drop-ratio", OPT_DROPRATIO, "R", "a rate below R times the baseline is a drop (default 0.1)" },
	{ "drop-hold", OPT_DROPHOLD, "SEC", "for at least SEC seconds (default 60)" },
	{ "user", OPT_USER, "NAME", "once attached, sample and write as user NAME with no capabilities" },
	{ "quiet", 'q', NULL, "print nothing while running" },
	{ NULL }
};

struct run_ctx {
	const char *ifaces[MAX_IFACES];
	int nifaces;
	struct pw_targets ts;
	struct loader_opts lo;
	bool keep;
	struct sampler_opts so;
	const char *user;
	uid_t uid;
	gid_t gid;
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
		return cli_seconds("--interval", arg, 0.01, 3600, &c->so.interval);
	case OPT_DURATION:
		return cli_seconds("--duration", arg, 0.01, 1e9, &c->so.duration);
	case 'q':
		c->so.quiet = true;
		return 0;
	case OPT_OUT:
		c->so.out = arg;
		return 0;
	case OPT_ROTATE:
		ret = cli_ulong("--rotate", arg, 1, 31 * 86400, &v);
		c->so.rotate_s = v;
		return ret;
	case OPT_BASELINE:
		return cli_seconds("--baseline", arg, 1, 365 * 86400.0, &c->so.dp.window_s);
	case OPT_ALPHA:
		ret = cli_seconds("--false-alarm", arg, 1e-300, 0.5, &c->so.dp.alpha);
		return ret;
	case OPT_MINPKT:
		ret = cli_ulong("--min-packets", arg, 1, 1000000000, &v);
		c->so.dp.min_packets = v;
		return ret;
	case OPT_DROPRATIO:
		return cli_seconds("--drop-ratio", arg, 1e-9, 0.999, &c->so.dp.drop_ratio);
	case OPT_DROPHOLD:
		return cli_seconds("--drop-hold", arg, 0.01, 365 * 86400.0, &c->so.dp.drop_hold_s);
	case OPT_USER: {
		struct passwd *pw = getpwnam(arg);

		if (!pw) {
			fprintf(stderr, "prefixwatch: no user '%s' for --user\n", arg);
			return EXIT_USAGE;
		}
		c->user = arg;
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
		return 0;
	}
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

/* --out must be a directory we can write, or one we can make: checked
 * before anything is attached. With --user, the directory we make and the
 * files of ours already in it become the user's. */
static int check_out(const char *dir, const struct run_ctx *c)
{
	static const char *ours[] = { "events.jsonl", "prefixwatch.prom" };
	struct stat st;

	if (stat(dir, &st)) {
		if (errno != ENOENT || mkdir(dir, 0755)) {
			fprintf(stderr, "prefixwatch: cannot create --out directory '%s': %s\n", dir,
				strerror(errno));
			return EXIT_USAGE;
		}
		if (c->user && chown(dir, c->uid, c->gid)) {
			fprintf(stderr, "prefixwatch: cannot give --out directory '%s' to %s: %s\n", dir,
				c->user, strerror(errno));
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "prefixwatch: --out '%s' exists and is not a directory\n", dir);
		return EXIT_USAGE;
	}
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "prefixwatch: cannot write to --out directory '%s': %s\n", dir,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (c->user) {
		char path[PATH_MAX];
		DIR *d = opendir(dir);
		struct dirent *e;

		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (snprintf(path, sizeof(path), "%s/%s", dir, ours[i]) < (int)sizeof(path))
				(void)!chown(path, c->uid, c->gid);
		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "series-", 7) &&
			    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
				(void)!chown(path, c->uid, c->gid);
		if (d)
			closedir(d);
	}
	return 0;
}

/* The child of --user: the user's ids, no supplementary groups, and so no
 * capability left (setuid from root to another user clears them all). */
static int drop_privileges(const struct run_ctx *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (setgroups(0, NULL) || setgid(c->gid) || setuid(c->uid)) {
		pr_warn("cannot become user %s: %s\n", c->user, strerror(errno));
		return -1;
	}
	if (syscall(SYS_capget, &h, d) || d[0].effective || d[0].permitted || d[1].effective ||
	    d[1].permitted) {
		pr_warn("--user %s: capabilities remain after the switch; refusing to go on\n", c->user);
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (c->so.out && access(c->so.out, W_OK | X_OK)) {
		pr_warn("--user %s cannot write to --out directory '%s': %s\n", c->user, c->so.out,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Privilege separation for --user: the child samples and writes as the
 * user; this process keeps what detaching needs, passes the stop signals
 * on and detaches once the child is done. */
static int run_as_user(struct run_ctx *c, struct pw_reader *r, int n)
{
	sigset_t mask;
	siginfo_t si;
	pid_t pid;
	int status;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pr_warn("cannot fork for --user: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (pid == 0) {
		int ret = drop_privileges(c) ? EXIT_RUNTIME : sampler_run(&c->so, &c->ts, r, c->ifaces, n);

		exit(ret);
	}
	pr_info("sampling as user %s (pid %d)\n", c->user, pid);
	for (;;) {
		if (sigwaitinfo(&mask, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(pid, SIGTERM);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_RUNTIME;
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx c = { .so = { .interval = 1.0, .rotate_s = 3600, .dp = DET_PARAMS_DEFAULT } };
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
	if (c.so.out && (ret = check_out(c.so.out, &c)))
		goto out_targets;

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
				    bpf_map__fd(s[n].skel->maps.pw_blockinfo),
				    bpf_map__fd(s[n].skel->maps.pw_state))) {
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

	ret = c.user ? run_as_user(&c, r, n) : sampler_run(&c.so, &c.ts, r, c.ifaces, n);

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
