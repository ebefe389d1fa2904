/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small helpers the cmocka tests share. Include after cmocka.h. */
#ifndef PW_TESTUTIL_H
#define PW_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

/* A whole file in memory, NUL-terminated; its length in *len if asked. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n + 1);
	if (b && fread(b, 1, n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	if (b && len)
		*len = n;
	return b;
}

/* Tests that need BPF skip, visibly and with the reason, without it. */
#define SKIP_IF_NO_BPF(reason)                              \
	do {                                                \
		if (reason) {                               \
			print_message("%s\n", reason);      \
			skip();                             \
		}                                           \
	} while (0)

#endif
