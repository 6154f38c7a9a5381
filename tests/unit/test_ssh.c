/* ssh.h against a real OpenSSH server started here on 127.0.0.1: password
 * and key logins, credential order and names in errors, host key
 * fingerprints and changes, a server that never sends a banner, and the
 * whole Unix audit over one exec channel. Needs root (a test user, sshd's
 * privilege separation); skipped otherwise. */
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "testlib.h"

#include "core/log.h"
#include "core/util.h"
#include "probe/ssh.h"

#define SSHD "/usr/sbin/sshd"
#define TEST_USER "nctest"
#define TEST_PASS "nc-Test-pass-7"
#define KEY_PASS "nc-key-phrase-3"

static char dir[64];
static unsigned port;
static pid_t sshd_pid = -1;
static int ready;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A listening socket on 127.0.0.1 with a kernel-chosen port. */
static int listen_local(unsigned *p)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	*p = ntohs(a.sin_port);
	return fd;
}

static int port_open(unsigned p)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int setup(void **state)
{
	char conf[128];
	FILE *f;
	int fd, i;

	(void)state;
	log_set_level(LOG_QUIET);
	if (geteuid() != 0 || access(SSHD, X_OK) != 0 ||
	    system("command -v ssh-keygen >/dev/null") != 0)
		return 0;
	testlib_tmpdir(dir);
	if (sh("ssh-keygen -q -t ed25519 -N '' -f %s/hostkey && "
	       "ssh-keygen -q -t ed25519 -N '' -f %s/userkey && "
	       "ssh-keygen -q -t ed25519 -N '%s' -f %s/userkey_pw && "
	       "cat %s/userkey.pub %s/userkey_pw.pub >%s/authorized_keys && "
	       "chmod 755 %s && chmod 644 %s/authorized_keys",
	       dir, dir, KEY_PASS, dir, dir, dir, dir, dir, dir) != 0)
		return -1;
	if (sh("id %s >/dev/null 2>&1 || useradd -M -d / -s /bin/sh %s",
	       TEST_USER, TEST_USER) != 0 ||
	    sh("echo '%s:%s' | chpasswd", TEST_USER, TEST_PASS) != 0 ||
	    sh("mkdir -p /run/sshd && chmod 755 /run/sshd") != 0)
		return -1;
	fd = listen_local(&port);
	close(fd);
	snprintf(conf, sizeof(conf), "%s/sshd_config", dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
		"Port %u\nListenAddress 127.0.0.1\nHostKey %s/hostkey\n"
		"PidFile %s/sshd.pid\nUsePAM no\nStrictModes no\n"
		"PasswordAuthentication yes\nPubkeyAuthentication yes\n"
		"KbdInteractiveAuthentication no\n"
		"AuthorizedKeysFile %s/authorized_keys\nAllowUsers %s\n"
		"MaxAuthTries 20\nMaxStartups 50\nLogLevel ERROR\n"
		"PermitRootLogin no\nX11Forwarding no\n",
		port, dir, dir, dir, TEST_USER);
	fclose(f);
	sshd_pid = fork();
	if (sshd_pid == 0) {
		/* Dies with the test, even when an assertion aborts it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(SSHD, SSHD, "-D", "-e", "-f", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1200 && !port_open(port); i++) /* 60 s */
		usleep(50000);
	ready = port_open(port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sshd_pid > 0) {
		kill(sshd_pid, SIGTERM);
		waitpid(sshd_pid, NULL, 0);
	}
	if (dir[0])
		testlib_rmdir(dir);
	return 0;
}

#define NEED_SSHD()                                                            \
	do {                                                                   \
		if (!ready) {                                                  \
			print_message("# needs root and %s\n", SSHD);          \
			skip();                                                \
		}                                                              \
	} while (0)

static struct ssh_audit_opts opts(const struct ssh_audit_cred *c, size_t n)
{
	struct ssh_audit_opts o = {0};

	o.host = "127.0.0.1";
	o.port = port;
	o.creds = c;
	o.ncreds = n;
	o.connect_ms = 3000;
	o.banner_ms = 3000;
	o.auth_ms = 10000;
	o.command_ms = 60000;
	o.total_ms = 90000;
	o.no_audit = 1;
	return o;
}

static const struct ssh_audit_cred good_pw = {
	.name = "lab-good",
	.type = SSH_AUDIT_PASSWORD,
	.username = TEST_USER,
	.password = TEST_PASS,
};
static const struct ssh_audit_cred bad_pw = {
	.name = "lab-wrong",
	.type = SSH_AUDIT_PASSWORD,
	.username = TEST_USER,
	.password = "Wrong-Secret-99",
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void test_password_and_fingerprint(void **state)
{
	struct ssh_audit_result r;
	struct ssh_audit_opts o;
	char cmd[256], *want;

	(void)state;
	NEED_SSHD();
	o = opts(&good_pw, 1);
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	assert_int_equal(r.stage, SSH_STAGE_DONE);
	assert_int_equal(r.cred_index, 0);
	assert_string_equal(r.cred_name, "lab-good");
	assert_string_equal(r.hostkey_type, "ssh-ed25519");
	assert_non_null(strstr(r.banner, "OpenSSH"));
	snprintf(cmd, sizeof(cmd),
		 "ssh-keygen -l -E sha256 -f %s/hostkey.pub | cut -d' ' -f2 "
		 "| tr -d '\\n'",
		 dir);
	want = testlib_run(cmd);
	assert_non_null(want);
	assert_string_equal(r.hostkey, want);
	free(want);
	ssh_audit_result_free(&r);
}

static void test_wrong_password(void **state)
{
	const struct ssh_audit_cred both[] = {bad_pw, good_pw};
	struct ssh_audit_result r;
	struct ssh_audit_opts o;

	(void)state;
	NEED_SSHD();
	/* Alone, the wrong one fails, named, its secret nowhere. */
	o = opts(&bad_pw, 1);
	assert_int_equal(ssh_audit_host(&o, &r), -1);
	assert_int_equal(r.stage, SSH_STAGE_AUTH);
	assert_int_equal(r.cred_index, -1);
	assert_non_null(strstr(r.error, "'lab-wrong'"));
	assert_non_null(strstr(r.error, "127.0.0.1"));
	assert_null(strstr(r.error, bad_pw.password));
	ssh_audit_result_free(&r);
	/* In order: the second one works, and the result says so. */
	o = opts(both, 2);
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	assert_int_equal(r.cred_index, 1);
	assert_string_equal(r.cred_name, "lab-good");
	ssh_audit_result_free(&r);
}

static void test_keys(void **state)
{
	struct ssh_audit_cred c = {.name = "lab-key",
				   .type = SSH_AUDIT_KEY,
				   .username = TEST_USER};
	struct ssh_audit_result r;
	struct ssh_audit_opts o;
	char path[192], *text;
	size_t len;
	const char *why;

	(void)state;
	NEED_SSHD();
	snprintf(path, sizeof(path), "%s/userkey", dir);
	c.key_file = path;
	o = opts(&c, 1);
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	assert_string_equal(r.cred_name, "lab-key");
	ssh_audit_result_free(&r);

	/* The key's text, as stored in the database. */
	text = util_read_file(path, 65536, &len, &why);
	assert_non_null(text);
	c.key_file = NULL;
	c.key = text;
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	ssh_audit_result_free(&r);
	free(text);

	/* A key with a passphrase: right, then wrong. */
	snprintf(path, sizeof(path), "%s/userkey_pw", dir);
	/* cppcheck-suppress redundantAssignment ; o holds &c */
	c.key = NULL;
	c.key_file = path;
	c.passphrase = KEY_PASS;
	c.name = "lab-key-pp";
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	ssh_audit_result_free(&r);
	/* cppcheck-suppress redundantAssignment ; o holds &c */
	c.passphrase = "not-the-phrase";
	assert_int_equal(ssh_audit_host(&o, &r), -1);
	assert_non_null(strstr(r.error, "'lab-key-pp'"));
	assert_null(strstr(r.error, "not-the-phrase"));
	ssh_audit_result_free(&r);
}

static void test_hostkey_change(void **state)
{
	struct ssh_audit_result r;
	struct ssh_audit_opts o;

	(void)state;
	NEED_SSHD();
	o = opts(&good_pw, 1);
	o.known_hostkey = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	assert_int_equal(ssh_audit_host(&o, &r), -1);
	assert_int_equal(r.stage, SSH_STAGE_HOSTKEY);
	assert_int_equal(r.hostkey_changed, 1);
	assert_int_equal(r.cred_index, -1);
	assert_non_null(strstr(r.error, "no credential was sent"));
	ssh_audit_result_free(&r);
	o.allow_changed_hostkey = 1;
	assert_int_equal(ssh_audit_host(&o, &r), 0);
	assert_int_equal(r.hostkey_changed, 1);
	ssh_audit_result_free(&r);
}

/* Accepts TCP (the kernel completes the handshake) but never speaks. */
static void test_no_banner(void **state)
{
	struct ssh_audit_result r;
	struct ssh_audit_opts o;
	unsigned silent;
	int fd = listen_local(&silent), before = count_fds();
	long t0;

	(void)state;
	o = opts(&good_pw, 1);
	o.port = silent;
	o.banner_ms = 1500;
	t0 = now_ms();
	assert_int_equal(ssh_audit_host(&o, &r), -1);
	/* the banner wait, not connect_ms (3 s) or auth_ms (10 s): up to
	 * 1 s late on a busy machine */
	assert_true(now_ms() - t0 < 1500 + 1000);
	assert_true(now_ms() - t0 >= 1400);
	assert_int_equal(r.stage, SSH_STAGE_BANNER);
	assert_non_null(strstr(r.error, "banner"));
	ssh_audit_result_free(&r);
	/* A closed port fails at once, at connect. */
	close(fd);
	assert_int_equal(ssh_audit_host(&o, &r), -1);
	assert_int_equal(r.stage, SSH_STAGE_CONNECT);
	ssh_audit_result_free(&r);
	assert_int_equal(count_fds(), before - 1);
}

static void test_audit_over_ssh(void **state)
{
	struct ssh_audit_result r;
	struct ssh_audit_opts o;
	json_t *sys;
	char *want, *pkgs;
	long n, n0 = -1;
	int before;

	(void)state;
	NEED_SSHD();
	before = count_fds();
	/* packages may come and go while it runs (a shared machine): the
	 * counts before and after bracket what the audit may have seen */
	pkgs = testlib_run("dpkg-query -W 2>/dev/null | wc -l");
	if (pkgs) {
		pkgs[strcspn(pkgs, "\n")] = '\0';
		if (util_parse_long(pkgs, 1, 10000000, &n0) != 0)
			n0 = -1;
	}
	free(pkgs);
	o = opts(&good_pw, 1);
	o.no_audit = 0;
	if (ssh_audit_host(&o, &r) != 0)
		print_error("%s\n", r.error);
	assert_int_equal(r.stage, SSH_STAGE_DONE);
	assert_non_null(r.report);
	assert_int_equal(r.exit_status, 0);
	printf("# audit over ssh: %ld ms, %zu bytes of output\n", r.elapsed_ms,
	       r.output_len);
	sys = json_object_get(r.report, "sys");
	want = testlib_run(". /etc/os-release; printf %s \"$PRETTY_NAME\"");
	assert_non_null(want);
	assert_string_equal(json_string_value(json_object_get(sys, "os_name")),
			    want);
	free(want);
	want = testlib_run("uname -n | cut -d. -f1 | tr -d '\\n'");
	assert_string_equal(json_string_value(json_object_get(sys, "hostname")),
			    want);
	free(want);
	want = testlib_run("dpkg-query -W 2>/dev/null | wc -l");
	if (want)
		want[strcspn(want, "\n")] = '\0';
	if (want && util_parse_long(want, 1, 10000000, &n) == 0 && n0 > 0) {
		long got = (long)json_array_size(
			json_object_get(r.report, "software"));

		assert_true(got >= (n < n0 ? n : n0));
		assert_true(got <= (n < n0 ? n0 : n));
	}
	free(want);
	/* Not root over SSH: the report says what root would have added. */
	assert_non_null(json_object_get(json_object_get(r.report, "source"),
					"needs_root"));
	ssh_audit_result_free(&r);
	assert_int_equal(count_fds(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_and_fingerprint),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_hostkey_change),
		cmocka_unit_test(test_no_banner),
		cmocka_unit_test(test_audit_over_ssh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
