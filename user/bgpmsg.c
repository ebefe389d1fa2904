// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bgpmsg.h"

#define AS_TRANS 23456

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int bgp_read_prefix(const uint8_t *p, size_t len, int family, int addpath, struct bgp_prefix *out)
{
	size_t off = 0, bytes;
	unsigned int max = family == 4 ? 32 : 128;

	memset(out, 0, sizeof(*out));
	out->family = family;
	if (addpath) {
		if (len < 4)
			return -1;
		out->path_id = get32(p);
		off = 4;
	}
	if (off >= len)
		return -1;
	out->len = p[off++];
	if (out->len > max)
		return -1;
	bytes = (out->len + 7) / 8;
	if (off + bytes > len)
		return -1;
	memcpy(out->addr, p + off, bytes);
	/* bits past the prefix length are not part of it */
	if (out->len % 8)
		out->addr[bytes - 1] &= 0xFF << (8 - out->len % 8);
	return off + bytes;
}

static int read_prefixes(const uint8_t *p, size_t len, int family, int addpath,
			 struct bgp_prefix *out, int *n, const char **why)
{
	size_t off = 0;

	while (off < len) {
		if (*n >= BGP_MAX_PREFIXES) {
			*why = "more prefixes than one message can hold";
			return -EBADMSG;
		}
		int used = bgp_read_prefix(p + off, len - off, family, addpath, &out[*n]);

		if (used < 0) {
			*why = family == 4 ? "bad IPv4 prefix (length over 32 or past the end)"
					   : "bad IPv6 prefix (length over 128 or past the end)";
			return -EBADMSG;
		}
		off += used;
		(*n)++;
	}
	return 0;
}

static int read_path(const uint8_t *p, size_t len, int asn_size, struct bgp_path *path,
		     const char **why)
{
	size_t off = 0;

	memset(path, 0, sizeof(*path));
	while (off < len) {
		if (off + 2 > len) {
			*why = "AS path segment header cut short";
			return -EBADMSG;
		}
		uint8_t type = p[off], n = p[off + 1];

		off += 2;
		if (type < AS_SET || type > AS_CONFED_SET) {
			*why = "unknown AS path segment type";
			return -EBADMSG;
		}
		if (off + (size_t)n * asn_size > len) {
			*why = "AS path segment runs past the attribute";
			return -EBADMSG;
		}
		if (path->nseg >= BGP_MAX_SEGS || path->nasn + n > BGP_MAX_ASNS) {
			*why = "AS path too long";
			return -EBADMSG;
		}
		path->type[path->nseg] = type;
		path->len[path->nseg++] = n;
		for (int i = 0; i < n; i++, off += asn_size)
			path->asn[path->nasn++] = asn_size == 4 ? get32(p + off) : get16(p + off);
	}
	return 0;
}

/* How many ASNs a path counts for (RFC 6793 4.2.3): a set counts one,
 * confederation segments none. */
static int path_count(const struct bgp_path *p)
{
	int n = 0;

	for (int s = 0; s < p->nseg; s++)
		n += p->type[s] == AS_SEQUENCE ? p->len[s] : p->type[s] == AS_SET ? 1 : 0;
	return n;
}

/* Keep the first (count(path) - count(as4)) ASNs of path, then as4. */
static void merge_as4(struct bgp_path *path, const struct bgp_path *as4)
{
	int keep = path_count(path) - path_count(as4);
	struct bgp_path out = { 0 };
	int a = 0, b = 0;

	if (keep < 0)
		return; /* AS4_PATH longer than AS_PATH: ignore it (RFC 6793) */
	for (int s = 0; s < path->nseg && keep > 0; s++) {
		int t = path->type[s], take = path->len[s];

		if (t == AS_SEQUENCE && take > keep)
			take = keep;
		out.type[out.nseg] = t;
		out.len[out.nseg++] = take;
		for (int i = 0; i < take; i++)
			out.asn[out.nasn++] = path->asn[a + i];
		keep -= t == AS_SEQUENCE ? take : t == AS_SET ? 1 : 0;
		a += path->len[s];
	}
	for (int s = 0; s < as4->nseg && out.nseg < BGP_MAX_SEGS; s++) {
		out.type[out.nseg] = as4->type[s];
		out.len[out.nseg++] = as4->len[s];
		for (int i = 0; i < as4->len[s] && out.nasn < BGP_MAX_ASNS; i++)
			out.asn[out.nasn++] = as4->asn[b + i];
		b += as4->len[s];
	}
	*path = out;
}

int bgp_decode_attrs(const uint8_t *p, size_t len, const struct bgp_opts *o, int rib,
		     struct bgp_attrs *a, struct bgp_prefix *nlri, int *nnlri,
		     struct bgp_prefix *unreach, int *nunreach, const char **why)
{
	struct bgp_path as4 = { 0 };
	size_t off = 0;
	uint32_t as4_aggr_as = 0;
	uint8_t as4_aggr_ip[4];
	int err;

	memset(a, 0, offsetof(struct bgp_attrs, comm));
	a->ncomm = 0;
	while (off < len) {
		if (off + 3 > len) {
			*why = "path attribute header cut short";
			return -EBADMSG;
		}
		uint8_t flags = p[off], type = p[off + 1];
		size_t alen, hl = flags & 0x10 ? 4 : 3;

		if (off + hl > len) {
			*why = "path attribute header cut short";
			return -EBADMSG;
		}
		alen = flags & 0x10 ? get16(p + off + 2) : p[off + 2];
		off += hl;
		if (off + alen > len) {
			*why = "path attribute runs past the attributes";
			return -EBADMSG;
		}
		const uint8_t *v = p + off;

		off += alen;
		if (type < 64)
			a->present |= ATTR_BIT(type);
		switch (type) {
		case ATTR_ORIGIN:
			if (alen != 1)
				goto bad_len;
			a->origin = v[0];
			break;
		case ATTR_AS_PATH:
			err = read_path(v, alen, o->as4 ? 4 : 2, &a->path, why);
			if (err)
				return err;
			break;
		case ATTR_AS4_PATH:
			err = read_path(v, alen, 4, &as4, why);
			if (err)
				return err;
			break;
		case ATTR_NEXT_HOP:
			if (alen != 4)
				goto bad_len;
			memcpy(a->nexthop, v, 4);
			break;
		case ATTR_MED:
			if (alen != 4)
				goto bad_len;
			a->med = get32(v);
			break;
		case ATTR_LOCAL_PREF:
			if (alen != 4)
				goto bad_len;
			a->local_pref = get32(v);
			break;
		case ATTR_AGGREGATOR:
			/* by its length: some writers put a 4-byte AS in 2-byte dumps */
			if (alen != 8 && alen != 6)
				goto bad_len;
			a->aggr_as = alen == 8 ? get32(v) : get16(v);
			memcpy(a->aggr_ip, v + alen - 4, 4);
			break;
		case ATTR_AS4_AGGREGATOR:
			if (alen != 8)
				goto bad_len;
			as4_aggr_as = get32(v);
			memcpy(as4_aggr_ip, v + 4, 4);
			break;
		case ATTR_COMMUNITIES:
			if (alen % 4)
				goto bad_len;
			for (size_t i = 0; i < alen && a->ncomm < BGP_MAX_COMMS; i += 4)
				a->comm[a->ncomm++] = get32(v + i);
			break;
		case ATTR_MP_REACH: {
			if (!alen) {
				*why = "MP_REACH_NLRI too short";
				return -EBADMSG;
			}
			/* TABLE_DUMP_V2 abbreviates it to the next hop alone
			 * (RFC 6396 4.3.4); updates carry AFI, SAFI too. */
			size_t q = 0;
			int afi = 0;

			/* Some RIB writers keep the full form; the abbreviated
			 * one starts with the next hop length, which then is
			 * the rest of the attribute. */
			if (!rib || v[0] != alen - 1) {
				if (alen < 5) {
					*why = "MP_REACH_NLRI too short";
					return -EBADMSG;
				}
				afi = get16(v);
				q = 3;
			}
			uint8_t nhl = v[q++];

			if (q + nhl > alen) {
				*why = "MP_REACH_NLRI next hop runs past the attribute";
				return -EBADMSG;
			}
			a->mp_family = nhl == 4 ? 4 : 6;
			if (nhl == 4 || nhl >= 16)
				memcpy(a->mp_nexthop, v + q, nhl == 4 ? 4 : 16);
			q += nhl;
			if (rib)
				break;
			if (q + 1 > alen) {
				*why = "MP_REACH_NLRI cut short";
				return -EBADMSG;
			}
			q++; /* reserved */
			if ((afi == 1 || afi == 2) && nlri) {
				err = read_prefixes(v + q, alen - q, afi == 1 ? 4 : 6, o->addpath, nlri,
						    nnlri, why);
				if (err)
					return err;
			}
			break;
		}
		case ATTR_MP_UNREACH: {
			if (alen < 3) {
				*why = "MP_UNREACH_NLRI too short";
				return -EBADMSG;
			}
			int afi = get16(v);

			if ((afi == 1 || afi == 2) && unreach) {
				err = read_prefixes(v + 3, alen - 3, afi == 1 ? 4 : 6, o->addpath, unreach,
						    nunreach, why);
				if (err)
					return err;
			}
			break;
		}
		}
		continue;
bad_len:
		*why = "path attribute of the wrong length";
		return -EBADMSG;
	}
	if (!o->as4 && (a->present & ATTR_BIT(ATTR_AS4_PATH)))
		merge_as4(&a->path, &as4);
	if (!o->as4 && as4_aggr_as && a->aggr_as == AS_TRANS) {
		a->aggr_as = as4_aggr_as;
		memcpy(a->aggr_ip, as4_aggr_ip, 4);
	}
	return 0;
}

int bgp_decode_message(const uint8_t *msg, size_t len, const struct bgp_opts *o,
		       struct bgp_update *u, const char **why)
{
	size_t wl, al;
	int err;

	u->nwithdrawn = u->nannounced = 0;
	if (len < 19) {
		*why = "BGP message shorter than its header";
		return -EBADMSG;
	}
	if (msg[18] != 2)
		return -ENOMSG;
	if (get16(msg + 16) > len) {
		*why = "BGP message longer than its record";
		return -EBADMSG;
	}
	len = get16(msg + 16) < 19 ? len : get16(msg + 16);
	msg += 19;
	len -= 19;
	if (len < 2 || (wl = get16(msg)) + 4 > len) {
		*why = "withdrawn routes run past the message";
		return -EBADMSG;
	}
	err = read_prefixes(msg + 2, wl, 4, o->addpath, u->withdrawn, &u->nwithdrawn, why);
	if (err)
		return err;
	al = get16(msg + 2 + wl);
	if (2 + wl + 2 + al > len) {
		*why = "path attributes run past the message";
		return -EBADMSG;
	}
	err = bgp_decode_attrs(msg + 4 + wl, al, o, 0, &u->attrs, u->announced, &u->nannounced,
			       u->withdrawn, &u->nwithdrawn, why);
	if (err)
		return err;
	/* The attributes are whole: a damaged NLRI tail leaves the prefixes
	 * before it good (-EPROTO says so). */
	err = read_prefixes(msg + 4 + wl + al, len - 4 - wl - al, 4, o->addpath, u->announced,
			    &u->nannounced, why);
	return err ? -EPROTO : 0;
}

char *bgp_path_str(const struct bgp_path *p, char *buf, size_t len)
{
	/* by segment type: SET {}, SEQUENCE plain, CONFED_SEQUENCE (), CONFED_SET [] */
	static const char open[] = " { ([", close[] = " } )]";
	size_t o = 0;
	int a = 0;

	buf[0] = '\0';
	for (int s = 0; s < p->nseg && o < len; s++) {
		int t = p->type[s];
		char sep = t == AS_SET || t == AS_CONFED_SET ? ',' : ' ';

		if (s && o < len)
			o += snprintf(buf + o, len - o, " ");
		if (t != AS_SEQUENCE && o < len)
			o += snprintf(buf + o, len - o, "%c", open[t]);
		for (int i = 0; i < p->len[s] && o < len; i++, a++) {
			if (i)
				o += snprintf(buf + o, len - o, "%c", sep);
			if (o < len)
				o += snprintf(buf + o, len - o, "%u", p->asn[a]);
		}
		if (t != AS_SEQUENCE && o < len)
			o += snprintf(buf + o, len - o, "%c", close[t]);
	}
	return buf;
}

uint32_t bgp_path_origin(const struct bgp_path *p, uint32_t *upstream)
{
	uint32_t o = 0, up = 0;
	int a = 0, last_seq_end = -1, last_seq_start = -1;

	for (int s = 0; s < p->nseg; s++) {
		if (p->type[s] == AS_SEQUENCE) {
			last_seq_start = a;
			last_seq_end = a + p->len[s];
		}
		a += p->len[s];
	}
	/* the origin only when the path ends in a plain sequence */
	if (p->nseg && p->type[p->nseg - 1] == AS_SEQUENCE && last_seq_end > last_seq_start) {
		o = p->asn[last_seq_end - 1];
		/* the first AS before the origin that is not the origin
		 * (prepending repeats it) */
		for (int i = last_seq_end - 2; i >= 0; i--)
			if (p->asn[i] != o) {
				up = p->asn[i];
				break;
			}
	}
	if (upstream)
		*upstream = up;
	return o;
}
