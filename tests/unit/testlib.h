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

#endif
