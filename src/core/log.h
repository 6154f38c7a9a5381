/*
 * log: one place that writes diagnostics to stderr.
 *
 * Errors are logged once, where they happen, with the input that caused
 * them; callers further up only return -1. Messages meant for the user say
 * what to fix. The level is set once at start from -v / -q.
 */
#ifndef NC_LOG_H
#define NC_LOG_H

enum log_level {
	LOG_QUIET = 0,
	LOG_ERR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4
};

/* Sets the most verbose level printed (default LOG_WARN). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Prints "netcensus: error: ..." and so on, when the level allows. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Capturing: while a thread has a capture started, the first error it
 * logs (log_err or log_err_field) is also copied into it, with the input
 * field at fault when log_err_field named one. An API handler that calls
 * into the store hands the store's own words to its caller this way,
 * instead of "see the server log". Messages never hold secrets (the rule
 * for every log line). */
struct log_capture {
	char msg[512];
	char field[64];
};
/* Starts capturing this thread's errors into c (cleared). */
void log_capture_start(struct log_capture *c);
/* Stops capturing; c keeps what was caught. */
void log_capture_stop(void);
/* log_err() that names the input field the error is about. */
void log_err_field(const char *field, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
