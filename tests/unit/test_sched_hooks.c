/* The scheduler's hooks: a discovery task that queues a run tells whoever
 * started the scheduler (struct sched_hooks, as the server passes one that
 * wakes its runner) - once per queued run, not when nothing was queued,
 * and nobody once the scheduler has stopped. The scheduler itself includes
 * no server header (tests/cli/test_layering.sh). */
#include "testlib.h"

#include <jansson.h>
#include <stdatomic.h>

#include "core/log.h"
#include "sched/sched.h"
#include "store/store.h"
#include "store/store_discoveries.h"

static atomic_int queued;

static void on_run_queued(void *ud)
{
	atomic_fetch_add(&queued, 1);
	assert_ptr_equal(ud, &queued);
}

/* A stored discovery "lo" of 127.0.0.1 in org 1; its id. */
static int64_t add_lo(struct store *st)
{
	json_t *def =
		json_pack("{sIsssssos{ss}s[]}", "org_id", (json_int_t)1, "name",
			  "lo", "targets", "127.0.0.1", "exclude", json_null(),
			  "options", "ports", "22", "credentials");
	int64_t id = 0;

	assert_int_equal(store_discodef_add(st, def, &id), 0);
	json_decref(def);
	return id;
}

static void test_discovery_task_calls_the_hook(void **state)
{
	static const struct sched_hooks hooks = {on_run_queued, &queued};
	char dir[64], path[128], result[512];
	struct store *st;
	struct sched *s;
	json_t *task;
	int64_t did;

	(void)state;
	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/s.db", dir);
	st = store_open(path);
	assert_non_null(st);
	did = add_lo(st);
	task = json_pack("{sIsssss{ss}}", "org_id", (json_int_t)1, "name",
			 "scan lo", "type", "discovery", "options", "discovery",
			 "lo");

	atomic_store(&queued, 0);
	s = sched_start(path, &hooks);
	assert_non_null(s);
	/* what POST /tasks/{id}/run does */
	assert_int_equal(sched_task_run(st, task, result, sizeof(result)), 0);
	assert_non_null(strstr(result, "queued run"));
	assert_int_equal(atomic_load(&queued), 1);
	/* the run is still queued: nothing new, nobody told */
	assert_int_equal(sched_task_run(st, task, result, sizeof(result)), -1);
	assert_non_null(strstr(result, "not queued"));
	assert_int_equal(atomic_load(&queued), 1);
	sched_stop(s);

	/* stopped: the hooks are gone with it */
	assert_int_equal(store_discodef_delete(st, did), 0);
	did = add_lo(st);
	assert_true(did > 0);
	assert_int_equal(sched_task_run(st, task, result, sizeof(result)), 0);
	assert_int_equal(atomic_load(&queued), 1);

	json_decref(task);
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discovery_task_calls_the_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
