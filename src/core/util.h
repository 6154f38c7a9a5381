/*
 * util: allocation wrappers, a bounded growable buffer, time stamps and the
 * small string helpers every module needs.
 *
 * The x* allocators abort on out-of-memory (as Redis does), so callers carry
 * no OOM branches. A strbuf has a ceiling: appending past it fails cleanly
 * and leaves the buffer as it was, so untrusted input cannot grow memory
 * without bound.
 */
#ifndef NC_UTIL_H
#define NC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated printf-formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct strbuf {
	char *data; /* always NUL-terminated once anything is appended */
	size_t len;
	size_t cap;
	size_t max; /* ceiling in bytes; 0 means SIZE_MAX / 2 */
};

void strbuf_init(struct strbuf *sb, size_t max);
/* 0, or -1 when the ceiling would be passed (the buffer is unchanged). */
int strbuf_append(struct strbuf *sb, const char *s, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_free(struct strbuf *sb);

/* Writes "YYYY-MM-DD HH:MM:SS" (UTC) into buf[20]. */
void util_time_format(time_t t, char buf[20]);
/* The current time as above; NETCENSUS_NOW (same format) overrides it, so
 * tests can pin time. */
void util_now(char buf[20]);

/* Reads a whole file (or stdin for "-") up to max bytes. NULL on error or
 * when the file is larger, with the reason in *why (static string). */
char *util_read_file(const char *path, size_t max, size_t *len,
		     const char **why);

/* Parses a decimal integer in [min, max]; 0 or -1. */
int util_parse_long(const char *s, long min, long max, long *out);

/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), 0 otherwise. */
int util_utf8_valid(const char *s, size_t n);

/* The value of hex digit c (0-15), or -1 when c is not one. */
int util_hexval(int c);

/* Case-insensitive ASCII string equality. */
int util_streq_ci(const char *a, const char *b);

/* Raises the soft limit of open files to the hard one - for a process
 * about to hold many sockets (a discovery), done once at its start by the
 * program, not by a library; the limit now in force (0: unknown). */
unsigned long util_nofile_raise(void);

#endif
