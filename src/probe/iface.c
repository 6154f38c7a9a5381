#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/iface.h"

/* The hardware side of one interface, from its AF_PACKET entry. */
struct iface_hw {
	const char *name;
	int ifindex;
	unsigned short hatype;
	uint8_t mac[6];
};

static unsigned iface_prefix_len(const uint8_t *mask, size_t n)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = mask[i];

		while (b & 0x80) {
			bits++;
			b = (uint8_t)(b << 1);
		}
		if (mask[i] != 0xff)
			break;
	}
	return bits;
}

void iface_table_add_own(struct iface_table *t, const struct targets_addr *a)
{
	t->own = xrealloc(t->own, (t->n_own + 1) * sizeof(*t->own));
	t->own[t->n_own++] = *a;
}

void iface_table_add(struct iface_table *t, const struct iface_net *n)
{
	t->nets = xrealloc(t->nets, (t->n + 1) * sizeof(*t->nets));
	t->nets[t->n++] = *n;
	iface_table_add_own(t, &n->addr);
}

void iface_table_free(struct iface_table *t)
{
	if (!t)
		return;
	free(t->nets);
	free(t->own);
	memset(t, 0, sizeof(*t));
}

/* 1 when the interface of hw and flags can carry ARP / NDP probes. */
static int iface_usable(const struct iface_hw *hw, unsigned flags)
{
	return hw && hw->hatype == ARPHRD_ETHER && (flags & IFF_UP) &&
	       !(flags & (IFF_LOOPBACK | IFF_NOARP | IFF_POINTOPOINT));
}

/* The prefix lengths that leave room for hosts on a link. */
static int iface_prefix_ok(const struct targets_addr *a, unsigned prefix)
{
	if (a->family == AF_INET)
		return prefix >= 1 && prefix <= 30;
	/* fe80::/10: link-local, which a target cannot name without a
	 * scope */
	if (a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80)
		return 0;
	return prefix >= 1 && prefix <= 127;
}

int iface_table_load(struct iface_table *t)
{
	struct ifaddrs *all, *i;
	struct iface_hw *hw = NULL;
	size_t n_hw = 0, k;

	memset(t, 0, sizeof(*t));
	if (getifaddrs(&all) < 0) {
		log_err("cannot list the network interfaces: %s",
			strerror(errno));
		return -1;
	}
	for (i = all; i; i = i->ifa_next) {
		const struct sockaddr_ll *sll;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET)
			continue;
		sll = (const struct sockaddr_ll *)(const void *)i->ifa_addr;
		hw = xrealloc(hw, (n_hw + 1) * sizeof(*hw));
		memset(&hw[n_hw], 0, sizeof(*hw));
		hw[n_hw].name = i->ifa_name;
		hw[n_hw].ifindex = sll->sll_ifindex;
		hw[n_hw].hatype = sll->sll_hatype;
		if (sll->sll_halen == 6)
			memcpy(hw[n_hw].mac, sll->sll_addr, 6);
		n_hw++;
	}
	for (i = all; i; i = i->ifa_next) {
		struct iface_net net;
		struct targets_addr mask;
		const struct iface_hw *h = NULL;

		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&net, 0, sizeof(net));
		if (targets_addr_from_sockaddr(i->ifa_addr, &net.addr) < 0)
			continue;
		for (k = 0; k < n_hw && !h; k++)
			if (!strcmp(hw[k].name, i->ifa_name))
				h = &hw[k];
		if (!i->ifa_netmask || !iface_usable(h, i->ifa_flags)) {
			iface_table_add_own(t, &net.addr);
			continue;
		}
		if (targets_addr_from_sockaddr(i->ifa_netmask, &mask) < 0)
			continue;
		net.prefix = iface_prefix_len(
			mask.a, net.addr.family == AF_INET ? 4 : 16);
		if (!iface_prefix_ok(&net.addr, net.prefix)) {
			iface_table_add_own(t, &net.addr);
			continue;
		}
		net.ifindex = h->ifindex;
		snprintf(net.name, sizeof(net.name), "%s", i->ifa_name);
		memcpy(net.mac, h->mac, 6);
		iface_table_add(t, &net);
	}
	free(hw);
	freeifaddrs(all);
	return 0;
}

int iface_net_contains(const struct iface_net *n, const struct targets_addr *a)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;
	uint8_t m;

	if (a->family != n->addr.family)
		return 0;
	if (memcmp(a->a, n->addr.a, full) != 0)
		return 0;
	if (!rest)
		return 1;
	m = (uint8_t)(0xff << (8 - rest));
	return (a->a[full] & m) == (n->addr.a[full] & m);
}

/* 1 when a is the broadcast address of IPv4 subnet n (the network
 * address is asked like any other: no host answers it, and the kernel
 * would try to resolve it for ICMP/TCP). */
static int iface_v4_bcast(const struct iface_net *n,
			  const struct targets_addr *a)
{
	uint32_t v = (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
		     (uint32_t)a->a[2] << 8 | a->a[3];
	uint32_t host = n->prefix >= 32 ? 0 : 0xffffffffu >> n->prefix;

	if (a->family != AF_INET)
		return 0;
	return (v & host) == host;
}

const struct iface_net *iface_table_find(const struct iface_table *t,
					 const struct targets_addr *a)
{
	const struct iface_net *best = NULL;
	size_t i;

	for (i = 0; i < t->n_own; i++)
		if (targets_addr_equal(&t->own[i], a))
			return NULL;
	for (i = 0; i < t->n; i++)
		if (iface_net_contains(&t->nets[i], a) &&
		    (!best || t->nets[i].prefix > best->prefix))
			best = &t->nets[i];
	if (best && iface_v4_bcast(best, a))
		return NULL;
	return best;
}
