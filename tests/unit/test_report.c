/*
 * test_report: the device report — Open-AudIT XML/JSON conversion of every
 * sample audit, validation, normalisation, ceilings and hostile input.
 */
#include "testlib.h"

#include <dirent.h>
#include <jansson.h>

#include "core/util.h"
#include "report/fields.h"
#include "report/report.h"

/* ---- helpers ---- */

static char *read_sample(const char *name, size_t *len)
{
	const char *dir = testlib_samples_dir();
	const char *why = NULL;
	char path[512];
	char *buf;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = util_read_file(path, REPORT_MAX_BYTES, len, &why);
	if (!buf)
		fail_msg("cannot read %s: %s", path, why ? why : "?");
	return buf;
}

static json_t *parse_str(const char *s, struct report_error *err)
{
	return report_parse(s, strlen(s), NULL, err);
}

static const char *sys_str(json_t *rep, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(rep, "sys"), key));
}

/* row.field is the string want. */
static void assert_field(json_t *row, const char *field, const char *want)
{
	const char *v = json_string_value(json_object_get(row, field));

	if (!v)
		fail_msg("field %s missing (want \"%s\")", field, want);
	assert_string_equal(v, want);
}

/* The rows of section sec whose field equals value. */
static json_t *find_row(json_t *rep, const char *sec, const char *field,
			const char *value)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(rep, sec), i, row) {
		const char *v = json_string_value(json_object_get(row, field));

		if (v && strcmp(v, value) == 0)
			return row;
	}
	return NULL;
}

/* Counts "<item>" rows inside the first <tag>...</tag> of raw XML. */
static size_t count_xml_items(const char *xml, const char *tag)
{
	char open[64], close[64];
	const char *a, *b, *p;
	size_t n = 0;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = strstr(xml, open);
	if (!a)
		return 0;
	b = strstr(a, close);
	assert_non_null(b);
	for (p = a; (p = strstr(p, "<item>")) && p < b; p++)
		n++;
	return n;
}

/* Every value in sys and in every row is a string; ip fields are
 * normalised and mac fields are lower-case colon form. */
static void assert_report_shape(json_t *rep, const char *file)
{
	const char *key, *fk;
	json_t *sec, *row, *v;
	size_t i;

	assert_true(json_is_integer(json_object_get(rep, "report_version")));
	assert_true(json_is_object(json_object_get(rep, "source")));
	json_object_foreach(json_object_get(rep, "sys"), fk, v)
		if (!json_is_string(v))
			fail_msg("%s: sys.%s is not a string", file, fk);
	json_object_foreach(rep, key, sec) {
		if (!strcmp(key, "sys") || !strcmp(key, "source") ||
		    !strcmp(key, "report_version"))
			continue;
		if (!json_is_array(sec) || json_array_size(sec) == 0)
			fail_msg("%s: section %s not a non-empty array", file,
				 key);
		json_array_foreach(sec, i, row) {
			json_object_foreach(row, fk, v) {
				char buf[64];
				const char *s = json_string_value(v);

				if (!s)
					fail_msg("%s: %s[%zu].%s not a string",
						 file, key, i, fk);
				if (!strcmp(fk, "ip") && *s &&
				    report_normalise_ip(s, buf, sizeof(buf)) ==
					    0 &&
				    strcmp(buf, s) != 0)
					fail_msg("%s: %s[%zu].ip %s not "
						 "normalised",
						 file, key, i, s);
				if (!strcmp(fk, "mac") && *s &&
				    report_normalise_mac(s, buf) == 0 &&
				    strcmp(buf, s) != 0)
					fail_msg("%s: %s[%zu].mac %s not "
						 "normalised",
						 file, key, i, s);
			}
		}
	}
}

/* ---- every sample converts ---- */

static void test_samples_all_convert(void **state)
{
	const char *dir = testlib_samples_dir();
	struct dirent *de;
	DIR *d;
	int files = 0;

	(void)state;
	if (!dir) {
		printf("# samples directory missing; set NETCENSUS_SAMPLES\n");
		skip();
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		const char *ext = strrchr(de->d_name, '.');
		struct report_error err;
		enum report_format fmt;
		json_t *rep, *again;
		size_t len;
		char *buf;

		if (!ext || (strcmp(ext, ".xml") && strcmp(ext, ".json")))
			continue;
		buf = read_sample(de->d_name, &len);
		rep = report_parse(buf, len, &fmt, &err);
		if (!rep)
			fail_msg("%s: %s", de->d_name, err.msg);
		assert_int_equal(fmt, strcmp(ext, ".xml") == 0
					      ? REPORT_FMT_OA_XML
					      : REPORT_FMT_OA_JSON);
		assert_report_shape(rep, de->d_name);
		assert_non_null(sys_str(rep, "hostname"));
		/* validating a validated report changes nothing */
		again = json_deep_copy(rep);
		assert_int_equal(report_validate(again, &err), 0);
		assert_true(json_equal(again, rep));
		json_decref(again);
		json_decref(rep);
		free(buf);
		files++;
	}
	closedir(d);
	assert_true(files >= 11);
}

struct xml_case {
	const char *file;
	const char *hostname;
	const char *uuid; /* upper-case, as normalised */
	const char *source;
	const char *sw_name;
	const char *sw_version;
};

static const struct xml_case xml_cases[] = {
	{"debian.xml", "debian", "564D4D26-1312-74F3-816A-25D3910BE573",
	 "audit_linux", "acpi", "1.6-1"},
	{"server.xml", "server", "1E3BD500-1DD2-11B2-8000-A0B3CCE25DA3",
	 "audit_linux", "acl", "2.2.52-1"},
	{"laptop.xml", "laptop", "39464E43-3132-3832-3832-00238BC6B17D",
	 "audit_windows", "Mozilla Firefox 41.0.2 (x86 en-US)", "41.0.2"},
	/* written lower-case in the file */
	{"esxhost-brisbane-1.xml", "esxhost-brisbane-1",
	 "03D40274-0435-051C-A006-800700080123", "audit_esxi", "esx-base",
	 "6.5.0-1.26.5969303"},
	{"win2008r2_web01.xml", "win2012r2_web01",
	 "1E3A4D56-D5B9-1713-FC68-FB3DE55AB6A5", "audit_windows", "SQL Server",
	 "03.50"},
	{"win2012r2_db01.xml", "win2012-db01",
	 "0D7E4D56-82F3-E252-62D0-A7B8E1F7B111", "audit_windows",
	 "Microsoft SQL Server 2014 (64-bit)", ""},
};

static void test_samples_xml_values(void **state)
{
	size_t i;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	for (i = 0; i < sizeof(xml_cases) / sizeof(xml_cases[0]); i++) {
		const struct xml_case *c = &xml_cases[i];
		struct report_error err;
		json_t *rep, *row, *src;
		size_t len;
		char *buf = read_sample(c->file, &len);
		char *text = xstrndup(buf, len);

		rep = report_parse(buf, len, NULL, &err);
		if (!rep)
			fail_msg("%s: %s", c->file, err.msg);
		assert_string_equal(sys_str(rep, "hostname"), c->hostname);
		assert_string_equal(sys_str(rep, "uuid"), c->uuid);
		src = json_object_get(rep, "source");
		assert_field(src, "name", c->source);
		assert_field(src, "format", "openaudit-xml");
		/* one software row per <item> of the file's <software> */
		assert_int_equal(
			json_array_size(json_object_get(rep, "software")),
			count_xml_items(text, "software"));
		assert_true(count_xml_items(text, "software") > 10);
		row = find_row(rep, "software", "name", c->sw_name);
		if (!row)
			fail_msg("%s: no software %s", c->file, c->sw_name);
		assert_field(row, "version", c->sw_version);
		json_decref(rep);
		free(text);
		free(buf);
	}
}

/* esxhost's serial is "To be filled by O.E.M.": two such hosts are not one
 * device, so it must not reach intake. */
static void test_sample_placeholder_serial_dropped(void **state)
{
	struct report_error err;
	json_t *rep;
	size_t len;
	char *buf;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	buf = read_sample("esxhost-brisbane-1.xml", &len);
	assert_non_null(strstr(buf, "<serial>To be filled by O.E.M.</serial>"));
	rep = report_parse(buf, len, NULL, &err);
	assert_non_null(rep);
	assert_null(sys_str(rep, "serial"));
	assert_int_equal(json_array_size(json_object_get(rep, "vm")), 8);
	json_decref(rep);
	free(buf);

	buf = read_sample("server.xml", &len);
	rep = report_parse(buf, len, NULL, &err);
	assert_string_equal(sys_str(rep, "serial"), "5C7232P20D");
	json_decref(rep);
	free(buf);
}

/* laptop.xml: UTF-8 BOM, CRLF, vbs <addresses><ip_address> and
 * <modems><modem>. */
static void test_sample_laptop_vbs_sections(void **state)
{
	struct report_error err;
	json_t *rep, *row;
	size_t len;
	char *buf;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	buf = read_sample("laptop.xml", &len);
	assert_memory_equal(buf, "\xef\xbb\xbf", 3);
	rep = report_parse(buf, len, NULL, &err);
	if (!rep)
		fail_msg("laptop.xml: %s", err.msg);
	assert_null(json_object_get(rep, "addresses"));
	assert_null(json_object_get(rep, "modems"));
	assert_int_equal(json_array_size(json_object_get(rep, "modem")), 1);
	/* the file's first <ip_address_v4>, read from it */
	{
		const char *a = strstr(buf, "<ip_address_v4>");
		char want[64];

		assert_non_null(a);
		a += strlen("<ip_address_v4>");
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(a, "<"), a);
		assert_true(strchr(want, '.') != NULL);
		row = find_row(rep, "ip", "ip", want);
	}
	assert_non_null(row);
	assert_field(row, "mac",
		     "00:23:8b:c6:b1:7d"); /* file: 00:23:8B:C6:B1:7D */
	assert_field(row, "netmask", "255.255.255.0");
	assert_field(row, "version", "4");
	assert_null(json_object_get(row, "ip_address_v4"));
	row = find_row(rep, "ip", "ip", "fe80::c8a7:fbc5:35d3:30fe");
	assert_non_null(row);
	assert_field(row, "cidr", "64");
	assert_non_null(json_object_get(rep, "share"));
	json_decref(rep);
	free(buf);
}

/* netstat arrives as text; Linux and Windows dialects become rows. */
static void test_sample_netstat_rows(void **state)
{
	struct report_error err;
	json_t *rep, *row;
	size_t len;
	char *buf;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	buf = read_sample("debian.xml", &len);
	rep = report_parse(buf, len, NULL, &err);
	row = find_row(rep, "netstat", "program", "sshd");
	assert_non_null(row);
	assert_field(row, "port", "22");
	assert_field(row, "protocol", "tcp");
	json_decref(rep);
	free(buf);

	buf = read_sample("win2008r2_web01.xml", &len);
	rep = report_parse(buf, len, NULL, &err);
	row = find_row(rep, "netstat", "program", "lsass.exe");
	assert_non_null(row);
	assert_field(row, "port", "49153");
	assert_field(row, "ip", "0.0.0.0");
	json_decref(rep);
	free(buf);
}

static void test_samples_json_values(void **state)
{
	static const char *const files[] = {
		"laserjet-brisbane-1.json",
		"pdu-brisbane-1.json",
		"router-brisbane-1.json",
		"switch.json",
		"wifi.json",
	};
	size_t f;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct report_error err;
		json_t *raw, *rep, *arr, *row;
		const char *key;
		size_t len, i;
		char *buf = read_sample(files[f], &len);

		raw = json_loadb(buf, len, 0, NULL);
		assert_non_null(raw);
		rep = report_parse(buf, len, NULL, &err);
		if (!rep)
			fail_msg("%s: %s", files[f], err.msg);
		assert_string_equal(
			json_string_value(json_object_get(
				json_object_get(rep, "source"), "format")),
			"openaudit-json");
		/* every raw section arrives with all its rows */
		json_object_foreach(raw, key, arr) {
			const char *to = strcmp(key, "nmap") ? key : "ports";

			if (!json_is_array(arr))
				continue;
			assert_int_equal(
				json_array_size(json_object_get(rep, to)),
				json_array_size(arr));
		}
		json_array_foreach(json_object_get(rep, "ports"), i, row) {
			assert_field(row, "state", "open");
			assert_null(json_object_get(row, "current"));
		}
		assert_null(json_object_get(rep, "nmap"));
		/* sysObjectID always present on these SNMP devices */
		assert_string_equal(
			sys_str(rep, "sysObjectID"),
			json_string_value(json_object_get(
				json_object_get(raw, "sys"), "snmp_oid")));
		json_decref(raw);
		json_decref(rep);
		free(buf);
	}
}

/* The first quoted dotted quad in buf written with a zero-padded octet
 * ("198.018.001.007"), copied into padded, and its plain form into plain.
 * The samples' own addresses are read from the files, not written here. */
static int first_padded_quad(const char *buf, char *padded, char *plain,
			     size_t len)
{
	const char *p;

	for (p = strchr(buf, '"'); p; p = strchr(p + 1, '"')) {
		unsigned o[4];
		int dig[4], i, any = 0;
		const char *q = p + 1;

		for (i = 0; i < 4; i++) {
			dig[i] = 0;
			o[i] = 0;
			while (*q >= '0' && *q <= '9' && dig[i] < 4) {
				o[i] = o[i] * 10 + (unsigned)(*q++ - '0');
				dig[i]++;
			}
			if (!dig[i] || dig[i] > 3 || o[i] > 255 ||
			    *q != (i < 3 ? '.' : '"'))
				break;
			if (dig[i] > 1 && q[-dig[i]] == '0')
				any = 1;
			q++;
		}
		if (i == 4 && any) {
			snprintf(padded, len, "%.*s", (int)(q - p - 2), p + 1);
			snprintf(plain, len, "%u.%u.%u.%u", o[0], o[1], o[2],
				 o[3]);
			return 0;
		}
	}
	return -1;
}

/* switch.json and wifi.json carry Open-AudIT's zero-padded addresses. */
static void test_sample_padded_ip(void **state)
{
	static const char *const files[] = {"switch.json", "wifi.json"};
	char padded[32], plain[32];
	struct report_error err;
	json_t *rep;
	size_t len, f;
	char *buf;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	for (f = 0; f < 2; f++) {
		buf = read_sample(files[f], &len);
		if (first_padded_quad(buf, padded, plain, sizeof(padded)))
			fail_msg("%s: no zero-padded address", files[f]);
		rep = report_parse(buf, len, NULL, &err);
		assert_non_null(rep);
		if (!find_row(rep, "ip", "ip", plain))
			fail_msg("%s: %s not stored as %s", files[f], padded,
				 plain);
		assert_null(find_row(rep, "ip", "ip", padded));
		json_decref(rep);
		free(buf);
	}

	buf = read_sample("pdu-brisbane-1.json", &len);
	rep = report_parse(buf, len, NULL, &err);
	assert_string_equal(sys_str(rep, "hostname"), "pdu_b");
	assert_string_equal(sys_str(rep, "name"), "pdu-brisbane-1");
	json_decref(rep);
	free(buf);
}

/* ---- synthetic XML ---- */

static void test_xml_padded_ip_and_mac(void **state)
{
	const char *xml =
		"<?xml version=\"1.0\"?>\n"
		"<system>\n"
		" <sys><hostname>Host7</hostname><ip>198.018.001.007</ip>"
		"<uuid>abcdef01-2345-6789-abcd-ef0123456789</uuid></sys>\n"
		" <network><item><mac>AA-BB-CC-00-11-22</mac>"
		"<net_index>1</net_index>"
		"<dhcp_server>198.018.000.001</dhcp_server>"
		"<dns_server>198.018.000.016, 198.018.000.015</dns_server>"
		"</item></network>\n"
		" <ip><item><ip>198.018.001.007</ip><mac>aabb.cc00.1122</mac>"
		"<netmask>255.255.255.000</netmask></item></ip>\n"
		" <route><item><destination>000.000.000.000</destination>"
		"<next_hop>198.018.001.001</next_hop></item></route>\n"
		"</system>\n";
	struct report_error err;
	json_t *rep, *row;

	(void)state;
	rep = parse_str(xml, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_string_equal(sys_str(rep, "ip"), "198.18.1.7");
	assert_string_equal(sys_str(rep, "hostname"), "host7");
	assert_string_equal(sys_str(rep, "uuid"),
			    "ABCDEF01-2345-6789-ABCD-EF0123456789");
	row = json_array_get(json_object_get(rep, "ip"), 0);
	assert_field(row, "ip", "198.18.1.7");
	assert_field(row, "mac", "aa:bb:cc:00:11:22");
	assert_field(row, "netmask", "255.255.255.0");
	row = json_array_get(json_object_get(rep, "network"), 0);
	assert_field(row, "mac", "aa:bb:cc:00:11:22");
	assert_field(row, "dhcp_server", "198.18.0.1");
	assert_field(row, "dns_server", "198.18.0.16,198.18.0.15");
	row = json_array_get(json_object_get(rep, "route"), 0);
	assert_field(row, "destination", "0.0.0.0");
	assert_field(row, "next_hop", "198.18.1.1");
	json_decref(rep);
}

static void test_xml_truncated_names_line(void **state)
{
	struct report_error err;
	json_t *rep;
	size_t len;
	char *buf;

	(void)state;
	if (!testlib_samples_dir())
		skip();
	buf = read_sample("server.xml", &len);
	rep = report_parse(buf, len / 2, NULL, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line "));
	json_decref(rep);
	free(buf);

	rep = parse_str("<system><sys><hostname>a</hostname></sys>\n"
			"<software><item><name>x</name>\n",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line "));
}

static void test_xml_structure_errors(void **state)
{
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = parse_str("<?xml version=\"1.0\"?>\n<html><body/></html>", &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "<html>"));

	/* a field may hold elements of text, not deeper ones */
	rep = parse_str("<system>\n<software><item>\n<name><b><i>x</i></b>"
			"</name></item></software></system>",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "name.b"));

	/* no <sys>: nothing identifies the device */
	rep = parse_str("<system><software/></system>", &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "<sys>"));

	/* a tag that is valid XML but not a valid section name */
	rep = parse_str("<system><sys><hostname>a</hostname></sys>\n\n"
			"<soft.ware><item><name>x</name></item></soft.ware>"
			"</system>",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "soft.ware"));
}

/* audit_linux.sh 5.x: <policy> rows carry <options> and <user> rows
 * <keys>, fields holding elements; the field keeps them as JSON text. */
static void test_xml_field_elements(void **state)
{
	const char *xml =
		"<system><sys><hostname>h</hostname></sys>\n"
		"<policy><item><name>PASS_MAX_DAYS</name>\n"
		"\t<options>\n\t\t<name>PASS_MAX_DAYS</name>\n"
		"\t\t<value>99999</value>\n\t</options></item></policy>\n"
		"<user><item><name>root</name><keys>\n"
		"\t<key>ssh-ed25519 AAAA1 a@b</key>\n"
		"\t<key><![CDATA[ssh-rsa AAAA2 \"c\"]]></key>\n"
		"\t<key>ssh-rsa AAAA3</key>\n</keys></item>\n"
		"<item><name>bin</name><keys>\n\t\t\t</keys></item></user>"
		"</system>";
	struct report_error err;
	json_t *rep = parse_str(xml, &err), *users;
	json_t *pol;

	(void)state;
	if (!rep)
		fail_msg("%s", err.msg);
	pol = json_array_get(json_object_get(rep, "policy"), 0);
	assert_string_equal(json_string_value(json_object_get(pol, "name")),
			    "PASS_MAX_DAYS");
	assert_string_equal(json_string_value(json_object_get(pol, "options")),
			    "{\"name\":\"PASS_MAX_DAYS\",\"value\":\"99999\"}");
	users = json_object_get(rep, "user");
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(users, 0), "keys")),
			    "{\"key\":[\"ssh-ed25519 AAAA1 a@b\",\"ssh-rsa "
			    "AAAA2 \\\"c\\\"\","
			    "\"ssh-rsa AAAA3\"]}");
	/* no elements: the text, as before */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(users, 1), "name")),
			    "bin");
	json_decref(rep);

	/* elements inside a <sys> field too */
	rep = parse_str("<system><sys><hostname>h</hostname><x><a>1</a><a>2"
			"</a></x></sys></system>",
			&err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_string_equal(sys_str(rep, "x"), "{\"a\":[\"1\",\"2\"]}");
	json_decref(rep);
}

/* An external entity must never be read: the document is refused and
 * the file's content appears nowhere. */
static void test_xml_xxe_not_expanded(void **state)
{
	const char *xml =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE system [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\">"
		" ]>\n"
		"<system><sys><hostname>h</hostname>"
		"<description>&xxe;</description></sys></system>\n";
	const char *bomb =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE system [ <!ENTITY a \"aaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"> ]>\n"
		"<system><sys><hostname>&c;</hostname></sys></system>\n";
	struct report_error err;
	char first[64] = "";
	json_t *rep;
	char *dump = NULL;
	FILE *f;

	(void)state;
	f = fopen("/etc/passwd", "r");
	assert_non_null(f);
	assert_non_null(fgets(first, 8, f)); /* "root:x:" */
	fclose(f);
	assert_true(strlen(first) >= 5);

	memset(&err, 0, sizeof(err));
	rep = parse_str(xml, &err);
	if (rep)
		dump = json_dumps(rep, 0);
	assert_true(!dump || !strstr(dump, first));
	assert_null(strstr(err.msg, first));
	assert_null(rep);
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	free(dump);
	json_decref(rep);

	rep = parse_str(bomb, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "DOCTYPE"));

	/* an external DTD is never fetched either */
	rep = parse_str("<?xml version=\"1.0\"?>\n<!DOCTYPE system SYSTEM "
			"\"file:///etc/passwd\">\n<system><sys><hostname>h"
			"</hostname></sys></system>",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_null(strstr(err.msg, first));
}

static void test_xml_netstat_text(void **state)
{
	const char *xml =
		"<system><sys><hostname>n</hostname></sys>\n"
		"<netstat><![CDATA["
		"tcp        0      0 0.0.0.0:22    0.0.0.0:*   LISTEN   "
		"2449/sshd\n"
		"tcp        0      0 198.18.0.5:22 198.18.0.9:5000 ESTABLISHED "
		"2449/sshd\n"
		"udp6       0      0 :::123        :::*                 "
		"88/ntpd\n"
		"  TCP    [::]:445    [::]:0    LISTENING  Can not obtain "
		"ownership information\n"
		"  UDP    0.0.0.0:500  *:*     IKEEXT [svchost.exe]\n"
		"garbage line\n"
		"]]></netstat></system>";
	struct report_error err;
	json_t *rep, *rows, *row;

	(void)state;
	rep = parse_str(xml, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	rows = json_object_get(rep, "netstat");
	assert_int_equal(json_array_size(rows), 4); /* not ESTABLISHED */
	row = find_row(rep, "netstat", "program", "ntpd");
	assert_non_null(row);
	assert_field(row, "ip", "::");
	assert_field(row, "protocol", "udp");
	row = find_row(rep, "netstat", "port", "445");
	assert_non_null(row);
	assert_field(row, "program", "");
	row = find_row(rep, "netstat", "program", "svchost.exe");
	assert_non_null(row);
	assert_field(row, "port", "500");
	json_decref(rep);
}

/* ---- JSON reports and validation ---- */

static void test_json_wrong_types_name_field(void **state)
{
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = parse_str("{\"sys\":{\"hostname\":\"a\"},\"software\":["
			"{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},"
			"{\"name\":{\"x\":1}}]}",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "software[3].name"));
	assert_non_null(strstr(err.msg, "object"));

	rep = parse_str("{\"report_version\":1,\"sys\":{\"ip\":[\"1.2.3.4\"]}}",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "sys.ip"));
	assert_non_null(strstr(err.msg, "array"));

	rep = parse_str("{\"report_version\":1,\"sys\":{},\"software\":"
			"{\"name\":\"x\"}}",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "software"));

	rep = parse_str(
		"{\"report_version\":1,\"sys\":{},\"software\":[\"x\"]}", &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "software[0]"));

	rep = parse_str("{\"report_version\":1,\"sys\":\"x\"}", &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "sys"));
}

static void test_json_syntax_error_names_line(void **state)
{
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = parse_str("{\"report_version\": 1,\n\"sys\": {\n\"a\": }\n}",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "line 3"));
	/* duplicate keys would make "which value" a guess */
	rep = parse_str("{\"report_version\":1,\"sys\":{\"ip\":\"1.1.1.1\","
			"\"ip\":\"2.2.2.2\"}}",
			&err);
	assert_null(rep);
}

static void test_huge_field_rejected(void **state)
{
	size_t big = 2u * 1024 * 1024;
	struct report_error err;
	struct strbuf sb;
	char *filler = xmalloc(big + 1);
	json_t *rep;

	(void)state;
	memset(filler, 'A', big);
	filler[big] = '\0';
	/* JSON */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "{\"report_version\":1,\"sys\":{\"hostname\":\"h\"},"
			 "\"software\":[{\"name\":\"ok\"},{\"name\":\"");
	strbuf_puts(&sb, filler);
	strbuf_puts(&sb, "\"}]}");
	rep = report_parse(sb.data, sb.len, NULL, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "software[1].name"));
	strbuf_free(&sb);
	/* XML */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<system><sys><hostname>h</hostname></sys>"
			 "<software><item><name>");
	strbuf_puts(&sb, filler);
	strbuf_puts(&sb, "</name></item></software></system>");
	rep = report_parse(sb.data, sb.len, NULL, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "software[0].name"));
	strbuf_free(&sb);
	/* sys */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<system><sys><description>");
	strbuf_puts(&sb, filler);
	strbuf_puts(&sb, "</description></sys></system>");
	rep = report_parse(sb.data, sb.len, NULL, &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "sys.description"));
	strbuf_free(&sb);
	free(filler);
}

static void test_unknown_section_kept(void **state)
{
	struct report_error err;
	json_t *rep, *row;

	(void)state;
	rep = parse_str("{\"report_version\":1,\"sys\":{\"hostname\":\"a\"},"
			"\"widgets\":[{\"color\":\"red\",\"size\":3}]}",
			&err);
	if (!rep)
		fail_msg("%s", err.msg);
	row = json_array_get(json_object_get(rep, "widgets"), 0);
	assert_field(row, "color", "red");
	assert_field(row, "size", "3");
	json_decref(rep);

	rep = parse_str("<system><sys><hostname>a</hostname></sys>"
			"<gadget><item><name>g</name></item></gadget>"
			"</system>",
			&err);
	assert_non_null(rep);
	assert_non_null(find_row(rep, "gadget", "name", "g"));
	json_decref(rep);
}

static void test_invalid_section_names_rejected(void **state)
{
	static const char *const bad[] = {
		"../../etc/passwd",
		"a b",
		"1abc",
		"_x",
		"",
		"sec-tion",
		"x;DROP TABLE devices",
		"\xc3\xa9t\xc3\xa9",
		"a2345678901234567890123456789012345678901234567890123456789012"
		"345",
	};
	struct report_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = json_object();
		json_t *rows = json_array();

		json_array_append_new(rows, json_pack("{ss}", "a", "b"));
		json_object_set_new(r, "report_version", json_integer(1));
		json_object_set_new(r, "sys", json_object());
		json_object_set_new(r, bad[i], rows);
		memset(&err, 0, sizeof(err));
		if (report_validate(r, &err) == 0)
			fail_msg("section name '%s' accepted", bad[i]);
		assert_non_null(strstr(err.msg, "section"));
		json_decref(r);
	}
	/* the same rule for field names */
	{
		struct report_error e2;
		json_t *r = parse_str("{\"report_version\":1,\"sys\":{},"
				      "\"software\":[{\"na me\":\"x\"}]}",
				      &e2);

		assert_null(r);
		assert_non_null(strstr(e2.msg, "software[0]"));
	}
}

static void test_bom_and_blanks(void **state)
{
	const char *json = "\xef\xbb\xbf \r\n\t{\"report_version\":1,"
			   "\"sys\":{\"hostname\":\"b\"}}";
	const char *xml = "\xef\xbb\xbf\n<system><sys><hostname>x</hostname>"
			  "</sys></system>";
	enum report_format fmt;
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = report_parse(json, strlen(json), &fmt, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_int_equal(fmt, REPORT_FMT_NETCENSUS);
	assert_string_equal(sys_str(rep, "hostname"), "b");
	json_decref(rep);
	rep = report_parse(xml, strlen(xml), &fmt, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_int_equal(fmt, REPORT_FMT_OA_XML);
	json_decref(rep);
}

/* The same audit in UTF-16 (with its BOM) reads the same. */
static void test_utf16_xml(void **state)
{
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
			  "<system><sys><hostname>Caf\xc3\xa9</hostname>"
			  "</sys></system>";
	enum report_format fmt;
	struct report_error err;
	size_t i, n = strlen(xml);
	char *u16 = xmalloc(2 * n + 2);
	json_t *rep;

	(void)state;
	/* xml is ASCII but for one 2-byte UTF-8 character (U+00E9) */
	u16[0] = '\xff';
	u16[1] = '\xfe';
	for (i = 0, n = 2; xml[i]; i++) {
		if ((unsigned char)xml[i] == 0xc3) {
			u16[n++] = (char)(0xc0 | (xml[++i] & 0x3f));
			u16[n++] = 0;
			continue;
		}
		u16[n++] = xml[i];
		u16[n++] = 0;
	}
	rep = report_parse(u16, n, &fmt, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_int_equal(fmt, REPORT_FMT_OA_XML);
	assert_string_equal(sys_str(rep, "hostname"), "caf\xc3\xa9");
	json_decref(rep);
	free(u16);
}

static void test_not_a_report(void **state)
{
	enum report_format fmt;
	struct report_error err;

	(void)state;
	assert_null(report_parse("hello", 5, &fmt, &err));
	assert_int_equal(fmt, REPORT_FMT_UNKNOWN);
	assert_non_null(strstr(err.msg, "not a device report"));
	assert_null(report_parse("  \n ", 4, &fmt, &err));
	assert_non_null(strstr(err.msg, "empty"));
	assert_null(report_parse("[1,2]", 5, &fmt, &err));
	assert_null(report_parse("{\"a\":[]}", 8, &fmt, &err));
	assert_int_equal(fmt, REPORT_FMT_OA_JSON);
	assert_non_null(strstr(err.msg, "sys"));
	assert_string_equal(report_format_name(REPORT_FMT_OA_JSON),
			    "openaudit-json");
	assert_string_equal(report_format_name(REPORT_FMT_NETCENSUS),
			    "netcensus");
}

static void test_report_version_newer_refused(void **state)
{
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = parse_str("{\"report_version\":99,\"sys\":{\"hostname\":\"a\"}}",
			&err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "99"));
	rep = parse_str("{\"report_version\":\"1\",\"sys\":{}}", &err);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "report_version"));
	rep = parse_str("{\"report_version\":0,\"sys\":{}}", &err);
	assert_null(rep);
	rep = parse_str("{\"report_version\":1,\"sys\":{}}", &err);
	assert_non_null(rep);
	json_decref(rep);
}

static void test_validate_converts_and_normalises(void **state)
{
	struct report_error err;
	json_t *rep, *row;

	(void)state;
	rep = parse_str(
		"{\"report_version\":1,"
		" \"source\":{\"name\":\"test\",\"format\":\"netcensus\"},"
		" \"sys\":{\"hostname\":\"  Web1.Example.COM \","
		"  \"serial\":\"To Be Filled By O.E.M.\","
		"  \"uuid\":\"03000200-0400-0500-0006-000700080009\","
		"  \"mac\":\"00-1A-2B-3C-4D-5E\",\"org_id\":\"\","
		"  \"memory_count\":4096,\"virtual\":false,\"x\":null},"
		" \"software\":[{\"name\":\" vim \",\"version\":9.1,"
		"  \"size\":12345678901,\"ok\":true,\"gone\":null},{},"
		"  {\"name\":\"\",\"version\":\"\"}],"
		" \"shares\":[{\"name\":\"C$\",\"path\":\"C:\\\\\"}],"
		" \"share\":[{\"name\":\"D$\"}],"
		" \"files\":[],\"nmap\":null}",
		&err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_string_equal(sys_str(rep, "hostname"), "web1");
	assert_string_equal(sys_str(rep, "fqdn"), "web1.example.com");
	assert_string_equal(sys_str(rep, "domain"), "example.com");
	assert_null(sys_str(rep, "serial"));
	assert_null(sys_str(rep, "uuid"));
	assert_null(json_object_get(json_object_get(rep, "sys"), "org_id"));
	assert_null(json_object_get(json_object_get(rep, "sys"), "x"));
	assert_string_equal(sys_str(rep, "mac"), "00:1a:2b:3c:4d:5e");
	assert_string_equal(sys_str(rep, "memory_count"), "4096");
	assert_string_equal(sys_str(rep, "virtual"), "false");
	/* empty rows dropped; values converted and trimmed */
	assert_int_equal(json_array_size(json_object_get(rep, "software")), 1);
	row = json_array_get(json_object_get(rep, "software"), 0);
	assert_field(row, "name", "vim");
	assert_field(row, "version", "9.1");
	assert_field(row, "size", "12345678901");
	assert_field(row, "ok", "true");
	assert_null(json_object_get(row, "gone"));
	/* alias merged into the canonical section; empty ones removed */
	assert_null(json_object_get(rep, "shares"));
	assert_int_equal(json_array_size(json_object_get(rep, "share")), 2);
	assert_null(json_object_get(rep, "files"));
	assert_null(json_object_get(rep, "file"));
	assert_null(json_object_get(rep, "nmap"));
	json_decref(rep);
}

static void test_validate_keeps_real_identity(void **state)
{
	struct report_error err;
	json_t *rep;

	(void)state;
	rep = parse_str("{\"report_version\":1,\"sys\":{\"hostname\":"
			"\"198.19.2.3\",\"serial\":\"CZ1234ABC\",\"uuid\":"
			"\"4c4c4544-0042-3510-8052-b4c04f564433\","
			"\"fqdn\":\"Given.Example.org\"}}",
			&err);
	if (!rep)
		fail_msg("%s", err.msg);
	/* an address as hostname is not split into labels */
	assert_string_equal(sys_str(rep, "hostname"), "198.19.2.3");
	assert_string_equal(sys_str(rep, "serial"), "CZ1234ABC");
	assert_string_equal(sys_str(rep, "uuid"),
			    "4C4C4544-0042-3510-8052-B4C04F564433");
	assert_string_equal(sys_str(rep, "fqdn"), "given.example.org");
	json_decref(rep);

	/* a given fqdn/domain is not overwritten by the split */
	rep = parse_str("{\"report_version\":1,\"sys\":{\"hostname\":"
			"\"a.b.c\",\"domain\":\"other\",\"serial\":\"0\"}}",
			&err);
	assert_string_equal(sys_str(rep, "hostname"), "a");
	assert_string_equal(sys_str(rep, "domain"), "other");
	assert_string_equal(sys_str(rep, "fqdn"), "a.b.c");
	assert_null(sys_str(rep, "serial"));
	json_decref(rep);
}

static void test_oa_json_mappings(void **state)
{
	struct report_error err;
	json_t *root, *rep, *row;

	(void)state;
	root = json_loads("{\"sys\":{\"name\":\"Core-SW\",\"snmp_oid\":"
			  "\"1.3.6.1.4.1.9.1.1\",\"last_seen_by\":\"snmp\","
			  "\"hostname\":\"\"},"
			  "\"nmap\":[{\"protocol\":\"tcp\",\"port\":22,"
			  "\"program\":\"ssh\",\"current\":\"y\","
			  "\"first_seen\":\"2019-01-01 00:00:00\"}],"
			  "\"windows\":{\"build_number\":7601},"
			  "\"audit_note\":\"x\"}",
			  0, NULL);
	assert_non_null(root);
	rep = report_from_oa_json(root, &err);
	if (!rep)
		fail_msg("%s", err.msg);
	assert_string_equal(sys_str(rep, "hostname"), "core-sw");
	assert_string_equal(sys_str(rep, "sysObjectID"), "1.3.6.1.4.1.9.1.1");
	row = json_array_get(json_object_get(rep, "ports"), 0);
	assert_field(row, "port", "22");
	assert_field(row, "state", "open");
	assert_null(json_object_get(row, "current"));
	assert_null(json_object_get(row, "first_seen"));
	assert_int_equal(json_array_size(json_object_get(rep, "windows")), 1);
	assert_null(json_object_get(rep, "audit_note"));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(rep, "source"), "name")),
			    "snmp");
	/* root is not consumed or changed */
	assert_true(json_is_integer(json_object_get(
		json_array_get(json_object_get(root, "nmap"), 0), "port")));
	json_decref(rep);
	json_decref(root);
}

static void test_ceilings(void **state)
{
	struct report_error err;
	json_t *r, *rows, *row;
	size_t i;
	char name[32];

	(void)state;
	/* fields in one row */
	r = json_pack("{si s{}}", "report_version", 1, "sys");
	row = json_object();
	for (i = 0; i <= REPORT_MAX_FIELDS; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		json_object_set_new(row, name, json_string("v"));
	}
	rows = json_array();
	json_array_append_new(rows, row);
	json_object_set_new(r, "software", rows);
	assert_int_equal(report_validate(r, &err), -1);
	assert_non_null(strstr(err.msg, "software[0]"));
	json_decref(r);

	/* sections */
	r = json_pack("{si s{}}", "report_version", 1, "sys");
	for (i = 0; i <= REPORT_MAX_SECTIONS; i++) {
		snprintf(name, sizeof(name), "s%zu", i);
		json_object_set_new(r, name, json_pack("[{ss}]", "a", "b"));
	}
	assert_int_equal(report_validate(r, &err), -1);
	assert_non_null(strstr(err.msg, "sections"));
	json_decref(r);

	/* rows */
	r = json_pack("{si s{}}", "report_version", 1, "sys");
	rows = json_array();
	row = json_pack("{ss}", "name", "x");
	for (i = 0; i <= REPORT_MAX_ROWS; i++)
		json_array_append(rows, row);
	json_decref(row);
	json_object_set_new(r, "software", rows);
	assert_int_equal(report_validate(r, &err), -1);
	assert_non_null(strstr(err.msg, "rows"));
	json_decref(r);

	/* whole input */
	assert_null(
		report_parse("{", (size_t)REPORT_MAX_BYTES + 1, NULL, &err));
	assert_non_null(strstr(err.msg, "limit"));
}

/* ---- addresses ---- */

static void test_normalise_ip(void **state)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: not an address */
	} cases[] = {
		{"198.019.001.007", "198.19.1.7"},
		{"198.018.002.003", "198.18.2.3"},
		{"0.0.0.0", "0.0.0.0"},
		{"255.255.255.255", "255.255.255.255"},
		{"FE80:0000:0000:0000:0202:B3FF:FE1E:8329",
		 "fe80::202:b3ff:fe1e:8329"},
		{"2001:DB8::1", "2001:db8::1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"::ffff:198.18.0.1", "::ffff:198.18.0.1"},
		{"::", "::"},
		{"256.1.1.1", NULL},
		{"1.2.3", NULL},
		{"1.2.3.4.5", NULL},
		{"0001.2.3.4", NULL},
		{"1.2.3.4 ", NULL},
		{"", NULL},
		{"host.example.com", NULL},
		{"fe80::1%", NULL},
		{"fe80::1%a b", NULL},
		{"1:2:3:4:5:6:7:8:9", NULL},
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = report_normalise_ip(cases[i].in, out, sizeof(out));

		if (cases[i].out) {
			if (rc != 0)
				fail_msg("'%s' not accepted", cases[i].in);
			assert_string_equal(out, cases[i].out);
		} else if (rc == 0) {
			fail_msg("'%s' accepted as %s", cases[i].in, out);
		}
	}
	/* too small an output buffer fails instead of truncating */
	assert_int_equal(report_normalise_ip("198.19.1.7", out, 5), -1);
}

static void test_normalise_mac(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"},
		{"aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff"},
		{"AABB.CCDD.EEFF", "aa:bb:cc:dd:ee:ff"},
		{"aabbccddeeff", "aa:bb:cc:dd:ee:ff"},
		{"0:23:8b:c6:b1:7d", "00:23:8b:c6:b1:7d"},
		{"00 1a 2b 3c 4d 5e", "00:1a:2b:3c:4d:5e"},
		{"aa:bb:cc:dd:ee", NULL},
		{"aa:bb:cc:dd:ee:ff:00", NULL},
		{"gg:bb:cc:dd:ee:ff", NULL},
		{"aa:bb-cc:dd:ee:ff", NULL},
		{"aabb.ccdd.eef", NULL},
		{"aabbccddeeff0", NULL},
		{"", NULL},
	};
	char out[18];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = report_normalise_mac(cases[i].in, out);

		if (cases[i].out) {
			if (rc != 0)
				fail_msg("'%s' not accepted", cases[i].in);
			assert_string_equal(out, cases[i].out);
		} else if (rc == 0) {
			fail_msg("'%s' accepted as %s", cases[i].in, out);
		}
	}
}

/* The configurable ceilings: rows in a section, in all sections, bytes;
 * each message names the variable that sets it. */
static void test_limits(void **state)
{
	const struct report_limits saved = *report_limits();
	struct report_limits l = saved;
	struct report_error err;
	json_t *rep;
	const char *doc = "{\"report_version\":1,\"sys\":{},"
			  "\"software\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
			  "\"service\":[{\"name\":\"c\"}]}";

	(void)state;
	l.max_rows = 1;
	report_limits_set(&l);
	assert_null(report_parse(doc, strlen(doc), NULL, &err));
	assert_non_null(strstr(err.msg, "section software: 2 rows, the "
					"limit is 1 rows in a section "
					"(NETCENSUS_REPORT_MAX_ROWS)"));
	l = saved;
	l.max_total_rows = 2;
	report_limits_set(&l);
	assert_null(report_parse(doc, strlen(doc), NULL, &err));
	assert_string_equal(err.msg,
			    "3 rows in 2 sections, the limit is 2 rows in a "
			    "report (NETCENSUS_REPORT_MAX_TOTAL_ROWS)");
	l = saved;
	l.max_bytes = 10;
	report_limits_set(&l);
	assert_null(report_parse(doc, strlen(doc), NULL, &err));
	assert_non_null(strstr(err.msg, "(NETCENSUS_REPORT_MAX_BYTES)"));
	/* above the fixed maxima: clamped */
	l.max_rows = 10 * REPORT_MAX_ROWS;
	report_limits_set(&l);
	assert_int_equal(report_limits()->max_rows, REPORT_MAX_ROWS);
	report_limits_set(&saved);
	rep = report_parse(doc, strlen(doc), NULL, &err);
	assert_non_null(rep);
	json_decref(rep);
}

/* The one field table: the device columns come first and nothing after
 * them is a column; the store's own fields are not columns; the one
 * placeholder list holds what the report normaliser and intake's matching
 * each knew before they shared it. */
static void test_fields_table(void **state)
{
	const struct field_def *f = fields_all();
	int i;

	(void)state;
	for (i = 0; f[i].name; i++)
		assert_int_equal(!!(f[i].flags & FIELD_COLUMN),
				 i < FIELD_NCOLUMNS);
	assert_true(i > FIELD_NCOLUMNS);
	assert_string_equal(fields_column(0), "hostname");
	assert_string_equal(fields_column(FIELD_NCOLUMNS - 1), "last_seen_by");
	assert_null(fields_column(FIELD_NCOLUMNS));
	assert_true(fields_has("org_id", FIELD_OWNED));
	assert_false(fields_has("org_id", FIELD_COLUMN));
	assert_true(fields_has("serial", FIELD_COLUMN | FIELD_IDENTITY));
	assert_false(fields_has("hostname", FIELD_IDENTITY));
	assert_true(fields_has("remote_ip", FIELD_IP));
	assert_false(fields_has("no_such_field", 0));
	assert_true(fields_is_placeholder("base board serial number"));
	assert_true(fields_is_placeholder("To Be Filled By OEM"));
	assert_true(fields_is_placeholder("LOCALHOST.localdomain"));
	assert_false(fields_is_placeholder("web1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_all_convert),
		cmocka_unit_test(test_samples_xml_values),
		cmocka_unit_test(test_sample_placeholder_serial_dropped),
		cmocka_unit_test(test_sample_laptop_vbs_sections),
		cmocka_unit_test(test_sample_netstat_rows),
		cmocka_unit_test(test_samples_json_values),
		cmocka_unit_test(test_sample_padded_ip),
		cmocka_unit_test(test_xml_padded_ip_and_mac),
		cmocka_unit_test(test_xml_truncated_names_line),
		cmocka_unit_test(test_xml_structure_errors),
		cmocka_unit_test(test_xml_field_elements),
		cmocka_unit_test(test_xml_xxe_not_expanded),
		cmocka_unit_test(test_xml_netstat_text),
		cmocka_unit_test(test_json_wrong_types_name_field),
		cmocka_unit_test(test_json_syntax_error_names_line),
		cmocka_unit_test(test_huge_field_rejected),
		cmocka_unit_test(test_unknown_section_kept),
		cmocka_unit_test(test_invalid_section_names_rejected),
		cmocka_unit_test(test_bom_and_blanks),
		cmocka_unit_test(test_utf16_xml),
		cmocka_unit_test(test_not_a_report),
		cmocka_unit_test(test_report_version_newer_refused),
		cmocka_unit_test(test_validate_converts_and_normalises),
		cmocka_unit_test(test_validate_keeps_real_identity),
		cmocka_unit_test(test_oa_json_mappings),
		cmocka_unit_test(test_ceilings),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_normalise_ip),
		cmocka_unit_test(test_normalise_mac),
		cmocka_unit_test(test_fields_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
