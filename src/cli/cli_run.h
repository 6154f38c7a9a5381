/*
 * cli_run: what the command line adds to a discovery run (discover.h),
 * none of which the library does itself because a server runs it too:
 *
 *   the terminal  a progress line on stderr (when it is a terminal) and
 *                 SIGINT/SIGTERM stopping the engine gracefully, both
 *                 through the run's engine hook: on only while the engine
 *                 exists, the old handlers back afterwards;
 *   its sinks     device reports as JSON on stdout as each host finishes -
 *                 one array (--json) or one per line (--jsonl) - or the
 *                 table of live hosts, sorted by address at the end (it
 *                 keeps one short line per host).
 */
#ifndef NC_CLI_RUN_H
#define NC_CLI_RUN_H

#include <pthread.h>
#include <stdatomic.h>

#include "discover/discover.h"

struct cli_term {
	int progress; /* draw the progress line */
	atomic_int stop;
	pthread_t thread;
	int started;
	struct engine *e;
};

/* The engine hook (discover_opts.engine_hook) with a struct cli_term. */
void cli_term_hook(struct engine *e, void *ud);

enum cli_out_format { CLI_OUT_TABLE, CLI_OUT_JSON, CLI_OUT_JSONL };

struct cli_out {
	enum cli_out_format format;
	size_t n;     /* reports so far */
	char **lines; /* the table: "sortkey\tline" */
	int failed;   /* stdout refused a write */
};

/* Fills sink to print in out->format (set by the caller). */
void cli_out_sink(struct cli_out *out, struct discover_sink *sink);
/* Ends the output (the closing bracket, the sorted table); frees what it
 * kept. 0, or -1 when stdout refused a write. */
int cli_out_finish(struct cli_out *out);

#endif
