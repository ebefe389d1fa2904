/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A reference classifier in plain C, written from the parsing rules in the
 * README ("What is counted"), not from the BPF code: what one frame must add
 * to the interface counters and to which blocks it counts, with which
 * protocol and flags. The BPF tests run generated frames through both.
 *
 * The rules: Ethernet; up to two VLAN tags (0x8100, 0x88a8, 0x9100), a tag
 * cut short is truncated; then IPv4 (20 bytes needed, else truncated; IP
 * version not 4 or header length under 20: malformed) or IPv6 (40 bytes,
 * else truncated; version not 6: malformed); anything else is non-IP. IPv4:
 * a fragment has MF or an offset; a later fragment (offset) counts by its
 * protocol field, never as SYN; otherwise the upper layer starts after the
 * header with its options, and when the options are cut short the protocol
 * field still classifies it. IPv6: hop-by-hop, routing and destination
 * options ((len + 1) * 8 bytes), AH ((len + 2) * 4) and fragment (8) headers
 * are walked, up to 8 of them; a fragment header counts the frame as a
 * fragment, and with a non-zero offset ends the walk (protocol from its next
 * header field); a chain cut short inside a header, or longer than 8, is
 * "other". TCP flags count only with the whole 20-byte TCP header: SYN
 * without ACK is a SYN, SYN with ACK a SYN-ACK.
 */
#ifndef PW_TEST_REFCLASS_H
#define PW_TEST_REFCLASS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "targets.h"

enum { REF_TCP, REF_UDP, REF_ICMP, REF_OTHER };

struct ref_result {
	int to, from;	/* block index, or -1 */
	int l4;		/* REF_* */
	int syn, synack;
	int ipv4, ipv6, nonip, truncated, malformed, fragments;
};

static inline unsigned int ref_be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline int ref_block(const struct pw_targets *ts, int family, const uint8_t *addr)
{
	struct pw_prefix a = { .family = family, .len = family == 4 ? 32 : 128 };

	memcpy(a.addr, addr, family == 4 ? 4 : 16);
	for (size_t i = 0; i < ts->nblocks; i++)
		if (ts->blocks[i].pfx.family == family && prefix_contains(&ts->blocks[i].pfx, &a))
			return (int)i;
	return -1;
}

static inline int ref_proto(unsigned int p)
{
	return p == 6 ? REF_TCP : p == 17 ? REF_UDP : p == 1 || p == 58 ? REF_ICMP : REF_OTHER;
}

/* the upper layer at off: its class, and the TCP flags if the header is whole */
static inline void ref_l4(const uint8_t *b, size_t len, size_t off, unsigned int proto,
			  struct ref_result *r)
{
	r->l4 = ref_proto(proto);
	if (proto == 6 && off + 20 <= len) {
		unsigned int f = b[off + 13] & 0x12;

		r->syn = f == 0x02;
		r->synack = f == 0x12;
	}
}

static inline void ref_classify(const uint8_t *b, size_t len, const struct pw_targets *ts,
				struct ref_result *r)
{
	size_t off = 14;
	unsigned int type;

	memset(r, 0, sizeof(*r));
	r->to = r->from = -1;
	r->l4 = REF_OTHER;
	if (len < 14) {
		r->truncated = 1;
		return;
	}
	type = ref_be16(b + 12);
	for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); tags++) {
		if (off + 4 > len) {
			r->truncated = 1;
			return;
		}
		type = ref_be16(b + off + 2);
		off += 4;
	}
	if (type == 0x0800) {
		r->ipv4 = 1;
		if (off + 20 > len) {
			r->truncated = 1;
			return;
		}
		const uint8_t *ip = b + off;
		size_t hl = (ip[0] & 15) * 4;
		unsigned int frag = ref_be16(ip + 6);

		if (ip[0] >> 4 != 4 || hl < 20) {
			r->malformed = 1;
			return;
		}
		r->fragments = (frag & 0x3fff) != 0;
		if ((frag & 0x1fff) || off + hl > len)
			r->l4 = ref_proto(ip[9]);
		else
			ref_l4(b, len, off + hl, ip[9], r);
		r->to = ref_block(ts, 4, ip + 16);
		r->from = ref_block(ts, 4, ip + 12);
	} else if (type == 0x86dd) {
		r->ipv6 = 1;
		if (off + 40 > len) {
			r->truncated = 1;
			return;
		}
		const uint8_t *ip = b + off;
		unsigned int next = ip[6];
		size_t p = off + 40;
		int walked = 0, done = 0;

		if (ip[0] >> 4 != 6) {
			r->malformed = 1;
			return;
		}
		while (!done) {
			int ext = next == 0 || next == 43 || next == 60 || next == 51 || next == 44;

			if (!ext) {
				/* the upper layer, if the chain left room for it */
				if (p <= len)
					ref_l4(b, len, p, next, r);
				done = 1;
				break;
			}
			if (walked == 8 || p + (next == 44 ? 8 : 2) > len)
				break; /* too long, or cut short: "other" */
			walked++;
			if (next == 44) {
				r->fragments = 1;
				unsigned int fo = ref_be16(b + p + 2) & 0xfff8;

				next = b[p];
				p += 8;
				if (fo) {
					r->l4 = ref_proto(next);
					done = 1;
				}
			} else {
				unsigned int cur = next;

				next = b[p];
				p += cur == 51 ? ((size_t)b[p + 1] + 2) * 4 : ((size_t)b[p + 1] + 1) * 8;
			}
		}
		if (!done)
			r->l4 = REF_OTHER;
		r->to = ref_block(ts, 6, ip + 24);
		r->from = ref_block(ts, 6, ip + 8);
	} else {
		r->nonip = 1;
	}
}

#endif
