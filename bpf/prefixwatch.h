/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI between the BPF programs and user space: map keys, value records,
 * slot numbering and limits. Both sides include this file and nothing else
 * defines these. Change a record's layout and PW_ABI_VERSION must change too:
 * the version is part of the pin directory, so old pins are never reused with
 * a new layout (libbpf refuses incompatible pinned maps anyway, but with a
 * far less helpful message).
 */
#ifndef PREFIXWATCH_H
#define PREFIXWATCH_H

/* BPF code gets the __u* types from vmlinux.h, user space from the UAPI. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PW_ABI_VERSION 2

/* Directions: a packet whose destination lies in a block counts as "to" that
 * block, one whose source lies in a block as "from" it. */
#define PW_DIR_TO	0
#define PW_DIR_FROM	1
#define PW_NDIRS	2

/* Counter slot of (block, direction) in pw_blocks. */
#define PW_SLOT(block, dir) ((block) * PW_NDIRS + (dir))

/* Hard ceiling on blocks per interface; the default limit is lower
 * (--max-blocks). Memory is blocks * 2 * sizeof(struct pw_counters) per
 * possible CPU per interface. */
#define PW_BLOCKS_DEFAULT_MAX	65536u
#define PW_BLOCKS_HARD_MAX	(1u << 24)

/* Bound on the IPv6 extension-header walk: up to this many headers are
 * followed to the upper layer; a longer chain counts as "other". */
#define PW_IPV6_EXT_MAX 8

/* Address lookup. Direct-index tables first (one array per family): entry
 * e of the root, for the address's first 16 bits, then chunks of 256
 * entries, one per further byte, up to PW_DIR4_LEVELS / PW_DIR6_LEVELS
 * chunk levels. Each entry says what the addresses under it are: */
#define PW_DIR_ROOT	65536u		/* root entries; chunk c starts at ROOT + c * 256 */
#define PW_DIR_KIND(e)	((e) >> 30)
#define PW_DIR_ID(e)	((e) & 0x3FFFFFFFu)
#define PW_DIR_NONE	0u	/* in no block */
#define PW_DIR_BLOCK	1u	/* in block ID */
#define PW_DIR_NEXT	2u	/* look at chunk ID with the next byte */
#define PW_DIR_LPM	3u	/* ask the LPM trie (blocks longer than the
				 * levels reach, or the chunk budget spent) */
#define PW_DIR4_LEVELS	2	/* 16 + 8 + 8 = 32 bits */
#define PW_DIR6_LEVELS	6	/* 16 + 6 * 8 = 64 bits; longer blocks: trie */
#define PW_DIR_ENTRY(kind, id) ((__u32)(kind) << 30 | (id))

/* LPM trie keys: prefix length in bits, then the address in network order.
 * The tries hold every block; the program asks them only where a table
 * entry says PW_DIR_LPM. */
struct pw_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct pw_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Entry of pw_blocks holding CPU cpu's record of a slot: the map is an
 * mmapable array of ncpus * nslots records, CPU-major (ncpus: the highest
 * possible CPU number plus one). */
#define PW_BLOCK_ENTRY(cpu, nslots, slot) ((cpu) * (nslots) + (slot))

/* Counters of one (interface, block, direction) on one CPU. 88 bytes, a
 * multiple of 8 (the array's element size).
 *
 * Times are in the program's clock: on an interface, jiffies
 * (bpf_jiffies64(), a few ns where a nanosecond clock costs ~30 here; the
 * reader turns them into CLOCK_MONOTONIC with pw_clock, to a kernel tick);
 * in replay, the capture's ns (pw_replay_clock). */
struct pw_counters {
	__u64 packets;
	__u64 bytes;	/* frame length as received, Ethernet header included */
	__u64 last_ns;	/* the last packet's time */
	__u64 first_ns;	/* first packet since epoch became pw_epoch ... */
	__u64 epoch;	/* ... this value of it: the reader bumps pw_epoch after
			 * each read, so first_ns is the first packet of the
			 * interval (the end of an outage, to the ns) */
	__u64 tcp;
	__u64 udp;
	__u64 icmp;	/* ICMP for IPv4, ICMPv6 for IPv6 */
	__u64 other;	/* any other upper-layer protocol, or one not found */
	__u64 syn;	/* TCP SYN without ACK */
	__u64 synack;	/* TCP SYN with ACK */
};

/* Per-CPU totals of one interface: the health of the vantage point. */
struct pw_iface_counters {
	__u64 frames;	 /* every frame seen */
	__u64 bytes;
	__u64 ipv4;
	__u64 ipv6;
	__u64 nonip;	 /* neither IPv4 nor IPv6 after up to two VLAN tags */
	__u64 truncated; /* cut before the addresses were complete */
	__u64 malformed; /* IPv4 IHL < 5, or wrong IP version in the header */
	__u64 fragments; /* IPv4 or IPv6 fragments (first and later ones) */
	__u64 matched;	 /* frames counted for at least one block */
	/* the vantage point's own life: times (as in pw_counters) of the
	 * frames that are not the targets' (frames - matched) */
	__u64 last_ns;
	__u64 first_ns;	 /* the first since epoch became pw_epoch ... */
	__u64 epoch;	 /* ... this value of it */
};

/* The map from the program's clock to CLOCK_MONOTONIC, kept by the running
 * `run` (pw_clock map, one entry) so `stats` can read times too: the
 * kernel tick j began at t0_ns + j * tick_ns. pw_clock_probe (run through
 * BPF_PROG_TEST_RUN) leaves one simultaneous reading of both clocks in
 * probe_jiffies and probe_ns. */
struct pw_clock {
	__s64 t0_ns;
	__u64 tick_ns;	/* 0: not known yet */
	__u64 probe_jiffies;
	__u64 probe_ns;
};

/* What block N is, written by user space so that `stats` and a restarted
 * `run` can name blocks and check the pinned counters mean the same thing.
 * The packet path never reads it. */
struct pw_block_info {
	__u8 family;	/* 4 or 6 */
	__u8 prefixlen;
	__u8 target_len; /* prefix length of the target this block belongs to */
	__u8 pad;
	__u32 target;	/* index of that target, in configuration order */
	__u8 addr[16];	/* block address; IPv4 uses the first 4 bytes */
	__u8 target_addr[16];
};

/* The detector's state of each (block, direction) slot, then of the
 * interface itself (index nblocks * PW_NDIRS), written every interval by a
 * running `run` so that `stats` can show it. The packet path never reads it. */
#define PW_STATE_NONE		0
#define PW_STATE_INSUFFICIENT	1	/* too little history: never raises an outage */
#define PW_STATE_NORMAL		2
#define PW_STATE_DROP		3
#define PW_STATE_OUTAGE		4	/* for the interface: silent */

struct pw_series_state {
	__u32 state;		/* PW_STATE_* */
	__u32 pad;
	__u64 baseline_mpps;	/* baseline rate, thousandths of a packet per second */
	__u64 expires_ns;	/* the interface's entry only (the last): CLOCK_MONOTONIC
				 * after which no run vouches for any of them */
};

/* Map names (<= 15 characters so bpftool shows them whole); also the names
 * of their pins inside the interface's pin directory. */
#define PW_MAP_BLOCKS	 "pw_blocks"
#define PW_MAP_IFACE	 "pw_iface"
#define PW_MAP_LPM4	 "pw_lpm4"
#define PW_MAP_LPM6	 "pw_lpm6"
#define PW_MAP_BLOCKINFO "pw_blockinfo"
#define PW_MAP_STATE	 "pw_state"
#define PW_MAP_DIR4	 "pw_dir4"
#define PW_MAP_DIR6	 "pw_dir6"
#define PW_MAP_CLOCK	 "pw_clock"
#define PW_PIN_XDP_LINK	 "xdp_link"

/* tc filter identity for the egress program (clsact egress hook). */
#define PW_TC_HANDLE	0x7077
#define PW_TC_PRIORITY	0x7077

#endif /* PREFIXWATCH_H */
