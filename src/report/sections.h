/*
 * sections: what netcensus knows about each component section — its
 * canonical name, the Open-AudIT aliases it arrives under, the key fields
 * that identify a row within one device, the "pair" fields that turn a
 * removed row plus an added row into one "change" (a software upgrade), and
 * volatile fields whose changes are stored but not written to the change
 * log (free disk space, DHCP lease times).
 *
 * This is a table of data (sections.c), not code: a new section is a row.
 * Sections not in the table are "unknown": kept or skipped by the rule the
 * caller chooses; a kept unknown section is keyed by its whole row.
 */
#ifndef NC_SECTIONS_H
#define NC_SECTIONS_H

#define SECTION_MAX_KEYS 6

struct section_def {
	const char *name;		    /* canonical, e.g. "software" */
	const char *aliases[4];		    /* e.g. "shares", "nmap" */
	const char *keys[SECTION_MAX_KEYS]; /* row identity within a device */
	const char *pair[3];		 /* remove+add of equal pair = change */
	const char *volatile_fields[12]; /* not logged as changes */
};

/* The definition for a canonical name or an alias; NULL when unknown. */
const struct section_def *section_find(const char *name);

/* All known sections, terminated by an entry whose name is NULL. */
const struct section_def *section_all(void);

/* A definition for the sys object (not a section, not in section_all()):
 * only its volatile_fields are set (uptime, sysUpTime, ...). */
const struct section_def *section_sys(void);

/* True when name may be used as a section or field name:
 * [A-Za-z][A-Za-z0-9_]{0,63}. */
int section_name_valid(const char *name);

#endif
