/*
 * smb.c: the anonymous SMB fingerprint (smb.h) - message builders, their
 * parsers, the transport (direct TCP on 445, NetBIOS session on 139) and
 * the job that runs them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/bytes.h"
#include "probe/netio.h"
#include "probe/smb.h"

#define SMB2_HDR 64
#define SMB2_NEGOTIATE 0x0000
#define SMB2_SESSION_SETUP 0x0001
#define SMB1_HDR 32
#define SMB1_NEGOTIATE 0x72
#define STATUS_MORE_PROCESSING_REQUIRED 0xc0000016u
#define SMB_DEFAULT_TIMEOUT_MS 5000
#define NBSS_MESSAGE 0x00
#define NBSS_POSITIVE 0x82
#define NBSS_NEGATIVE 0x83
#define NBSS_KEEPALIVE 0x85

static const uint16_t smb2_dialects[] = {0x0202, 0x0210, 0x0300, 0x0302,
					 0x0311};
#define N_DIALECTS (sizeof(smb2_dialects) / sizeof(smb2_dialects[0]))

const char *smb_dialect_name(uint16_t d, char buf[8])
{
	switch (d) {
	case 0x0202:
		return "2.0.2";
	case 0x0210:
		return "2.1";
	case 0x0300:
		return "3.0";
	case 0x0302:
		return "3.0.2";
	case 0x0311:
		return "3.1.1";
	default:
		snprintf(buf, 8, "0x%04x", d);
		return buf;
	}
}

/* ---- building requests (after the 4-byte transport header) ---- */

static void smb2_header(uint8_t *p, uint16_t command, uint64_t message_id)
{
	memset(p, 0, SMB2_HDR);
	memcpy(p, "\xfeSMB", 4);
	bytes_put16(p + 4, SMB2_HDR);
	bytes_put16(p + 6, command ? 1 : 0); /* CreditCharge */
	bytes_put16(p + 12, command);
	bytes_put16(p + 14, 1); /* CreditRequest */
	bytes_put32(p + 24, (uint32_t)message_id);
	bytes_put32(p + 32, 0xfeff); /* ProcessId */
}

/* NEGOTIATE with every dialect and, for 3.1.1, the one context the
 * server requires (SMB2_PREAUTH_INTEGRITY_CAPABILITIES, SHA-512). */
static size_t smb2_negotiate_build(uint8_t *p)
{
	size_t at = SMB2_HDR + 36, i, ctx;

	smb2_header(p, SMB2_NEGOTIATE, 0);
	memset(p + SMB2_HDR, 0, 36);
	bytes_put16(p + SMB2_HDR, 36);
	bytes_put16(p + SMB2_HDR + 2, N_DIALECTS);
	bytes_put16(p + SMB2_HDR + 4, 1); /* SecurityMode: signing enabled */
	memcpy(p + SMB2_HDR + 12, "netcensus-smb-1\0", 16); /* ClientGuid */
	for (i = 0; i < N_DIALECTS; i++, at += 2)
		bytes_put16(p + at, smb2_dialects[i]);
	while (at % 8)
		p[at++] = 0;
	ctx = at;
	bytes_put32(p + SMB2_HDR + 28,
		    (uint32_t)ctx);	   /* NegotiateContextOffset */
	bytes_put16(p + SMB2_HDR + 32, 1); /* NegotiateContextCount */
	memset(p + at, 0, 8 + 38);
	bytes_put16(p + at, 1);	      /* PREAUTH_INTEGRITY_CAPABILITIES */
	bytes_put16(p + at + 2, 38);  /* DataLength */
	bytes_put16(p + at + 8, 1);   /* HashAlgorithmCount */
	bytes_put16(p + at + 10, 32); /* SaltLength */
	bytes_put16(p + at + 12, 1);  /* SHA-512 */
	memcpy(p + at + 14, "netcensus-anonymous-fingerprint!", 32);
	return at + 8 + 38;
}

/* A DER tag and short-form length; the lengths here are all < 128. */
static size_t der(uint8_t *p, uint8_t tag, size_t len)
{
	p[0] = tag;
	p[1] = (uint8_t)len;
	return 2;
}

/* SPNEGO NegTokenInit (RFC 4178) offering NTLMSSP, with its NEGOTIATE. */
static size_t spnego_build(uint8_t *p)
{
	static const uint8_t spnego_oid[] = {0x06, 0x06, 0x2b, 0x06,
					     0x01, 0x05, 0x05, 0x02};
	static const uint8_t ntlm_oid[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
					   0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
	size_t tok = 2 + NTLM_NEGOTIATE_LEN;
	size_t mech = 2 + 2 + sizeof(ntlm_oid);
	size_t seq = mech + 2 + tok;
	size_t init = 2 + seq;
	size_t at = 0;

	at += der(p + at, 0x60, sizeof(spnego_oid) + 2 + init);
	memcpy(p + at, spnego_oid, sizeof(spnego_oid));
	at += sizeof(spnego_oid);
	at += der(p + at, 0xa0, init);
	at += der(p + at, 0x30, seq);
	at += der(p + at, 0xa0, 2 + sizeof(ntlm_oid));
	at += der(p + at, 0x30, sizeof(ntlm_oid));
	memcpy(p + at, ntlm_oid, sizeof(ntlm_oid));
	at += sizeof(ntlm_oid);
	at += der(p + at, 0xa2, tok);
	at += der(p + at, 0x04, NTLM_NEGOTIATE_LEN);
	ntlm_negotiate_build(p + at);
	return at + NTLM_NEGOTIATE_LEN;
}

static size_t smb2_session_setup_build(uint8_t *p)
{
	size_t blob;

	smb2_header(p, SMB2_SESSION_SETUP, 1);
	memset(p + SMB2_HDR, 0, 24);
	bytes_put16(p + SMB2_HDR, 25);
	p[SMB2_HDR + 3] = 1; /* SecurityMode: signing enabled */
	blob = spnego_build(p + SMB2_HDR + 24);
	bytes_put16(p + SMB2_HDR + 12,
		    SMB2_HDR + 24); /* SecurityBufferOffset */
	bytes_put16(p + SMB2_HDR + 14, (uint16_t)blob);
	return SMB2_HDR + 24 + blob;
}

static size_t smb1_negotiate_build(uint8_t *p)
{
	static const char dialect[] = "\x02NT LM 0.12";

	memset(p, 0, SMB1_HDR);
	memcpy(p, "\xffSMB", 4);
	p[4] = SMB1_NEGOTIATE;
	p[9] = 0x18;		     /* Flags: case-insensitive, canonical */
	bytes_put16(p + 10, 0xc801); /* Flags2: unicode, NT status, ext. sec.,
				      * long names */
	bytes_put16(p + 26, 0xfeff); /* PID */
	p[SMB1_HDR] = 0;	     /* WordCount */
	bytes_put16(p + SMB1_HDR + 1, sizeof(dialect));
	memcpy(p + SMB1_HDR + 3, dialect, sizeof(dialect));
	return SMB1_HDR + 3 + sizeof(dialect);
}

/* ---- parsing answers ---- */

static int smb2_check(const uint8_t *p, size_t n, uint16_t command,
		      uint32_t *status, char *why, size_t why_len)
{
	if (n < SMB2_HDR + 2 || memcmp(p, "\xfeSMB", 4) != 0) {
		snprintf(why, why_len, "not an SMB2 answer (%zu bytes)", n);
		return -1;
	}
	if (bytes_le16(p + 12) != command || !(bytes_le32(p + 16) & 1)) {
		snprintf(why, why_len, "an SMB2 answer to command %u, not %u",
			 bytes_le16(p + 12), command);
		return -1;
	}
	*status = bytes_le32(p + 8);
	return 0;
}

int smb2_negotiate_parse(const uint8_t *p, size_t n, uint16_t *dialect,
			 int *signing_required, char *why, size_t why_len)
{
	uint32_t status;

	if (smb2_check(p, n, SMB2_NEGOTIATE, &status, why, why_len) < 0)
		return -1;
	if (status != 0) {
		snprintf(why, why_len, "SMB2 NEGOTIATE refused: status 0x%08x",
			 status);
		return -1;
	}
	if (n < SMB2_HDR + 64 || bytes_le16(p + SMB2_HDR) != 65) {
		snprintf(why, why_len,
			 "SMB2 NEGOTIATE answer malformed (%zu "
			 "bytes)",
			 n);
		return -1;
	}
	*signing_required = (bytes_le16(p + SMB2_HDR + 2) & 0x0002) != 0;
	*dialect = bytes_le16(p + SMB2_HDR + 4);
	return 0;
}

int smb2_session_setup_parse(const uint8_t *p, size_t n, struct ntlm_info *out,
			     char *why, size_t why_len)
{
	uint32_t status;
	size_t off, len;

	memset(out, 0, sizeof(*out));
	if (smb2_check(p, n, SMB2_SESSION_SETUP, &status, why, why_len) < 0)
		return -1;
	if (status != STATUS_MORE_PROCESSING_REQUIRED) {
		snprintf(why, why_len,
			 "SMB2 SESSION_SETUP answered status 0x%08x, not a "
			 "challenge",
			 status);
		return -1;
	}
	if (n < SMB2_HDR + 8 || bytes_le16(p + SMB2_HDR) != 9) {
		snprintf(why, why_len, "SMB2 SESSION_SETUP answer malformed");
		return -1;
	}
	off = bytes_le16(p + SMB2_HDR + 4);
	len = bytes_le16(p + SMB2_HDR + 6);
	if (off > n || len > n - off) {
		snprintf(why, why_len,
			 "SMB2 SESSION_SETUP security buffer (%zu bytes at "
			 "%zu) lies outside the %zu-byte answer",
			 len, off, n);
		return -1;
	}
	return ntlm_challenge_find(p + off, len, out, why, why_len);
}

int smb1_negotiate_parse(const uint8_t *p, size_t n, int *enabled,
			 int *signing_required, char *why, size_t why_len)
{
	*enabled = 0;
	*signing_required = 0;
	if (n >= 4 && memcmp(p, "\xfeSMB", 4) == 0)
		return 0; /* an SMB2 answer: no SMB1 */
	if (n < SMB1_HDR + 1 || memcmp(p, "\xffSMB", 4) != 0 ||
	    p[4] != SMB1_NEGOTIATE) {
		snprintf(why, why_len,
			 "not an SMB1 NEGOTIATE answer (%zu "
			 "bytes)",
			 n);
		return -1;
	}
	if (bytes_le32(p + 5) != 0 || p[SMB1_HDR] < 1 || n < SMB1_HDR + 3)
		return 0; /* refused */
	if (bytes_le16(p + SMB1_HDR + 1) != 0)
		return 0; /* 0xffff: none of our dialects */
	*enabled = 1;
	if (p[SMB1_HDR] >= 17 && n >= SMB1_HDR + 4)
		*signing_required = (p[SMB1_HDR + 3] & 0x08) != 0;
	return 0;
}

/* ---- transport ---- */

/* First-level encoding of a NetBIOS name (RFC 1001 14.1): 34 bytes. */
static void nb_encode(uint8_t *p, const char *name, uint8_t suffix)
{
	char pad[16];
	size_t i, n = strnlen(name, 15);

	memset(pad, ' ', sizeof(pad));
	for (i = 0; i < n; i++)
		pad[i] = (char)toupper((unsigned char)name[i]);
	pad[15] = (char)suffix;
	p[0] = 32;
	for (i = 0; i < 16; i++) {
		p[1 + 2 * i] = (uint8_t)('A' + (((uint8_t)pad[i]) >> 4));
		p[2 + 2 * i] = (uint8_t)('A' + (((uint8_t)pad[i]) & 0x0f));
	}
	p[33] = 0;
}

static int smb_send(int fd, uint8_t *msg, size_t n, long deadline, char *why,
		    size_t why_len)
{
	/* msg has 4 bytes of room before the message for the header */
	msg[0] = NBSS_MESSAGE;
	msg[1] = (uint8_t)(n >> 16);
	msg[2] = (uint8_t)(n >> 8);
	msg[3] = (uint8_t)n;
	return netio_send_all(fd, msg, n + 4, deadline, why, why_len);
}

/* Reads one message into buf (SMB_MSG_MAX bytes); its length, or -1. */
static ssize_t smb_recv(int fd, uint8_t *buf, long deadline, char *why,
			size_t why_len)
{
	uint8_t h[4];
	size_t len;

	for (;;) {
		if (netio_recv_all(fd, h, 4, deadline, why, why_len) < 0)
			return -1;
		len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		if (h[0] == NBSS_KEEPALIVE && len == 0)
			continue;
		if (h[0] != NBSS_MESSAGE) {
			snprintf(why, why_len,
				 "unexpected session packet type 0x%02x", h[0]);
			return -1;
		}
		if (len > SMB_MSG_MAX) {
			snprintf(why, why_len,
				 "an answer of %zu bytes (more than %d)", len,
				 SMB_MSG_MAX);
			return -1;
		}
		if (netio_recv_all(fd, buf, len, deadline, why, why_len) < 0)
			return -1;
		return (ssize_t)len;
	}
}

/* 139: the NetBIOS session request must be accepted first. */
static int smb_session_request(int fd, const char *called, long deadline,
			       char *why, size_t why_len)
{
	uint8_t req[4 + 68], ans[4];

	req[0] = 0x81;
	req[1] = 0;
	req[2] = 0;
	req[3] = 68;
	nb_encode(req + 4, called, 0x20);
	nb_encode(req + 38, "NETCENSUS", 0x00);
	if (netio_send_all(fd, req, sizeof(req), deadline, why, why_len) < 0 ||
	    netio_recv_all(fd, ans, sizeof(ans), deadline, why, why_len) < 0)
		return -1;
	if (ans[0] != NBSS_POSITIVE) {
		snprintf(why, why_len,
			 "NetBIOS session request to '%s' refused (0x%02x)",
			 called, ans[0]);
		return -1;
	}
	return 0;
}

/* A connection ready for SMB messages; -1 with why filled. */
static int smb_open(const struct smb_probe_opts *o, const struct smb_result *r,
		    unsigned *port, long deadline, char *why, size_t why_len)
{
	int fd;

	if (o->open_445) {
		*port = o->port_445 ? o->port_445 : 445;
		return netio_connect(o->host, *port, SOCK_STREAM, deadline, why,
				     why_len);
	}
	*port = o->port_139 ? o->port_139 : 139;
	fd = netio_connect(o->host, *port, SOCK_STREAM, deadline, why, why_len);
	if (fd >= 0 &&
	    smb_session_request(fd,
				r->nb_ok && r->nb.computer[0] ? r->nb.computer
							      : "*SMBSERVER",
				deadline, why, why_len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request and its answer on fd: the answer's length, or -1. */
static ssize_t smb_ask(int fd, uint8_t *buf, size_t n, long deadline, char *why,
		       size_t why_len)
{
	if (smb_send(fd, buf, n, deadline, why, why_len) < 0)
		return -1;
	return smb_recv(fd, buf, deadline, why, why_len);
}

/* SMB2 NEGOTIATE and the anonymous SESSION_SETUP, on one connection. */
static void smb_ask_smb2(const struct smb_probe_opts *o, struct smb_result *r,
			 uint8_t *buf, long deadline)
{
	char *why = r->smb_error;
	size_t wl = sizeof(r->smb_error);
	ssize_t n;
	int fd = smb_open(o, r, &r->port, deadline, why, wl);

	if (fd < 0) {
		r->port = 0;
		return;
	}
	n = smb_ask(fd, buf, smb2_negotiate_build(buf + 4), deadline, why, wl);
	if (n < 0 || smb2_negotiate_parse(buf, (size_t)n, &r->dialect,
					  &r->signing_required, why, wl) < 0)
		goto done;
	n = smb_ask(fd, buf, smb2_session_setup_build(buf + 4), deadline, why,
		    wl);
	if (n >= 0 &&
	    smb2_session_setup_parse(buf, (size_t)n, &r->ntlm, why, wl) == 0) {
		r->ntlm_ok = 1;
		why[0] = '\0';
	}
done:
	close(fd);
}

/* The SMB1-only NEGOTIATE on a connection of its own, sent before the
 * SMB2 exchange starts and read after it ends (smb1_read): the two
 * connections overlap instead of following each other, and the answer
 * means what it would mean asked alone. The fd, or -1 with r->smb1_error
 * set. */
static int smb1_send(const struct smb_probe_opts *o, struct smb_result *r,
		     uint8_t *buf, long deadline)
{
	char *why = r->smb1_error;
	size_t wl = sizeof(r->smb1_error);
	unsigned port;
	int fd = smb_open(o, r, &port, deadline, why, wl);

	if (fd >= 0 && smb_send(fd, buf, smb1_negotiate_build(buf + 4),
				deadline, why, wl) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The answer to smb1_send()'s NEGOTIATE: r->smb1 1 or 0, or -1 (not
 * known) with r->smb1_error set; closes fd. */
static void smb1_read(int fd, struct smb_result *r, uint8_t *buf, long deadline)
{
	char *why = r->smb1_error;
	size_t wl = sizeof(r->smb1_error);
	ssize_t n = smb_recv(fd, buf, deadline, why, wl);

	if (n < 0) {
		/* Windows closes the connection when SMB1 is off */
		if (!strcmp(why, "the server closed the connection") ||
		    strstr(why, "reset")) {
			r->smb1 = 0;
			why[0] = '\0';
		}
	} else if (smb1_negotiate_parse(buf, (size_t)n, &r->smb1,
					&r->smb1_signing_required, why,
					wl) < 0) {
		r->smb1 = -1;
	}
	close(fd);
}

int smb_probe_host(const struct smb_probe_opts *o, struct smb_result *r)
{
	long start = netio_now_ms();
	long deadline = start + (o->timeout_ms > 0 ? o->timeout_ms
						   : SMB_DEFAULT_TIMEOUT_MS);
	uint8_t *buf = malloc(SMB_MSG_MAX + 4);
	struct nbstat_req nq;
	int fd1, nb_out = 0;

	memset(r, 0, sizeof(*r));
	r->smb1 = -1;
	if (!buf) {
		snprintf(r->smb_error, sizeof(r->smb_error), "out of memory");
		return -1;
	}
	if (o->open_445) {
		/* node status alongside the SMB exchanges: its answer waits
		 * in its socket (a host with 137/udp filtered costs no
		 * extra time) */
		nb_out = nbstat_send(o->host, o->port_137,
				     start + (deadline - start) / 2, &nq,
				     r->nb_error, sizeof(r->nb_error)) == 0;
	} else if (o->open_139) {
		/* first: 139's session request calls the name it gives */
		r->nb_ok = nbstat_query(o->host, o->port_137,
					start + (deadline - start) / 3, &r->nb,
					r->nb_error, sizeof(r->nb_error)) == 0;
	}
	if (o->open_445 || o->open_139) {
		fd1 = smb1_send(o, r, buf, deadline);
		smb_ask_smb2(o, r, buf, deadline);
		if (fd1 >= 0)
			smb1_read(fd1, r, buf, deadline);
	}
	if (nb_out)
		r->nb_ok = nbstat_wait(&nq, &r->nb, r->nb_error,
				       sizeof(r->nb_error)) == 0;
	free(buf);
	if (!r->ntlm_ok && o->open_3389) {
		r->rdp_asked = 1;
		(void)rdp_probe_host(o->host, o->port_3389, deadline, &r->rdp);
		if (r->rdp.ntlm_ok) {
			r->ntlm_ok = 1;
			r->ntlm = r->rdp.ntlm;
		}
	}
	r->elapsed_ms = netio_now_ms() - start;
	return r->nb_ok || r->dialect || r->smb1 == 1 || r->rdp.answered ? 0
									 : -1;
}

/* ---- the report ---- */

static void set_lower(json_t *sys, const char *key, const char *v)
{
	char buf[NTLM_NAME_MAX];
	size_t i;

	for (i = 0; v[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (char)tolower((unsigned char)v[i]);
	buf[i] = '\0';
	if (buf[0])
		json_object_set_new(sys, key, json_string(buf));
}

static void set_str(json_t *sys, const char *key, const char *v)
{
	if (v && v[0])
		json_object_set_new(sys, key, json_string(v));
}

/* The first label of name, lower-cased, as sys.hostname. */
static void set_host(json_t *sys, const char *name)
{
	char buf[NTLM_NAME_MAX];
	size_t n = strcspn(name, ".");

	snprintf(buf, sizeof(buf), "%.*s", (int)n, name);
	set_lower(sys, "hostname", buf);
}

/* What the NTLMSSP challenge says. The computer names are the host's own
 * whatever it runs. A build of 0 is Samba (or another non-Windows
 * server): it has no Windows version, and a standalone one names itself
 * as the domain. */
static void smb_report_ntlm(json_t *sys, const struct ntlm_info *t)
{
	char v[32], os[96];
	int windows = ntlm_version_is_windows(t);
	const char *dot = strchr(t->dns_computer, '.');

	set_str(sys, "ntlm_nb_computer", t->nb_computer);
	set_str(sys, "ntlm_nb_domain", t->nb_domain);
	set_str(sys, "ntlm_dns_computer", t->dns_computer);
	set_str(sys, "ntlm_dns_domain", t->dns_domain);
	set_str(sys, "ntlm_dns_tree", t->dns_tree);
	if (t->has_version) {
		snprintf(v, sizeof(v), "%u.%u.%u", t->major, t->minor,
			 t->build);
		set_str(sys, "ntlm_os_version", v);
	}
	set_host(sys, t->dns_computer[0] ? t->dns_computer : t->nb_computer);
	if (dot && dot[1])
		set_lower(sys, "fqdn", t->dns_computer);
	if (t->nb_domain[0] && strcmp(t->nb_domain, t->nb_computer) != 0) {
		set_str(sys, "windows_domain_short", t->nb_domain);
		if (strchr(t->dns_domain, '.'))
			set_lower(sys, "domain", t->dns_domain);
		if (strchr(t->dns_tree, '.'))
			set_lower(sys, "windows_forest", t->dns_tree);
	}
	if (!windows)
		return;
	set_str(sys, "os_group", "Windows");
	set_str(sys, "os_family", "Windows");
	snprintf(v, sizeof(v), "%u.%u.%u", t->major, t->minor, t->build);
	set_str(sys, "os_version", v);
	if (ntlm_windows_name(t->build, os, sizeof(os)) < 0)
		snprintf(os, sizeof(os), "Windows (version %u.%u build %u)",
			 t->major, t->minor, t->build);
	set_str(sys, "os_name", os);
	set_str(sys, "type", "computer");
}

json_t *smb_result_report(const struct smb_result *r)
{
	json_t *sys = json_object();
	char d[8];

	if (r->ntlm_ok)
		set_str(sys, "netbios_name", r->ntlm.nb_computer);
	if (r->nb_ok) {
		set_str(sys, "netbios_name", r->nb.computer);
		set_str(sys, "workgroup", r->nb.workgroup);
		set_str(sys, "mac", r->nb.mac);
		if (r->nb.domain_controller)
			set_str(sys, "windows_domain_role",
				"domain controller");
	}
	if (r->ntlm_ok)
		smb_report_ntlm(sys, &r->ntlm);
	if (!json_object_get(sys, "hostname") && r->nb_ok)
		set_host(sys, r->nb.computer);
	if (r->dialect) {
		set_str(sys, "smb_dialect", smb_dialect_name(r->dialect, d));
		set_str(sys, "smb_signing",
			r->signing_required ? "required" : "not required");
	}
	if (r->smb1 >= 0)
		set_str(sys, "smb1", r->smb1 ? "enabled" : "disabled");
	if (r->rdp.negotiated)
		set_str(sys, "rdp_security",
			rdp_protocol_name(r->rdp.selected));
	else if (r->rdp.answered && !r->rdp.failure)
		set_str(sys, "rdp_security", "standard RDP security");
	return json_pack("{so}", "sys", sys);
}
