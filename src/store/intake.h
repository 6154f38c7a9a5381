/*
 * intake: the one door into the store for device reports.
 *
 * intake_report() takes a validated device report and, inside one
 * transaction, finds the stored device by the match rules (in the order of
 * enum intake_rule, each switchable; only among the devices of the target
 * org and the orgs below it; a stronger identity that differs vetoes a
 * weaker rule), creates or updates it (a later source
 * never wipes a field it does not know), upserts every component section by
 * its key fields, retires rows missing from a full section, writes the
 * change log (not for a first sighting) and an audit-log row. On any failure
 * the transaction is rolled back: nothing of that report is stored, and a
 * "rejected" audit-log row records why.
 *
 * Several intakes may run at once (threads, processes, servers on one
 * PostgreSQL): the transaction locks the report's identity values
 * (store_begin_keyed()) and the device it found, so that reports of one
 * machine take turns and reports of different machines do not wait for
 * each other. A transaction the database rolled back to break a deadlock
 * is run again, a few times at most.
 */
#ifndef NC_INTAKE_H
#define NC_INTAKE_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

enum intake_rule {
	INTAKE_RULE_HOSTNAME_UUID = 0,
	INTAKE_RULE_HOSTNAME_DBUS,
	INTAKE_RULE_HOSTNAME_SERIAL,
	INTAKE_RULE_FQDN,
	INTAKE_RULE_SERIAL_TYPE,
	INTAKE_RULE_SERIAL,
	INTAKE_RULE_SYSNAME_SERIAL,
	INTAKE_RULE_SYSNAME,
	INTAKE_RULE_MAC,
	INTAKE_RULE_HOSTNAME,
	INTAKE_RULE_IP,
	INTAKE_RULE_COUNT
};

struct intake_config {
	int rule_enabled[INTAKE_RULE_COUNT]; /* all 1 by default */
	int keep_unknown_sections;	     /* 1 by default */
	/* Called inside the report's transaction, once the device is
	 * written and before the commit, with its id: 0, or -1 to roll
	 * the report back (a collector's upload records its item id here,
	 * so a re-sent report is stored once). NULL by default. */
	int (*in_tx)(struct store *st, int64_t device_id, void *ud);
	void *in_tx_ud;
};

struct intake_result {
	int64_t device_id;
	int created;	  /* 1 when a new device was made */
	const char *rule; /* static name of the rule that matched, or NULL */
	int changes;	  /* change-log rows written */
	/* the reason, when rejected; else the matches refused on the way
	 * ("mac 02:fc:00:00:00:01 matched device 17, refused: ..."), or "" */
	char message[512];
	/* 1 when the database kept refusing to order the report against
	 * concurrent ones (deadlocks): nothing stored, worth sending again
	 * (the API answers 503) */
	int busy;
};

void intake_config_default(struct intake_config *cfg);

/* "hostname+uuid", "mac", ... ; NULL for an out-of-range rule. */
const char *intake_rule_name(enum intake_rule rule);
/* The rule called name, or -1. */
int intake_rule_from_name(const char *name);

/* The key of a component row in section: its key fields joined with
 * "\x1f", or its canonical JSON (sorted keys) when they are all empty or
 * the section is unknown. A new string (free()). */
char *intake_component_key(const char *section, json_t *row);
/* The key fields of a stored key as an object ({"name": .., "version": ..};
 * the whole row for a canonical-JSON key). A new reference. */
json_t *intake_key_fields(const char *section, const char *key);

/* Stores report (not consumed) for org_id (a new device goes there; a
 * match is looked for in org_id and below), recording source and format in
 * the audit log. 0, or -1 with res->message set and nothing stored. */
int intake_report(struct store *st, const struct intake_config *cfg,
		  json_t *report, int64_t org_id, const char *source,
		  const char *format, struct intake_result *res);

#endif
