#include "probe/probe.h"

const struct probe_module *const probe_modules[PROBE_KINDS] = {
	[PROBE_ICMP_ECHO] = &probe_icmp_echo,
	[PROBE_TCP_CONNECT] = &probe_tcp_connect,
	[PROBE_SNMP] = &probe_snmp,
	[PROBE_ARP] = &probe_arp,
};
