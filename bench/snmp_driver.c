/*
 * snmp_driver: a tiny driver of src/probe/snmp.c for bench/snmp.sh and for
 * trying the probe by hand in the lab. Not part of netcensus.
 *
 *   snmp_driver [-C CREDENTIALS.json] [-c COMMUNITY]... [-t TIMEOUT_MS]
 *               [-d DEADLINE_MS] [-p PORT] [-j THREADS] [-q] [-v] IP...
 *
 * Reads every IP at once (up to -j threads, default one per IP) and prints
 * one JSON object per line: {"ip":..,"ok":..,"ms":..,"error":..,"report":..}
 * (-q leaves the report out; -v logs each probe's request count and time).
 * Exits 0 when every IP answered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/snmp.h"

struct job {
	const char *ip;
	json_t *creds;
	struct snmp_probe_opts *opts;
	json_t *report;
	char err[512];
	int rc;
	long ms;
};

static struct job *jobs;
static size_t njobs, next_job;
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void *worker(void *arg)
{
	struct job *j;
	long t0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&job_lock);
		j = next_job < njobs ? &jobs[next_job++] : NULL;
		pthread_mutex_unlock(&job_lock);
		if (!j)
			return NULL;
		t0 = now_ms();
		j->report = json_object();
		j->rc = snmp_probe(j->ip, j->creds, j->opts, j->report, j->err,
				   sizeof(j->err));
		j->ms = now_ms() - t0;
	}
}

int main(int argc, char **argv)
{
	struct snmp_probe_opts opts = { .retries = -1 };
	json_t *creds = json_array(), *out;
	json_error_t jerr;
	pthread_t *th;
	size_t i, nth = 0;
	long v;
	int c, quiet = 0, fails = 0;

	while ((c = getopt(argc, argv, "C:c:t:d:p:j:qv")) != -1) {
		switch (c) {
		case 'C':
			json_decref(creds);
			creds = json_load_file(optarg, 0, &jerr);
			if (!json_is_array(creds)) {
				fprintf(stderr, "%s: %s\n", optarg, jerr.text);
				return 2;
			}
			break;
		case 'c':
			json_array_append_new(creds,
					      json_pack("{s:s,s:s}", "type",
							"snmp", "community",
							optarg));
			break;
		case 't':
		case 'd':
		case 'p':
		case 'j':
			if (util_parse_long(optarg, 1, 1000000, &v) < 0) {
				fprintf(stderr, "-%c: bad number\n", c);
				return 2;
			}
			if (c == 't')
				opts.timeout_ms = (int)v;
			else if (c == 'd')
				opts.deadline_ms = (int)v;
			else if (c == 'p')
				opts.port = (unsigned)v;
			else
				nth = (size_t)v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: snmp_driver [options] IP...\n");
		return 2;
	}
	snmp_probe_init();
	njobs = (size_t)(argc - optind);
	jobs = xcalloc(njobs, sizeof(*jobs));
	for (i = 0; i < njobs; i++) {
		jobs[i].ip = argv[optind + (int)i];
		jobs[i].creds = creds;
		jobs[i].opts = &opts;
	}
	if (!nth || nth > njobs)
		nth = njobs;
	th = xcalloc(nth, sizeof(*th));
	for (i = 0; i < nth; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < njobs; i++) {
		out = json_pack("{s:s,s:b,s:I}", "ip", jobs[i].ip, "ok",
				jobs[i].rc == 0, "ms", (json_int_t)jobs[i].ms);
		if (jobs[i].rc)
			json_object_set_new(out, "error",
					    json_string(jobs[i].err));
		if (!quiet)
			json_object_set(out, "report", jobs[i].report);
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(out);
		json_decref(jobs[i].report);
		fails += jobs[i].rc != 0;
	}
	free(th);
	free(jobs);
	json_decref(creds);
	return fails ? 1 : 0;
}
