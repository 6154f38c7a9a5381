/* intake.h: every match rule and their order, matching only inside the
 * report's org tree, weak MACs and strong identities that veto weaker
 * rules, the IP-only exclusion, component upsert and the change log (and
 * its pairing at scale), rejection. */
#include <dirent.h>

#include "testlib.h"

#include "core/log.h"
#include "core/util.h"
#include "report/report.h"
#include "store/intake.h"
#include "store/store.h"

static char dir[64];
static int ndb;

static struct store *open_fresh(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/nc%d.db", dir, ndb++);
	return store_open(path);
}

static int setup(void **state)
{
	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	setenv("NETCENSUS_NOW", "2026-01-01 00:00:00", 1);
	*state = open_fresh();
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

/* Stores report (consumed) and returns the result; must succeed. */
static struct intake_result put(struct store *st,
				const struct intake_config *cfg, json_t *report)
{
	struct intake_result res;

	assert_non_null(report);
	assert_int_equal(
		intake_report(st, cfg, report, 1, "test", "netcensus", &res),
		0);
	json_decref(report);
	return res;
}

/* A report with sys only. */
static json_t *rep_sys(json_t *sys)
{
	return json_pack("{siso}", "report_version", 1, "sys", sys);
}

static void test_rule_names(void **state)
{
	int r;

	(void)state;
	for (r = 0; r < INTAKE_RULE_COUNT; r++) {
		assert_non_null(intake_rule_name(r));
		assert_int_equal(intake_rule_from_name(intake_rule_name(r)), r);
	}
	assert_string_equal(intake_rule_name(INTAKE_RULE_HOSTNAME_UUID),
			    "hostname+uuid");
	assert_null(intake_rule_name(INTAKE_RULE_COUNT));
	assert_int_equal(intake_rule_from_name("nope"), -1);
}

/*
 * For each rule r: a fresh database holds one device per rule k >= r, each
 * matchable by the shared report through rule k only. With the rules
 * before r switched off, the report must land on device r by rule r: rule r
 * finds its device, and wins over every later rule that would also match.
 */
static json_t *rule_device(int r)
{
	switch (r) {
	case INTAKE_RULE_HOSTNAME_UUID:
		return json_pack("{ssss}", "hostname", "H", "uuid", "U");
	case INTAKE_RULE_HOSTNAME_DBUS:
		return json_pack("{ssss}", "hostname", "H", "dbus_identifier",
				 "DB");
	case INTAKE_RULE_HOSTNAME_SERIAL:
		return json_pack("{ssss}", "hostname", "H", "serial", "S");
	case INTAKE_RULE_FQDN:
		return json_pack("{ss}", "fqdn", "h.example.org");
	case INTAKE_RULE_SERIAL_TYPE:
		return json_pack("{ssss}", "serial", "S", "type", "computer");
	case INTAKE_RULE_SERIAL:
		return json_pack("{ss}", "serial", "S");
	case INTAKE_RULE_SYSNAME_SERIAL:
		return json_pack("{ssss}", "sysName", "SN", "serial", "S");
	case INTAKE_RULE_SYSNAME:
		return json_pack("{ss}", "sysName", "SN");
	case INTAKE_RULE_MAC:
		return json_pack("{ss}", "mac", "3c:ec:ef:12:34:56");
	case INTAKE_RULE_HOSTNAME:
		return json_pack("{ss}", "hostname", "H");
	default:
		return json_pack("{ss}", "ip", "198.18.8.7");
	}
}

static json_t *rule_report(void)
{
	return json_pack("{sis{ssssssssssssssss}s[{ssss}]}", "report_version",
			 1, "sys", "hostname", "H", "uuid", "U",
			 "dbus_identifier", "DB", "serial", "S", "fqdn",
			 "h.example.org", "type", "computer", "sysName", "SN",
			 "ip", "198.18.8.7", "network", "mac",
			 "3c:ec:ef:12:34:56", "net_index", "1");
}

static void test_rule_precedence(void **state)
{
	struct intake_config cfg;
	struct intake_result res;
	int64_t ids[INTAKE_RULE_COUNT], id;
	struct store *st;
	json_t *sys;
	int r, k;

	(void)state;
	for (r = 0; r < INTAKE_RULE_COUNT; r++) {
		st = open_fresh();
		assert_non_null(st);
		for (k = r; k < INTAKE_RULE_COUNT; k++) {
			sys = rule_device(k);
			assert_int_equal(
				store_device_insert(st, 1, sys, "t0", &ids[k]),
				0);
			json_decref(sys);
		}
		intake_config_default(&cfg);
		for (k = 0; k < r; k++)
			cfg.rule_enabled[k] = 0;
		res = put(st, &cfg, rule_report());
		assert_int_equal(res.created, 0);
		assert_non_null(res.rule);
		assert_string_equal(res.rule, intake_rule_name(r));
		assert_int_equal(res.device_id, ids[r]);
		/* the rule is in the audit log */
		{
			json_t *audit = store_audit_list(st, 1);
			json_t *row = json_array_get(audit, 0);

			assert_string_equal(
				json_string_value(json_object_get(row, "rule")),
				intake_rule_name(r));
			assert_string_equal(json_string_value(json_object_get(
						    row, "result")),
					    "updated");
			json_decref(audit);
		}
		/* with that rule off too, the report is a new device */
		if (r == INTAKE_RULE_COUNT - 1) {
			cfg.rule_enabled[r] = 0;
			res = put(st, &cfg, rule_report());
			assert_int_equal(res.created, 1);
			assert_null(res.rule);
			id = res.device_id;
			assert_true(id > ids[r]);
		}
		store_close(st);
	}
}

/* A rule needs every one of its fields, non-empty and not a placeholder. */
static void test_rule_needs_all_fields(void **state)
{
	struct store *st = *state;
	struct intake_result res;

	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "hostname", "alpha", "uuid",
				    "UU-1")));
	assert_int_equal(res.created, 1);
	/* uuid empty: hostname+uuid does not apply; hostname alone does */
	res = put(
		st, NULL,
		rep_sys(json_pack("{ssss}", "hostname", "alpha", "uuid", "")));
	assert_int_equal(res.created, 0);
	assert_string_equal(res.rule, "hostname");
	/* two machines with the same firmware placeholder serial */
	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "hostname", "esx1", "serial",
				    "To be filled by O.E.M.")));
	assert_int_equal(res.created, 1);
	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "hostname", "esx2", "serial",
				    "To be filled by O.E.M.")));
	assert_int_equal(res.created, 1);
	assert_int_equal(count(st, "devices"), 3);
}

/* The message of the newest audit-log row (a copy, free()). */
static char *last_audit_message(struct store *st)
{
	json_t *audit = store_audit_list(st, 1);
	const char *m = json_string_value(
		json_object_get(json_array_get(audit, 0), "message"));
	char *copy = xstrdup(m ? m : "");

	json_decref(audit);
	return copy;
}

/* A report of a machine with one interface. */
static json_t *rep_nic(const char *host, const char *mac)
{
	return json_pack("{s{ssss}s[{ssss}]}", "sys", "hostname", host, "mac",
			 mac, "network", "mac", mac, "net_index", "1");
}

/* MACs handed to many machines never match: hypervisor and container
 * OUIs, locally administered, multicast. Each refusal is logged. */
static void test_weak_mac_never_alone(void **state)
{
	static const char *const weak[] = {
		"00:0c:29:0b:e5:73", "00:50:56:aa:bb:cc", "00:05:69:01:02:03",
		"00:1c:14:01:02:03", "00:15:5d:01:02:03", "08:00:27:01:02:03",
		"00:16:3e:01:02:03", "00:1c:42:01:02:03", "02:42:ac:11:00:02",
		"52:54:00:01:02:03", "02:fc:00:00:00:01", "01:00:5e:00:00:01",
	};
	struct store *st = *state;
	struct intake_result res, first;
	size_t i;
	char a[16], b[16], *msg;

	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		snprintf(a, sizeof(a), "vm-a%zu", i);
		snprintf(b, sizeof(b), "vm-b%zu", i);
		first = put(st, NULL, rep_nic(a, weak[i]));
		assert_int_equal(first.created, 1);
		/* another guest with the same MAC (clones keep it) */
		res = put(st, NULL, rep_nic(b, weak[i]));
		assert_int_equal(res.created, 1);
		assert_null(res.rule);
		msg = last_audit_message(st);
		if (!strstr(msg, weak[i]) || !strstr(msg, "refused: "))
			fail_msg("%s: audit says '%s'", weak[i], msg);
		free(msg);
	}
	/* an ordinary MAC does match */
	first = put(st, NULL, rep_nic("phys-a", "3c:ec:ef:00:00:01"));
	assert_int_equal(first.created, 1);
	res = put(st, NULL,
		  json_pack("{s{ss}s[{ssss}]}", "sys", "hostname", "phys-b",
			    "network", "mac", "3c:ec:ef:00:00:01", "net_index",
			    "7"));
	assert_int_equal(res.created, 0);
	assert_string_equal(res.rule, "mac");
	assert_int_equal(res.device_id, first.device_id);
}

/* A MAC already on two stored devices identifies neither. */
static void test_shared_mac_never_alone(void **state)
{
	struct store *st = *state;
	struct intake_config cfg;
	struct intake_result res;
	char *msg;

	intake_config_default(&cfg);
	put(st, NULL, rep_nic("two-a", "3c:ec:ef:00:00:02"));
	/* a second device with the MAC, made while the MAC rule is off */
	cfg.rule_enabled[INTAKE_RULE_MAC] = 0;
	put(st, &cfg, rep_nic("two-b", "3c:ec:ef:00:00:02"));
	res = put(st, NULL,
		  json_pack("{s[{ssss}]s{}}", "network", "mac",
			    "3c:ec:ef:00:00:02", "net_index", "1", "sys"));
	assert_int_equal(res.created, 1);
	msg = last_audit_message(st);
	assert_non_null(strstr(msg, "a MAC of two devices"));
	free(msg);
	assert_int_equal(count(st, "devices"), 3);
}

/* Clones: different serial, uuid and dbus id, one ordinary MAC. The
 * first conflict is refused by the serial, later ones by the shared MAC;
 * each clone is its own device. */
static void test_strong_identity_vetoes_mac(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	char host[32], serial[32], uuid[64], dbus[40], *msg;
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(host, sizeof(host), "clone-%02d", i);
		snprintf(serial, sizeof(serial), "CZ%08d", i);
		snprintf(uuid, sizeof(uuid), "4C4C4544-0000-4000-8000-%012d",
			 i);
		snprintf(dbus, sizeof(dbus), "%032d", i + 1);
		res = put(st, NULL,
			  json_pack("{s{ssssssssss}s[{ssss}]}", "sys",
				    "hostname", host, "serial", serial, "uuid",
				    uuid, "dbus_identifier", dbus, "mac",
				    "3c:ec:ef:00:00:03", "network", "mac",
				    "3c:ec:ef:00:00:03", "net_index", "1"));
		assert_int_equal(res.created, 1);
		if (i == 1) {
			msg = last_audit_message(st);
			if (!strstr(msg, "mac 3c:ec:ef:00:00:03 matched device "
					 "1, refused: serial CZ00000000 \u2260 "
					 "CZ00000001"))
				fail_msg("audit says '%s'", msg);
			free(msg);
		}
	}
	assert_int_equal(count(st, "devices"), 40);
}

/* Every weaker rule (hostname, fqdn, sysName, IP; hostname+dbus under a
 * hardware identity) is vetoed by a differing stronger identity. */
static void test_strong_identity_vetoes_names(void **state)
{
	struct store *st = *state;
	struct intake_result res, a;

	a = put(st, NULL,
		rep_sys(json_pack("{ssssssssssss}", "hostname", "h1", "fqdn",
				  "h1.example.org", "sysName", "h1", "ip",
				  "198.18.3.1", "serial", "SER-A",
				  "dbus_identifier", "DBUS-A")));
	/* same names and address, another serial: another machine */
	res = put(st, NULL,
		  rep_sys(json_pack("{ssssssssss}", "hostname", "h1", "fqdn",
				    "h1.example.org", "sysName", "h1", "ip",
				    "198.18.3.1", "serial", "SER-B")));
	assert_int_equal(res.created, 1);
	assert_int_not_equal(res.device_id, a.device_id);
	/* a dbus id differing vetoes the name rules too */
	put(st, NULL,
	    rep_sys(json_pack("{ssss}", "hostname", "h2", "dbus_identifier",
			      "DBUS-A")));
	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "hostname", "h2",
				    "dbus_identifier", "DBUS-C")));
	assert_int_equal(res.created, 1);
	/* same hostname and machine-id (a cloned disk), other SMBIOS uuid:
	 * hostname+dbus is weaker than the uuid */
	a = put(st, NULL,
		rep_sys(json_pack("{ssssss}", "hostname", "tpl", "uuid",
				  "UUID-1", "dbus_identifier", "DBUS-T")));
	res = put(st, NULL,
		  rep_sys(json_pack("{ssssss}", "hostname", "tpl", "uuid",
				    "UUID-2", "dbus_identifier", "DBUS-T")));
	assert_int_equal(res.created, 1);
	/* without a conflict, the weak rule still matches */
	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "hostname", "tpl",
				    "dbus_identifier", "DBUS-T")));
	assert_int_equal(res.created, 0);
	assert_int_equal(res.device_id, a.device_id);
	assert_string_equal(res.rule, "hostname+dbus_identifier");
}

/* A re-imaged machine: same serial, new hostname and machine-id. */
static void test_reimaged_machine(void **state)
{
	struct store *st = *state;
	struct intake_result a, b;

	a = put(st, NULL,
		rep_sys(json_pack("{ssssssss}", "hostname", "old-name",
				  "serial", "CZ1234567", "dbus_identifier",
				  "11111111111111111111111111111111", "type",
				  "computer")));
	b = put(st, NULL,
		rep_sys(json_pack("{ssssssss}", "hostname", "new-name",
				  "serial", "CZ1234567", "dbus_identifier",
				  "22222222222222222222222222222222", "type",
				  "computer")));
	assert_int_equal(b.created, 0);
	assert_int_equal(b.device_id, a.device_id);
	assert_string_equal(b.rule, "serial+type");
}

/* A cloned VM keeping the SMBIOS uuid, with a new MAC and hostname: there
 * is no rule on the uuid alone, so without a serial it is a new device;
 * VMware derives the serial from the uuid, and a shared serial is one
 * device (docs/device-report.md, "Matching"). */
static void test_cloned_vm(void **state)
{
	struct store *st = *state;
	struct intake_result a, b;
	const char *uuid = "564D1C2E-0A1B-4C5D-8E9F-0123456789AB";

	a = put(st, NULL,
		json_pack("{s{ssssss}s[{ssss}]}", "sys", "hostname", "vm-orig",
			  "uuid", uuid, "mac", "00:50:56:01:01:01", "network",
			  "mac", "00:50:56:01:01:01", "net_index", "1"));
	assert_int_equal(a.created, 1);
	b = put(st, NULL,
		json_pack("{s{ssssss}s[{ssss}]}", "sys", "hostname", "vm-clone",
			  "uuid", uuid, "mac", "00:50:56:02:02:02", "network",
			  "mac", "00:50:56:02:02:02", "net_index", "1"));
	assert_int_equal(b.created, 1);
	a = put(st, NULL,
		rep_sys(json_pack("{ssssss}", "hostname", "vm2-orig", "uuid",
				  "UUID-V2", "serial", "VMware-56 4d 1c 2e")));
	b = put(st, NULL,
		rep_sys(json_pack("{ssssss}", "hostname", "vm2-clone", "uuid",
				  "UUID-V2", "serial", "VMware-56 4d 1c 2e")));
	assert_int_equal(b.created, 0);
	assert_int_equal(b.device_id, a.device_id);
	assert_string_equal(b.rule, "serial");
}

/* Two whitebox PCs (uuid, no serial) swap their USB NICs and are renamed:
 * the moved NIC points at the other machine, whose uuid differs, so each
 * audit lands on its own machine by its onboard NIC. */
static void test_nics_move_between_machines(void **state)
{
	struct store *st = *state;
	struct intake_result a, b, a2, b2;
	json_t *dev;

	a = put(st, NULL,
		json_pack("{s{ssss}s[{ssss}{ssss}]}", "sys", "hostname", "pc-a",
			  "uuid", "UUID-PC-A", "network", "mac",
			  "3c:ec:ef:0a:0a:0a", "net_index", "1", "mac",
			  "00:1b:21:00:00:0a", "net_index", "2"));
	b = put(st, NULL,
		json_pack("{s{ssss}s[{ssss}{ssss}]}", "sys", "hostname", "pc-b",
			  "uuid", "UUID-PC-B", "network", "mac",
			  "3c:ec:ef:0b:0b:0b", "net_index", "1", "mac",
			  "00:1b:21:00:00:0b", "net_index", "2"));
	/* USB NICs swapped, listed first; both machines renamed */
	a2 = put(st, NULL,
		 json_pack("{s{ssss}s[{ssss}{ssss}]}", "sys", "hostname",
			   "pc-a-new", "uuid", "UUID-PC-A", "network", "mac",
			   "00:1b:21:00:00:0b", "net_index", "1", "mac",
			   "3c:ec:ef:0a:0a:0a", "net_index", "2"));
	b2 = put(st, NULL,
		 json_pack("{s{ssss}s[{ssss}{ssss}]}", "sys", "hostname",
			   "pc-b-new", "uuid", "UUID-PC-B", "network", "mac",
			   "00:1b:21:00:00:0a", "net_index", "1", "mac",
			   "3c:ec:ef:0b:0b:0b", "net_index", "2"));
	assert_int_equal(a2.device_id, a.device_id);
	assert_int_equal(b2.device_id, b.device_id);
	assert_string_equal(a2.rule, "mac");
	assert_int_equal(count(st, "devices"), 2);
	dev = store_device_get(st, a.device_id);
	assert_string_equal(json_string_value(json_object_get(dev, "uuid")),
			    "UUID-PC-A");
	assert_string_equal(json_string_value(json_object_get(dev, "hostname")),
			    "pc-a-new");
	json_decref(dev);
	assert_non_null(strstr(a2.message, "refused: uuid UUID-PC-B"));
}

/* A report stored into one org never matches another org's device, and
 * nothing of that device changes; a report into the parent matches a
 * device of a sub-org (the tree below the target org). */
static void test_match_only_in_org_tree(void **state)
{
	struct store *st = *state;
	struct intake_result a, b, r;
	int64_t org_a, org_b, org_b1;
	json_t *dev, *rep;

	assert_int_equal(store_org_add(st, "A", 0, &org_a), 0);
	assert_int_equal(store_org_add(st, "B", 0, &org_b), 0);
	assert_int_equal(store_org_add(st, "B1", org_b, &org_b1), 0);
	rep = json_pack("{s{ssssssssssss}s[{ssss}]}", "sys", "hostname", "db-a",
			"uuid", "UUID-A", "serial", "SER-A", "ip", "198.18.7.1",
			"mac", "3c:ec:ef:00:0a:01", "os_name", "Debian",
			"network", "mac", "3c:ec:ef:00:0a:01", "net_index",
			"1");
	assert_int_equal(intake_report(st, NULL, rep, org_a, "t", "x", &a), 0);
	/* org B posts A's identity: a new device in B, A's untouched */
	json_object_set_new(json_object_get(rep, "sys"), "os_name",
			    json_string("PWNED by OrgB"));
	assert_int_equal(intake_report(st, NULL, rep, org_b, "t", "x", &b), 0);
	assert_int_equal(b.created, 1);
	assert_null(b.rule);
	assert_string_equal(b.message, "");
	assert_int_not_equal(b.device_id, a.device_id);
	dev = store_device_get(st, a.device_id);
	assert_string_equal(json_string_value(json_object_get(dev, "os_name")),
			    "Debian");
	json_decref(dev);
	dev = store_device_get(st, b.device_id);
	assert_int_equal(json_integer_value(json_object_get(dev, "org_id")),
			 org_b);
	json_decref(dev);
	/* a sub-org's device is matched from its parent and stays there */
	json_object_set_new(json_object_get(rep, "sys"), "hostname",
			    json_string("db-b1"));
	json_object_set_new(json_object_get(rep, "sys"), "uuid",
			    json_string("UUID-B1"));
	json_object_set_new(json_object_get(rep, "sys"), "serial",
			    json_string("SER-B1"));
	assert_int_equal(intake_report(st, NULL, rep, org_b1, "t", "x", &r), 0);
	assert_int_equal(r.created, 1);
	assert_int_equal(intake_report(st, NULL, rep, org_b, "t", "x", &b), 0);
	assert_int_equal(b.created, 0);
	assert_int_equal(b.device_id, r.device_id);
	/* but B1 does not see B's own device */
	json_object_set_new(json_object_get(rep, "sys"), "hostname",
			    json_string("db-a"));
	json_object_set_new(json_object_get(rep, "sys"), "uuid",
			    json_string("UUID-A"));
	json_object_set_new(json_object_get(rep, "sys"), "serial",
			    json_string("SER-A"));
	assert_int_equal(intake_report(st, NULL, rep, org_b1, "t", "x", &r), 0);
	assert_int_equal(r.created, 1);
	json_decref(rep);
	assert_int_equal(count(st, "devices"), 4);
}

static void test_ip_only_without_serial(void **state)
{
	struct store *st = *state;
	struct intake_result res, first;

	first = put(st, NULL,
		    rep_sys(json_pack("{ssss}", "ip", "198.18.1.1", "serial",
				      "SER-1")));
	/* the stored device has a serial: an address alone is not enough */
	res = put(st, NULL, rep_sys(json_pack("{ss}", "ip", "198.18.1.1")));
	assert_int_equal(res.created, 1);
	assert_int_not_equal(res.device_id, first.device_id);
	/* without a serial it is */
	first = put(st, NULL, rep_sys(json_pack("{ss}", "ip", "198.18.1.2")));
	res = put(st, NULL,
		  rep_sys(json_pack("{ssss}", "ip", "198.18.1.2", "type",
				    "printer")));
	assert_int_equal(res.created, 0);
	assert_string_equal(res.rule, "ip");
	assert_int_equal(res.device_id, first.device_id);
}

static void test_merge_same_machine(void **state)
{
	struct store *st = *state;
	struct intake_result a, b;
	json_t *dev;

	a = put(st, NULL,
		rep_sys(json_pack("{ssssssss}", "hostname", "db01", "uuid",
				  "0D7E4D56", "ip", "198.18.1.120", "os_name",
				  "Windows Server 2012 R2")));
	/* another source, another address, fewer fields */
	b = put(st, NULL,
		rep_sys(json_pack("{ssssssss}", "hostname", "db01", "uuid",
				  "0D7E4D56", "ip", "198.19.0.120", "sysUpTime",
				  "100", "os_name", "")));
	assert_int_equal(b.created, 0);
	assert_int_equal(b.device_id, a.device_id);
	assert_string_equal(b.rule, "hostname+uuid");
	assert_int_equal(count(st, "devices"), 1);
	dev = store_device_get(st, a.device_id);
	/* a later source never wipes a field it does not send */
	assert_string_equal(json_string_value(json_object_get(dev, "os_name")),
			    "Windows Server 2012 R2");
	assert_string_equal(json_string_value(json_object_get(dev, "ip")),
			    "198.19.0.120");
	json_decref(dev);
	/* the IP change is a sys change */
	assert_int_equal(b.changes, 1);
}

static void test_org_from_caller(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	json_t *rep =
		rep_sys(json_pack("{sssi}", "hostname", "o", "org_id", 999));
	json_t *dev;

	/* sys.org_id 999 does not exist; the caller's org 1 is used */
	assert_int_equal(
		intake_report(st, NULL, rep, 1, "t", "netcensus", &res), 0);
	json_decref(rep);
	dev = store_device_get(st, res.device_id);
	assert_int_equal(json_integer_value(json_object_get(dev, "org_id")), 1);
	json_decref(dev);
}

static json_t *sw(const char *name, const char *version)
{
	return json_pack("{ssss}", "name", name, "version", version);
}

static json_t *soft_report(json_t *software)
{
	return json_pack("{s{ssss}so}", "sys", "hostname", "deb", "uuid",
			 "UUID-DEB", "software", software);
}

/* change rows as a sorted list of "action section key" strings */
static char *changes_text(struct store *st, int64_t id)
{
	json_t *list = store_change_list(st, id, 0), *ch;
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 0);
	/* oldest first */
	for (i = json_array_size(list); i-- > 0;) {
		ch = json_array_get(list, i);
		strbuf_printf(&sb, "%s %s %s;",
			      json_string_value(json_object_get(ch, "action")),
			      json_string_value(json_object_get(ch, "section")),
			      json_string_value(json_object_get(ch, "key")));
	}
	json_decref(list);
	if (!sb.data)
		strbuf_puts(&sb, "");
	return sb.data;
}

static void test_upsert_change_log(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	json_t *list, *row, *detail;
	int64_t id;
	char *txt;
	size_t i;

	res = put(st, NULL,
		  soft_report(json_pack("[ooo]", sw("bash", "5.1"),
					sw("openssl", "1.1.1"),
					sw("zlib", "1.2"))));
	assert_int_equal(res.created, 1);
	assert_int_equal(res.changes, 0); /* first sighting: no changes */
	id = res.device_id;
	assert_int_equal(count(st, "changes"), 0);

	/* same report again: nothing changes */
	setenv("NETCENSUS_NOW", "2026-01-02 00:00:00", 1);
	res = put(st, NULL,
		  soft_report(json_pack("[ooo]", sw("zlib", "1.2"),
					sw("bash", "5.1"),
					sw("openssl", "1.1.1"))));
	assert_int_equal(res.changes, 0);
	assert_int_equal(count(st, "changes"), 0);

	/* zlib removed, openssl upgraded, curl added */
	setenv("NETCENSUS_NOW", "2026-01-03 00:00:00", 1);
	res = put(st, NULL,
		  soft_report(json_pack("[ooo]", sw("bash", "5.1"),
					sw("openssl", "3.0.2"),
					sw("curl", "7.88"))));
	assert_int_equal(res.created, 0);
	assert_int_equal(res.changes, 3);
	txt = changes_text(st, id);
	assert_string_equal(txt, "change software openssl\x1f"
				 "3.0.2;"
				 "add software curl\x1f"
				 "7.88;"
				 "remove software zlib\x1f"
				 "1.2;");
	free(txt);
	/* the upgrade says from which version to which */
	list = store_change_list(st, id, 0);
	json_array_foreach(list, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "action")),
			   "change"))
			continue;
		detail = json_object_get(row, "detail");
		assert_string_equal(
			json_string_value(json_object_get(
				json_object_get(detail, "from"), "version")),
			"1.1.1");
		assert_string_equal(
			json_string_value(json_object_get(
				json_object_get(detail, "to"), "version")),
			"3.0.2");
		assert_null(
			json_object_get(json_object_get(detail, "to"), "name"));
	}
	json_decref(list);
	/* zlib is kept, not current, with its last sighting */
	list = store_component_list(st, id, "software", 0);
	assert_int_equal(json_array_size(list), 5);
	json_array_foreach(list, i, row) {
		const char *key =
			json_string_value(json_object_get(row, "key"));
		int cur = (int)json_integer_value(
			json_object_get(row, "current"));
		const char *last =
			json_string_value(json_object_get(row, "last_seen"));

		if (!strcmp(key, "zlib\x1f"
				 "1.2") ||
		    !strcmp(key, "openssl\x1f"
				 "1.1.1")) {
			assert_int_equal(cur, 0);
			assert_string_equal(last, "2026-01-02 00:00:00");
		} else {
			assert_int_equal(cur, 1);
			assert_string_equal(last, "2026-01-03 00:00:00");
		}
	}
	json_decref(list);

	/* zlib comes back: current again, logged as an add */
	setenv("NETCENSUS_NOW", "2026-01-04 00:00:00", 1);
	res = put(st, NULL,
		  soft_report(json_pack(
			  "[oooo]", sw("bash", "5.1"), sw("openssl", "3.0.2"),
			  sw("curl", "7.88"), sw("zlib", "1.2"))));
	assert_int_equal(res.changes, 1);
	list = store_component_list(st, id, "software", 1);
	assert_int_equal(json_array_size(list), 4);
	json_decref(list);
	assert_int_equal(count(st, "components"), 5);

	/* a report without a software section says nothing about it */
	res = put(st, NULL,
		  json_pack("{s{ssss}s[]}", "sys", "hostname", "deb", "uuid",
			    "UUID-DEB", "software"));
	assert_int_equal(res.changes, 0);
	assert_int_equal(count(st, "components_current"), 4);
}

/* Pairing at scale and with several rows of one pair key: each added row
 * takes the first removed row (in key order) of its pair not yet taken;
 * 5,000 renamed rows and 5,000 upgrades are logged exactly. */
static void test_pairing(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	json_t *a, *b;
	char name[32], *txt;
	int i;

	res = put(st, NULL,
		  soft_report(json_pack("[ooo]", sw("kernel", "1"),
					sw("kernel", "2"), sw("kernel", "3"))));
	assert_int_equal(res.created, 1);
	res = put(st, NULL,
		  soft_report(json_pack("[oo]", sw("kernel", "5"),
					sw("kernel", "4"))));
	assert_int_equal(res.changes, 3);
	txt = changes_text(st, res.device_id);
	assert_string_equal(txt, "change software kernel\x1f"
				 "5;"
				 "change software kernel\x1f"
				 "4;"
				 "remove software kernel\x1f"
				 "3;");
	free(txt);
	a = json_array();
	b = json_array();
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "old-%05d", i);
		json_array_append_new(a, sw(name, "1"));
		snprintf(name, sizeof(name), "new-%05d", i);
		json_array_append_new(b, sw(name, "1"));
		snprintf(name, sizeof(name), "up-%05d", i);
		json_array_append_new(a, sw(name, "1"));
		json_array_append_new(b, sw(name, "2"));
	}
	setenv("NETCENSUS_NOW", "2026-01-02 00:00:00", 1);
	put(st, NULL, soft_report(a));
	setenv("NETCENSUS_NOW", "2026-01-03 00:00:00", 1);
	res = put(st, NULL, soft_report(b));
	/* 5,000 upgrades paired, 5,000 removed, 5,000 added */
	assert_int_equal(res.changes, 15000);
	{
		json_t *list = store_change_list(st, res.device_id, 15000);
		size_t k, nchange = 0;
		json_t *row;

		json_array_foreach(list, k, row)
			if (!strcmp(json_string_value(
					    json_object_get(row, "action")),
				    "change"))
				nchange++;
		json_decref(list);
		assert_int_equal(nchange, 5000);
	}
}

static void test_field_changes(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	json_t *list, *detail;
	char *txt;

	res = put(st, NULL,
		  json_pack("{s{ssssss}s[{ssssss}]s[{ssssss}]}", "sys",
			    "hostname", "h", "os_version", "7.8", "uptime",
			    "100", "service", "name", "sshd", "start_mode",
			    "auto", "state", "running", "partition",
			    "mount_point", "/", "name", "sda1", "free",
			    "1000"));
	assert_int_equal(res.created, 1);
	setenv("NETCENSUS_NOW", "2026-01-05 00:00:00", 1);
	/* uptime and free space are volatile; start_mode and os_version
	 * are not */
	res = put(st, NULL,
		  json_pack("{s{ssssss}s[{ssssss}]s[{ssssss}]}", "sys",
			    "hostname", "h", "os_version", "7.9", "uptime",
			    "999", "service", "name", "sshd", "start_mode",
			    "manual", "state", "running", "partition",
			    "mount_point", "/", "name", "sda1", "free", "5"));
	assert_int_equal(res.changes, 2);
	txt = changes_text(st, res.device_id);
	assert_string_equal(txt, "change sys ;change service sshd;");
	free(txt);
	list = store_change_list(st, res.device_id, 0);
	detail = json_object_get(json_array_get(list, 1), "detail");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(detail, "from"), "os_version")),
		"7.8");
	assert_null(json_object_get(json_object_get(detail, "from"), "uptime"));
	detail = json_object_get(json_array_get(list, 0), "detail");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(detail, "to"),
						  "start_mode")),
		"manual");
	json_decref(list);
	/* the volatile field was still stored */
	list = store_component_list(st, res.device_id, "partition", 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(list, 0), "data"),
			"free")),
		"5");
	json_decref(list);
}

static void test_keys(void **state)
{
	json_t *row = json_pack("{ssss}", "version", "2", "name", "x");
	json_t *f;
	char *k;

	(void)state;
	k = intake_component_key("software", row);
	assert_string_equal(k, "x\x1f"
			       "2");
	f = intake_key_fields("software", k);
	assert_string_equal(json_string_value(json_object_get(f, "name")), "x");
	assert_string_equal(json_string_value(json_object_get(f, "version")),
			    "2");
	json_decref(f);
	free(k);
	/* unknown section: the canonical JSON of the row (sorted keys) */
	k = intake_component_key("gizmo", row);
	assert_string_equal(k, "{\"name\":\"x\",\"version\":\"2\"}");
	f = intake_key_fields("gizmo", k);
	assert_true(json_equal(f, row));
	json_decref(f);
	free(k);
	json_decref(row);
	/* every key field empty: canonical JSON too */
	row = json_pack("{ssss}", "name", "", "state", "up");
	k = intake_component_key("service", row);
	assert_string_equal(k, "{\"name\":\"\",\"state\":\"up\"}");
	free(k);
	json_decref(row);
}

static void test_unknown_sections(void **state)
{
	struct store *st = *state;
	struct intake_config cfg;
	struct intake_result res;
	json_t *secs;

	intake_config_default(&cfg);
	cfg.keep_unknown_sections = 0;
	res = put(st, &cfg,
		  json_pack("{s{ss}s[{ss}]s[{ss}]}", "sys", "hostname", "u",
			    "gizmo", "a", "b", "service", "name", "cron"));
	secs = store_component_sections(st, res.device_id);
	assert_int_equal(json_array_size(secs), 1);
	json_decref(secs);
	cfg.keep_unknown_sections = 1;
	res = put(st, &cfg,
		  json_pack("{s{ss}s[{ss}]s[{ss}]}", "sys", "hostname", "u",
			    "gizmo", "a", "b", "service", "name", "cron"));
	secs = store_component_sections(st, res.device_id);
	assert_int_equal(json_array_size(secs), 2);
	json_decref(secs);
}

static void test_rejected_stores_nothing(void **state)
{
	struct store *st = *state;
	struct intake_result res;
	json_t *rep, *audit, *list;
	int64_t id;

	id = put(st, NULL, soft_report(json_pack("[o]", sw("bash", "5.1"))))
		     .device_id;
	/* a bad row after good ones: nothing of the report may stay */
	rep = json_pack("{s{ssssss}s[oo]s[{ss}s]}", "sys", "hostname", "deb",
			"uuid", "UUID-DEB", "os_name", "Changed", "software",
			sw("vim", "9"), sw("bash", "5.2"), "service", "name",
			"cron", "not an object");
	assert_int_equal(
		intake_report(st, NULL, rep, 1, "bad.json", "netcensus", &res),
		-1);
	json_decref(rep);
	assert_non_null(strstr(res.message, "service"));
	assert_int_equal(count(st, "components"), 1);
	assert_int_equal(count(st, "changes"), 0);
	list = store_component_list(st, id, "software", 1);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	{
		json_t *dev = store_device_get(st, id);

		assert_null(json_object_get(dev, "os_name"));
		json_decref(dev);
	}
	/* a new device rejected: not created */
	rep = json_pack("{s{ss}s[s]}", "sys", "hostname", "fresh", "software",
			"x");
	assert_int_equal(
		intake_report(st, NULL, rep, 1, "bad2.json", "netcensus", &res),
		-1);
	json_decref(rep);
	assert_int_equal(res.device_id, 0);
	assert_int_equal(count(st, "devices"), 1);
	/* no sys at all */
	rep = json_pack("{s[]}", "software");
	assert_int_equal(
		intake_report(st, NULL, rep, 1, "bad3.json", "netcensus", &res),
		-1);
	json_decref(rep);
	/* every rejection is in the audit log, with its reason */
	audit = store_audit_list(st, 0);
	assert_int_equal(json_array_size(audit), 4);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(audit, 0), "result")),
			    "rejected");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(audit, 2), "source")),
			    "bad.json");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(audit, 2), "result")),
			    "rejected");
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_array_get(audit, 2), "message")),
			       "not an object"));
	json_decref(audit);
	/* and the database is still usable */
	assert_int_equal(
		put(st, NULL, soft_report(json_pack("[o]", sw("bash", "5.1"))))
			.changes,
		0);
}

/* Every sample imports; Linux and Windows machines never merge; the
 * second import of each changes nothing. */
static void test_samples(void **state)
{
	const char *samples = testlib_samples_dir();
	struct store *st = *state;
	struct report_error err;
	struct intake_result res;
	struct dirent *de;
	json_t *rep;
	char path[512], *buf;
	const char *why;
	size_t len;
	int pass, files = 0;
	DIR *d;

	if (!samples) {
		skip();
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		d = opendir(samples);
		assert_non_null(d);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", samples,
				 de->d_name);
			buf = util_read_file(path, REPORT_MAX_BYTES, &len,
					     &why);
			assert_non_null(buf);
			rep = report_parse(buf, len, NULL, &err);
			free(buf);
			if (!rep)
				fail_msg("%s: %s", de->d_name, err.msg);
			assert_int_equal(intake_report(st, NULL, rep, 1,
						       de->d_name, "x", &res),
					 0);
			json_decref(rep);
			assert_int_equal(res.created, pass == 0);
			if (pass == 0)
				files++;
			else
				assert_int_equal(res.changes, 0);
		}
		closedir(d);
	}
	assert_int_equal(count(st, "devices"), files);
	assert_int_equal(count(st, "changes"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_rule_names),
		T(test_rule_precedence),
		T(test_rule_needs_all_fields),
		T(test_weak_mac_never_alone),
		T(test_shared_mac_never_alone),
		T(test_strong_identity_vetoes_mac),
		T(test_strong_identity_vetoes_names),
		T(test_reimaged_machine),
		T(test_cloned_vm),
		T(test_nics_move_between_machines),
		T(test_match_only_in_org_tree),
		T(test_ip_only_without_serial),
		T(test_merge_same_machine),
		T(test_org_from_caller),
		T(test_upsert_change_log),
		T(test_pairing),
		T(test_field_changes),
		T(test_keys),
		T(test_unknown_sections),
		T(test_rejected_stores_nothing),
		T(test_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
