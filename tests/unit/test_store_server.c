/* The store side of the server's additions: the list fast path gives the
 * same rows as store_api_list() and its remembered count follows writes by
 * this and another handle; read-only token checks; locations (rename
 * carries devices); discovery definitions and the run queue (claim order,
 * interrupt at start, cancel, stage counts); migration 3's "interrupted"
 * state. */
#include "testlib.h"

#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_api.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"
#include "store/store_locations.h"
#include "store/store_sched.h"

static char dir[64];
static char path[128];

static struct store *open_store(void)
{
	struct store *st;

	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/s.db", dir);
	st = store_open(path);
	assert_non_null(st);
	return st;
}

static int64_t add_device(struct store *st, const char *host,
			  const char *location)
{
	json_t *sys = json_pack("{ssss}", "hostname", host, "type", "computer");
	int64_t id = 0;

	if (location)
		json_object_set_new(sys, "location", json_string(location));
	assert_int_equal(
		store_device_insert(st, 1, sys, "2026-01-01 00:00:00", &id), 0);
	json_decref(sys);
	return id;
}

static void test_list_json_matches_and_counts_follow_writes(void **state)
{
	struct store *st = open_store(), *other;
	struct store_query q;
	struct strbuf sb;
	json_t *fast, *slow;
	int64_t n1 = 0, n2 = 0;
	char *a, *b;
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		char host[16];

		snprintf(host, sizeof(host), "h\"%02d\\\t", i); /* escapes */
		add_device(st, host, NULL);
	}
	memset(&q, 0, sizeof(q));
	q.limit = 5;
	q.offset = 2;
	snprintf(q.conds[0].field, sizeof(q.conds[0].field), "hostname");
	q.conds[0].op = STORE_OP_IC;
	q.conds[0].value = xstrdup("h\"");
	q.nconds = 1;
	strbuf_init(&sb, 0);
	assert_int_equal(
		store_api_list_json(st, STORE_API_DEVICES, &q, &n1, &sb), 0);
	fast = json_loads(sb.data, 0, NULL);
	assert_non_null(fast);
	slow = store_api_list(st, STORE_API_DEVICES, &q, &n2);
	assert_int_equal(n1, 12);
	assert_int_equal(n2, 12);
	a = json_dumps(fast, JSON_SORT_KEYS);
	b = json_dumps(slow, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	assert_int_equal(json_array_size(fast), 5);
	free(a);
	free(b);
	json_decref(fast);
	json_decref(slow);

	/* a write by this handle changes the count */
	add_device(st, "h\"new", NULL);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	assert_int_equal(
		store_api_list_json(st, STORE_API_DEVICES, &q, &n1, &sb), 0);
	assert_int_equal(n1, 13);
	/* and so does one by another handle */
	other = store_open(path);
	assert_non_null(other);
	add_device(other, "h\"other", NULL);
	store_close(other);
	strbuf_free(&sb);
	strbuf_init(&sb, 0);
	assert_int_equal(
		store_api_list_json(st, STORE_API_DEVICES, &q, &n1, &sb), 0);
	assert_int_equal(n1, 14);
	strbuf_free(&sb);
	store_query_free(&q);
	store_api_thread_cleanup();
	store_close(st);
	testlib_rmdir(dir);
}

static void test_token_check_reads_only(void **state)
{
	struct store *st = open_store();
	char *tok = NULL, *user;
	int64_t id = 0, other = 0;
	json_t *list;

	(void)state;
	assert_int_equal(
		store_user_add(st, "alice", "user", 1, "long enough password"),
		0);
	assert_int_equal(store_token_create(st, "alice", "t", &tok), 0);
	user = store_api_token_check(st, tok, &id);
	assert_non_null(user);
	assert_string_equal(user, "alice");
	assert_true(id > 0);
	free(user);
	list = store_api_token_list(st, 0, NULL, 0);
	assert_true(json_is_null(
		json_object_get(json_array_get(list, 0), "last_used")));
	json_decref(list);
	assert_int_equal(store_api_token_touch(st, id, "2026-02-02 00:00:00"),
			 0);
	list = store_api_token_list(st, 0, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 0), "last_used")),
			    "2026-02-02 00:00:00");
	json_decref(list);
	assert_null(store_api_token_check(st, "nc_not_a_token", &other));
	assert_int_equal(other, 0);
	assert_int_equal(store_token_revoke(st, id), 0);
	assert_null(store_api_token_check(st, tok, &other));
	free(tok);
	store_close(st);
	testlib_rmdir(dir);
}

static void test_locations(void **state)
{
	struct store *st = open_store();
	json_t *loc, *dev, *list;
	int64_t id = 0, found_id = 0, dev_id;
	int found = 0;

	(void)state;
	loc = json_pack("{sIsssssf}", "org_id", (json_int_t)1, "name", "DC1",
			"city", "Brisbane", "latitude", -27.5);
	assert_int_equal(store_location_add(st, loc, &id), 0);
	json_decref(loc);
	dev_id = add_device(st, "in-dc1", "DC1");
	add_device(st, "elsewhere", "DC2");
	assert_int_equal(store_location_find(st, 1, "DC1", &found_id), 0);
	assert_int_equal(found_id, id);
	loc = store_location_get(st, id, NULL, 0, &found);
	assert_non_null(loc);
	assert_int_equal(json_integer_value(json_object_get(loc, "devices")),
			 1);
	assert_true(json_real_value(json_object_get(loc, "latitude")) < -27);
	json_decref(loc);
	/* a scope without org 1 sees nothing */
	{
		const int64_t orgs[] = {99};

		list = store_location_list(st, orgs, 1);
		assert_int_equal(json_array_size(list), 0);
		json_decref(list);
	}
	loc = json_pack("{ssss}", "name", "BNE1", "city", "Brisbane CBD");
	assert_int_equal(store_location_update(st, id, loc), 0);
	json_decref(loc);
	dev = store_device_get(st, dev_id);
	assert_string_equal(json_string_value(json_object_get(dev, "location")),
			    "BNE1");
	json_decref(dev);
	loc = json_pack("{so}", "latitude", json_null());
	assert_int_equal(store_location_update(st, id, loc), 0);
	json_decref(loc);
	loc = store_location_get(st, id, NULL, 0, &found);
	assert_true(json_is_null(json_object_get(loc, "latitude")));
	assert_string_equal(json_string_value(json_object_get(loc, "city")),
			    "Brisbane CBD");
	json_decref(loc);
	assert_int_equal(store_location_delete(st, id), 0);
	assert_null(store_location_get(st, id, NULL, 0, &found));
	assert_int_equal(found, 0);
	store_close(st);
	testlib_rmdir(dir);
}

/* Another server, played by a child process: it claims the oldest queued
 * run (its lease: 60 s) and says so on ready, then waits for a byte on
 * go, lets the lease run out (renewed into the past, as when a server dies
 * and stops renewing) and exits. */
static pid_t other_server_claims(int ready[2], int go[2])
{
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *c = store_open(path);
		int64_t run = 0, disc = 0;
		char b = 0;

		if (!c || store_discorun_claim(c, 60, &run, &disc) < 0 ||
		    !run || write(ready[1], "r", 1) != 1 ||
		    read(go[0], &b, 1) != 1 ||
		    store_discorun_renew(c, run, -5) < 0)
			_exit(1);
		store_close(c);
		_exit(0);
	}
	return pid;
}

static void test_discoveries_and_queue(void **state)
{
	struct store *st = open_store();
	json_t *def, *got, *stages, *states;
	int64_t d1 = 0, d2 = 0, r1 = 0, r2 = 0, r3 = 0, run = 0, disc = 0, n;
	struct store_discovery_log rows[3] = {
		{"127.0.0.1", "discovery", "alive", 1, NULL, NULL},
		{"127.0.0.2", "discovery", "alive", 1, NULL, NULL},
		{"127.0.0.1", "ports", "open", 5, "22/tcp", NULL},
	};
	struct store_discovery_counts c = {2, 2, 2, 1};
	char state_s[16], b = 0;
	int found = 0, changed = 0, ready[2], go[2], wst = 0;
	pid_t other;

	(void)state;
	def = json_pack("{sIsssssos{sssb}s[i]}", "org_id", (json_int_t)1,
			"name", "lo", "targets", "127.0.0.1-2", "exclude",
			json_null(), "options", "ports", "22", "dns", 0,
			"credentials", 7);
	assert_int_equal(store_discodef_add(st, def, &d1), 0);
	json_object_set_new(def, "name", json_string("lo2"));
	assert_int_equal(store_discodef_add(st, def, &d2), 0);
	json_decref(def);
	got = store_discodef_get(st, d1, &found);
	assert_non_null(got);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(got, "options"), "ports")),
			    "22");
	assert_int_equal(json_integer_value(json_array_get(
				 json_object_get(got, "credentials"), 0)),
			 7);
	assert_true(json_is_null(json_object_get(got, "last_run")));
	assert_true(json_is_null(json_object_get(got, "exclude")));
	json_decref(got);
	assert_int_equal(store_discodef_find(st, 1, "lo2", &n), 0);
	assert_int_equal(n, d2);

	/* queue: oldest first; r1 is taken by another server */
	assert_int_equal(store_discorun_queue(st, d1, &r1), 0);
	assert_int_equal(store_discorun_queue(st, d2, &r2), 0);
	assert_int_equal(store_discorun_active(st, d1, &n), 0);
	assert_int_equal(n, r1);
	other = other_server_claims(ready, go);
	assert_int_equal(read(ready[0], &b, 1), 1);
	assert_int_equal(store_discorun_state(st, r1, &disc, state_s), 0);
	assert_string_equal(state_s, "running");
	assert_int_equal(disc, d1);
	assert_int_equal(store_discorun_progress(st, r1, 2, 1, 1, 9), 0);
	/* cancel the queued one; a running one is not cancelled here */
	assert_int_equal(store_discorun_cancel_queued(st, r2, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_discorun_cancel_queued(st, r1, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(store_discorun_claim(st, 60, &run, &disc), 0);
	assert_int_equal(run, 0);

	/* the log counted by stage; a restart interrupts what ran */
	assert_int_equal(store_discovery_log_add(st, r1, rows, 3), 0);
	stages = store_discorun_stages(st, r1);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(stages, "discovery"), "alive")),
		2);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(stages, "ports"), "open")),
			 1);
	json_decref(stages);
	/* a run whose lease holds is another live server's: left alone;
	 * once its lease ran out it is marked interrupted */
	assert_int_equal(store_discorun_interrupt_all(st, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(other, &wst, 0), other);
	assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	assert_int_equal(store_discorun_interrupt_all(st, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_discorun_state(st, r1, &disc, state_s), 0);
	assert_string_equal(state_s, "interrupted");
	assert_int_equal(store_discorun_interrupt_all(st, &n), 0);
	assert_int_equal(n, 0);
	got = store_discodef_get(st, d1, &found);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(got, "last_run"), "state")),
			    "interrupted");
	json_decref(got);

	/* a run finishing as usual, then marked by the server */
	assert_int_equal(store_discorun_queue(st, d1, &r3), 0);
	assert_int_equal(store_discorun_claim(st, 60, &run, &disc), 0);
	assert_int_equal(
		store_discovery_run_finish(st, r3, "cancelled", &c, NULL), 0);
	assert_int_equal(store_discorun_mark(st, r3, "interrupted", "stop"), 0);
	states = store_discorun_count_states(st);
	assert_int_equal(
		json_integer_value(json_object_get(states, "interrupted")), 2);
	assert_int_equal(
		json_integer_value(json_object_get(states, "cancelled")), 1);
	json_decref(states);
	/* deleting a discovery takes its runs and their log */
	assert_int_equal(store_discodef_delete(st, d1), 0);
	assert_int_equal(store_discorun_state(st, r1, &disc, state_s), 0);
	assert_string_equal(state_s, "");
	store_close(st);
	testlib_rmdir(dir);
}

/* A due task is claimed by one server only, once per period: a second
 * claim (another server) fails while the lease holds, and after the run
 * is recorded (next_run moved on, lease ended) nobody can claim it until
 * it is due again. */
static void test_task_claim_once(void **state)
{
	struct store *st = open_store();
	json_t *task;
	int64_t id = 0;
	int dup = 0;

	(void)state;
	task = json_pack("{sIsssssssbs{}ss}", "org_id", (json_int_t)1, "name",
			 "purge", "type", "purge", "schedule", "* * * * *",
			 "enabled", 1, "options", "next_run",
			 "2026-01-01 00:00:00");
	assert_int_equal(store_task_add(st, task, &id, &dup), 0);
	json_decref(task);
	assert_int_equal(store_task_claim(st, id, "2026-01-01 00:00:30", 60),
			 1);
	assert_int_equal(store_task_claim(st, id, "2026-01-01 00:00:30", 60),
			 0);
	assert_int_equal(store_task_finish(st, id, "2026-01-01 00:00:30", "ok",
					   "done", "2026-01-01 00:01:00"),
			 0);
	assert_int_equal(store_task_claim(st, id, "2026-01-01 00:00:45", 60),
			 0);
	assert_int_equal(store_task_claim(st, id, "2026-01-01 00:01:00", 60),
			 1);
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_list_json_matches_and_counts_follow_writes),
		cmocka_unit_test(test_token_check_reads_only),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_discoveries_and_queue),
		cmocka_unit_test(test_task_claim_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
