/*
 * rdp.c: X.224 negotiation, TLS and the CredSSP NTLMSSP exchange (rdp.h).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "probe/bytes.h"
#include "probe/netio.h"
#include "probe/rdp.h"

#define RDP_PORT 3389
#define TPKT_HDR 4
#define RDP_ANSWER_MAX 65536
#define TYPE_RDP_NEG_RSP 0x02
#define TYPE_RDP_NEG_FAILURE 0x03

const char *rdp_protocol_name(uint32_t selected)
{
	switch (selected) {
	case RDP_PROTOCOL_RDP:
		return "standard RDP security";
	case RDP_PROTOCOL_SSL:
		return "TLS";
	case RDP_PROTOCOL_HYBRID:
		return "NLA (CredSSP)";
	case RDP_PROTOCOL_HYBRID_EX:
		return "NLA (CredSSP, early user authorization)";
	default:
		return "other";
	}
}

/* TPKT + X.224 Connection Request + RDP_NEG_REQ (TLS | CredSSP). */
static const uint8_t rdp_request[] = {
	0x03, 0x00, 0x00, 0x13,			       /* TPKT, 19 bytes */
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,      /* X.224 CR */
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00 /* RDP_NEG_REQ */
};

int rdp_confirm_parse(const uint8_t *p, size_t n, struct rdp_result *r,
		      char *why, size_t why_len)
{
	size_t len, li;

	if (n < TPKT_HDR + 7 || p[0] != 0x03) {
		snprintf(why, why_len, "not a TPKT answer (%zu bytes)", n);
		return -1;
	}
	len = (size_t)p[2] << 8 | p[3];
	li = p[4];
	if (len > n || len < TPKT_HDR + 7 || li + 1 > len - TPKT_HDR ||
	    (p[5] & 0xf0) != 0xd0) {
		snprintf(why, why_len, "not an X.224 Connection Confirm");
		return -1;
	}
	r->answered = 1;
	/* the negotiation data follows the 7 bytes of the CC header */
	if (li + 1 < 7 + 8)
		return 0; /* none: standard RDP security only */
	p += TPKT_HDR + 7;
	if (bytes_le16(p + 2) != 8) {
		snprintf(why, why_len, "RDP negotiation data of length %u",
			 bytes_le16(p + 2));
		return -1;
	}
	if (p[0] == TYPE_RDP_NEG_RSP) {
		r->negotiated = 1;
		r->selected = bytes_le32(p + 4);
	} else if (p[0] == TYPE_RDP_NEG_FAILURE) {
		r->failure = bytes_le32(p + 4);
	} else {
		snprintf(why, why_len, "RDP negotiation data of type %u", p[0]);
		return -1;
	}
	return 0;
}

/* TSRequest ([MS-CSSP] 2.2.1) version 6 with one negoToken: our NTLMSSP
 * NEGOTIATE. All lengths < 128: short-form DER, each header 2 bytes. */
static size_t rdp_tsrequest_build(uint8_t *p)
{
	static const uint8_t version[] = {0xa0, 0x03, 0x02, 0x01, 0x06};
	/* negoToken [0] { OCTET STRING }, NegoDataItem, NegoData, [1] */
	static const uint8_t tags[] = {0xa1, 0x30, 0x30, 0xa0, 0x04};
	size_t n = sizeof(tags), at = 0, i;

	p[at++] = 0x30;
	p[at++] = (uint8_t)(sizeof(version) + 2 * n + NTLM_NEGOTIATE_LEN);
	memcpy(p + at, version, sizeof(version));
	at += sizeof(version);
	for (i = 0; i < n; i++) {
		p[at++] = tags[i];
		p[at++] = (uint8_t)(2 * (n - 1 - i) + NTLM_NEGOTIATE_LEN);
	}
	ntlm_negotiate_build(p + at);
	return at + NTLM_NEGOTIATE_LEN;
}

/* One TLS send or receive, waiting as gnutls asks until the deadline. */
static ssize_t rdp_tls_io(gnutls_session_t s, int fd, int sending, void *buf,
			  size_t n, long deadline, char *why, size_t why_len)
{
	for (;;) {
		ssize_t rc = sending ? gnutls_record_send(s, buf, n)
				     : gnutls_record_recv(s, buf, n);

		if (rc >= 0)
			return rc;
		if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED) {
			snprintf(why, why_len, "TLS: %s",
				 gnutls_strerror((int)rc));
			return -1;
		}
		if (!netio_wait(fd,
				gnutls_record_get_direction(s) ? POLLOUT
							       : POLLIN,
				deadline)) {
			snprintf(why, why_len, "TLS: no answer in time");
			return -1;
		}
	}
}

static int rdp_tls_handshake(gnutls_session_t s, int fd, long deadline,
			     char *why, size_t why_len)
{
	for (;;) {
		int rc = gnutls_handshake(s);

		if (rc == GNUTLS_E_SUCCESS)
			return 0;
		if (gnutls_error_is_fatal(rc)) {
			snprintf(why, why_len, "TLS handshake: %s",
				 gnutls_strerror(rc));
			return -1;
		}
		if (!netio_wait(fd,
				gnutls_record_get_direction(s) ? POLLOUT
							       : POLLIN,
				deadline)) {
			snprintf(why, why_len,
				 "TLS handshake: no answer in "
				 "time");
			return -1;
		}
	}
}

/* The DER length of the TSRequest starting at p (have bytes of it), or
 * 0 while the header is incomplete. */
static size_t rdp_der_total(const uint8_t *p, size_t have)
{
	if (have < 2)
		return 0;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1];
	if (p[1] == 0x81 && have >= 3)
		return 3 + (size_t)p[2];
	if (p[1] == 0x82 && have >= 4)
		return 4 + ((size_t)p[2] << 8 | p[3]);
	return p[1] > 0x82 ? RDP_ANSWER_MAX + 1 : 0;
}

/* CredSSP over TLS on fd: our NEGOTIATE, the server's CHALLENGE. */
static void rdp_credssp(int fd, long deadline, struct rdp_result *r,
			uint8_t *buf)
{
	gnutls_session_t s = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	size_t have = 0, total = 0;
	ssize_t n;

	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0 ||
	    gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0) {
		snprintf(r->error, sizeof(r->error), "TLS: cannot set up");
		goto done;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 0);
	if (rdp_tls_handshake(s, fd, deadline, r->error, sizeof(r->error)) < 0)
		goto done;
	n = (ssize_t)rdp_tsrequest_build(buf);
	if (rdp_tls_io(s, fd, 1, buf, (size_t)n, deadline, r->error,
		       sizeof(r->error)) < 0)
		goto done;
	while (total == 0 || have < total) {
		n = rdp_tls_io(s, fd, 0, buf + have, RDP_ANSWER_MAX - have,
			       deadline, r->error, sizeof(r->error));
		if (n <= 0) {
			if (n == 0)
				snprintf(r->error, sizeof(r->error),
					 "CredSSP: the server closed the "
					 "connection");
			goto done;
		}
		have += (size_t)n;
		if (have && buf[0] != 0x30) {
			snprintf(r->error, sizeof(r->error),
				 "CredSSP: not a TSRequest");
			goto done;
		}
		total = rdp_der_total(buf, have);
		if (total > RDP_ANSWER_MAX) {
			snprintf(r->error, sizeof(r->error),
				 "CredSSP: an answer of more than %d bytes",
				 RDP_ANSWER_MAX);
			goto done;
		}
	}
	if (ntlm_challenge_find(buf, total, &r->ntlm, r->error,
				sizeof(r->error)) == 0) {
		r->ntlm_ok = 1;
		r->error[0] = '\0';
	}
done:
	if (s) {
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
	}
	if (cred)
		gnutls_certificate_free_credentials(cred);
}

int rdp_probe_host(const char *host, unsigned port, long deadline_ms,
		   struct rdp_result *r)
{
	uint8_t *buf = malloc(RDP_ANSWER_MAX);
	size_t len;
	int fd = -1;

	memset(r, 0, sizeof(*r));
	if (!buf) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	fd = netio_connect(host, port ? port : RDP_PORT, SOCK_STREAM,
			   deadline_ms, r->error, sizeof(r->error));
	if (fd < 0)
		goto fail;
	if (netio_send_all(fd, rdp_request, sizeof(rdp_request), deadline_ms,
			   r->error, sizeof(r->error)) < 0 ||
	    netio_recv_all(fd, buf, TPKT_HDR, deadline_ms, r->error,
			   sizeof(r->error)) < 0)
		goto fail;
	len = (size_t)buf[2] << 8 | buf[3];
	if (buf[0] != 0x03 || len < TPKT_HDR || len > 512) {
		snprintf(r->error, sizeof(r->error),
			 "not an X.224 answer (TPKT %02x, %zu bytes)", buf[0],
			 len);
		goto fail;
	}
	if (netio_recv_all(fd, buf + TPKT_HDR, len - TPKT_HDR, deadline_ms,
			   r->error, sizeof(r->error)) < 0 ||
	    rdp_confirm_parse(buf, len, r, r->error, sizeof(r->error)) < 0)
		goto fail;
	if (r->negotiated && (r->selected == RDP_PROTOCOL_HYBRID ||
			      r->selected == RDP_PROTOCOL_HYBRID_EX))
		rdp_credssp(fd, deadline_ms, r, buf);
	close(fd);
	free(buf);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}
