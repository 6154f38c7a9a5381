/*
 * rdp: what an RDP server (3389/tcp) says without credentials - the
 * security protocol it picks ([MS-RDPBCGR] 2.2.1.1-2: X.224 Connection
 * Request with RDP_NEG_REQ offering TLS and CredSSP) and, when it picks
 * CredSSP (NLA), the NTLMSSP CHALLENGE its CredSSP layer ([MS-CSSP])
 * answers an NTLMSSP NEGOTIATE with, inside TLS: the same names and OS
 * version an SMB session setup gives (probe/ntlm.h). No AUTHENTICATE and
 * no credential is ever sent; the server's certificate is not checked
 * (nothing secret is sent over it).
 *
 * A blocking exchange for a worker thread, bounded by its deadline. The
 * parsers read untrusted bytes with every length checked.
 */
#ifndef NC_RDP_H
#define NC_RDP_H

#include <stddef.h>
#include <stdint.h>

#include "probe/ntlm.h"

#define RDP_PROTOCOL_RDP 0x0
#define RDP_PROTOCOL_SSL 0x1
#define RDP_PROTOCOL_HYBRID 0x2
#define RDP_PROTOCOL_HYBRID_EX 0x8

struct rdp_result {
	int answered;	   /* an X.224 Connection Confirm came */
	int negotiated;	   /* it carried RDP_NEG_RSP */
	uint32_t selected; /* RDP_NEG_RSP selectedProtocol */
	uint32_t failure;  /* RDP_NEG_FAILURE code, 0: none */
	int ntlm_ok;	   /* a CHALLENGE was read over CredSSP */
	struct ntlm_info ntlm;
	char error[256];
};

/* Asks host:port (0: 3389) until deadline_ms (netio_now_ms() clock);
 * 0 when the server answered the X.224 request, -1 with r->error. */
int rdp_probe_host(const char *host, unsigned port, long deadline_ms,
		   struct rdp_result *r);
/* The X.224 Connection Confirm (TPKT included) into r; 0 or -1 with
 * why filled. */
int rdp_confirm_parse(const uint8_t *p, size_t n, struct rdp_result *r,
		      char *why, size_t why_len);
/* "NLA (CredSSP)", "TLS", ... for a selectedProtocol. */
const char *rdp_protocol_name(uint32_t selected);

#endif
