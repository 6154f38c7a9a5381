/*
 * cli_run.c: the terminal and the output of `netcensus discover`; see
 * cli_run.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_common.h"
#include "cli/cli_run.h"
#include "core/util.h"

#define CLI_PROGRESS_NS 250000000L

/* ---- the terminal ---- */

static struct engine *volatile cli_signal_engine;
static struct sigaction cli_old_int, cli_old_term;

static void cli_on_signal(int sig)
{
	struct engine *e = cli_signal_engine;

	(void)sig;
	if (e)
		engine_stop(e);
}

static void *cli_progress_main(void *arg)
{
	struct cli_term *t = arg;
	struct timespec ts = {0, CLI_PROGRESS_NS};
	struct engine_progress pr;

	while (!atomic_load(&t->stop)) {
		nanosleep(&ts, NULL);
		engine_progress(t->e, &pr);
		fprintf(stderr,
			"\r\033[Knetcensus: %llu/%llu addresses, %llu alive, "
			"%llu packets (%.0f/s), %llu jobs, ",
			(unsigned long long)pr.done,
			(unsigned long long)pr.total,
			(unsigned long long)pr.alive,
			(unsigned long long)pr.packets,
			pr.elapsed_s > 0 ? (double)pr.packets / pr.elapsed_s
					 : 0.0,
			(unsigned long long)pr.jobs_pending);
		if (pr.eta_s >= 0)
			fprintf(stderr, "ETA %.0f s", pr.eta_s);
		else
			fprintf(stderr, "ETA ?");
	}
	fprintf(stderr, "\r\033[K");
	return NULL;
}

void cli_term_hook(struct engine *e, void *ud)
{
	struct cli_term *t = ud;
	struct sigaction sa;

	if (e) {
		t->e = e;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = cli_on_signal;
		sigemptyset(&sa.sa_mask);
		cli_signal_engine = e;
		sigaction(SIGINT, &sa, &cli_old_int);
		sigaction(SIGTERM, &sa, &cli_old_term);
		atomic_store(&t->stop, 0);
		if (t->progress)
			t->started = pthread_create(&t->thread, NULL,
						    cli_progress_main, t) == 0;
		return;
	}
	if (t->started) {
		atomic_store(&t->stop, 1);
		pthread_join(t->thread, NULL);
		t->started = 0;
	}
	sigaction(SIGINT, &cli_old_int, NULL);
	sigaction(SIGTERM, &cli_old_term, NULL);
	cli_signal_engine = NULL;
	t->e = NULL;
}

/* ---- the output ---- */

/* "family:address in hex" - sorts v4 before v6, each by address. */
static void cli_addr_key(const char *ip, char key[40])
{
	struct targets_addr a;
	size_t i;

	memset(&a, 0, sizeof(a));
	targets_addr_parse(ip ? ip : "", &a);
	snprintf(key, 40, "%02x", (unsigned)a.family & 0xff);
	for (i = 0; i < sizeof(a.a); i++)
		snprintf(key + 2 + i * 2, 40 - 2 - i * 2, "%02x", a.a[i]);
}

static char *cli_table_line(json_t *r)
{
	json_t *sys = json_object_get(r, "sys"), *row;
	struct strbuf ports;
	char key[40], *line;
	size_t k;

	strbuf_init(&ports, 4096);
	json_array_foreach(json_object_get(r, "ports"), k, row) {
		const char *proto = cli_str(row, "protocol");

		strbuf_printf(&ports, "%s%s%s", ports.len ? "," : "",
			      cli_str(row, "port"),
			      strcmp(proto, "udp") ? "" : "/udp");
	}
	cli_addr_key(cli_str(sys, "ip"), key);
	line = xasprintf("%s\t%-15s %-20.20s %-17s %-22.22s %-10.10s %-20s %s",
			 key, cli_str(sys, "ip"), cli_str(sys, "hostname"),
			 cli_str(sys, "mac"), cli_str(sys, "manufacturer"),
			 cli_str(sys, "type"), ports.len ? ports.data : "",
			 cli_str(sys, "sysName"));
	strbuf_free(&ports);
	return line;
}

static int cli_out_report(void *ud, json_t *r, json_t *ssh)
{
	struct cli_out *out = ud;
	int rc = 0;

	(void)ssh;
	switch (out->format) {
	case CLI_OUT_TABLE:
		out->lines = xrealloc(out->lines,
				      (out->n + 1) * sizeof(*out->lines));
		out->lines[out->n] = cli_table_line(r);
		break;
	case CLI_OUT_JSON:
		fputs(out->n ? ",\n" : "[\n", stdout);
		rc = json_dumpf(r, stdout, JSON_INDENT(2));
		break;
	case CLI_OUT_JSONL:
		rc = json_dumpf(r, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		break;
	}
	out->n++;
	/* each host is out as soon as it is done, piped or not */
	if (fflush(stdout) != 0 || rc < 0)
		out->failed = 1;
	return out->failed ? -1 : 0;
}

void cli_out_sink(struct cli_out *out, struct discover_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->report = cli_out_report;
	sink->ud = out;
}

static int cli_line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_out_finish(struct cli_out *out)
{
	size_t i;

	if (out->format == CLI_OUT_JSON)
		fputs(out->n ? "\n]\n" : "[]\n", stdout);
	if (out->format == CLI_OUT_TABLE) {
		qsort(out->lines, out->n, sizeof(*out->lines), cli_line_cmp);
		printf("%-15s %-20s %-17s %-22s %-10s %-20s %s\n", "IP",
		       "HOSTNAME", "MAC", "MANUFACTURER", "TYPE", "OPEN PORTS",
		       "SYSNAME");
		for (i = 0; i < out->n; i++) {
			printf("%s\n", strchr(out->lines[i], '\t') + 1);
			free(out->lines[i]);
		}
		free(out->lines);
		out->lines = NULL;
	}
	if (fflush(stdout) != 0)
		out->failed = 1;
	return out->failed ? -1 : 0;
}
