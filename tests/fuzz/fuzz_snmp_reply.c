/*
 * fuzz_snmp_reply: the BER reader that the SNMP probe row (probe/snmp_ping.c)
 * uses on every datagram that arrives on its sockets (any host on the network
 * can send one). sp_parse_reply() is static, so this file includes snmp_ping.c
 * itself, SQLite style, and the Makefile links it without snmp_ping.o
 * (FUZZ_OMIT_snmp_reply).
 */
#include "fuzz.h"

#include "probe/snmp_ping.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t id = 0, version = 0;

	(void)sp_parse_reply(data, size, &id, &version);
	return 0;
}
