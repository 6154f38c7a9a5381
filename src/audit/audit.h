/*
 * audit: the Unix collection script (data/audit-unix.sh, embedded at build)
 * and the parser that turns its output into a device report.
 *
 * The script runs on the audited host — locally for `netcensus audit`, or
 * over one SSH exec channel (probe/ssh.c) — and prints the netcensus audit
 * line format, version 1 (docs/audit.md):
 *
 *   @audit<TAB>version=1<TAB>os=Linux<TAB>root=1<TAB>sudo=0
 *   sys<TAB>hostname=web1                 sys rows merge into one object
 *   software<TAB>name=bash<TAB>version=5.2 one row of a component section
 *   @needs_root<TAB>fact=sys.uuid          a fact root would have given
 *   @end<TAB>status=0                      absent: the output was cut short
 *
 * Values escape backslash, tab, newline and CR as \\ \t \n \r. The output
 * comes from a remote host and is untrusted: every line, row, field and the
 * whole text have ceilings, anything outside the format is refused with the
 * line number, and invalid UTF-8 is replaced, never passed on.
 *
 * Network devices that cannot run the script (Cisco IOS, IOS-XE, NX-OS,
 * Juniper Junos) are recognised from their SSH banner or `show version`
 * text by audit_parse_netdev().
 *
 * Every report returned is new and owned by the caller (json_decref).
 */
#ifndef NC_AUDIT_H
#define NC_AUDIT_H

#include <stddef.h>
#include <jansson.h>

#include "report/report.h"

#define AUDIT_FORMAT_VERSION 1
#define AUDIT_MAX_OUTPUT (32u * 1024 * 1024) /* whole script output */
#define AUDIT_MAX_LINE (1024u * 1024)	     /* one record */
#define AUDIT_MAX_TOTAL_ROWS 500000	     /* rows over all sections */
#define AUDIT_SOURCE_NAME "netcensus_audit"
#define AUDIT_SOURCE_FORMAT "netcensus-audit"

/* The embedded collection script (NUL-terminated); *len gets its length. */
const char *audit_script(size_t *len);

/* Parses script output into a validated device report, or NULL with
 * err->msg naming the line and what is wrong. */
json_t *audit_parse(const char *buf, size_t len, struct report_error *err);

/* Where the script's output starts in buf: its "@audit" line, at the
 * start or after up to 64 KiB of other text (a login shell's greeting);
 * NULL when it is not there. */
const char *audit_find_start(const char *buf, size_t len);

/* Runs the script on this host: execve("/bin/sh", "sh -s") with the script
 * on stdin and a minimal environment, killed (its process group) after
 * timeout_ms. Returns its stdout (NUL-terminated, free()), at most
 * AUDIT_MAX_OUTPUT bytes, or NULL with the reason logged. */
char *audit_run_local(int timeout_ms, size_t *len);

/* Cisco IOS / IOS-XE / NX-OS or Juniper Junos from the SSH banner and the
 * text of `show version` (and, for Junos, `show chassis hardware` appended):
 * a report with sys os_group, os_family, os_name, os_version, model,
 * serial, hostname, manufacturer. NULL with err->msg when the text is none
 * of these. */
json_t *audit_parse_netdev(const char *banner, const char *text, size_t len,
			   struct report_error *err);

/* The netdev family the text looks like ("Cisco IOS", "Cisco IOS-XE",
 * "Cisco NX-OS", "Juniper Junos") or NULL; banner and text may be NULL. */
const char *audit_netdev_family(const char *banner, const char *text);

#endif
