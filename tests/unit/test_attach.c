/* Where a device is plugged in (store_attach.h, docs/device-report.md
 * #attachments): reports of a switch (fdb, lldp sections) and of end
 * devices go through intake into a real SQLite store, then the attachment
 * of each device and the device list's switch filters are read back. */
#include "testlib.h"

#include <jansson.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"
#include "report/report.h"
#include "store/intake.h"
#include "store/store.h"
#include "store/store_api.h"
#include "store/store_attach.h"

static char dir[64];
static char path[128];

static struct store *open_store(void)
{
	struct store *st;

	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/a.db", dir);
	st = store_open(path);
	assert_non_null(st);
	return st;
}

/* Stores report (consumed); its device id. */
static int64_t put(struct store *st, json_t *report)
{
	struct intake_result res;
	struct report_error err;

	assert_non_null(report);
	assert_int_equal(report_validate(report, &err), 0);
	assert_int_equal(
		intake_report(st, NULL, report, 1, "test", "netcensus", &res),
		0);
	json_decref(report);
	return res.device_id;
}

static json_t *fdb(const char *mac, const char *vlan, const char *port,
		   const char *ifname)
{
	return json_pack("{ssssssssssss}", "mac", mac, "vlan", vlan, "port",
			 port, "net_index", port, "interface", ifname, "status",
			 "learned");
}

/* sw1: port 1 holds A (an access port), port 2 holds B and has an LLDP
 * neighbour (an uplink), port 3 holds C, D and four more (a trunk), port
 * 4 holds D alone. */
static json_t *switch_report(const char *a_port)
{
	json_t *rows = json_array();
	char mac[18];
	int i;

	json_array_append_new(rows,
			      fdb("02:00:00:00:00:0a", "10", a_port, "Gi0/1"));
	json_array_append_new(rows,
			      fdb("02:00:00:00:00:0b", "10", "2", "Gi0/2"));
	json_array_append_new(rows,
			      fdb("02:00:00:00:00:0c", "10", "3", "Gi0/3"));
	json_array_append_new(rows,
			      fdb("02:00:00:00:00:0d", "10", "3", "Gi0/3"));
	for (i = 0; i < 4; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i);
		json_array_append_new(rows, fdb(mac, "10", "3", "Gi0/3"));
	}
	json_array_append_new(rows,
			      fdb("02:00:00:00:00:0d", "20", "4", "Gi0/4"));
	return json_pack("{sis{ssssss}sos[{ssssssss}]}", "report_version", 1,
			 "sys", "hostname", "sw1", "ip", "198.18.50.2", "type",
			 "switch", "fdb", rows, "lldp", "local_port", "2",
			 "net_index", "2", "remote_name", "sw2", "remote_port",
			 "Gi1/0/1");
}

static json_t *end_device(const char *host, const char *mac, int in_sys)
{
	if (in_sys)
		return json_pack("{sis{ssss}}", "report_version", 1, "sys",
				 "hostname", host, "mac", mac);
	return json_pack("{sis{ss}s[{ssss}]}", "report_version", 1, "sys",
			 "hostname", host, "network", "mac", mac, "net_index",
			 "1");
}

static const char *att_str(json_t *a, const char *k)
{
	const char *s = json_string_value(json_object_get(a, k));

	return s ? s : "";
}

static int64_t list_count(struct store *st, const char *field,
			  const char *value)
{
	struct store_query q;
	json_t *rows;
	int64_t n = -1;

	memset(&q, 0, sizeof(q));
	q.conds[0].op = STORE_OP_EQ;
	snprintf(q.conds[0].field, sizeof(q.conds[0].field), "%s", field);
	q.conds[0].value = xstrdup(value);
	q.nconds = 1;
	rows = store_api_list(st, STORE_API_DEVICES, &q, &n);
	assert_non_null(rows);
	json_decref(rows);
	store_query_free(&q);
	return n;
}

static void test_attachments(void **state)
{
	struct store *st = open_store();
	int64_t sw, da, db, dc, dd, dn;
	json_t *a;
	char id[24];

	(void)state;
	sw = put(st, switch_report("1"));
	da = put(st, end_device("pc-a", "02:00:00:00:00:0a", 0));
	db = put(st, end_device("pc-b", "02:00:00:00:00:0b", 1));
	dc = put(st, end_device("pc-c", "02:00:00:00:00:0c", 0));
	dd = put(st, end_device("pc-d", "02:00:00:00:00:0d", 1));
	dn = put(st, end_device("pc-n", "02:00:00:00:00:ff", 1));

	a = store_device_attachment(st, da);
	assert_true(json_is_object(a));
	assert_int_equal(json_integer_value(json_object_get(a, "switch_id")),
			 sw);
	assert_string_equal(att_str(a, "switch"), "sw1");
	assert_string_equal(att_str(a, "switch_ip"), "198.18.50.2");
	assert_string_equal(att_str(a, "port_name"), "Gi0/1");
	assert_string_equal(att_str(a, "vlan"), "10");
	assert_string_equal(att_str(a, "mac"), "02:00:00:00:00:0a");
	json_decref(a);

	/* an uplink (LLDP neighbour), a trunk (6 MACs), no MAC at all */
	a = store_device_attachment(st, db);
	assert_true(json_is_null(a));
	json_decref(a);
	a = store_device_attachment(st, dc);
	assert_true(json_is_null(a));
	json_decref(a);
	a = store_device_attachment(st, dn);
	assert_true(json_is_null(a));
	json_decref(a);
	/* on the trunk and on port 4: port 4 */
	a = store_device_attachment(st, dd);
	assert_string_equal(att_str(a, "port_name"), "Gi0/4");
	assert_string_equal(att_str(a, "vlan"), "20");
	json_decref(a);
	/* the switch itself is plugged into nothing */
	a = store_device_attachment(st, sw);
	assert_true(json_is_null(a));
	json_decref(a);

	snprintf(id, sizeof(id), "%lld", (long long)sw);
	assert_int_equal(list_count(st, "switch_id", id), 2);
	assert_int_equal(list_count(st, "switch", "sw1"), 2);
	assert_int_equal(list_count(st, "switch_port", "Gi0/4"), 1);
	assert_int_equal(list_count(st, "switch_port", "Gi0/3"), 0);

	/* A moves to port 5: the next scan of the switch says so */
	assert_int_equal(put(st, switch_report("5")), sw);
	a = store_device_attachment(st, da);
	assert_string_equal(att_str(a, "port"), "5");
	json_decref(a);
	store_close(st);
	testlib_rmdir(dir);
}

/* sw2 (198.18.50.3): E alone on port 7, D with two others on port 8
 * (sw1's port 4, one MAC, wins for D), F alone on port 9, and the
 * trunk's first MAC alone on port 10. */
static json_t *switch2_report(void)
{
	static const char *const rows[][3] = {
		{"02:00:00:00:00:0e", "7", "Te1/7"},
		{"02:00:00:00:00:0d", "8", "Te1/8"},
		{"02:00:00:00:02:01", "8", "Te1/8"},
		{"02:00:00:00:02:02", "8", "Te1/8"},
		{"02:00:00:00:00:0f", "9", "Te1/9"},
		{"02:00:00:00:01:00", "10", "Te1/10"},
	};
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		json_array_append_new(
			a, fdb(rows[i][0], "30", rows[i][1], rows[i][2]));
	return json_pack("{sis{ssssss}so}", "report_version", 1, "sys",
			 "hostname", "core-sw2", "ip", "198.18.50.3", "type",
			 "switch", "fdb", a);
}

/* The ids of the devices a list query with one condition returns. */
static json_t *list_ids(struct store *st, const char *field, enum store_op op,
			const char *value)
{
	struct store_query q;
	json_t *rows, *ids = json_array(), *r;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.conds[0].op = op;
	snprintf(q.conds[0].field, sizeof(q.conds[0].field), "%s", field);
	q.conds[0].value = xstrdup(value);
	q.nconds = 1;
	q.order[0] = (struct store_order){"id", 0};
	q.norder = 1;
	rows = store_api_list(st, STORE_API_DEVICES, &q, NULL);
	assert_non_null(rows);
	json_array_foreach(rows, i, r)
		json_array_append(ids, json_object_get(r, "id"));
	json_decref(rows);
	store_query_free(&q);
	return ids;
}

/* 1 when needle is in hay, ignoring case (ASCII). */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return !n;
}

/* Does attachment field value v (NULL: no attachment) meet op value? As
 * the API documents its lookups (docs/api.md). */
static int cond_holds(const char *v, enum store_op op, const char *value)
{
	switch (op) {
	case STORE_OP_EQ:
		return v && !strcmp(v, value);
	case STORE_OP_N:
		return !v || strcmp(v, value) != 0;
	case STORE_OP_IC:
		return v && contains_nocase(v, value);
	case STORE_OP_NIC:
		return !v || !contains_nocase(v, value);
	case STORE_OP_EMPTY:
		return (!v || !*v) == !strcmp(value, "true");
	default:
		fail();
		return 0;
	}
}

static void test_filters_equal_attachments(void **state)
{
	/* the list filters are one set query; their answer must be what
	 * the device endpoint's attachment says of each device */
	static const char *const fields[][2] = {{"switch", "switch"},
						{"switch_id", "switch_id"},
						{"switch_port", "port_name"}};
	static const enum store_op ops[] = {STORE_OP_EQ, STORE_OP_N,
					    STORE_OP_IC, STORE_OP_NIC,
					    STORE_OP_EMPTY};
	static const char *const macs[] = {
		"02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:0c",
		"02:00:00:00:00:0d", "02:00:00:00:00:0e", "02:00:00:00:00:0f",
		"02:00:00:00:01:00", "02:00:00:00:02:01", "02:00:00:00:00:ff"};
	struct store *st = open_store();
	json_t *devs = json_array(), *values, *got, *want, *a, *v;
	char name[16], num[24];
	size_t i, f, o, k;
	int attached = 0;

	(void)state;
	put(st, switch_report("1"));
	put(st, switch2_report());
	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		snprintf(name, sizeof(name), "pc-%zu", i);
		put(st, end_device(name, macs[i], (int)(i % 2)));
	}
	/* every device's attachment, as the device endpoint reads it */
	got = list_ids(st, "id", STORE_OP_GT, "0");
	json_array_foreach(got, i, v) {
		a = store_device_attachment(st, json_integer_value(v));
		assert_non_null(a);
		attached += json_is_object(a);
		json_array_append_new(devs,
				      json_pack("{sOso}", "id", v, "a", a));
	}
	json_decref(got);
	assert_int_equal(json_array_size(devs), 11);
	assert_int_equal(attached, 6); /* A, D, E, F, the trunk's first,
					* the sw2 one on port 8 */
	for (f = 0; f < 3; f++) {
		/* each value some device has, part of one, and one none has */
		values = json_pack("[ss]", "nothing", "Te1");
		json_array_foreach(devs, i, v) {
			a = json_object_get(json_object_get(v, "a"),
					    fields[f][1]);
			if (json_is_integer(a)) {
				snprintf(num, sizeof(num), "%lld",
					 (long long)json_integer_value(a));
				json_array_append_new(values, json_string(num));
			} else if (json_is_string(a)) {
				json_array_append(values, a);
			}
		}
		for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
			for (k = 0; k < json_array_size(values) + 2; k++) {
				const char *val =
					k < json_array_size(values)
						? json_string_value(
							  json_array_get(values,
									 k))
					: k == json_array_size(values)
						? "true"
						: "false";

				if ((ops[o] == STORE_OP_EMPTY) !=
				    (k >= json_array_size(values)))
					continue;
				want = json_array();
				json_array_foreach(devs, i, v) {
					a = json_object_get(
						json_object_get(v, "a"),
						fields[f][1]);
					if (json_is_integer(a))
						snprintf(
							num, sizeof(num),
							"%lld",
							(long long)
								json_integer_value(
									a));
					if (cond_holds(
						    json_is_integer(a)
							    ? num
							    : json_string_value(
								      a),
						    ops[o], val))
						json_array_append(
							want, json_object_get(
								      v, "id"));
				}
				got = list_ids(st, fields[f][0], ops[o], val);
				if (!json_equal(got, want)) {
					char *g = json_dumps(got, 0);
					char *w = json_dumps(want, 0);

					print_error("%s %s %s: list %s, "
						    "attachments %s\n",
						    fields[f][0],
						    store_op_name(ops[o]), val,
						    g, w);
					free(g);
					free(w);
					fail();
				}
				json_decref(got);
				json_decref(want);
			}
		}
		json_decref(values);
	}
	json_decref(devs);
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_filters_equal_attachments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
