/* targets.h: every target form, exclusions, the cap, and errors that name
 * the bad token. Host names used are loopback ones from /etc/hosts. */
#include <arpa/inet.h>

#include "testlib.h"

#include "core/log.h"
#include "core/targets.h"

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	return 0;
}

/* Formats address i of t into a static buffer. */
static const char *addr_at(const struct targets *t, uint64_t i)
{
	static char buf[INET6_ADDRSTRLEN];
	struct targets_addr a;

	if (targets_get(t, i, &a) < 0)
		return "(none)";
	return targets_addr_format(&a, buf, sizeof(buf));
}

/* A finished set from NULL-terminated include tokens. */
static struct targets *make(uint64_t max, const char *const *toks)
{
	struct targets *t = targets_new(max, 0);

	for (; *toks; toks++)
		assert_int_equal(targets_add(t, *toks), 0);
	assert_int_equal(targets_finish(t), 0);
	return t;
}

static void test_single_and_cidr(void **state)
{
	const char *toks[] = {"198.18.0.5", "198.19.1.0/30", "2001:db8::1",
			      NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 1 + 4 + 1);
	/* IPv4 sorts first: it lives at ::ffff:0:0/96 */
	assert_string_equal(addr_at(t, 0), "198.18.0.5");
	assert_string_equal(addr_at(t, 1), "198.19.1.0");
	assert_string_equal(addr_at(t, 4), "198.19.1.3");
	assert_string_equal(addr_at(t, 5), "2001:db8::1");
	assert_string_equal(addr_at(t, 6), "(none)");
	targets_free(t);
}

static void test_cidr_host_bits_and_edges(void **state)
{
	const char *toks[] = {"198.19.2.3/24", "255.255.255.255/32",
			      "0.0.0.0/32", NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 256 + 2);
	assert_string_equal(addr_at(t, 0), "0.0.0.0");
	assert_string_equal(addr_at(t, 1), "198.19.2.0");
	assert_string_equal(addr_at(t, 256), "198.19.2.255");
	assert_string_equal(addr_at(t, 257), "255.255.255.255");
	targets_free(t);
}

static void test_ranges(void **state)
{
	const char *toks[] = {"198.18.0.250-198.18.1.5",
			      "2001:db8::fe-2001:db8::101", NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 12 + 4);
	assert_string_equal(addr_at(t, 0), "198.18.0.250");
	assert_string_equal(addr_at(t, 5), "198.18.0.255");
	assert_string_equal(addr_at(t, 6), "198.18.1.0");
	assert_string_equal(addr_at(t, 11), "198.18.1.5");
	assert_string_equal(addr_at(t, 12), "2001:db8::fe");
	assert_string_equal(addr_at(t, 15), "2001:db8::101");
	targets_free(t);
}

static void test_octet_ranges(void **state)
{
	const char *toks[] = {"198.18.1-3.1-254", NULL};
	const char *toks2[] = {"198.19.3,5.1,7-8", NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 3 * 254);
	assert_int_equal(targets_range_count(t), 3);
	assert_string_equal(addr_at(t, 0), "198.18.1.1");
	assert_string_equal(addr_at(t, 253), "198.18.1.254");
	assert_string_equal(addr_at(t, 254), "198.18.2.1");
	assert_string_equal(addr_at(t, 3 * 254 - 1), "198.18.3.254");
	targets_free(t);

	t = make(0, toks2);
	assert_int_equal(targets_count(t), 6);
	assert_string_equal(addr_at(t, 0), "198.19.3.1");
	assert_string_equal(addr_at(t, 1), "198.19.3.7");
	assert_string_equal(addr_at(t, 2), "198.19.3.8");
	assert_string_equal(addr_at(t, 3), "198.19.5.1");
	targets_free(t);
}

static void test_overlaps_merge(void **state)
{
	const char *toks[] = {"198.18.0.0/24", "198.18.0.10", "198.18.0.128/25",
			      "198.18.0.255-198.18.1.1", NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 258);
	assert_int_equal(targets_range_count(t), 1);
	targets_free(t);
}

static void test_excludes(void **state)
{
	struct targets *t = targets_new(0, 0);

	(void)state;
	assert_int_equal(targets_add(t, "198.18.0.0/24"), 0);
	assert_int_equal(targets_add(t, "198.18.2.0/24"), 0);
	assert_int_equal(targets_exclude(t, "198.18.0.0"), 0);
	assert_int_equal(targets_exclude(t, "198.18.0.100-198.18.0.199"), 0);
	assert_int_equal(targets_exclude(t, "198.18.0.255"), 0);
	assert_int_equal(targets_exclude(t, "198.18.2.0/23"), 0);
	/* a huge exclusion is fine: the cap is for what is scanned */
	assert_int_equal(targets_exclude(t, "198.20.0.0/14"), 0);
	assert_int_equal(targets_finish(t), 0);
	assert_int_equal(targets_count(t), 256 - 1 - 100 - 1);
	assert_string_equal(addr_at(t, 0), "198.18.0.1");
	assert_string_equal(addr_at(t, 98), "198.18.0.99");
	assert_string_equal(addr_at(t, 99), "198.18.0.200");
	assert_string_equal(addr_at(t, 153), "198.18.0.254");
	targets_free(t);
}

static void test_exclude_everything(void **state)
{
	struct targets *t = targets_new(0, 0);

	(void)state;
	assert_int_equal(targets_add(t, "198.19.0.0/16"), 0);
	assert_int_equal(targets_exclude(t, "198.18.0.0/15"), 0);
	assert_int_equal(targets_finish(t), 0);
	assert_int_equal(targets_count(t), 0);
	assert_int_equal(targets_get(t, 0, &(struct targets_addr){0}), -1);
	targets_free(t);
}

static void expect_error(uint64_t max, const char *tok, const char *want)
{
	struct targets *t = targets_new(max, 0);

	assert_int_equal(targets_add(t, tok), -1);
	if (!strstr(targets_error(t), want))
		fail_msg("'%s': error '%s' lacks '%s'", tok, targets_error(t),
			 want);
	targets_free(t);
}

static void test_cap(void **state)
{
	(void)state;
	expect_error(0, "198.0.0.0/7",
		     "'198.0.0.0/7': prefix /7 gives 33554432 addresses, more "
		     "than --max-targets 65536");
	expect_error(0, "198.18.0.0/15", "131072 addresses");
	expect_error(100, "198.18.0.0/24", "more than --max-targets 100");
	expect_error(0, "2001:db8::/64", "2^64 addresses");
	expect_error(0, "::/0", "2^128 addresses");
	expect_error(0, "198.18.0.0-198.20.0.0", "131073 addresses");
	expect_error(0, "1-255.1-255.1-255.1", "more than --max-targets");
	expect_error(1000, "198.18.0-10.0-255", "2816 addresses");
}

static void test_cap_total(void **state)
{
	struct targets *t = targets_new(300, 0);

	(void)state;
	assert_int_equal(targets_add(t, "198.18.0.0/24"), 0);
	assert_int_equal(targets_add(t, "198.18.1.0/24"), 0);
	assert_int_equal(targets_finish(t), -1);
	assert_non_null(strstr(targets_error(t), "512 addresses"));
	targets_free(t);

	t = targets_new(300, 0); /* exclusions bring it under */
	assert_int_equal(targets_add(t, "198.18.0.0/24"), 0);
	assert_int_equal(targets_add(t, "198.18.1.0/24"), 0);
	assert_int_equal(targets_exclude(t, "198.18.1.0/24"), 0);
	assert_int_equal(targets_finish(t), 0);
	assert_int_equal(targets_count(t), 256);
	targets_free(t);
}

static void test_bad_tokens(void **state)
{
	(void)state;
	expect_error(0, "198.18.0.1;rm -rf /", "character ';' is not allowed");
	expect_error(0, "$(reboot)", "character '$'");
	expect_error(0, "`id`", "character '`'");
	expect_error(0, "a|b", "character '|'");
	expect_error(0, "198.18.0.1 198.18.0.2", "character ' '");
	expect_error(0, "", "empty");
	expect_error(0, "198.18.0.256", "octet");
	expect_error(0, "198.18.0.0/33",
		     "prefix must be a number from 0 to 32");
	expect_error(0, "198.18.0.0/", "prefix must be");
	expect_error(0, "198.18.0.0/2x", "prefix must be");
	expect_error(0, "2001:db8::/129", "0 to 128");
	expect_error(0, "198.18.0.9-198.18.0.1", "ends before it starts");
	expect_error(0, "198.18.0.1-2001:db8::1", "different address families");
	expect_error(0, "198.18.5-3.1", "runs backwards");
	expect_error(0, "198.18.1", "four parts");
	expect_error(0, "10..0.1", "not an octet");
	expect_error(0, "-", "four parts");
	expect_error(0, "bad_host..name", "not an address");
	expect_error(0, "zz:zz::/64", "not an IPv4 or IPv6 address");
}

static void test_hostnames_need_flag(void **state)
{
	struct targets *t = targets_new(0, 0);

	(void)state;
	assert_int_equal(targets_add(t, "localhost"), -1);
	assert_non_null(strstr(targets_error(t), "host names are not allowed"));
	targets_free(t);
}

static void test_hostname_resolves(void **state)
{
	struct targets *t = targets_new(0, TARGETS_RESOLVE);
	struct targets_addr a, lo;
	uint64_t i;
	int found = 0;

	(void)state;
	/* /etc/hosts maps localhost to loopback; nothing is sent */
	assert_int_equal(targets_add(t, "localhost"), 0);
	assert_int_equal(targets_finish(t), 0);
	assert_true(targets_count(t) >= 1);
	targets_addr_parse("127.0.0.1", &lo);
	for (i = 0; i < targets_count(t); i++) {
		assert_int_equal(targets_get(t, i, &a), 0);
		found |= targets_addr_equal(&a, &lo);
	}
	assert_true(found);
	targets_free(t);

	t = targets_new(0, TARGETS_RESOLVE);
	assert_int_equal(targets_add(t, "no-such-host.invalid"), -1);
	assert_non_null(strstr(targets_error(t), "cannot resolve"));
	targets_free(t);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_files(void **state)
{
	char dir[64], inc[128], exc[128];
	struct targets *t;

	(void)state;
	testlib_tmpdir(dir);
	snprintf(inc, sizeof(inc), "%s/targets", dir);
	snprintf(exc, sizeof(exc), "%s/exclude", dir);
	write_file(inc, "# office\n198.18.0.0/29   # first block\n\n"
			"  198.18.1.1-198.18.1.3\n198.18.2.1-2\n");
	write_file(exc, "198.18.0.0\n# nothing\n198.18.0.7\n");
	t = targets_new(0, 0);
	assert_int_equal(targets_add_file(t, inc, 0), 0);
	assert_int_equal(targets_add_file(t, exc, 1), 0);
	assert_int_equal(targets_finish(t), 0);
	assert_int_equal(targets_count(t), 6 + 3 + 2);
	assert_string_equal(addr_at(t, 0), "198.18.0.1");
	targets_free(t);

	write_file(inc, "198.18.0.1\n198.18.0.2; reboot\n");
	t = targets_new(0, 0);
	assert_int_equal(targets_add_file(t, inc, 0), -1);
	assert_non_null(strstr(targets_error(t), ":2:"));
	targets_free(t);

	write_file(inc, "198.18.0.1\n\n198.18.0.0/8\n");
	t = targets_new(0, 0);
	assert_int_equal(targets_add_file(t, inc, 0), -1);
	assert_non_null(strstr(targets_error(t), ":3: '198.18.0.0/8'"));
	targets_free(t);

	t = targets_new(0, 0);
	assert_int_equal(targets_add_file(t, "/nonexistent/targets", 0), -1);
	assert_non_null(strstr(targets_error(t), "cannot open"));
	targets_free(t);
	testlib_rmdir(dir);
}

static void test_lookup_across_many_ranges(void **state)
{
	struct targets *t = targets_new(0, 0);
	char tok[32];
	uint64_t i;
	int k;

	(void)state;
	/* 100 separate /30 blocks, every other /30 of 198.18.0.0/22 */
	for (k = 0; k < 100; k++) {
		snprintf(tok, sizeof(tok), "198.18.%d.%d/30", (k * 8) / 256,
			 (k * 8) % 256);
		assert_int_equal(targets_add(t, tok), 0);
	}
	assert_int_equal(targets_finish(t), 0);
	assert_int_equal(targets_count(t), 400);
	assert_int_equal(targets_range_count(t), 100);
	for (i = 0; i < 400; i++) {
		struct targets_addr a;
		unsigned want = (unsigned)((i / 4) * 8 + i % 4);

		assert_int_equal(targets_get(t, i, &a), 0);
		assert_int_equal(a.family, AF_INET);
		assert_int_equal(a.a[2], want / 256);
		assert_int_equal(a.a[3], want % 256);
	}
	targets_free(t);
}

/* targets_contains: members of every range, the gaps between them, the
 * edges, excluded addresses and the other family are told apart (seed
 * discovery's scope check). */
static void test_contains(void **state)
{
	static const struct {
		const char *ip;
		int in;
	} cases[] = {
		{"198.18.1.0", 1},	  {"198.18.1.255", 1},
		{"198.18.1.7", 0},	  {"198.18.0.255", 0},
		{"198.18.2.0", 0},	  {"198.18.3.9", 1},
		{"198.18.3.8", 0},	  {"198.18.3.10", 0},
		{"2001:db8::5", 1},	  {"2001:db8::6", 0},
		{"::ffff:198.18.1.1", 1},
	};
	struct targets *t = targets_new(0, 0);
	struct targets_addr a;
	size_t i;

	(void)state;
	assert_int_equal(targets_add(t, "198.18.1.0/24"), 0);
	assert_int_equal(targets_add(t, "198.18.3.9"), 0);
	assert_int_equal(targets_add(t, "2001:db8::5"), 0);
	assert_int_equal(targets_exclude(t, "198.18.1.7"), 0);
	assert_int_equal(targets_finish(t), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(targets_addr_parse(cases[i].ip, &a), 0);
		if (targets_contains(t, &a) != cases[i].in)
			fail_msg("%s: want %d", cases[i].ip, cases[i].in);
	}
	assert_int_equal(targets_contains(NULL, &a), 0);
	targets_free(t);
}

static void test_mapped_ipv6_is_ipv4(void **state)
{
	const char *toks[] = {"::ffff:198.18.0.1", "198.18.0.1", NULL};
	struct targets *t = make(0, toks);

	(void)state;
	assert_int_equal(targets_count(t), 1);
	assert_string_equal(addr_at(t, 0), "198.18.0.1");
	targets_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_and_cidr),
		cmocka_unit_test(test_cidr_host_bits_and_edges),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_octet_ranges),
		cmocka_unit_test(test_overlaps_merge),
		cmocka_unit_test(test_excludes),
		cmocka_unit_test(test_exclude_everything),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_total),
		cmocka_unit_test(test_bad_tokens),
		cmocka_unit_test(test_hostnames_need_flag),
		cmocka_unit_test(test_hostname_resolves),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_lookup_across_many_ranges),
		cmocka_unit_test(test_mapped_ipv6_is_ipv4),
		cmocka_unit_test(test_contains),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
