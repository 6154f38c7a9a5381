/*
 * replay: the main() that turns a fuzz target into an ordinary test.
 *
 * Linked with one tests/fuzz/fuzz_NAME.c (built with the normal compiler,
 * under ASan+UBSan in `make test`), it feeds every file of the target's
 * saved corpus to LLVMFuzzerTestOneInput in name order and prints TAP:
 * "ok N - corpus/NAME/FILE". Each file runs in a child process that then
 * exits, so a crash, a sanitizer report or a leak (LeakSanitizer checks
 * at exit) is "not ok N - corpus/NAME/FILE: ..." for that file alone, with
 * the report just above it, and the other files still run. The
 * corpus is tests/fuzz/corpus/NAME relative to the working directory
 * (tests/run works from the top of the tree); arguments, when given, are
 * the files or directories to replay instead.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"name\" (see Makefile)"
#endif

#define REPLAY_FILE_MAX (16u * 1024 * 1024) /* no seed comes near this */
#define REPLAY_PATH_MAX 4096

struct replay_list {
	char **path;
	size_t n, cap;
};

static void replay_list_add(struct replay_list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->path = xrealloc(l->path, l->cap * sizeof(*l->path));
	}
	l->path[l->n++] = xstrdup(path);
}

static int replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds path (a file) or the regular files directly inside it (a
 * directory); 0, or -1 with the reason printed. */
static int replay_collect(struct replay_list *l, const char *path)
{
	char full[REPLAY_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (stat(path, &st) < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_list_add(l, path);
		return 0;
	}
	d = opendir(path);
	if (!d) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path,
				     de->d_name) >= sizeof(full))
			continue;
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			replay_list_add(l, full);
	}
	closedir(d);
	return 0;
}

/* Reads path into a buffer of exactly its size, so that ASan sees a read
 * one byte past the input as libFuzzer would. NULL on error (printed). */
static uint8_t *replay_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    (unsigned long)n > REPLAY_FILE_MAX || fseek(f, 0, SEEK_SET) < 0) {
		printf("# %s: cannot size it or larger than %u bytes\n", path,
		       REPLAY_FILE_MAX);
		goto fail;
	}
	buf = xmalloc(n ? (size_t)n : 1);
	if (n && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		printf("# %s: short read\n", path);
		free(buf);
		buf = NULL;
		goto fail;
	}
	*len = (size_t)n;
fail:
	fclose(f);
	return buf;
}

/* Replays path in a child; prints its TAP line. 0, or -1 when it failed. */
static int replay_one(const char *path, const char *shown, size_t n)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("not ok %zu - %s: fork: %s\n", n, shown,
		       strerror(errno));
		return -1;
	}
	if (pid == 0) {
		size_t len = 0;
		uint8_t *buf = replay_read(path, &len);

		if (!buf)
			_exit(99);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		exit(0); /* not _exit: LeakSanitizer checks at exit */
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			printf("not ok %zu - %s: waitpid: %s\n", n, shown,
			       strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %zu - %s\n", n, shown);
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("not ok %zu - %s: killed by signal %d\n", n, shown,
		       WTERMSIG(status));
	else if (WEXITSTATUS(status) == 99)
		printf("not ok %zu - %s: cannot read it\n", n, shown);
	else
		printf("not ok %zu - %s: exit status %d (a sanitizer report "
		       "or a leak, above)\n",
		       n, shown, WEXITSTATUS(status));
	return -1;
}

int main(int argc, char **argv)
{
	struct replay_list l = {0};
	const char *dflt = "tests/fuzz/corpus/" FUZZ_NAME;
	int i, bad = 0;
	size_t k;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_collect(&l, argv[i]) < 0)
				bad = 1;
	} else if (replay_collect(&l, dflt) < 0) {
		bad = 1;
	}
	if (bad || !l.n) {
		printf("not ok 1 - corpus of fuzz target %s: %s\n", FUZZ_NAME,
		       bad ? "cannot read it" : "no files in it");
		bad = 1;
		goto out;
	}
	qsort(l.path, l.n, sizeof(*l.path), replay_cmp);
	printf("1..%zu\n", l.n);
	for (k = 0; k < l.n; k++) {
		const char *shown = strstr(l.path[k], "corpus/");

		shown = shown ? shown : l.path[k];
		if (replay_one(l.path[k], shown, k + 1) < 0)
			bad = 1;
	}
out:
	for (k = 0; k < l.n; k++)
		free(l.path[k]);
	free(l.path);
	return bad;
}
