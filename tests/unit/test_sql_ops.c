/* The operations written once for both engines in sql_sched.c,
 * sql_discoveries.c, sql_discovery.c, sql_collectors.c and sql_hosts.c
 * (issue 17) give the same answers on SQLite and on PostgreSQL: one
 * scenario - reports, tasks, discovery definitions, the run queue and
 * the discovery log, collectors and their items, SSH and windows host
 * records, directory users, retention by org - run on a new SQLite store
 * and checked there, its transcript (every answer, times blanked) then
 * compared with the same scenario's on PostgreSQL when NETCENSUS_TEST_PG
 * is a database URL (tests/cli/test_pg_store.sh runs this binary with a
 * throwaway cluster). A second scenario after it does the same for the
 * server's last operations ported (sql_search.c, sql_network.c,
 * sql_attach.c) on devices stored by intake in two orgs, and checks on
 * each engine that the API's count cache sees another connection's
 * commit and that the database check passes. */
#include "testlib.h"

#include "core/log.h"
#include "core/util.h"
#include "report/report.h"
#include "store/db.h"
#include "store/intake.h"
#include "store/store.h"
#include "store/store_api.h"
#include "store/store_attach.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"
#include "store/store_sched.h"
#include "store/store_search.h"
#include "store/store_ssh.h"
#include "store/store_stats.h"
#include "store/store_ui.h"
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
		"run_started", "run_finished", "seen",	 NULL};
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

/* Fails naming each answer that differs between the transcripts. */
static void differ(json_t *sq, json_t *pq)
{
	json_t *x, *y;
	size_t i;
	int bad = 0;

	json_array_foreach(sq, i, x) {
		char *a, *b;

		y = json_array_get(pq, i);
		if (json_equal(x, y))
			continue;
		a = json_dumps(x, JSON_COMPACT);
		b = json_dumps(y, JSON_COMPACT);
		print_message("# SQLite:     %s\n# PostgreSQL: %s\n", a,
			      b ? b : "(none)");
		free(a);
		free(b);
		bad++;
	}
	if (bad || json_array_size(sq) != json_array_size(pq))
		fail_msg("SQLite and PostgreSQL differ in %d answers", bad);
}

/* Stores report (consumed) in org; its device id. */
static int64_t put(struct store *st, json_t *report, int64_t org)
{
	struct intake_result res;
	struct report_error err;

	assert_non_null(report);
	assert_int_equal(report_validate(report, &err), 0);
	assert_int_equal(
		intake_report(st, NULL, report, org, "test", "netcensus", &res),
		0);
	json_decref(report);
	return res.device_id;
}

/* A device report: hostname, ip, mac, with extra sections (consumed). */
static json_t *device(const char *host, const char *ip, const char *mac,
		      json_t *more)
{
	json_t *r = json_pack("{sis{ssssss}}", "report_version", 1, "sys",
			      "hostname", host, "ip", ip, "mac", mac);

	if (more) {
		json_object_update(r, more);
		json_decref(more);
	}
	return r;
}

static json_t *search(struct store *st, const char *q, const int64_t *orgs,
		      int norgs)
{
	struct store_search s = {q, 5, orgs, norgs, 1};

	return store_search(st, &s);
}

/* The devices whose field equals value (NULL: all), as the API lists
 * them in order of field by (NULL: id): their hostnames and count. */
static json_t *list(struct store *st, const char *field, const char *value,
		    const char *by)
{
	struct store_query q;
	json_t *rows, *r, *names = json_array();
	int64_t n = -1;
	size_t i;

	memset(&q, 0, sizeof(q));
	if (field) {
		q.conds[0].op = STORE_OP_EQ;
		snprintf(q.conds[0].field, sizeof(q.conds[0].field), "%s",
			 field);
		q.conds[0].value = xstrdup(value);
		q.nconds = 1;
	}
	snprintf(q.order[0].field, sizeof(q.order[0].field), "%s",
		 by ? by : "id");
	q.norder = 1;
	q.limit = 50;
	rows = store_api_list(st, STORE_API_DEVICES, &q, &n);
	assert_non_null(rows);
	json_array_foreach(rows, i, r)
		json_array_append(names, json_object_get(r, "hostname"));
	json_decref(rows);
	store_query_free(&q);
	return json_pack("{sIso}", "count", (json_int_t)n, "hostnames", names);
}

/* One page of device dev's section, sorted by field: the keys of its
 * rows in order, and how many match. */
static json_t *page(struct store *st, int64_t dev, const char *section,
		    const char *q, const char *field, int desc)
{
	json_t *rows, *r, *keys = json_array();
	int64_t total = -1;
	size_t i;

	rows = store_component_page(st, dev, section, STORE_ROWS_ALL, q, field,
				    desc, 10, 0, &total);
	assert_non_null(rows);
	json_array_foreach(rows, i, r)
		json_array_append(keys, json_object_get(r, "key"));
	json_decref(rows);
	return json_pack("{sIso}", "total", (json_int_t)total, "keys", keys);
}

/* The second scenario on st (a new database) at url: search, the network
 * picture, attachments; its transcript. */
static json_t *scenario_server(struct store *st, const char *url)
{
	static const int64_t org1[] = {1};
	json_t *tr = json_array(), *sw_rows, *v;
	int64_t org2, sw, pc, dev, n1 = -1, n2 = -1;
	struct store *other;
	struct store_query q;

	assert_int_equal(store_org_add(st, "branch", 1, &org2), 0);
	sw_rows = json_pack(
		"{s[{ssssssssss}{ssssssssss}]s[{ssss}]s[{ssssssssss}]}", "fdb",
		"mac", "02:00:00:00:00:0a", "vlan", "10", "port", "1",
		"net_index", "1", "interface", "Gi0/1", "mac",
		"02:00:00:00:00:0b", "vlan", "10", "port", "2", "net_index",
		"2", "interface", "Gi0/2", "arp", "ip", "198.18.50.10", "mac",
		"02:00:00:00:00:0a", "lldp", "local_port", "2", "net_index",
		"2", "remote_name", "sw2", "remote_port", "Gi1/0/1",
		"remote_mac", "02:00:00:00:00:0b");
	sw = put(st, device("sw1", "198.18.50.2", "02:00:00:00:00:01", sw_rows),
		 1);
	pc = put(st,
		 device("pc-a", "198.18.50.10", "02:00:00:00:00:0a",
			json_pack("{s[{ssss}]}", "software", "name",
				  "OpenSSH Server", "version", "9.2")),
		 1);
	put(st, device("sw2", "198.18.50.3", "02:00:00:00:00:0b", NULL), 1);
	/* a component section with numbers, text, an empty value and
	 * addresses, sorted by one field */
	dev = put(st,
		  device("srv", "198.18.50.4", "02:00:00:00:00:04",
			 json_pack("{s[{ssss}{ssss}{ssss}{ssss}{ssss}]"
				   "s[{ssss}{ssss}{ssss}]}",
				   "software", "name", "zlib", "version",
				   "10.2", "name", "Bash", "version", "9.1",
				   "name", "apt", "version", "n/a", "name",
				   "curl", "version", "", "name", "Vim",
				   "version", "10 beta", "ip", "ip",
				   "198.18.50.40", "netmask", "255.255.255.0",
				   "ip", "198.18.50.5", "netmask",
				   "255.255.255.0", "ip", "198.18.50.100",
				   "netmask", "255.255.255.0")),
		  1);
	add(tr, "page version", page(st, dev, "software", NULL, "version", 0));
	add(tr, "page version desc",
	    page(st, dev, "software", NULL, "version", 1));
	add(tr, "page name", page(st, dev, "software", NULL, "name", 0));
	add(tr, "page q", page(st, dev, "software", "BASH", NULL, 0));
	add(tr, "page ip", page(st, dev, "ip", NULL, "ip", 0));
	/* another org's devices: never in org 1's answers */
	put(st,
	    device("pc-hidden", "198.18.50.11", "02:00:00:00:00:0c",
		   json_pack("{s[{ssss}]}", "software", "name", "OpenSSL",
			     "version", "3")),
	    org2);
	put(st, device("PC-Big", "198.18.50.102", "02:00:00:00:00:0d", NULL),
	    1);

	add(tr, "attachment pc-a", store_device_attachment(st, pc));
	add(tr, "attachment sw1", store_device_attachment(st, sw));
	add(tr, "network all", store_stats_network(st, NULL, 0, "198.18.", 0));
	add(tr, "network org 1",
	    store_stats_network(st, org1, 1, "198.18.50.", 0));
	add(tr, "search pc", search(st, "pc", NULL, 0));
	v = search(st, "pc", org1, 1);
	assert_int_equal(json_array_size(json_object_get(v, "devices")), 2);
	add(tr, "search pc org 1", v);
	v = store_stats_network(st, org1, 1, "198.18.50.", 0);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 5);
	json_decref(v);
	add(tr, "search ip", search(st, "198.18.50.1", NULL, 0));
	add(tr, "search mac", search(st, "02:00:00:00:00:0", org1, 1));
	add(tr, "search software", search(st, "open", NULL, 0));
	v = search(st, "OPEN", org1, 1);
	assert_int_equal(json_array_size(json_object_get(v, "software")), 1);
	add(tr, "search software org 1", v);
	add(tr, "search users", search(st, "adm", NULL, 0));
	v = store_search_plans(st);
	assert_true(json_is_object(v));
	json_decref(v);
	add(tr, "switch_port Gi0/1", list(st, "switch_port", "Gi0/1", NULL));
	add(tr, "by ip", list(st, NULL, NULL, "ip"));

	/* the count cache: a count read in a snapshot, another connection
	 * commits a device, the same count again sees it */
	memset(&q, 0, sizeof(q));
	q.limit = 1;
	json_decref(store_api_list(st, STORE_API_DEVICES, &q, &n1));
	other = store_open(url);
	assert_non_null(other);
	put(other, device("late", "198.18.50.20", "02:00:00:00:00:20", NULL),
	    1);
	store_close(other);
	json_decref(store_api_list(st, STORE_API_DEVICES, &q, &n2));
	assert_int_equal(n2, n1 + 1);
	add(tr, "count before", json_integer(n1));
	assert_int_equal(store_check(st), 0);
	return tr;
}

static void test_same_on_both(void **state)
{
	const char *pg = getenv("NETCENSUS_TEST_PG");
	char path[128], *a, *b;
	struct store *st;
	json_t *sq, *pq, *v;

	(void)state;
	snprintf(path, sizeof(path), "%s/ops.db", dir);
	st = store_open(path);
	assert_non_null(st);
	sq = scenario(st);
	json_array_extend(sq, v = scenario_server(st, path));
	json_decref(v);
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
	json_array_extend(pq, v = scenario_server(st, pg));
	json_decref(v);
	store_close(st);
	b = json_dumps(pq, JSON_COMPACT);
	differ(sq, pq);
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
