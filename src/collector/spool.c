/*
 * spool.c: the collector's disk queue (see spool.h). The directory is the
 * truth; an index in memory (a list in sequence order and a count of
 * reports per device) makes taking the oldest item and the drop rule
 * cheap.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "collector/spool.h"
#include "core/log.h"
#include "core/targets.h"
#include "core/util.h"

struct spool_entry {
	TAILQ_ENTRY(spool_entry) link;
	uint64_t seq;
	char name[96];	 /* file name in the spool */
	char device[48]; /* reports: the device's address; else "" */
};

/* cppcheck-suppress unusedStructMember ; tqh_first and tqh_last are used
 * through the <sys/queue.h> macros */
TAILQ_HEAD(spool_entries, spool_entry);

struct spool {
	char *dir;
	int dirfd;
	size_t max_reports;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct spool_entries entries;
	size_t items, reports;
	uint64_t next_seq, dropped, puts;
	json_t *per_device; /* device -> reports spooled (integer) */
};

/* ---- files ---- */

/* Writes data to DIR/name atomically: temporary file, fsync, rename,
 * fsync of the directory. 0 or -1 (logged). */
static int spool_write(struct spool *sp, const char *name, const char *data,
		       size_t len)
{
	char tmp[128];
	size_t off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), ".tmp-%s", name);
	fd = openat(sp->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			goto fail_unlink;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		close(fd);
		goto fail_unlink;
	}
	if (close(fd) < 0)
		goto fail_unlink;
	if (renameat(sp->dirfd, tmp, sp->dirfd, name) < 0)
		goto fail_unlink;
	if (fsync(sp->dirfd) < 0)
		goto fail;
	return 0;
fail_unlink:
	log_err("spool %s: cannot write %s: %s", sp->dir, name,
		strerror(errno));
	unlinkat(sp->dirfd, tmp, 0);
	return -1;
fail:
	log_err("spool %s: cannot write %s: %s", sp->dir, name,
		strerror(errno));
	return -1;
}

/* Removes DIR/name and makes the removal durable. */
static int spool_unlink(struct spool *sp, const char *name)
{
	if (unlinkat(sp->dirfd, name, 0) < 0 && errno != ENOENT) {
		log_err("spool %s: cannot remove %s: %s", sp->dir, name,
			strerror(errno));
		return -1;
	}
	fsync(sp->dirfd);
	return 0;
}

/* ---- the index ---- */

static void spool_count(struct spool *sp, const char *device, int delta)
{
	json_t *v = json_object_get(sp->per_device, device);
	json_int_t n = json_integer_value(v) + delta;

	if (n > 0)
		json_object_set_new(sp->per_device, device, json_integer(n));
	else
		json_object_del(sp->per_device, device);
}

static void spool_index_add(struct spool *sp, struct spool_entry *e)
{
	struct spool_entry *at;

	/* names are read in directory order at open: keep sequence order */
	at = TAILQ_LAST(&sp->entries, spool_entries);
	while (at && at->seq > e->seq)
		at = TAILQ_PREV(at, spool_entries, link);
	if (at)
		TAILQ_INSERT_AFTER(&sp->entries, at, e, link);
	else
		TAILQ_INSERT_HEAD(&sp->entries, e, link);
	sp->items++;
	if (e->device[0]) {
		sp->reports++;
		spool_count(sp, e->device, 1);
	}
	if (e->seq >= sp->next_seq)
		sp->next_seq = e->seq + 1;
}

static void spool_index_del(struct spool *sp, struct spool_entry *e)
{
	TAILQ_REMOVE(&sp->entries, e, link);
	sp->items--;
	if (e->device[0]) {
		sp->reports--;
		spool_count(sp, e->device, -1);
	}
	free(e);
}

/* Reads an item's file name: "SEQ-KIND[-DEVICE].json". NULL for a name
 * that is not an item. */
static struct spool_entry *spool_entry_parse(const char *name)
{
	struct spool_entry *e;
	const char *p = name, *kind, *dot;
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 16; i++) {
		int v = util_hexval(p[i]);

		if (v < 0)
			return NULL;
		seq = seq << 4 | (uint64_t)v;
	}
	if (p[16] != '-' || strlen(name) >= sizeof(e->name))
		return NULL;
	kind = p + 17;
	dot = strrchr(kind, '.');
	if (!dot || strcmp(dot, ".json"))
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->seq = seq;
	memcpy(e->name, name, strlen(name) + 1); /* length checked above */
	if (!strncmp(kind, "report-", 7))
		snprintf(e->device, sizeof(e->device), "%.*s",
			 (int)(dot - kind - 7), kind + 7);
	return e;
}

static int spool_scan(struct spool *sp)
{
	DIR *d = opendir(sp->dir);
	struct dirent *de;

	if (!d) {
		log_err("spool %s: cannot read it: %s", sp->dir,
			strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct spool_entry *e;

		if (!strncmp(de->d_name, ".tmp-", 5)) {
			/* a write the collector did not finish */
			unlinkat(sp->dirfd, de->d_name, 0);
			continue;
		}
		e = spool_entry_parse(de->d_name);
		if (e)
			spool_index_add(sp, e);
	}
	closedir(d);
	return 0;
}

struct spool *spool_open(const char *dir, size_t max_reports)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));

	sp->dir = xstrdup(dir);
	sp->dirfd = -1;
	sp->max_reports = max_reports ? max_reports : SPOOL_DEFAULT_MAX;
	TAILQ_INIT(&sp->entries);
	sp->per_device = json_object();
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_err("spool %s: cannot create it: %s", dir, strerror(errno));
		goto fail;
	}
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0) {
		log_err("spool %s: cannot open it: %s", dir, strerror(errno));
		goto fail;
	}
	if (spool_scan(sp) < 0)
		goto fail;
	if (sp->items)
		log_info("spool %s: %zu items waiting (%zu device reports)",
			 dir, sp->items, sp->reports);
	return sp;
fail:
	spool_close(sp);
	return NULL;
}

void spool_close(struct spool *sp)
{
	struct spool_entry *e;

	if (!sp)
		return;
	while ((e = TAILQ_FIRST(&sp->entries))) {
		TAILQ_REMOVE(&sp->entries, e, link);
		free(e);
	}
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	json_decref(sp->per_device);
	pthread_mutex_destroy(&sp->lock);
	pthread_cond_destroy(&sp->cond);
	free(sp->dir);
	free(sp);
}

/* ---- the cap ---- */

/* The report to drop to make room for one of device (see spool.h). */
static struct spool_entry *spool_victim(struct spool *sp, const char *device)
{
	struct spool_entry *e, *first = NULL;

	if (json_object_get(sp->per_device, device)) {
		TAILQ_FOREACH(e, &sp->entries, link)
			if (!strcmp(e->device, device))
				return e;
	}
	TAILQ_FOREACH(e, &sp->entries, link) {
		if (!e->device[0])
			continue;
		if (!first)
			first = e;
		if (json_integer_value(
			    json_object_get(sp->per_device, e->device)) > 1)
			return e;
	}
	return first;
}

/* With the lock held: drops reports until one more fits. */
static void spool_make_room(struct spool *sp, const char *device)
{
	while (sp->reports >= sp->max_reports) {
		struct spool_entry *e = spool_victim(sp, device);

		if (!e)
			return;
		log_warn("spool %s: full (%zu device reports): dropped the "
			 "report %s of %s to make room",
			 sp->dir, sp->reports, e->name, e->device);
		spool_unlink(sp, e->name);
		spool_index_del(sp, e);
		sp->dropped++;
	}
}

/* ---- items ---- */

static void spool_new_id(char *id)
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, SPOOL_ID_LEN, raw, sizeof(raw));
}

/* The device part of a report's file name: its address when it is one,
 * else "unknown" (a name never carries arbitrary text). */
static void spool_device_name(const char *device, char *out, size_t len)
{
	struct targets_addr a;

	if (device && targets_addr_parse(device, &a) == 0)
		targets_addr_format(&a, out, len);
	else
		snprintf(out, len, "unknown");
}

int spool_put(struct spool *sp, const char *kind, int64_t run_id,
	      const char *device, json_t *body, char *id)
{
	struct spool_entry *e = xcalloc(1, sizeof(*e));
	int is_report = !strcmp(kind, "report");
	char myid[SPOOL_ID_LEN];
	json_t *doc;
	char *text;
	int rc;

	spool_new_id(myid);
	if (is_report)
		spool_device_name(device, e->device, sizeof(e->device));
	doc = json_pack("{sssssIss?sO}", "id", myid, "kind", kind, "run_id",
			(json_int_t)run_id, "device",
			is_report ? e->device : NULL, "body", body);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text) {
		log_err("spool %s: cannot encode a %s item", sp->dir, kind);
		free(e);
		return -1;
	}
	pthread_mutex_lock(&sp->lock);
	if (is_report)
		spool_make_room(sp, e->device);
	e->seq = sp->next_seq;
	if (is_report)
		snprintf(e->name, sizeof(e->name),
			 "%016" PRIx64 "-report-%s.json", e->seq, e->device);
	else
		snprintf(e->name, sizeof(e->name), "%016" PRIx64 "-%s.json",
			 e->seq, kind);
	rc = spool_write(sp, e->name, text, strlen(text));
	if (rc == 0) {
		spool_index_add(sp, e);
		sp->puts++;
		pthread_cond_broadcast(&sp->cond);
	} else {
		free(e);
	}
	pthread_mutex_unlock(&sp->lock);
	free(text);
	if (rc == 0 && id)
		memcpy(id, myid, SPOOL_ID_LEN);
	return rc;
}

/* With the lock held: moves e to DIR/rejected/ and forgets it. */
static int spool_move_rejected(struct spool *sp, struct spool_entry *e)
{
	char to[160];
	int rc = 0;

	if (mkdirat(sp->dirfd, "rejected", 0700) < 0 && errno != EEXIST)
		rc = -1;
	snprintf(to, sizeof(to), "rejected/%s", e->name);
	if (rc == 0 && renameat(sp->dirfd, e->name, sp->dirfd, to) < 0)
		rc = -1;
	if (rc < 0)
		log_err("spool %s: cannot move %s to rejected/: %s", sp->dir,
			e->name, strerror(errno));
	fsync(sp->dirfd);
	spool_index_del(sp, e);
	return rc;
}

json_t *spool_peek_batch(struct spool *sp, size_t max_items, size_t max_bytes,
			 uint64_t *seqs)
{
	struct spool_entry *e, *next;
	json_t *out = json_array();
	size_t bytes = 0;
	char path[PATH_MAX];

	pthread_mutex_lock(&sp->lock);
	for (e = TAILQ_FIRST(&sp->entries);
	     e && json_array_size(out) < max_items; e = next) {
		json_error_t err;
		struct stat stt;
		json_t *doc;

		next = TAILQ_NEXT(e, link);
		if (json_array_size(out) &&
		    (fstatat(sp->dirfd, e->name, &stt, 0) < 0 ||
		     bytes + (size_t)stt.st_size > max_bytes))
			break;
		snprintf(path, sizeof(path), "%s/%s", sp->dir, e->name);
		doc = json_load_file(path, 0, &err);
		if (doc && json_is_object(json_object_get(doc, "body")) &&
		    json_is_string(json_object_get(doc, "id"))) {
			seqs[json_array_size(out)] = e->seq;
			json_array_append_new(out, doc);
			if (fstatat(sp->dirfd, e->name, &stt, 0) == 0)
				bytes += (size_t)stt.st_size;
			continue;
		}
		log_err("spool %s: %s is damaged (%s); moved to rejected/",
			sp->dir, e->name, doc ? "no id or body" : err.text);
		json_decref(doc);
		spool_move_rejected(sp, e);
	}
	pthread_mutex_unlock(&sp->lock);
	return out;
}

json_t *spool_peek(struct spool *sp, uint64_t *seq)
{
	json_t *batch = spool_peek_batch(sp, 1, SIZE_MAX, seq);
	json_t *doc = json_incref(json_array_get(batch, 0));

	json_decref(batch);
	return doc;
}

static struct spool_entry *spool_find(struct spool *sp, uint64_t seq)
{
	struct spool_entry *e;

	TAILQ_FOREACH(e, &sp->entries, link)
		if (e->seq == seq)
			return e;
	return NULL;
}

int spool_remove_many(struct spool *sp, const uint64_t *seqs, size_t n)
{
	struct spool_entry *e;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&sp->lock);
	for (i = 0; i < n; i++) {
		e = spool_find(sp, seqs[i]);
		if (!e)
			continue;
		if (unlinkat(sp->dirfd, e->name, 0) < 0 && errno != ENOENT) {
			log_err("spool %s: cannot remove %s: %s", sp->dir,
				e->name, strerror(errno));
			rc = -1;
		}
		spool_index_del(sp, e);
	}
	/* one sync for the batch; an unlink lost in a crash only sends an
	 * item again, which the server answers "duplicate" */
	fsync(sp->dirfd);
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

int spool_remove(struct spool *sp, uint64_t seq)
{
	return spool_remove_many(sp, &seq, 1);
}

int spool_reject(struct spool *sp, uint64_t seq)
{
	struct spool_entry *e;
	int rc = 0;

	pthread_mutex_lock(&sp->lock);
	e = spool_find(sp, seq);
	if (e)
		rc = spool_move_rejected(sp, e);
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

void spool_wait(struct spool *sp, int ms)
{
	struct timespec ts;
	uint64_t puts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sp->lock);
	puts = sp->puts;
	while (sp->puts == puts)
		if (pthread_cond_timedwait(&sp->cond, &sp->lock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&sp->lock);
}

void spool_wake(struct spool *sp)
{
	pthread_mutex_lock(&sp->lock);
	sp->puts++;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
}

void spool_stats(struct spool *sp, struct spool_stats *out)
{
	pthread_mutex_lock(&sp->lock);
	out->items = sp->items;
	out->reports = sp->reports;
	out->dropped = sp->dropped;
	pthread_mutex_unlock(&sp->lock);
}

/* ---- run markers ---- */

int spool_run_mark(struct spool *sp, int64_t run_id, json_t *info)
{
	json_t *doc = json_deep_copy(info);
	char name[64], *text;
	int rc;

	json_object_set_new(doc, "run_id", json_integer(run_id));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	snprintf(name, sizeof(name), "run-%" PRId64 ".json", run_id);
	pthread_mutex_lock(&sp->lock);
	rc = text ? spool_write(sp, name, text, strlen(text)) : -1;
	pthread_mutex_unlock(&sp->lock);
	free(text);
	return rc;
}

void spool_run_unmark(struct spool *sp, int64_t run_id)
{
	char name[64];

	snprintf(name, sizeof(name), "run-%" PRId64 ".json", run_id);
	pthread_mutex_lock(&sp->lock);
	spool_unlink(sp, name);
	pthread_mutex_unlock(&sp->lock);
}

json_t *spool_run_marks(struct spool *sp)
{
	json_t *out = json_array();
	DIR *d;
	struct dirent *de;

	pthread_mutex_lock(&sp->lock);
	d = opendir(sp->dir);
	while (d && (de = readdir(d))) {
		char path[PATH_MAX];
		json_t *m;
		long id;

		if (strncmp(de->d_name, "run-", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sp->dir, de->d_name);
		m = json_load_file(path, 0, NULL);
		id = (long)json_integer_value(json_object_get(m, "run_id"));
		if (json_is_object(m) && id > 0)
			json_array_append(out, m);
		else
			log_warn("spool %s: marker %s is damaged; ignored",
				 sp->dir, de->d_name);
		json_decref(m);
	}
	if (d)
		closedir(d);
	pthread_mutex_unlock(&sp->lock);
	return out;
}

/* ---- the run's sink ---- */

static int spool_sink_report(void *ud, json_t *report, json_t *ssh)
{
	struct spool_sink *ss = ud;
	const char *ip = json_string_value(
		json_object_get(json_object_get(report, "sys"), "ip"));
	json_t *body = json_pack("{sOso}", "report", report, "ssh",
				 ssh ? json_incref(ssh) : json_null());
	int rc = spool_put(ss->sp, "report", ss->run_id, ip, body, NULL);

	json_decref(body);
	if (rc < 0)
		ss->failed = 1;
	else
		ss->reports++;
	return rc;
}

static int spool_sink_log(void *ud, const struct discover_log *rows, size_t n)
{
	struct spool_sink *ss = ud;
	json_t *arr = json_array(), *body;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		json_array_append_new(
			arr,
			json_pack("{sssssssIss?ss}", "ip", rows[i].ip, "stage",
				  rows[i].stage, "outcome", rows[i].outcome,
				  "duration_ms",
				  (json_int_t)rows[i].duration_ms, "message",
				  rows[i].message, "time", rows[i].time));
	body = json_pack("{so}", "rows", arr);
	rc = spool_put(ss->sp, "log", ss->run_id, NULL, body, NULL);
	json_decref(body);
	if (rc < 0)
		ss->failed = 1;
	return rc;
}

void spool_sink_init(struct spool_sink *ss, struct discover_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->report = spool_sink_report;
	sink->log = spool_sink_log;
	sink->ud = ss;
}
