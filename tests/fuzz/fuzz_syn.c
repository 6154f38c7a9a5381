/*
 * fuzz_syn: the reader of what the half-open TCP probe's raw socket
 * receives (probe/syn.h) - any host can send a segment to the reserved
 * port. The first byte picks the family (even: IPv4 packet with its
 * header; odd: IPv6, the TCP segment alone), the rest is the packet; a
 * parsed segment's acknowledgement then goes through the cookie check.
 */
#include "fuzz.h"

#include <sys/socket.h>

#include "probe/syn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[16];
	struct syn_segment s;
	uint16_t id;
	int family;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	if (syn_segment_parse(data + 1, size - 1, family, &s) == 1) {
		s.from.family = family;
		(void)syn_cookie_check(key, &s.from, s.sport, s.ack - 1, &id);
	}
	return 0;
}
