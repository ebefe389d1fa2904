// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmarks only: the minimal counter the cost targets of `make bench` are
 * set against (issue 7): Ethernet, up to two VLAN tags, IPv4 or IPv6, an
 * LPM-trie lookup of each address, per-CPU packets and bytes. No protocol
 * breakdown, no SYN flags, no times, no interface counters. Measured on the
 * same machine, it tells what "over the floor" can be here.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "prefixwatch.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct pw_key4);
	__type(value, __u32);
} min_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct pw_key6);
	__type(value, __u32);
} min_lpm6 SEC(".maps");

struct min_counters {
	__u64 packets, bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct min_counters);
} min_blocks SEC(".maps");

static __always_inline void bump(__u32 *blk, __u32 dir, __u64 len)
{
	struct min_counters *c;
	__u32 slot;

	if (!blk)
		return;
	slot = PW_SLOT(*blk, dir);
	c = bpf_map_lookup_elem(&min_blocks, &slot);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp")
int min_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end, *pos = data;
	__u64 len = end - data;
	__u16 proto;

	if (pos + 14 > end)
		return XDP_PASS;
	proto = ((__u16 *)pos)[6];
	pos += 14;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(0x8100) && proto != bpf_htons(0x88A8))
			break;
		if (pos + 4 > end)
			return XDP_PASS;
		proto = ((__u16 *)pos)[1];
		pos += 4;
	}
	if (proto == bpf_htons(0x0800)) {
		__u8 *iph = pos;
		struct pw_key4 k = { .prefixlen = 32 };

		if ((void *)(iph + 20) > end)
			return XDP_PASS;
		__builtin_memcpy(k.addr, iph + 16, 4);
		bump(bpf_map_lookup_elem(&min_lpm4, &k), PW_DIR_TO, len);
		__builtin_memcpy(k.addr, iph + 12, 4);
		bump(bpf_map_lookup_elem(&min_lpm4, &k), PW_DIR_FROM, len);
	} else if (proto == bpf_htons(0x86DD)) {
		__u8 *ip6h = pos;
		struct pw_key6 k = { .prefixlen = 128 };

		if ((void *)(ip6h + 40) > end)
			return XDP_PASS;
		__builtin_memcpy(k.addr, ip6h + 24, 16);
		bump(bpf_map_lookup_elem(&min_lpm6, &k), PW_DIR_TO, len);
		__builtin_memcpy(k.addr, ip6h + 8, 16);
		bump(bpf_map_lookup_elem(&min_lpm6, &k), PW_DIR_FROM, len);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
