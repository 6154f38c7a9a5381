/*
 * ssh: one blocking SSH audit of one host (see ssh.h).
 *
 * libssh runs in blocking mode; its SSH_OPTIONS_TIMEOUT is set before each
 * step to the smaller of that step's budget and what is left of the job,
 * so no single call can outlive the job's deadline by more than a step.
 * The socket is ours until the banner's first byte has arrived: libssh's
 * own connect would spend its whole timeout on a server that never
 * speaks, and would also read ~/.ssh/config, which a scanner must ignore.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "audit/audit.h"
#include "core/log.h"
#include "core/util.h"
#include "probe/netio.h"
#include "probe/ssh.h"

#define SSH_READ_SLICE_MS 200
#define SSH_STDERR_MAX (256u * 1024)

struct ssh_job {
	const struct ssh_audit_opts *o;
	struct ssh_audit_result *r;
	unsigned port;
	long deadline;
	ssh_session s;
	int fd;		       /* s's socket: libssh does not close a
				* socket handed to it with SSH_OPTIONS_FD */
	const char *auth_user; /* user of the last attempt on s */
	struct strbuf tried;   /* "'name': why; ..." */
};

static int ssh_ms(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

/* The smaller of a step's budget and what is left of the job; 0 = none. */
static int ssh_budget(const struct ssh_job *j, int step_ms)
{
	long left = j->deadline - netio_now_ms();

	if (left <= 0)
		return 0;
	return left < step_ms ? (int)left : step_ms;
}

const char *ssh_audit_stage_name(enum ssh_audit_stage s)
{
	static const char *const names[] = {
		"none",		"connect",  "banner",
		"key exchange", "host key", "authentication",
		"command",	"parse",    "done",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void ssh_fail(struct ssh_job *j, enum ssh_audit_stage st,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ssh_fail(struct ssh_job *j, enum ssh_audit_stage st,
		     const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j->r->stage = st;
	snprintf(j->r->error, sizeof(j->r->error), "ssh %s port %u: %s: %s",
		 j->o->host, j->port, ssh_audit_stage_name(st), msg);
	log_warn("%s", j->r->error);
}

static void ssh_set_timeout(ssh_session s, int ms)
{
	long sec = ms / 1000, usec = (long)(ms % 1000) * 1000;

	if (sec == 0 && usec == 0)
		usec = 1000;
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

/* A connected TCP socket whose peer has sent its first byte, or -1. */
static int ssh_open_socket(struct ssh_job *j)
{
	char why[256];
	int ms = ssh_budget(j, ssh_ms(j->o->connect_ms, 5000));
	int fd = netio_connect(j->o->host, j->port, SOCK_STREAM,
			       netio_now_ms() + ms, why, sizeof(why));

	if (fd < 0) {
		ssh_fail(j, SSH_STAGE_CONNECT, "%s", why);
		return -1;
	}
	ms = ssh_budget(j, ssh_ms(j->o->banner_ms, 5000));
	if (!netio_wait(fd, POLLIN, netio_now_ms() + ms)) {
		ssh_fail(j, SSH_STAGE_BANNER,
			 "the server sent no banner within %d ms", ms);
		close(fd);
		return -1;
	}
	return fd;
}

static void ssh_close_session(struct ssh_job *j)
{
	if (j->s) {
		ssh_disconnect(j->s);
		ssh_free(j->s);
		j->s = NULL;
	}
	if (j->fd >= 0 && close(j->fd) != 0)
		log_debug("ssh %s: close: %s", j->o->host, strerror(errno));
	j->fd = -1;
	j->auth_user = NULL;
}

static int ssh_check_hostkey(struct ssh_job *j)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	int rc = -1;

	if (ssh_get_server_publickey(j->s, &key) != SSH_OK ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
				   &hlen) != 0 ||
	    !(fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
					    hlen))) {
		ssh_fail(j, SSH_STAGE_HOSTKEY, "cannot read the host key");
		goto out;
	}
	snprintf(j->r->hostkey, sizeof(j->r->hostkey), "%s", fp);
	snprintf(j->r->hostkey_type, sizeof(j->r->hostkey_type), "%s",
		 ssh_key_type_to_char(ssh_key_type(key)));
	if (j->o->known_hostkey && *j->o->known_hostkey &&
	    strcmp(j->o->known_hostkey, fp) != 0) {
		j->r->hostkey_changed = 1;
		if (!j->o->allow_changed_hostkey) {
			ssh_fail(j, SSH_STAGE_HOSTKEY,
				 "host key changed from %s to %s; no "
				 "credential was sent",
				 j->o->known_hostkey, fp);
			goto out;
		}
		log_warn("ssh %s port %u: host key changed from %s to %s",
			 j->o->host, j->port, j->o->known_hostkey, fp);
	}
	rc = 0;
out:
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return rc;
}

/* A new session on a fresh connection, key exchange done and host key
 * checked. 0 or -1 (r->error set). */
static int ssh_open_session(struct ssh_job *j)
{
	int off = 0, verbosity = SSH_LOG_NOLOG;
	const char *b;

	ssh_close_session(j);
	j->r->stage = SSH_STAGE_CONNECT;
	j->fd = ssh_open_socket(j);
	if (j->fd < 0)
		return -1;
	j->s = ssh_new();
	if (!j->s) {
		ssh_fail(j, SSH_STAGE_KEX, "libssh: out of memory");
		return -1;
	}
	ssh_options_set(j->s, SSH_OPTIONS_HOST, j->o->host);
	ssh_options_set(j->s, SSH_OPTIONS_PORT, &j->port);
	ssh_options_set(j->s, SSH_OPTIONS_PROCESS_CONFIG, &off);
	ssh_options_set(j->s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(j->s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(j->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	ssh_options_set(j->s, SSH_OPTIONS_FD, &j->fd);
	ssh_set_timeout(j->s, ssh_budget(j, ssh_ms(j->o->auth_ms, 10000)));
	j->r->stage = SSH_STAGE_KEX;
	if (ssh_connect(j->s) != SSH_OK) {
		ssh_fail(j, SSH_STAGE_KEX, "%s", ssh_get_error(j->s));
		return -1;
	}
	b = ssh_get_serverbanner(j->s);
	if (b)
		snprintf(j->r->banner, sizeof(j->r->banner), "%s", b);
	j->r->stage = SSH_STAGE_HOSTKEY;
	return ssh_check_hostkey(j);
}

static void ssh_note(struct ssh_job *j, const struct ssh_audit_cred *c,
		     const char *why)
{
	strbuf_printf(&j->tried, "%s'%s' (user %s): %s",
		      j->tried.len ? "; " : "", c->name ? c->name : "?",
		      c->username ? c->username : "?", why);
	log_info("ssh %s port %u: credential '%s' (user %s): %s", j->o->host,
		 j->port, c->name ? c->name : "?",
		 c->username ? c->username : "?", why);
}

/* A refused login, with what the server said it would accept instead
 * (its own answer to the attempt: "publickey" on a host that takes keys
 * only), so the admin sees why a right password still fails. */
static void ssh_note_refused(struct ssh_job *j, const struct ssh_audit_cred *c)
{
	static const struct {
		int bit;
		const char *name;
	} methods[] = {
		{SSH_AUTH_METHOD_PASSWORD, "password"},
		{SSH_AUTH_METHOD_PUBLICKEY, "publickey"},
		{SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive"},
		{SSH_AUTH_METHOD_HOSTBASED, "hostbased"},
		{SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic"},
	};
	int have = ssh_userauth_list(j->s, NULL);
	const char *sep = " (the server accepts ";
	struct strbuf why;
	size_t i;

	strbuf_init(&why, 0);
	strbuf_puts(&why, "refused");
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (have & methods[i].bit) {
			strbuf_printf(&why, "%s%s", sep, methods[i].name);
			sep = ", ";
		}
	}
	if (*sep == ',')
		strbuf_puts(&why, ")");
	ssh_note(j, c, why.data);
	strbuf_free(&why);
}

/* One authentication attempt: 1 success, 0 refused, -1 session broken. */
static int ssh_try_cred(struct ssh_job *j, const struct ssh_audit_cred *c)
{
	ssh_key key = NULL;
	int rc;

	if (!c->username || !*c->username) {
		ssh_note(j, c, "no username");
		return 0;
	}
	if (c->type == SSH_AUDIT_KEY) {
		int ok = c->key ? ssh_pki_import_privkey_base64(
					  c->key, c->passphrase, NULL, NULL,
					  &key)
			 : c->key_file
				 ? ssh_pki_import_privkey_file(c->key_file,
							       c->passphrase,
							       NULL, NULL, &key)
				 : SSH_ERROR;

		if (ok != SSH_OK) {
			ssh_note(j, c,
				 "the private key cannot be read (not "
				 "a key, or a wrong passphrase)");
			return 0;
		}
	} else if (c->type != SSH_AUDIT_PASSWORD || !c->password) {
		ssh_note(j, c, "not an SSH password or key credential");
		return 0;
	}
	ssh_set_timeout(j->s, ssh_budget(j, ssh_ms(j->o->auth_ms, 10000)));
	j->auth_user = c->username;
	if (key)
		rc = ssh_userauth_publickey(j->s, c->username, key);
	else
		rc = ssh_userauth_password(j->s, c->username, c->password);
	ssh_key_free(key);
	if (rc == SSH_AUTH_SUCCESS)
		return 1;
	if (rc == SSH_AUTH_ERROR) {
		ssh_note(j, c, ssh_get_error(j->s));
		return -1;
	}
	if (rc == SSH_AUTH_PARTIAL)
		ssh_note(j, c,
			 "accepted, but the server wants a second factor");
	else
		ssh_note_refused(j, c);
	return 0;
}

static int ssh_authenticate(struct ssh_job *j)
{
	size_t i;

	for (i = 0; i < j->o->ncreds; i++) {
		const struct ssh_audit_cred *c = &j->o->creds[i];
		int rc;

		if (ssh_budget(j, 1) == 0)
			break;
		/* OpenSSH refuses a change of user within one session. */
		if (!j->s || !ssh_is_connected(j->s) ||
		    (j->auth_user && c->username &&
		     strcmp(j->auth_user, c->username) != 0)) {
			if (ssh_open_session(j) != 0)
				return -1;
		}
		j->r->stage = SSH_STAGE_AUTH;
		rc = ssh_try_cred(j, c);
		if (rc == 1) {
			j->r->cred_index = (int)i;
			snprintf(j->r->cred_name, sizeof(j->r->cred_name), "%s",
				 c->name ? c->name : "");
			return 0;
		}
		if (rc < 0)
			ssh_close_session(j);
	}
	if (j->o->ncreds == 0)
		ssh_fail(j, SSH_STAGE_AUTH, "no SSH credential to try");
	else if (i < j->o->ncreds)
		ssh_fail(j, SSH_STAGE_AUTH, "out of time after trying %s",
			 j->tried.len ? j->tried.data : "nothing");
	else
		ssh_fail(j, SSH_STAGE_AUTH, "no credential worked: %s",
			 j->tried.data);
	return -1;
}

/* Runs cmd on one exec channel, feeding it input (may be NULL), and
 * collects stdout into out (ceiling set by the caller). 0 or -1. */
static int ssh_exec(struct ssh_job *j, const char *cmd, const char *input,
		    size_t input_len, struct strbuf *out, int *status)
{
	int step = ssh_ms(j->o->command_ms, 60000);
	long end = netio_now_ms() + step;
	ssh_channel ch;
	size_t sent = 0, errbytes = 0;
	char buf[16384];
	int rc = -1;

	j->r->stage = SSH_STAGE_COMMAND;
	ssh_set_timeout(j->s, ssh_budget(j, step));
	ch = ssh_channel_new(j->s);
	if (!ch || ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		ssh_fail(j, SSH_STAGE_COMMAND, "cannot run '%s': %s", cmd,
			 ssh_get_error(j->s));
		goto out;
	}
	while (sent < input_len) {
		int n = ssh_channel_write(
			ch, input + sent,
			(uint32_t)(input_len - sent > 32768
					   ? 32768
					   : input_len - sent));

		if (n <= 0) {
			ssh_fail(j, SSH_STAGE_COMMAND,
				 "'%s': sending input: %s", cmd,
				 ssh_get_error(j->s));
			goto out;
		}
		sent += (size_t)n;
	}
	ssh_channel_send_eof(ch);
	for (;;) {
		long left = end - netio_now_ms();
		int slice = ssh_budget(j, SSH_READ_SLICE_MS), n, e;

		if (left <= 0 || slice == 0) {
			ssh_fail(j, SSH_STAGE_COMMAND,
				 "'%s' did not finish in time (%d ms a "
				 "command, %d ms in all)",
				 cmd, step, ssh_ms(j->o->total_ms, 120000));
			goto out;
		}
		if (slice > left)
			slice = (int)left;
		n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, slice);
		if (n == SSH_ERROR) {
			ssh_fail(j, SSH_STAGE_COMMAND, "'%s': %s", cmd,
				 ssh_get_error(j->s));
			goto out;
		}
		if (n > 0 && strbuf_append(out, buf, (size_t)n) != 0) {
			ssh_fail(j, SSH_STAGE_COMMAND,
				 "'%s' wrote more than %zu bytes", cmd,
				 out->max);
			goto out;
		}
		/* stderr is drained so the remote side never blocks on it;
		 * its text is only logged at debug level. */
		while ((e = ssh_channel_read_nonblocking(ch, buf, sizeof(buf),
							 1)) > 0) {
			if (errbytes < SSH_STDERR_MAX &&
			    log_get_level() >= LOG_DEBUG)
				log_debug("ssh %s: stderr: %.*s", j->o->host, e,
					  buf);
			errbytes += (size_t)e;
		}
		if (n == 0 && ssh_channel_is_eof(ch))
			break;
	}
	*status = ssh_channel_get_exit_status(ch);
	if (!out->data)
		strbuf_append(out, "", 0);
	rc = 0;
out:
	if (ch) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return rc;
}

/* show version (plus show chassis hardware on Junos) into a report. */
static int ssh_audit_netdev(struct ssh_job *j, size_t max)
{
	struct strbuf out;
	struct report_error err = {{0}};
	int status = -1, rc = -1;
	const char *fam;

	strbuf_init(&out, max);
	if (ssh_exec(j, "show version", NULL, 0, &out, &status) != 0)
		goto out;
	fam = audit_netdev_family(j->r->banner, out.data);
	if (fam && !strcmp(fam, "Juniper Junos")) {
		int st2;

		strbuf_puts(&out, "\n");
		if (ssh_exec(j, "show chassis hardware", NULL, 0, &out, &st2) !=
		    0)
			goto out;
	}
	j->r->report =
		audit_parse_netdev(j->r->banner, out.data, out.len, &err);
	if (!j->r->report) {
		ssh_fail(j, SSH_STAGE_PARSE,
			 "neither the Unix script nor "
			 "show version worked: %s",
			 err.msg);
		goto out;
	}
	free(j->r->output);
	j->r->output = out.data;
	j->r->output_len = out.len;
	out.data = NULL;
	rc = 0;
out:
	strbuf_free(&out);
	return rc;
}

static int ssh_audit_run(struct ssh_job *j)
{
	size_t slen,
		max = j->o->max_output ? j->o->max_output : AUDIT_MAX_OUTPUT;
	const char *script = audit_script(&slen);
	struct report_error err = {{0}};
	struct strbuf out;
	const char *start;
	int status = -1;

	if (audit_netdev_family(j->r->banner, NULL))
		return ssh_audit_netdev(j, max);
	strbuf_init(&out, max);
	if (ssh_exec(j, "sh -s", script, slen, &out, &status) != 0) {
		strbuf_free(&out);
		return -1;
	}
	j->r->output = out.data;
	j->r->output_len = out.len;
	j->r->exit_status = status;
	/* A login shell's rc file may print before the script does. */
	start = audit_find_start(out.data, out.len);
	if (!start)
		return ssh_audit_netdev(j, max);
	j->r->stage = SSH_STAGE_PARSE;
	j->r->report =
		audit_parse(start, out.len - (size_t)(start - out.data), &err);
	if (!j->r->report) {
		ssh_fail(j, SSH_STAGE_PARSE,
			 "the audit output was refused: "
			 "%s",
			 err.msg);
		return -1;
	}
	return 0;
}

int ssh_audit_host(const struct ssh_audit_opts *o, struct ssh_audit_result *r)
{
	struct ssh_job j = {0};
	long start = netio_now_ms();
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->cred_index = -1;
	r->exit_status = -1;
	j.o = o;
	j.r = r;
	j.fd = -1;
	j.port = o->port ? o->port : 22;
	j.deadline = start + ssh_ms(o->total_ms, 120000);
	strbuf_init(&j.tried, 2048);
	if (!o->host || !*o->host) {
		snprintf(r->error, sizeof(r->error), "ssh: no host given");
		log_err("%s", r->error);
		goto out;
	}
	if (ssh_open_session(&j) != 0)
		goto out;
	if (ssh_authenticate(&j) != 0)
		goto out;
	if (!o->no_audit && ssh_audit_run(&j) != 0)
		goto out;
	r->stage = SSH_STAGE_DONE;
	rc = 0;
out:
	ssh_close_session(&j);
	if (j.tried.len)
		snprintf(r->refused, sizeof(r->refused), "%s", j.tried.data);
	strbuf_free(&j.tried);
	r->elapsed_ms = netio_now_ms() - start;
	return rc;
}

void ssh_audit_result_free(struct ssh_audit_result *r)
{
	if (!r)
		return;
	free(r->output);
	r->output = NULL;
	json_decref(r->report);
	r->report = NULL;
}

int ssh_audit_cred_from_json(json_t *cred, struct ssh_audit_cred *c)
{
	const char *type = json_string_value(json_object_get(cred, "type"));

	memset(c, 0, sizeof(*c));
	if (!type)
		return -1;
	c->name = json_string_value(json_object_get(cred, "name"));
	c->username = json_string_value(json_object_get(cred, "username"));
	if (!c->username)
		c->username = json_string_value(json_object_get(cred, "user"));
	if (!strcmp(type, "ssh")) {
		c->type = SSH_AUDIT_PASSWORD;
		c->password =
			json_string_value(json_object_get(cred, "password"));
		return c->password && c->username ? 0 : -1;
	}
	if (!strcmp(type, "ssh_key")) {
		c->type = SSH_AUDIT_KEY;
		c->key = json_string_value(json_object_get(cred, "key"));
		c->key_file =
			json_string_value(json_object_get(cred, "key_file"));
		c->passphrase =
			json_string_value(json_object_get(cred, "passphrase"));
		return (c->key || c->key_file) && c->username ? 0 : -1;
	}
	return -1;
}
