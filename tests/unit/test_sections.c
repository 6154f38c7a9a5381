/*
 * test_sections: the section table is consistent and says what intake
 * relies on (keys, pairs, volatile fields, aliases).
 */
#include "testlib.h"

#include "report/sections.h"

static int in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

#define IN(arr, s) in_list((arr), sizeof(arr) / sizeof((arr)[0]), (s))

static void test_required_sections_present(void **state)
{
	static const char *const names[] = {
		"bios",	   "processor",	  "memory",	"motherboard",
		"video",   "sound",	  "monitor",	"optical",
		"modem",   "scsi",	  "disk",	"partition",
		"network", "ip",	  "software",	"software_key",
		"service", "user",	  "user_group", "route",
		"netstat", "arp",	  "module",	"share",
		"log",	   "variable",	  "pagefile",	"task",
		"server",  "server_item", "vm",		"windows",
		"file",	   "ports",	  "lldp",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct section_def *d = section_find(names[i]);

		if (!d)
			fail_msg("section %s missing", names[i]);
		assert_string_equal(d->name, names[i]);
	}
}

static void test_aliases(void **state)
{
	static const struct {
		const char *alias, *name;
	} cases[] = {
		{"shares", "share"}, {"addresses", "ip"}, {"modems", "modem"},
		{"nmap", "ports"},   {"files", "file"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct section_def *d = section_find(cases[i].alias);

		assert_non_null(d);
		assert_string_equal(d->name, cases[i].name);
	}
	assert_null(section_find("widgets"));
	assert_null(section_find(""));
	assert_null(section_find(NULL));
	assert_null(section_find("Software")); /* names are exact */
}

static void test_keys_intake_relies_on(void **state)
{
	const struct section_def *d;

	(void)state;
	d = section_find("software");
	assert_true(IN(d->keys, "name") && IN(d->keys, "version"));
	assert_true(IN(d->pair, "name") && !IN(d->pair, "version"));
	d = section_find("network");
	assert_true(IN(d->keys, "mac") && IN(d->keys, "net_index"));
	assert_true(IN(d->volatile_fields, "dhcp_lease_expires"));
	assert_true(IN(d->volatile_fields, "iflastchange"));
	d = section_find("ip");
	assert_true(IN(d->keys, "ip") && IN(d->keys, "mac"));
	d = section_find("partition");
	assert_true(IN(d->keys, "mount_point") && IN(d->keys, "name"));
	assert_true(IN(d->volatile_fields, "free") &&
		    IN(d->volatile_fields, "used"));
	assert_false(IN(d->keys, "free"));
	d = section_find("user");
	assert_true(IN(d->keys, "name") && IN(d->keys, "sid"));
	d = section_find("service");
	assert_true(IN(d->keys, "name"));
	d = section_find("ports");
	assert_true(IN(d->keys, "protocol") && IN(d->keys, "port"));
	d = section_find("route");
	assert_true(IN(d->keys, "destination") && IN(d->keys, "mask") &&
		    IN(d->keys, "next_hop"));
	d = section_find("netstat");
	assert_true(IN(d->keys, "protocol") && IN(d->keys, "ip") &&
		    IN(d->keys, "port") && IN(d->keys, "program"));
	d = section_find("arp");
	assert_true(IN(d->keys, "ip") && IN(d->keys, "mac"));
	d = section_find("module");
	assert_true(IN(d->keys, "module_index"));
	d = section_find("lldp");
	assert_true(IN(d->keys, "local_port"));
	d = section_sys();
	assert_non_null(d);
	assert_true(IN(d->volatile_fields, "uptime"));
	assert_true(IN(d->volatile_fields, "sysUpTime"));
}

/* Every entry: valid unique names, at least one key, pair within keys,
 * volatile fields never keys (a key that changes is a new row). */
static void test_table_consistent(void **state)
{
	const struct section_def *all = section_all(), *d, *e;
	size_t i, n = 0;

	(void)state;
	for (d = all; d->name; d++, n++) {
		assert_true(section_name_valid(d->name));
		assert_non_null(d->keys[0]);
		assert_ptr_equal(section_find(d->name), d);
		for (i = 0; i < SECTION_MAX_KEYS && d->keys[i]; i++)
			assert_true(section_name_valid(d->keys[i]));
		for (i = 0; i < 3 && d->pair[i]; i++)
			if (!IN(d->keys, d->pair[i]))
				fail_msg("%s: pair %s not a key", d->name,
					 d->pair[i]);
		for (i = 0; i < 8 && d->volatile_fields[i]; i++) {
			assert_true(section_name_valid(d->volatile_fields[i]));
			if (IN(d->keys, d->volatile_fields[i]))
				fail_msg("%s: volatile %s is a key", d->name,
					 d->volatile_fields[i]);
		}
		for (i = 0; i < 4 && d->aliases[i]; i++) {
			assert_true(section_name_valid(d->aliases[i]));
			assert_ptr_equal(section_find(d->aliases[i]), d);
		}
		for (e = all; e < d; e++)
			if (!strcmp(e->name, d->name))
				fail_msg("%s listed twice", d->name);
	}
	assert_true(n >= 35);
	assert_null(section_find("sys")); /* sys is not a section */
}

static void test_name_valid(void **state)
{
	char longest[65], toolong[66];

	(void)state;
	memset(longest, 'a', 64);
	longest[64] = '\0';
	memset(toolong, 'a', 65);
	toolong[65] = '\0';
	assert_true(section_name_valid("software"));
	assert_true(section_name_valid("sysObjectID"));
	assert_true(section_name_valid("x"));
	assert_true(section_name_valid("a_1"));
	assert_true(section_name_valid(longest));
	assert_false(section_name_valid(toolong));
	assert_false(section_name_valid(""));
	assert_false(section_name_valid(NULL));
	assert_false(section_name_valid("1a"));
	assert_false(section_name_valid("_a"));
	assert_false(section_name_valid("a-b"));
	assert_false(section_name_valid("a.b"));
	assert_false(section_name_valid("a b"));
	assert_false(section_name_valid("a/b"));
	assert_false(section_name_valid("caf\xc3\xa9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_sections_present),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_keys_intake_relies_on),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_name_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
