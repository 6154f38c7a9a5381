/*
 * intake.c: match, create-or-update, component upsert and change log for
 * one device report, all inside one store transaction.
 *
 * Matching tries the rules of enum intake_rule in order, and only among
 * the devices of the org the report is stored into and the orgs below it
 * (store_match_*): a device of any other org does not exist for it. A
 * rule is tried only when the report has every field it needs, non-empty
 * and not one of the placeholder values firmware and agents write when
 * they know nothing ("To be filled by O.E.M.", an all-zero UUID,
 * "localhost"...), because a placeholder shared by two machines would
 * merge them.
 *
 * Identities have a strength (identities[]): the SMBIOS uuid and serial
 * name the hardware, the dbus id (machine-id) the OS install, and names,
 * MACs and addresses nothing for sure. A rule is as strong as the
 * strongest identity it compares, and a device it finds is refused when
 * the device and the report both have a stronger identity and they differ
 * (match_vetoed(), the one place this is decided). A weak MAC (virtual,
 * locally administered, multicast, or on more than one device) never
 * matches. Every refusal is written to the audit log row.
 *
 * Components are keyed per section (sections.h). For a device seen before,
 * every row added, removed or changed becomes a change-log row, except that
 * a removed row and an added row with equal "pair" fields are one "change"
 * (a package upgraded from one version to another), and a row whose only
 * differences are volatile fields is updated silently.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"
#include "report/fields.h"
#include "report/sections.h"
#include "store/intake.h"

#define INTAKE_KEY_SEP "\x1f"
/* Runs of one report's transaction when the database rolls it back to
 * break a deadlock (store_retryable()) or its device changed under it. */
#define INTAKE_TRIES 5

static const char *const rule_names[INTAKE_RULE_COUNT] = {
	[INTAKE_RULE_HOSTNAME_UUID] = "hostname+uuid",
	[INTAKE_RULE_HOSTNAME_DBUS] = "hostname+dbus_identifier",
	[INTAKE_RULE_HOSTNAME_SERIAL] = "hostname+serial",
	[INTAKE_RULE_FQDN] = "fqdn",
	[INTAKE_RULE_SERIAL_TYPE] = "serial+type",
	[INTAKE_RULE_SERIAL] = "serial",
	[INTAKE_RULE_SYSNAME_SERIAL] = "sysName+serial",
	[INTAKE_RULE_SYSNAME] = "sysName",
	[INTAKE_RULE_MAC] = "mac",
	[INTAKE_RULE_HOSTNAME] = "hostname",
	[INTAKE_RULE_IP] = "ip",
};

/* The sys fields each rule compares (MAC has its own search). */
static const char *const rule_fields[INTAKE_RULE_COUNT][2] = {
	[INTAKE_RULE_HOSTNAME_UUID] = {"hostname", "uuid"},
	[INTAKE_RULE_HOSTNAME_DBUS] = {"hostname", "dbus_identifier"},
	[INTAKE_RULE_HOSTNAME_SERIAL] = {"hostname", "serial"},
	[INTAKE_RULE_FQDN] = {"fqdn", NULL},
	[INTAKE_RULE_SERIAL_TYPE] = {"serial", "type"},
	[INTAKE_RULE_SERIAL] = {"serial", NULL},
	[INTAKE_RULE_SYSNAME_SERIAL] = {"sysName", "serial"},
	[INTAKE_RULE_SYSNAME] = {"sysName", NULL},
	[INTAKE_RULE_MAC] = {"mac", NULL},
	[INTAKE_RULE_HOSTNAME] = {"hostname", NULL},
	[INTAKE_RULE_IP] = {"ip", NULL},
};

/* How much an identity proves: the hardware (SMBIOS uuid and serial)
 * outlives a re-install; the OS install id (machine-id) changes with a
 * re-image and is copied with a cloned disk; every other field (names,
 * MACs, addresses) proves nothing on its own. */
enum strength { STRENGTH_NONE = 0, STRENGTH_INSTALL, STRENGTH_HARDWARE };

static const struct {
	const char *field;
	enum strength strength;
} identities[] = {
	{"serial", STRENGTH_HARDWARE},
	{"uuid", STRENGTH_HARDWARE},
	{"dbus_identifier", STRENGTH_INSTALL},
};

/* MAC prefixes handed to many machines (hypervisors, containers): such a
 * MAC never matches a device. Compared as text over the prefix length. */
static const struct {
	const char *prefix;
	const char *what;
} weak_mac_prefixes[] = {
	{"00:05:69", "VMware"},	      {"00:0c:29", "VMware"},
	{"00:1c:14", "VMware"},	      {"00:50:56", "VMware"},
	{"00:03:ff", "Hyper-V"},      {"00:15:5d", "Hyper-V"},
	{"08:00:27", "VirtualBox"},   {"0a:00:27", "VirtualBox"},
	{"00:16:3e", "Xen"},	      {"00:1c:42", "Parallels"},
	{"00:21:f6", "Oracle VM"},    {"02:42:", "docker"},
	{"52:54:00", "libvirt/QEMU"}, {"fe:54:00", "libvirt"},
};

/* Candidates looked at per rule: the first one not refused wins. */
#define MATCH_CANDIDATES 8
/* Refusals written out in the audit log row; the rest are counted. */
#define MATCH_REFUSALS_SHOWN 8

/* Sys fields whose change is worth a change-log row (uptime, last_seen
 * and the like change at every audit and are not). */
static const char *const sys_important[] = {
	"hostname",
	"fqdn",
	"domain",
	"ip",
	"mac",
	"uuid",
	"dbus_identifier",
	"serial",
	"manufacturer",
	"model",
	"type",
	"form_factor",
	"os_group",
	"os_family",
	"os_name",
	"os_version",
	"os_bit",
	"sysName",
	"sysDescr",
	"sysObjectID",
	"sysLocation",
	"sysContact",
	"memory_count",
	"processor_count",
	/* the user fields a CSV import sets (branch uidata) */
	"status",
	"owner",
	"location",
	"tags",
	"description",
};

/* Report members that are not component sections. */
static const char *const report_meta[] = {"report_version", "source", "sys"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

void intake_config_default(struct intake_config *cfg)
{
	int i;

	for (i = 0; i < INTAKE_RULE_COUNT; i++)
		cfg->rule_enabled[i] = 1;
	cfg->keep_unknown_sections = 1;
	cfg->in_tx = NULL;
	cfg->in_tx_ud = NULL;
}

const char *intake_rule_name(enum intake_rule rule)
{
	if ((int)rule < 0 || rule >= INTAKE_RULE_COUNT)
		return NULL;
	return rule_names[rule];
}

int intake_rule_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < INTAKE_RULE_COUNT; i++)
		if (!strcmp(rule_names[i], name))
			return i;
	return -1;
}

/* ---- matching ---- */

/* A sys value usable for matching, or NULL. */
static const char *match_value(json_t *sys, const char *field)
{
	const char *v = json_string_value(json_object_get(sys, field));

	return v && *v && !fields_is_placeholder(v) ? v : NULL;
}

/* The refusals of one report's matching, for its audit log row. */
struct match_run {
	struct store *st;
	int64_t org_id;
	json_t *sys;
	struct strbuf *why;
	int nrefused;
};

static void match_refuse(struct match_run *mr, const char *what, int64_t id,
			 const char *reason)
{
	if (mr->nrefused++ >= MATCH_REFUSALS_SHOWN)
		return;
	strbuf_printf(mr->why, "%s%s matched device %" PRId64 ", refused: %s",
		      mr->nrefused > 1 ? "; " : "", what, id, reason);
}

static enum strength field_strength(const char *field)
{
	size_t i;

	for (i = 0; i < NELEM(identities); i++)
		if (!strcmp(identities[i].field, field))
			return identities[i].strength;
	return STRENGTH_NONE;
}

/* The strength of rule r: that of the strongest identity it compares. */
static enum strength rule_strength(int r)
{
	enum strength s = STRENGTH_NONE, f;
	int n;

	for (n = 0; n < 2 && rule_fields[r][n]; n++) {
		f = field_strength(rule_fields[r][n]);
		if (f > s)
			s = f;
	}
	return s;
}

/* 1 when device id, found by a rule of strength rs, and the report both
 * have an identity stronger than rs that differs: then it is another
 * machine, whatever weaker fields they share. reason gets "serial A ≠ B". */
static int match_vetoed(struct match_run *mr, enum strength rs, int64_t id,
			char *reason, size_t len)
{
	json_t *dev = NULL;
	const char *mine, *theirs;
	size_t i;
	int veto = 0;

	for (i = 0; !veto && i < NELEM(identities); i++) {
		if (identities[i].strength <= rs)
			continue;
		mine = match_value(mr->sys, identities[i].field);
		if (!mine)
			continue;
		if (!dev && !(dev = store_device_get(mr->st, id)))
			break;
		theirs = match_value(dev, identities[i].field);
		if (theirs && !util_streq_ci(mine, theirs)) {
			snprintf(reason, len, "%s %s \u2260 %s",
				 identities[i].field, theirs, mine);
			veto = 1;
		}
	}
	json_decref(dev);
	return veto;
}

/* The first of the n candidates ids (found by rule r on what) that is not
 * vetoed, or 0. */
static int64_t match_pick(struct match_run *mr, int r, const char *what,
			  const int64_t *ids, int n)
{
	enum strength rs = rule_strength(r);
	char reason[256];
	int i;

	for (i = 0; i < n; i++) {
		if (!match_vetoed(mr, rs, ids[i], reason, sizeof(reason)))
			return ids[i];
		match_refuse(mr, what, ids[i], reason);
	}
	return 0;
}

/* Why mac is weak (never matches alone), or NULL. mac is normalised. */
static const char *mac_weakness(const char *mac)
{
	unsigned first = (unsigned)util_hexval(mac[0]) << 4 |
			 (unsigned)util_hexval(mac[1]);
	size_t i;

	if (!strcmp(mac, "00:00:00:00:00:00"))
		return "all-zero MAC";
	if (!strcmp(mac, "ff:ff:ff:ff:ff:ff"))
		return "broadcast MAC";
	if (first & 0x01)
		return "multicast MAC";
	for (i = 0; i < NELEM(weak_mac_prefixes); i++)
		if (!strncmp(mac, weak_mac_prefixes[i].prefix,
			     strlen(weak_mac_prefixes[i].prefix)))
			return weak_mac_prefixes[i].what;
	if (first & 0x02)
		return "locally administered MAC";
	return NULL;
}

/* Tries one MAC: 0 with *id set (0 when it matches nothing usable). */
static int match_one_mac(struct match_run *mr, const char *mac, int64_t *id)
{
	const char *weak;
	int64_t ids[2];
	char what[64], reason[96];
	int n;

	*id = 0;
	if (strlen(mac) != 17 || util_hexval(mac[0]) < 0 ||
	    util_hexval(mac[1]) < 0)
		return 0;
	if (store_match_mac(mr->st, mr->org_id, mac, ids, 2, &n))
		return -1;
	if (!n)
		return 0;
	snprintf(what, sizeof(what), "mac %s", mac);
	weak = mac_weakness(mac);
	if (weak) {
		snprintf(reason, sizeof(reason), "%s%s", weak,
			 strstr(weak, "MAC") ? "" : " MAC");
		match_refuse(mr, what, ids[0], reason);
	} else if (n > 1) {
		snprintf(reason, sizeof(reason),
			 "also on device %" PRId64 ", a MAC of two devices",
			 ids[1]);
		match_refuse(mr, what, ids[0], reason);
	} else {
		*id = match_pick(mr, INTAKE_RULE_MAC, what, ids, 1);
	}
	return 0;
}

/* The MAC rule: sys.mac, then the MACs of the report's own interfaces,
 * each tried once. */
static int match_mac(struct match_run *mr, json_t *report, int64_t *id)
{
	static const char *const sections[] = {"network", "ip"};
	const char *mac = json_string_value(json_object_get(mr->sys, "mac"));
	json_t *tried = json_object(), *row;
	size_t i, j;
	int rc = 0;

	*id = 0;
	if (mac)
		rc = match_one_mac(mr, mac, id);
	if (mac)
		json_object_set_new(tried, mac, json_true());
	for (i = 0; !rc && !*id && i < NELEM(sections); i++) {
		json_array_foreach(json_object_get(report, sections[i]), j,
				   row) {
			mac = json_string_value(json_object_get(row, "mac"));
			if (!mac || json_object_get(tried, mac))
				continue;
			json_object_set_new(tried, mac, json_true());
			rc = match_one_mac(mr, mac, id);
			if (rc || *id)
				break;
		}
	}
	json_decref(tried);
	return rc;
}

/* Finds the stored device for report: *id (0 when none) and *rule; the
 * refusals on the way are appended to why. */
static int intake_match(struct store *st, const struct intake_config *cfg,
			json_t *report, json_t *sys, int64_t org_id,
			int64_t *id, const char **rule, struct strbuf *why)
{
	struct match_run mr = {st, org_id, sys, why, 0};
	int64_t ids[MATCH_CANDIDATES];
	const char *values[2];
	char what[160];
	int r, n, nids, rc;

	*id = 0;
	*rule = NULL;
	for (r = 0; r < INTAKE_RULE_COUNT && !*id; r++) {
		if (!cfg->rule_enabled[r])
			continue;
		if (r == INTAKE_RULE_MAC) {
			if (match_mac(&mr, report, id))
				return -1;
		} else {
			for (n = 0; n < 2 && rule_fields[r][n]; n++) {
				values[n] = match_value(sys, rule_fields[r][n]);
				if (!values[n])
					break;
			}
			if (n < 2 && rule_fields[r][n])
				continue; /* the report lacks a field */
			if (r == INTAKE_RULE_IP)
				rc = store_match_ip(st, org_id, values[0], ids,
						    MATCH_CANDIDATES, &nids);
			else
				rc = store_match_fields(
					st, org_id, rule_fields[r], values, n,
					ids, MATCH_CANDIDATES, &nids);
			if (rc)
				return -1;
			snprintf(what, sizeof(what), "%s %.60s%s%.60s",
				 rule_names[r], values[0], n > 1 ? "+" : "",
				 n > 1 ? values[1] : "");
			*id = match_pick(&mr, r, what, ids, nids);
		}
		if (*id)
			*rule = rule_names[r];
	}
	if (mr.nrefused > MATCH_REFUSALS_SHOWN)
		strbuf_printf(why, "; %d more refusals",
			      mr.nrefused - MATCH_REFUSALS_SHOWN);
	return 0;
}

/* ---- device ---- */

static const char *row_field(json_t *row, const char *field)
{
	const char *v = json_string_value(json_object_get(row, field));

	return v ? v : "";
}

static int value_empty(json_t *v)
{
	return !v || json_is_null(v) ||
	       (json_is_string(v) && !*json_string_value(v));
}

/* Copies into dst every field of sys that says something; when from/to
 * are given, records important fields whose non-empty value changes. */
static void sys_merge(json_t *dst, json_t *sys, json_t *from, json_t *to)
{
	const char *name;
	json_t *v, *old;

	json_object_foreach(sys, name, v) {
		if (fields_has(name, FIELD_OWNED) || value_empty(v))
			continue;
		old = json_object_get(dst, name);
		if (from && !value_empty(old) && !json_equal(old, v) &&
		    in_list(sys_important, NELEM(sys_important), name)) {
			json_object_set(from, name, old);
			json_object_set(to, name, v);
		}
		json_object_set(dst, name, v);
	}
}

/* A copy of sys to store: when the report names no MAC for the device,
 * the MAC of its interface holding sys.ip (the ip section) is used. */
static json_t *sys_for_store(json_t *report, json_t *sys)
{
	const char *ip = json_string_value(json_object_get(sys, "ip"));
	json_t *out = json_copy(sys), *row;
	const char *mac;
	size_t i;

	if (!value_empty(json_object_get(sys, "mac")) || !ip || !*ip)
		return out;
	json_array_foreach(json_object_get(report, "ip"), i, row) {
		mac = json_string_value(json_object_get(row, "mac"));
		if (mac && *mac && !strcmp(row_field(row, "ip"), ip)) {
			json_object_set_new(out, "mac", json_string(mac));
			break;
		}
	}
	return out;
}

/* Updates device id with sys; a "sys" change row when important fields
 * changed and the change log is on. */
static int intake_update_device(struct store *st, int64_t id, json_t *sys,
				int log_changes, const char *now, int *changes)
{
	json_t *merged = store_device_get(st, id);
	json_t *from = json_object(), *to = json_object(), *detail = NULL;
	int rc = -1;

	if (!merged)
		goto done;
	sys_merge(merged, sys, from, to);
	if (store_device_update(st, id, merged, now))
		goto done;
	if (log_changes && json_object_size(from)) {
		detail = json_pack("{sOsO}", "from", from, "to", to);
		if (store_change_add(st, id, "sys", "change", "", detail, now))
			goto done;
		(*changes)++;
	}
	rc = 0;
done:
	json_decref(merged);
	json_decref(from);
	json_decref(to);
	json_decref(detail);
	return rc;
}

/* ---- component keys ---- */

/* The key fields (or pair fields) of row joined with INTAKE_KEY_SEP; NULL
 * when every one is empty. */
static char *join_fields(const char *const *fields, size_t max, json_t *row)
{
	struct strbuf sb;
	int any = 0;
	size_t i;

	strbuf_init(&sb, 0);
	for (i = 0; i < max && fields[i]; i++) {
		const char *v = row_field(row, fields[i]);

		if (*v)
			any = 1;
		if (i)
			strbuf_puts(&sb, INTAKE_KEY_SEP);
		strbuf_puts(&sb, v);
	}
	if (!any) {
		strbuf_free(&sb);
		return NULL;
	}
	return sb.data;
}

static char *component_key(const struct section_def *def, json_t *row)
{
	char *key = def ? join_fields(def->keys, SECTION_MAX_KEYS, row) : NULL;

	if (!key)
		key = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	if (!key)
		key = xstrdup("{}");
	return key;
}

char *intake_component_key(const char *section, json_t *row)
{
	return component_key(section_find(section), row);
}

json_t *intake_key_fields(const char *section, const char *key)
{
	const struct section_def *def = section_find(section);
	json_t *o, *whole = NULL;
	const char *p = key, *sep;
	size_t i;
	int any = 0;

	if (*key == '{')
		whole = json_loads(key, 0, NULL);
	if (json_is_object(whole)) {
		/* a canonical-JSON key: a known section's key fields are all
		 * empty in it, and an unknown section's key is the row */
		for (i = 0; def && i < SECTION_MAX_KEYS && def->keys[i]; i++)
			if (*row_field(whole, def->keys[i]))
				any = 1;
		if (!any)
			return whole;
	}
	json_decref(whole);
	o = json_object();
	if (!def) {
		if (*key)
			json_object_set_new(o, "key", json_string(key));
		return o;
	}
	for (i = 0; i < SECTION_MAX_KEYS && def->keys[i] && p; i++) {
		sep = strchr(p, INTAKE_KEY_SEP[0]);
		json_object_set_new(
			o, def->keys[i],
			json_stringn(p, sep ? (size_t)(sep - p) : strlen(p)));
		p = sep ? sep + 1 : NULL;
	}
	return o;
}

/* ---- component upsert ---- */

static int field_volatile(const struct section_def *def, const char *name)
{
	size_t i;

	for (i = 0;
	     def && i < NELEM(def->volatile_fields) && def->volatile_fields[i];
	     i++)
		if (!strcmp(def->volatile_fields[i], name))
			return 1;
	return 0;
}

static void diff_field(const struct section_def *def, const char *name,
		       json_t *a, json_t *b, json_t *from, json_t *to)
{
	if (field_volatile(def, name) || json_object_get(from, name))
		return;
	if ((value_empty(a) && value_empty(b)) || (a && b && json_equal(a, b)))
		return;
	json_object_set_new(from, name, a ? json_incref(a) : json_string(""));
	json_object_set_new(to, name, b ? json_incref(b) : json_string(""));
}

/* {"from": {...}, "to": {...}} over the non-volatile fields that differ;
 * NULL when none do. */
static json_t *row_diff(const struct section_def *def, json_t *old, json_t *new)
{
	json_t *from = json_object(), *to = json_object(), *v;
	const char *name;

	json_object_foreach(old, name, v)
		diff_field(def, name, v, json_object_get(new, name), from, to);
	json_object_foreach(new, name, v)
		diff_field(def, name, json_object_get(old, name), v, from, to);
	if (!json_object_size(from)) {
		json_decref(from);
		json_decref(to);
		return NULL;
	}
	return json_pack("{soso}", "from", from, "to", to);
}

/* A row added or removed, waiting for the pairing pass. */
struct pending {
	char *key;
	json_t *row; /* a reference of its own */
	int used;
};

/* The stored rows of one section, sorted by key (store_component_each). */
struct stored_row {
	int64_t id;
	char *key;
	char *data; /* JSON text */
	int current;
	int seen; /* in this report */
};

struct section_run {
	struct store *st;
	const struct section_def *def;
	const char *name; /* canonical */
	int64_t device_id;
	int log_changes;
	const char *now;
	int *changes;
	struct stored_row *old;
	size_t nold;
	json_t *fresh; /* keys inserted by this report */
	struct pending *adds, *removes;
	size_t nadds, nremoves;
	int unchanged; /* stored current rows the report repeats as they are */
};

/* Grows an array of n elements of size sz to hold one more: capacity 8,
 * then doubled whenever n reaches a power of two. */
static void *grow(void *arr, size_t n, size_t sz)
{
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0))
		arr = xrealloc(arr, (n ? n * 2 : 8) * sz);
	return arr;
}

static void pending_push(struct pending **list, size_t *n, const char *key,
			 json_t *row)
{
	*list = grow(*list, *n, sizeof(**list));
	(*list)[*n].key = xstrdup(key);
	(*list)[*n].row = json_incref(row);
	(*list)[*n].used = 0;
	(*n)++;
}

static int stored_collect(void *ctx, const struct store_component_row *r)
{
	struct section_run *sr = ctx;
	struct stored_row *o;

	sr->old = grow(sr->old, sr->nold, sizeof(*sr->old));
	o = &sr->old[sr->nold++];
	o->id = r->id;
	o->key = xstrdup(r->key);
	o->data = xstrdup(r->data);
	o->current = r->current;
	o->seen = 0;
	return 0;
}

static int stored_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stored_row *)elem)->key);
}

static json_t *stored_data(const struct stored_row *o)
{
	json_t *d = json_loads(o->data, 0, NULL);

	if (!json_is_object(d)) {
		json_decref(d);
		d = json_object();
	}
	return d;
}

static int log_change(struct section_run *sr, const char *action,
		      const char *key, json_t *detail)
{
	if (store_change_add(sr->st, sr->device_id, sr->name, action, key,
			     detail, sr->now))
		return -1;
	(*sr->changes)++;
	return 0;
}

/* A pending remove by its pair fields, for the pairing pass. */
struct pair_slot {
	char *pair;  /* NULL when every pair field is empty */
	size_t idx;  /* into sr->removes */
	size_t next; /* in the first slot of a run of equal pairs: the
		      * next slot of the run not yet taken */
};

static int pair_slot_cmp(const void *a, const void *b)
{
	const struct pair_slot *x = a, *y = b;
	int c = strcmp(x->pair, y->pair);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first slot of the run of slots[0..n) whose pair is pair, or NULL. */
static struct pair_slot *pair_run(struct pair_slot *slots, size_t n,
				  const char *pair)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(slots[mid].pair, pair) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(slots[lo].pair, pair) ? &slots[lo] : NULL;
}

/* Pairs each add with the first (in retire order) remove of equal pair
 * fields not yet taken, logging a "change" for each pair: the removes are
 * sorted by pair once, so n adds and m removes cost (n + m) log m. */
static int section_pair(struct section_run *sr)
{
	const struct section_def *def = sr->def;
	struct pair_slot *slots = xcalloc(sr->nremoves + 1, sizeof(*slots));
	struct pair_slot *run;
	json_t *detail;
	size_t a, r, n = 0;
	char *pa;
	int rc = 0;

	for (r = 0; r < sr->nremoves; r++) {
		slots[n].pair = join_fields(def->pair, NELEM(def->pair),
					    sr->removes[r].row);
		slots[n].idx = r;
		if (slots[n].pair)
			n++;
	}
	qsort(slots, n, sizeof(*slots), pair_slot_cmp);
	for (r = 0; r < n; r++)
		slots[r].next = r;
	for (a = 0; !rc && n && a < sr->nadds; a++) {
		pa = join_fields(def->pair, NELEM(def->pair), sr->adds[a].row);
		run = pa ? pair_run(slots, n, pa) : NULL;
		if (run && run->next < n &&
		    !strcmp(slots[run->next].pair, pa)) {
			r = slots[run->next++].idx;
			detail = row_diff(def, sr->removes[r].row,
					  sr->adds[a].row);
			rc = log_change(sr, "change", sr->adds[a].key, detail);
			json_decref(detail);
			sr->removes[r].used = sr->adds[a].used = 1;
		}
		free(pa);
	}
	for (r = 0; r < n; r++)
		free(slots[r].pair);
	free(slots);
	return rc;
}

/* Turns pending adds and removes into change rows; a remove and an add
 * with equal pair fields become one "change". */
static int section_log(struct section_run *sr)
{
	size_t a, r;

	if (sr->def && sr->def->pair[0] && sr->nadds && sr->nremoves &&
	    section_pair(sr))
		return -1;
	for (a = 0; a < sr->nadds; a++)
		if (!sr->adds[a].used &&
		    log_change(sr, "add", sr->adds[a].key, NULL))
			return -1;
	for (r = 0; r < sr->nremoves; r++)
		if (!sr->removes[r].used &&
		    log_change(sr, "remove", sr->removes[r].key, NULL))
			return -1;
	return 0;
}

/* Stores one report row against the stored row o (NULL when new).
 * Unchanged current rows are left to the section's one touch. */
static int section_row(struct section_run *sr, struct stored_row *o,
		       const char *key, json_t *row)
{
	json_t *old = NULL, *detail = NULL;
	char *text;
	int same, rc = -1;

	if (!o) {
		if (store_component_insert(sr->st, sr->device_id, sr->name, key,
					   row, sr->now))
			return -1;
		if (sr->log_changes)
			pending_push(&sr->adds, &sr->nadds, key, row);
		return 0;
	}
	o->seen = 1;
	/* the common case, an unchanged row, costs one dump and a strcmp */
	text = json_dumps(row, JSON_COMPACT);
	same = text && !strcmp(text, o->data);
	free(text);
	if (same && o->current) {
		sr->unchanged++; /* its last_seen is set by the section's touch
				  */
		return 0;
	}
	if (!same) {
		old = stored_data(o);
		same = json_equal(old, row);
	}
	if (store_component_update(sr->st, o->id, same ? NULL : row, sr->now))
		goto done;
	if (!o->current) {
		/* a retired row came back */
		if (sr->log_changes)
			pending_push(&sr->adds, &sr->nadds, key, row);
	} else if (!same && sr->log_changes) {
		detail = row_diff(sr->def, old, row);
		if (detail && log_change(sr, "change", key, detail))
			goto done;
	}
	rc = 0;
done:
	json_decref(old);
	json_decref(detail);
	return rc;
}

/* Retires the stored current rows the report no longer has. */
static int section_retire(struct section_run *sr)
{
	json_t *data;
	size_t i;

	for (i = 0; i < sr->nold; i++) {
		if (sr->old[i].seen || !sr->old[i].current)
			continue;
		if (store_component_retire(sr->st, sr->old[i].id))
			return -1;
		if (sr->log_changes) {
			data = stored_data(&sr->old[i]);
			pending_push(&sr->removes, &sr->nremoves,
				     sr->old[i].key, data);
			json_decref(data);
		}
	}
	return 0;
}

static void section_run_free(struct section_run *sr)
{
	size_t i;

	for (i = 0; i < sr->nadds; i++) {
		free(sr->adds[i].key);
		json_decref(sr->adds[i].row);
	}
	for (i = 0; i < sr->nremoves; i++) {
		free(sr->removes[i].key);
		json_decref(sr->removes[i].row);
	}
	for (i = 0; i < sr->nold; i++) {
		free(sr->old[i].key);
		free(sr->old[i].data);
	}
	free(sr->adds);
	free(sr->removes);
	free(sr->old);
	json_decref(sr->fresh);
}

/* Upserts one full section: rows of the report are added or updated,
 * stored current rows it no longer has are retired. */
static int intake_section(struct section_run *sr, json_t *rows, char *why,
			  size_t whylen)
{
	struct stored_row *o;
	json_t *row;
	char *key;
	size_t i;
	int rc = -1;

	sr->fresh = json_object();
	if (store_component_each(sr->st, sr->device_id, sr->name,
				 stored_collect, sr))
		goto dberr;
	json_array_foreach(rows, i, row) {
		if (!json_is_object(row)) {
			snprintf(why, whylen,
				 "section %s: row %zu is not an object",
				 sr->name, i + 1);
			rc = -1;
			goto done;
		}
		key = component_key(sr->def, row);
		o = sr->nold ? bsearch(key, sr->old, sr->nold, sizeof(*sr->old),
				       stored_cmp)
			     : NULL;
		if ((o && o->seen) || (!o && json_object_get(sr->fresh, key))) {
			/* the same component twice in one report: keep the
			 * first, so the result does not depend on order */
			log_debug("section %s: duplicate row %zu skipped",
				  sr->name, i + 1);
			free(key);
			continue;
		}
		if (!o)
			json_object_set_new(sr->fresh, key, json_true());
		rc = section_row(sr, o, key, row);
		free(key);
		if (rc)
			goto dberr;
	}
	/* rows inserted or updated already carry last_seen = now: the touch
	 * is for the unchanged ones (none on a new device) */
	if (section_retire(sr) ||
	    (sr->unchanged &&
	     store_component_touch(sr->st, sr->device_id, sr->name, sr->now)) ||
	    (sr->log_changes && section_log(sr)))
		goto dberr;
	rc = 0;
	goto done;
dberr:
	rc = -1;
	snprintf(why, whylen, "database error storing section %s", sr->name);
done:
	section_run_free(sr);
	return rc;
}

static int intake_sections(struct store *st, const struct intake_config *cfg,
			   json_t *report, int64_t device_id, int log_changes,
			   const char *now, int *changes, char *why,
			   size_t whylen)
{
	struct section_run sr;
	const char *name;
	json_t *rows;

	json_object_foreach(report, name, rows) {
		if (in_list(report_meta, NELEM(report_meta), name) ||
		    !json_is_array(rows) || !json_array_size(rows))
			continue; /* absent or empty says nothing */
		memset(&sr, 0, sizeof(sr));
		sr.def = section_find(name);
		if (!sr.def && !cfg->keep_unknown_sections) {
			log_debug("unknown section %s skipped", name);
			continue;
		}
		sr.st = st;
		sr.name = sr.def ? sr.def->name : name;
		sr.device_id = device_id;
		sr.log_changes = log_changes;
		sr.now = now;
		sr.changes = changes;
		if (intake_section(&sr, rows, why, whylen))
			return -1;
	}
	return 0;
}

/* ---- locking ---- */

static void key_add(json_t *keys, const char *field, const char *value)
{
	char *k;

	if (!value || !*value)
		return;
	k = xasprintf("%s" INTAKE_KEY_SEP "%s", field, value);
	json_array_append_new(keys, json_string(k));
	free(k);
}

/* A MAC the MAC rule may match by (match_one_mac()), or NULL. */
static const char *mac_usable(const char *mac)
{
	if (!mac || strlen(mac) != 17 || util_hexval(mac[0]) < 0 ||
	    util_hexval(mac[1]) < 0 || mac_weakness(mac))
		return NULL;
	return mac;
}

/* The store_begin_keyed() keys of a report, in keys[0] (exclusive) and
 * keys[1] (shared): exclusive, every value intake_match() may look up -
 * the sys fields of every rule but "type" (serial+type compares the
 * serial, a key already, and one type would make every computer wait
 * for every other), and every MAC it may match by (sys.mac and those of
 * the network and ip rows; a weak MAC never matches, so is no key).
 * Shared, the addresses of the ip rows: the IP rule looks up sys.ip
 * alone, but among the stored ip rows too, so a report writing an
 * address waits for one looking it up, while the many reports that
 * carry one address in their rows (127.0.0.1, a NAT range, docker's
 * bridge) do not wait for each other. A report that could find or create
 * the device another one finds or creates shares a key with it. */
static void intake_keys(json_t *report, json_t *sys, json_t *keys[2])
{
	static const char *const sections[] = {"network", "ip"};
	const char *f;
	json_t *row;
	size_t i, j;
	int r, n;

	keys[0] = json_array();
	keys[1] = json_array();
	for (r = 0; r < INTAKE_RULE_COUNT; r++)
		for (n = 0; n < 2 && (f = rule_fields[r][n]); n++)
			if (strcmp(f, "type") && strcmp(f, "mac"))
				key_add(keys[0], f, match_value(sys, f));
	key_add(keys[0], "mac",
		mac_usable(json_string_value(json_object_get(sys, "mac"))));
	for (i = 0; i < NELEM(sections); i++)
		json_array_foreach(json_object_get(report, sections[i]), j,
				   row) {
			key_add(keys[0], "mac",
				mac_usable(json_string_value(
					json_object_get(row, "mac"))));
			if (i == 1)
				key_add(keys[1], "ip",
					json_string_value(
						json_object_get(row, "ip")));
		}
}

/* The texts of a JSON array of strings (the array keeps them). */
static const char **key_texts(json_t *arr)
{
	const char **k = xcalloc(json_array_size(arr) + 1, sizeof(*k));
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		k[i] = json_string_value(v);
	return k;
}

/* Begins the report's transaction with its keys locked. */
static int intake_begin(struct store *st, json_t *keys[2])
{
	const char **x = key_texts(keys[0]), **sh = key_texts(keys[1]);
	int rc;

	rc = store_begin_keyed(st, x, json_array_size(keys[0]), sh,
			       json_array_size(keys[1]));
	free(x);
	free(sh);
	return rc;
}

/* Locks device id, found by the match, and matches again: another
 * intake of the same device that shares no identity value with this
 * report may have changed it in the meantime (not when the back end
 * needed no lock: then no other writer ran). 0 when the match holds,
 * 1 when it changed (run the report again), -1 on a database error. */
static int intake_hold(struct store *st, const struct intake_config *cfg,
		       json_t *report, json_t *sys, int64_t org_id, int64_t id)
{
	struct strbuf why;
	const char *rule;
	char key[48];
	int64_t again;
	int rc;

	snprintf(key, sizeof(key), "device" INTAKE_KEY_SEP "%" PRId64, id);
	rc = store_lock_key(st, key);
	if (rc <= 0)
		return rc;
	strbuf_init(&why, 0);
	rc = intake_match(st, cfg, report, sys, org_id, &again, &rule, &why);
	strbuf_free(&why);
	if (rc)
		return -1;
	return again != id;
}

/* ---- the one door ---- */

static void intake_summary(json_t *report, struct strbuf *sb, int changes)
{
	const char *name;
	json_t *rows;
	size_t nrows = 0, nsections = 0;

	json_object_foreach(report, name, rows) {
		if (in_list(report_meta, NELEM(report_meta), name) ||
		    !json_is_array(rows) || !json_array_size(rows))
			continue;
		nsections++;
		nrows += json_array_size(rows);
	}
	strbuf_printf(sb, "%zu rows in %zu sections, %d changes", nrows,
		      nsections, changes);
}

/* One run of the report's transaction: 0 committed; -1 rolled back
 * with res->message set, *again when it is worth running once more. */
static int intake_tx(struct store *st, const struct intake_config *cfg,
		     json_t *report, json_t *sys, json_t *keys[2],
		     int64_t org_id, const char *now, struct store_audit *audit,
		     struct intake_result *res, int *again)
{
	json_t *clean = NULL, *in = NULL;
	struct strbuf why, summary;
	int64_t id = 0;
	int held;

	*again = 0;
	strbuf_init(&why, 4096);
	strbuf_init(&summary, 0);
	if (intake_begin(st, keys)) {
		snprintf(res->message, sizeof(res->message),
			 "the database could not start a transaction");
		*again = store_retryable(st);
		goto done;
	}
	in = sys_for_store(report, sys);
	if (intake_match(st, cfg, report, sys, org_id, &id, &res->rule, &why)) {
		snprintf(res->message, sizeof(res->message),
			 "database error while matching");
		goto rollback;
	}
	if (id) {
		held = intake_hold(st, cfg, report, sys, org_id, id);
		if (held) {
			snprintf(res->message, sizeof(res->message), "%s",
				 held > 0 ? "the matched device changed "
					    "under the report"
					  : "database error while matching");
			*again = held > 0;
			goto rollback;
		}
		res->device_id = id;
		if (intake_update_device(st, id, in, 1, now, &res->changes)) {
			snprintf(res->message, sizeof(res->message),
				 "database error updating device %" PRId64, id);
			goto rollback;
		}
	} else {
		clean = json_object();
		sys_merge(clean, in, NULL, NULL);
		if (store_device_insert(st, org_id, clean, now, &id)) {
			snprintf(res->message, sizeof(res->message),
				 "database error creating the device");
			goto rollback;
		}
		res->created = 1;
		res->device_id = id;
	}
	if (intake_sections(st, cfg, report, id, !res->created, now,
			    &res->changes, res->message, sizeof(res->message)))
		goto rollback;
	intake_summary(report, &summary, res->changes);
	if (why.data) {
		strbuf_printf(&summary, "; %s", why.data);
		snprintf(res->message, sizeof(res->message), "%s", why.data);
	}
	if (cfg->in_tx && cfg->in_tx(st, id, cfg->in_tx_ud)) {
		snprintf(res->message, sizeof(res->message),
			 "database error recording the report");
		goto rollback;
	}
	audit->result = res->created ? "created" : "updated";
	audit->rule = res->rule;
	audit->message = summary.data;
	audit->device_id = id;
	if (store_audit_add(st, audit, now) || store_commit(st)) {
		snprintf(res->message, sizeof(res->message),
			 "database error committing the report");
		goto rollback;
	}
	audit->message = NULL;
	json_decref(clean);
	json_decref(in);
	strbuf_free(&why);
	strbuf_free(&summary);
	return 0;
rollback:
	*again = *again || store_retryable(st);
	store_rollback(st);
	if (res->created)
		res->device_id = 0; /* rolled back: it does not exist */
done:
	audit->message = NULL;
	json_decref(clean);
	json_decref(in);
	strbuf_free(&why);
	strbuf_free(&summary);
	return -1;
}

int intake_report(struct store *st, const struct intake_config *cfg,
		  json_t *report, int64_t org_id, const char *source,
		  const char *format, struct intake_result *res)
{
	struct intake_config defcfg;
	struct store_audit audit = {.source = source, .format = format};
	json_t *sys = json_object_get(report, "sys"), *keys[2] = {NULL, NULL};
	char now[20];
	int again = 0, tries = 0;

	memset(res, 0, sizeof(*res));
	if (!cfg) {
		intake_config_default(&defcfg);
		cfg = &defcfg;
	}
	util_now(now);
	if (!json_is_object(report) || !json_is_object(sys)) {
		snprintf(res->message, sizeof(res->message),
			 "the report has no \"sys\" object");
		goto reject;
	}
	intake_keys(report, sys, keys);
	do {
		if (tries)
			log_info("intake: the database rolled a report back "
				 "(%s): running it again (%d of %d)",
				 res->message, tries + 1, INTAKE_TRIES);
		memset(res, 0, sizeof(*res));
		if (intake_tx(st, cfg, report, sys, keys, org_id, now, &audit,
			      res, &again) == 0) {
			json_decref(keys[0]);
			json_decref(keys[1]);
			return 0;
		}
	} while (again && ++tries < INTAKE_TRIES);
	if (again) {
		res->busy = 1;
		snprintf(res->message, sizeof(res->message),
			 "the database rolled the report back %d times to let "
			 "concurrent ones finish (deadlocks): nothing stored, "
			 "send it again",
			 INTAKE_TRIES);
	}
reject:
	json_decref(keys[0]);
	json_decref(keys[1]);
	res->created = 0;
	res->changes = 0;
	audit.result = "rejected";
	audit.rule = res->rule;
	audit.message = res->message;
	audit.device_id = res->device_id;
	/* outside the rolled-back transaction, so the rejection stays */
	store_audit_add(st, &audit, now);
	return -1;
}
