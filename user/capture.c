// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include "capture.h"

struct capture {
	pcap_t *p;
};

struct capture *capture_open(const char *path, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct capture *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->p) {
		snprintf(err, errlen, "%s", errbuf);
		free(c);
		return NULL;
	}
	return c;
}

int capture_linktype(const struct capture *c)
{
	return pcap_datalink(c->p);
}

int capture_next(struct capture *c, uint64_t *ts_ns, uint32_t *caplen, uint32_t *len,
		 const uint8_t **data)
{
	struct pcap_pkthdr *h;
	const u_char *p;
	int r = pcap_next_ex(c->p, &h, &p);

	if (r == PCAP_ERROR_BREAK)
		return 0;
	if (r != 1)
		return -1;
	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + h->ts.tv_usec;
	*caplen = h->caplen;
	*len = h->len;
	*data = p;
	return 1;
}

const char *capture_error(struct capture *c)
{
	return pcap_geterr(c->p);
}

void capture_close(struct capture *c)
{
	if (c)
		pcap_close(c->p);
	free(c);
}

const char *capture_linktype_name(int linktype)
{
	const char *n = pcap_datalink_val_to_name(linktype);

	return n ? n : "unknown";
}

int capture_is_ethernet(int linktype)
{
	return linktype == DLT_EN10MB;
}

int capture_unwrap(int linktype, const uint8_t *p, uint32_t caplen, uint16_t *ethertype)
{
	*ethertype = 0;
	switch (linktype) {
	case DLT_EN10MB:
		return 0;
	case DLT_LINUX_SLL:	/* 16 bytes, protocol last */
		if (caplen < 16)
			return -1;
		*ethertype = p[14] << 8 | p[15];
		return 16;
	case DLT_LINUX_SLL2:	/* 20 bytes, protocol first */
		if (caplen < 20)
			return -1;
		*ethertype = p[0] << 8 | p[1];
		return 20;
	case DLT_NULL:
	case DLT_LOOP: {	/* 4-byte address family, in either byte order */
		if (caplen < 4)
			return -1;
		uint32_t af = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;

		if (af > 0xFFFF)
			af = __builtin_bswap32(af);
		if (af == 2)
			*ethertype = 0x0800;
		else if (af == 10 || af == 24 || af == 28 || af == 30)
			*ethertype = 0x86DD;
		else
			return -1;
		return 4;
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		if (caplen < 1)
			return -1;
		*ethertype = (p[0] >> 4) == 6 ? 0x86DD : 0x0800;
		return 0;
	}
	return -1;
}
