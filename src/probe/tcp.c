#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/probe.h"
#include "probe/tcp.h"

enum tcp_state tcp_state_from_errno(int err)
{
	switch (err) {
	case 0:
	case EISCONN:
		return TCP_OPEN;
	case ECONNREFUSED:
	case ECONNRESET:
		return TCP_CLOSED;
	case ETIMEDOUT:
		return TCP_FILTERED;
	case EADDRNOTAVAIL:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EAGAIN:
	case EINTR:
		return TCP_LOCAL;
	default: /* EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, EACCES, ... */
		return TCP_UNREACH;
	}
}

int tcp_connect_start(const struct targets_addr *a, uint16_t port,
		      enum tcp_state *state)
{
	struct sockaddr_storage ss;
	socklen_t len = targets_addr_to_sockaddr(a, port, &ss);
	int fd, err, on = 1;

	fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*state = TCP_LOCAL;
		return -1;
	}
	/* an ICMP error about the SYN lands in the error queue, with the
	 * address of whoever sent it (tcp_connect_verdict) */
	setsockopt(fd, a->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		   a->family == AF_INET ? IP_RECVERR : IPV6_RECVERR, &on,
		   sizeof(on));
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		*state = TCP_OPEN;
		tcp_set_reset(fd);
		close(fd);
		return -1;
	}
	err = errno;
	if (err == EINPROGRESS) {
		*state = TCP_PENDING;
		return fd;
	}
	*state = tcp_state_from_errno(err);
	close(fd);
	return -1;
}

enum tcp_state tcp_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return TCP_LOCAL;
	return tcp_state_from_errno(err);
}

enum icmp_verdict tcp_connect_verdict(int fd, const struct targets_addr *a)
{
	uint8_t buf[128];
	struct icmp_errinfo ei;
	int rc;

	while ((rc = icmp_errqueue_read(fd, a->family, buf, sizeof(buf),
					&ei)) >= 0)
		if (rc == 1 && targets_addr_equal(&ei.target, a))
			return icmp_error_verdict(a->family, ei.type, ei.code,
						  &ei.from, a);
	return ICMP_V_NONE;
}

void tcp_set_reset(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

const char *tcp_state_name(enum tcp_state s)
{
	static const char *const names[] = {"pending",	   "open",
					    "closed",	   "filtered",
					    "unreachable", "local-error"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* ---- the probe row (probe/probe.h): a connect per attempt ---- */

static int tcp_row_connect(const struct probe_send *ps, enum tcp_state *st)
{
	return tcp_connect_start(ps->addr, ps->port, st);
}

static enum tcp_state tcp_row_ready(int fd, uint32_t events,
				    const struct targets_addr *a,
				    enum icmp_verdict *v)
{
	enum tcp_state st = tcp_connect_result(fd);

	*v = ICMP_V_NONE;
	if (st == TCP_OPEN)
		tcp_set_reset(fd); /* the close sends a RST */
	else if (st == TCP_UNREACH)
		*v = tcp_connect_verdict(fd, a);
	else if (st == TCP_LOCAL)
		st = TCP_UNREACH; /* SO_ERROR itself failed */
	return st;
}

const struct probe_module probe_tcp_connect = {
	.name = "tcp-connect",
	.sock = PROBE_OWN,
	.alive_answer = PROBE_ALIVE_OPEN,
	.alive_refused = PROBE_ALIVE_RST,
	.tcp_syn = 1,
	.connect = tcp_row_connect,
	.ready = tcp_row_ready,
};
