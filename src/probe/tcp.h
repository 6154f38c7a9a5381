/*
 * tcp: non-blocking TCP connect probes - the port scan and the half of host
 * discovery that finds hosts which drop ICMP.
 *
 * A probe is one socket: tcp_connect_start() begins the handshake and
 * either settles at once or leaves a socket for the caller to watch for
 * EPOLLOUT; tcp_connect_result() reads the outcome from SO_ERROR. A
 * completed handshake is OPEN; a RST (ECONNREFUSED) is CLOSED, which still
 * proves the host is there; no answer before the caller's deadline is
 * FILTERED; an ICMP unreachable or a failed ARP is UNREACH; running out of
 * local sockets or ports is LOCAL - try again later, it says nothing about
 * the target. The caller owns the socket and closes it; after OPEN it
 * should call tcp_set_reset() first, so closing sends a RST instead of
 * leaving TIME_WAIT behind on every probed port.
 *
 * UNREACH alone does not say who refused: a router that found no host,
 * a firewall, or the target itself. Probe sockets ask for IP_RECVERR, so
 * tcp_connect_verdict() can read the ICMP error and its sender.
 */
#ifndef NC_TCP_H
#define NC_TCP_H

#include <stdint.h>

#include "core/targets.h"
#include "probe/icmp.h"

enum tcp_state {
	TCP_PENDING = 0, /* handshake under way: wait for EPOLLOUT */
	TCP_OPEN,
	TCP_CLOSED,
	TCP_FILTERED,
	TCP_UNREACH,
	TCP_LOCAL
};

/* Starts a connect to a:port. Returns the socket with *state = PENDING,
 * or -1 with *state the final outcome (no socket left open). */
int tcp_connect_start(const struct targets_addr *a, uint16_t port,
		      enum tcp_state *state);
/* The outcome of a socket that became writable or errored. */
enum tcp_state tcp_connect_result(int fd);
/* The outcome an errno from connect() or SO_ERROR stands for. */
enum tcp_state tcp_state_from_errno(int err);
/* After an UNREACH: what the ICMP error queued on fd (the probe to a)
 * says - ICMP_V_DEAD when a router found no host there; ICMP_V_NONE when
 * no ICMP error is queued (e.g. a local routing failure). */
enum icmp_verdict tcp_connect_verdict(int fd, const struct targets_addr *a);
/* Makes close() abort the connection with a RST (SO_LINGER 0). */
void tcp_set_reset(int fd);
/* "open", "closed", "filtered", "unreachable", "local-error", "pending". */
const char *tcp_state_name(enum tcp_state s);

#endif
