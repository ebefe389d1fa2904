// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "outfile.h"

static int reopen(struct outfile *f)
{
	struct stat st;

	f->fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st)) {
		int err = -errno;

		close(f->fd);
		f->fd = -1;
		return err;
	}
	f->good = st.st_size;
	return 0;
}

int outfile_open(struct outfile *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->max = OUTFILE_BACKLOG_MAX;
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
		return -ENAMETOOLONG;
	return reopen(f);
}

static int reserve(struct outfile *f, size_t n)
{
	if (f->len + n > f->max) {
		/* Keep the newest: drop whole lines from the front, down to
		 * half the limit, so that dropping stays rare. */
		size_t cut = f->len + n - f->max / 2;
		char *nl = cut < f->len ? memchr(f->buf + cut, '\n', f->len - cut) : NULL;

		cut = nl ? (size_t)(nl + 1 - f->buf) : f->len;
		if (!f->dropped)
			pr_warn("%s: more than %zu MiB waiting to be written: dropping the oldest rows\n",
				f->path, f->max >> 20);
		memmove(f->buf, f->buf + cut, f->len - cut);
		f->len -= cut;
		f->dropped += cut;
	}
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 65536;
		char *b;

		while (cap < f->len + n)
			cap *= 2;
		b = realloc(f->buf, cap);
		if (!b)
			return -ENOMEM;
		f->buf = b;
		f->cap = cap;
	}
	return 0;
}

int outfile_write(struct outfile *f, const void *p, size_t n)
{
	int err = reserve(f, n);

	if (err)
		return err;
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

char *outfile_reserve(struct outfile *f, size_t n)
{
	return reserve(f, n) ? NULL : f->buf + f->len;
}

void outfile_commit(struct outfile *f, size_t n)
{
	f->len += n;
}

int outfile_printf(struct outfile *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (reserve(f, 256))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->len, f->cap - f->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= f->cap - f->len) {
		if (reserve(f, n + 1))
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(f->buf + f->len, f->cap - f->len, fmt, ap);
		va_end(ap);
	}
	f->len += n;
	return 0;
}

int outfile_flush(struct outfile *f)
{
	size_t done = 0;
	int err = 0;

	if (!f->len)
		return 0;
	if (f->fd < 0)
		err = reopen(f);
	while (!err && done < f->len) {
		ssize_t w = write(f->fd, f->buf + done, f->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? -errno : -ENOSPC;
		else
			done += w;
	}
	if (err) {
		/* never leave half a row: cut back to the last whole flush */
		if (f->fd >= 0 && ftruncate(f->fd, f->good)) {
			close(f->fd);
			f->fd = -1;	/* reopen, and re-read the size, next time */
		}
		if (f->failing != -err)
			pr_warn("cannot write %s: %s; keeping %zu bytes in memory and retrying every interval\n",
				f->path, strerror(-err), f->len);
		f->failing = -err;
		return err;
	}
	f->good += f->len;
	f->len = 0;
	if (f->failing)
		pr_warn("%s: writing again\n", f->path);
	f->failing = 0;
	return 0;
}

int outfile_close(struct outfile *f)
{
	int err = outfile_flush(f);

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
	return err;
}

off_t outfile_size(const struct outfile *f)
{
	return f->good + f->len;
}
