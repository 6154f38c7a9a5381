/*
 * arp: host discovery on directly connected subnets - ARP who-has
 * (IPv4) and Neighbour Solicitations (IPv6) over AF_PACKET, the probe
 * row PROBE_ARP (probe/probe.h).
 *
 * The row opens one AF_PACKET socket (SOCK_DGRAM) per interface that has
 * a subnet of the family (probe/iface.h), each bound to its interface
 * with a BPF filter that passes only ARP replies (IPv4) or ICMPv6
 * Neighbour Advertisements (IPv6); the engine watches one epoll
 * descriptor over them. It needs CAP_NET_RAW: without it open() fails
 * with a sentence naming the setcap command, and the engine falls back
 * to ICMP/TCP discovery for those targets.
 *
 * Sending: a target is asked only through the interface whose subnet
 * holds it (iface_table_find(); anything else is refused with
 * ENETUNREACH, nothing sent), as a broadcast who-has from that
 * interface's MAC and address, or an NS to the target's solicited-node
 * multicast group with our link-layer address. The kernel's neighbour
 * table is neither read nor written.
 *
 * A reply counts only when all of these hold (else it is read and
 * dropped):
 *   - it came in on the interface the address was asked on, addressed
 *     to us (PACKET_HOST: unicast to our MAC - a broadcast or
 *     gratuitous reply is not), an ARP reply whose target protocol and
 *     hardware addresses are ours, or a solicited NA (S flag, hop limit
 *     255, valid checksum) to our address;
 *   - its sender hardware address equals the Ethernet source (ARP);
 *   - the address it is about was asked in this run (an unsolicited
 *     reply for an address never asked is ignored); the engine then
 *     also wants the attempt still in flight.
 * The reply carries the MAC; the engine tells a MAC that answers for
 * several addresses (proxy ARP) apart (engine/engine.h).
 */
#ifndef NC_ARP_H
#define NC_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"
#include "probe/iface.h"

#define ARP_FRAME_MAX 128 /* the largest request built */

/* Builds the request for target through subnet in: an ARP who-has
 * (IPv4) or a Neighbour Solicitation with its IPv6 header (IPv6) into
 * buf, and the link-layer destination into dst_mac (broadcast, or the
 * solicited-node multicast group). Its length, or 0 when target is not
 * inside in's subnet (nothing to send). */
size_t arp_request_build(uint8_t buf[ARP_FRAME_MAX], const struct iface_net *in,
			 const struct targets_addr *target, uint8_t dst_mac[6]);
/* What a reply says. */
struct arp_answer {
	struct targets_addr from; /* the address it answers for */
	uint8_t mac[6];		  /* and the MAC that has it */
	struct targets_addr to;	  /* our address it was sent to */
	uint8_t to_mac[6];	  /* ARP: our MAC as it names it */
};

/* Parses a frame's payload p (n bytes, from the network header on) of
 * family, from Ethernet source eth_src: 1 with *a when it is an ARP reply
 * whose sender hardware address is eth_src, or a solicited NA (hop limit
 * 255, valid checksum; its MAC from the target link-layer option, else
 * eth_src); 0 otherwise. */
int arp_reply_parse(const uint8_t *p, size_t n, int family,
		    const uint8_t eth_src[6], struct arp_answer *a);
/* 1 when answer a is addressed to subnet in (our address there, and for
 * ARP our MAC), else 0. */
int arp_answer_for(const struct arp_answer *a, const struct iface_net *in);
/* "aa:bb:cc:dd:ee:ff" into out. */
void arp_mac_format(const uint8_t mac[6], char out[18]);

#endif
