#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/probe.h"

/* what one queued frame costs the send buffer: a small packet's skb
 * (its truesize) is about 700-900 bytes, whatever its length */
#define PROBE_FRAME_COST 1024

const struct probe_module *const probe_modules[PROBE_KINDS] = {
	[PROBE_ICMP_ECHO] = &probe_icmp_echo,
	[PROBE_TCP_CONNECT] = &probe_tcp_connect,
	[PROBE_SNMP] = &probe_snmp,
	[PROBE_ARP] = &probe_arp,
	[PROBE_TCP_SYN] = &probe_tcp_syn,
};

void probe_why_raw(char *why, size_t len, const char *what, const char *sock,
		   int err)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0)
		self[n] = '\0';
	else
		snprintf(self, sizeof(self), "/path/to/netcensus");
	if (err == EPERM || err == EACCES)
		snprintf(why, len,
			 "%s needs CAP_NET_RAW (%s socket: %s); grant it "
			 "with: sudo setcap cap_net_raw+ep %s",
			 what, sock, strerror(err), self);
	else
		snprintf(why, len, "%s: cannot open a %s socket: %s", what,
			 sock, strerror(err));
}

int probe_filter_attach(int fd, struct sock_filter *code, size_t n)
{
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = code};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog));
}

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
