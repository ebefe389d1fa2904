/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BGP UPDATE decoding (RFC 4271, 4760, 6793, 7911): withdrawn routes, path
 * attributes, NLRI, MP_REACH/MP_UNREACH for IPv6, 2- and 4-byte AS paths and
 * AS4_PATH. No I/O: the MRT reader feeds it, a BMP feed could too. Every read
 * is bounds-checked; damage is an error with a reason, never a crash.
 */
#ifndef PW_BGPMSG_H
#define PW_BGPMSG_H

#include <stddef.h>
#include <stdint.h>

#define BGP_MAX_PREFIXES 4096
#define BGP_MAX_ASNS	 1024
#define BGP_MAX_SEGS	 128
#define BGP_MAX_COMMS	 1024

enum { AS_SET = 1, AS_SEQUENCE = 2, AS_CONFED_SEQUENCE = 3, AS_CONFED_SET = 4 };

struct bgp_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];
	uint32_t path_id;	/* ADD-PATH, else 0 */
};

struct bgp_path {
	int nseg, nasn;
	uint8_t type[BGP_MAX_SEGS];
	uint16_t len[BGP_MAX_SEGS];
	uint32_t asn[BGP_MAX_ASNS];
};

/* Which attributes were present (bit = attribute type code, < 64). */
#define ATTR_BIT(t) (1ull << (t))
enum {
	ATTR_ORIGIN = 1, ATTR_AS_PATH = 2, ATTR_NEXT_HOP = 3, ATTR_MED = 4, ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGREGATE = 6, ATTR_AGGREGATOR = 7, ATTR_COMMUNITIES = 8,
	ATTR_MP_REACH = 14, ATTR_MP_UNREACH = 15, ATTR_AS4_PATH = 17, ATTR_AS4_AGGREGATOR = 18,
	ATTR_LARGE_COMMUNITIES = 32,
};

struct bgp_attrs {
	uint64_t present;
	uint8_t origin;
	struct bgp_path path;		/* AS_PATH merged with AS4_PATH */
	uint8_t nexthop[4];
	uint32_t med, local_pref;
	uint32_t aggr_as;
	uint8_t aggr_ip[4];
	int ncomm;
	uint32_t comm[BGP_MAX_COMMS];
	/* MP_REACH next hop */
	uint8_t mp_family;
	uint8_t mp_nexthop[16];
};

struct bgp_update {
	int nwithdrawn, nannounced;
	struct bgp_prefix withdrawn[BGP_MAX_PREFIXES];	/* IPv4, then MP_UNREACH */
	struct bgp_prefix announced[BGP_MAX_PREFIXES];	/* IPv4, then MP_REACH */
	struct bgp_attrs attrs;
};

struct bgp_opts {
	int as4;	/* AS_PATH carries 4-byte ASNs */
	int addpath;	/* NLRI carry path identifiers */
};

/* Decode a whole BGP message (marker, length, type) holding an UPDATE; a
 * message of another type gives -ENOMSG. On damage: -EBADMSG and a reason,
 * or -EPROTO when only the tail of the NLRI is damaged: the prefixes before
 * it and the attributes are good. */
int bgp_decode_message(const uint8_t *msg, size_t len, const struct bgp_opts *o,
		       struct bgp_update *u, const char **why);
/* Decode path attributes alone (as TABLE_DUMP records carry them). The
 * next hop of an abbreviated MP_REACH (TABLE_DUMP_V2) is read too. */
int bgp_decode_attrs(const uint8_t *p, size_t len, const struct bgp_opts *o, int rib,
		     struct bgp_attrs *a, struct bgp_prefix *nlri, int *nnlri,
		     struct bgp_prefix *unreach, int *nunreach, const char **why);
/* Read one NLRI prefix of a family; returns bytes used or -1. */
int bgp_read_prefix(const uint8_t *p, size_t len, int family, int addpath, struct bgp_prefix *out);

/* The AS path as bgpdump prints it: "1 2 {3,4} (5 6) [7,8]". */
char *bgp_path_str(const struct bgp_path *p, char *buf, size_t len);
/* Origin AS (last of the last sequence; 0 if it ends in a set or is empty)
 * and the AS before it ("upstream": 0 if none). */
uint32_t bgp_path_origin(const struct bgp_path *p, uint32_t *upstream);

#endif
