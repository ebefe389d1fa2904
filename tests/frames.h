/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Builds test frames from a description, and records the offsets a parser
 * needs to have seen to count them: where the addresses end, where the
 * IPv6 extension chain ends, where the TCP header ends. The BPF tests and
 * the end-to-end sender share it.
 */
#ifndef PW_TEST_FRAMES_H
#define PW_TEST_FRAMES_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#define FR_MAX 1600

struct frame_spec {
	int vlans;		/* 0..3 tags */
	int outer_ad;		/* outer tag is 802.1ad (0x88a8), or 0x9100 if 2 */
	int family;		/* 4, 6, or 0 for ARP */
	const char *src, *dst;
	int ihl;		/* IPv4 header length in words; 0 means 5 */
	int bad_version;	/* write this IP version instead */
	uint16_t frag;		/* IPv4 flags+offset field (host order) */
	int ext[12], next;	/* IPv6 extension headers, in order */
	int frag6_off;		/* offset (8-byte units) in an IPv6 fragment header */
	int l4;			/* upper-layer protocol number */
	uint8_t tcpflags;
	int payload;		/* bytes after the L4 header */
};

struct frame {
	uint8_t b[FR_MAX];
	size_t len;
	size_t addr_end;	/* frame must be this long for its addresses */
	size_t opts_end;	/* IPv4: end of the header with options */
	size_t chain_end;	/* IPv6: end of the extension headers */
	size_t l4_end;		/* end of the TCP header (flags readable) */
};

static inline void fr_put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static inline void fr_u16(struct frame *f, uint16_t v)
{
	v = htons(v);
	fr_put(f, &v, 2);
}

static inline void frame_build(const struct frame_spec *s, struct frame *f)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0xb0, 0x02, 0, 0, 0, 0, 0xa0 };
	uint16_t ethertype = s->family == 4 ? 0x0800 : s->family == 6 ? 0x86DD : 0x0806;

	memset(f, 0, sizeof(*f));
	fr_put(f, macs, 12);
	for (int i = 0; i < s->vlans; i++) {
		fr_u16(f, i == 0 && s->outer_ad ? (s->outer_ad == 2 ? 0x9100 : 0x88A8) : 0x8100);
		fr_u16(f, 100 + i);	/* TCI: VLAN id */
	}
	fr_u16(f, ethertype);

	if (s->family == 0) {	/* ARP request */
		static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

		fr_put(f, arp, sizeof(arp));
		return;
	}

	size_t l3 = f->len;
	uint8_t proto = s->l4;

	if (s->family == 4) {
		int ihl = s->ihl ? s->ihl : 5;
		uint8_t h[60] = {};

		h[0] = (s->bad_version ? s->bad_version : 4) << 4 | (ihl & 0xF);
		h[6] = s->frag >> 8;
		h[7] = s->frag & 0xFF;
		h[8] = 64;
		h[9] = proto;
		inet_pton(AF_INET, s->src, h + 12);
		inet_pton(AF_INET, s->dst, h + 16);
		for (int i = 20; i < ihl * 4; i++)
			h[i] = 1;	/* NOP options */
		fr_put(f, h, ihl >= 5 ? ihl * 4 : 20);
		f->addr_end = l3 + 20;
		f->opts_end = f->len;
		f->chain_end = f->len;
	} else {
		uint8_t h[40] = {};

		h[0] = (s->bad_version ? s->bad_version : 6) << 4;
		h[6] = s->next ? s->ext[0] : proto;
		h[7] = 64;
		inet_pton(AF_INET6, s->src, h + 8);
		inet_pton(AF_INET6, s->dst, h + 24);
		fr_put(f, h, 40);
		f->addr_end = f->len;
		for (int i = 0; i < s->next; i++) {
			uint8_t nh = i + 1 < s->next ? s->ext[i + 1] : proto;
			uint8_t e[12] = { nh };

			if (s->ext[i] == 51) {		/* AH: (1 + 2) * 4 = 12 bytes */
				e[1] = 1;
				fr_put(f, e, 12);
			} else if (s->ext[i] == 44) {	/* fragment */
				e[2] = (s->frag6_off << 3) >> 8;
				e[3] = ((s->frag6_off << 3) & 0xF8) | 1;
				fr_put(f, e, 8);
			} else {			/* hop-by-hop, routing, dest opts */
				e[2] = 1;		/* PadN */
				e[3] = 4;
				fr_put(f, e, 8);
			}
		}
		f->opts_end = f->len;
		f->chain_end = f->len;
		/* payload length */
		f->b[l3 + 4] = 0;
		f->b[l3 + 5] = 0;
	}

	uint8_t h[20] = {};

	if (proto == 6) {
		h[12] = 5 << 4;
		h[13] = s->tcpflags;
		fr_put(f, h, 20);
		f->l4_end = f->len;
	} else if (proto == 17 || proto == 1 || proto == 58) {
		h[0] = proto == 1 ? 8 : proto == 58 ? 128 : 0; /* echo request */
		fr_put(f, h, 8);
	}
	for (int i = 0; i < s->payload && f->len < FR_MAX; i++)
		f->b[f->len++] = (uint8_t)i;

	/* lengths in the IP header */
	size_t iplen = f->len - l3;
	if (s->family == 4) {
		f->b[l3 + 2] = iplen >> 8;
		f->b[l3 + 3] = iplen & 0xFF;
	} else {
		f->b[l3 + 4] = (iplen - 40) >> 8;
		f->b[l3 + 5] = (iplen - 40) & 0xFF;
	}
}

#endif
