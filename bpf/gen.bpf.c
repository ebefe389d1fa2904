// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The live benchmark's traffic generator: run through BPF_PROG_TEST_RUN
 * with live frames on the sending veth, it sends each frame out (XDP_TX).
 * Live frames live in recycled pages, and the receiving stack edits some in
 * place (it strips VLAN tags): each frame is written afresh from the template
 * the generator set, so every one sent is the frame meant. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define GEN_LEN 60	/* every frame of the mix is this long */

struct gen_frame {
	__u8 b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_frame);
} gen_tmpl SEC(".maps");

SEC("xdp")
int pw_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct gen_frame *f = bpf_map_lookup_elem(&gen_tmpl, &zero);

	if (!f || data + GEN_LEN > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, f->b, GEN_LEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
