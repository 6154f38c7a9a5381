/*
 * ntlm: the two NTLMSSP messages an anonymous fingerprint needs
 * ([MS-NLMP] 2.2.1.1, 2.2.1.2) - the NEGOTIATE we send and the server's
 * CHALLENGE, whose target info (AV pairs, 2.2.2.1) names the machine, its
 * domain and forest, and whose Version field (2.2.2.10) gives the OS
 * version and build. Nothing is authenticated: no AUTHENTICATE message is
 * ever built, no secret is involved.
 *
 * ntlm_challenge_parse() reads untrusted bytes: every offset and length is
 * checked against the message, strings are UTF-16LE converted to UTF-8
 * into fixed buffers (longer ones are cut at a character boundary), and
 * it never reads outside [p, p + n). A name AV pair of odd length (not
 * UTF-16) and target info without MsvAvEOL are refused with a message.
 */
#ifndef NC_NTLM_H
#define NC_NTLM_H

#include <stddef.h>
#include <stdint.h>

#define NTLM_NAME_MAX 256 /* bytes of UTF-8 kept per name, NUL included */
#define NTLM_NEGOTIATE_LEN 40

/* What a CHALLENGE_MESSAGE says about the server. Empty strings: absent. */
struct ntlm_info {
	uint32_t flags;
	char target_name[NTLM_NAME_MAX];
	char nb_computer[NTLM_NAME_MAX];  /* MsvAvNbComputerName */
	char nb_domain[NTLM_NAME_MAX];	  /* MsvAvNbDomainName */
	char dns_computer[NTLM_NAME_MAX]; /* MsvAvDnsComputerName */
	char dns_domain[NTLM_NAME_MAX];	  /* MsvAvDnsDomainName */
	char dns_tree[NTLM_NAME_MAX];	  /* MsvAvDnsTreeName (forest) */
	int has_version;		  /* the Version field was sent */
	uint8_t major, minor;
	uint16_t build;
	uint64_t timestamp; /* MsvAvTimestamp (FILETIME), 0: absent */
};

/* Writes the NEGOTIATE_MESSAGE we send (NTLM_NEGOTIATE_LEN bytes). */
void ntlm_negotiate_build(uint8_t out[NTLM_NEGOTIATE_LEN]);
/* Finds a CHALLENGE_MESSAGE anywhere in buf (bare, or wrapped in SPNEGO)
 * and parses it into *out; 0, or -1 with why filled. */
int ntlm_challenge_find(const uint8_t *buf, size_t n, struct ntlm_info *out,
			char *why, size_t why_len);
/* Parses the CHALLENGE_MESSAGE at p (n bytes up to the end of what was
 * received); 0, or -1 with why filled. */
int ntlm_challenge_parse(const uint8_t *p, size_t n, struct ntlm_info *out,
			 char *why, size_t why_len);

/* The Windows release a build number means, from data/windows-builds.txt
 * ("Windows 10 1809 / Server 2019" when client and server share a build),
 * into out; 0, or -1 when the table does not know it. A build of 0 is
 * never a Windows release (Samba sends 6.1 build 0). */
int ntlm_windows_name(unsigned build, char *out, size_t len);
/* 1 when the challenge's Version field is one Windows sends ([MS-NLMP]
 * 2.2.2.10: major 5, 6 or 10, minor 0-3, a build other than 0); 0 for
 * none, Samba's 6.1 build 0 and any other server's made-up numbers. */
int ntlm_version_is_windows(const struct ntlm_info *t);

#endif
