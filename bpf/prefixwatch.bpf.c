// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * prefixwatch: count packets and bytes to and from the target blocks.
 * Both programs only read the packet and always let it through.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "count.bpf.h"

#define TC_ACT_OK 0
/* Locally built packets keep Ethernet, IP and TCP headers in the linear
 * part; pull only when even PW_PULL_MIN bytes are not there (pulling moves
 * bytes into the linear part, it does not change them). A higher bar would
 * copy the head of every cloned TCP segment with paged data. */
#define PW_PULL_MIN 64
#define PW_PULL_LEN 128

SEC("xdp")
int pw_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	/* Without the frags flag the kernel hands us only single-buffer
	 * frames, so data_end - data is the whole frame (a replayed capture
	 * may have kept less of it, and says how long it was). */
	pw_count(data, end, pw_replay_wire_len ?: end - data, 1);
	return XDP_PASS;
}

SEC("tc")
int pw_tc_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (data + PW_PULL_MIN > end && skb->len > PW_PULL_MIN) {
		bpf_skb_pull_data(skb, skb->len < PW_PULL_LEN ? skb->len : PW_PULL_LEN);
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	/* A GSO packet leaves as gso_segs frames. */
	pw_count(data, end, skb->len, skb->gso_segs ? skb->gso_segs : 1);
	return TC_ACT_OK;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pw_clock);
} pw_clock SEC(".maps");

/* One reading of both clocks, for the reader's map from jiffies to
 * CLOCK_MONOTONIC (struct pw_clock). Run through BPF_PROG_TEST_RUN only,
 * never attached. Jiffies first: the tick they name began before the ns. */
SEC("xdp")
int pw_clock_probe(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct pw_clock *c = bpf_map_lookup_elem(&pw_clock, &zero);

	if (c) {
		c->probe_jiffies = bpf_jiffies64();
		c->probe_ns = bpf_ktime_get_ns();
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
