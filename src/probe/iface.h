/*
 * iface: the host's directly connected subnets, as getifaddrs() lists them
 * - the question "is this target on a segment of mine, and through which
 * interface would I ARP for it?".
 *
 * A subnet counts when its interface is up, Ethernet-like (ARPHRD_ETHER:
 * Ethernet, bridges, bonds, VLANs, veth), does ARP (no IFF_NOARP), is not
 * the loopback and not point-to-point, and the prefix leaves room for
 * hosts (IPv4 /1 to /30, IPv6 /1 to /127; IPv6 link-local fe80::/10 is left
 * out, as targets carry no scope). iface_table_find() answers for one
 * target: the longest matching prefix, never one of the host's own
 * addresses (on any interface, loopback included) and never an IPv4
 * subnet's broadcast address - those go to the ordinary probes.
 *
 * The table owns its arrays; iface_table_free() releases them. Loading
 * needs no privilege.
 */
#ifndef NC_IFACE_H
#define NC_IFACE_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"

#define IFACE_NAME_MAX 16 /* IFNAMSIZ */

/* One directly connected subnet: an address of an interface and its
 * prefix length. */
struct iface_net {
	int ifindex;
	char name[IFACE_NAME_MAX];
	uint8_t mac[6];		  /* the interface's hardware address */
	struct targets_addr addr; /* the interface's own address in it */
	unsigned prefix;	  /* the subnet's length in bits */
};

struct iface_table {
	struct iface_net *nets; /* subnets that can be ARPed / NDPed */
	size_t n;
	struct targets_addr *own; /* every address of the host */
	size_t n_own;
};

/* Fills t from getifaddrs(); 0, or -1 (logged). An empty table is not an
 * error. */
int iface_table_load(struct iface_table *t);
/* Adds one subnet (load, and tests that build a table by hand); also
 * records its address as one of the host's own. */
void iface_table_add(struct iface_table *t, const struct iface_net *n);
/* Records an own address that is no ARP subnet (loopback...). */
void iface_table_add_own(struct iface_table *t, const struct targets_addr *a);
void iface_table_free(struct iface_table *t);

/* 1 when a lies inside n's subnet (same family, same prefix bits). */
int iface_net_contains(const struct iface_net *n, const struct targets_addr *a);
/* The subnet through which a is reached on the link (rules above), or
 * NULL when a is not on a directly connected subnet. */
const struct iface_net *iface_table_find(const struct iface_table *t,
					 const struct targets_addr *a);

#endif
