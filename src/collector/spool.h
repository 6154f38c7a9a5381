/*
 * spool: a collector's disk queue of what it still has to tell the
 * server - device reports, discovery log rows and run states - one file
 * per item, so nothing it found is lost while the server is away or the
 * collector is killed.
 *
 * An item is written atomically: a temporary file in the spool, written,
 * fsync()ed, renamed to its name and the directory fsync()ed, so after a
 * crash an item is either whole or absent (a leftover temporary file is
 * removed at the next spool_open()). Names are "SEQ-KIND[-DEVICE].json"
 * with SEQ a 16-digit hex counter: the spool is uploaded oldest first, so
 * a run's final state travels after its reports. Each item has a random
 * 128-bit id (32 hex digits) that the server keeps, so an item sent twice
 * (the answer was lost) is stored once.
 *
 * The spool holds results, never secrets: credentials stay in the
 * collector's memory.
 *
 * A cap bounds the number of device reports held (log and state items are
 * small and never dropped). Putting a report into a full spool drops one
 * first, by this rule: the oldest report of the same device (the new one
 * supersedes it); else the oldest report of any device that has two or
 * more in the spool; else the oldest report. Every drop is counted
 * (spool_stats) and logged, and the collector reports the count.
 *
 * Run markers ("run-ID.json") say that a run was under way: written when
 * a job starts, removed once its final state is in the spool; a marker
 * found at start-up is a run that was interrupted.
 *
 * A spool is used by several threads (the run's sink thread puts, the
 * uploader takes): every function locks it.
 */
#ifndef NC_SPOOL_H
#define NC_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "discover/discover.h"

#define SPOOL_ID_LEN 33 /* 32 hex digits and the NUL */
#define SPOOL_DEFAULT_MAX 100000

struct spool;

struct spool_stats {
	size_t items;	  /* files waiting, every kind */
	size_t reports;	  /* device reports waiting */
	uint64_t dropped; /* reports dropped by the cap since open */
};

/* Opens (creating it 0700) the spool in dir, holding at most max_reports
 * device reports (0: SPOOL_DEFAULT_MAX). NULL after logging why. */
struct spool *spool_open(const char *dir, size_t max_reports);
void spool_close(struct spool *sp);

/* Writes an item: {"id", "kind", "run_id", "device", "body"} where kind
 * is "report", "log" or "state", device names the device of a report (its
 * address; NULL otherwise) and body is borrowed. The new id goes to id
 * when not NULL. 0, or -1 when it could not be written (logged). */
int spool_put(struct spool *sp, const char *kind, int64_t run_id,
	      const char *device, json_t *body, char *id);

/* The oldest item's document (a new reference) and its sequence number,
 * or NULL when the spool is empty. An item that cannot be read is moved
 * to DIR/rejected/ (logged) and the next one returned. */
json_t *spool_peek(struct spool *sp, uint64_t *seq);
/* The oldest items (at least one when there is one; then up to
 * max_items, or until their files hold max_bytes) as an array of
 * documents, their sequence numbers into seqs (room for max_items). */
json_t *spool_peek_batch(struct spool *sp, size_t max_items, size_t max_bytes,
			 uint64_t *seqs);
/* Removes item seq (after the server acknowledged it). 0 or -1. */
int spool_remove(struct spool *sp, uint64_t seq);
/* Removes n items at once, with one sync of the directory. */
int spool_remove_many(struct spool *sp, const uint64_t *seqs, size_t n);
/* Moves item seq to DIR/rejected/ (the server refused it for good:
 * kept for a person to look at, never sent again). 0 or -1. */
int spool_reject(struct spool *sp, uint64_t seq);

/* Waits until an item is put or ms pass. */
void spool_wait(struct spool *sp, int ms);
/* Wakes every spool_wait(). */
void spool_wake(struct spool *sp);
void spool_stats(struct spool *sp, struct spool_stats *out);

/* Marks run_id as under way, with info (borrowed, no secrets). 0 or -1. */
int spool_run_mark(struct spool *sp, int64_t run_id, json_t *info);
/* Removes the marker of run_id. */
void spool_run_unmark(struct spool *sp, int64_t run_id);
/* The markers found in the spool: an array of {"run_id", ...info}. */
json_t *spool_run_marks(struct spool *sp);

/* A discovery run's sink into the spool: each report a "report" item
 * ({"report", "ssh"}), log rows "log" items ({"rows": [...]}). */
struct spool_sink {
	struct spool *sp;
	int64_t run_id;
	int64_t reports; /* reports spooled */
	int failed;	 /* an item could not be written */
};
void spool_sink_init(struct spool_sink *ss, struct discover_sink *sink);

#endif
