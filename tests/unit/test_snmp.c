/*
 * snmp probe against a real net-snmp agent (snmpd) started on loopback with
 * a private configuration; every test is skipped when /usr/sbin/snmpd is
 * not installed.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <jansson.h>

#include "probe/snmp.h"

#define SNMPD "/usr/sbin/snmpd"
#define COMMUNITY "nc-t3st-c0mm"
#define SYSNAME "unit-agent-1"
#define SYSDESCR "netcensus unit test agent, \"quoted\" and UTF-8: Zürich"
#define SYSOID "1.3.6.1.4.1.8072.3.2.10"
#define SYSLOC "Test bench, slot 7"
#define SYSCONTACT "tests@example.invalid"
#define V3USER "ncunit"
#define V3AUTH "unit-auth-pass"
#define V3PRIV "unit-priv-pass"
#define V3USER256 "ncunit256"
/* The wait for an agent that answers: a ceiling only (answers come in
 * milliseconds), generous because the machine may be busy. */
#define ANSWER_MS 5000

static char dir[64];
static pid_t agent = -1;
static unsigned port, silent_port;

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* A UDP port on 127.0.0.1 nobody uses now. */
static unsigned free_udp_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned p = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* True while something is bound to 127.0.0.1:p (UDP). */
static int udp_port_bound(unsigned p)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc != 0;
}

static int group_setup(void **state)
{
	char conf[128], persist[128], pidf[128], logf[128], addr[64];
	FILE *f;
	int i, fd;

	(void)state;
	if (access(SNMPD, X_OK) != 0)
		return 0;
	testlib_tmpdir(dir);
	snprintf(conf, sizeof(conf), "%s/snmpd.conf", dir);
	snprintf(persist, sizeof(persist), "%s/persist", dir);
	snprintf(pidf, sizeof(pidf), "%s/snmpd.pid", dir);
	snprintf(logf, sizeof(logf), "%s/snmpd.log", dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
		"sysName %s\nsysDescr %s\nsysObjectID .%s\n"
		"sysLocation %s\nsysContact %s\n"
		"rocommunity %s 127.0.0.1\n"
		"createUser %s SHA %s AES %s\nrouser %s priv\n"
		"createUser %s SHA-256 %s AES-256 %s\nrouser %s priv\n",
		SYSNAME, SYSDESCR, SYSOID, SYSLOC, SYSCONTACT, COMMUNITY,
		V3USER, V3AUTH, V3PRIV, V3USER, V3USER256, V3AUTH, V3PRIV,
		V3USER256);
	fclose(f);
	port = free_udp_port();
	silent_port = free_udp_port();
	if (!port || !silent_port || port == silent_port)
		return -1;
	snprintf(addr, sizeof(addr), "udp:127.0.0.1:%u", port);
	agent = fork();
	if (agent == 0) {
		char persist_opt[160];
		char *const env[] = {(char *)"MIBS=", NULL};

		snprintf(persist_opt, sizeof(persist_opt), "--persistentDir=%s",
			 persist);
		fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execle(SNMPD, SNMPD, "-f", "-Lo", "-C", "-c", conf, "-p", pidf,
		       persist_opt, addr, (char *)NULL, env);
		_exit(127);
	}
	if (agent < 0)
		return -1;
	for (i = 0; i < 3000 && !udp_port_bound(port); i++) /* 60 s */
		usleep(20000);
	if (!udp_port_bound(port)) {
		fprintf(stderr, "# snmpd did not start, see %s\n", logf);
		return -1;
	}
	snmp_probe_init();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (agent > 0) {
		kill(agent, SIGTERM);
		waitpid(agent, NULL, 0);
		agent = -1;
	}
	if (dir[0])
		testlib_rmdir(dir);
	return 0;
}

#define NEED_AGENT()                                                           \
	do {                                                                   \
		if (agent <= 0) {                                              \
			fprintf(stderr, "# %s not installed\n", SNMPD);        \
			skip();                                                \
		}                                                              \
	} while (0)

static json_t *community(const char *c)
{
	return json_pack("{s:s,s:s}", "type", "snmp", "community", c);
}

static json_t *v3cred(const char *user, const char *auth, const char *aproto,
		      const char *pproto, const char *name)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type",
			 "snmp_v3", "name", name, "security_name", user,
			 "security_level", "authPriv", "auth_protocol", aproto,
			 "auth_passphrase", auth, "priv_protocol", pproto,
			 "priv_passphrase", V3PRIV, "context_name", "");
}

static struct snmp_probe_opts opts(int timeout, int deadline, unsigned p)
{
	struct snmp_probe_opts o = {0};

	o.timeout_ms = timeout;
	o.retries = 0;
	o.deadline_ms = deadline;
	o.port = p;
	return o;
}

static const char *sys_str(json_t *report, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(report, "sys"), key));
}

/* The row of a section whose field key equals val, or NULL. */
static json_t *find_row(json_t *report, const char *section, const char *key,
			const char *val)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(report, section), i, row) {
		const char *v = json_string_value(json_object_get(row, key));

		if (v && strcmp(v, val) == 0)
			return row;
	}
	return NULL;
}

struct result {
	json_t *report;
	int rc;
	long ms;
	char err[512];
};

/* Probes 127.0.0.1 with creds (taken) and keeps what came back. */
static void run(struct result *r, json_t *creds, struct snmp_probe_opts o)
{
	long t0 = now_ms();

	r->report = json_object();
	r->rc = snmp_probe("127.0.0.1", creds, &o, r->report, r->err,
			   sizeof(r->err));
	r->ms = now_ms() - t0;
	json_decref(creds);
}

static void test_v2c_system_group(void **state)
{
	struct result r;

	(void)state;
	NEED_AGENT();
	run(&r, json_pack("[o]", community(COMMUNITY)),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	assert_string_equal(sys_str(r.report, "sysName"), SYSNAME);
	assert_string_equal(sys_str(r.report, "sysDescr"), SYSDESCR);
	assert_string_equal(sys_str(r.report, "sysObjectID"), SYSOID);
	assert_string_equal(sys_str(r.report, "sysLocation"), SYSLOC);
	assert_string_equal(sys_str(r.report, "sysContact"), SYSCONTACT);
	assert_string_equal(sys_str(r.report, "snmp_version"), "2c");
	assert_string_equal(sys_str(r.report, "snmp_credential"), "0");
	assert_non_null(sys_str(r.report, "sysUpTime"));
	json_decref(r.report);
}

static void test_interfaces_and_addresses(void **state)
{
	struct result r;
	json_t *lo, *ip, *row, *v;
	const char *k;
	size_t i;

	(void)state;
	NEED_AGENT();
	run(&r, json_pack("[o]", community(COMMUNITY)),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	lo = find_row(r.report, "network", "description", "lo");
	assert_non_null(lo);
	assert_string_equal(json_string_value(json_object_get(lo, "type")),
			    "software loopback");
	assert_string_equal(
		json_string_value(json_object_get(lo, "ifadminstatus")), "up");
	ip = find_row(r.report, "ip", "ip", "127.0.0.1");
	assert_non_null(ip);
	assert_string_equal(json_string_value(json_object_get(ip, "netmask")),
			    "255.0.0.0");
	assert_string_equal(json_string_value(json_object_get(ip, "cidr")),
			    "8");
	assert_string_equal(json_string_value(json_object_get(ip, "network")),
			    "127.0.0.0/8");
	assert_string_equal(
		json_string_value(json_object_get(ip, "net_index")),
		json_string_value(json_object_get(lo, "net_index")));
	/* every value of every row is a string */
	json_array_foreach(json_object_get(r.report, "network"), i, row)
		json_object_foreach(row, k, v)
			assert_true(json_is_string(v));
	json_decref(r.report);
}

static void test_wrong_community_fails_in_time(void **state)
{
	struct result r;

	(void)state;
	NEED_AGENT();
	run(&r, json_pack("[o]", community("not-the-community")),
	    opts(300, 1500, port));
	assert_int_equal(r.rc, -1);
	assert_true(r.ms < 1500 + 200);
	assert_non_null(strstr(r.err, "127.0.0.1"));
	assert_non_null(strstr(r.err, "no answer"));
	assert_null(json_object_get(r.report, "sys"));
	json_decref(r.report);
}

static void test_v3_authpriv(void **state)
{
	struct result r;

	(void)state;
	NEED_AGENT();
	run(&r, json_pack("[o]", v3cred(V3USER, V3AUTH, "SHA", "AES", "v3")),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	assert_string_equal(sys_str(r.report, "snmp_version"), "3");
	assert_string_equal(sys_str(r.report, "sysName"), SYSNAME);
	assert_string_equal(sys_str(r.report, "snmp_credential_name"), "v3");
	json_decref(r.report);

	run(&r,
	    json_pack("[o]", v3cred(V3USER256, V3AUTH, "SHA-256", "AES-256",
				    "v3-256")),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	assert_string_equal(sys_str(r.report, "sysName"), SYSNAME);
	json_decref(r.report);
}

static void test_v3_wrong_passphrase(void **state)
{
	struct result r;

	(void)state;
	NEED_AGENT();
	run(&r,
	    json_pack("[o]",
		      v3cred(V3USER, "wrong-auth-pass", "SHA", "AES", "bad")),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "Authentication failure"));
	assert_null(strstr(r.err, "wrong-auth-pass"));
	assert_true(r.ms < ANSWER_MS); /* a report, not a timeout */
	json_decref(r.report);
}

static void test_silent_port_returns_in_time(void **state)
{
	struct result r;

	(void)state;
	NEED_AGENT();
	run(&r,
	    json_pack("[o,o]", community(COMMUNITY),
		      v3cred(V3USER, V3AUTH, "SHA", "AES", "v3")),
	    opts(1500, 2000, silent_port));
	assert_int_equal(r.rc, -1);
	/* it did wait for answers, up to the deadline; without one its three
	 * unanswered requests (v2c, v3 discovery, v3 get) would take 4.5 s,
	 * so 1.5 s over the deadline leaves room for a busy machine */
	assert_true(r.ms >= 1900);
	assert_true(r.ms < 2000 + 1500);
	assert_non_null(strstr(r.err, "no credential worked"));
	json_decref(r.report);
}

static void test_credentials_in_order(void **state)
{
	struct result r;
	char *dump;

	(void)state;
	NEED_AGENT();
	/* wrong community, right community, v3: the second wins (the wrong
	 * one costs a whole timeout: 2 s, still a ceiling for the answer) */
	run(&r,
	    json_pack("[o,o,o]", community("wrong-one"), community(COMMUNITY),
		      v3cred(V3USER, V3AUTH, "SHA", "AES", "v3")),
	    opts(2000, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	assert_string_equal(sys_str(r.report, "snmp_credential"), "1");
	assert_string_equal(sys_str(r.report, "snmp_version"), "2c");
	dump = json_dumps(r.report, 0);
	assert_null(strstr(dump, COMMUNITY)); /* no secret in the report */
	assert_null(strstr(dump, V3AUTH));
	free(dump);
	json_decref(r.report);

	/* v3 first: it wins although the community would work too */
	run(&r,
	    json_pack("[o,o]", v3cred(V3USER, V3AUTH, "SHA", "AES", "v3"),
		      community(COMMUNITY)),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	assert_int_equal(r.rc, 0);
	assert_string_equal(sys_str(r.report, "snmp_credential"), "0");
	assert_string_equal(sys_str(r.report, "snmp_version"), "3");
	json_decref(r.report);
}

static void test_bad_input(void **state)
{
	struct snmp_probe_opts o = opts(300, 1000, port);
	json_t *creds, *report = json_object();
	struct result r;
	char err[512];

	(void)state;
	NEED_AGENT();
	creds = json_pack("[o]", community(COMMUNITY));
	assert_int_equal(snmp_probe("localhost; rm -rf /", creds, &o, report,
				    err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a numeric address"));
	json_decref(creds);
	json_decref(report);

	run(&r,
	    json_pack("[{s:s,s:s,s:s}]", "type", "snmp_v3", "security_name",
		      V3USER, "security_level", "bogus"),
	    o);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "security_level"));
	json_decref(r.report);

	run(&r, json_pack("[o]", v3cred(V3USER, V3AUTH, "SHA-999", "AES", "x")),
	    o);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "auth_protocol"));
	json_decref(r.report);

	run(&r, json_pack("[{s:s,s:s}]", "type", "ssh", "username", "root"), o);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "none of type snmp"));
	json_decref(r.report);
}

static void test_max_rows_bounds_tables(void **state)
{
	struct snmp_probe_opts o = opts(ANSWER_MS, 4 * ANSWER_MS, port);
	struct result r;

	(void)state;
	NEED_AGENT();
	o.max_rows = 1;
	run(&r, json_pack("[o]", community(COMMUNITY)), o);
	assert_int_equal(r.rc, 0);
	assert_int_equal(json_array_size(json_object_get(r.report, "network")),
			 1);
	assert_true(json_array_size(json_object_get(r.report, "ip")) <= 1);
	json_decref(r.report);
}

struct thread_arg {
	int kind; /* 0 v2c, 1 v3, 2 v3 with a wrong passphrase */
	int rc;
	char name[64];
};

static void *probe_thread(void *arg)
{
	struct thread_arg *a = arg;
	struct result r;
	const char *n;

	run(&r,
	    a->kind == 0
		    ? json_pack("[o]", community(COMMUNITY))
		    : json_pack("[o]",
				v3cred(V3USER,
				       a->kind == 1 ? V3AUTH : "wrong-pass-1",
				       "SHA", "AES", "v3")),
	    opts(ANSWER_MS, 4 * ANSWER_MS, port));
	a->rc = r.rc;
	n = sys_str(r.report, "sysName");
	snprintf(a->name, sizeof(a->name), "%s", n ? n : "");
	json_decref(r.report);
	return NULL;
}

/* Many probes at once, v3 ones with the same user name and engine but
 * right and wrong passphrases: each gets the answer its own keys earn. */
static void test_threads(void **state)
{
	pthread_t th[12];
	struct thread_arg args[12];
	int i;

	(void)state;
	NEED_AGENT();
	for (i = 0; i < 12; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].kind = i % 3;
		pthread_create(&th[i], NULL, probe_thread, &args[i]);
	}
	for (i = 0; i < 12; i++) {
		pthread_join(th[i], NULL);
		if (args[i].kind == 2) {
			assert_int_equal(args[i].rc, -1);
			continue;
		}
		assert_int_equal(args[i].rc, 0);
		assert_string_equal(args[i].name, SYSNAME);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2c_system_group),
		cmocka_unit_test(test_interfaces_and_addresses),
		cmocka_unit_test(test_wrong_community_fails_in_time),
		cmocka_unit_test(test_v3_authpriv),
		cmocka_unit_test(test_v3_wrong_passphrase),
		cmocka_unit_test(test_silent_port_returns_in_time),
		cmocka_unit_test(test_credentials_in_order),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_max_rows_bounds_tables),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
