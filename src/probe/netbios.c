/*
 * netbios.c: NetBIOS node status request, answer parser and the blocking
 * exchange (netbios.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/netbios.h"
#include "probe/netio.h"

#define NB_PORT 137
#define NB_TYPE_NBSTAT 0x0021
#define NB_HDR 12
#define NB_NAME_ENTRY 18
#define NB_MAX_DATAGRAM 1500

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void nbstat_request_build(uint16_t txid, uint8_t out[NBSTAT_REQUEST_LEN])
{
	memset(out, 0, NBSTAT_REQUEST_LEN);
	out[0] = (uint8_t)(txid >> 8);
	out[1] = (uint8_t)txid;
	out[5] = 1; /* one question */
	/* "*" padded with NULs, first-level encoded (RFC 1001 14.1) */
	out[12] = 32;
	out[13] = 'C';
	out[14] = 'K';
	memset(out + 15, 'A', 30);
	/* out[45] = 0: the root label */
	out[47] = NB_TYPE_NBSTAT;
	out[49] = 1; /* class IN */
}

/* Skips the name at *at (labels or a compression pointer). */
static int nb_skip_name(const uint8_t *p, size_t n, size_t *at)
{
	size_t total = 0;

	while (*at < n) {
		uint8_t len = p[*at];

		if ((len & 0xc0) == 0xc0) {
			if (n - *at < 2)
				return -1;
			*at += 2;
			return 0;
		}
		if (len & 0xc0)
			return -1;
		*at += 1;
		if (len == 0)
			return 0;
		total += len;
		if (len > n - *at || total > 255)
			return -1;
		*at += len;
	}
	return -1;
}

/* One 18-byte name entry into e: printable ASCII, padding removed. */
static void nb_name_entry(const uint8_t *p, struct nbstat_name *e)
{
	size_t i, end = 0;

	for (i = 0; i < 15; i++) {
		uint8_t c = p[i];

		e->name[i] = c >= 0x21 && c < 0x7f ? (char)c
			     : c == ' '		   ? ' '
						   : '?';
		if (c != ' ' && c != 0)
			end = i + 1;
	}
	e->name[end] = '\0';
	e->suffix = p[15];
	e->group = (be16(p + 16) & 0x8000) != 0;
}

static void nb_pick(struct nbstat_info *out)
{
	size_t i;

	for (i = 0; i < out->n_names; i++) {
		const struct nbstat_name *e = &out->names[i];

		if (!e->name[0])
			continue;
		if (!e->group && e->suffix == 0x00 && !out->computer[0])
			memcpy(out->computer, e->name, sizeof(out->computer));
		if (e->group && e->suffix == 0x00 && !out->workgroup[0])
			memcpy(out->workgroup, e->name, sizeof(out->workgroup));
		if (e->group && e->suffix == 0x1c)
			out->domain_controller = 1;
	}
	for (i = 0; i < out->n_names && !out->computer[0]; i++)
		if (!out->names[i].group && out->names[i].suffix == 0x20)
			memcpy(out->computer, out->names[i].name,
			       sizeof(out->computer));
}

int nbstat_parse(const uint8_t *p, size_t n, uint16_t txid,
		 struct nbstat_info *out, char *why, size_t why_len)
{
	size_t at = NB_HDR, rdlen, i, count;
	unsigned q, qd;
	static const uint8_t zero[6];

	memset(out, 0, sizeof(*out));
	if (n < NB_HDR || be16(p) != txid || !(p[2] & 0x80)) {
		snprintf(why, why_len,
			 "not an answer to our node status "
			 "request");
		return -1;
	}
	if ((p[3] & 0x0f) != 0 || be16(p + 6) == 0) {
		snprintf(why, why_len, "node status refused (rcode %u)",
			 (unsigned)(p[3] & 0x0f));
		return -1;
	}
	qd = be16(p + 4);
	for (q = 0; q < qd; q++) { /* a question echoed back */
		if (nb_skip_name(p, n, &at) < 0 || n - at < 4)
			goto truncated;
		at += 4;
	}
	if (nb_skip_name(p, n, &at) < 0 || n - at < 10)
		goto truncated;
	if (be16(p + at) != NB_TYPE_NBSTAT) {
		snprintf(why, why_len, "the answer is of type %u, not NBSTAT",
			 be16(p + at));
		return -1;
	}
	rdlen = be16(p + at + 8);
	at += 10;
	if (rdlen > n - at || rdlen < 1)
		goto truncated;
	count = p[at++];
	if (count * NB_NAME_ENTRY > rdlen - 1) {
		snprintf(why, why_len,
			 "node status lists %zu names in %zu bytes", count,
			 rdlen - 1);
		return -1;
	}
	for (i = 0; i < count; i++, at += NB_NAME_ENTRY)
		if (out->n_names < NBSTAT_NAMES_MAX)
			nb_name_entry(p + at, &out->names[out->n_names++]);
	/* the statistics start with the unit id: the MAC */
	if (rdlen - 1 - count * NB_NAME_ENTRY >= 6 &&
	    memcmp(p + at, zero, 6) != 0)
		snprintf(out->mac, sizeof(out->mac),
			 "%02x:%02x:%02x:%02x:%02x:%02x", p[at], p[at + 1],
			 p[at + 2], p[at + 3], p[at + 4], p[at + 5]);
	nb_pick(out);
	return 0;
truncated:
	snprintf(why, why_len, "node status answer truncated (%zu bytes)", n);
	return -1;
}

int nbstat_send(const char *host, unsigned port, long deadline_ms,
		struct nbstat_req *q, char *why, size_t why_len)
{
	memset(q, 0, sizeof(*q));
	q->port = port ? port : NB_PORT;
	q->deadline = deadline_ms;
	q->resend = netio_now_ms() + (deadline_ms - netio_now_ms()) / 2;
	if (getrandom(&q->txid, sizeof(q->txid), 0) != sizeof(q->txid))
		q->txid = (uint16_t)netio_now_ms();
	nbstat_request_build(q->txid, q->req);
	q->fd = netio_connect(host, q->port, SOCK_DGRAM, deadline_ms, why,
			      why_len);
	if (q->fd < 0)
		return -1;
	if (send(q->fd, q->req, sizeof(q->req), 0) < 0 &&
	    errno == ECONNREFUSED) {
		snprintf(why, why_len, "%u/udp refused", q->port);
		close(q->fd);
		q->fd = -1;
		return -1;
	}
	q->sent = 1;
	return 0;
}

int nbstat_wait(struct nbstat_req *q, struct nbstat_info *out, char *why,
		size_t why_len)
{
	uint8_t buf[NB_MAX_DATAGRAM];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(why, why_len, "no node status answer on %u/udp in time",
		 q->port);
	for (;;) {
		long now = netio_now_ms();
		ssize_t r;

		/* the resend, when it is due and there is time to hear it */
		if (q->sent < 2 && now >= q->resend && now < q->deadline) {
			if (send(q->fd, q->req, sizeof(q->req), 0) < 0 &&
			    errno == ECONNREFUSED) {
				snprintf(why, why_len, "%u/udp refused",
					 q->port);
				break;
			}
			q->sent++;
		}
		/* past the deadline this still reads an answer that came
		 * while the caller did other work */
		if (!netio_wait(q->fd, POLLIN,
				q->sent < 2 && q->resend < q->deadline
					? q->resend
					: q->deadline)) {
			if (netio_now_ms() >= q->deadline)
				break;
			continue;
		}
		r = recv(q->fd, buf, sizeof(buf), 0);
		if (r < 0) {
			if (errno == ECONNREFUSED) {
				snprintf(why, why_len, "%u/udp refused",
					 q->port);
				break;
			}
			continue;
		}
		/* connected: only the host's datagrams arrive; another
		 * transaction's answer is skipped */
		if (r >= 2 && ((buf[0] << 8) | buf[1]) != q->txid)
			continue;
		rc = nbstat_parse(buf, (size_t)r, q->txid, out, why, why_len);
		break;
	}
	close(q->fd);
	q->fd = -1;
	return rc;
}

int nbstat_query(const char *host, unsigned port, long deadline_ms,
		 struct nbstat_info *out, char *why, size_t why_len)
{
	struct nbstat_req q;

	if (nbstat_send(host, port, deadline_ms, &q, why, why_len) < 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return nbstat_wait(&q, out, why, why_len);
}
