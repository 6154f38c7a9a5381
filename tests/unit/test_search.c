/* The header search (store_search.h): every field it promises finds the
 * device, a MAC in any notation finds a second NIC, a neighbour's MAC in
 * an ARP table does not, nothing of another org is returned (devices,
 * software names, discoveries, users), every device and software lookup
 * starts from an index (EXPLAIN QUERY PLAN), addresses sort as numbers,
 * and with 10,000 devices the time of a search is printed (p50/p99, not a
 * pass/fail figure). */
#include "testlib.h"

#include <time.h>
#include <jansson.h>

#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_api.h"
#include "store/store_search.h"

static char dir[64];
static char path[128];

/* A new store (migrated by store_open), then sql run on it by sqlite3. */
static struct store *open_seeded(const char *sql)
{
	struct store *st;
	char cmd[256], *out;
	FILE *f;

	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/s.db", dir);
	st = store_open(path);
	assert_non_null(st);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "%s/seed.sql", dir);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs(sql, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s/s.db < %s/seed.sql && echo ok",
		 dir, dir);
	out = testlib_run(cmd);
	assert_non_null(out);
	free(out);
	st = store_open(path);
	assert_non_null(st);
	return st;
}

static const char small[] =
	"INSERT INTO org (id, name, parent_id, created) VALUES"
	" (2, 'Blue', 1, 't'), (3, 'Red', 1, 't');"
	"INSERT INTO device (id, org_id, hostname, fqdn, ip, mac, serial,"
	" uuid, sysName, location, tags, first_seen, last_seen) VALUES"
	" (1, 2, 'web01', 'web01.blue.example', '198.18.9.2',"
	"  '00:0c:29:aa:bb:01', 'SER-BLUE-1', 'uuid-blue-1', 'bluesys',"
	"  'Paris DC', 'core, dc1', 't', 't'),"
	" (2, 3, 'web02', 'web02.red.example', '198.18.9.3',"
	"  '00:0c:29:cc:dd:01', 'SER-RED-1', 'uuid-red-1', NULL, 'Berlin',"
	"  'edge', 't', 't');"
	"INSERT INTO component (device_id, section, key, data, mac, ip, name,"
	" current, first_seen, last_seen) VALUES"
	" (1, 'network', 'a', '{}', '00:0c:29:aa:bb:02', NULL, NULL, 1,"
	"  't', 't'),"
	" (1, 'ip', 'b', '{}', '00:0c:29:aa:bb:02', '198.19.0.5', NULL, 1,"
	"  't', 't'),"
	/* a neighbour in device 1's ARP table: not device 1's own */
	" (1, 'arp', 'c', '{}', '00:0c:29:cc:dd:01', '198.18.9.3', NULL, 1,"
	"  't', 't'),"
	" (1, 'software', 'd', '{}', NULL, NULL, 'nginx', 1, 't', 't'),"
	" (1, 'software', 'e', '{}', NULL, NULL, 'oldtool', 0, 't', 't'),"
	" (2, 'software', 'f', '{}', NULL, NULL, 'nginx', 1, 't', 't'),"
	" (2, 'software', 'g', '{}', NULL, NULL, 'redsecret-tool', 1, 't',"
	"  't');"
	"INSERT INTO user (name, role, org_id, full_name, created) VALUES"
	" ('blue-admin', 'org_admin', 2, 'Blue Admin', 't'),"
	" ('red-admin', 'org_admin', 3, 'Red Admin', 't');"
	"INSERT INTO discovery (org_id, name, targets, created, updated)"
	" VALUES (2, 'blue lan', '198.18.9.0/24', 't', 't'),"
	" (3, 'red lan', '198.18.8.0/24', 't', 't');";

static const int64_t blue[] = {2};

static json_t *search(struct store *st, const char *q, const int64_t *orgs)
{
	struct store_search s;
	json_t *r;

	memset(&s, 0, sizeof(s));
	s.q = q;
	s.limit = 10;
	s.org_ids = orgs;
	s.norgs = orgs ? 1 : 0;
	s.users = 1;
	r = store_search(st, &s);
	assert_non_null(r);
	return r;
}

/* The ids of r's devices as "1,2" and the first match's field:value. */
static void devices_of(json_t *r, char *ids, size_t n, char *match, size_t m)
{
	json_t *d;
	size_t i, used = 0;

	ids[0] = match[0] = '\0';
	json_array_foreach(json_object_get(r, "devices"), i, d) {
		used += (size_t)snprintf(ids + used, n - used, "%s%lld",
					 i ? "," : "",
					 (long long)json_integer_value(
						 json_object_get(d, "id")));
		if (!i)
			snprintf(
				match, m, "%s:%s",
				json_string_value(json_object_get(
					json_object_get(d, "match"), "field")),
				json_string_value(json_object_get(
					json_object_get(d, "match"), "value")));
	}
}

static void expect(struct store *st, const char *q, const int64_t *orgs,
		   const char *want_ids, const char *want_match)
{
	json_t *r = search(st, q, orgs);
	char ids[128], match[128];

	devices_of(r, ids, sizeof(ids), match, sizeof(match));
	if (strcmp(ids, want_ids) || (want_match && strcmp(match, want_match)))
		fail_msg("search '%s': devices [%s] match %s, expected [%s] %s",
			 q, ids, match, want_ids, want_match ? want_match : "");
	json_decref(r);
}

static void test_fields_and_notations(void **state)
{
	struct store *st = open_seeded(small);

	(void)state;
	expect(st, "WEB0", NULL, "1,2", "hostname:web01");
	expect(st, "web01.blue", NULL, "1", "fqdn:web01.blue.example");
	expect(st, "bluesys", NULL, "1", "sysName:bluesys");
	expect(st, "ser-blue", NULL, "1", "serial:SER-BLUE-1");
	expect(st, "uuid-red", NULL, "2", "uuid:uuid-red-1");
	expect(st, "198.18.9.2", NULL, "1", "ip:198.18.9.2");
	expect(st, "198.19", NULL, "1", "ip:198.19.0.5"); /* second address */
	/* the second NIC's MAC, in every notation */
	expect(st, "000c29aabb02", NULL, "1", "mac:00:0c:29:aa:bb:02");
	expect(st, "00-0C-29-AA-BB-02", NULL, "1", "mac:00:0c:29:aa:bb:02");
	expect(st, "000c.29aa.bb02", NULL, "1", "mac:00:0c:29:aa:bb:02");
	/* device 2's MAC is in device 1's ARP table: only device 2 */
	expect(st, "000c29ccdd01", NULL, "2", "mac:00:0c:29:cc:dd:01");
	expect(st, "paris", NULL, "1", "location:Paris DC");
	expect(st, "dc1", NULL, "1", "tags:core, dc1");
	expect(st, "edge", NULL, "2", "tags:edge");
	expect(st, "nothing-like-it", NULL, "", NULL);
	/* LIKE's wildcards are plain characters */
	expect(st, "%", NULL, "", NULL);
	store_close(st);
	testlib_rmdir(dir);
}

static const char *first_name(json_t *r, const char *type, const char *key)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(r, type), 0), key));
}

static void test_org_scope(void **state)
{
	struct store *st = open_seeded(small);
	json_t *r, *sw;

	(void)state;
	expect(st, "web", blue, "1", "hostname:web01");
	expect(st, "000c29ccdd01", blue, "", NULL);
	expect(st, "ser-red", blue, "", NULL);
	expect(st, "edge", blue, "", NULL);

	r = search(st, "nginx", blue);
	sw = json_array_get(json_object_get(r, "software"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "software")), 1);
	assert_string_equal(first_name(r, "software", "name"), "nginx");
	assert_int_equal(
		json_integer_value(json_object_get(sw, "device_count")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_array_get(json_object_get(sw, "devices"), 0),
			"id")),
		1);
	json_decref(r);
	r = search(st, "nginx", NULL);
	sw = json_array_get(json_object_get(r, "software"), 0);
	assert_int_equal(
		json_integer_value(json_object_get(sw, "device_count")), 2);
	json_decref(r);
	/* only another org has it: not even its name is shown */
	r = search(st, "redsecret", blue);
	assert_int_equal(json_array_size(json_object_get(r, "software")), 0);
	json_decref(r);
	r = search(st, "redsecret", NULL);
	assert_string_equal(first_name(r, "software", "name"),
			    "redsecret-tool");
	json_decref(r);
	/* removed software is not "installed" */
	r = search(st, "oldtool", NULL);
	assert_int_equal(json_array_size(json_object_get(r, "software")), 0);
	json_decref(r);

	r = search(st, "admin", blue);
	assert_int_equal(json_array_size(json_object_get(r, "users")), 1);
	assert_string_equal(first_name(r, "users", "username"), "blue-admin");
	assert_int_equal(json_array_size(json_object_get(r, "discoveries")), 0);
	json_decref(r);
	r = search(st, "lan", blue);
	assert_int_equal(json_array_size(json_object_get(r, "discoveries")), 1);
	assert_string_equal(first_name(r, "discoveries", "name"), "blue lan");
	json_decref(r);
	r = search(st, "lan", NULL);
	assert_int_equal(json_array_size(json_object_get(r, "discoveries")), 2);
	json_decref(r);
	store_close(st);
	testlib_rmdir(dir);
}

static void test_mac_prefix(void **state)
{
	char out[18];

	(void)state;
	assert_int_equal(store_search_mac_prefix("000C29", out), 0);
	assert_string_equal(out, "00:0c:29");
	assert_int_equal(store_search_mac_prefix("00:0c:2", out), 0);
	assert_string_equal(out, "00:0c:2");
	assert_int_equal(store_search_mac_prefix("000c.29ff.0001", out), 0);
	assert_string_equal(out, "00:0c:29:ff:00:01");
	assert_int_equal(store_search_mac_prefix("00 0c", out), 0);
	assert_string_equal(out, "00:0c");
	assert_int_equal(store_search_mac_prefix("0c2", out), -1);
	assert_int_equal(store_search_mac_prefix("web01", out), -1);
	assert_int_equal(store_search_mac_prefix("000c29ff00011", out), -1);
}

/* Every device and software lookup reads an index; only the small
 * discovery and user tables may be read whole. */
static void test_plans_use_indexes(void **state)
{
	struct store *st = open_seeded(small);
	json_t *plans, *p;
	const char *name;

	(void)state;
	log_set_level(LOG_ERR);
	plans = store_search_plans(st);
	assert_non_null(plans);
	json_object_foreach(plans, name, p) {
		const char *s = json_string_value(p);

		printf("# plan %s: %s\n", name, s);
		if (!strcmp(name, "discoveries") || !strcmp(name, "users"))
			continue;
		if (strstr(s, "SCAN ") &&
		    !strstr(s, "SCAN d USING INDEX device_tags_nc"))
			fail_msg("%s scans: %s", name, s);
		if (!strstr(s, "USING INDEX") &&
		    !strstr(s, "USING COVERING INDEX"))
			fail_msg("%s uses no index: %s", name, s);
	}
	json_decref(plans);
	store_close(st);
	testlib_rmdir(dir);
}

static void test_ip_order(void **state)
{
	struct store *st = open_seeded(
		"INSERT INTO device (org_id, hostname, ip, first_seen,"
		" last_seen) VALUES (1, 'a', '198.18.10.102', 't', 't'),"
		" (1, 'b', '198.18.10.2', 't', 't'), (1, 'c', '198.18.9.9', "
		"'t', "
		"'t'),"
		" (1, 'd', NULL, 't', 't'), (1, 'e', '2001:2::1', 't', "
		"'t');");
	struct store_query q;
	json_t *rows;
	char got[64] = "";
	size_t i, used = 0;
	json_t *r;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.order[0].field, sizeof(q.order[0].field), "ip");
	q.norder = 1;
	rows = store_api_list(st, STORE_API_DEVICES, &q, NULL);
	assert_non_null(rows);
	json_array_foreach(rows, i, r)
		used += (size_t)snprintf(
			got + used, sizeof(got) - used, "%s,",
			json_string_value(json_object_get(r, "hostname")));
	assert_string_equal(got, "d,c,b,a,e,");
	json_decref(rows);
	store_close(st);
	testlib_rmdir(dir);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* This thread's CPU time: what a search costs whatever else the machine
 * runs (wall time on two shared cores says more about the others). */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* N devices (10,000; NETCENSUS_SEARCH_DEVICES sets another number, up
 * to 1,000,000) in two orgs, each with two NICs, two addresses and 20 of
 * 300 software names (24 component rows each): the searches an
 * administrator types, timed. Printed, never a pass/fail figure. */
static void test_time_many(void **state)
{
	static const char *const kinds[] = {"hostname", "serial",   "mac",
					    "ip",	"software", "none"};
	const char *env = getenv("NETCENSUS_SEARCH_DEVICES");
	long n = 10000;
	struct store *st;
	double t0, c0, all[600], cpu[600], per[6][100];
	int i, k, nper[6] = {0};
	char q[64], *seed;

	(void)state;
	if (env && util_parse_long(env, 100, 1000000, &n) < 0)
		fail_msg("NETCENSUS_SEARCH_DEVICES must be 100 to 1000000");
	seed = xasprintf(
		"INSERT INTO org (id, name, parent_id, created) VALUES"
		" (2, 'Blue', 1, 't'), (3, 'Red', 1, 't');"
		"BEGIN;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		" WHERE i < %ld)"
		" INSERT INTO device (id, org_id, hostname, fqdn, ip, mac,"
		" serial, first_seen, last_seen) SELECT i, 2 + i %% 2,"
		" printf('host%%06d', i), printf('host%%06d.example.org', i),"
		" printf('10.%%d.%%d.%%d', i / 65536, i / 256 %% 256, i %% "
		"256),"
		" printf('00:%%02x:%%02x:%%02x:29:01', i / 65536, i / 256 %% "
		"256,"
		" i %% 256), printf('SN%%07d', i), 't', 't' FROM n;"
		"INSERT INTO component (device_id, section, key, data, mac, ip,"
		" name, current, first_seen, last_seen)"
		" SELECT id, 'network', 'k' || k, '{}', printf("
		"'00:%%02x:%%02x:%%02x:29:%%02x', id / 65536, id / 256 %% 256,"
		" id %% 256, k), NULL, NULL, 1, 't', 't' FROM device,"
		" (SELECT 1 AS k UNION SELECT 2);"
		"INSERT INTO component (device_id, section, key, data, mac, ip,"
		" name, current, first_seen, last_seen)"
		" SELECT id, 'ip', 'k' || k, '{}', NULL, "
		"printf('172.%%d.%%d.%%d',"
		" 16 + 2 * k + id / 65536, id / 256 %% 256, id %% 256), NULL, "
		"1,"
		" 't', 't' FROM device, (SELECT 1 AS k UNION SELECT 2);"
		"WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s"
		" WHERE k < 19)"
		" INSERT INTO component (device_id, section, key, data, mac, "
		"ip,"
		" name, current, first_seen, last_seen)"
		" SELECT id, 'software', 'k' || k, '{}', NULL, NULL,"
		" printf('package-%%03d', (id * 7 + k * 13) %% 300), 1, 't', "
		"'t'"
		" FROM device, s;"
		"COMMIT; ANALYZE;",
		n);
	t0 = now_ms();
	st = open_seeded(seed);
	free(seed);
	printf("# seeded %ld devices, %ld component rows in %.0f ms\n", n,
	       n * 24, now_ms() - t0);
	for (i = 0; i < 600; i++) {
		long d = 1 + ((long)i * 7919) % n;
		struct store_search s;
		json_t *r;

		k = i % 6;
		if (k == 0)
			snprintf(q, sizeof(q), "HOST%06ld", d);
		else if (k == 1)
			snprintf(q, sizeof(q), "sn%07ld", d);
		else if (k == 2) /* the second NIC, typed without separators */
			snprintf(q, sizeof(q), "00%02lx%02lx%02lx2902",
				 d / 65536, d / 256 % 256, d % 256);
		else if (k == 3) /* the second address of the ip section */
			snprintf(q, sizeof(q), "172.%ld.%ld.%ld",
				 20 + d / 65536, d / 256 % 256, d % 256);
		else if (k == 4)
			snprintf(q, sizeof(q), "package-%03ld", d % 300);
		else
			snprintf(q, sizeof(q), "zz-no-such-%ld", d);
		memset(&s, 0, sizeof(s));
		s.q = q;
		s.limit = 10;
		s.org_ids = blue;
		s.norgs = 1;
		s.users = 1;
		t0 = now_ms();
		c0 = cpu_ms();
		r = store_search(st, &s);
		cpu[i] = cpu_ms() - c0;
		all[i] = now_ms() - t0;
		per[k][nper[k]++] = all[i];
		assert_non_null(r);
		/* the found device is the one asked for (odd ids are Red's) */
		if (k < 4 && d % 2 == 0)
			assert_int_equal(
				json_integer_value(json_object_get(
					json_array_get(
						json_object_get(r, "devices"),
						0),
					"id")),
				d);
		if (k == 4)
			assert_int_equal(
				json_array_size(json_object_get(r, "software")),
				1);
		json_decref(r);
	}
	qsort(all, 600, sizeof(all[0]), cmp_double);
	qsort(cpu, 600, sizeof(cpu[0]), cmp_double);
	printf("# search over %ld devices (Blue org's view), 600 searches:"
	       " wall p50 %.2f ms, p99 %.2f ms, max %.2f ms; CPU p50 %.2f "
	       "ms, p99 %.2f ms\n",
	       n, all[299], all[593], all[599], cpu[299], cpu[593]);
	for (k = 0; k < 6; k++) {
		qsort(per[k], (size_t)nper[k], sizeof(double), cmp_double);
		printf("#   %-8s wall p50 %.2f ms, p99 %.2f ms\n", kinds[k],
		       per[k][nper[k] / 2], per[k][nper[k] * 99 / 100]);
	}
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_prefix),
		cmocka_unit_test(test_fields_and_notations),
		cmocka_unit_test(test_org_scope),
		cmocka_unit_test(test_plans_use_indexes),
		cmocka_unit_test(test_ip_order),
		cmocka_unit_test(test_time_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
