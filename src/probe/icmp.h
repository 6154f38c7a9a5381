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
 */
#ifndef NC_ICMP_H
#define NC_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"

#define ICMP_KEY_BYTES 16

struct icmp_sock {
	int fd;			/* -1 when closed */
	int family;		/* AF_INET or AF_INET6 */
	int raw;		/* 1: SOCK_RAW, 0: ping socket */
	uint16_t id;		/* echo id (raw sockets; the kernel's for ping) */
	uint8_t key[ICMP_KEY_BYTES];
};

struct icmp_reply {
	struct targets_addr from;
	uint16_t seq;
	uint64_t stamp;		/* the send time carried in the payload */
};

/* Opens a non-blocking echo socket for family with a cookie key; 0, or -1
 * with a sentence for the user in why (nothing logged). */
int icmp_open(struct icmp_sock *s, int family,
	      const uint8_t key[ICMP_KEY_BYTES], char *why, size_t why_len);
void icmp_close(struct icmp_sock *s);

/* Sends one echo request; 0, or -1 with errno set (EAGAIN: try later). */
int icmp_send_echo(struct icmp_sock *s, const struct targets_addr *dst,
		   uint16_t seq, uint64_t stamp);
/* Reads one packet: 1 and *out for a valid echo reply, 0 for a packet
 * that is not one of ours (ignored), -1 when nothing is left to read. */
int icmp_recv_reply(struct icmp_sock *s, struct icmp_reply *out);

#endif
