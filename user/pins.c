// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "prefixwatch.h"
#include "log.h"
#include "pins.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *pins_root(void)
{
	return PW_BPFFS "/prefixwatch/v" STR(PW_ABI_VERSION);
}

int pins_ensure_bpffs(void)
{
	struct statfs st;

	if (statfs(PW_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(PW_BPFFS, 0700) && errno != EEXIST) {
		int err = -errno;

		pr_warn("cannot create %s for bpffs: %s\n", PW_BPFFS, strerror(-err));
		return err;
	}
	if (mount("bpf", PW_BPFFS, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_warn("bpffs is not mounted at %s and mounting it failed: %s (need root or CAP_SYS_ADMIN, or run 'mount -t bpf bpf %s')\n",
			PW_BPFFS, strerror(-err), PW_BPFFS);
		return err;
	}
	pr_debug("mounted bpffs at %s\n", PW_BPFFS);
	return 0;
}

int pins_path(const char *dir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pins_iface_dir_v(const char *ifname, int v, char *buf, size_t len)
{
	char root[PATH_MAX];

	snprintf(root, sizeof(root), PW_BPFFS "/prefixwatch/v%d", v);
	return pins_path(root, ifname, buf, len);
}

int pins_iface_dir(const char *ifname, char *buf, size_t len)
{
	return pins_iface_dir_v(ifname, PW_ABI_VERSION, buf, len);
}

int pins_mkdir(const char *dir)
{
	char tmp[PATH_MAX];

	if (strlen(dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int pins_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int pins_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int ret = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (pins_path(dir, e->d_name, path, sizeof(path)) || unlink(path))
			ret = ret ?: -errno;
	}
	closedir(d);
	if (rmdir(dir))
		ret = ret ?: -errno;
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pins_for_each_iface(int (*fn)(const char *ifname, void *ctx), void *ctx)
{
	DIR *d = opendir(pins_root());
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char **tmp;

		if (e->d_name[0] == '.')
			continue;
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp || !(tmp[n] = strdup(e->d_name))) {
			names = tmp ? tmp : names;
			ret = -ENOMEM;
			break;
		}
		names = tmp;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			ret = fn(names[i], ctx);
		free(names[i]);
	}
	free(names);
	return ret;
}
