#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/icmp.h"

#define ICMP_HDR 8
#define ICMP_PAYLOAD 16		/* stamp (8) + cookie (8) */
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

static void icmp_cookie(const struct icmp_sock *s,
			const struct targets_addr *a, uint16_t seq,
			uint64_t stamp, uint8_t out[8])
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

static uint16_t icmp_checksum(const uint8_t *p, size_t n)
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
	if (s->fd >= 0)
		return 0;
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
		uint32_t mask = ~(1u << ICMP_ECHOREPLY);

		setsockopt(s->fd, NC_SOL_RAW, NC_ICMP_FILTER, &mask,
			   sizeof(mask));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
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
	if (s->family == AF_INET) {	/* ICMPv6: the kernel sums it */
		uint16_t c = icmp_checksum(pkt, sizeof(pkt));

		pkt[2] = (uint8_t)(c >> 8);
		pkt[3] = (uint8_t)c;
	}
	len = targets_addr_to_sockaddr(dst, 0, &ss);
	if (sendto(s->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) < 0)
		return -1;
	return 0;
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
	if (targets_addr_from_sockaddr((struct sockaddr *)&ss, &out->from) < 0)
		return 0;
	if (s->raw && s->family == AF_INET) {	/* skip the IP header */
		size_t ihl;

		if (n < 20)
			return 0;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < 20 || (size_t)n < ihl)
			return 0;
		p += ihl;
		n -= (ssize_t)ihl;
	}
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
