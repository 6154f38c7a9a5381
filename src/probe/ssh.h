/*
 * ssh: log in to one host with libssh and audit it — the blocking job an
 * engine worker thread (pool kind POOL_SSH) runs for a host with 22/tcp
 * open.
 *
 * Every step has a deadline and the whole job has one too: the TCP
 * connect and the wait for the server's banner are ours (non-blocking
 * socket and poll, so a server that accepts and never speaks costs at most
 * the banner timeout), key exchange, each authentication and each command
 * run under libssh's own timeout set to what is left. The host key's
 * SHA-256 fingerprint is returned, and compared with the one the caller
 * knew: a changed key stops the job before any credential is sent, unless
 * the caller allows it.
 *
 * Credentials are tried in the order given (the caller puts the one that
 * worked last time first) and the result says which one worked by index
 * and name. Messages name the host and the credential's name, never a
 * password, key or passphrase.
 *
 * Unix hosts get the collection script (audit/audit.h) through ONE exec
 * channel running "sh -s" with the script on stdin; Cisco IOS / IOS-XE /
 * NX-OS and Juniper Junos, recognised from the banner or because the
 * script did not run, get `show version` instead. Either way the result
 * holds a validated device report.
 *
 * The result owns its report and output; ssh_audit_result_free() releases
 * them. Thread-safe: one call uses one libssh session of its own.
 */
#ifndef NC_SSH_H
#define NC_SSH_H

#include <stddef.h>
#include <jansson.h>

enum ssh_audit_cred_type { SSH_AUDIT_PASSWORD = 1, SSH_AUDIT_KEY = 2 };

/* One credential. Strings are borrowed, not copied. */
struct ssh_audit_cred {
	const char *name; /* shown in messages; never a secret */
	enum ssh_audit_cred_type type;
	const char *username;
	const char *password;	/* SSH_AUDIT_PASSWORD */
	const char *key;	/* SSH_AUDIT_KEY: private key text (PEM or
				 * OpenSSH), or else ... */
	const char *key_file;	/* ... a path to it */
	const char *passphrase; /* of the key; may be NULL */
};

struct ssh_audit_opts {
	const char *host; /* numeric address (or name: resolution is
			   * not bounded by the deadlines) */
	unsigned port;	  /* 0: 22 */
	const struct ssh_audit_cred *creds;
	size_t ncreds;
	int connect_ms;	   /* TCP connect; 0: 5000 */
	int banner_ms;	   /* first byte of the banner; 0: 5000 */
	int auth_ms;	   /* key exchange, and each auth attempt; 0: 10000 */
	int command_ms;	   /* each command; 0: 60000 */
	int total_ms;	   /* the whole job; 0: 120000 */
	size_t max_output; /* stdout ceiling; 0: AUDIT_MAX_OUTPUT */
	const char *known_hostkey; /* "SHA256:..." seen before, or NULL */
	int allow_changed_hostkey; /* go on when it differs */
	int no_audit;		   /* log in only: no command is run */
};

enum ssh_audit_stage {
	SSH_STAGE_NONE = 0,
	SSH_STAGE_CONNECT,
	SSH_STAGE_BANNER,
	SSH_STAGE_KEX,
	SSH_STAGE_HOSTKEY,
	SSH_STAGE_AUTH,
	SSH_STAGE_COMMAND,
	SSH_STAGE_PARSE,
	SSH_STAGE_DONE,
};

struct ssh_audit_result {
	enum ssh_audit_stage stage; /* reached (DONE) or failed in */
	char banner[256];	    /* server's SSH identification */
	char hostkey[128];	    /* "SHA256:base64" */
	char hostkey_type[32];	    /* "ssh-ed25519", ... */
	int hostkey_changed;	    /* differs from known_hostkey */
	int cred_index;		    /* credential that worked, or -1 */
	char cred_name[128];
	char *output; /* raw command output (NUL-terminated) */
	size_t output_len;
	int exit_status; /* of the script; -1 unknown */
	json_t *report;	 /* device report, or NULL */
	long elapsed_ms;
	char error[512];    /* why it failed; "" on success */
	char refused[1024]; /* credentials tried before the one
			     * that worked (or all), by name:
			     * "'name' (user u): refused; ...";
			     * "" when none failed */
};

/* Connects, logs in, audits. 0 with r->report set, or -1 with r->error
 * and r->stage saying where it stopped (also logged once). r is reset
 * first; free it with ssh_audit_result_free() either way. */
int ssh_audit_host(const struct ssh_audit_opts *o, struct ssh_audit_result *r);

/* Releases what r owns (output, report); r may be NULL. */
void ssh_audit_result_free(struct ssh_audit_result *r);

/* Fills c from a stored credential {"name", "type": "ssh" | "ssh_key",
 * "username", "password" | "key" | "key_file", "passphrase"} (as from
 * store_credential_get_secret); strings stay owned by cred. 0, or -1 when
 * it is not a usable SSH credential. */
int ssh_audit_cred_from_json(json_t *cred, struct ssh_audit_cred *c);

/* "connect", "banner", ... for messages. */
const char *ssh_audit_stage_name(enum ssh_audit_stage s);

#endif
