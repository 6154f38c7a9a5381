#include <sys/socket.h>

#include "probe/probe.h"

/* what one queued frame costs the send buffer: a small packet's skb
 * (its truesize) is about 700-900 bytes, whatever its length */
#define PROBE_FRAME_COST 1024

const struct probe_module *const probe_modules[PROBE_KINDS] = {
	[PROBE_ICMP_ECHO] = &probe_icmp_echo,
	[PROBE_TCP_CONNECT] = &probe_tcp_connect,
	[PROBE_SNMP] = &probe_snmp,
	[PROBE_ARP] = &probe_arp,
};

void probe_sndbuf_fit(int fd, unsigned packets)
{
	int have = 0, want;
	socklen_t len = sizeof(have);

	if (packets > (1u << 16))
		packets = 1u << 16;
	/* the kernel doubles what it is given (room for its bookkeeping) */
	want = (int)(packets * PROBE_FRAME_COST / 2);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &have, &len) < 0 ||
	    have >= want * 2)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}
