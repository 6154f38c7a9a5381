/*
 * ntlm.c: the NEGOTIATE we send and the CHALLENGE we read ([MS-NLMP]),
 * and the build table (ntlm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bytes.h"
#include "probe/ntlm.h"

extern const char embed_windows_builds_txt[];
extern const unsigned long embed_windows_builds_txt_len;

#define NTLM_SIG "NTLMSSP"
#define NTLM_SIG_LEN 8
#define NTLM_CHALLENGE_MIN 32 /* up to the server challenge */
#define NTLM_TARGET_INFO_END 48
#define NTLM_VERSION_END 56
#define NTLM_AV_MAX 64 /* AV pairs read at most */

/* NegotiateFlags ([MS-NLMP] 2.2.2.5) */
#define NEG_UNICODE 0x00000001u
#define NEG_OEM 0x00000002u
#define NEG_REQUEST_TARGET 0x00000004u
#define NEG_NTLM 0x00000200u
#define NEG_ALWAYS_SIGN 0x00008000u
#define NEG_EXTENDED_SESSIONSECURITY 0x00080000u
#define NEG_TARGET_INFO 0x00800000u
#define NEG_VERSION 0x02000000u
#define NEG_128 0x20000000u
#define NEG_KEY_EXCH 0x40000000u
#define NEG_56 0x80000000u

enum ntlm_av {
	AV_EOL = 0,
	AV_NB_COMPUTER = 1,
	AV_NB_DOMAIN = 2,
	AV_DNS_COMPUTER = 3,
	AV_DNS_DOMAIN = 4,
	AV_DNS_TREE = 5,
	AV_TIMESTAMP = 7
};

void ntlm_negotiate_build(uint8_t out[NTLM_NEGOTIATE_LEN])
{
	memset(out, 0, NTLM_NEGOTIATE_LEN);
	memcpy(out, NTLM_SIG, NTLM_SIG_LEN);
	bytes_put32(out + 8, 1); /* NtLmNegotiate */
	bytes_put32(out + 12,
		    NEG_UNICODE | NEG_OEM | NEG_REQUEST_TARGET | NEG_NTLM |
			    NEG_ALWAYS_SIGN | NEG_EXTENDED_SESSIONSECURITY |
			    NEG_VERSION | NEG_128 | NEG_KEY_EXCH | NEG_56);
	/* DomainNameFields and WorkstationFields empty, offsets at the end */
	bytes_put32(out + 20, NTLM_NEGOTIATE_LEN);
	bytes_put32(out + 28, NTLM_NEGOTIATE_LEN);
	/* Version: 6.1 build 7601, NTLMSSP_REVISION_W2K3 (debugging only) */
	out[32] = 6;
	out[33] = 1;
	bytes_put16(out + 34, 7601);
	out[39] = 0x0f;
}

/* UTF-16LE (n bytes) to UTF-8 in out (cap bytes, NUL-terminated); a
 * character that does not fit ends the text; unpaired surrogates and NULs
 * become '?'. */
static void ntlm_utf16(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < n; i += 2) {
		uint32_t c = bytes_le16(p + i);
		char enc[4];
		size_t k;

		if (c >= 0xd800 && c <= 0xdbff && i + 3 < n &&
		    bytes_le16(p + i + 2) >= 0xdc00 &&
		    bytes_le16(p + i + 2) <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) +
			    (bytes_le16(p + i + 2) - 0xdc00);
			i += 2;
		} else if ((c >= 0xd800 && c <= 0xdfff) || c == 0) {
			c = '?';
		}
		if (c < 0x80) {
			enc[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			enc[0] = (char)(0xc0 | c >> 6);
			enc[1] = (char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			enc[0] = (char)(0xe0 | c >> 12);
			enc[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			enc[2] = (char)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			enc[0] = (char)(0xf0 | c >> 18);
			enc[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			enc[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			enc[3] = (char)(0x80 | (c & 0x3f));
			k = 4;
		}
		if (o + k >= cap)
			break;
		memcpy(out + o, enc, k);
		o += k;
	}
	out[o] = '\0';
}

/* The (len, offset) field `name` at p + at, checked against the n bytes;
 * 0, or -1 with why filled. */
static int ntlm_field(const uint8_t *p, size_t n, size_t at, const char *name,
		      size_t *off, size_t *len, char *why, size_t why_len)
{
	*len = bytes_le16(p + at);
	*off = bytes_le32(p + at + 4);
	if (*len == 0 || (*off <= n && *len <= n - *off))
		return 0;
	snprintf(why, why_len,
		 "%s (%zu bytes at %zu) lies outside the %zu-byte message",
		 name, *len, *off, n);
	return -1;
}

static char *ntlm_av_slot(struct ntlm_info *o, unsigned id)
{
	switch (id) {
	case AV_NB_COMPUTER:
		return o->nb_computer;
	case AV_NB_DOMAIN:
		return o->nb_domain;
	case AV_DNS_COMPUTER:
		return o->dns_computer;
	case AV_DNS_DOMAIN:
		return o->dns_domain;
	case AV_DNS_TREE:
		return o->dns_tree;
	default:
		return NULL;
	}
}

/* The AV pairs of target info (n bytes at p). */
static int ntlm_av_pairs(const uint8_t *p, size_t n, struct ntlm_info *o,
			 char *why, size_t why_len)
{
	size_t at = 0, k;

	for (k = 0; k < NTLM_AV_MAX; k++) {
		unsigned id, len;
		char *slot;

		if (at == n) {
			snprintf(why, why_len,
				 "target info ends at %zu without MsvAvEOL",
				 at);
			return -1;
		}
		if (n - at < 4) {
			snprintf(why, why_len,
				 "target info ends inside an AV pair at %zu",
				 at);
			return -1;
		}
		id = bytes_le16(p + at);
		len = bytes_le16(p + at + 2);
		at += 4;
		if (id == AV_EOL)
			return 0;
		if (len > n - at) {
			snprintf(why, why_len,
				 "AV pair %u at %zu says %u bytes, %zu left",
				 id, at - 4, len, n - at);
			return -1;
		}
		slot = ntlm_av_slot(o, id);
		if (slot && len % 2) {
			snprintf(why, why_len,
				 "AV pair %u at %zu has an odd length (%u "
				 "bytes) for UTF-16",
				 id, at - 4, len);
			return -1;
		}
		if (slot)
			ntlm_utf16(p + at, len, slot, NTLM_NAME_MAX);
		else if (id == AV_TIMESTAMP && len == 8)
			o->timestamp = (uint64_t)bytes_le32(p + at) |
				       (uint64_t)bytes_le32(p + at + 4) << 32;
		at += len;
	}
	snprintf(why, why_len, "more than %d AV pairs", NTLM_AV_MAX);
	return -1;
}

int ntlm_challenge_parse(const uint8_t *p, size_t n, struct ntlm_info *out,
			 char *why, size_t why_len)
{
	size_t off, len, first = n;

	memset(out, 0, sizeof(*out));
	if (n < NTLM_CHALLENGE_MIN || memcmp(p, NTLM_SIG, NTLM_SIG_LEN) != 0 ||
	    bytes_le32(p + 8) != 2) {
		snprintf(why, why_len, "not an NTLMSSP CHALLENGE message");
		return -1;
	}
	out->flags = bytes_le32(p + 20);
	if (ntlm_field(p, n, 12, "TargetName", &off, &len, why, why_len) < 0)
		return -1;
	if (len) {
		first = off;
		if (out->flags & NEG_UNICODE)
			ntlm_utf16(p + off, len, out->target_name,
				   NTLM_NAME_MAX);
		else
			snprintf(out->target_name, NTLM_NAME_MAX, "%.*s",
				 (int)len, (const char *)p + off);
	}
	if (n >= NTLM_TARGET_INFO_END) {
		if (ntlm_field(p, n, 40, "TargetInfo", &off, &len, why,
			       why_len) < 0)
			return -1;
		if (len) {
			if (off < first)
				first = off;
			if (ntlm_av_pairs(p + off, len, out, why, why_len) < 0)
				return -1;
		}
	}
	/* the Version sits between the fixed fields and the payload */
	if ((out->flags & NEG_VERSION) && n >= NTLM_VERSION_END &&
	    first >= NTLM_VERSION_END) {
		out->has_version = 1;
		out->major = p[48];
		out->minor = p[49];
		out->build = bytes_le16(p + 50);
	}
	return 0;
}

int ntlm_challenge_find(const uint8_t *buf, size_t n, struct ntlm_info *out,
			char *why, size_t why_len)
{
	size_t i;

	for (i = 0; n >= NTLM_SIG_LEN && i <= n - NTLM_SIG_LEN; i++)
		if (memcmp(buf + i, NTLM_SIG, NTLM_SIG_LEN) == 0)
			return ntlm_challenge_parse(buf + i, n - i, out, why,
						    why_len);
	memset(out, 0, sizeof(*out));
	snprintf(why, why_len, "no NTLMSSP message in the %zu-byte answer", n);
	return -1;
}

int ntlm_version_is_windows(const struct ntlm_info *t)
{
	return t->has_version && t->build != 0 &&
	       (t->major == 5 || t->major == 6 || t->major == 10) &&
	       t->minor <= 3;
}

int ntlm_windows_name(unsigned build, char *out, size_t len)
{
	const char *p = embed_windows_builds_txt;
	const char *end = p + embed_windows_builds_txt_len;

	if (build == 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end, *q = p;
		unsigned long b = 0;

		while (q < line_end && *q >= '0' && *q <= '9' && b < 1000000)
			b = b * 10 + (unsigned long)(*q++ - '0');
		if (q > p && q < line_end && *q == '\t' && b == build) {
			snprintf(out, len, "%.*s", (int)(line_end - q - 1),
				 q + 1);
			return 0;
		}
		p = line_end + 1;
	}
	return -1;
}
