/*
 * fuzz: what every fuzz target in tests/fuzz/ includes.
 *
 * A target is one file, tests/fuzz/fuzz_NAME.c, that defines
 * LLVMFuzzerTestOneInput and hands the input to one real parser of outside
 * input; fuzz.c, linked with every target, defines LLVMFuzzerInitialize
 * (it silences the log). The same file is built twice (tests/fuzz/README.md):
 * with clang and -fsanitize=fuzzer as a fuzzer (`make fuzz`), and with the
 * ordinary compiler and tests/fuzz/replay.c as the test binary
 * BUILD/tests/test_fuzz_NAME, which feeds it every file of
 * tests/fuzz/corpus/NAME/ so `make test` replays the saved corpus and every
 * crash ever found. A target must not touch the network, the disk outside
 * its own input, or global state that survives one call: a leak or a
 * state change between inputs would make a finding impossible to replay.
 */
#ifndef NC_FUZZ_H
#define NC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

/* libFuzzer's entry points: the first in fuzz.c, the second in each
 * target. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a new NUL-terminated string (free()): most parsers take C
 * strings, so an input with a NUL in it simply ends there. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits s in place at the first occurrence of c: s keeps the text before
 * it, the return value points after it (NULL when c is not there). */
static inline char *fuzz_split(char *s, int c)
{
	char *p = strchr(s, c);

	if (!p)
		return NULL;
	*p = '\0';
	return p + 1;
}

#endif
