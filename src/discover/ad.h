/*
 * ad: an Active Directory discovery - what the domain controller says
 * should exist, read over LDAP (libldap), instead of what answers on the
 * wire.
 *
 * ad_discover() binds to the DC over LDAPS, or LDAP with StartTLS, always
 * verifying its certificate (dirauth_connect()); plain LDAP only when the
 * options allow it. It reads, with the paged-results control, under one
 * deadline for the whole read and a cap on the number of objects:
 *   - the sites' subnets (CN=Subnets,CN=Sites,<configuration NC>): a list
 *     of {"subnet", "site"} the caller turns into proposed discoveries
 *     (ad_propose_subnets());
 *   - the computer objects under the base: one device report each
 *     (hostname, fqdn, os_*, description, the OU path and flags as tags,
 *     the AD facts as ad_* fields; docs/active-directory.md).
 * Everything is read first; only a complete read gives reports to the
 * sinks, so a DC that stops answering, a refused bind or a cap exceeded
 * stores nothing. A value that cannot be stored as it is (longer than its
 * ceiling, not UTF-8) is dropped, control characters become spaces, and an
 * object without a usable host name is skipped - each with a log row to
 * the sinks naming the object.
 *
 * Blocking, on the caller's thread. Messages name the server and the
 * bind name, never the password.
 */
#ifndef NC_AD_H
#define NC_AD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "discover/discover.h"

#define AD_DEADLINE_MS_DEFAULT 300000
#define AD_MAX_OBJECTS_DEFAULT 100000
#define AD_STALE_DAYS_DEFAULT 90
#define AD_PAGE_SIZE_DEFAULT 500
#define AD_TEXT_MAX 1024 /* longest value kept of any attribute */

struct ad_result;

struct ad_opts {
	const char *server;  /* "host[:port]" (LDAPS), "ldaps://..", or
			      * "ldap://.." (StartTLS) */
	const char *ca_file; /* or NULL: the system's CAs */
	const char *base;    /* computers under it; NULL: the domain */
	int allow_plain;     /* ldap:// without StartTLS */
	int deadline_ms;     /* every page together, counted from the
			      * start (connect and bind: 10 s each);
			      * 0: the default */
	long max_objects;    /* computers + subnets; 0: the default */
	int stale_days;	     /* no logon for longer: stale; 0: default */
	int page_size;	     /* 0: the default */
	json_t *credential;  /* a "windows" or "ldap" credential with its
			      * password (borrowed) */
	/* Asked between pages, every AD_STOP_POLL_MS while waiting for the
	 * DC, after the bind and between stored reports: non-zero stops the
	 * run (res->stopped). NULL: never. */
	int (*stop)(void *ud);
	void *stop_ud;
	/* Told after every page read and every report given to the sinks
	 * (for a live view). NULL: nobody. */
	void (*progress)(void *ud, const struct ad_result *res);
	void *progress_ud;
};

struct ad_result {
	long computers;	 /* reports given to the sinks */
	long skipped;	 /* objects without a usable host name */
	long dropped;	 /* values dropped (too long, not UTF-8) */
	long pages;	 /* pages read, both searches */
	double read_s;	 /* the LDAP read, bind included */
	json_t *subnets; /* [{"subnet", "site"}] (owned) */
	long objects;	 /* entries read so far, both searches */
	long found;	 /* computers kept by a complete read */
	int storing;	 /* the read ended well; reports are being given */
	int stopped;	 /* o->stop said stop: a stop before the read ended
			  * gave no report to any sink; one while storing
			  * gave computers of found */
};

#define AD_STOP_POLL_MS 200

/* The first "ldap" or "windows" credential of creds (borrowed), or
 * NULL. */
json_t *ad_credential_pick(json_t *creds);

/* Reads the directory and gives each computer's report to every sink, in
 * order. 0 with res filled (ad_result_free() it), or -1 with why (and no
 * report given to any sink, unless res->stopped while storing). */
int ad_discover(const struct ad_opts *o, const struct discover_sink *sinks,
		size_t n_sinks, struct ad_result *res, char *why,
		size_t whylen);
void ad_result_free(struct ad_result *res);

struct store;
/* One discovery per subnet of res, named "AD site SITE: SUBNET", in
 * org_id, with options {"disabled": !enabled}; a name that exists in the
 * org is left alone (re-reading adds nothing twice). 0 with *created, or
 * -1 (logged). */
int ad_propose_subnets(struct store *st, int64_t org_id,
		       const struct ad_result *res, int enabled, long *created);

struct discover_setup;
/* A whole run of an Active Directory setup (discover_def.h, is_ad): with
 * st, the store sink first (intake into s->org_id, log rows to
 * run_id), then the extra sinks; after a
 * complete read the subnets proposed and the run row finished "done"
 * (with st), "cancelled" when s->ad.stop stopped it, else "failed" with
 * why. 0 or -1 with why; res filled either
 * way (ad_result_free()). */
int ad_run(const struct discover_setup *s, struct store *st, int64_t run_id,
	   const struct discover_sink *extra, size_t n_extra,
	   struct ad_result *res, char *why, size_t whylen);

#endif
