// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Print the IPv4 /24 and IPv6 /64 networks of the addresses in a capture,
 * most frequent first ("count prefix" lines): how the replay differential
 * test picks prefixes that occur in each capture. Ethernet, up to two VLAN
 * tags; nothing else. Independent of the program under test on purpose.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct net {
	char name[64];
	unsigned long n;
};

static struct net nets[4096];
static int nnets;

static void add(int fam, const u_char *a)
{
	char buf[64], addr[INET6_ADDRSTRLEN];
	u_char m[16] = {};

	memcpy(m, a, fam == 4 ? 3 : 8);	/* /24 or /64 */
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, m, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "%s/%d", addr, fam == 4 ? 24 : 64);
	for (int i = 0; i < nnets; i++)
		if (!strcmp(nets[i].name, buf)) {
			nets[i].n++;
			return;
		}
	if (nnets < 4096) {
		strcpy(nets[nnets].name, buf);
		nets[nnets++].n = 1;
	}
}

static int cmp(const void *a, const void *b)
{
	const struct net *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	pcap_t *pc;

	if (argc != 2 || !(pc = pcap_open_offline(argv[1], err)))
		return 1;
	if (pcap_datalink(pc) != DLT_EN10MB)
		return 0;
	while (pcap_next_ex(pc, &h, &p) == 1) {
		unsigned off = 12, type;

		for (int v = 0; v <= 2; v++) {
			if (h->caplen < off + 2)
				break;
			type = p[off] << 8 | p[off + 1];
			if ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && v < 2) {
				off += 4;
				continue;
			}
			if (type == 0x0800 && h->caplen >= off + 2 + 20 && (p[off + 2] >> 4) == 4) {
				add(4, p + off + 2 + 12);
				add(4, p + off + 2 + 16);
			} else if (type == 0x86DD && h->caplen >= off + 2 + 40 && (p[off + 2] >> 4) == 6) {
				add(6, p + off + 2 + 8);
				add(6, p + off + 2 + 24);
			}
			break;
		}
	}
	pcap_close(pc);
	qsort(nets, nnets, sizeof(nets[0]), cmp);
	for (int i = 0; i < nnets; i++)
		printf("%lu %s\n", nets[i].n, nets[i].name);
	return 0;
}
