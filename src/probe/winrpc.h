/*
 * winrpc: read-only Windows inventory with `windows` credentials, over
 * DCE/RPC on SMB named pipes (winreg, svcctl, srvsvc, samr, lsarpc,
 * wkssvc), mapped onto Open-AudIT's section names (docs/windows.md).
 *
 * The RPC client is Samba's, through its Python bindings (python3-samba),
 * run as an isolated worker process per host: data/winrpc.py, embedded,
 * started with execve() as `/usr/bin/python3 -I -c SCRIPT` and an
 * environment of its own. The job - host, credentials, limits - goes to
 * its stdin as one JSON object and the buffer is wiped: a credential is
 * never on a command line, in an environment or in a log. The worker
 * answers one JSON object per line (winrpc_line_feed parses them); a line
 * late by more than call_ms, or a job past total_ms, gets the process
 * killed (SIGKILL) and what arrived so far is kept. The worker dies with
 * its parent (PR_SET_PDEATHSIG) and may use at most WINRPC_AS_MAX of
 * memory: a crash or a hang ends that host's job, never the run.
 *
 * Lockout avoidance: credentials are tried in the order given and each at
 * most once per host; a refused one (NT_STATUS_LOGON_FAILURE and the like)
 * is never retried on that host in the run. The caller decides the order
 * (the one that worked last first).
 *
 * The caller owns the result; free it with winrpc_result_free().
 */
#ifndef NC_WINRPC_H
#define NC_WINRPC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define WINRPC_LINE_MAX (16u << 20)  /* one worker line */
#define WINRPC_OUT_MAX (64u << 20)   /* everything a worker may say */
#define WINRPC_AS_MAX (1024ul << 20) /* worker address space */
#define WINRPC_VALUES_MAX 10000	     /* values / subkeys / rows read */

struct winrpc_cred {
	const char *name; /* shown in messages; never a secret */
	const char *username;
	const char *password;
	const char *domain; /* may be NULL */
};

struct winrpc_opts {
	const char *host; /* numeric address */
	const struct winrpc_cred *creds;
	size_t ncreds;
	int call_ms;	     /* 0: 10000; longest wait for the next line */
	int total_ms;	     /* 0: 120000; the whole job */
	unsigned max_values; /* 0: WINRPC_VALUES_MAX */
	const char *python;  /* NULL: /usr/bin/python3 */
	int login_only;	     /* a credential test: the login (wkssvc) and
			      * the OS key only, no inventory */
};

/* What the worker said, gathered line by line (winrpc_line_feed). */
struct winrpc_state {
	json_t *sys;	   /* wkssvc / lsarpc fields */
	json_t *sections;  /* {name: rows} as the worker named them */
	json_t *registry;  /* {os, bios, guid, tcpip, software, problems} */
	json_t *problems;  /* ["call: message", ...] for the log */
	char refused[512]; /* "name (NT_STATUS_...)", ... */
	char cred_name[128];
	int cred_index; /* -1: no credential worked */
	int done;	/* the worker said it finished */
	char fatal[256];
};

struct winrpc_result {
	json_t *report; /* partial device report, or NULL */
	struct winrpc_state st;
	char error[512];
	int64_t elapsed_ms;
};

/* A windows credential of a run (type "windows") into c, strings
 * borrowed; 0, or -1 when it is not one or lacks username / password. */
int winrpc_cred_from_json(json_t *cred, struct winrpc_cred *c);

/* Runs the worker for one host; 0 when a credential worked and the
 * report was built (some readings may still have failed: see
 * r->st.problems), -1 with r->error set otherwise. */
int winrpc_audit_host(const struct winrpc_opts *o, struct winrpc_result *r);
void winrpc_result_free(struct winrpc_result *r);

void winrpc_state_init(struct winrpc_state *st);
void winrpc_state_free(struct winrpc_state *st);
/* One line of worker output into st (untrusted: any bytes); 0, or -1 when
 * it is not a worker message (recorded in st->problems). */
int winrpc_line_feed(struct winrpc_state *st, const char *line, size_t len);
/* The partial device report st describes (sys, windows, bios, software,
 * service, share, user, user_group), or NULL when no credential worked.
 * New reference. */
json_t *winrpc_report(const struct winrpc_state *st);

#endif
