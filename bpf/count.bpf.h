/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Parsing and counting shared by the XDP (ingress) and tc (egress) programs,
 * and by `replay`, which compiles it into user space. Every read is preceded
 * by a bounds check against the end of the packet; nothing here writes to
 * the packet.
 */
#ifndef PW_COUNT_BPF_H
#define PW_COUNT_BPF_H

#include "prefixwatch.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_P_QINQ1	0x9100	/* pre-standard QinQ, as tcpdump's "vlan" knows it */

#define IPPROTO_HOPOPTS	 0
#define IPPROTO_ICMP_	 1
#define IPPROTO_TCP_	 6
#define IPPROTO_UDP_	 17
#define IPPROTO_ROUTING	 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH_	 51
#define IPPROTO_ICMPV6	 58
#define IPPROTO_DSTOPTS	 60

#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10

enum { L4_OTHER, L4_TCP, L4_UDP, L4_ICMP };

#define PW_NO_BLOCK 0xFFFFFFFFu

/* The maps and globals. `prefixwatch replay` compiles this same file into
 * user space (user/usercount.c), which defines them itself. */
#ifndef PW_USER_BUILD
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);	/* sized by the loader */
	__type(key, struct pw_key4);
	__type(value, __u32);
} pw_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct pw_key6);
	__type(value, __u32);
} pw_lpm6 SEC(".maps");

/* Direct-index tables (see prefixwatch.h), sized and filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, PW_DIR_ROOT);
	__type(key, __u32);
	__type(value, __u32);
} pw_dir4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, PW_DIR_ROOT);
	__type(key, __u32);
	__type(value, __u32);
} pw_dir6 SEC(".maps");

/* One record per CPU and slot, CPU-major (PW_BLOCK_ENTRY): an array user
 * space maps and reads in place, where a per-CPU map costs a system call
 * and a copy of every value each interval. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PW_NDIRS);	/* sized by the loader */
	__type(key, __u32);
	__type(value, struct pw_counters);
} pw_blocks SEC(".maps");

/* Slots per CPU in pw_blocks, set by the loader. */
const volatile __u32 pw_nslots = PW_NDIRS;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pw_iface_counters);
} pw_iface SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pw_block_info);
} pw_blockinfo SEC(".maps");

/* Bumped by the reader after each read of the counters (see pw_counters). */
volatile __u64 pw_epoch;

/* Set only by `prefixwatch replay`, which runs this very program on frames
 * of a capture: the capture's clock, and the frame's length on the wire
 * when the capture kept less of it. Zero on a live interface. */
volatile __u64 pw_replay_clock;
volatile __u64 pw_replay_wire_len;

/* Written in place by `run` (mapped: so not BPF_F_RDONLY_PROG, which
 * forbids a writable mapping), read by `stats`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pw_series_state);
} pw_state SEC(".maps");
#endif /* PW_USER_BUILD */

/* Loads from the packet at any alignment: BPF's loads take any (the JIT
 * emits plain loads); user space (replay) must not assume it. */
#ifdef PW_USER_BUILD
#define PW_LD(bits)							\
	static inline __u##bits pw_ld##bits(const void *p)		\
	{								\
		__u##bits v;						\
		__builtin_memcpy(&v, p, sizeof(v));			\
		return v;						\
	}
PW_LD(16)
PW_LD(32)
PW_LD(64)
#else
#define pw_ld16(p) (*(const __u16 *)(p))
#define pw_ld32(p) (*(const __u32 *)(p))
#define pw_ld64(p) (*(const __u64 *)(p))
#endif

struct pw_pkt {
	__u32 l4;	/* L4_* */
	__u32 syn;	/* 1 for SYN without ACK */
	__u32 synack;	/* 1 for SYN+ACK */
	__u32 hdr_len;	/* bytes up to the end of the L4 header, 0 if unknown */
};

/* Upper-layer protocol number to L4_*. */
static __always_inline __u32 pw_l4_class(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return L4_TCP;
	case IPPROTO_UDP_:
		return L4_UDP;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6:
		return L4_ICMP;
	}
	return L4_OTHER;
}

/* An IPv6 extension header the parser walks (not the upper layer). */
static __always_inline int pw_ipv6_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_AH_ ||
	       nexthdr == IPPROTO_FRAGMENT;
}

/* Look at the TCP or UDP header at l4 (only for a first or unfragmented
 * packet); a header cut short leaves the flags unknown, the class stays. */
static __always_inline void pw_parse_l4(struct pw_pkt *p, void *data, void *l4,
					void *end, __u8 proto)
{
	p->l4 = pw_l4_class(proto);
	if (proto == IPPROTO_TCP_) {
		__u8 *th = l4;

		if ((void *)(th + 20) > end)
			return;
		__u8 flags = th[13] & (TCP_FLAG_SYN | TCP_FLAG_ACK);

		p->syn = flags == TCP_FLAG_SYN;
		p->synack = flags == (TCP_FLAG_SYN | TCP_FLAG_ACK);
		p->hdr_len = (l4 - data) + ((th[12] >> 4) << 2);
	} else if (proto == IPPROTO_UDP_) {
		if (l4 + 8 > end)
			return;
		p->hdr_len = (l4 - data) + 8;
	}
}

/* The entry a walk of a direct-index table ends on (PW_DIR_* in
 * prefixwatch.h): from the root entry of the address's first 16 bits, one
 * chunk per further byte. top: the address's first 64 bits, its first byte
 * the most significant (an IPv4 address in the upper half). */
static __always_inline __u32 pw_dir_walk(void *dir, __u64 top, int levels)
{
	__u32 idx = top >> 48, *e, v;

	e = bpf_map_lookup_elem(dir, &idx);
	v = e ? *e : PW_DIR_NONE;
	for (int i = 0; i < levels && PW_DIR_KIND(v) == PW_DIR_NEXT; i++) {
		idx = PW_DIR_ROOT + PW_DIR_ID(v) * 256 + ((top >> (40 - 8 * i)) & 0xFF);
		e = bpf_map_lookup_elem(dir, &idx);
		v = e ? *e : PW_DIR_NONE;
	}
	return v;
}

/* The block of an address, as a number (first byte most significant): the
 * table, and the LPM trie where the table says so. */
static __always_inline __u32 pw_find4(__u32 addr)
{
	__u32 v = pw_dir_walk(&pw_dir4, (__u64)addr << 32, PW_DIR4_LEVELS), *blk;

	if (PW_DIR_KIND(v) == PW_DIR_BLOCK)
		return PW_DIR_ID(v);
	if (PW_DIR_KIND(v) == PW_DIR_LPM) {
		struct pw_key4 key = { .prefixlen = 32 };
		__u32 be = bpf_htonl(addr);

		__builtin_memcpy(key.addr, &be, 4);
		if ((blk = bpf_map_lookup_elem(&pw_lpm4, &key)))
			return *blk;
	}
	return PW_NO_BLOCK;
}

static __always_inline __u32 pw_find6(__u64 hi, __u64 lo)
{
	__u32 v = pw_dir_walk(&pw_dir6, hi, PW_DIR6_LEVELS), *blk;

	if (PW_DIR_KIND(v) == PW_DIR_BLOCK)
		return PW_DIR_ID(v);
	if (PW_DIR_KIND(v) == PW_DIR_LPM) {
		struct pw_key6 key = { .prefixlen = 128 };
		__u64 w[2] = { bpf_cpu_to_be64(hi), bpf_cpu_to_be64(lo) };

		__builtin_memcpy(key.addr, w, 16);
		if ((blk = bpf_map_lookup_elem(&pw_lpm6, &key)))
			return *blk;
	}
	return PW_NO_BLOCK;
}

/* The block of an address in the packet (bounds already checked). */
static __always_inline __u32 pw_lookup4(const __u8 *a)
{
	return pw_find4(bpf_ntohl(pw_ld32(a)));
}

static __always_inline __u32 pw_lookup6(const __u8 *a)
{
	return pw_find6(bpf_be64_to_cpu(pw_ld64(a)), bpf_be64_to_cpu(pw_ld64(a + 8)));
}

/* base: this CPU's first entry in pw_blocks */
static __always_inline void pw_bump(__u32 base, __u32 block, __u32 dir,
				    const struct pw_pkt *p, __u64 segs,
				    __u64 bytes, __u64 now, __u64 epoch)
{
	__u32 idx = base + PW_SLOT(block, dir);
	struct pw_counters *c = bpf_map_lookup_elem(&pw_blocks, &idx);

	if (!c)
		return;
	if (c->epoch != epoch) {
		c->epoch = epoch;
		c->first_ns = now;
	}
	c->packets += segs;
	c->bytes += bytes;
	c->last_ns = now;
	switch (p->l4) {
	case L4_TCP:
		c->tcp += segs;
		break;
	case L4_UDP:
		c->udp += segs;
		break;
	case L4_ICMP:
		c->icmp += segs;
		break;
	default:
		c->other += segs;
	}
	c->syn += p->syn;
	c->synack += p->synack;
}

/* Parse one frame: the interface counters of its kind, and the blocks of
 * its destination and source (PW_NO_BLOCK when in none). */
static __always_inline void pw_parse(struct pw_iface_counters *ic, void *data, void *end,
				     __u64 segs, struct pw_pkt *p, __u32 *dst, __u32 *src)
{
	__u16 proto;
	void *pos = data;

	if (pos + ETH_HLEN > end) {
		ic->truncated += segs;
		return;
	}
	proto = pw_ld16(pos + 12);
	pos += ETH_HLEN;

	/* Up to two VLAN tags: 802.1Q, and 802.1ad (or 0x9100) outer tags. */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD) &&
		    proto != bpf_htons(ETH_P_QINQ1))
			break;
		if (pos + 4 > end) {
			ic->truncated += segs;
			return;
		}
		proto = pw_ld16(pos + 2);
		pos += 4;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		__u8 *iph = pos;

		ic->ipv4 += segs;
		if ((void *)(iph + 20) > end) {
			ic->truncated += segs;
			return;
		}
		__u32 ihl = (iph[0] & 0x0F) << 2;

		if ((iph[0] >> 4) != 4 || ihl < 20) {
			ic->malformed += segs;
			return;
		}
		__u16 frag = bpf_ntohs(pw_ld16(iph + 6));

		if (frag & (IP_MF | IP_OFFSET))
			ic->fragments += segs;
		*dst = pw_lookup4(iph + 16);
		*src = pw_lookup4(iph + 12);
		if (*dst == PW_NO_BLOCK && *src == PW_NO_BLOCK)
			return; /* the upper layer is counted for the targets only */
		if (frag & IP_OFFSET)
			p->l4 = pw_l4_class(iph[9]);
		else if (pos + ihl <= end)
			pw_parse_l4(p, data, pos + ihl, end, iph[9]);
		else
			p->l4 = pw_l4_class(iph[9]); /* options cut short */
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		__u8 *ip6h = pos;
		int done = 0;

		ic->ipv6 += segs;
		if ((void *)(ip6h + 40) > end) {
			ic->truncated += segs;
			return;
		}
		if ((ip6h[0] >> 4) != 6) {
			ic->malformed += segs;
			return;
		}
		__u8 nexthdr = ip6h[6];
		int frag6 = 0;

		pos += 40;
		/* Walk the extension-header chain to the upper layer: at most
		 * PW_IPV6_EXT_MAX headers, then the upper layer. A chain cut
		 * short or longer than the bound leaves "other". */
		for (int i = 0; i <= PW_IPV6_EXT_MAX; i++) {
			__u8 *eh = pos;

			if (i == PW_IPV6_EXT_MAX && pw_ipv6_ext(nexthdr))
				break; /* one header too many */
			if (nexthdr == IPPROTO_HOPOPTS ||
			    nexthdr == IPPROTO_ROUTING ||
			    nexthdr == IPPROTO_DSTOPTS) {
				if ((void *)(eh + 2) > end)
					break;
				nexthdr = eh[0];
				pos += ((__u32)eh[1] + 1) << 3;
			} else if (nexthdr == IPPROTO_AH_) {
				if ((void *)(eh + 2) > end)
					break;
				nexthdr = eh[0];
				pos += ((__u32)eh[1] + 2) << 2;
			} else if (nexthdr == IPPROTO_FRAGMENT) {
				if ((void *)(eh + 8) > end)
					break;
				frag6 = 1; /* a frame is one fragment, however many headers say so */
				nexthdr = eh[0];
				pos += 8;
				if (bpf_ntohs(pw_ld16(eh + 2)) & 0xFFF8) {
					/* later fragment: no L4 header */
					p->l4 = pw_l4_class(nexthdr);
					done = 1;
					break;
				}
			} else {
				if (pos <= end)
					pw_parse_l4(p, data, pos, end, nexthdr);
				done = 1;
				break;
			}
		}
		if (!done)
			p->l4 = L4_OTHER;
		if (frag6)
			ic->fragments += segs;
		/* after the walk, with its packet pointers dead: the verifier
		 * then checks the table walks once, not once for every way
		 * through the extension headers (it gave up) */
		*dst = pw_lookup6(ip6h + 24);
		*src = pw_lookup6(ip6h + 8);
	} else {
		ic->nonip += segs;
	}
}

/* Count one received or sent frame. segs > 1 only for a GSO packet at tc
 * egress, which stands for that many frames on the wire. */
static __always_inline void pw_count(void *data, void *end, __u64 len,
				     __u64 segs)
{
	__u32 zero = 0;
	struct pw_iface_counters *ic = bpf_map_lookup_elem(&pw_iface, &zero);
	struct pw_pkt p = {};
	__u32 src = PW_NO_BLOCK, dst = PW_NO_BLOCK;

	if (!ic)
		return;
	ic->frames += segs;
	ic->bytes += len;
	pw_parse(ic, data, end, segs, &p, &dst, &src);

	__u64 now = pw_replay_clock ?: bpf_jiffies64();
	__u64 epoch = pw_epoch;

	if (dst == PW_NO_BLOCK && src == PW_NO_BLOCK) {
		/* not the targets': the vantage point is alive */
		if (ic->epoch != epoch) {
			ic->epoch = epoch;
			ic->first_ns = now;
		}
		ic->last_ns = now;
		return;
	}

	/* A GSO packet carries its headers once; add them for every other
	 * segment so bytes match what goes on the wire. */
	__u64 bytes = len;

	if (segs > 1)
		bytes += (segs - 1) * p.hdr_len;

	__u32 base = PW_BLOCK_ENTRY(bpf_get_smp_processor_id(), pw_nslots, 0);

	ic->matched += segs;
	if (dst != PW_NO_BLOCK)
		pw_bump(base, dst, PW_DIR_TO, &p, segs, bytes, now, epoch);
	if (src != PW_NO_BLOCK)
		pw_bump(base, src, PW_DIR_FROM, &p, segs, bytes, now, epoch);
}

#endif /* PW_COUNT_BPF_H */
