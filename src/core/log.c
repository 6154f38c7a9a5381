#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

static _Thread_local struct log_capture *log_cap;

void log_capture_start(struct log_capture *c)
{
	memset(c, 0, sizeof(*c));
	log_cap = c;
}

void log_capture_stop(void)
{
	log_cap = NULL;
}

/* The first error of a capture, with its field. */
static void log_catch(const char *field, const char *fmt, va_list ap)
{
	if (!log_cap || log_cap->msg[0])
		return;
	vsnprintf(log_cap->msg, sizeof(log_cap->msg), fmt, ap);
	if (field)
		snprintf(log_cap->field, sizeof(log_cap->field), "%s", field);
}

static void log_write(enum log_level level, const char *tag, const char *fmt,
		      va_list ap)
{
	if (level == LOG_ERR && log_cap) {
		va_list cp;

		va_copy(cp, ap);
		log_catch(NULL, fmt, cp);
		va_end(cp);
	}
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

void log_err_field(const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_catch(field, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	log_write(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}
