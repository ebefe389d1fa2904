// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live benchmark's generator: frames sent out of a veth as fast as this
 * machine allows, by BPF_PROG_TEST_RUN in live-frame mode with a program
 * that returns XDP_TX (Debian's xdp-trafficgen does not load on this kernel).
 *
 *   xdpgen GEN_BPF_OBJ IFNAME DST_MAC SECONDS
 *
 * The mix, in turn, 4096 of each: IPv4 to the target, IPv4 from it, 802.1Q
 * to it, QinQ (802.1ad outside 802.1Q) to it, and IPv4 between two other
 * hosts, all 60 bytes (the program rewrites each from a template: see
 * bpf/gen.bpf.c). Prints what was sent, by kind, as one JSON line.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "frames.h"

#define BATCH 4096

static const struct {
	const char *name;
	struct frame_spec s;
} kinds[] = {
	{ "to", { .family = 4, .src = "10.1.0.1", .dst = "175.45.176.9", .l4 = 17, .payload = 18 } },
	{ "from", { .family = 4, .src = "175.45.177.9", .dst = "10.1.0.1", .l4 = 17, .payload = 18 } },
	{ "vlan_to", { .vlans = 1, .family = 4, .src = "10.1.0.1", .dst = "175.45.178.9", .l4 = 17, .payload = 14 } },
	{ "qinq_to", { .vlans = 2, .outer_ad = 1, .family = 4, .src = "10.1.0.1", .dst = "175.45.179.9", .l4 = 17, .payload = 10 } },
	{ "other", { .family = 4, .src = "10.1.0.1", .dst = "10.2.0.1", .l4 = 17, .payload = 18 } },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct frame f[NKINDS];
	unsigned long long sent[NKINDS] = { 0 };
	unsigned int mac[6];
	int ifindex, fd;

	if (argc != 5 || sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3],
				&mac[4], &mac[5]) != 6) {
		fprintf(stderr, "usage: xdpgen GEN_BPF_OBJ IFNAME DST_MAC SECONDS\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "xdpgen: no interface '%s': %s\n", argv[2], strerror(errno));
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdpgen: cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	fd = bpf_program__fd(prog);
	int tmpl = bpf_object__find_map_fd_by_name(obj, "gen_tmpl");

	for (size_t k = 0; k < NKINDS; k++) {
		frame_build(&kinds[k].s, &f[k]);
		for (int i = 0; i < 6; i++)
			f[k].b[i] = mac[i];
		if (f[k].len != 60) {
			fprintf(stderr, "xdpgen: frame %s is %zu bytes, not 60\n", kinds[k].name, f[k].len);
			return 1;
		}
	}
	double end = now() + atof(argv[4]);

	while (now() < end) {
		for (size_t k = 0; k < NKINDS; k++) {
			struct xdp_md ctx = { .data_end = f[k].len, .ingress_ifindex = ifindex };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f[k].b, .data_size_in = f[k].len,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = BATCH,
				    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

			uint8_t v[64] = { 0 };
			uint32_t zero = 0;

			memcpy(v, f[k].b, f[k].len);
			if (bpf_map_update_elem(tmpl, &zero, v, 0) || bpf_prog_test_run_opts(fd, &o)) {
				fprintf(stderr, "xdpgen: live-frame test run on %s: %s\n", argv[2], strerror(errno));
				return 1;
			}
			sent[k] += BATCH;
		}
	}
	printf("{");
	for (size_t k = 0; k < NKINDS; k++)
		printf("%s\"%s\":%llu", k ? "," : "", kinds[k].name, sent[k]);
	printf("}\n");
	bpf_object__close(obj);
	return 0;
}
