// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The floor: an XDP program that does nothing. Tests attach it as "another
 * tool's" program; benchmarks measure against it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pw_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
