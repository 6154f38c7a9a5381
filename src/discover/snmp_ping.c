#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "discover/snmp_ping.h"

#define SP_PKT_MAX 512
#define SP_SLOT_BITS 20
#define SP_QBITS 5			/* 32 questions */
#define SP_PACE_WAIT_NS 2000000ull	/* retry a token after 2 ms */
#define SP_RECV_BURST 256
#define NS_PER_MS 1000000ull

struct sp_question {
	int cred;	/* index in creds; -1 for the v3 discovery */
	int version;	/* 1, 2 (v2c) or 3 */
};

struct sp_check {
	struct snmp_ping *sp;
	struct engine_host *h;
	snmp_ping_fn fn;
	void *arg;
	uint32_t slot;
	unsigned attempt;	/* 1-based */
	unsigned next;		/* next question to send in this attempt */
	int sending;		/* waiting for rate tokens */
	uint64_t sent_ns;	/* first datagram of the current attempt */
	struct timer timer;
};

struct sp_sock {
	int fd;
	struct reactor_io io;
};

struct snmp_ping {
	struct engine *e;
	struct reactor *r;
	json_t *creds;
	struct sp_question q[SNMP_PING_MAX_QUESTIONS];
	unsigned nq;
	unsigned timeout_ms, retries;
	uint32_t tag;
	struct sp_sock sock[2];		/* AF_INET, AF_INET6; fd -1 unopened */
	struct sp_check **slots;
	uint32_t nslots;
	uint32_t *free_slots;
	uint32_t nfree;
};

/* ---- BER, written backwards: each value is prepended before the ones
 * already written, so a constructed value's length is known when its
 * header is prepended. ---- */

struct bw {
	uint8_t *buf;
	size_t pos;		/* first written byte; 0 = full */
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
	static const uint8_t oid_null[] = { 0x06, 0x08, 0x2b, 0x06, 0x01,
					    0x02, 0x01, 0x01, 0x02, 0x00,
					    0x05, 0x00 };
	struct bw w = { buf, cap, 0 };
	size_t e_msg = w.pos, e_pdu, e_vbl;

	e_pdu = w.pos;
	e_vbl = w.pos;
	bw_bytes(&w, oid_null, sizeof(oid_null));
	bw_wrap(&w, 0x30, e_vbl);		/* varbind */
	bw_wrap(&w, 0x30, e_vbl);		/* varbind list */
	bw_uint(&w, 0);				/* error-index */
	bw_uint(&w, 0);				/* error-status */
	bw_uint(&w, reqid);
	bw_wrap(&w, 0xa0, e_pdu);		/* GetRequest */
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
	static const uint8_t flags = 0x04;	/* reportable */
	struct bw w = { buf, cap, 0 };
	/* written backwards: the PDU, the ScopedPDU and the message all end
	 * where the buffer does */
	/* cppcheck-suppress duplicateAssignExpression */
	size_t e_msg = w.pos, e_sp = w.pos, e_pdu = w.pos, e_usm, e_gd;

	bw_header(&w, 0x30, 0);			/* empty varbind list */
	bw_uint(&w, 0);				/* error-index */
	bw_uint(&w, 0);				/* error-status */
	bw_uint(&w, msgid);			/* request-id */
	bw_wrap(&w, 0xa0, e_pdu);		/* GetRequest */
	bw_octets(&w, "", 0);			/* contextName */
	bw_octets(&w, "", 0);			/* contextEngineID */
	bw_wrap(&w, 0x30, e_sp);		/* ScopedPDU */
	e_usm = w.pos;
	bw_octets(&w, "", 0);			/* privacy parameters */
	bw_octets(&w, "", 0);			/* authentication parameters */
	bw_octets(&w, "", 0);			/* user name */
	bw_uint(&w, 0);				/* engine time */
	bw_uint(&w, 0);				/* engine boots */
	bw_octets(&w, "", 0);			/* authoritative engine id */
	bw_wrap(&w, 0x30, e_usm);
	bw_wrap(&w, 0x04, e_usm);		/* msgSecurityParameters */
	e_gd = w.pos;
	bw_uint(&w, 3);				/* USM */
	bw_octets(&w, &flags, 1);
	bw_uint(&w, 65507);			/* msgMaxSize */
	bw_uint(&w, msgid);
	bw_wrap(&w, 0x30, e_gd);
	bw_uint(&w, 3);				/* msgVersion */
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
	    br_tlv(&p, end, &tag, &v, &len) < 0 ||
	    (tag != 0xa2 && tag != 0xa8))
		return -1;
	return br_uint(&v, v + len, id);
}

/* ---- checks ---- */

static uint32_t sp_id(const struct snmp_ping *sp, uint32_t slot, unsigned q)
{
	return ((slot << SP_QBITS) | q) ^ sp->tag;
}

static int sp_fam(int family)
{
	return family == AF_INET ? 0 : 1;
}

static void sp_readable(struct reactor_io *io, uint32_t events);

static int sp_sock_get(struct snmp_ping *sp, int family)
{
	struct sp_sock *s = &sp->sock[sp_fam(family)];
	int fd;

	if (s->fd >= 0)
		return s->fd;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("snmp: cannot open a UDP socket: %s", strerror(errno));
		return -1;
	}
	if (reactor_io_add(sp->r, &s->io, fd, EPOLLIN, sp_readable, sp) < 0) {
		close(fd);
		return -1;
	}
	s->fd = fd;
	return fd;
}

static void sp_finish(struct sp_check *c, const struct snmp_ping_answer *a)
{
	struct snmp_ping *sp = c->sp;

	reactor_timer_stop(sp->r, &c->timer);
	sp->slots[c->slot] = NULL;
	sp->free_slots[sp->nfree++] = c->slot;
	c->fn(sp->e, c->h, a, c->arg);
	engine_host_release(sp->e, c->h);
	free(c);
}

static void sp_send(struct sp_check *c, unsigned qi)
{
	struct snmp_ping *sp = c->sp;
	const struct sp_question *q = &sp->q[qi];
	struct sockaddr_storage ss;
	uint8_t pkt[SP_PKT_MAX];
	socklen_t sl;
	size_t n;
	int fd = sp_sock_get(sp, c->h->addr.family);

	if (fd < 0)
		return;
	if (q->version == 3)
		n = sp_build_v3(pkt, sizeof(pkt), sp_id(sp, c->slot, qi));
	else
		n = sp_build_get(pkt, sizeof(pkt), q->version,
				 json_string_value(json_object_get(
					 json_array_get(sp->creds,
							(size_t)q->cred),
					 "community")),
				 sp_id(sp, c->slot, qi));
	if (n == 0)
		return;
	sl = targets_addr_to_sockaddr(&c->h->addr, 161, &ss);
	/* a datagram lost locally (ENOBUFS, unreachable) is like one lost
	 * on the wire: the timeout handles it */
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&ss, sl) < 0)
		log_debug("snmp: send to port 161: %s", strerror(errno));
}

/* Sends what is left of the current attempt as tokens allow, then waits. */
static void sp_pump(struct sp_check *c)
{
	struct snmp_ping *sp = c->sp;

	c->sending = 1;
	while (c->next < sp->nq) {
		if (!engine_pace_take(sp->e)) {
			reactor_timer_start(sp->r, &c->timer, SP_PACE_WAIT_NS);
			return;
		}
		if (c->next == 0)
			c->sent_ns = reactor_now(sp->r);
		sp_send(c, c->next++);
	}
	c->sending = 0;
	reactor_timer_start(sp->r, &c->timer,
			    (uint64_t)sp->timeout_ms * NS_PER_MS);
}

static void sp_timer(struct timer *t, void *arg)
{
	struct sp_check *c = arg;
	struct snmp_ping_answer a;

	if (c->sending) {
		sp_pump(c);
		return;
	}
	if (c->attempt <= c->sp->retries) {
		c->attempt++;
		c->next = 0;
		sp_pump(c);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.cred = -1;
	sp_finish(c, &a);
}

static void sp_reply(struct snmp_ping *sp, const uint8_t *pkt, size_t n,
		     const struct sockaddr *from)
{
	struct targets_addr a;
	struct snmp_ping_answer ans;
	struct sp_check *c;
	uint32_t id, version, v, slot;
	unsigned qi;
	uint16_t port;

	if (sp_parse_reply(pkt, n, &id, &version) < 0)
		return;
	port = from->sa_family == AF_INET
		       ? ntohs(((const struct sockaddr_in *)(const void *)from)
				       ->sin_port)
		       : ntohs(((const struct sockaddr_in6 *)(const void *)
					from)->sin6_port);
	v = id ^ sp->tag;
	qi = v & ((1u << SP_QBITS) - 1);
	slot = v >> SP_QBITS;
	if (port != 161 || slot >= sp->nslots || qi >= sp->nq ||
	    targets_addr_from_sockaddr(from, &a) < 0)
		return;
	c = sp->slots[slot];
	if (!c || !targets_addr_equal(&a, &c->h->addr) ||
	    (sp->q[qi].version == 3) != (version == 3))
		return;
	memset(&ans, 0, sizeof(ans));
	ans.answered = 1;
	ans.cred = sp->q[qi].cred;
	ans.version = sp->q[qi].version;
	ans.rtt_ms = (unsigned)((reactor_now(sp->r) - c->sent_ns) / NS_PER_MS);
	sp_finish(c, &ans);
}

static void sp_readable(struct reactor_io *io, uint32_t events)
{
	struct snmp_ping *sp = io->arg;
	struct sockaddr_storage from;
	uint8_t pkt[2048];
	socklen_t fl;
	ssize_t n;
	int i;

	for (i = 0; i < SP_RECV_BURST; i++) {
		fl = sizeof(from);
		n = recvfrom(io->fd, pkt, sizeof(pkt), 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		sp_reply(sp, pkt, (size_t)n, (struct sockaddr *)&from);
	}
}

static unsigned sp_questions(json_t *creds, struct sp_question *q)
{
	unsigned n = 0, v3 = 0;
	size_t i;
	json_t *c;

	json_array_foreach(creds, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
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

struct snmp_ping *snmp_ping_new(struct engine *e, json_t *creds,
				unsigned timeout_ms, unsigned retries)
{
	struct snmp_ping *sp;

	if (sp_questions(creds, NULL) == 0)
		return NULL;
	sp = xcalloc(1, sizeof(*sp));
	sp->e = e;
	sp->r = engine_reactor(e);
	sp->creds = creds;
	sp->nq = sp_questions(creds, sp->q);
	sp->timeout_ms = timeout_ms ? timeout_ms : 1000;
	sp->retries = retries;
	sp->sock[0].fd = sp->sock[1].fd = -1;
	randombytes_buf(&sp->tag, sizeof(sp->tag));
	sp->tag &= (1u << (SP_SLOT_BITS + SP_QBITS)) - 1;
	return sp;
}

void snmp_ping_free(struct snmp_ping *sp)
{
	uint32_t i;
	int k;

	if (!sp)
		return;
	for (i = 0; i < sp->nslots; i++) {
		if (!sp->slots[i])
			continue;
		reactor_timer_stop(sp->r, &sp->slots[i]->timer);
		free(sp->slots[i]);
	}
	for (k = 0; k < 2; k++)
		if (sp->sock[k].fd >= 0)
			reactor_io_close(sp->r, &sp->sock[k].io);
	free(sp->slots);
	free(sp->free_slots);
	free(sp);
}

int snmp_ping_start(struct snmp_ping *sp, struct engine_host *h,
		    snmp_ping_fn fn, void *arg)
{
	struct sp_check *c;
	uint32_t slot;

	if (sp->nfree == 0) {
		uint32_t n = sp->nslots ? sp->nslots * 2 : 64, i;

		if (n > (1u << SP_SLOT_BITS)) {
			log_err("snmp: too many checks at once");
			return -1;
		}
		sp->slots = xrealloc(sp->slots, n * sizeof(*sp->slots));
		sp->free_slots = xrealloc(sp->free_slots,
					  n * sizeof(*sp->free_slots));
		for (i = n; i > sp->nslots; i--) {
			sp->slots[i - 1] = NULL;
			sp->free_slots[sp->nfree++] = i - 1;
		}
		sp->nslots = n;
	}
	if (sp_sock_get(sp, h->addr.family) < 0)
		return -1;
	slot = sp->free_slots[--sp->nfree];
	c = xcalloc(1, sizeof(*c));
	c->sp = sp;
	c->h = h;
	c->fn = fn;
	c->arg = arg;
	c->slot = slot;
	c->attempt = 1;
	timer_init(&c->timer, sp_timer, c);
	sp->slots[slot] = c;
	engine_host_hold(sp->e, h);
	sp_pump(c);
	return 0;
}
