/*
 * netio: blocking socket steps with an absolute deadline, for the probes
 * that run on a worker thread (NetBIOS node status, SMB): each step waits
 * with poll() for at most what is left until the deadline, so a peer that
 * accepts and never answers costs at most the deadline.
 *
 * Deadlines are CLOCK_MONOTONIC milliseconds (netio_now_ms() + budget).
 */
#ifndef NC_NETIO_H
#define NC_NETIO_H

#include <stddef.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in milliseconds. */
long netio_now_ms(void);
/* Waits for events on fd until the deadline: 1 ready, 0 timed out. */
int netio_wait(int fd, short events, long deadline_ms);
/* A non-blocking socket of type (SOCK_STREAM, SOCK_DGRAM) connected to
 * host:port within the deadline, or -1 with why filled. A host name is
 * resolved first, not bounded by the deadline: give addresses. */
int netio_connect(const char *host, unsigned port, int type, long deadline_ms,
		  char *why, size_t why_len);
/* Sends all n bytes before the deadline; 0, or -1 with why filled and
 * errno saying why (ETIMEDOUT at the deadline, EPIPE when the peer shut
 * its end, ...). */
int netio_send_all(int fd, const void *buf, size_t n, long deadline_ms,
		   char *why, size_t why_len);
/* Reads exactly n bytes before the deadline; 0, or -1 with why filled
 * (closed by the peer, timed out, an error). */
int netio_recv_all(int fd, void *buf, size_t n, long deadline_ms, char *why,
		   size_t why_len);

#endif
