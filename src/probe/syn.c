#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/icmp.h"
#include "probe/probe.h"
#include "probe/syn.h"

#define SYN_IP4_MIN 20
#define SYN_TCP_MIN 20
#define SYN_MSS 1460
#define SYN_WINDOW 1024
#define SYN_RCVBUF (1 << 20) /* a burst of replies waits here */
#define SYN_PSEUDO_MAX 40    /* the IPv6 pseudo-header */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

size_t syn_segment_build(uint8_t buf[SYN_SEGMENT_LEN],
			 const struct targets_addr *src,
			 const struct targets_addr *dst, uint16_t sport,
			 uint16_t dport, uint32_t seq)
{
	uint8_t b[SYN_PSEUDO_MAX + SYN_SEGMENT_LEN];
	size_t alen = dst->family == AF_INET ? 4 : 16;
	size_t ph = dst->family == AF_INET ? 12 : SYN_PSEUDO_MAX;
	uint16_t sum;

	memset(buf, 0, SYN_SEGMENT_LEN);
	put16(buf, sport);
	put16(buf + 2, dport);
	put32(buf + 4, seq);
	buf[12] = (SYN_SEGMENT_LEN / 4) << 4; /* data offset */
	buf[13] = SYN_FLAG_SYN;
	put16(buf + 14, SYN_WINDOW);
	buf[20] = 2; /* MSS, 4 bytes */
	buf[21] = 4;
	put16(buf + 22, SYN_MSS);
	/* the pseudo-header: addresses, protocol, length (RFC 793, 8200) */
	memset(b, 0, sizeof(b));
	memcpy(b, src->a, alen);
	memcpy(b + alen, dst->a, alen);
	if (dst->family == AF_INET) {
		b[9] = IPPROTO_TCP;
		put16(b + 10, SYN_SEGMENT_LEN);
	} else {
		put16(b + 34, SYN_SEGMENT_LEN);
		b[39] = IPPROTO_TCP;
	}
	memcpy(b + ph, buf, SYN_SEGMENT_LEN);
	sum = icmp_checksum(b, ph + SYN_SEGMENT_LEN);
	put16(buf + 16, sum);
	return SYN_SEGMENT_LEN;
}

int syn_segment_parse(const uint8_t *p, size_t n, int family,
		      struct syn_segment *s)
{
	size_t off = 0, ihl;

	memset(s, 0, sizeof(*s));
	if (family == AF_INET) {
		if (n < SYN_IP4_MIN || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP)
			return 0;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		/* a fragment's offset or a first fragment's cut header */
		if (ihl < SYN_IP4_MIN || (get16(p + 6) & 0x1fff) != 0)
			return 0;
		s->from.family = AF_INET;
		memcpy(s->from.a, p + 12, 4);
		off = ihl;
	} else if (family != AF_INET6) {
		return 0;
	}
	if (n < off || n - off < SYN_TCP_MIN ||
	    (size_t)(p[off + 12] >> 4) * 4 < SYN_TCP_MIN)
		return 0;
	p += off;
	s->sport = get16(p);
	s->dport = get16(p + 2);
	s->seq = get32(p + 4);
	s->ack = get32(p + 8);
	s->flags = p[13];
	return 1;
}

/* 64 bits of a keyed hash of the address and port a SYN went to. */
static uint64_t syn_hash(const uint8_t key[16], const struct targets_addr *dst,
			 uint16_t dport)
{
	uint8_t in[19], h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	memset(in, 0, sizeof(in));
	in[0] = (uint8_t)dst->family;
	memcpy(in + 1, dst->a, dst->family == AF_INET ? 4 : 16);
	put16(in + 17, dport);
	crypto_shorthash(h, in, sizeof(in), key);
	for (i = 0; i < sizeof(h); i++)
		v = v << 8 | h[i];
	return v;
}

uint32_t syn_cookie(const uint8_t key[16], const struct targets_addr *dst,
		    uint16_t dport, uint16_t id)
{
	uint64_t h = syn_hash(key, dst, dport);

	return (uint32_t)(h >> 32 & 0xffff0000u) | (uint16_t)(id ^ (uint16_t)h);
}

int syn_cookie_check(const uint8_t key[16], const struct targets_addr *dst,
		     uint16_t dport, uint32_t seq, uint16_t *id)
{
	uint64_t h = syn_hash(key, dst, dport);

	if ((seq & 0xffff0000u) != (uint32_t)(h >> 32 & 0xffff0000u))
		return 0;
	*id = (uint16_t)(seq ^ (uint16_t)h);
	return 1;
}

/* ---- the probe row (probe/probe.h) ---- */

struct syn_priv {
	int family;
	int reserve; /* the bound TCP socket holding sport */
	int route;   /* the UDP socket that finds each source address */
	uint16_t sport;
	uint8_t key[PROBE_KEY_BYTES];
};

/* Passes only TCP segments to port: a raw socket gets a copy of every TCP
 * segment the host receives. An IPv4 raw socket sees the IP header, an
 * IPv6 one the TCP header. */
static int syn_filter(int fd, int family, uint16_t port)
{
	struct sock_filter v4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), /* x = header len */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};

	if (family == AF_INET)
		return probe_filter_attach(fd, v4, sizeof(v4) / sizeof(v4[0]));
	return probe_filter_attach(fd, v6, sizeof(v6) / sizeof(v6[0]));
}

/* Binds a TCP socket to an ephemeral port of family and never listens on
 * it: the port is ours, and a SYN-ACK to it finds no socket (our kernel
 * resets it). 0, or -1 with errno. */
static int syn_reserve(struct syn_priv *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;

	p->reserve = socket(p->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->reserve < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)p->family;
	if (p->family == AF_INET6)
		setsockopt(p->reserve, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			   sizeof(one));
	if (bind(p->reserve, (struct sockaddr *)&ss,
		 p->family == AF_INET ? sizeof(struct sockaddr_in)
				      : sizeof(struct sockaddr_in6)) < 0 ||
	    getsockname(p->reserve, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	p->sport = p->family == AF_INET
			   ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
			   : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static void syn_row_close(struct probe_chan *c)
{
	struct syn_priv *p = c->priv;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (!p)
		return;
	if (p->reserve >= 0)
		close(p->reserve);
	if (p->route >= 0)
		close(p->route);
	free(p);
	c->priv = NULL;
}

static int syn_row_open(struct probe_chan *c, int family,
			const uint8_t key[PROBE_KEY_BYTES], char *why,
			size_t why_len)
{
	struct syn_priv *p = xcalloc(1, sizeof(*p));
	int on = 1, size = SYN_RCVBUF;
	const char *what = "raw socket";

	c->priv = p;
	c->family = family;
	p->family = family;
	p->reserve = p->route = -1;
	memcpy(p->key, key, PROBE_KEY_BYTES);
	c->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP);
	if (c->fd < 0) {
		c->no_cap = errno == EPERM || errno == EACCES;
		probe_why_raw(why, why_len, "a half-open TCP probe", "raw",
			      errno);
		goto fail;
	}
	what = "source port";
	if (syn_reserve(p) < 0)
		goto fail_errno;
	what = "route socket";
	p->route = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->route < 0)
		goto fail_errno;
	what = "filter";
	setsockopt(c->fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		   family == AF_INET ? IP_RECVERR : IPV6_RECVERR, &on,
		   sizeof(on));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	probe_sndbuf_fit(c->fd, c->burst);
	if (syn_filter(c->fd, family, p->sport) < 0)
		goto fail_errno;
	log_debug("half-open TCP over IPv%d: source port %u",
		  family == AF_INET ? 4 : 6, p->sport);
	return 0;
fail_errno:
	snprintf(why, why_len, "half-open TCP probes: %s: %s", what,
		 strerror(errno));
fail:
	syn_row_close(c);
	return -1;
}

static int syn_row_send(struct probe_chan *c, const struct probe_send *ps)
{
	struct syn_priv *p = c->priv;
	struct sockaddr_storage ss, me;
	socklen_t len = targets_addr_to_sockaddr(ps->addr, ps->port, &ss);
	socklen_t mlen = sizeof(me);
	struct targets_addr src;
	uint8_t seg[SYN_SEGMENT_LEN];

	if (ps->addr->family != p->family) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* the source address the kernel routes this target from (a UDP
	 * connect sends nothing) */
	if (connect(p->route, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(p->route, (struct sockaddr *)&me, &mlen) < 0 ||
	    targets_addr_from_sockaddr((struct sockaddr *)&me, &src) < 0)
		return -1;
	syn_segment_build(seg, &src, ps->addr, p->sport, ps->port,
			  syn_cookie(p->key, ps->addr, ps->port, ps->id));
	/* a raw socket takes no port (IPv6 wants 0 or the protocol) */
	len = targets_addr_to_sockaddr(ps->addr, 0, &ss);
	if (sendto(c->fd, seg, sizeof(seg), 0, (struct sockaddr *)&ss, len) < 0)
		return -1;
	return 0;
}

static int syn_row_recv(struct probe_chan *c, struct probe_reply *out)
{
	struct syn_priv *p = c->priv;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint8_t buf[2048];
	struct syn_segment s;
	ssize_t n;

	n = recvfrom(c->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return -1;
	if (!syn_segment_parse(buf, (size_t)n, p->family, &s) ||
	    s.dport != p->sport)
		return 0;
	if (p->family == AF_INET6 &&
	    targets_addr_from_sockaddr((struct sockaddr *)&ss, &s.from) < 0)
		return 0;
	/* a SYN-ACK (open) or a RST (closed), both acknowledging our SYN */
	if (!(s.flags & SYN_FLAG_ACK) ||
	    !(s.flags & SYN_FLAG_RST ||
	      (s.flags & (SYN_FLAG_SYN | SYN_FLAG_FIN)) == SYN_FLAG_SYN))
		return 0;
	memset(out, 0, sizeof(*out));
	if (!syn_cookie_check(p->key, &s.from, s.sport, s.ack - 1, &out->id))
		return 0;
	out->from = s.from;
	out->port = s.sport;
	out->refused = (s.flags & SYN_FLAG_RST) != 0;
	return 1;
}

static int syn_row_recv_error(struct probe_chan *c, struct probe_reply *out)
{
	struct syn_priv *p = c->priv;
	uint8_t buf[512];
	struct icmp_errinfo ei;
	uint16_t id;
	int rc = icmp_errqueue_read(c->fd, p->family, buf, sizeof(buf), &ei);

	if (rc <= 0)
		return rc;
	/* the quoted TCP header, from its first byte: ports, then seq */
	if (ei.len < 8 || get16(buf) != p->sport ||
	    !syn_cookie_check(p->key, &ei.target, get16(buf + 2),
			      get32(buf + 4), &id))
		return 0;
	memset(out, 0, sizeof(*out));
	out->error = 1;
	out->id = id;
	out->from = ei.from;
	out->target = ei.target;
	out->verdict = icmp_error_verdict(p->family, ei.type, ei.code, &ei.from,
					  &ei.target);
	return 1;
}

const struct probe_module probe_tcp_syn = {
	.name = "tcp-syn",
	.sock = PROBE_SHARED,
	.alive_answer = PROBE_ALIVE_OPEN,
	.alive_refused = PROBE_ALIVE_RST,
	.half_open = 1,
	.open = syn_row_open,
	.close = syn_row_close,
	.send = syn_row_send,
	.recv = syn_row_recv,
	.recv_error = syn_row_recv_error,
};
