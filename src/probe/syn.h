/*
 * syn: half-open TCP probes (a "SYN scan", as nmap's -sS and zmap's) -
 * the probe row PROBE_TCP_SYN (probe/probe.h), which stands in for TCP
 * connect wherever the engine probes a TCP port for liveness or state.
 *
 * Why: a full connect is accepted by the service behind an open port. A
 * server that forks per connection (smbd, inetd services) then starts a
 * process for a port that was only asked "are you there?". A SYN answered
 * by a SYN-ACK is enough to call the port open; the handshake is never
 * completed: no socket of ours owns the 4-tuple, so our kernel answers the
 * SYN-ACK with a RST and the target drops its half-open entry before any
 * accept(). Services that must be talked to (SSH, SMB, SNMP...) get their
 * own full connections from their enrichers afterwards.
 *
 * The row opens, per address family, one raw socket (IPPROTO_TCP; needs
 * CAP_NET_RAW), a TCP socket bound to an ephemeral port and never
 * listening - it reserves that port as the source port of every SYN, so no
 * local connect() is given it - and a UDP socket that is connect()ed (which
 * sends nothing) to learn the source address the kernel routes each target
 * from, for the TCP checksum. A BPF filter on the raw socket passes only
 * segments to the reserved port. Without CAP_NET_RAW open() fails with a
 * sentence naming the setcap command, and the engine uses TCP connects.
 *
 * Each SYN's sequence number is a cookie: 16 bits of a keyed hash of the
 * target address and port, and the engine's 16-bit id XOR 16 more bits of
 * it. A SYN-ACK or RST counts only when its ACK is cookie + 1 for the
 * address and port it came from (and the engine then wants that attempt
 * in flight). ICMP errors about a SYN are read from the raw socket's error
 * queue (IP_RECVERR), the quoted TCP header carrying the same cookie.
 */
#ifndef NC_SYN_H
#define NC_SYN_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"

#define SYN_SEGMENT_LEN 24 /* TCP header + the MSS option */

#define SYN_FLAG_FIN 0x01
#define SYN_FLAG_SYN 0x02
#define SYN_FLAG_RST 0x04
#define SYN_FLAG_ACK 0x10

/* A TCP segment as a raw socket read it. */
struct syn_segment {
	struct targets_addr from; /* IPv4: the sender (from the IP header);
				   * IPv6: left to the caller (the raw
				   * socket's recvfrom address) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
};

/* Builds the SYN from src:sport to dst:dport with sequence number seq into
 * buf (TCP header with an MSS option, its checksum over the pseudo-header
 * of src and dst); its length. */
size_t syn_segment_build(uint8_t buf[SYN_SEGMENT_LEN],
			 const struct targets_addr *src,
			 const struct targets_addr *dst, uint16_t sport,
			 uint16_t dport, uint32_t seq);
/* Parses what a raw TCP socket of family read (n bytes): for AF_INET the
 * IPv4 packet with its header, for AF_INET6 the TCP segment alone. 1 with
 * *s for a whole, unfragmented TCP header; 0 for anything else. The TCP
 * checksum is not checked (a veth leaves it to offload; the cookie is the
 * check). */
int syn_segment_parse(const uint8_t *p, size_t n, int family,
		      struct syn_segment *s);
/* The sequence number of the SYN with engine id `id` to dst:dport. */
uint32_t syn_cookie(const uint8_t key[16], const struct targets_addr *dst,
		    uint16_t dport, uint16_t id);
/* 1 with *id when seq is the cookie of a SYN to dst:dport, else 0. */
int syn_cookie_check(const uint8_t key[16], const struct targets_addr *dst,
		     uint16_t dport, uint32_t seq, uint16_t *id);

#endif
