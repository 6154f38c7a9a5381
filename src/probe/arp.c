#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/arp.h"
#include "probe/icmp.h"
#include "probe/probe.h"

#define ARP_LEN 28 /* an Ethernet/IPv4 ARP packet */
#define IP6_LEN 40 /* the IPv6 header */
#define NS_LEN 32  /* an NS with our link-layer address option */
#define NA_MIN 24  /* an NA without options */
#define ICMP6_NS 135
#define ICMP6_NA 136
#define NA_SOLICITED 0x40
#define OPT_SRC_LLADDR 1
#define OPT_TGT_LLADDR 2
#define ARP_RCVBUF (1 << 20) /* a reply storm waits here, not lost */
#define ARP_KEY_LEN 17	     /* the family, then 16 bytes */
#define ARP_MSG_MAX 2048     /* the longest ICMPv6 message checked */

static const uint8_t arp_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void arp_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

/* ---- packets ---- */

/* The ICMPv6 checksum of msg (n bytes, at most ARP_MSG_MAX) between src
 * and dst: over the pseudo-header, then the message. */
static uint16_t arp_icmp6_sum(const uint8_t src[16], const uint8_t dst[16],
			      const uint8_t *msg, size_t n)
{
	uint8_t b[IP6_LEN + ARP_MSG_MAX];

	if (n > ARP_MSG_MAX)
		return 1; /* cannot be summed: not valid */
	memset(b, 0, IP6_LEN);
	memcpy(b, src, 16);
	memcpy(b + 16, dst, 16);
	b[34] = (uint8_t)(n >> 8);
	b[35] = (uint8_t)n;
	b[39] = IPPROTO_ICMPV6;
	memcpy(b + IP6_LEN, msg, n);
	return icmp_checksum(b, IP6_LEN + n);
}

size_t arp_request_build(uint8_t buf[ARP_FRAME_MAX], const struct iface_net *in,
			 const struct targets_addr *target, uint8_t dst_mac[6])
{
	uint8_t *icmp = buf + IP6_LEN;
	uint16_t sum;

	if (!iface_net_contains(in, target))
		return 0; /* never ask a subnet for an address not in it */
	memset(buf, 0, ARP_FRAME_MAX);
	if (target->family == AF_INET) {
		static const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 1};

		memcpy(buf, head, sizeof(head)); /* Ethernet, IPv4, who-has */
		memcpy(buf + 8, in->mac, 6);
		memcpy(buf + 14, in->addr.a, 4);
		memcpy(buf + 24, target->a, 4); /* target MAC: zero */
		memcpy(dst_mac, arp_bcast, 6);
		return ARP_LEN;
	}
	buf[0] = 0x60;
	buf[5] = NS_LEN;
	buf[6] = IPPROTO_ICMPV6;
	buf[7] = 255; /* hop limit: RFC 4861 wants 255 */
	memcpy(buf + 8, in->addr.a, 16);
	/* the solicited-node group ff02::1:ffXX:XXXX of the target */
	buf[24] = 0xff;
	buf[25] = 0x02;
	buf[35] = 0x01;
	buf[36] = 0xff;
	memcpy(buf + 37, target->a + 13, 3);
	icmp[0] = ICMP6_NS;
	memcpy(icmp + 8, target->a, 16);
	icmp[24] = OPT_SRC_LLADDR;
	icmp[25] = 1; /* 8 bytes */
	memcpy(icmp + 26, in->mac, 6);
	sum = arp_icmp6_sum(buf + 8, buf + 24, icmp, NS_LEN);
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	dst_mac[0] = 0x33;
	dst_mac[1] = 0x33;
	memcpy(dst_mac + 2, buf + 36, 4);
	return IP6_LEN + NS_LEN;
}

/* 1 for a MAC a single station can have (not zero, broadcast or
 * multicast). */
static int arp_mac_unicast(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

static int arp_parse_v4(const uint8_t *p, size_t n, const uint8_t eth_src[6],
			struct arp_answer *a)
{
	static const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 2};

	if (n < ARP_LEN || memcmp(p, head, sizeof(head)) != 0)
		return 0;
	/* the station that sent the frame is the one it names */
	if (memcmp(p + 8, eth_src, 6) != 0 || !arp_mac_unicast(p + 8))
		return 0;
	a->from.family = a->to.family = AF_INET;
	memcpy(a->mac, p + 8, 6);
	memcpy(a->from.a, p + 14, 4);
	memcpy(a->to_mac, p + 18, 6);
	memcpy(a->to.a, p + 24, 4);
	return a->from.a[0] != 0; /* 0.0.0.0: a probe, not an answer */
}

static int arp_parse_v6(const uint8_t *p, size_t n, const uint8_t eth_src[6],
			struct arp_answer *a)
{
	const uint8_t *icmp = p + IP6_LEN, *o;
	size_t plen, off;

	if (n < IP6_LEN + NA_MIN || (p[0] >> 4) != 6 ||
	    p[6] != IPPROTO_ICMPV6 || p[7] != 255)
		return 0;
	plen = (size_t)(p[4] << 8 | p[5]);
	if (plen < NA_MIN || IP6_LEN + plen > n || icmp[0] != ICMP6_NA ||
	    icmp[1] != 0 || !(icmp[4] & NA_SOLICITED) || icmp[8] == 0xff)
		return 0;
	if (arp_icmp6_sum(p + 8, p + 24, icmp, plen) != 0)
		return 0;
	a->from.family = a->to.family = AF_INET6;
	memcpy(a->from.a, icmp + 8, 16);
	memcpy(a->to.a, p + 24, 16);
	memcpy(a->mac, eth_src, 6);
	for (off = NA_MIN; off + 2 <= plen; off += (size_t)o[1] * 8) {
		o = icmp + off;
		if (o[1] == 0 || off + (size_t)o[1] * 8 > plen)
			return 0; /* a malformed option list */
		if (o[0] == OPT_TGT_LLADDR && o[1] == 1)
			memcpy(a->mac, o + 2, 6);
	}
	return arp_mac_unicast(a->mac);
}

int arp_reply_parse(const uint8_t *p, size_t n, int family,
		    const uint8_t eth_src[6], struct arp_answer *a)
{
	memset(a, 0, sizeof(*a));
	return family == AF_INET ? arp_parse_v4(p, n, eth_src, a)
				 : arp_parse_v6(p, n, eth_src, a);
}

int arp_answer_for(const struct arp_answer *a, const struct iface_net *in)
{
	if (!targets_addr_equal(&a->to, &in->addr))
		return 0;
	return a->to.family != AF_INET || memcmp(a->to_mac, in->mac, 6) == 0;
}

/* ---- what the run asked ---- */

struct arp_ent {
	uint8_t key[ARP_KEY_LEN];
	uint8_t used;
	uint16_t id;  /* the last attempt's id */
	uint32_t net; /* the subnet it went through */
};

struct arp_map {
	struct arp_ent *v;
	size_t cap, n; /* cap: a power of two, at most half full */
};

static void arp_key_addr(const struct targets_addr *a, uint8_t k[ARP_KEY_LEN])
{
	memset(k, 0, ARP_KEY_LEN);
	k[0] = (uint8_t)a->family;
	memcpy(k + 1, a->a, a->family == AF_INET ? 4 : 16);
}

static size_t arp_slot(const struct arp_map *m, const uint8_t *hk,
		       const uint8_t k[ARP_KEY_LEN])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	crypto_shorthash(h, k, ARP_KEY_LEN, hk);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (size_t)v & (m->cap - 1);
}

/* The entry of key k; with add, created (zeroed but for the key) when it
 * is not there. NULL when absent and not added. */
static struct arp_ent *arp_map_get(struct arp_map *m, const uint8_t *hk,
				   const uint8_t k[ARP_KEY_LEN], int add)
{
	size_t i;

	if (add && (m->n + 1) * 2 > m->cap) {
		struct arp_map g = {.cap = m->cap ? m->cap * 2 : 256};

		g.v = xcalloc(g.cap, sizeof(*g.v));
		for (i = 0; i < m->cap; i++) {
			size_t j;

			if (!m->v[i].used)
				continue;
			j = arp_slot(&g, hk, m->v[i].key);
			while (g.v[j].used)
				j = (j + 1) & (g.cap - 1);
			g.v[j] = m->v[i];
		}
		g.n = m->n;
		free(m->v);
		*m = g;
	}
	if (!m->cap)
		return NULL;
	for (i = arp_slot(m, hk, k); m->v[i].used; i = (i + 1) & (m->cap - 1))
		if (!memcmp(m->v[i].key, k, ARP_KEY_LEN))
			return &m->v[i];
	if (!add)
		return NULL;
	memcpy(m->v[i].key, k, ARP_KEY_LEN);
	m->v[i].used = 1;
	m->n++;
	return &m->v[i];
}

/* ---- the probe row (probe/probe.h) ---- */

struct arp_sock {
	int fd;
	int ifindex;
};

struct arp_priv {
	int family;
	uint8_t key[PROBE_KEY_BYTES]; /* of the maps' hash */
	struct iface_table ifs;
	struct arp_sock *socks;
	size_t n_socks, cur;
	struct arp_map asked; /* address -> the id of its last attempt */
};

static uint16_t arp_proto(int family)
{
	return htons(family == AF_INET ? ETH_P_ARP : ETH_P_IPV6);
}

/* Passes ARP replies (opcode 2), or ICMPv6 type 136 right after the IPv6
 * header; a SOCK_DGRAM filter sees the packet from the network header. */
static int arp_filter(int fd, int family)
{
	static struct sock_filter v4[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	static struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_LEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ICMP6_NA, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};

	if (family == AF_INET)
		return probe_filter_attach(fd, v4, sizeof(v4) / sizeof(v4[0]));
	return probe_filter_attach(fd, v6, sizeof(v6) / sizeof(v6[0]));
}

/* The sentence for a socket that cannot be had: the missing capability
 * and the command that grants it. */
static void arp_why(char *why, size_t len, int family, int err)
{
	probe_why_raw(why, len,
		      family == AF_INET ? "ARP on directly connected subnets"
					: "NDP on directly connected subnets",
		      "packet", err);
}

/* Opens the socket of interface ifindex into p (once per interface);
 * 0, or -1 with errno. */
static int arp_sock_open(struct arp_priv *p, int ep, int ifindex,
			 unsigned burst)
{
	struct sockaddr_ll sll;
	struct epoll_event ev;
	int fd, size = ARP_RCVBUF, err;
	size_t i;

	for (i = 0; i < p->n_socks; i++)
		if (p->socks[i].ifindex == ifindex)
			return 0;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    arp_proto(p->family));
	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = arp_proto(p->family);
	sll.sll_ifindex = ifindex;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	probe_sndbuf_fit(fd, burst);
	if (arp_filter(fd, p->family) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	p->socks = xrealloc(p->socks, (p->n_socks + 1) * sizeof(*p->socks));
	p->socks[p->n_socks].fd = fd;
	p->socks[p->n_socks++].ifindex = ifindex;
	return 0;
}

static void arp_row_close(struct probe_chan *c)
{
	struct arp_priv *p = c->priv;
	size_t i;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (!p)
		return;
	for (i = 0; i < p->n_socks; i++)
		close(p->socks[i].fd);
	free(p->socks);
	free(p->asked.v);
	iface_table_free(&p->ifs);
	free(p);
	c->priv = NULL;
}

static int arp_row_open(struct probe_chan *c, int family,
			const uint8_t key[PROBE_KEY_BYTES], char *why,
			size_t why_len)
{
	struct arp_priv *p = xcalloc(1, sizeof(*p));
	size_t i;

	c->priv = p;
	c->family = family;
	p->family = family;
	memcpy(p->key, key, PROBE_KEY_BYTES);
	c->fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->fd < 0) {
		snprintf(why, why_len, "ARP/NDP: epoll: %s", strerror(errno));
		goto fail;
	}
	if (iface_table_load(&p->ifs) < 0) {
		snprintf(why, why_len, "ARP/NDP: cannot list the interfaces");
		goto fail;
	}
	for (i = 0; i < p->ifs.n; i++) {
		if (p->ifs.nets[i].addr.family != family)
			continue;
		if (arp_sock_open(p, c->fd, p->ifs.nets[i].ifindex, c->burst) <
		    0) {
			c->no_cap = errno == EPERM || errno == EACCES;
			arp_why(why, why_len, family, errno);
			goto fail;
		}
		log_debug("%s on %s: packet socket open",
			  family == AF_INET ? "ARP" : "NDP",
			  p->ifs.nets[i].name);
	}
	if (p->n_socks == 0) {
		snprintf(why, why_len, "%s: no directly connected subnet",
			 family == AF_INET ? "ARP" : "NDP");
		goto fail;
	}
	return 0;
fail:
	arp_row_close(c);
	return -1;
}

static const struct arp_sock *arp_sock_of(const struct arp_priv *p, int ifindex)
{
	size_t i;

	for (i = 0; i < p->n_socks; i++)
		if (p->socks[i].ifindex == ifindex)
			return &p->socks[i];
	return NULL;
}

static int arp_row_send(struct probe_chan *c, const struct probe_send *ps)
{
	struct arp_priv *p = c->priv;
	const struct iface_net *in = iface_table_find(&p->ifs, ps->addr);
	const struct arp_sock *s = in ? arp_sock_of(p, in->ifindex) : NULL;
	uint8_t buf[ARP_FRAME_MAX], k[ARP_KEY_LEN];
	struct sockaddr_ll sll;
	struct arp_ent *e;
	size_t len;

	/* an address that is not on one of our subnets is never asked */
	if (!s || ps->addr->family != p->family) {
		errno = ENETUNREACH;
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	len = arp_request_build(buf, in, ps->addr, sll.sll_addr);
	if (!len) {
		errno = ENETUNREACH;
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = arp_proto(p->family);
	sll.sll_ifindex = in->ifindex;
	sll.sll_halen = 6;
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll)) <
	    0)
		return -1;
	arp_key_addr(ps->addr, k);
	e = arp_map_get(&p->asked, p->key, k, 1);
	e->id = ps->id;
	e->net = (uint32_t)(in - p->ifs.nets);
	return 0;
}

/* A frame read from s: 1 with *out when it answers an address asked
 * through that interface, else 0. */
static int arp_take(struct arp_priv *p, const struct arp_sock *s,
		    const uint8_t *buf, size_t n, const struct sockaddr_ll *sll,
		    struct probe_reply *out)
{
	uint8_t k[ARP_KEY_LEN];
	struct arp_answer a;
	struct arp_ent *asked;

	if (sll->sll_pkttype != PACKET_HOST || sll->sll_halen != 6 ||
	    sll->sll_ifindex != s->ifindex ||
	    !arp_reply_parse(buf, n, p->family, sll->sll_addr, &a))
		return 0;
	arp_key_addr(&a.from, k);
	asked = arp_map_get(&p->asked, p->key, k, 0);
	if (!asked || p->ifs.nets[asked->net].ifindex != s->ifindex ||
	    !arp_answer_for(&a, &p->ifs.nets[asked->net]))
		return 0;
	memset(out, 0, sizeof(*out));
	out->from = a.from;
	out->id = asked->id;
	memcpy(out->mac, a.mac, 6);
	out->has_mac = 1;
	return 1;
}

static int arp_row_recv(struct probe_chan *c, struct probe_reply *out)
{
	struct arp_priv *p = c->priv;
	uint8_t buf[2048];
	size_t tried = 0;

	while (tried < p->n_socks) {
		const struct arp_sock *s = &p->socks[p->cur];
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&sll, &sl);

		if (n < 0) { /* this one is empty: the next */
			p->cur = (p->cur + 1) % p->n_socks;
			tried++;
			continue;
		}
		return arp_take(p, s, buf, (size_t)n, &sll, out);
	}
	return -1;
}

const struct probe_module probe_arp = {
	.name = "arp",
	.sock = PROBE_SHARED,
	.alive_answer = PROBE_ALIVE_ARP,
	.alive_refused = PROBE_ALIVE_ARP,
	.link_layer = 1,
	.open = arp_row_open,
	.close = arp_row_close,
	.send = arp_row_send,
	.recv = arp_row_recv,
};
