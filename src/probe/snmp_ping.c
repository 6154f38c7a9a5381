#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "probe/snmp_ping.h"
#include "probe/udp.h"

#define SP_PKT_MAX 512
#define SP_RX_MAX 2048
/* The request id / msgID: 31 bits (a positive Integer32), the attempt's
 * 16-bit engine id, the 5-bit question and a v3 bit, XOR a keyed hash of
 * the address; the 9 bits above them must come back zero. */
#define SP_ID_BITS 16
#define SP_Q_BITS 5
#define SP_V3_BIT (1u << (SP_ID_BITS + SP_Q_BITS))
#define SP_USED_MASK ((SP_V3_BIT << 1) - 1)
#define SP_REQID_MASK 0x7fffffffu

struct sp_question {
	int cred;    /* index in creds; -1 for the v3 discovery */
	int version; /* 1, 2 (v2c) or 3 */
};

struct snmp_ping {
	json_t *creds;
	struct sp_question q[SNMP_PING_MAX_QUESTIONS];
	unsigned nq;
};

/* ---- BER, written backwards: each value is prepended before the ones
 * already written, so a constructed value's length is known when its
 * header is prepended. ---- */

struct bw {
	uint8_t *buf;
	size_t pos; /* first written byte; 0 = full */
	int err;
};

static void bw_bytes(struct bw *w, const void *p, size_t n)
{
	if (w->err || n > w->pos) {
		w->err = 1;
		return;
	}
	w->pos -= n;
	memcpy(w->buf + w->pos, p, n);
}

static void bw_header(struct bw *w, uint8_t tag, size_t len)
{
	uint8_t h[4];
	size_t n = 0;

	if (len < 128) {
		h[n++] = tag;
		h[n++] = (uint8_t)len;
	} else if (len < 256) {
		h[n++] = tag;
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = tag;
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	bw_bytes(w, h, n);
}

/* Wraps everything written since the writer was at `end`. */
static void bw_wrap(struct bw *w, uint8_t tag, size_t end)
{
	if (!w->err)
		bw_header(w, tag, end - w->pos);
}

static void bw_uint(struct bw *w, uint32_t v)
{
	uint8_t b[5];
	size_t n = 0;

	do {
		b[4 - n++] = (uint8_t)v;
		v >>= 8;
	} while (v);
	if (b[5 - n] & 0x80)
		b[4 - n++] = 0;
	bw_bytes(w, b + 5 - n, n);
	bw_header(w, 0x02, n);
}

static void bw_octets(struct bw *w, const void *p, size_t n)
{
	bw_bytes(w, p, n);
	bw_header(w, 0x04, n);
}

/* A GET of sysObjectID.0 (v1 or v2c); its length, or 0. */
static size_t sp_build_get(uint8_t *buf, size_t cap, int version,
			   const char *community, uint32_t reqid)
{
	static const uint8_t oid_null[] = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x02,
					   0x01, 0x01, 0x02, 0x00, 0x05, 0x00};
	struct bw w = {buf, cap, 0};
	size_t e_msg = w.pos, e_pdu, e_vbl;

	e_pdu = w.pos;
	e_vbl = w.pos;
	bw_bytes(&w, oid_null, sizeof(oid_null));
	bw_wrap(&w, 0x30, e_vbl); /* varbind */
	bw_wrap(&w, 0x30, e_vbl); /* varbind list */
	bw_uint(&w, 0);		  /* error-index */
	bw_uint(&w, 0);		  /* error-status */
	bw_uint(&w, reqid);
	bw_wrap(&w, 0xa0, e_pdu); /* GetRequest */
	bw_octets(&w, community, strlen(community));
	bw_uint(&w, version == 1 ? 0 : 1);
	bw_wrap(&w, 0x30, e_msg);
	if (w.err)
		return 0;
	memmove(buf, buf + w.pos, cap - w.pos);
	return cap - w.pos;
}

/* An SNMPv3 engine-discovery request (RFC 3414 4): noAuthNoPriv,
 * reportable, empty engine id and user, an empty GET. */
static size_t sp_build_v3(uint8_t *buf, size_t cap, uint32_t msgid)
{
	static const uint8_t flags = 0x04; /* reportable */
	struct bw w = {buf, cap, 0};
	/* written backwards: the PDU, the ScopedPDU and the message all end
	 * where the buffer does */
	/* cppcheck-suppress duplicateAssignExpression */
	size_t e_msg = w.pos, e_sp = w.pos, e_pdu = w.pos, e_usm, e_gd;

	bw_header(&w, 0x30, 0);	  /* empty varbind list */
	bw_uint(&w, 0);		  /* error-index */
	bw_uint(&w, 0);		  /* error-status */
	bw_uint(&w, msgid);	  /* request-id */
	bw_wrap(&w, 0xa0, e_pdu); /* GetRequest */
	bw_octets(&w, "", 0);	  /* contextName */
	bw_octets(&w, "", 0);	  /* contextEngineID */
	bw_wrap(&w, 0x30, e_sp);  /* ScopedPDU */
	e_usm = w.pos;
	bw_octets(&w, "", 0); /* privacy parameters */
	bw_octets(&w, "", 0); /* authentication parameters */
	bw_octets(&w, "", 0); /* user name */
	bw_uint(&w, 0);	      /* engine time */
	bw_uint(&w, 0);	      /* engine boots */
	bw_octets(&w, "", 0); /* authoritative engine id */
	bw_wrap(&w, 0x30, e_usm);
	bw_wrap(&w, 0x04, e_usm); /* msgSecurityParameters */
	e_gd = w.pos;
	bw_uint(&w, 3); /* USM */
	bw_octets(&w, &flags, 1);
	bw_uint(&w, 65507); /* msgMaxSize */
	bw_uint(&w, msgid);
	bw_wrap(&w, 0x30, e_gd);
	bw_uint(&w, 3); /* msgVersion */
	bw_wrap(&w, 0x30, e_msg);
	if (w.err)
		return 0;
	memmove(buf, buf + w.pos, cap - w.pos);
	return cap - w.pos;
}

/* ---- BER, read: just enough to find the version and the id ---- */

/* Reads one TLV at *p; 0 with tag, value and length set, or -1. */
static int br_tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag,
		  const uint8_t **val, size_t *len)
{
	const uint8_t *q = *p;
	size_t n, i;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	n = *q++;
	if (n & 0x80) {
		size_t k = n & 0x7f;

		if (k == 0 || k > 3 || (size_t)(end - q) < k)
			return -1;
		for (n = 0, i = 0; i < k; i++)
			n = n << 8 | *q++;
	}
	if ((size_t)(end - q) < n)
		return -1;
	*val = q;
	*len = n;
	*p = q + n;
	return 0;
}

static int br_uint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	const uint8_t *v;
	uint8_t tag;
	size_t len, i;
	uint64_t x = 0;

	if (br_tlv(p, end, &tag, &v, &len) < 0 || tag != 0x02 || len == 0 ||
	    len > 5 || (v[0] & 0x80))
		return -1;
	for (i = 0; i < len; i++)
		x = x << 8 | v[i];
	if (x > UINT32_MAX)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* The id a reply carries and its message version; 0 or -1. */
static int sp_parse_reply(const uint8_t *pkt, size_t n, uint32_t *id,
			  uint32_t *version)
{
	const uint8_t *p = pkt, *end = pkt + n, *v;
	uint8_t tag;
	size_t len;

	if (br_tlv(&p, end, &tag, &v, &len) < 0 || tag != 0x30)
		return -1;
	p = v;
	end = v + len;
	if (br_uint(&p, end, version) < 0)
		return -1;
	if (*version == 3) {
		if (br_tlv(&p, end, &tag, &v, &len) < 0 || tag != 0x30)
			return -1;
		return br_uint(&v, v + len, id);
	}
	if (br_tlv(&p, end, &tag, &v, &len) < 0 || tag != 0x04 ||
	    br_tlv(&p, end, &tag, &v, &len) < 0 || (tag != 0xa2 && tag != 0xa8))
		return -1;
	return br_uint(&v, v + len, id);
}

/* ---- the questions ---- */

static unsigned sp_questions(json_t *creds, struct sp_question *q)
{
	unsigned n = 0, v3 = 0;
	size_t i;
	json_t *c;

	json_array_foreach(creds, i, c) {
		const char *type =
			json_string_value(json_object_get(c, "type"));
		const char *comm;

		if (type && !strcmp(type, "snmp_v3"))
			v3 = 1;
		if (!type || strcmp(type, "snmp") != 0)
			continue;
		comm = json_string_value(json_object_get(c, "community"));
		if (!comm || strlen(comm) > SNMP_PING_COMMUNITY_MAX ||
		    n + 2 + 1 > SNMP_PING_MAX_QUESTIONS)
			continue;
		if (q) {
			q[n].cred = (int)i;
			q[n].version = 2;
			q[n + 1].cred = (int)i;
			q[n + 1].version = 1;
		}
		n += 2;
	}
	if (v3) {
		if (q) {
			q[n].cred = -1;
			q[n].version = 3;
		}
		n++;
	}
	return n;
}

unsigned snmp_ping_questions(json_t *creds)
{
	return sp_questions(creds, NULL);
}

struct snmp_ping *snmp_ping_new(json_t *creds)
{
	struct snmp_ping *sp;

	if (sp_questions(creds, NULL) == 0)
		return NULL;
	sp = xcalloc(1, sizeof(*sp));
	sp->creds = creds;
	sp->nq = sp_questions(creds, sp->q);
	return sp;
}

void snmp_ping_free(struct snmp_ping *sp)
{
	free(sp);
}

int snmp_ping_cred(const struct snmp_ping *sp, unsigned q, int *version)
{
	if (q >= sp->nq) {
		*version = 0;
		return -1;
	}
	*version = sp->q[q].version;
	return sp->q[q].cred;
}

/* ---- the probe row ---- */

/* The keyed hash of the address that hides the id from other senders. */
static uint32_t sp_mask(const uint8_t *key, const struct targets_addr *a)
{
	uint8_t in[17], out[crypto_shorthash_BYTES];

	memcpy(in, a->a, 16);
	in[16] = (uint8_t)a->family;
	crypto_shorthash(out, in, sizeof(in), key);
	return ((uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 |
		(uint32_t)out[2] << 8 | out[3]) &
	       SP_REQID_MASK;
}

static unsigned sp_row_questions(const void *cfg)
{
	return ((const struct snmp_ping *)cfg)->nq;
}

static int sp_row_send(struct probe_chan *c, const struct probe_send *ps)
{
	const struct snmp_ping *sp = ps->cfg;
	const struct sp_question *q;
	uint8_t pkt[SP_PKT_MAX];
	uint32_t reqid;
	size_t n;

	if (ps->q >= sp->nq) {
		errno = EINVAL;
		return -1;
	}
	q = &sp->q[ps->q];
	reqid = ((uint32_t)ps->id | (uint32_t)ps->q << SP_ID_BITS |
		 (q->version == 3 ? SP_V3_BIT : 0)) ^
		sp_mask(udp_chan_key(c), ps->addr);
	if (q->version == 3)
		n = sp_build_v3(pkt, sizeof(pkt), reqid);
	else
		n = sp_build_get(
			pkt, sizeof(pkt), q->version,
			json_string_value(json_object_get(
				json_array_get(sp->creds, (size_t)q->cred),
				"community")),
			reqid);
	if (n == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return udp_chan_send(c, ps->addr, ps->port, pkt, n);
}

static int sp_row_recv(struct probe_chan *c, struct probe_reply *out)
{
	uint8_t pkt[SP_RX_MAX];
	struct targets_addr from;
	uint32_t id, version, v;
	uint16_t port;
	ssize_t n = udp_chan_recv(c, pkt, sizeof(pkt), &from, &port);

	if (n < 0)
		return -1;
	if (port == 0 || sp_parse_reply(pkt, (size_t)n, &id, &version) < 0)
		return 0;
	v = (id ^ sp_mask(udp_chan_key(c), &from)) & SP_REQID_MASK;
	if ((v & ~SP_USED_MASK) != 0 || !(v & SP_V3_BIT) != (version != 3))
		return 0;
	memset(out, 0, sizeof(*out));
	out->from = from;
	out->port = port;
	out->id = (uint16_t)v;
	out->q = (uint8_t)((v >> SP_ID_BITS) & ((1u << SP_Q_BITS) - 1));
	return 1;
}

const struct probe_module probe_snmp = {
	.name = "snmp",
	.sock = PROBE_SHARED,
	.alive_answer = PROBE_ALIVE_NO, /* asked of live hosts only */
	.alive_refused = PROBE_ALIVE_NO,
	.port = 161,
	.settle_full = 1,
	.open = udp_chan_open,
	.close = udp_chan_close,
	.send = sp_row_send,
	.recv = sp_row_recv,
	.questions = sp_row_questions,
};
