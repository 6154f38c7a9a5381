/*
 * winrpc: runs data/winrpc.py (Samba's RPC client through python3-samba)
 * in a process of its own per host and turns what it says into a partial
 * device report in Open-AudIT's vocabulary. See winrpc.h.
 *
 * The process is started with fork() + execve() (only async-signal-safe
 * calls in the child: dup2, setrlimit, prctl, execve), so no shell ever
 * sees an argument. Its stdin carries the job and is closed at once; its
 * stdout is read with poll() against two deadlines (the next line, the
 * whole job); its stderr goes to /dev/null, so a Python traceback can
 * never carry anything into our logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/netio.h"
#include "probe/winrpc.h"
#include "store/secret.h"

extern const char embed_winrpc_py[];

#define WINRPC_PYTHON "/usr/bin/python3"
#define WINRPC_PROBLEMS_MAX 64

/* ---- the worker's lines ---- */

void winrpc_state_init(struct winrpc_state *st)
{
	memset(st, 0, sizeof(*st));
	st->sys = json_object();
	st->sections = json_object();
	st->problems = json_array();
	st->cred_index = -1;
}

void winrpc_state_free(struct winrpc_state *st)
{
	if (!st)
		return;
	json_decref(st->sys);
	json_decref(st->sections);
	json_decref(st->registry);
	json_decref(st->problems);
	memset(st, 0, sizeof(*st));
	st->cred_index = -1;
}

static void st_problem(struct winrpc_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void st_problem(struct winrpc_state *st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (json_array_size(st->problems) >= WINRPC_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(st->problems, json_string(buf));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Sections the worker may name, and the Open-AudIT section each is. */
static const char *const sections_known[] = {"share", "service", "user",
					     "user_group", "domain"};

static int st_section(struct winrpc_state *st, json_t *m)
{
	const char *name = jstr(m, "name");
	json_t *rows = json_object_get(m, "rows");
	size_t i;

	if (!strcmp(name, "registry")) {
		if (!json_is_object(rows))
			return -1;
		json_decref(st->registry);
		st->registry = json_incref(rows);
		return 0;
	}
	for (i = 0; i < sizeof(sections_known) / sizeof(*sections_known); i++)
		if (!strcmp(name, sections_known[i]))
			break;
	if (i == sizeof(sections_known) / sizeof(*sections_known) ||
	    (!json_is_array(rows) && !json_is_object(rows)))
		return -1;
	json_object_set(st->sections, name, rows);
	return 0;
}

static int st_auth(struct winrpc_state *st, json_t *m)
{
	json_int_t index = json_integer_value(json_object_get(m, "index"));

	const char *cred = jstr(m, "credential");
	size_t n = strlen(st->refused);

	if (json_is_true(json_object_get(m, "ok"))) {
		snprintf(st->cred_name, sizeof(st->cred_name), "%s", cred);
		st->cred_index = index >= 0 && index < 4096 ? (int)index : 0;
		return 0;
	}
	snprintf(st->refused + n, sizeof(st->refused) - n, "%s'%s' (%s)",
		 n ? ", " : "", cred, jstr(m, "status"));
	return 0;
}

int winrpc_line_feed(struct winrpc_state *st, const char *line, size_t len)
{
	json_error_t err;
	json_t *m = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	const char *ev = jstr(m, "event");
	int rc = 0;

	if (!json_is_object(m)) {
		st_problem(st, "worker: not a JSON object (%.40s)",
			   m ? "wrong type" : err.text);
		json_decref(m);
		return -1;
	}
	if (!strcmp(ev, "auth"))
		rc = st_auth(st, m);
	else if (!strcmp(ev, "sys") &&
		 json_is_object(json_object_get(m, "fields")))
		json_object_update(st->sys, json_object_get(m, "fields"));
	else if (!strcmp(ev, "section"))
		rc = st_section(st, m);
	else if (!strcmp(ev, "error"))
		st_problem(st, "%s: %s", jstr(m, "call"), jstr(m, "message"));
	else if (!strcmp(ev, "fatal"))
		snprintf(st->fatal, sizeof(st->fatal), "%s%s%s",
			 jstr(m, "call"), *jstr(m, "call") ? ": " : "",
			 jstr(m, "message"));
	else if (!strcmp(ev, "done"))
		st->done = 1;
	else if (strcmp(ev, "call") != 0)
		rc = -1;
	if (rc < 0)
		st_problem(st, "worker: unexpected '%.40s' message", ev);
	json_decref(m);
	return rc;
}

/* ---- the report ---- */

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

/* A registry value as text: strings as they are, numbers in decimal. */
static const char *reg_text(json_t *vals, const char *k, char *buf, size_t len)
{
	json_t *v = json_object_get(vals, k);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return buf;
	}
	return "";
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* hostname, domain and fqdn: Tcpip\Parameters, else the NetBIOS name. */
static void report_names(const struct winrpc_state *st, json_t *sys)
{
	json_t *tcpip = json_object_get(st->registry, "tcpip");
	const char *host = jstr(tcpip, "Hostname"),
		   *dom = jstr(tcpip, "Domain");
	char name[256], fqdn[512];

	if (!*host)
		host = jstr(st->sys, "netbios_name");
	snprintf(name, sizeof(name), "%s", host);
	lower(name);
	set_str(sys, "hostname", name);
	if (*name && *dom) {
		snprintf(fqdn, sizeof(fqdn), "%s.%s", name, dom);
		lower(fqdn);
		set_str(sys, "fqdn", fqdn);
		set_str(sys, "domain", dom);
	}
}

/* The OS from CurrentVersion: only when ProductName is there (Samba
 * serves CurrentVersion without it: no Windows release is claimed). */
static void report_os(json_t *os, json_t *sys, json_t *win)
{
	char b1[24], b2[24], b3[24], ver[96], name[300], date[20];
	const char *product = jstr(os, "ProductName");
	const char *maj = reg_text(os, "CurrentMajorVersionNumber", b1,
				   sizeof(b1)),
		   *min = reg_text(os, "CurrentMinorVersionNumber", b2,
				   sizeof(b2)),
		   *build = reg_text(os, "CurrentBuild", b3, sizeof(b3));
	json_t *inst = json_object_get(os, "InstallDate");

	if (*maj)
		snprintf(ver, sizeof(ver), "%s.%s%s%s", maj, *min ? min : "0",
			 *build ? "." : "", build);
	else
		snprintf(ver, sizeof(ver), "%s%s%s", jstr(os, "CurrentVersion"),
			 *build ? "." : "", build);
	set_str(win, "build_number", build);
	set_str(win, "version", ver);
	set_str(win, "registered_user", jstr(os, "RegisteredOwner"));
	set_str(win, "organisation", jstr(os, "RegisteredOrganization"));
	set_str(win, "install_directory", jstr(os, "SystemRoot"));
	set_str(win, "service_pack", jstr(os, "CSDVersion"));
	set_str(win, "display_version",
		*jstr(os, "DisplayVersion") ? jstr(os, "DisplayVersion")
					    : jstr(os, "ReleaseId"));
	set_str(win, "ubr", reg_text(os, "UBR", b1, sizeof(b1)));
	if (!*product)
		return;
	snprintf(name, sizeof(name), "%s%s",
		 strncmp(product, "Microsoft", 9) ? "Microsoft " : "", product);
	set_str(sys, "os_group", "Windows");
	set_str(sys, "os_family", "Windows");
	set_str(sys, "os_name", name);
	set_str(sys, "os_version", ver);
	set_str(sys, "type", "computer");
	/* seconds since 1970, as Windows writes it; nothing before 1990 or
	 * after 2100 is believed */
	if (json_is_integer(inst) && json_integer_value(inst) > 631152000 &&
	    json_integer_value(inst) < 4102444800) {
		util_time_format((time_t)json_integer_value(inst), date);
		date[10] = '\0';
		set_str(sys, "os_installation_date", date);
	}
}

static void report_bios(json_t *bios, json_t *sys, json_t *r)
{
	json_t *row = json_object();

	set_str(sys, "manufacturer", jstr(bios, "SystemManufacturer"));
	set_str(sys, "model", jstr(bios, "SystemProductName"));
	set_str(row, "manufacturer", jstr(bios, "BIOSVendor"));
	set_str(row, "version", jstr(bios, "BIOSVersion"));
	set_str(row, "description", jstr(bios, "BIOSReleaseDate"));
	if (json_object_size(row))
		json_object_set_new(r, "bios", json_pack("[o]", row));
	else
		json_decref(row);
}

/* A section's rows, each an object, strings and booleans kept as the
 * report's strings ("True" / "False", Open-AudIT's spelling). */
static json_t *report_rows(json_t *rows)
{
	json_t *out = json_array(), *row, *v, *o;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row) {
		if (!json_is_object(row))
			continue;
		o = json_object();
		json_object_foreach(row, k, v) {
			if (json_is_string(v))
				json_object_set(o, k, v);
			else if (json_is_boolean(v))
				json_object_set_new(
					o, k,
					json_string(json_is_true(v) ? "True"
								    : "False"));
		}
		json_array_append_new(out, o);
	}
	return out;
}

json_t *winrpc_report(const struct winrpc_state *st)
{
	json_t *r, *sys, *win, *reg = st->registry;
	const char *k, *wg = jstr(st->sys, "workgroup");
	json_t *rows;
	int member = *jstr(st->sys, "windows_primary_domain_sid") != '\0';

	if (st->cred_index < 0)
		return NULL;
	r = json_pack("{s{}}", "sys");
	sys = json_object_get(r, "sys");
	win = json_object();
	set_str(sys, "netbios_name", jstr(st->sys, "netbios_name"));
	set_str(sys, "workgroup", wg);
	set_str(sys, "windows_machine_sid",
		jstr(st->sys, "windows_account_domain_sid"));
	set_str(sys, "windows_domain_sid",
		jstr(st->sys, "windows_primary_domain_sid"));
	set_str(sys, "windows_credential", st->cred_name);
	report_names(st, sys);
	report_os(json_object_get(reg, "os"), sys, win);
	report_bios(json_object_get(reg, "bios"), sys, r);
	set_str(win, "machine_guid",
		jstr(json_object_get(reg, "guid"), "MachineGuid"));
	set_str(win, member ? "domain_short" : "workgroup", wg);
	set_str(win, "part_of_domain", member ? "True" : "False");
	json_object_set_new(r, "windows", json_pack("[o]", win));
	json_object_foreach(st->sections, k, rows)
		if (json_is_array(rows))
			json_object_set_new(r, k, report_rows(rows));
	rows = json_object_get(reg, "software");
	if (json_is_array(rows))
		json_object_set_new(r, "software", report_rows(rows));
	return r;
}

/* ---- the worker process ---- */

int winrpc_cred_from_json(json_t *cred, struct winrpc_cred *c)
{
	const char *type = json_string_value(json_object_get(cred, "type"));

	memset(c, 0, sizeof(*c));
	if (!type || strcmp(type, "windows") != 0)
		return -1;
	c->name = json_string_value(json_object_get(cred, "name"));
	c->username = json_string_value(json_object_get(cred, "username"));
	c->password = json_string_value(json_object_get(cred, "password"));
	c->domain = json_string_value(json_object_get(cred, "domain"));
	return c->username && c->password ? 0 : -1;
}

/* The job as JSON text (secret: wipe it); NULL on error. */
static char *job_text(const struct winrpc_opts *o, size_t *len)
{
	json_t *job = json_pack(
		"{sssisisb}", "host", o->host, "call_timeout_ms", o->call_ms,
		"max_values", (int)o->max_values, "login_only", o->login_only);
	json_t *creds = json_array(), *c;
	char *text;
	size_t i;

	for (i = 0; i < o->ncreds; i++) {
		const struct winrpc_cred *wc = &o->creds[i];
		char name[32];

		if (!wc->name)
			snprintf(name, sizeof(name), "#%zu", i + 1);
		json_array_append_new(
			creds, json_pack("{sssssssssi}", "name",
					 wc->name ? wc->name : name, "username",
					 wc->username, "password", wc->password,
					 "domain", wc->domain ? wc->domain : "",
					 "index", (int)i));
	}
	json_object_set_new(job, "creds", creds);
	text = json_dumps(job, JSON_COMPACT);
	*len = text ? strlen(text) : 0;
	json_array_foreach(creds, i, c) {
		json_t *pw = json_object_get(c, "password");

		secret_wipe((void *)(uintptr_t)json_string_value(pw),
			    json_string_length(pw));
	}
	json_decref(job);
	return text;
}

/* In the child: stdin, stdout from the pipes, stderr to /dev/null, a
 * memory ceiling, death with the parent, then Python. Never returns. */
static void child_exec(const struct winrpc_opts *o, int in_fd, int out_fd)
{
	char *const argv[] = {(char *)(uintptr_t)o->python,
			      (char *)(uintptr_t) "-I",
			      (char *)(uintptr_t) "-c",
			      (char *)(uintptr_t)embed_winrpc_py, NULL};
	char *const envp[] = {(char *)(uintptr_t) "PATH=/usr/bin:/bin",
			      (char *)(uintptr_t) "LC_ALL=C.UTF-8", NULL};
	struct rlimit as = {WINRPC_AS_MAX, WINRPC_AS_MAX};
	int null = open("/dev/null", O_WRONLY);

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || null < 0 ||
	    dup2(null, 2) < 0)
		_exit(126);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setrlimit(RLIMIT_AS, &as);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Starts the worker; its pid, with *in / *out the parent's ends. */
static pid_t worker_start(const struct winrpc_opts *o, int *in, int *out,
			  char *why, size_t why_len)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1};
	pid_t pid;

	/* sockets, not pipes: send() with MSG_NOSIGNAL to a worker that
	 * died early is an error here, not a SIGPIPE for the whole server;
	 * close-on-exec from the start, so no other child inherits them */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pin) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pout) < 0) {
		snprintf(why, why_len, "socketpair: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_len, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(o, pin[0], pout[1]);
	close(pin[0]);
	close(pout[1]);
	*in = pin[1];
	*out = pout[0];
	fcntl(*in, F_SETFL, O_NONBLOCK);
	fcntl(*out, F_SETFL, O_NONBLOCK);
	return pid;
fail:
	if (pin[0] >= 0) {
		close(pin[0]);
		close(pin[1]);
	}
	if (pout[0] >= 0) {
		close(pout[0]);
		close(pout[1]);
	}
	return -1;
}

/* Feeds every whole line of buf[0..*len) to st and keeps the rest. */
static void lines_feed(struct winrpc_state *st, char *buf, size_t *len)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(buf + start, '\n', *len - start))) {
		winrpc_line_feed(st, buf + start, (size_t)(nl - (buf + start)));
		start = (size_t)(nl - buf) + 1;
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
}

/* Reads the worker's lines until it closes stdout or a deadline passes;
 * 0, or -1 with why set (the caller kills it). */
static int worker_read(const struct winrpc_opts *o, int fd,
		       struct winrpc_state *st, long end_ms, char *why,
		       size_t why_len)
{
	size_t cap = 65536, len = 0, total = 0;
	char *buf = xmalloc(cap);
	long line_end = netio_now_ms() + o->call_ms;
	int rc = -1;

	for (;;) {
		long now = netio_now_ms(),
		     until = line_end < end_ms ? line_end : end_ms;
		ssize_t n;

		if (now >= until) {
			snprintf(why, why_len,
				 "no answer from the RPC worker within %s %d "
				 "ms: killed",
				 until == end_ms ? "the job's" : "the call's",
				 until == end_ms ? o->total_ms : o->call_ms);
			goto out;
		}
		if (!netio_wait(fd, POLLIN, until))
			continue;
		if (len == cap) {
			if (cap >= WINRPC_LINE_MAX) {
				snprintf(why, why_len,
					 "RPC worker line over %u bytes: "
					 "killed",
					 WINRPC_LINE_MAX);
				goto out;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			snprintf(why, why_len, "read: %s", strerror(errno));
			goto out;
		}
		total += (size_t)n;
		if (total > WINRPC_OUT_MAX) {
			snprintf(why, why_len,
				 "RPC worker said more than %u bytes: killed",
				 WINRPC_OUT_MAX);
			goto out;
		}
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n))
			line_end = netio_now_ms() + o->call_ms;
		lines_feed(st, buf, &len);
	}
	if (len)
		winrpc_line_feed(st, buf, len);
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Waits for the worker (killed first when kill_it); its exit as text. */
static void worker_reap(pid_t pid, int kill_it, char *why, size_t why_len)
{
	int status = 0;

	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* a worker that died of a signal of its own says more than what its
	 * death did to us (a send to it that broke, a read cut short): one
	 * that crashes before it reads its job is a crash, whoever ran
	 * first. Our SIGKILL leaves the reason we had; the caller keeps its
	 * stdout open until here, so no SIGPIPE of ours hides among these. */
	if (WIFSIGNALED(status) && (!why[0] || WTERMSIG(status) != SIGKILL))
		snprintf(why, why_len, "the RPC worker died of signal %d",
			 WTERMSIG(status));
}

static void opts_defaults(const struct winrpc_opts *in, struct winrpc_opts *o)
{
	*o = *in;
	if (o->call_ms <= 0)
		o->call_ms = 10000;
	if (o->total_ms <= 0)
		o->total_ms = 120000;
	if (!o->max_values)
		o->max_values = WINRPC_VALUES_MAX;
	if (!o->python)
		o->python = WINRPC_PYTHON;
}

int winrpc_audit_host(const struct winrpc_opts *in, struct winrpc_result *r)
{
	struct winrpc_opts o;
	long start = netio_now_ms();
	int fd_in = -1, fd_out = -1, failed;
	size_t len = 0;
	char *job;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	winrpc_state_init(&r->st);
	opts_defaults(in, &o);
	job = job_text(&o, &len);
	pid = job ? worker_start(&o, &fd_in, &fd_out, r->error,
				 sizeof(r->error))
		  : -1;
	if (pid < 0)
		goto out;
	/* a worker that reads nothing holds this up for one call's time; one
	 * that shut its input before reading the job (it exited, crashed or
	 * closed it) is still read, whoever ran first: what it said and how
	 * it ended tell more than the broken send, which is the error only
	 * when the reading has none */
	failed = netio_send_all(fd_in, job, len, start + o.call_ms, r->error,
				sizeof(r->error));
	close(fd_in);
	if (!failed || errno == EPIPE || errno == ECONNRESET) {
		char read_why[sizeof(r->error)] = "";

		if (worker_read(&o, fd_out, &r->st, start + o.total_ms,
				read_why, sizeof(read_why)) < 0) {
			failed = 1;
			snprintf(r->error, sizeof(r->error), "%s", read_why);
		}
	}
	worker_reap(pid, failed != 0, r->error, sizeof(r->error));
	close(fd_out);
out:
	if (job) {
		secret_wipe(job, len);
		free(job);
	}
	r->elapsed_ms = netio_now_ms() - start;
	if (r->st.cred_index >= 0)
		r->report = winrpc_report(&r->st);
	if (!r->error[0] && r->st.fatal[0])
		snprintf(r->error, sizeof(r->error), "%s", r->st.fatal);
	if (!r->error[0] && !r->report)
		snprintf(r->error, sizeof(r->error), "%s%.400s",
			 r->st.refused[0] ? "every credential refused: "
					  : "no windows credential worked",
			 r->st.refused);
	return r->report ? 0 : -1;
}

void winrpc_result_free(struct winrpc_result *r)
{
	if (!r)
		return;
	json_decref(r->report);
	winrpc_state_free(&r->st);
	memset(r, 0, sizeof(*r));
}
