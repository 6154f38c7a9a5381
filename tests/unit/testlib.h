/*
 * testlib: what every unit test includes — cmocka, and helpers to find the
 * sample audits and to make a throw-away directory.
 */
#ifndef NC_TESTLIB_H
#define NC_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The Open-AudIT samples directory ($NETCENSUS_SAMPLES, else
 * ../shared/samples/open-audit), or NULL when it is not there. */
static inline const char *testlib_samples_dir(void)
{
	const char *d = getenv("NETCENSUS_SAMPLES");

	if (!d)
		d = "../shared/samples/open-audit";
	return access(d, R_OK) == 0 ? d : NULL;
}

/* Creates a fresh temporary directory; path must hold 64 bytes. */
static inline void testlib_tmpdir(char path[64])
{
	snprintf(path, 64, "/tmp/nctest.XXXXXX");
	if (!mkdtemp(path))
		abort();
}

/* Removes a directory made by testlib_tmpdir (shallow: files only). */
static inline void testlib_rmdir(const char *path)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

/* Runs a shell command (fixed test set-up only, never input) and returns
 * its stdout, NUL-terminated (free()), or NULL when it exits non-zero. */
static inline char *testlib_run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!p)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, p);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (pclose(p) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

#endif
