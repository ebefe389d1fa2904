/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_PINS_H
#define PW_PINS_H

#include <limits.h>
#include <stddef.h>

#define PW_BPFFS "/sys/fs/bpf"

/* Make sure a bpffs is mounted at /sys/fs/bpf (recognised by its magic),
 * mounting one if not. Returns 0 or -errno; prints its own error. */
int pins_ensure_bpffs(void);

/* Directory holding everything prefixwatch pins: /sys/fs/bpf/prefixwatch/vN */
const char *pins_root(void);
/* <root>/<ifname> */
int pins_iface_dir(const char *ifname, char *buf, size_t len);
/* The same for the pins of ABI version v (an earlier version's, to remove). */
int pins_iface_dir_v(const char *ifname, int v, char *buf, size_t len);
/* <dir>/<name> */
int pins_path(const char *dir, const char *name, char *buf, size_t len);

/* Create the directory and its parents (mode 0700: pins are root's). */
int pins_mkdir(const char *dir);
/* Take an exclusive, non-blocking lock on the directory; returns the fd that
 * holds it, -EWOULDBLOCK when another prefixwatch holds it, or -errno. */
int pins_lock(const char *dir);
/* Remove the pins in dir and dir itself. */
int pins_remove_dir(const char *dir);

/* Call fn for each interface that has a pin directory, in name order. */
int pins_for_each_iface(int (*fn)(const char *ifname, void *ctx), void *ctx);

#endif
