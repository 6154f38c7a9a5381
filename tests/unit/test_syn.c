/*
 * Unit tests for probe/syn.h: the SYN a half-open probe sends (header,
 * MSS option, checksum over the pseudo-header, checked against an
 * independent sum), the cookie in its sequence number, and the parser of
 * what the raw socket reads back - whole replies, and every cut, lying
 * header length and fragment refused without reading past the end.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/targets.h"
#include "probe/icmp.h"
#include "probe/syn.h"

static const uint8_t key[16] = "0123456789abcdef";

static struct targets_addr addr(int family, const char *text)
{
	struct targets_addr a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	assert_int_equal(inet_pton(family, text, a.a), 1);
	return a;
}

/* The one's complement sum of 16-bit words, written out the long way
 * (not icmp_checksum), over the pseudo-header and the segment. */
static uint16_t sum_by_hand(const struct targets_addr *src,
			    const struct targets_addr *dst, const uint8_t *seg,
			    size_t n)
{
	uint32_t s = 0;
	size_t alen = src->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < alen; i += 2) {
		s += (uint32_t)(src->a[i] << 8 | src->a[i + 1]);
		s += (uint32_t)(dst->a[i] << 8 | dst->a[i + 1]);
	}
	s += IPPROTO_TCP + (uint32_t)n;
	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(seg[i] << 8 | seg[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void check_build(int family, const char *s, const char *d)
{
	struct targets_addr src = addr(family, s), dst = addr(family, d);
	uint8_t seg[SYN_SEGMENT_LEN];
	struct syn_segment out;
	size_t n;

	n = syn_segment_build(seg, &src, &dst, 40000, 445, 0x12345678);
	assert_int_equal(n, SYN_SEGMENT_LEN);
	/* a segment whose checksum field is right sums to all ones */
	assert_int_equal(sum_by_hand(&src, &dst, seg, n), 0xffff);
	assert_int_equal(seg[12] >> 4, 6);	 /* 24 bytes of header */
	assert_int_equal(seg[13], SYN_FLAG_SYN); /* SYN alone */
	assert_int_equal(seg[20], 2);		 /* MSS 1460 */
	assert_int_equal(seg[22] << 8 | seg[23], 1460);
	/* the IPv6 raw socket hands back the segment alone: parse it */
	if (family == AF_INET6) {
		assert_int_equal(syn_segment_parse(seg, n, AF_INET6, &out), 1);
		assert_int_equal(out.sport, 40000);
		assert_int_equal(out.dport, 445);
		assert_int_equal(out.seq, 0x12345678);
		assert_int_equal(out.flags, SYN_FLAG_SYN);
	}
}

static void test_syn_build(void **state)
{
	(void)state;
	check_build(AF_INET, "198.18.9.2", "198.18.9.3");
	check_build(AF_INET6, "2001:2:0:9::2", "2001:2:0:9::3");
}

/* An IPv4 SYN-ACK from 198.18.9.3:445 to port 40000, as a raw IPv4
 * socket reads it (IP header, TCP header), into p; its length. */
static size_t synack4(uint8_t *p, uint32_t ack, uint8_t flags)
{
	static const uint8_t ip[20] = {0x45, 0, 0,   44, 0, 0, 0x40, 0,	 64, 6,
				       0,    0, 198, 18, 9, 3, 198,  18, 9,  2};

	memset(p, 0, 44);
	memcpy(p, ip, sizeof(ip));
	p[20] = 445 >> 8;
	p[21] = 445 & 0xff;
	p[22] = 40000 >> 8;
	p[23] = 40000 & 0xff;
	p[24] = 0xab; /* seq */
	p[28] = (uint8_t)(ack >> 24);
	p[29] = (uint8_t)(ack >> 16);
	p[30] = (uint8_t)(ack >> 8);
	p[31] = (uint8_t)ack;
	p[32] = 6 << 4;
	p[33] = flags;
	return 44;
}

static void test_syn_parse(void **state)
{
	uint8_t p[64];
	struct syn_segment s;
	struct targets_addr from = addr(AF_INET, "198.18.9.3");
	size_t n = synack4(p, 0x01020304, SYN_FLAG_SYN | SYN_FLAG_ACK), i;

	(void)state;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 1);
	assert_true(targets_addr_equal(&s.from, &from));
	assert_int_equal(s.sport, 445);
	assert_int_equal(s.dport, 40000);
	assert_int_equal(s.ack, 0x01020304);
	assert_int_equal(s.seq, 0xab000000);
	assert_int_equal(s.flags, SYN_FLAG_SYN | SYN_FLAG_ACK);
	/* every cut short of the TCP header is refused */
	for (i = 0; i < 40; i++)
		assert_int_equal(syn_segment_parse(p, i, AF_INET, &s), 0);
	/* an IP header length that points past the end */
	p[0] = 0x4f;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	/* one below the minimum */
	p[0] = 0x44;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	p[0] = 0x45;
	/* a later fragment (offset 8 bytes) is not a TCP header */
	p[7] = 1;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	p[7] = 0;
	/* not TCP; not IPv4 */
	p[9] = 17;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	p[9] = 6;
	p[0] = 0x65;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	p[0] = 0x45;
	/* a TCP data offset below 5 words */
	p[32] = 4 << 4;
	assert_int_equal(syn_segment_parse(p, n, AF_INET, &s), 0);
	/* IPv6: the segment alone, at least 20 bytes */
	for (i = 0; i < 20; i++)
		assert_int_equal(syn_segment_parse(p + 20, i, AF_INET6, &s), 0);
	p[32] = 5 << 4;
	assert_int_equal(syn_segment_parse(p + 20, 20, AF_INET6, &s), 1);
	assert_int_equal(s.from.family, 0); /* the caller's to fill */
	assert_int_equal(syn_segment_parse(p, n, AF_UNIX, &s), 0);
}

static void test_syn_cookie(void **state)
{
	struct targets_addr a = addr(AF_INET, "198.18.9.3");
	struct targets_addr b = addr(AF_INET, "198.18.9.4");
	struct targets_addr c = addr(AF_INET6, "2001:2:0:9::3");
	uint8_t other[16];
	uint16_t id, k, bad = 0;
	uint32_t seq;

	(void)state;
	for (k = 0; k < 2000; k++) {
		seq = syn_cookie(key, &a, 445, k);
		assert_int_equal(syn_cookie_check(key, &a, 445, seq, &id), 1);
		assert_int_equal(id, k);
		/* another address, port or key: refused (16 bits of hash:
		 * a stray one in 65536 passes; the engine then wants that
		 * id in flight to that address and port) */
		bad += (uint16_t)syn_cookie_check(key, &b, 445, seq, &id);
		bad += (uint16_t)syn_cookie_check(key, &a, 139, seq, &id);
	}
	assert_true(bad < 4);
	seq = syn_cookie(key, &c, 445, 7);
	assert_int_equal(syn_cookie_check(key, &c, 445, seq, &id), 1);
	assert_int_equal(id, 7);
	memcpy(other, key, sizeof(other));
	other[0] ^= 1;
	assert_int_equal(syn_cookie_check(other, &c, 445, seq, &id), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_build),
		cmocka_unit_test(test_syn_parse),
		cmocka_unit_test(test_syn_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
