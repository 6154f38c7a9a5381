#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"

static enum log_level log_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

static void log_write(enum log_level level, const char *tag, const char *fmt,
		      va_list ap)
{
	if (level > log_level)
		return;
	fprintf(stderr, "netcensus: %s", tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOG_FN(name, level, tag)                                               \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_write(level, tag, fmt, ap);                                \
		va_end(ap);                                                    \
	}

LOG_FN(log_err, LOG_ERR, "error: ")
LOG_FN(log_warn, LOG_WARN, "warning: ")
LOG_FN(log_info, LOG_INFO, "")
LOG_FN(log_debug, LOG_DEBUG, "debug: ")
