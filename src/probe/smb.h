/*
 * smb: what a Windows (or Samba) host says about itself without
 * credentials - the blocking job an engine worker thread (pool kind
 * POOL_WIN) runs for a live host with 445/tcp or 139/tcp open.
 *
 * Three exchanges, all under one deadline:
 *   - NetBIOS node status on 137/udp (probe/netbios.h), sent first and
 *     collected last, so it costs no time of its own;
 *   - SMB2 NEGOTIATE ([MS-SMB2] 2.2.3, dialects 2.0.2 to 3.1.1): the
 *     dialect the server picks and whether it requires signing; then an
 *     anonymous SESSION_SETUP carrying an NTLMSSP NEGOTIATE in SPNEGO, whose
 *     CHALLENGE (probe/ntlm.h) names the machine, domain and forest and gives
 *     the OS version and build. No AUTHENTICATE is ever sent: the session
 *     is dropped with the connection;
 *   - on a second connection, an SMB1 NEGOTIATE offering only "NT LM 0.12":
 *     a server that accepts it still has SMB1 enabled. (Offering SMB1 and
 *     SMB2 dialects together, as Windows clients do, would let a server
 *     with both pick SMB2 and hide SMB1.) It is sent before the SMB2
 *     exchange starts and its answer read after it ends, so the two
 *     connections overlap.
 * Port 445 is used when open, else 139 after a NetBIOS session request
 * (called name: the node status name, else *SMBSERVER). When neither gave
 * an NTLMSSP challenge and 3389 is open, RDP is asked (probe/rdp.h): its
 * security protocol and, over CredSSP, the same challenge.
 *
 * The parsers (smb2_negotiate_parse, smb2_session_setup_parse,
 * smb1_negotiate_parse, and those of netbios.h and ntlm.h) read untrusted
 * bytes with every length checked; an answer larger than SMB_MSG_MAX is
 * refused. Nothing here is a secret; the result owns nothing.
 */
#ifndef NC_SMB_H
#define NC_SMB_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "probe/netbios.h"
#include "probe/ntlm.h"
#include "probe/rdp.h"

#define SMB_MSG_MAX 65536 /* largest answer read */

struct smb_probe_opts {
	const char *host;   /* numeric address */
	int open_445;	    /* 445/tcp is open */
	int open_139;	    /* 139/tcp is open */
	int open_3389;	    /* 3389/tcp is open (RDP, asked when SMB gave
			     * no NTLMSSP challenge) */
	unsigned port_445;  /* 0: 445 (tests use others) */
	unsigned port_139;  /* 0: 139 */
	unsigned port_137;  /* 0: 137 */
	unsigned port_3389; /* 0: 3389 */
	int timeout_ms;	    /* the whole job; 0: 5000 */
};

struct smb_result {
	int nb_ok; /* node status answered */
	struct nbstat_info nb;
	char nb_error[128];

	unsigned port;	  /* the SMB port used: 445, 139; 0 none */
	uint16_t dialect; /* SMB2 dialect picked; 0: no SMB2 answer */
	int signing_required;
	int smb1; /* 1 enabled, 0 refused, -1 not known */
	int smb1_signing_required;
	int ntlm_ok; /* a CHALLENGE was read */
	struct ntlm_info ntlm;
	char smb_error[256];  /* why SMB2 / NTLMSSP gave nothing */
	char smb1_error[128]; /* why the SMB1 question has no answer */
	int rdp_asked;
	struct rdp_result rdp;
	long elapsed_ms;
};

/* Runs the exchanges above against o->host; 0 when anything answered
 * (node status or SMB), -1 when nothing did (the errors say why). */
int smb_probe_host(const struct smb_probe_opts *o, struct smb_result *r);
/* The partial device report r amounts to ({"sys": {...}}), new. */
json_t *smb_result_report(const struct smb_result *r);
/* "3.1.1" for 0x0311, ...; "0x...." for others. */
const char *smb_dialect_name(uint16_t d, char buf[8]);

/* Parsers of one SMB message (without the 4-byte transport header);
 * 0, or -1 with why filled. */
int smb2_negotiate_parse(const uint8_t *p, size_t n, uint16_t *dialect,
			 int *signing_required, char *why, size_t why_len);
int smb2_session_setup_parse(const uint8_t *p, size_t n, struct ntlm_info *out,
			     char *why, size_t why_len);
/* *enabled 1 when the server picked NT LM 0.12, 0 when it refused. */
int smb1_negotiate_parse(const uint8_t *p, size_t n, int *enabled,
			 int *signing_required, char *why, size_t why_len);

#endif
