/*
 * icmp: ICMP and ICMPv6 echo for host discovery, validated statelessly.
 *
 * icmp_open() prefers the unprivileged ping socket (SOCK_DGRAM,
 * IPPROTO_ICMP), which Linux allows when the process's group is inside
 * net.ipv4.ping_group_range (per network namespace; off by default), and
 * falls back to a raw socket, which needs CAP_NET_RAW. When neither works
 * it says so in `why`, naming both fixes. One socket per family serves
 * every probe: the sequence number tells the caller which probe a reply
 * belongs to, and the payload carries the send time and a keyed cookie
 * (SipHash of key, address, id, sequence and time) so a reply is accepted
 * only if it echoes exactly what was sent to that address - stray,
 * forged or late replies from other hosts fail the check, with no table
 * lookup needed to reject them.
 *
 * ICMP errors about our echoes (destination unreachable, from a router
 * that failed to resolve the address, or from a firewall) are read too:
 * from the ping socket's error queue (IP_RECVERR) or, on a raw socket,
 * from the quoted packet. icmp_error_verdict() says what such an error
 * means for the target - the TCP probe reads the same errors from its
 * socket and classifies them the same way.
 */
#ifndef NC_ICMP_H
#define NC_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"

#define ICMP_KEY_BYTES 16

struct icmp_sock {
	int fd;	     /* -1 when closed */
	int family;  /* AF_INET or AF_INET6 */
	int raw;     /* 1: SOCK_RAW, 0: ping socket */
	uint16_t id; /* echo id (raw sockets; the kernel's for ping) */
	uint8_t key[ICMP_KEY_BYTES];
};

struct icmp_reply {
	struct targets_addr from; /* who sent it: the target, or for an
				   * error, the router that did */
	uint16_t seq;
	uint64_t stamp;		    /* the send time carried in the payload; for
				     * an error 0 unless the quote held it */
	int error;		    /* 1: an ICMP error about our echo */
	uint8_t type, code;	    /* the error's ICMP type and code */
	struct targets_addr target; /* error: where that echo went */
};

/* What an ICMP error about a probe says about the probe's target. */
enum icmp_verdict {
	ICMP_V_NONE = 0, /* nothing (TTL exceeded, fragmentation...) */
	ICMP_V_DEAD,	 /* a router says no host has the address */
	ICMP_V_FILTERED, /* something on the way forbids the probe */
	ICMP_V_ALIVE	 /* the target itself sent the error */
};

/* The Internet checksum (RFC 1071) of n bytes: 0 over a packet whose
 * checksum field is right. */
uint16_t icmp_checksum(const uint8_t *p, size_t n);
/* Opens a non-blocking echo socket for family with a cookie key; 0, or -1
 * with a sentence for the user in why (nothing logged). */
int icmp_open(struct icmp_sock *s, int family,
	      const uint8_t key[ICMP_KEY_BYTES], char *why, size_t why_len);
void icmp_close(struct icmp_sock *s);

/* Sends one echo request; 0, or -1 with errno set (EAGAIN: try later). */
int icmp_send_echo(struct icmp_sock *s, const struct targets_addr *dst,
		   uint16_t seq, uint64_t stamp);
/* Reads one packet: 1 and *out for a valid echo reply, 2 for an ICMP
 * error about one of our echoes (raw sockets), 0 for a packet that is not
 * one of ours (ignored), -1 when nothing is left to read. */
int icmp_recv_reply(struct icmp_sock *s, struct icmp_reply *out);
/* Reads one entry of a ping socket's error queue: 2 and *out for an ICMP
 * error about one of our echoes, 0 for anything else, -1 when empty. */
int icmp_recv_error(struct icmp_sock *s, struct icmp_reply *out);
/* One entry of a socket's error queue (IP_RECVERR / IPV6_RECVERR). */
struct icmp_errinfo {
	struct targets_addr target; /* where the failed packet went */
	struct targets_addr from;   /* who sent the ICMP error */
	uint8_t type, code;
	size_t len; /* bytes of the quoted packet read */
};

/* Reads one entry of fd's error queue into buf/ei: 1 for an ICMP error,
 * 0 for another entry (ignored), -1 when the queue is empty. Shared by
 * the echo and the TCP probes. */
int icmp_errqueue_read(int fd, int family, uint8_t *buf, size_t len,
		       struct icmp_errinfo *ei);
/* What ICMP error type/code of family, sent by `from` about a probe to
 * `target`, says about the target. */
enum icmp_verdict icmp_error_verdict(int family, uint8_t type, uint8_t code,
				     const struct targets_addr *from,
				     const struct targets_addr *target);

#endif
