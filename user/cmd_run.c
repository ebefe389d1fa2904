// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch run: attach to interfaces and show live counts. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "cli.h"
#include "commands.h"
#include "counters.h"
#include "health.h"
#include "loader.h"
#include "log.h"
#include "opts.h"
#include "sampler.h"

#define MAX_IFACES 32

enum { OPT_EGRESS = 256, OPT_KEEP, OPT_DURATION, OPT_USER, OPT_WAIT };

static const struct cli_option run_opts[] = {
	{ "interface", 'i', "IFNAME", "interface to watch (repeat for several; required)" },
	OPTS_TARGETS,
	{ "mode", 'm', "MODE", "XDP mode: native, generic or auto (default auto: native, else generic)" },
	{ "egress", OPT_EGRESS, NULL, "also count packets this host sends (tc egress); not on a router" },
	{ "keep-attached", OPT_KEEP, NULL, "on exit leave the program attached and counting" },
	{ "duration", OPT_DURATION, "SEC", "stop after SEC seconds, as on SIGTERM (default: run until stopped)" },
	{ "wait-for-interface", OPT_WAIT, NULL, "if an interface is deleted, wait for it and attach again (default: stop)" },
	OPTS_SERIES,
	{ "user", OPT_USER, "NAME", "once attached, sample and write as user NAME with no capabilities" },
	{ "quiet", 'q', NULL, "print nothing while running" },
	{ NULL }
};

struct run_ctx {
	const char *ifaces[MAX_IFACES];
	int nifaces;
	struct pw_sensor *s;	/* attached, for --wait-for-interface */
	struct pw_health health[MAX_IFACES];
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
	int ret = opts_target(id, arg, &c->ts);

	if (ret < 0)
		ret = opts_series(id, arg, &c->so);
	if (ret >= 0)
		return ret;
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
	case OPT_DURATION:
		return cli_seconds("--duration", arg, 0.01, 1e9, &c->so.duration);
	case OPT_WAIT:
		c->so.wait_iface = true;
		return 0;
	case 'q':
		c->so.quiet = true;
		return 0;
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

static int reattach(void *vctx, int i)
{
	struct run_ctx *c = vctx;
	int err = loader_reattach(&c->s[i], &c->lo);

	if (!err)
		c->health[i].ifindex = c->s[i].ifindex;
	return err;
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
	/* the proof: the kernel must refuse us a BPF program now (XDP needs
	 * CAP_BPF even where unprivileged socket filters are allowed) */
	struct bpf_insn ret[] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
				  { .code = BPF_JMP | BPF_EXIT } };
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", ret, 2, NULL);

	if (fd >= 0) {
		pr_warn("--user %s: the kernel still lets this process load BPF programs; refusing to go on\n",
			c->user);
		close(fd);
		return -1;
	}
	pr_info("--user %s: no capability left; the kernel refuses this process a BPF program (%s)\n",
		c->user, strerror(errno));
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
	struct run_ctx c = { .so = OPTS_SAMPLER_DEFAULT };
	struct pw_sensor s[MAX_IFACES];
	struct pw_reader r[MAX_IFACES];
	int ret, first, n = 0, err;
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
	if ((ret = opts_finish_targets(&c.ts)))
		goto out_targets;
	if (c.so.out && (ret = opts_check_out(c.so.out, c.user, c.uid, c.gid)))
		goto out_targets;
	if (c.so.wait_iface && c.user) {
		/* attaching again takes the privileges --user gives up */
		fprintf(stderr, "prefixwatch run: --wait-for-interface cannot go with --user (attaching again needs root)\n");
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
		if ((err = reader_init_fds(&r[n], s[n].ifname, bpf_map__fd(s[n].skel->maps.pw_blocks),
					   bpf_map__fd(s[n].skel->maps.pw_iface),
					   bpf_map__fd(s[n].skel->maps.pw_blockinfo),
					   bpf_map__fd(s[n].skel->maps.pw_state)))) {
			pr_warn("cannot read the block list of %s: %s\n", s[n].ifname, strerror(-err));
			reader_free(&r[n]);
			loader_close(&s[n], c.keep);
			ret = EXIT_RUNTIME;
			goto out_detach;
		}
		r[n].epoch = &s[n].skel->bss->pw_epoch;
		r[n].clock = s[n].clock;
		c.so.dp.clock_res_s = s[n].clock.tick_ns / 1e9;
		if ((err = health_init(&c.health[n], &s[n])))
			pr_warn("warning: %s: cannot watch the program and pins: %s\n", s[n].ifname,
				strerror(-err));
		pr_info("counting %zu blocks of %zu target%s on %s (%s mode%s%s%s)\n", c.ts.nblocks,
			c.ts.n, c.ts.n == 1 ? "" : "s", s[n].ifname, s[n].mode,
			s[n].egress ? ", egress too" : "",
			s[n].reused_maps ? ", counters continued from an earlier run" : "",
			s[n].reused_link ? ", program left attached by an earlier run" : "");
	}

	c.s = s;
	c.so.health = c.health;
	c.so.reattach = reattach;
	c.so.ctx = &c;
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
