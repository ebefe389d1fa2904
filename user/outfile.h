/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * An append-only file that survives a full disk or a vanished directory:
 * what is written goes to a memory buffer; a flush writes the buffer, and if
 * that fails part-way the file is cut back to its last complete flush, so it
 * never holds half a row. The buffer is kept (up to a limit) and written by
 * the next flush that succeeds.
 */
#ifndef PW_OUTFILE_H
#define PW_OUTFILE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OUTFILE_BACKLOG_MAX (64u << 20)

struct outfile {
	char path[PATH_MAX];
	int fd;
	off_t good;		/* bytes of the file known to be complete */
	char *buf;
	size_t len, cap, max;
	int failing;		/* errno of the failure being reported, or 0 */
	uint64_t dropped;	/* bytes dropped from a full backlog */
};

/* Open (or create, 0644) for appending. Returns 0 or -errno. */
int outfile_open(struct outfile *f, const char *path);
int outfile_printf(struct outfile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int outfile_write(struct outfile *f, const void *p, size_t n);
/* Room for up to n more bytes at the end of the buffer, to be written in
 * place and then counted with outfile_commit(); NULL without memory. */
char *outfile_reserve(struct outfile *f, size_t n);
void outfile_commit(struct outfile *f, size_t n);
/* Write what is buffered. 0, or -errno with the data kept for next time;
 * the first failure and the recovery are reported, not every retry. */
int outfile_flush(struct outfile *f);
/* Flush, then close; returns the flush's result. */
int outfile_close(struct outfile *f);
/* Size of the file plus what is buffered. */
off_t outfile_size(const struct outfile *f);

#endif
