/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer target here shares: the entry points, a check that
 * crashes (so that libFuzzer keeps the input), and a quiet stdout and
 * stderr for the code under test (the tool's parsers say why they refuse;
 * ASan and libFuzzer write to fd 2 themselves and are not affected).
 */
#ifndef IOTSEC_FUZZ_H
#define IOTSEC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the code under test: a crash when it does not hold. */
#define FUZZ_CHECK(c)	do {						\
	if (!(c)) {							\
		fprintf(fuzz_err, "%s:%d: %s does not hold\n",		\
			__FILE__, __LINE__, #c);			\
		abort();						\
	}								\
} while (0)

static FILE *fuzz_err;

static inline void fuzz_quiet(void)
{
	FILE *null = fopen("/dev/null", "w");

	fuzz_err = stderr;
	if (null)
		stdout = stderr = null;
}

#endif
