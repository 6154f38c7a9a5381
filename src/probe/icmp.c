#include <errno.h>
#include <time.h> /* struct timespec, for linux/errqueue.h */
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
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

#define ICMP_HDR 8
#define ICMP_PAYLOAD 16 /* stamp (8) + cookie (8) */
#define IP6_HDR 40
/* Linux raw ICMP filter (linux/icmp.h clashes with netinet headers). */
#define NC_SOL_RAW 255
#define NC_ICMP_FILTER 1

static void icmp_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t icmp_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void icmp_cookie(const struct icmp_sock *s, const struct targets_addr *a,
			uint16_t seq, uint64_t stamp, uint8_t out[8])
{
	uint8_t in[16 + 1 + 2 + 2 + 8];

	memcpy(in, a->a, 16);
	in[16] = (uint8_t)a->family;
	/* a ping socket's id is chosen by the kernel: leave it out */
	in[17] = s->raw ? (uint8_t)(s->id >> 8) : 0;
	in[18] = s->raw ? (uint8_t)s->id : 0;
	in[19] = (uint8_t)(seq >> 8);
	in[20] = (uint8_t)seq;
	icmp_put64(in + 21, stamp);
	crypto_shorthash(out, in, sizeof(in), s->key);
}

uint16_t icmp_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int icmp_socket(int family, int type)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}

int icmp_open(struct icmp_sock *s, int family,
	      const uint8_t key[ICMP_KEY_BYTES], char *why, size_t why_len)
{
	int dgram_err, raw_err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->family = family;
	memcpy(s->key, key, ICMP_KEY_BYTES);
	if (sodium_init() < 0) {
		snprintf(why, why_len, "libsodium failed to initialise");
		return -1;
	}
	s->fd = icmp_socket(family, SOCK_DGRAM);
	if (s->fd >= 0) {
		int on = 1;

		/* ICMP errors about our echoes come to the error queue */
		if (family == AF_INET)
			setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &on,
				   sizeof(on));
		else
			setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
				   sizeof(on));
		return 0;
	}
	dgram_err = errno;
	s->fd = icmp_socket(family, SOCK_RAW);
	if (s->fd < 0) {
		raw_err = errno;
		snprintf(why, why_len,
			 "cannot send %s echo: ping socket: %s (allow it with "
			 "sysctl net.ipv4.ping_group_range=\"0 2147483647\"); "
			 "raw socket: %s (needs root or CAP_NET_RAW, e.g. "
			 "setcap cap_net_raw+ep netcensus)",
			 family == AF_INET ? "ICMP" : "ICMPv6",
			 strerror(dgram_err), strerror(raw_err));
		return -1;
	}
	s->raw = 1;
	randombytes_buf(&s->id, sizeof(s->id));
	if (family == AF_INET) {
		uint32_t mask =
			~(1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH);

		setsockopt(s->fd, NC_SOL_RAW, NC_ICMP_FILTER, &mask,
			   sizeof(mask));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return 0;
}

void icmp_close(struct icmp_sock *s)
{
	if (s && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

int icmp_send_echo(struct icmp_sock *s, const struct targets_addr *dst,
		   uint16_t seq, uint64_t stamp)
{
	uint8_t pkt[ICMP_HDR + ICMP_PAYLOAD];
	struct sockaddr_storage ss;
	socklen_t len;

	if (dst->family != s->family) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = s->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (uint8_t)(s->id >> 8);
	pkt[5] = (uint8_t)s->id;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	icmp_put64(pkt + ICMP_HDR, stamp);
	icmp_cookie(s, dst, seq, stamp, pkt + ICMP_HDR + 8);
	if (s->family == AF_INET) { /* ICMPv6: the kernel sums it */
		uint16_t c = icmp_checksum(pkt, sizeof(pkt));

		pkt[2] = (uint8_t)(c >> 8);
		pkt[3] = (uint8_t)c;
	}
	len = targets_addr_to_sockaddr(dst, 0, &ss);
	if (sendto(s->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) < 0)
		return -1;
	return 0;
}

/* Checks a quoted echo request (an ICMP header and what follows, n bytes
 * of it) that went to target: 1 and out->seq/stamp when it is one of ours.
 * The cookie is checked only when the quote is long enough to hold it
 * (routers may quote just 8 bytes); the caller still matches the sequence
 * number and the target against a probe in flight. */
static int icmp_quoted_echo(const struct icmp_sock *s,
			    const struct targets_addr *target, const uint8_t *q,
			    size_t n, struct icmp_reply *out)
{
	uint8_t req = s->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	uint8_t want[8];

	if (n < ICMP_HDR || q[0] != req || q[1] != 0)
		return 0;
	if (s->raw && (uint16_t)(q[4] << 8 | q[5]) != s->id)
		return 0;
	out->seq = (uint16_t)(q[6] << 8 | q[7]);
	out->stamp = 0;
	if (n >= ICMP_HDR + ICMP_PAYLOAD) {
		uint64_t stamp = icmp_get64(q + ICMP_HDR);

		icmp_cookie(s, target, out->seq, stamp, want);
		if (sodium_memcmp(want, q + ICMP_HDR + 8, 8) != 0)
			return 0;
		out->stamp = stamp;
	}
	out->target = *target;
	out->error = 1;
	return 1;
}

/* A raw socket's destination-unreachable message p (n bytes, from the
 * ICMP header on): 2 when it is about one of our echoes, else 0. */
static int icmp_raw_error(const struct icmp_sock *s, const uint8_t *p, size_t n,
			  struct icmp_reply *out)
{
	struct targets_addr target = {.family = s->family};
	const uint8_t *in = p + ICMP_HDR; /* the quoted IP packet */
	size_t ihl;

	if (n < ICMP_HDR)
		return 0;
	out->type = p[0];
	out->code = p[1];
	n -= ICMP_HDR;
	if (s->family == AF_INET) {
		if (p[0] != ICMP_DEST_UNREACH || n < 20 || (in[0] >> 4) != 4)
			return 0;
		ihl = (size_t)(in[0] & 0x0f) * 4;
		if (ihl < 20 || n < ihl || in[9] != IPPROTO_ICMP)
			return 0;
		memcpy(target.a, in + 16, 4);
	} else {
		if (p[0] != ICMP6_DST_UNREACH || n < IP6_HDR ||
		    (in[0] >> 4) != 6 || in[6] != IPPROTO_ICMPV6)
			return 0;
		ihl = IP6_HDR;
		memcpy(target.a, in + 24, 16);
	}
	return icmp_quoted_echo(s, &target, in + ihl, n - ihl, out) ? 2 : 0;
}

int icmp_recv_reply(struct icmp_sock *s, struct icmp_reply *out)
{
	uint8_t buf[1500], want[8];
	const uint8_t *p = buf;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n;
	uint8_t reply_type;
	uint16_t id;

	n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	if (targets_addr_from_sockaddr((struct sockaddr *)&ss, &out->from) < 0)
		return 0;
	if (s->raw && s->family == AF_INET) { /* skip the IP header */
		size_t ihl;

		if (n < 20)
			return 0;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < 20 || (size_t)n < ihl)
			return 0;
		p += ihl;
		n -= (ssize_t)ihl;
	}
	if (s->raw && n >= ICMP_HDR &&
	    p[0] == (s->family == AF_INET ? ICMP_DEST_UNREACH
					  : ICMP6_DST_UNREACH))
		return icmp_raw_error(s, p, (size_t)n, out);
	if (n < ICMP_HDR + ICMP_PAYLOAD)
		return 0;
	reply_type = s->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
	if (p[0] != reply_type || p[1] != 0)
		return 0;
	id = (uint16_t)(p[4] << 8 | p[5]);
	if (s->raw && id != s->id)
		return 0;
	out->seq = (uint16_t)(p[6] << 8 | p[7]);
	out->stamp = icmp_get64(p + ICMP_HDR);
	icmp_cookie(s, &out->from, out->seq, out->stamp, want);
	if (sodium_memcmp(want, p + ICMP_HDR + 8, 8) != 0)
		return 0;
	return 1;
}

int icmp_errqueue_read(int fd, int family, uint8_t *buf, size_t len,
		       struct icmp_errinfo *ei)
{
	struct sockaddr_storage ss;
	char ctl[512];
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_name = &ss,
			   .msg_namelen = sizeof(ss),
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ss, 0, sizeof(ss));
	n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return -1;
	memset(ei, 0, sizeof(*ei));
	ei->len = (size_t)n;
	if (targets_addr_from_sockaddr((struct sockaddr *)&ss, &ei->target) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		const struct sock_extended_err *ee;

		if (!((c->cmsg_level == IPPROTO_IP &&
		       c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 &&
		       c->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		if (ee->ee_origin != (family == AF_INET ? SO_EE_ORIGIN_ICMP
							: SO_EE_ORIGIN_ICMP6))
			return 0;
		ei->type = ee->ee_type;
		ei->code = ee->ee_code;
		if (targets_addr_from_sockaddr(SO_EE_OFFENDER(ee), &ei->from) <
		    0)
			return 0;
		return 1;
	}
	return 0;
}

int icmp_recv_error(struct icmp_sock *s, struct icmp_reply *out)
{
	uint8_t buf[512];
	struct icmp_errinfo ei;
	int rc = icmp_errqueue_read(s->fd, s->family, buf, sizeof(buf), &ei);

	if (rc <= 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->from = ei.from;
	out->type = ei.type;
	out->code = ei.code;
	/* the ping socket hands back the quoted echo, from its header on */
	return icmp_quoted_echo(s, &ei.target, buf, ei.len, out) ? 2 : 0;
}

enum icmp_verdict icmp_error_verdict(int family, uint8_t type, uint8_t code,
				     const struct targets_addr *from,
				     const struct targets_addr *target)
{
	if (family == AF_INET ? type != ICMP_DEST_UNREACH
			      : type != ICMP6_DST_UNREACH)
		return ICMP_V_NONE;
	/* whatever it says, a host that answers is there */
	if (targets_addr_equal(from, target))
		return ICMP_V_ALIVE;
	if (family == AF_INET) {
		switch (code) {
		case ICMP_NET_UNREACH:
		case ICMP_HOST_UNREACH:
		case ICMP_NET_UNKNOWN:
		case ICMP_HOST_UNKNOWN:
		case ICMP_HOST_ISOLATED:
			return ICMP_V_DEAD;
		case ICMP_FRAG_NEEDED:
		case ICMP_SR_FAILED:
			return ICMP_V_NONE;
		default: /* prohibited, port/protocol from a firewall */
			return ICMP_V_FILTERED;
		}
	}
	switch (code) {
	case ICMP6_DST_UNREACH_NOROUTE:
	case ICMP6_DST_UNREACH_BEYONDSCOPE:
	case ICMP6_DST_UNREACH_ADDR:
		return ICMP_V_DEAD;
	default:
		return ICMP_V_FILTERED;
	}
}

/* ---- the probe row (probe/probe.h): echo over one shared socket per
 * family; the id is the sequence number, the cookie the keyed hash in the
 * payload ---- */

static int icmp_row_open(struct probe_chan *c, int family,
			 const uint8_t key[PROBE_KEY_BYTES], char *why,
			 size_t why_len)
{
	struct icmp_sock *s = xcalloc(1, sizeof(*s));

	if (icmp_open(s, family, key, why, why_len) < 0) {
		free(s);
		return -1;
	}
	c->fd = s->fd;
	c->family = family;
	c->priv = s;
	probe_sndbuf_fit(s->fd, c->burst);
	log_debug("%s echo through a %s socket",
		  family == AF_INET ? "ICMP" : "ICMPv6",
		  s->raw ? "raw" : "ping (unprivileged)");
	return 0;
}

static void icmp_row_close(struct probe_chan *c)
{
	icmp_close(c->priv);
	free(c->priv);
	c->priv = NULL;
	c->fd = -1;
}

static int icmp_row_send(struct probe_chan *c, const struct probe_send *ps)
{
	return icmp_send_echo(c->priv, ps->addr, ps->id, ps->stamp);
}

/* An icmp_recv_* result as the engine takes it. */
static int icmp_row_reply(const struct icmp_sock *s, int rc,
			  const struct icmp_reply *rep, struct probe_reply *out)
{
	if (rc <= 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->from = rep->from;
	out->id = rep->seq;
	out->stamp = rep->stamp;
	if (rc == 2) {
		out->error = 1;
		out->target = rep->target;
		out->verdict =
			icmp_error_verdict(s->family, rep->type, rep->code,
					   &rep->from, &rep->target);
	}
	return 1;
}

static int icmp_row_recv(struct probe_chan *c, struct probe_reply *out)
{
	struct icmp_reply rep;

	return icmp_row_reply(c->priv, icmp_recv_reply(c->priv, &rep), &rep,
			      out);
}

static int icmp_row_recv_error(struct probe_chan *c, struct probe_reply *out)
{
	struct icmp_reply rep;

	return icmp_row_reply(c->priv, icmp_recv_error(c->priv, &rep), &rep,
			      out);
}

const struct probe_module probe_icmp_echo = {
	.name = "icmp-echo",
	.sock = PROBE_SHARED,
	/* an error the target itself sends about the echo proves it too */
	.alive_answer = PROBE_ALIVE_ECHO,
	.alive_refused = PROBE_ALIVE_ECHO,
	.open = icmp_row_open,
	.close = icmp_row_close,
	.send = icmp_row_send,
	.recv = icmp_row_recv,
	.recv_error = icmp_row_recv_error,
};
