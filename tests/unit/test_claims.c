/* Exactly-once claims under contention (issue 17), through the store's
 * own claim functions: three processes on one database claim from 200
 * queued discovery runs (each run claimed once, none left; three rounds),
 * and from 50 tasks due every minute for five minutes (each task claimed
 * once per minute: the minutes are driven by the tasks' due times, one
 * step for all three processes at a time, never by a clock); a process
 * killed with SIGKILL while it holds a run's and a task's lease: another
 * process claims neither while the lease lives, and marks the run
 * interrupted and claims the task once it has expired, the leases' clock
 * moved by NETCENSUS_NOW (store_lease_time()), not by waiting.
 *
 * On SQLite always (a file of this test); on PostgreSQL too when
 * NETCENSUS_TEST_PG is a database URL (tests/cli/test_pg_store.sh starts a
 * throwaway cluster and runs this binary with it). */
#include "testlib.h"

#include <signal.h>
#include <sys/wait.h>

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_discoveries.h"
#include "store/store_sched.h"

#define NPROC 3
#define NRUNS 200
#define NROUNDS 3
#define NTASKS 50
#define NMINUTES 5
#define T0 "2030-01-01 00:00:00"

struct fixture {
	char dir[64];
	char url[1024];	      /* the parent's */
	char child_url[1024]; /* the processes' (see claims_setup) */
};

static struct fixture fx;

/* One claim a process reports: what (a run or task id; 0 ends a step)
 * and the minute. */
struct claim {
	int64_t id;
	int64_t minute;
};

static int claims_setup(void **state)
{
	const char *pg = getenv("NETCENSUS_TEST_PG");

	log_set_level(getenv("CLAIMS_LOG") ? LOG_DEBUG : LOG_QUIET);
	signal(SIGPIPE, SIG_IGN);
	testlib_tmpdir(fx.dir);
	if (pg && *pg) {
		snprintf(fx.url, sizeof(fx.url), "%s", pg);
		/* another URL, so another pool: a process forked from this
		 * one must not reuse the parent's pooled connection (pg.c
		 * keeps it open in its pool after store_close) */
		snprintf(fx.child_url, sizeof(fx.child_url), "%s%s%s", pg,
			 strchr(pg, '?') ? "&" : "?",
			 "application_name=nc-claims");
	} else {
		snprintf(fx.url, sizeof(fx.url), "%s/claims.db", fx.dir);
		snprintf(fx.child_url, sizeof(fx.child_url), "%s", fx.url);
	}
	*state = &fx;
	return 0;
}

static int claims_teardown(void **state)
{
	(void)state;
	testlib_rmdir(fx.dir);
	return 0;
}

/* Empties the tables a test fills (the same database serves every test
 * on PostgreSQL). */
static void claims_clean(struct store *st)
{
	static const char *const sql[] = {
		"DELETE FROM discovery_log", "DELETE FROM discovery_run",
		"DELETE FROM discovery", "DELETE FROM task"};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		assert_int_equal(db_exec(db_stmt(st, sql[i])), 0);
}

static struct store *claims_open(void)
{
	struct store *st = store_open(fx.url);

	assert_non_null(st);
	return st;
}

static void time_at(int64_t s, char out[20])
{
	/* T0 is 2030-01-01 00:00:00 UTC */
	util_time_format((time_t)1893456000 + s, out);
}

/* ---- the processes ---- */

struct proc {
	pid_t pid;
	int cmd;    /* parent -> child */
	int result; /* child -> parent */
};

static void put(int fd, int64_t id, int64_t minute)
{
	struct claim c = {id, minute};

	if (write(fd, &c, sizeof(c)) != (ssize_t)sizeof(c))
		_exit(3);
}

/* A child's body: what it does with its own store handle. */
typedef void (*proc_fn)(struct store *st, int cmd, int result);

static void proc_start(struct proc *p, proc_fn fn)
{
	int cmd[2], result[2];
	struct store *st;

	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(result), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		close(cmd[1]);
		close(result[0]);
		st = store_open(fx.child_url);
		if (!st)
			_exit(2);
		fn(st, cmd[0], result[1]);
		store_close(st);
		_exit(0);
	}
	close(cmd[0]);
	close(result[1]);
	p->cmd = cmd[1];
	p->result = result[0];
}

/* Reads claims from p until the step's end (id 0) or EOF: 1 or 0 at EOF. */
static int proc_read(struct proc *p, struct claim *c)
{
	ssize_t n = read(p->result, c, sizeof(*c));

	if (n == 0)
		return 0;
	assert_int_equal(n, sizeof(*c));
	return 1;
}

static void proc_go(struct proc *p, int64_t v)
{
	assert_int_equal(write(p->cmd, &v, sizeof(v)), sizeof(v));
}

/* The parent's next word; a negative one (proc_end) ends the process
 * (EOF cannot: the processes forked later hold the pipe's other end). */
static int64_t proc_wait_go(int cmd)
{
	int64_t v;

	if (read(cmd, &v, sizeof(v)) != (ssize_t)sizeof(v) || v < 0)
		_exit(0);
	return v;
}

static void proc_end(struct proc *p)
{
	int64_t stop = -1;
	int status;

	/* (a process that ended already is fine: SIGPIPE is ignored) */
	if (write(p->cmd, &stop, sizeof(stop)) < 0)
		stop = 0;
	close(p->cmd);
	close(p->result);
	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- 200 queued runs ---- */

static void runs_child(struct store *st, int cmd, int result)
{
	int64_t run, disc;

	for (;;) {
		proc_wait_go(cmd);
		while (store_discorun_claim(st, 600, &run, &disc) == 0 && run)
			put(result, run, 0);
		put(result, 0, 0);
	}
}

/* Queues NRUNS runs of discovery disc: the first one's id. */
static int64_t runs_queue(int64_t disc)
{
	struct store *st = claims_open();
	int64_t run, first = 0;
	int i;

	assert_int_equal(store_begin(st), 0);
	for (i = 0; i < NRUNS; i++) {
		assert_int_equal(store_discorun_queue(st, disc, &run), 0);
		if (!first)
			first = run;
		assert_int_equal(run, first + i);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	return first;
}

static void test_runs_once(void **state)
{
	struct store *st = claims_open();
	struct proc p[NPROC];
	struct claim c;
	json_t *def, *states;
	int64_t disc = 0, first;
	int seen[NRUNS], per[NPROC], i, r, total;

	(void)state;
	claims_clean(st);
	def = json_pack("{sisssss{}s[]}", "org_id", 1, "name", "claims",
			"targets", "127.0.0.1", "options", "credentials");
	assert_int_equal(store_discodef_add(st, def, &disc), 0);
	json_decref(def);
	store_close(st);

	for (i = 0; i < NPROC; i++)
		proc_start(&p[i], runs_child);
	/* a few rounds: a claim that can take a run twice shows in one of
	 * them far more surely than in one */
	for (r = 0; r < NROUNDS; r++) {
		first = runs_queue(disc);
		memset(seen, 0, sizeof(seen));
		memset(per, 0, sizeof(per));
		total = 0;
		/* all three start together */
		for (i = 0; i < NPROC; i++)
			proc_go(&p[i], r);
		for (i = 0; i < NPROC; i++) {
			while (proc_read(&p[i], &c) && c.id) {
				if (c.id < first || c.id >= first + NRUNS)
					fail_msg(
						"run %lld is not of this round",
						(long long)c.id);
				else
					seen[c.id - first]++;
				per[i]++;
				total++;
			}
		}
		for (i = 0; i < NRUNS; i++)
			if (seen[i] != 1)
				fail_msg("round %d: run %lld claimed %d times",
					 r, (long long)(first + i), seen[i]);
		assert_int_equal(total, NRUNS);
		print_message("# round %d: %d runs claimed once each: %d, %d "
			      "and %d by the three processes\n",
			      r + 1, total, per[0], per[1], per[2]);
	}
	for (i = 0; i < NPROC; i++)
		proc_end(&p[i]);

	st = claims_open();
	states = store_discorun_count_states(st);
	assert_int_equal(json_integer_value(json_object_get(states, "running")),
			 NROUNDS * NRUNS);
	assert_null(json_object_get(states, "queued"));
	json_decref(states);
	store_close(st);
}

/* ---- 50 tasks due every minute ---- */

static void tasks_child(struct store *st, int cmd, int result)
{
	char now[20], next[20];
	json_t *due, *t;
	int64_t m, id;
	size_t i;

	for (;;) {
		m = proc_wait_go(cmd);
		time_at(m * 60, now);
		time_at((m + 1) * 60, next);
		due = store_task_due(st, now);
		if (!due)
			_exit(4);
		json_array_foreach(due, i, t) {
			id = json_integer_value(json_object_get(t, "id"));
			if (store_task_claim(st, id, now, 300) != 1)
				continue;
			put(result, id, m);
			if (store_task_finish(st, id, now, "ok", "", next))
				_exit(5);
		}
		json_decref(due);
		put(result, 0, m);
	}
}

static void test_tasks_once_per_minute(void **state)
{
	struct store *st = claims_open();
	struct proc p[NPROC];
	struct claim c;
	char t0[20], name[32];
	int64_t ids[NTASKS], m;
	int count[NTASKS][NMINUTES], i, k, dup;
	json_t *task;

	(void)state;
	memset(count, 0, sizeof(count));
	claims_clean(st);
	time_at(0, t0);
	for (i = 0; i < NTASKS; i++) {
		snprintf(name, sizeof(name), "every minute %d", i);
		task = json_pack("{sisssssssbs{}ss}", "org_id", 1, "name", name,
				 "type", "purge", "schedule", "* * * * *",
				 "enabled", 1, "options", "next_run", t0);
		assert_int_equal(store_task_add(st, task, &ids[i], &dup), 0);
		json_decref(task);
	}
	store_close(st);

	for (i = 0; i < NPROC; i++)
		proc_start(&p[i], tasks_child);
	for (m = 0; m < NMINUTES; m++) {
		/* one minute for all three at once; the next when all three
		 * are through it */
		for (i = 0; i < NPROC; i++)
			proc_go(&p[i], m);
		for (i = 0; i < NPROC; i++) {
			while (proc_read(&p[i], &c) && c.id) {
				for (k = 0; k < NTASKS && ids[k] != c.id; k++)
					;
				assert_int_equal(c.minute, m);
				if (k == NTASKS)
					fail_msg(
						"a task not of this test: %lld",
						(long long)c.id);
				else
					count[k][m]++;
			}
			assert_int_equal(c.id, 0);
		}
	}
	for (i = 0; i < NPROC; i++)
		proc_end(&p[i]);
	for (k = 0; k < NTASKS; k++)
		for (m = 0; m < NMINUTES; m++)
			if (count[k][m] != 1)
				fail_msg(
					"task %lld ran %d times in minute %lld",
					(long long)ids[k], count[k][m],
					(long long)m);
	st = claims_open();
	for (k = 0; k < NTASKS; k++) {
		task = store_task_get(st, ids[k], &dup);
		assert_int_equal(
			json_integer_value(json_object_get(task, "runs")),
			NMINUTES);
		json_decref(task);
	}
	store_close(st);
	print_message("# %d tasks x %d minutes: each claimed once a minute\n",
		      NTASKS, NMINUTES);
}

/* ---- a process killed with its leases ---- */

static void holder_child(struct store *st, int cmd, int result)
{
	int64_t run, disc, task;

	task = proc_wait_go(cmd);
	if (store_discorun_claim(st, 60, &run, &disc) || !run)
		_exit(6);
	if (store_task_claim(st, task, T0, 60) != 1)
		_exit(7);
	put(result, run, 0);
	for (;;)
		pause(); /* killed here, holding both leases */
}

/* The other process: at the lease clock's second given by the parent,
 * marks the runs of dead servers interrupted and tries to claim the task;
 * reports (interrupted runs, 1 if it got the task). */
static void checker_child(struct store *st, int cmd, int result)
{
	char now[20];
	int64_t at, task, n;

	task = proc_wait_go(cmd);
	for (;;) {
		at = proc_wait_go(cmd);
		time_at(at, now);
		setenv("NETCENSUS_NOW", now, 1);
		if (store_discorun_interrupt_all(st, &n))
			_exit(8);
		put(result, n, store_task_claim(st, task, now, 60));
	}
}

static void test_lease_of_killed_process(void **state)
{
	struct store *st = claims_open();
	struct proc holder, checker;
	struct claim c;
	json_t *def, *task;
	int64_t disc, run, task_id, d;
	char s[16];
	int dup, status;

	(void)state;
	claims_clean(st);
	def = json_pack("{sisssss{}s[]}", "org_id", 1, "name", "lease",
			"targets", "127.0.0.1", "options", "credentials");
	assert_int_equal(store_discodef_add(st, def, &disc), 0);
	json_decref(def);
	assert_int_equal(store_discorun_queue(st, disc, &run), 0);
	task = json_pack("{sisssssssbs{}ss}", "org_id", 1, "name", "leased",
			 "type", "purge", "schedule", "* * * * *", "enabled", 1,
			 "options", "next_run", T0);
	assert_int_equal(store_task_add(st, task, &task_id, &dup), 0);
	json_decref(task);
	store_close(st);

	/* the lease clock at T0 for the holder */
	setenv("NETCENSUS_NOW", T0, 1);
	proc_start(&holder, holder_child);
	proc_go(&holder, task_id);
	assert_true(proc_read(&holder, &c));
	assert_int_equal(c.id, run);
	assert_int_equal(kill(holder.pid, SIGKILL), 0);
	assert_int_equal(waitpid(holder.pid, &status, 0), holder.pid);
	assert_true(WIFSIGNALED(status));
	close(holder.cmd);
	close(holder.result);

	proc_start(&checker, checker_child);
	proc_go(&checker, task_id);
	/* 30 s on: both leases (60 s) live */
	proc_go(&checker, 30);
	assert_true(proc_read(&checker, &c));
	assert_int_equal(c.id, 0);
	assert_int_equal(c.minute, 0);
	st = claims_open();
	assert_int_equal(store_discorun_state(st, run, &d, s), 0);
	assert_string_equal(s, "running");
	store_close(st);
	/* 61 s on: both expired */
	proc_go(&checker, 61);
	assert_true(proc_read(&checker, &c));
	assert_int_equal(c.id, 1);
	assert_int_equal(c.minute, 1);
	proc_end(&checker);
	unsetenv("NETCENSUS_NOW");
	st = claims_open();
	assert_int_equal(store_discorun_state(st, run, &d, s), 0);
	assert_string_equal(s, "interrupted");
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_once),
		cmocka_unit_test(test_tasks_once_per_minute),
		cmocka_unit_test(test_lease_of_killed_process),
	};

	return cmocka_run_group_tests(tests, claims_setup, claims_teardown);
}
