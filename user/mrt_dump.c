// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Entries as `bgpdump -m` prints them, so users can diff the two. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "mrt.h"

/* IPv6 as bgpdump 1.6 writes it (it does not use inet_ntop): IPv4-mapped
 * and -compatible addresses dotted, and the longest run of zero groups
 * compressed even when it is a single group (the first of equal runs). */
static const char *ip6_str(const uint8_t *a, char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[12];
	int best = -1, bestn = 0, o = 0;
	uint16_t g[8];

	if (!memcmp(a, mapped, 12) ||
	    (!memcmp(a, zero, 12) && (a[12] | a[13] | a[14] | (a[15] > 1)))) {
		snprintf(buf, len, "::%s%u.%u.%u.%u", a[10] ? "ffff:" : "", a[12], a[13], a[14], a[15]);
		return buf;
	}
	for (int i = 0; i < 8; i++)
		g[i] = a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int n = 0;

		while (i + n < 8 && !g[i + n])
			n++;
		if (n > bestn) {
			best = i;
			bestn = n;
		}
		i += n ? n : 1;
	}
	for (int i = 0; i < 8 && o < (int)len; i++) {
		if (i == best) {
			o += snprintf(buf + o, len - o, "::");
			i += bestn - 1;
			continue;
		}
		o += snprintf(buf + o, len - o, "%s%x", i && i != best + bestn ? ":" : "", g[i]);
	}
	return buf;
}

static const char *addr_str(const struct mrt_addr *a, char *buf, size_t len)
{
	if (a->family == 6)
		return ip6_str(a->addr, buf, len);
	return inet_ntop(AF_INET, a->addr, buf, len);
}

static const char *origin_name(const struct bgp_attrs *a)
{
	static const char *names[] = { "IGP", "EGP", "INCOMPLETE" };

	/* bgpdump says INCOMPLETE when there is no ORIGIN at all */
	if (!(a->present & ATTR_BIT(ATTR_ORIGIN)))
		return "INCOMPLETE";
	return a->origin < 3 ? names[a->origin] : "INCOMPLETE";
}

static int comm_str(const struct bgp_attrs *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < a->ncomm && o < len; i++) {
		uint32_t c = a->comm[i];
		const char *sep = i ? " " : "";

		if (c == 0xFFFFFF01)
			o += snprintf(buf + o, len - o, "%sno-export", sep);
		else if (c == 0xFFFFFF02)
			o += snprintf(buf + o, len - o, "%sno-advertise", sep);
		else if (c == 0xFFFFFF03)
			o += snprintf(buf + o, len - o, "%slocal-AS", sep);
		else
			o += snprintf(buf + o, len - o, "%s%u:%u", sep, c >> 16, c & 0xFFFF);
	}
	return 0;
}

int mrt_format_bgpdump(const struct mrt_entry *e, char *buf, size_t len)
{
	char ts[32], peer[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN], nh[INET6_ADDRSTRLEN];
	char path[8192], comm[8192], aggr[64] = "", pid[16] = "";
	const struct bgp_attrs *a = e->attrs;

	if (e->et)
		snprintf(ts, sizeof(ts), "%u.%06u", e->ts, e->usec);
	else
		snprintf(ts, sizeof(ts), "%u", e->ts);
	addr_str(&e->peer, peer, sizeof(peer));
	if (e->kind == 'S')
		return snprintf(buf, len, "%s|%s|STATE|%s|%u|%u|%u\n", e->format, ts, peer, e->peer_as,
				e->old_state, e->new_state);

	if (e->pfx->family == 6)
		ip6_str(e->pfx->addr, pfx, sizeof(pfx));
	else
		inet_ntop(AF_INET, e->pfx->addr, pfx, sizeof(pfx));
	if (e->addpath)
		snprintf(pid, sizeof(pid), "%u|", e->pfx->path_id);
	if (e->kind == 'W') {
		if (e->addpath)
			return snprintf(buf, len, "%s|%s|W|%s|%u|%s/%u|%u\n", e->format, ts, peer, e->peer_as,
					pfx, e->pfx->len, e->pfx->path_id);
		return snprintf(buf, len, "%s|%s|W|%s|%u|%s/%u\n", e->format, ts, peer, e->peer_as, pfx,
				e->pfx->len);
	}
	/* the next hop of the route's family: MP_REACH's for IPv6 */
	if (e->pfx->family == 6 && a->mp_family == 6)
		ip6_str(a->mp_nexthop, nh, sizeof(nh));
	else if (a->present & ATTR_BIT(ATTR_NEXT_HOP))
		inet_ntop(AF_INET, a->nexthop, nh, sizeof(nh));
	else if (a->mp_family == 4)
		inet_ntop(AF_INET, a->mp_nexthop, nh, sizeof(nh));
	else
		strcpy(nh, "255.255.255.255"); /* what bgpdump prints for none */
	bgp_path_str(&a->path, path, sizeof(path));
	comm_str(a, comm, sizeof(comm));
	if (a->present & ATTR_BIT(ATTR_AGGREGATOR)) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, a->aggr_ip, ip, sizeof(ip));
		snprintf(aggr, sizeof(aggr), "%u %s", a->aggr_as, ip);
	}
	return snprintf(buf, len, "%s|%s|%c|%s|%u|%s/%u|%s%s|%s|%s|%u|%u|%s|%s|%s|\n", e->format, ts,
			e->kind, peer, e->peer_as, pfx, e->pfx->len, pid, path, origin_name(a), nh,
			a->present & ATTR_BIT(ATTR_LOCAL_PREF) ? a->local_pref : 0,
			a->present & ATTR_BIT(ATTR_MED) ? a->med : 0, comm,
			a->present & ATTR_BIT(ATTR_ATOMIC_AGGREGATE) ? "AG" : "NAG", aggr);
}
