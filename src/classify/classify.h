/*
 * classify: what a device is, from the facts discovery learned about it.
 *
 * Three tables of data, none of them compiled-in code:
 *   - the IEEE MAC registries (Debian's ieee-data: oui.csv for 24-bit MA-L,
 *     mam.csv for 28-bit MA-M, oui36.csv and iab.csv for 36-bit MA-S/IAB),
 *     looked up longest prefix first in sorted arrays by binary search;
 *   - the IANA private enterprise numbers (Debian's libwireshark-data:
 *     enterprises.tsv), so 1.3.6.1.4.1.N... names its organisation;
 *   - the classification rules, data/classify-rules.txt, embedded in the
 *     binary at build: ordered lines "conditions -> assignments" over
 *     sysObjectID, sysDescr, sysName, the OUI and enterprise organisations,
 *     the MAC and the open ports, which set type, manufacturer, model and
 *     the os_* fields. A field takes its value from the first matching rule
 *     that gives it one. The same file holds vendor-name normalisation
 *     ("ciscoSystems" -> "Cisco Systems") and the well-known virtual MAC
 *     prefixes. docs/classification.md describes the format. Beside it,
 *     in the same syntax: data/vendors.txt (the vendor alias table),
 *     data/snmp-agents.txt (the SNMP agent authors' enterprises, whose
 *     sysObjectIDs name no maker) and data/product-lines.txt (product
 *     lines' names, with maker and kind).
 *
 * Everything loads once, lazily, on the first call that needs it
 * (pthread_once), or up front with classify_init(); after that every
 * function here is safe to call from any thread. Missing ieee-data or
 * wireshark files cost a warning and unknown manufacturers, never a
 * failure. NETCENSUS_IEEE_DIR, NETCENSUS_ENTERPRISES and
 * NETCENSUS_CLASSIFY_RULES (a local rules file tried before the built-in
 * rules) override the default paths. Returned strings belong to the module
 * and live until exit.
 *
 * The lower half of this header (tables and rule sets as values) exists so
 * that tests and tools can load their own data; normal callers need only
 * the upper half.
 */
#ifndef NC_CLASSIFY_H
#define NC_CLASSIFY_H

#include <stddef.h>
#include <jansson.h>

#define CLASSIFY_IEEE_DIR "/usr/share/ieee-data"
#define CLASSIFY_ENTERPRISES "/usr/share/wireshark/enterprises.tsv"

/* Loads the tables and rules (once; later calls return the first result).
 * -1 only when the rules do not parse; missing tables are warnings. */
int classify_init(void);

/* The IEEE organisation name for a MAC in any common spelling
 * (aa:bb:cc:dd:ee:ff, AA-BB-..., aabb.ccdd.eeff, aabbccddeeff), longest
 * registered prefix first; NULL when unknown or not a MAC. */
const char *classify_mac_vendor(const char *mac);

/* 1 when the MAC is locally administered (second-lowest bit of the first
 * octet), 0 when globally unique or not a MAC. */
int classify_mac_is_local(const char *mac);

/* 1 when the MAC belongs to a well-known virtual NIC range (VMware,
 * VirtualBox, QEMU/KVM, Hyper-V, Xen, Parallels); 0 otherwise. */
int classify_mac_is_virtual(const char *mac);

/* The virtual platform's name for such a MAC ("VMware"), else NULL. */
const char *classify_mac_virtual_platform(const char *mac);

/* The organisation registered for the enterprise number in a sysObjectID
 * (1.3.6.1.4.1.N..., leading dot allowed), as IANA spells it; NULL when the
 * OID is not under enterprises or the number is unknown. */
const char *classify_enterprise(const char *sys_object_id);

/* The author of the SNMP agent a sysObjectID names, when its enterprise
 * is an agent author's rather than the device maker's (net-snmp 8072,
 * UCD 2021, bsnmpd 12325, Broadcom FASTPATH 4413, VMware 6876, Frogfoot
 * 10002: data/snmp-agents.txt); NULL otherwise. */
const char *classify_agent(const char *sys_object_id);

/* The organisation for an enterprise number; NULL when unknown. */
const char *classify_enterprise_number(unsigned long number);

/* A vendor name as people write it ("ciscoSystems" -> "Cisco Systems"),
 * by the vendor alias table (data/vendors.txt; a NETCENSUS_CLASSIFY_RULES
 * file's vendor lines apply to $oui / $enterprise in its rules only); raw
 * itself when no line matches. */
const char *classify_vendor_normalise(const char *raw);

/* A maker's name without the legal forms that follow it ("Sonus
 * Networks, Inc." -> "Sonus Networks", "GIGA-BYTE TECHNOLOGY CO.,LTD." ->
 * "GIGA-BYTE TECHNOLOGY", "Richard Hirschmann GmbH & Co." -> "Richard
 * Hirschmann"), written into buf; raw itself when nothing follows it (or
 * it does not fit). The first word always stays. The IANA and IEEE
 * registries' names are read this way, and every report's manufacturer
 * that no alias line names. */
const char *classify_vendor_trim(const char *raw, char *buf, size_t size);

/* The product the sysObjectID names in the vendor product MIBs
 * (data/sysobjectid-products.txt), e.g. "catalyst3560G48TS"; NULL when
 * the table has no such OID. */
const char *classify_product(const char *sys_object_id);

/* Rewrites sys.manufacturer of a report's sys through the vendor alias
 * table (data/vendors.txt): "Hewlett-Packard", "HP" -> "Hewlett Packard".
 * Report normalisation calls it for every source (SNMP, audits, imports,
 * intake); it reads only the alias table. Nothing to do without a
 * manufacturer. */
void classify_sys_vendor(json_t *sys);

/* Fills sys.type, sys.manufacturer, sys.model, sys.os_group,
 * sys.os_family, sys.os_name, ... from sys.sysObjectID, sys.sysDescr,
 * sys.sysName, sys.mac (else the first MAC in "network") and the open
 * ports in "ports", writing only fields that are absent or empty. Returns
 * the number of fields written, or -1 when report has no usable sys. */
int classify_report(json_t *report);

/* A model as one spelling: whitespace runs collapsed, the maker's own
 * name in front dropped ("Ricoh MP 3053" of Ricoh -> "MP 3053"; the
 * maker's name or its first word, any case, or a short alias such as
 * "HP"), version numbers appended at the end dropped ("MP 3053 1.09").
 * Written into out (size bytes); returns a pointer into out. Applied by
 * classify_report() to every model classification sets. */
const char *classify_model_normalise(const char *model, const char *maker,
				     char *out, size_t size);

/* ---- tables and rule sets as values (tests, tools) ---- */

struct classify_oui;
struct classify_ent;
struct classify_rules;
struct classify_products;

/* A rejection with its place: "FILE:LINE: message". */
struct classify_error {
	char msg[512];
};

/* Loads oui.csv, mam.csv, oui36.csv and iab.csv from dir; a missing file
 * is a warning. NULL (with the reason logged) when none could be read. */
struct classify_oui *classify_oui_load(const char *dir);
/* Organisation for a MAC by longest prefix; NULL when unknown. */
const char *classify_oui_lookup(const struct classify_oui *t, const char *mac);
/* Number of prefixes loaded (all registries). */
size_t classify_oui_count(const struct classify_oui *t);
void classify_oui_free(struct classify_oui *t);

/* Parses one enterprises.tsv ("N<whitespace>Name[<TAB># comment]").
 * NULL with the reason logged when it cannot be read. */
struct classify_ent *classify_ent_load(const char *path);
const char *classify_ent_lookup(const struct classify_ent *t,
				unsigned long number);
/* The organisation whose registered name is exactly name (any case), as
 * IANA spells it; NULL if none. A linear search: for the rare device
 * without a sysObjectID. */
const char *classify_ent_find(const struct classify_ent *t, const char *name);
/* The enterprise number N of a sysObjectID 1.3.6.1.4.1.N... (a leading
 * dot allowed): 0 with *number set, -1 when the OID is not under
 * enterprises or N is not a number of at most 10 digits. */
int classify_enterprise_of(const char *oid, unsigned long *number);
size_t classify_ent_count(const struct classify_ent *t);
void classify_ent_free(struct classify_ent *t);

/* Parses rules text (name is used in messages). NULL with err->msg set to
 * "name:line: message" on the first bad line. */
struct classify_rules *classify_rules_parse(const char *text, size_t len,
					    const char *name,
					    struct classify_error *err);
/* Number of classification rules (not counting vendor/virtual lines). */
size_t classify_rules_count(const struct classify_rules *r);
void classify_rules_free(struct classify_rules *r);

/* What the rules look at; NULL members are empty. */
struct classify_facts {
	const char *oid;	/* sysObjectID */
	const char *descr;	/* sysDescr */
	const char *name;	/* sysName */
	const char *mac;	/* normalised aa:bb:cc:dd:ee:ff */
	const char *oui;	/* IEEE organisation of the MAC */
	const char *enterprise; /* IANA organisation of the sysObjectID */
	const json_t *ports;	/* the "ports" section (array of rows) */
	const json_t *sys;	/* the report's sys, for sys.FIELD */
	const char *product;	/* the sysObjectID's product ($product) */
	const char *maker;	/* the maker sysDescr starts with ($maker) */
	const char *vendor;	/* the maker (condition "maker"): the
				 * enterprise's organisation, else $maker;
				 * after the vendor alias table */
	const char *mib_model;	/* $mibmodel: the first answered model
				 * object of data/snmp-identity.txt */
	const char *mib_model_from; /* $mibmodelfrom: "MIB field" */
	const char *mib_maker;	    /* $mibmaker: the same for makers */
	const char *mib_maker_from; /* $mibmakerfrom */
	const char *descr_model;    /* $descrmodel: the word after the
				     * maker's name at the sysDescr's start,
				     * when it looks like a model */
	const char *agent;	    /* the SNMP agent author the sysObjectID
				     * names (data/snmp-agents.txt) */
	const char *line;	    /* $line: the product line the sysDescr
				     * is the name of (data/product-lines.txt),
				     * with its maker and kind: */
	const char *line_maker;	    /* $linemaker */
	const char *line_type;	    /* $linetype */
};

/* Runs the rule sets in order (the first that gives a field a value
 * wins) and writes into sys the fields that sys has absent or empty.
 * sets is NULL-terminated. Returns the number of fields written. */
int classify_rules_apply(const struct classify_rules *const *sets,
			 const struct classify_facts *f, json_t *sys);

/* As classify_vendor_normalise, with one rule set's vendor lines. */
const char *classify_rules_vendor(const struct classify_rules *r,
				  const char *raw);
/* As classify_mac_virtual_platform, with one rule set's virtual-mac lines. */
const char *classify_rules_virtual(const struct classify_rules *r,
				   const char *mac);
/* The SNMP agent author whose enterprise (an agent-oid line of r) the
 * sysObjectID is under; NULL when none. */
const char *classify_rules_agent(const struct classify_rules *r,
				 const char *oid);
/* The product line (a product-line line of r) a sysDescr is the name of,
 * alone or followed by one version word ("ProSafe", "XOS 21.1"), with
 * *maker and *type set; NULL when none. */
const char *classify_rules_line(const struct classify_rules *r,
				const char *descr, const char **maker,
				const char **type);

/* Parses a product table ("OID<TAB>NAME" lines, '#' comments); lines
 * that are neither are logged as "name:line" and skipped. Never NULL. */
struct classify_products *classify_products_parse(const char *text, size_t len,
						  const char *name);
/* The name for exactly this OID (leading dot allowed); NULL if none. */
const char *classify_products_lookup(const struct classify_products *t,
				     const char *oid);
size_t classify_products_count(const struct classify_products *t);
void classify_products_free(struct classify_products *t);

/* ---- SNMP identity objects (data/snmp-identity.txt) ---- */

#define CLASSIFY_IDENT_OID_MAX 16
#define CLASSIFY_IDENT_GATES_MAX 8

/* What an identity object's answer gives. */
enum classify_ident_gives {
	IDENT_FACT, /* "-": a fact for the rules only */
	IDENT_MODEL,
	IDENT_MANUFACTURER,
	IDENT_SERIAL,
	IDENT_FIRMWARE,
};

/* One line of the table: the object, the sys field its answer goes to,
 * the MIB it proves ("@" fields only prove it), which agents are asked. */
struct classify_ident {
	char *field; /* sys field; "@NAME" for a MIB root */
	char *mib;   /* listed in sys.snmp_mibs; NULL for none */
	unsigned long oid[CLASSIFY_IDENT_OID_MAX];
	size_t oidlen;
	enum classify_ident_gives gives;
	int any;    /* "*": every agent */
	int no_oid; /* "-": agents without a sysObjectID */
	unsigned long gates[CLASSIFY_IDENT_GATES_MAX]; /* enterprises asked */
	size_t ngates;
};

struct classify_idents;

/* The built-in table, parsed once; NULL (logged) only if it does not
 * parse, which the unit tests rule out. */
const struct classify_idents *classify_idents(void);
/* Parses a table; NULL with err->msg "name:line: message". */
struct classify_idents *classify_idents_parse(const char *text, size_t len,
					      const char *name,
					      struct classify_error *err);
void classify_idents_free(struct classify_idents *t);
/* The lines in file order, *n of them (NULL and 0 for a NULL table). */
const struct classify_ident *
classify_idents_list(const struct classify_idents *t, size_t *n);
/* 1 when an agent whose sysObjectID is oid (NULL or "" for none) is to
 * be asked for d. */
int classify_ident_asked(const struct classify_ident *d, const char *oid);
/* The first non-empty answer in sys (leading blanks skipped) of a line
 * that gives this, in file order, and that line in *from; NULL if none. */
const char *classify_ident_first(const json_t *sys,
				 enum classify_ident_gives gives,
				 const struct classify_ident **from);

/* Parses a MAC in any common spelling into 6 bytes; 0 or -1. */
int classify_mac_parse(const char *mac, unsigned char out[6]);

#endif
