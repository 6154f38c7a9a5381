#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/netio.h"

long netio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int netio_wait(int fd, short events, long deadline_ms)
{
	struct pollfd pf = {fd, events, 0};
	int rc;

	for (;;) {
		long left = deadline_ms - netio_now_ms();

		if (left < 0)
			left = 0;
		rc = poll(&pf, 1, (int)left);
		if (rc >= 0 || errno != EINTR)
			return rc > 0 ? 1 : 0;
	}
}

int netio_connect(const char *host, unsigned port, int type, long deadline_ms,
		  char *why, size_t why_len)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char serv[8];
	int fd = -1, err = 0, rc;
	socklen_t elen = sizeof(err);
	long budget = deadline_ms - netio_now_ms();

	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", port);
	rc = getaddrinfo(host, serv, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(why, why_len, "cannot resolve %s: %s", host,
			 gai_strerror(rc));
		goto fail;
	}
	fd = socket(ai->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, why_len, "socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			snprintf(why, why_len, "connect to port %u: %s", port,
				 strerror(errno));
			goto fail;
		}
		if (!netio_wait(fd, POLLOUT, deadline_ms)) {
			snprintf(why, why_len,
				 "connect to port %u: no answer within %ld ms",
				 port, budget > 0 ? budget : 0);
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
		    err != 0) {
			snprintf(why, why_len, "connect to port %u: %s", port,
				 strerror(err ? err : errno));
			goto fail;
		}
	}
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	if (ai)
		freeaddrinfo(ai);
	return -1;
}

int netio_send_all(int fd, const void *buf, size_t n, long deadline_ms,
		   char *why, size_t why_len)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			int e = errno;

			snprintf(why, why_len, "send: %s", strerror(e));
			errno = e;
			return -1;
		}
		if (!netio_wait(fd, POLLOUT, deadline_ms)) {
			snprintf(why, why_len, "send: timed out");
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

int netio_recv_all(int fd, void *buf, size_t n, long deadline_ms, char *why,
		   size_t why_len)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			snprintf(why, why_len,
				 "the server closed the "
				 "connection");
			return -1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(why, why_len, "recv: %s", strerror(errno));
			return -1;
		}
		if (!netio_wait(fd, POLLIN, deadline_ms)) {
			snprintf(why, why_len, "no answer in time");
			return -1;
		}
	}
	return 0;
}
