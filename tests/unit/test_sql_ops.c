/* The operations written once for both engines in sql_sched.c,
 * sql_discoveries.c, sql_discovery.c, sql_collectors.c and sql_hosts.c
 * (issue 17) give the same answers on SQLite and on PostgreSQL: one
 * scenario - reports, tasks, discovery definitions, the run queue and
 * the discovery log, collectors and their items, SSH and windows host
 * records, directory users, retention by org - run on a new SQLite store
 * and checked there, its transcript (every answer, times blanked) then
 * compared with the same scenario's on PostgreSQL when NETCENSUS_TEST_PG
 * is a database URL (tests/cli/test_pg_store.sh runs this binary with a
 * throwaway cluster). */
#include "testlib.h"

#include "core/log.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"
#include "store/store_sched.h"
#include "store/store_ssh.h"
#include "store/store_winrpc.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	log_set_level(getenv("SQLOPS_LOG") ? LOG_DEBUG : LOG_QUIET);
	testlib_tmpdir(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testlib_rmdir(dir);
	return 0;
}

/* Times differ between the runs: every member named like one is "T". */
static void blank_times(json_t *v)
{
	static const char *const keys[] = {
		"created",     "updated",      "queued", "started",  "finished",
		"last_seen",   "first_seen",   "time",	 "last_run", "stored",
		"run_started", "run_finished", NULL};
	const char *k;
	json_t *m;
	size_t i;
	int j;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			blank_times(m);
		return;
	}
	json_object_foreach(v, k, m) {
		for (j = 0; keys[j] && strcmp(keys[j], k); j++)
			;
		if (keys[j] && json_is_string(m))
			json_object_set_new(v, k, json_string("T"));
		else
			blank_times(m);
	}
}

static void add(json_t *tr, const char *what, json_t *v)
{
	blank_times(v);
	json_array_append_new(tr, json_pack("{so}", what, v ? v : json_null()));
}

static void sql(struct store *st, const char *text)
{
	assert_int_equal(db_exec(db_stmt(st, text)), 0);
}

/* The scenario on st (a new database); its transcript. */
static json_t *scenario(struct store *st)
{
	static const int64_t org1[] = {1}, none[] = {0};
	struct store_discovery_log logs[] = {
		{"198.18.0.1", "discovery", "alive", 3, NULL, NULL},
		{"198.18.0.2", "discovery", "dead", -1, "no answer", NULL}};
	struct store_discovery_counts cnt = {2, 2, 1, 1};
	struct store_collector_reg reg = {7,	 9,	1,   "branch-1",
					  "1.0", "nc1", NULL};
	struct store_ssh_host h = {
		0, "198.18.0.1", 22, "SHA256:abc", "ssh-ed25519", "lab-ssh"};
	json_t *tr = json_array(), *v, *counts;
	int64_t id, id2, run, run2, disc, coll, dev, n, n2;
	int found, dup, changed, en;
	char state[16], *src;

	/* reports */
	v = json_pack("{sisssssss[ss]ss}", "org_id", 1, "name", "mine",
		      "resource", "devices", "query", "ordering=hostname",
		      "columns", "id", "hostname", "description", "d");
	assert_int_equal(store_report_add(st, v, &id, &dup), 0);
	assert_int_equal(store_report_add(st, v, &id2, &dup), -1);
	assert_int_equal(dup, 1);
	json_decref(v);
	add(tr, "report_list", store_report_list(st, NULL, 0));
	add(tr, "report_list org 1", store_report_list(st, org1, 1));
	add(tr, "report_list no org", store_report_list(st, none, 0));
	add(tr, "report_find", store_report_find(st, "mine", org1, 1, &found));
	assert_int_equal(found, 1);
	add(tr, "report_get", store_report_get(st, id, &found));
	assert_int_equal(store_report_delete(st, id), 0);
	assert_null(store_report_get(st, id, &found));
	assert_int_equal(found, 0);

	/* tasks */
	v = json_pack("{sisssssssbs{si}ss}", "org_id", 1, "name", "t1", "type",
		      "purge", "schedule", "@daily", "enabled", 1, "options",
		      "days", 30, "next_run", "2030-01-01 00:00:00");
	assert_int_equal(store_task_add(st, v, &id, &dup), 0);
	json_object_set_new(v, "name", json_string("t2"));
	assert_int_equal(store_task_add(st, v, &id2, &dup), 0);
	assert_int_equal(store_task_update(st, id2, v, &dup), 0);
	json_object_set_new(v, "name", json_string("t1"));
	assert_int_equal(store_task_update(st, id2, v, &dup), -1);
	assert_int_equal(dup, 1);
	json_decref(v);
	add(tr, "task_list", store_task_list(st, org1, 1));
	add(tr, "task_due before", store_task_due(st, "2029-12-31 23:59:59"));
	add(tr, "task_due", store_task_due(st, "2030-01-01 00:00:00"));
	assert_int_equal(store_task_set_next(st, id2, NULL), 0);
	assert_int_equal(store_task_finish(st, id, "2030-01-01 00:00:00", "ok",
					   "3 rows", "2030-01-02 00:00:00"),
			 0);
	add(tr, "task_get", store_task_get(st, id, &found));
	assert_int_equal(store_task_delete(st, id2), 0);

	/* discovery definitions and runs */
	v = json_pack("{sisssssss{sbss}s[s]}", "org_id", 1, "name", "lab",
		      "targets", "198.18.0.0/30", "exclude", "198.18.0.3",
		      "options", "dns", 0, "ports", "22", "credentials",
		      "lab-ssh");
	assert_int_equal(store_discodef_add(st, v, &disc), 0);
	json_decref(v);
	v = json_pack("{ss}", "targets", "198.18.0.0/29");
	assert_int_equal(store_discodef_update(st, disc, v), 0);
	json_decref(v);
	assert_int_equal(store_discodef_find(st, 1, "lab", &id), 0);
	assert_int_equal(id, disc);
	assert_int_equal(store_discorun_queue(st, disc, &run), 0);
	assert_int_equal(store_discorun_active(st, disc, &id), 0);
	assert_int_equal(id, run);
	add(tr, "discodef_list", store_discodef_list(st, org1, 1));
	assert_int_equal(store_discorun_cancel_queued(st, run, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_discorun_cancel_queued(st, run, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(store_discovery_run_start(st, disc, 4, &run2), 0);
	assert_int_equal(store_discorun_progress(st, run2, 4, 2, 1, 9), 0);
	assert_int_equal(store_discovery_log_add(st, run2, logs, 2), 0);
	add(tr, "discorun_stages", store_discorun_stages(st, run2));
	assert_int_equal(store_discorun_mark(st, run2, "running", "half"), 0);
	assert_int_equal(
		store_discovery_run_finish(st, run2, "done", &cnt, "finished"),
		0);
	assert_int_equal(store_discorun_state(st, run2, &id, state), 0);
	assert_string_equal(state, "done");
	add(tr, "discorun_count_states", store_discorun_count_states(st));
	add(tr, "discovery_run_list", store_discovery_run_list(st, 10));
	add(tr, "discovery_log_list", store_discovery_log_list(st, run2));
	add(tr, "discodef_get", store_discodef_get(st, disc, &found));

	/* collectors: a user and a token of the fixture (their operations
	 * are not this test's) */
	sql(st, "INSERT INTO \"user\" (id, name, role, org_id, created)"
		" VALUES (7, 'coll', 'collector', 1, 'x')");
	sql(st, "INSERT INTO token (id, user_id, hash, prefix, created)"
		" VALUES (9, 7, 'h', 'p', 'x')");
	reg.subnets = json_pack("[s]", "198.18.0.0/24");
	assert_int_equal(store_collector_register(st, &reg, &coll, &n), 0);
	assert_int_equal(store_collector_register(st, &reg, &id, &n), 0);
	assert_int_equal(id, coll);
	reg.user_id = 1;
	assert_int_equal(store_collector_register(st, &reg, &id, &n), -2);
	json_decref(reg.subnets);
	assert_int_equal(store_collector_by_token(st, 9, &id, &en), 0);
	assert_int_equal(id, coll);
	assert_int_equal(en, 1);
	assert_int_equal(store_collector_seen(st, coll, 3, 1), 0);
	v = json_pack("{sssb}", "description", "at the branch", "enabled", 1);
	assert_int_equal(store_collector_update(st, coll, v), 0);
	json_decref(v);
	assert_int_equal(store_collector_find(st, "branch-1", &id), 0);
	assert_int_equal(id, coll);
	v = json_pack("{si}", "collector", (int)coll);
	assert_int_equal(store_discodef_update(st, disc, v), 0);
	json_decref(v);
	assert_int_equal(store_discorun_queue(st, disc, &run), 0);
	assert_int_equal(store_discorun_claim_for(st, coll, &id, &id2), 0);
	assert_int_equal(id, run);
	assert_int_equal(store_collector_run(st, coll, run, &n, state), 0);
	assert_string_equal(state, "running");
	assert_int_equal(
		store_collector_item_add(st, "item-1", run, "report", 0), 0);
	assert_int_equal(store_collector_item_seen(st, "item-1"), 1);
	assert_int_equal(store_collector_item_seen(st, "item-2"), 0);
	assert_int_equal(store_collector_run_reports(st, run, &n2), 0);
	assert_int_equal(n2, 1);
	add(tr, "collector_list", store_collector_list(st, org1, 1));
	add(tr, "collector_get", store_collector_get(st, coll, &found));
	assert_int_equal(store_collector_run_cancel(st, run, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_collector_delete(st, coll), 0);
	add(tr, "discorun_count_states 2", store_discorun_count_states(st));

	/* SSH and windows hosts of a device */
	v = json_pack("{ssss}", "hostname", "h1", "ip", "198.18.0.1");
	assert_int_equal(
		store_device_insert(st, 1, v, "2030-01-01 00:00:00", &dev), 0);
	json_decref(v);
	h.device_id = dev;
	assert_int_equal(store_ssh_host_set(st, &h), 0);
	h.hostkey = NULL; /* kept */
	h.port = 2222;
	assert_int_equal(store_ssh_host_set(st, &h), 0);
	add(tr, "ssh_host_map", store_ssh_host_map(st, 1));
	assert_int_equal(store_windows_host_set(st, dev, "198.18.0.1", "win"),
			 0);
	add(tr, "windows_host_map", store_windows_host_map(st, 0));

	/* directory users */
	assert_int_equal(store_user_external_put(st, "dir1", "ldap", "user", 1,
						 "Dir One", "d@example.org",
						 &dup),
			 0);
	assert_int_equal(store_user_external_put(st, "coll", "ldap", "user", 1,
						 NULL, NULL, &dup),
			 -1);
	assert_int_equal(dup, 1);
	assert_int_equal(store_user_external_disable(st, "dir1", "ldap"), 0);
	src = store_user_source(st, "dir1");
	v = json_string(src);
	free(src);
	add(tr, "user_source", v);

	/* retention, by org and for all */
	assert_int_equal(
		store_purge(st, "2099-01-01 00:00:00", none, 0, &counts), 0);
	add(tr, "purge no org", counts);
	assert_int_equal(
		store_purge(st, "2099-01-01 00:00:00", org1, 1, &counts), 0);
	add(tr, "purge org 1", counts);
	add(tr, "discovery_run_list after", store_discovery_run_list(st, 0));
	return tr;
}

static void test_same_on_both(void **state)
{
	const char *pg = getenv("NETCENSUS_TEST_PG");
	char path[128], *a, *b;
	struct store *st;
	json_t *sq, *pq;

	(void)state;
	snprintf(path, sizeof(path), "%s/ops.db", dir);
	st = store_open(path);
	assert_non_null(st);
	sq = scenario(st);
	store_close(st);
	/* a few answers checked on their own */
	a = json_dumps(sq, JSON_COMPACT);
	assert_non_null(strstr(a, "\"report_list no org\":[]"));
	assert_non_null(strstr(a, "\"discorun_stages\":{\"discovery\":"
				  "{\"alive\":1,\"dead\":1}}"));
	assert_non_null(strstr(a, "\"user_source\":\"ldap\""));
	assert_non_null(strstr(a, "\"cancelled\":2"));
	if (!pg || !*pg) {
		print_message("# NETCENSUS_TEST_PG unset: SQLite only\n");
		free(a);
		json_decref(sq);
		return;
	}
	st = store_open(pg);
	assert_non_null(st);
	pq = scenario(st);
	store_close(st);
	b = json_dumps(pq, JSON_COMPACT);
	if (!json_equal(sq, pq))
		fail_msg("SQLite and PostgreSQL differ:\n%s\n%s", a, b);
	print_message("# the same %zu answers on SQLite and PostgreSQL\n",
		      json_array_size(sq));
	free(a);
	free(b);
	json_decref(sq);
	json_decref(pq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_on_both),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
