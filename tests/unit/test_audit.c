/* audit.h: the collection script run on this machine, its parser on real
 * and hostile output, and the network-device `show version` reader. */
#include <sys/utsname.h>

#include "testlib.h"

#include "audit/audit.h"
#include "core/log.h"
#include "core/util.h"

static long run_count(const char *cmd)
{
	char *s = testlib_run(cmd);
	long v = -1;

	if (s) {
		s[strcspn(s, " \n")] = '\0';
		if (util_parse_long(s, 0, 10000000, &v) != 0)
			v = -1;
	}
	free(s);
	return v;
}

static const char *sysv(json_t *rep, const char *k)
{
	return json_string_value(
		json_object_get(json_object_get(rep, "sys"), k));
}

static size_t rows(json_t *rep, const char *sec)
{
	return json_array_size(json_object_get(rep, sec));
}

/* The machine may be shared: packages, users and groups can come and go
 * while an audit runs (another test run installing its dependencies or
 * adding its user). A count taken just before and one just after the
 * audit bracket what it may have seen: got must lie between them (equal
 * to both when nothing changed). */
#define SW_COUNT "dpkg-query -W 2>/dev/null | wc -l"
#define USER_COUNT "awk -F: '!/^[+-]/ && NF >= 7' /etc/passwd | wc -l"
#define GROUP_COUNT "awk -F: '!/^[+-]/ && NF >= 3' /etc/group | wc -l"

static void assert_count_between(size_t got, long before, const char *cmd)
{
	long after = run_count(cmd);
	long lo = before < after ? before : after;
	long hi = before < after ? after : before;

	if ((long)got < lo || (long)got > hi)
		fail_msg("%zu rows; '%s' counted %ld before the audit and %ld "
			 "after",
			 got, cmd, before, after);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	return 0;
}

static json_t *parse_str(const char *s, struct report_error *err)
{
	memset(err, 0, sizeof(*err));
	return audit_parse(s, strlen(s), err);
}

/* ---- the real script on this machine ---- */

static json_t *local_report;

static void test_local_audit(void **state)
{
	struct report_error err = {{0}};
	struct utsname u;
	char *out, *want;
	size_t len = 0;
	long n, sw = run_count(SW_COUNT), users = run_count(USER_COUNT),
		groups = run_count(GROUP_COUNT);

	(void)state;
	out = audit_run_local(120000, &len);
	assert_non_null(out);
	local_report = audit_parse(out, len, &err);
	if (!local_report)
		print_error("parse: %s\n", err.msg);
	assert_non_null(local_report);
	free(out);

	assert_int_equal(uname(&u), 0);
	want = xstrndup(u.nodename, strcspn(u.nodename, "."));
	assert_string_equal(sysv(local_report, "hostname"), want);
	free(want);
	assert_string_equal(sysv(local_report, "kernel"), u.release);
	assert_string_equal(sysv(local_report, "architecture"), u.machine);
	if (access("/etc/os-release", R_OK) == 0) {
		want = testlib_run(
			". /etc/os-release; printf %s \"$PRETTY_NAME\"");
		assert_non_null(want);
		assert_string_equal(sysv(local_report, "os_name"), want);
		free(want);
		assert_string_equal(sysv(local_report, "os_group"), "Linux");
	}
	if (access("/etc/machine-id", R_OK) == 0) {
		want = testlib_run("head -n1 /etc/machine-id | tr -d '\\n'");
		assert_string_equal(sysv(local_report, "dbus_identifier"),
				    want);
		free(want);
	}
	n = run_count("getconf _NPROCESSORS_ONLN");
	assert_int_equal(
		strtol(sysv(local_report, "processor_count"), NULL, 10), n);
	if (sw > 0)
		assert_count_between(rows(local_report, "software"), sw,
				     SW_COUNT);
	assert_count_between(rows(local_report, "user"), users, USER_COUNT);
	assert_count_between(rows(local_report, "user_group"), groups,
			     GROUP_COUNT);
	assert_true(rows(local_report, "route") > 0);
	/* Without a running systemd the script reads the unit directories
	 * itself; it must agree with systemctl. */
	if (access("/run/systemd/system", F_OK) != 0 &&
	    access("/etc/systemd/system", F_OK) == 0 &&
	    system("command -v systemctl >/dev/null") == 0) {
		n = run_count(
			"systemctl list-unit-files --type=service "
			"--no-legend --no-pager | grep -vc '@\\.service'");
		assert_int_equal(rows(local_report, "service"), n);
	}
}

/* Interfaces and addresses equal what `ip -j addr` reports. */
static void test_local_interfaces(void **state)
{
	json_error_t jerr;
	json_t *ipj, *ifc, *ai, *row;
	char *txt;
	size_t i, j, k, naddr = 0;

	(void)state;
	assert_non_null(local_report);
	txt = testlib_run("ip -j addr 2>/dev/null");
	if (!txt || !*txt) {
		free(txt);
		skip();
	}
	ipj = json_loads(txt, 0, &jerr);
	free(txt);
	assert_non_null(ipj);
	assert_int_equal(rows(local_report, "network"), json_array_size(ipj));
	json_array_foreach(ipj, i, ifc) {
		const char *name =
			json_string_value(json_object_get(ifc, "ifname"));
		int found = 0;

		json_array_foreach(json_object_get(local_report, "network"), j,
				   row) {
			if (!strcmp(json_string_value(
					    json_object_get(row, "connection")),
				    name))
				found = 1;
		}
		assert_true(found);
		json_array_foreach(json_object_get(ifc, "addr_info"), j, ai) {
			const char *a =
				json_string_value(json_object_get(ai, "local"));
			char cidr[8];

			snprintf(cidr, sizeof(cidr), "%lld",
				 json_integer_value(
					 json_object_get(ai, "prefixlen")));
			naddr++;
			found = 0;
			json_array_foreach(json_object_get(local_report, "ip"),
					   k, row) {
				if (!strcmp(json_string_value(
						    json_object_get(row, "ip")),
					    a) &&
				    !strcmp(json_string_value(json_object_get(
						    row, "cidr")),
					    cidr) &&
				    !strcmp(json_string_value(json_object_get(
						    row, "connection")),
					    name))
					found = 1;
			}
			if (!found)
				print_error("address %s/%s on %s missing\n", a,
					    cidr, name);
			assert_true(found);
		}
	}
	assert_int_equal(rows(local_report, "ip"), naddr);
	json_decref(ipj);
	json_decref(local_report);
	local_report = NULL;
}

/* The script is POSIX sh: every shell installed here gives the same
 * sections. */
static void test_script_shells(void **state)
{
	static const char *const shells[] = {"/bin/dash", "/bin/bash",
					     "/bin/ksh", "/bin/mksh",
					     "/bin/busybox"};
	char path[] = "/tmp/nc-audit-sh.XXXXXX", cmd[256];
	size_t slen, i, tried = 0;
	const char *script = audit_script(&slen);
	long want_sw;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, slen), (ssize_t)slen);
	close(fd);
	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
		struct report_error err = {{0}};
		json_t *rep;
		char *out;

		if (access(shells[i], X_OK) != 0)
			continue;
		snprintf(cmd, sizeof(cmd), "%s%s %s 2>/dev/null", shells[i],
			 strstr(shells[i], "busybox") ? " sh" : "", path);
		want_sw = run_count(SW_COUNT);
		out = testlib_run(cmd);
		assert_non_null(out);
		rep = audit_parse(out, strlen(out), &err);
		if (!rep)
			print_error("%s: %s\n", shells[i], err.msg);
		assert_non_null(rep);
		assert_non_null(sysv(rep, "hostname"));
		assert_non_null(sysv(rep, "os_name"));
		if (want_sw > 0)
			assert_count_between(rows(rep, "software"), want_sw,
					     SW_COUNT);
		json_decref(rep);
		free(out);
		tried++;
	}
	unlink(path);
	assert_true(tried >= 1);
}

/* ---- the format, on canned input ---- */

static void test_parse_escapes(void **state)
{
	struct report_error err;
	json_t *rep, *u;

	(void)state;
	rep = parse_str("@audit\tversion=1\troot=0\n"
			"sys\thostname=web1\n"
			"sys\tos_name=Debian\\tGNU\n"
			"user\tname=ann\tfull_name=Ann \\\\ Smith\\nline2\n"
			"@needs_root\tfact=sys.uuid\n"
			"@needs_root\tfact=netstat.program\n"
			"@end\tstatus=0\n",
			&err);
	if (!rep)
		print_error("%s\n", err.msg);
	assert_non_null(rep);
	assert_string_equal(sysv(rep, "hostname"), "web1");
	assert_string_equal(sysv(rep, "os_name"), "Debian\tGNU");
	u = json_array_get(json_object_get(rep, "user"), 0);
	assert_string_equal(json_string_value(json_object_get(u, "full_name")),
			    "Ann \\ Smith\nline2");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(rep, "source"), "needs_root")),
		"sys.uuid,netstat.program");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(rep, "source"), "format")),
			    AUDIT_SOURCE_FORMAT);
	json_decref(rep);

	/* Invalid UTF-8 (a Latin-1 GECOS) is replaced, not passed on. */
	rep = parse_str(
		"@audit\tversion=1\nuser\tname=j\tfull_name=J\xe9r\xf4me\n"
		"@end\n",
		&err);
	assert_non_null(rep);
	u = json_array_get(json_object_get(rep, "user"), 0);
	assert_string_equal(json_string_value(json_object_get(u, "full_name")),
			    "J?r?me");
	json_decref(rep);
}

/* Text a login shell printed before the script is skipped; text that
 * never reaches an @audit line is not audit output. */
static void test_find_start(void **state)
{
	static const char greet[] = "Welcome to web1\n\n@audit\tversion=1\n"
				    "sys\thostname=web1\n@end\n";
	static const char cisco[] = "% Invalid input detected at '^' marker."
				    "\n@audit is not at a line start\n";
	const char *p;

	(void)state;
	p = audit_find_start(greet, sizeof(greet) - 1);
	assert_ptr_equal(p, greet + 17);
	assert_ptr_equal(audit_find_start(greet + 17, sizeof(greet) - 18),
			 greet + 17);
	assert_null(audit_find_start(cisco, sizeof(cisco) - 1));
	assert_null(audit_find_start("@audit", 6));
}

struct bad_case {
	const char *text;
	const char *why; /* substring of the error */
};

static void test_parse_hostile(void **state)
{
	static const struct bad_case cases[] = {
		{"", "not netcensus audit output"},
		{"<?xml version=\"1.0\"?>\n<system>\n", "not netcensus"},
		{"@audit\tversion=1\nsys\thostname=a\n", "cut short"},
		{"@audit\tversion=9\n@end\n", "version 9"},
		{"@audit\tversion=1\nsys\thostname=a\\q\n@end\n",
		 "bad escape '\\q'"},
		{"@audit\tversion=1\nsys\thostname=a\\\n@end\n",
		 "lone backslash"},
		{"@audit\tversion=1\nbogus\tname=a\n@end\n",
		 "line 2: unknown section 'bogus'"},
		{"@audit\tversion=1\nsoftware\tname\n@end\n", "no '='"},
		{"@audit\tversion=1\nsoftware\tna-me=x\n@end\n",
		 "bad field name"},
		{"@audit\tversion=1\nsoftware\tname=a\tname=b\n@end\n",
		 "appears twice"},
		{"@audit\tversion=1\n@end\nsoftware\tname=a\n", "after @end"},
		{"@audit\tversion=1\n@bogus\tx=1\n@end\n", "unknown directive"},
		{"@audit\tversion=1\n@needs_root\n@end\n", "without fact"},
		{"software\tname=a\n@end\n", "no @audit line first"},
		{"@audit\tversion=1\n\tname=a\n@end\n", "bad section name"},
	};
	struct report_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rep = parse_str(cases[i].text, &err);

		if (rep || !strstr(err.msg, cases[i].why))
			print_error("case %zu: got '%s', want '%s'\n", i,
				    err.msg, cases[i].why);
		assert_null(rep);
		assert_non_null(strstr(err.msg, cases[i].why));
	}

	/* A NUL byte anywhere. */
	{
		static const char t[] = "@audit\tversion=1\nsys\thost\0name=a\n"
					"@end\n";

		assert_null(audit_parse(t, sizeof(t) - 1, &err));
		assert_non_null(strstr(err.msg, "NUL"));
	}
}

static void test_parse_ceilings(void **state)
{
	struct report_error err = {{0}};
	struct strbuf sb;
	json_t *rep;
	size_t i;
	char *big;

	(void)state;
	/* One line past the line ceiling. */
	big = xmalloc(AUDIT_MAX_LINE + 64);
	memcpy(big, "@audit\tversion=1\nsoftware\tname=", 31);
	memset(big + 31, 'x', AUDIT_MAX_LINE + 10);
	memcpy(big + 31 + AUDIT_MAX_LINE + 10, "\n@end\n", 7);
	assert_null(audit_parse(big, strlen(big), &err));
	assert_non_null(strstr(err.msg, "line 2: line longer than"));

	/* A field past the report's field ceiling, but within a line. */
	memset(err.msg, 0, sizeof(err.msg));
	memcpy(big + 31 + REPORT_MAX_FIELD + 1, "\n@end\n", 7);
	assert_null(audit_parse(big, strlen(big), &err));
	assert_non_null(strstr(err.msg, "longer than"));
	free(big);

	/* Whole output past the ceiling: refused before any parsing. */
	assert_null(audit_parse("@audit", AUDIT_MAX_OUTPUT + 1u, &err));
	assert_non_null(strstr(err.msg, "more than"));

	/* Too many fields in a row. */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "@audit\tversion=1\nsoftware");
	for (i = 0; i <= REPORT_MAX_FIELDS; i++)
		strbuf_printf(&sb, "\tf%zu=v", i);
	strbuf_puts(&sb, "\n@end\n");
	assert_null(audit_parse(sb.data, sb.len, &err));
	assert_non_null(strstr(err.msg, "fields"));
	strbuf_free(&sb);

	/* Too many rows in a section. */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "@audit\tversion=1\n");
	for (i = 0; i <= REPORT_MAX_ROWS; i++)
		strbuf_printf(&sb, "user\tname=u%zu\n", i);
	strbuf_puts(&sb, "@end\n");
	rep = audit_parse(sb.data, sb.len, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "more than"));
	strbuf_free(&sb);
}

/* ---- network devices ---- */

static void test_netdev(void **state)
{
	static const char ios[] =
		"Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), "
		"Version 12.2(55)SE5, RELEASE SOFTWARE (fc1)\r\n"
		"Technical Support: http://www.cisco.com/techsupport\r\n"
		"sw-core-1 uptime is 1 year, 2 weeks, 3 days, 4 minutes\r\n"
		"cisco WS-C2960-24TT-L (PowerPC405) processor (revision B0) "
		"with 65536K bytes of memory.\r\n"
		"Processor board ID FOC1234X5YZ\r\n"
		"Model number                    : WS-C2960-24TT-L\r\n"
		"System serial number            : FOC1234X5YZ\r\n";
	static const char xe[] =
		"Cisco IOS XE Software, Version 16.09.03\n"
		"Cisco IOS Software [Fuji], Catalyst L3 Switch Software "
		"(CAT9K_IOSXE), Version 16.9.3, RELEASE SOFTWARE (fc2)\n"
		"edge9k uptime is 5 weeks, 1 day, 2 hours, 3 minutes\n"
		"cisco C9300-48P (X86) processor with 1392780K/6147K bytes "
		"of memory.\n"
		"Processor board ID FCW2233L0AB\n";
	static const char nx[] =
		"Cisco Nexus Operating System (NX-OS) Software\n"
		"Software\n  BIOS: version 07.69\n  NXOS: version 9.3(8)\n"
		"Hardware\n  cisco Nexus9000 C93180YC-EX chassis\n"
		"  Processor Board ID FDO21120U8F\n"
		"  Device name: leaf-101\n";
	static const char junos[] =
		"Hostname: mx-edge-1\nModel: mx480\nJunos: 18.4R3-S4.2\n"
		"JUNOS OS Kernel 64-bit  [20200409.cd7c4a9_builder]\n\n"
		"Hardware inventory:\nItem             Version  Part number  "
		"Serial number     Description\n"
		"Chassis                                JN11E5A1BAFC      "
		"MX480\n";
	struct report_error err = {{0}};
	json_t *r;

	(void)state;
	r = audit_parse_netdev("SSH-2.0-Cisco-1.25", ios, strlen(ios), &err);
	assert_non_null(r);
	assert_string_equal(sysv(r, "os_family"), "Cisco IOS");
	assert_string_equal(sysv(r, "os_version"), "12.2(55)SE5");
	assert_string_equal(sysv(r, "model"), "WS-C2960-24TT-L");
	assert_string_equal(sysv(r, "serial"), "FOC1234X5YZ");
	assert_string_equal(sysv(r, "hostname"), "sw-core-1");
	assert_string_equal(sysv(r, "os_group"), "Cisco");
	json_decref(r);

	r = audit_parse_netdev(NULL, xe, strlen(xe), &err);
	assert_non_null(r);
	assert_string_equal(sysv(r, "os_family"), "Cisco IOS-XE");
	assert_string_equal(sysv(r, "os_version"), "16.09.03");
	assert_string_equal(sysv(r, "model"), "C9300-48P");
	assert_string_equal(sysv(r, "serial"), "FCW2233L0AB");
	assert_string_equal(sysv(r, "hostname"), "edge9k");
	json_decref(r);

	r = audit_parse_netdev("SSH-2.0-OpenSSH_7.5", nx, strlen(nx), &err);
	assert_non_null(r);
	assert_string_equal(sysv(r, "os_family"), "Cisco NX-OS");
	assert_string_equal(sysv(r, "os_version"), "9.3(8)");
	assert_string_equal(sysv(r, "serial"), "FDO21120U8F");
	assert_string_equal(sysv(r, "hostname"), "leaf-101");
	assert_non_null(strstr(sysv(r, "model"), "C93180YC-EX"));
	json_decref(r);

	r = audit_parse_netdev("SSH-2.0-OpenSSH_7.5", junos, strlen(junos),
			       &err);
	assert_non_null(r);
	assert_string_equal(sysv(r, "os_family"), "Juniper Junos");
	assert_string_equal(sysv(r, "os_version"), "18.4R3-S4.2");
	assert_string_equal(sysv(r, "model"), "mx480");
	assert_string_equal(sysv(r, "serial"), "JN11E5A1BAFC");
	assert_string_equal(sysv(r, "hostname"), "mx-edge-1");
	assert_string_equal(sysv(r, "manufacturer"), "Juniper Networks");
	json_decref(r);

	r = audit_parse_netdev("SSH-2.0-OpenSSH_9.2", "sh: show: not found\n",
			       20, &err);
	assert_null(r);
	assert_non_null(strstr(err.msg, "not a Cisco"));
	assert_string_equal(audit_netdev_family("SSH-2.0-Cisco-1.25", NULL),
			    "Cisco IOS");
	assert_null(audit_netdev_family("SSH-2.0-OpenSSH_9.2", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_audit),
		cmocka_unit_test(test_local_interfaces),
		cmocka_unit_test(test_script_shells),
		cmocka_unit_test(test_parse_escapes),
		cmocka_unit_test(test_find_start),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_parse_ceilings),
		cmocka_unit_test(test_netdev),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
