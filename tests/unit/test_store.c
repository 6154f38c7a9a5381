/* store.h on SQLite: open and migrate, the newer-version refusal, devices,
 * components, change and audit logs, transactions. */
#include <pthread.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "testlib.h"

#include "core/log.h"
#include "store/store.h"
#include "store/store_ssh.h"

static char dir[64];
static char dbpath[128];

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(dbpath, sizeof(dbpath), "%s/nc.db", dir);
	setenv("NETCENSUS_NOW", "2026-01-02 03:04:05", 1);
	*state = store_open(dbpath);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	store_close(*state);
	testlib_rmdir(dir);
	return 0;
}

static int64_t count(struct store *st, const char *what)
{
	json_t *c = store_counts(st);
	int64_t n;

	assert_non_null(c);
	n = json_integer_value(json_object_get(c, what));
	json_decref(c);
	return n;
}

static void test_default_path(void **state)
{
	(void)state;
	unsetenv("NETCENSUS_DB");
	assert_string_equal(store_default_path(NULL), "./netcensus.db");
	setenv("NETCENSUS_DB", "/tmp/x.db", 1);
	assert_string_equal(store_default_path(NULL), "/tmp/x.db");
	assert_string_equal(store_default_path("/opt/y.db"), "/opt/y.db");
	unsetenv("NETCENSUS_DB");
}

static void test_open_creates(void **state)
{
	struct store *st = *state;
	char key[160], url[160];
	struct stat sb;

	assert_int_equal(store_db_version(st), store_schema_version());
	assert_true(store_schema_version() >= 1);
	/* the database holds password hashes: private, like its key */
	assert_int_equal(stat(dbpath, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	snprintf(key, sizeof(key), "%s.key", dbpath);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(count(st, "orgs"), 1); /* "Default" */
	assert_int_equal(count(st, "devices"), 0);
	assert_int_equal(store_check(st), 0);
	/* reopening an up-to-date database, by its url form */
	store_close(st);
	snprintf(url, sizeof(url), "sqlite:%s", dbpath);
	*state = st = store_open(url);
	assert_non_null(st);
	assert_int_equal(store_db_version(st), store_schema_version());
}

static void set_user_version(const char *path, int v)
{
	sqlite3 *db;
	char sql[64];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int get_user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void test_newer_refused(void **state)
{
	int newer = store_schema_version() + 1;

	store_close(*state);
	*state = NULL;
	set_user_version(dbpath, newer);
	assert_null(store_open(dbpath));
	/* refused, and left as it was */
	assert_int_equal(get_user_version(dbpath), newer);
	set_user_version(dbpath, store_schema_version());
	*state = store_open(dbpath);
	assert_non_null(*state);
}

static void test_not_a_database(void **state)
{
	char path[160];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not an SQLite file, it is long enough to be read "
	      "as a header by sqlite, surely, yes, quite long indeed.\n",
	      f);
	fclose(f);
	assert_null(store_open(path));
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", dir);
	assert_null(store_open(path));
}

/* The back end is chosen by the URL: a PostgreSQL URL goes to PostgreSQL
 * (here a loopback port where nothing listens: a clear "cannot connect",
 * the URL without its password), and nothing is created on disk under its
 * name; a path and "sqlite:PATH" are SQLite. test_pg.sh runs the
 * PostgreSQL back end against a real server. */
static void test_open_by_url(void **state)
{
	static const char *const pg[] = {
		"postgresql://nc:pw-not-shown@127.0.0.1:1/netcensus",
		"postgres://127.0.0.1:1/netcensus?connect_timeout=30",
	};
	struct log_capture cap;
	struct stat sb;
	size_t i;

	(void)state;
	log_set_level(LOG_QUIET);
	for (i = 0; i < sizeof(pg) / sizeof(pg[0]); i++) {
		log_capture_start(&cap);
		assert_null(store_open(pg[i]));
		log_capture_stop();
		assert_non_null(strstr(cap.msg, "cannot connect to database"));
		assert_non_null(strstr(cap.msg, "127.0.0.1:1/netcensus"));
		assert_null(strstr(cap.msg, "pw-not-shown"));
		assert_int_not_equal(stat(pg[i], &sb), 0);
	}
	log_capture_start(&cap);
	assert_null(store_open(""));
	log_capture_stop();
	assert_non_null(strstr(cap.msg, "--db"));
}

static void test_device_roundtrip(void **state)
{
	struct store *st = *state;
	json_t *sys = json_pack("{ss ss ss ss ss si ss sI}", "hostname", "web1",
				"uuid", "U-1", "os_name", "Debian", "os_icon",
				"debian", "first_seen", "1999-01-01 00:00:00",
				"memory_count", 4096, "sysName", "Web1", "id",
				(json_int_t)77);
	json_t *dev, *list;
	int64_t id, other;

	assert_int_equal(
		store_device_insert(st, 1, sys, "2026-01-01 00:00:00", &id), 0);
	assert_true(id > 0);
	assert_int_not_equal(id, 77); /* the store owns id */
	dev = store_device_get(st, id);
	assert_non_null(dev);
	assert_string_equal(json_string_value(json_object_get(dev, "hostname")),
			    "web1");
	/* a non-column field comes back flat, as it was */
	assert_string_equal(json_string_value(json_object_get(dev, "os_icon")),
			    "debian");
	assert_int_equal(
		json_integer_value(json_object_get(dev, "memory_count")), 4096);
	assert_string_equal(json_string_value(json_object_get(dev, "sysName")),
			    "Web1");
	assert_int_equal(json_integer_value(json_object_get(dev, "id")), id);
	assert_int_equal(json_integer_value(json_object_get(dev, "org_id")), 1);
	assert_string_equal(
		json_string_value(json_object_get(dev, "first_seen")),
		"2026-01-01 00:00:00");
	assert_null(json_object_get(dev, "serial"));
	assert_null(json_object_get(dev, "extra"));

	/* update replaces sys fields and moves last_seen only */
	json_object_set_new(dev, "os_name", json_string("Debian 12"));
	json_object_del(dev, "os_icon");
	assert_int_equal(
		store_device_update(st, id, dev, "2026-02-01 00:00:00"), 0);
	json_decref(dev);
	dev = store_device_get(st, id);
	assert_string_equal(json_string_value(json_object_get(dev, "os_name")),
			    "Debian 12");
	assert_null(json_object_get(dev, "os_icon"));
	assert_string_equal(
		json_string_value(json_object_get(dev, "first_seen")),
		"2026-01-01 00:00:00");
	assert_string_equal(
		json_string_value(json_object_get(dev, "last_seen")),
		"2026-02-01 00:00:00");
	json_decref(dev);

	{
		const char *f[] = {"hostname", "uuid"};
		const char *v[] = {"web1", "U-1"};
		const char *bad[] = {"hostname; DROP TABLE device"};
		const char *v2[] = {"web1", "U-2"};

		assert_int_equal(store_device_find(st, f, v, 2, &other), 0);
		assert_int_equal(other, id);
		assert_int_equal(store_device_find(st, f, v2, 2, &other), 0);
		assert_int_equal(other, 0);
		/* only column names reach SQL */
		assert_int_equal(store_device_find(st, bad, v, 1, &other), -1);
	}
	list = store_device_list(st, 0, 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_null(store_device_get(st, id + 100));
	assert_int_equal(store_device_update(st, id + 100, sys, "x"), -1);
	assert_int_equal(store_device_delete(st, id), 0);
	assert_int_equal(store_device_delete(st, id), -1);
	json_decref(sys);
}

static int64_t add_device(struct store *st, json_t *sys)
{
	int64_t id;

	assert_int_equal(
		store_device_insert(st, 1, sys, "2026-01-01 00:00:00", &id), 0);
	json_decref(sys);
	return id;
}

/* The lowest id the MAC or IP match query finds in org's tree, or 0. */
static int64_t find_mac(struct store *st, int64_t org, const char *mac)
{
	int64_t ids[4];
	int n;

	assert_int_equal(store_match_mac(st, org, mac, ids, 4, &n), 0);
	return n ? ids[0] : 0;
}

static int64_t find_ip(struct store *st, int64_t org, const char *ip)
{
	int64_t ids[4];
	int n;

	assert_int_equal(store_match_ip(st, org, ip, ids, 4, &n), 0);
	return n ? ids[0] : 0;
}

/* Match queries see the org's tree only: the org and its descendants. */
static void test_match_org_tree(void **state)
{
	struct store *st = *state;
	static const char *const f[] = {"hostname"};
	const char *v[] = {"same"};
	int64_t a, b, b1, da, db1, ids[4];
	json_t *sys;
	int n;

	assert_int_equal(store_org_add(st, "A", 0, &a), 0);
	assert_int_equal(store_org_add(st, "B", 0, &b), 0);
	assert_int_equal(store_org_add(st, "B1", b, &b1), 0);
	sys = json_pack("{ss ss ss}", "hostname", "same", "mac",
			"3c:ec:ef:00:00:01", "ip", "198.18.0.9");
	assert_int_equal(store_device_insert(st, a, sys, "t", &da), 0);
	json_decref(sys);
	sys = json_pack("{ss}", "hostname", "same");
	assert_int_equal(store_device_insert(st, b1, sys, "t", &db1), 0);
	json_decref(sys);
	/* B sees its sub-org's device, not A's */
	assert_int_equal(store_match_fields(st, b, f, v, 1, ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], db1);
	assert_int_equal(find_mac(st, b, "3c:ec:ef:00:00:01"), 0);
	assert_int_equal(find_ip(st, b, "198.18.0.9"), 0);
	/* B1 does not see its parent's other devices; A only its own */
	assert_int_equal(store_match_fields(st, a, f, v, 1, ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], da);
	assert_int_equal(find_mac(st, a, "3c:ec:ef:00:00:01"), da);
	assert_int_equal(find_ip(st, a, "198.18.0.9"), da);
	/* the root (Default) sees both, lowest id first */
	assert_int_equal(
		store_match_fields(st, STORE_ORG_ROOT, f, v, 1, ids, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], da);
	assert_int_equal(ids[1], db1);
}

static void test_find_by_mac_ip(void **state)
{
	struct store *st = *state;
	int64_t a, b, c;
	json_t *row;

	a = add_device(st, json_pack("{ss ss}", "hostname", "a", "mac",
				     "52:54:00:00:00:0a"));
	b = add_device(
		st, json_pack("{ss ss}", "hostname", "b", "ip", "198.18.0.2"));
	c = add_device(st, json_pack("{ss ss ss}", "hostname", "c", "ip",
				     "198.18.0.3", "serial", "SN3"));
	row = json_pack("{ss ss}", "mac", "52:54:00:00:00:0b", "net_index",
			"1");
	assert_int_equal(store_component_insert(st, b, "network",
						"52:54:00:00:00:0b\x1f"
						"1",
						row, "2026-01-01 00:00:00"),
			 0);
	json_decref(row);
	row = json_pack("{ss ss}", "ip", "198.18.0.22", "mac",
			"52:54:00:00:00:0b");
	assert_int_equal(store_component_insert(st, b, "ip", "k", row,
						"2026-01-01 00:00:00"),
			 0);
	json_decref(row);

	assert_int_equal(find_mac(st, 1, "52:54:00:00:00:0a"), a);
	assert_int_equal(find_mac(st, 1, "52:54:00:00:00:0b"), b);
	assert_int_equal(find_mac(st, 1, "52:54:00:00:00:0c"), 0);
	assert_int_equal(find_ip(st, 1, "198.18.0.2"), b);
	assert_int_equal(find_ip(st, 1, "198.18.0.22"), b);
	/* c has a serial: an address alone never picks it */
	assert_int_equal(find_ip(st, 1, "198.18.0.3"), 0);
	(void)c;
}

static void test_components(void **state)
{
	struct store *st = *state;
	json_t *row, *list, *r, *secs;
	int64_t dev, cid;

	dev = add_device(st, json_pack("{ss}", "hostname", "d"));
	row = json_pack("{ss ss}", "name", "openssl", "version", "1.0");
	assert_int_equal(store_component_insert(st, dev, "software",
						"openssl\x1f"
						"1.0",
						row, "2026-01-01 00:00:00"),
			 0);
	json_decref(row);
	row = json_pack("{ss ss}", "mac", "52:54:00:aa:bb:cc", "net_index",
			"2");
	assert_int_equal(store_component_insert(st, dev, "network", "n", row,
						"2026-01-01 00:00:00"),
			 0);
	json_decref(row);

	list = store_component_list(st, dev, "software", 0);
	assert_int_equal(json_array_size(list), 1);
	r = json_array_get(list, 0);
	cid = json_integer_value(json_object_get(r, "id"));
	assert_string_equal(json_string_value(json_object_get(r, "key")),
			    "openssl\x1f"
			    "1.0");
	assert_int_equal(json_integer_value(json_object_get(r, "current")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r, "data"), "version")),
			    "1.0");
	json_decref(list);

	/* retire keeps last_seen; update brings it back with new data */
	assert_int_equal(store_component_retire(st, cid), 0);
	assert_int_equal(json_array_size(list = store_component_list(
						 st, dev, "software", 1)),
			 0);
	json_decref(list);
	list = store_component_list(st, dev, "software", 0);
	r = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "current")), 0);
	assert_string_equal(json_string_value(json_object_get(r, "last_seen")),
			    "2026-01-01 00:00:00");
	json_decref(list);
	row = json_pack("{ss ss ss}", "name", "openssl", "version", "1.0",
			"publisher", "OpenSSL");
	assert_int_equal(
		store_component_update(st, cid, row, "2026-03-01 00:00:00"), 0);
	json_decref(row);
	assert_int_equal(
		store_component_update(st, cid, NULL, "2026-04-01 00:00:00"),
		0);
	list = store_component_list(st, dev, "software", 1);
	r = json_array_get(list, 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(r, "last_seen")),
			    "2026-04-01 00:00:00");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r, "data"), "publisher")),
			    "OpenSSL");
	json_decref(list);

	secs = store_component_sections(st, dev);
	assert_int_equal(json_array_size(secs), 2);
	assert_string_equal(json_string_value(json_array_get(secs, 0)),
			    "network");
	json_decref(secs);
	/* the mac column was copied out of data: the device is found by it */
	assert_int_equal(find_mac(st, 1, "52:54:00:aa:bb:cc"), dev);
	assert_int_equal(count(st, "components"), 2);
	/* deleting the device takes its components along */
	assert_int_equal(store_device_delete(st, dev), 0);
	assert_int_equal(count(st, "components"), 0);
}

static void test_change_and_audit_log(void **state)
{
	struct store *st = *state;
	struct store_audit a = {.source = "x.xml",
				.format = "openaudit-xml",
				.result = "created",
				.rule = NULL,
				.message = "12 rows",
				.device_id = 0};
	int64_t d1, d2;
	json_t *list, *detail;

	d1 = add_device(st, json_pack("{ss}", "hostname", "one"));
	d2 = add_device(st, json_pack("{ss}", "hostname", "two"));
	detail = json_pack("{s{ss}s{ss}}", "from", "version", "1", "to",
			   "version", "2");
	assert_int_equal(store_change_add(st, d1, "software", "change",
					  "a\x1f"
					  "2",
					  detail, "t1"),
			 0);
	json_decref(detail);
	assert_int_equal(
		store_change_add(st, d2, "software", "add", "b", NULL, "t2"),
		0);
	assert_int_equal(
		store_change_add(st, d1, "service", "remove", "c", NULL, "t3"),
		0);
	/* only the three actions exist */
	assert_int_equal(
		store_change_add(st, d1, "service", "rename", "c", NULL, "t3"),
		-1);
	list = store_change_list(st, 0, 0);
	assert_int_equal(json_array_size(list), 3);
	/* newest first */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 0), "time")),
			    "t3");
	json_decref(list);
	list = store_change_list(st, d1, 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 1), "hostname")),
			    "one");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(json_array_get(list, 1),
							"detail"),
					"to"),
			"version")),
		"2");
	json_decref(list);
	list = store_change_list(st, 0, 1);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	assert_int_equal(store_audit_add(st, &a, "t1"), 0);
	a.result = "rejected";
	a.message = "line 3: bad";
	assert_int_equal(store_audit_add(st, &a, "t2"), 0);
	list = store_audit_list(st, 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 0), "result")),
			    "rejected");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 0), "message")),
			    "line 3: bad");
	json_decref(list);
}

/* The writers of one process take turns inside the SQLite back end (no
 * caller holds a lock): threads with their own handles on one file write
 * in transactions and in single statements at once, and everything is
 * stored; a handle told not to wait is refused at once while another
 * handle holds a transaction, and gets its turn once that is over. */
#define WRITERS 4
#define WRITES 25

static void *writer_main(void *arg)
{
	struct store *st = store_open(dbpath);
	intptr_t k = (intptr_t)arg, i, fails = 0;

	if (!st)
		return (void *)(intptr_t)WRITES;
	for (i = 0; i < WRITES; i++) {
		json_t *sys = json_pack("{ss}", "hostname", "w");
		int64_t id;

		if (k % 2 == 0) { /* a transaction */
			if (store_begin(st) < 0 ||
			    store_device_insert(st, 1, sys, "t", &id) < 0 ||
			    store_commit(st) < 0)
				fails++;
		} else if (store_device_insert(st, 1, sys, "t", &id) < 0) {
			fails++;
		}
		json_decref(sys);
	}
	store_close(st);
	return (void *)fails;
}

static void test_writers_take_turns(void **state)
{
	struct store *st = *state, *other;
	pthread_t th[WRITERS];
	json_t *sys;
	void *fails;
	int64_t id;
	intptr_t i;

	for (i = 0; i < WRITERS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, writer_main, (void *)i),
			0);
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(pthread_join(th[i], &fails), 0);
		assert_int_equal((intptr_t)fails, 0);
	}
	assert_int_equal(count(st, "devices"), WRITERS * WRITES);

	other = store_open(dbpath);
	assert_non_null(other);
	assert_int_equal(store_begin(st), 0);
	store_set_wait(other, 0);
	assert_int_equal(store_begin(other), -1);
	assert_int_equal(store_batch_begin(other), -1);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_batch_begin(other), 0);
	sys = json_pack("{ss}", "hostname", "later");
	assert_int_equal(store_device_insert(other, 1, sys, "t", &id), 0);
	json_decref(sys);
	assert_int_equal(store_batch_commit(other), 0);
	store_close(other);
	assert_int_equal(count(st, "devices"), WRITERS * WRITES + 1);
}

static void test_transactions(void **state)
{
	struct store *st = *state;
	int64_t id;
	json_t *sys = json_pack("{ss}", "hostname", "tx");

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_begin(st), -1); /* one at a time */
	assert_int_equal(store_device_insert(st, 1, sys, "t", &id), 0);
	assert_int_equal(store_rollback(st), 0);
	assert_int_equal(count(st, "devices"), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_device_insert(st, 1, sys, "t", &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(count(st, "devices"), 1);
	assert_int_equal(store_commit(st), -1);
	/* a device in an org that does not exist: foreign keys are on */
	assert_int_equal(store_device_insert(st, 999, sys, "t", &id), -1);
	json_decref(sys);
}

/* A run reads the SSH host keys of the org tree it stores into: an
 * address used by devices of two sibling orgs pins each org to its own
 * device's key, and the root sees the one seen last. */
static void test_ssh_host_map_org(void **state)
{
	struct store *st = *state;
	struct store_ssh_host h = {0,	 "198.18.3.10", 22,
				   NULL, "ssh-ed25519", "lab-pw"};
	int64_t a, b, da, db;
	json_t *sys = json_pack("{ss}", "ip", "198.18.3.10"), *m;

	assert_int_equal(store_org_add(st, "A", 0, &a), 0);
	assert_int_equal(store_org_add(st, "B", 0, &b), 0);
	assert_int_equal(
		store_device_insert(st, a, sys, "2026-01-01 00:00:00", &da), 0);
	assert_int_equal(
		store_device_insert(st, b, sys, "2026-01-01 00:00:00", &db), 0);
	h.device_id = da;
	h.hostkey = "SHA256:key-of-A";
	assert_int_equal(store_ssh_host_set(st, &h), 0);
	setenv("NETCENSUS_NOW", "2026-01-02 03:04:06", 1);
	h.device_id = db;
	h.hostkey = "SHA256:key-of-B";
	assert_int_equal(store_ssh_host_set(st, &h), 0);

	m = store_ssh_host_map(st, a);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(m, "198.18.3.10"), "hostkey")),
		"SHA256:key-of-A");
	json_decref(m);
	m = store_ssh_host_map(st, b);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(m, "198.18.3.10"), "org_id")),
			 b);
	json_decref(m);
	m = store_ssh_host_map(st, 1); /* Default: the whole tree */
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(m, "198.18.3.10"), "hostkey")),
		"SHA256:key-of-B");
	json_decref(m);
	json_decref(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_open_by_url),
		cmocka_unit_test_setup_teardown(test_open_creates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_by_mac_ip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_match_org_tree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_components, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_change_and_audit_log,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_host_map_org, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_writers_take_turns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
