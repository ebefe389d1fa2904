/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading pcap and pcapng through libpcap, kept apart: libpcap's bpf.h
 * and the kernel's cannot be included together. */
#ifndef PW_CAPTURE_H
#define PW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture *capture_open(const char *path, char *err, size_t errlen);
int capture_linktype(const struct capture *c);
/* 1 and a record, 0 at the end, -1 on damage (see capture_error). Time in
 * ns since the epoch; data is valid until the next call. */
int capture_next(struct capture *c, uint64_t *ts_ns, uint32_t *caplen, uint32_t *len,
		 const uint8_t **data);
const char *capture_error(struct capture *c);
void capture_close(struct capture *c);
const char *capture_linktype_name(int linktype);

/* Where the network layer of a record of this link type starts, and its
 * ethertype when the link type is not Ethernet (0 for Ethernet itself);
 * -1 when it cannot be wrapped in Ethernet. */
int capture_unwrap(int linktype, const uint8_t *p, uint32_t caplen, uint16_t *ethertype);
int capture_is_ethernet(int linktype);

#endif
