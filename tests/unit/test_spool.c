/*
 * test_spool: the collector's disk spool (src/collector/spool.h) - items
 * survive a reopen in order, nothing half-written is ever taken, the cap
 * drops the oldest report of the same device first, then of a device
 * with two, then the oldest, and counts each drop; damaged files are set
 * aside; run markers come back after a restart.
 */
#include "testlib.h"

#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>

#include "collector/spool.h"

static json_t *body_n(int n)
{
	return json_pack("{si}", "n", n);
}

static size_t count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* Takes every item left, oldest first, into an array of "kind:n:device". */
static json_t *drain(struct spool *sp)
{
	json_t *out = json_array(), *doc;
	uint64_t seq;

	while ((doc = spool_peek(sp, &seq))) {
		json_t *b = json_object_get(doc, "body");
		const char *dev =
			json_string_value(json_object_get(doc, "device"));
		char s[96];

		snprintf(s, sizeof(s), "%s:%lld:%s",
			 json_string_value(json_object_get(doc, "kind")),
			 (long long)json_integer_value(json_object_get(b, "n")),
			 dev ? dev : "-");
		json_array_append_new(out, json_string(s));
		json_decref(doc);
		assert_int_equal(spool_remove(sp, seq), 0);
	}
	return out;
}

static void test_order_and_reopen(void **state)
{
	char dir[64], id1[SPOOL_ID_LEN] = "", id2[SPOOL_ID_LEN] = "";
	struct spool *sp;
	struct spool_stats st;
	json_t *b, *got;
	int i;

	(void)state;
	testlib_tmpdir(dir);
	sp = spool_open(dir, 0);
	assert_non_null(sp);
	for (i = 0; i < 20; i++) {
		b = body_n(i);
		assert_int_equal(spool_put(sp, i % 3 ? "report" : "log", 7,
					   "198.18.0.1", b, i ? id2 : id1),
				 0);
		json_decref(b);
	}
	assert_int_equal(strlen(id1), 32);
	assert_string_not_equal(id1, id2);
	spool_close(sp);
	/* a write that died half-way leaves a temporary file: never taken */
	{
		char p[128];
		FILE *f;

		snprintf(p, sizeof(p),
			 "%s/.tmp-00000000000000ff-report-"
			 "198.18.0.9.json",
			 dir);
		f = fopen(p, "w");
		assert_non_null(f);
		fputs("{\"id\":", f);
		fclose(f);
	}
	sp = spool_open(dir, 0);
	assert_non_null(sp);
	assert_int_equal(count_files(dir, ".tmp-"), 0);
	spool_stats(sp, &st);
	assert_int_equal(st.items, 20);
	assert_int_equal(st.reports, 13);
	got = drain(sp);
	assert_int_equal(json_array_size(got), 20);
	for (i = 0; i < 20; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s:%d:%s",
			 i % 3 ? "report" : "log", i,
			 i % 3 ? "198.18.0.1" : "-");
		assert_string_equal(json_string_value(json_array_get(got, i)),
				    want);
	}
	json_decref(got);
	spool_stats(sp, &st);
	assert_int_equal(st.items, 0);
	spool_close(sp);
	/* numbering goes on after a reopen of an empty spool */
	testlib_rmdir(dir);
}

static void put_report(struct spool *sp, const char *dev, int n)
{
	json_t *b = body_n(n);

	assert_int_equal(spool_put(sp, "report", 1, dev, b, NULL), 0);
	json_decref(b);
}

static void test_cap_drop_rule(void **state)
{
	char dir[64];
	struct spool *sp;
	struct spool_stats st;
	json_t *got, *b;

	(void)state;
	testlib_tmpdir(dir);
	sp = spool_open(dir, 4);
	assert_non_null(sp);
	put_report(sp, "198.18.0.1", 1);
	put_report(sp, "198.18.0.2", 2);
	put_report(sp, "198.18.0.3", 3);
	put_report(sp, "198.18.0.2", 4);
	/* logs are never dropped and do not count */
	b = body_n(100);
	assert_int_equal(spool_put(sp, "log", 1, NULL, b, NULL), 0);
	json_decref(b);
	/* full; .3 again: its own oldest (3) goes */
	put_report(sp, "198.18.0.3", 5);
	/* full; .4 is new: the oldest of a device with two (.2: 2) goes */
	put_report(sp, "198.18.0.4", 6);
	spool_stats(sp, &st);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.reports, 4);
	/* full; .5 new, every device has one: the oldest (1) goes */
	put_report(sp, "198.18.0.5", 7);
	spool_stats(sp, &st);
	assert_int_equal(st.dropped, 3);
	got = drain(sp);
	b = json_pack("[sssss]", "report:4:198.18.0.2", "log:100:-",
		      "report:5:198.18.0.3", "report:6:198.18.0.4",
		      "report:7:198.18.0.5");
	assert_true(json_equal(got, b));
	json_decref(b);
	json_decref(got);
	spool_close(sp);
	testlib_rmdir(dir);
}

static void test_damaged_and_markers(void **state)
{
	char dir[64], p[128];
	struct spool *sp;
	json_t *doc, *marks, *info;
	uint64_t seq;
	FILE *f;

	(void)state;
	testlib_tmpdir(dir);
	snprintf(p, sizeof(p), "%s/0000000000000001-report-198.18.0.1.json",
		 dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("not json", f);
	fclose(f);
	sp = spool_open(dir, 0);
	assert_non_null(sp);
	put_report(sp, "198.18.0.2", 9);
	doc = spool_peek(sp, &seq);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "device")),
			    "198.18.0.2");
	json_decref(doc);
	snprintf(p, sizeof(p), "%s/rejected", dir);
	assert_int_equal(count_files(p, "0000000000000001-"), 1);
	/* a name with no address in it is not trusted as one */
	doc = body_n(1);
	assert_int_equal(spool_put(sp, "report", 1, "../../etc", doc, NULL), 0);
	json_decref(doc);
	assert_int_equal(count_files(dir, "0000000000000003-report-unknown"),
			 1);
	info = json_pack("{ss}", "name", "site-a");
	assert_int_equal(spool_run_mark(sp, 42, info), 0);
	json_decref(info);
	spool_close(sp);
	sp = spool_open(dir, 0);
	marks = spool_run_marks(sp);
	assert_int_equal(json_array_size(marks), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(marks, 0), "run_id")),
			 42);
	json_decref(marks);
	spool_run_unmark(sp, 42);
	marks = spool_run_marks(sp);
	assert_int_equal(json_array_size(marks), 0);
	json_decref(marks);
	spool_close(sp);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_reopen),
		cmocka_unit_test(test_cap_drop_rule),
		cmocka_unit_test(test_damaged_and_markers),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
