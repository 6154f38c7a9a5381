/*
 * audit_local: runs the embedded collection script on this host.
 *
 * No shell command line is ever built: /bin/sh is started with execve and
 * the fixed arguments "sh -s", the script goes in on stdin and the output
 * comes back on a pipe, both driven by one poll loop so neither side can
 * deadlock on a full pipe. The child leads its own process group, so the
 * deadline kills the script and everything it started, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/log.h"
#include "core/util.h"

static long audit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void audit_child(int in_fd, int out_fd)
{
	static char *const argv[] = {"sh", "-s", NULL};
	static char *const envp[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/"
		"bin",
		"LC_ALL=C",
		"HOME=/",
		NULL,
	};
	int null_fd = open("/dev/null", O_WRONLY);

	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
		_exit(127);
	if (null_fd >= 0 && log_get_level() < LOG_DEBUG)
		dup2(null_fd, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	execve("/bin/sh", argv, envp);
	_exit(127);
}

char *audit_run_local(int timeout_ms, size_t *len)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	size_t slen, written = 0;
	const char *script = audit_script(&slen);
	struct strbuf sb;
	sigset_t pipe_set, old_set;
	pid_t pid = -1;
	long deadline = audit_now_ms() + timeout_ms;
	int status = 0, timed_out = 0, too_big = 0;
	struct timespec zero = {0, 0};
	char *ret = NULL;
	char buf[65536];

	strbuf_init(&sb, AUDIT_MAX_OUTPUT);
	/* A script that exits before reading all of stdin must not kill us
	 * with SIGPIPE; EPIPE is handled below. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (pipe(in) != 0 || pipe(out) != 0) {
		log_err("audit: pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		log_err("audit: fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(in[1]);
		close(out[0]);
		audit_child(in[0], out[1]);
	}
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pf[2] = {{out[0], POLLIN, 0},
				       {in[1], POLLOUT, 0}};
		long left = deadline - audit_now_ms();
		int nfds = in[1] >= 0 ? 2 : 1;
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(pf, (nfds_t)nfds, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			log_err("audit: poll: %s", strerror(errno));
			break;
		}
		if (nfds == 2 && (pf[1].revents & (POLLOUT | POLLERR))) {
			n = write(in[1], script + written, slen - written);
			if (n > 0)
				written += (size_t)n;
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				written = slen; /* EPIPE: the shell is gone */
			if (written >= slen) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(out[0], buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;
			if (strbuf_append(&sb, buf, (size_t)n) != 0) {
				too_big = 1;
				break;
			}
		}
	}
	/* The shell closed its output; give it until the deadline to exit. */
	while (!timed_out && !too_big) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (audit_now_ms() >= deadline) {
			timed_out = 1;
			break;
		}
		usleep(10000);
	}
	if (timed_out || too_big) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	pid = -1;
	if (timed_out) {
		log_err("audit: the collection script did not finish within "
			"%d ms; raise --timeout",
			timeout_ms);
		goto fail;
	}
	if (too_big) {
		log_err("audit: the collection script wrote more than %u "
			"bytes",
			AUDIT_MAX_OUTPUT);
		goto fail;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && sb.len == 0) {
		log_err("audit: could not run /bin/sh");
		goto fail;
	}
	if (!sb.data)
		strbuf_append(&sb, "", 0);
	*len = sb.len;
	ret = sb.data;
	sb.data = NULL;
fail:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	/* Drop a SIGPIPE raised while it was blocked, then unblock. */
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	strbuf_free(&sb);
	return ret;
}
