/*
 * fuzz_smb: the parsers of what a Windows or Samba host (or anything
 * answering on 137/udp, 139/tcp or 445/tcp) sends the SMB enricher:
 * NetBIOS node status (probe/netbios.h), SMB2 NEGOTIATE and SESSION_SETUP
 * answers, SMB1 NEGOTIATE answers (probe/smb.h), the NTLMSSP CHALLENGE
 * inside (probe/ntlm.h), and RDP's X.224 Connection Confirm (probe/rdp.h;
 * its CredSSP answer goes through ntlm_challenge_find, case 1). Byte 0 picks
 * the parser, the rest is the message. A parsed challenge also goes through
 * smb_result_report(), which must give an object whatever the names hold.
 */
#include "fuzz.h"

#include "probe/netbios.h"
#include "probe/ntlm.h"
#include "probe/rdp.h"
#include "probe/smb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	struct nbstat_info nb;
	struct smb_result r;
	uint16_t dialect;
	int a, b;
	json_t *rep;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.smb1 = -1;
	switch (data[0] % 6) {
	case 0:
		r.nb_ok = nbstat_parse(
				  data + 1, size - 1,
				  size >= 3 ? (uint16_t)(data[1] << 8 | data[2])
					    : 0,
				  &nb, why, sizeof(why)) == 0;
		r.nb = nb;
		break;
	case 1:
		r.ntlm_ok = ntlm_challenge_find(data + 1, size - 1, &r.ntlm,
						why, sizeof(why)) == 0;
		break;
	case 2:
		(void)smb2_negotiate_parse(data + 1, size - 1, &dialect, &a,
					   why, sizeof(why));
		break;
	case 3:
		r.ntlm_ok =
			smb2_session_setup_parse(data + 1, size - 1, &r.ntlm,
						 why, sizeof(why)) == 0;
		break;
	case 4:
		(void)smb1_negotiate_parse(data + 1, size - 1, &a, &b, why,
					   sizeof(why));
		break;
	default:
		(void)rdp_confirm_parse(data + 1, size - 1, &r.rdp, why,
					sizeof(why));
		break;
	}
	rep = smb_result_report(&r);
	if (!json_is_object(json_object_get(rep, "sys")))
		abort();
	json_decref(rep);
	return 0;
}
