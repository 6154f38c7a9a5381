#include <errno.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "engine/engine.h"
#include "engine/pace.h"
#include "engine/perm.h"
#include "engine/rtt.h"
#include "probe/iface.h"

#define ENGINE_RETRIES_MAX 10
#define ENGINE_INFLIGHT_CEIL                                                   \
	60000				    /* below the 65536 ids of a shared \
					     * socket (probe/probe.h) */
#define ENGINE_LOCAL_BACKOFF_NS 20000000ull /* 20 ms after EMFILE etc. */
#define ENGINE_RECV_BURST 512		    /* replies read per wake-up */
#define ENGINE_IDS 65536		    /* ids of a shared socket */
#define ENGINE_REQUESTS_MAX 64		    /* engine_probe() per host */
#define ENGINE_QUESTIONS_MAX 256	    /* questions of one request */
#define NS_PER_MS 1000000ull
#define TCP_SYN_RTO_NS 1000000000ull /* Linux's initial SYN timeout */
#define TCP_LINGER_MAX_NS                                                      \
	980000000ull /* a late SYN-ACK is waited for                           \
		      * until just before the kernel                           \
		      * would resend the SYN unpaced */
#define ENGINE_SETTLE_NS                                                       \
	500000000ull /* a verdict waits at least this                          \
		      * (or --timeout) after the first                         \
		      * probe of an item */
#define ENGINE_ADMIT_WINDOW_NS                                                 \
	3000000000ull /* a router's unresolved                                 \
		       * ARP entry lives ~3 s */
#define ENGINE_ADMIT_RING_MAX (1u << 20)
#define ENGINE_ADMIT_BURST 256 /* addresses started at once */

/* ST_ALIVE: inside the alive callback, between discovery and ports */
enum stage { ST_DISC, ST_ALIVE, ST_PORTS, ST_WAIT, ST_DONE };
/* A slot is one probe place of a host: free, waiting for a token to
 * (re)send, in flight, or backing off after a local error. */
enum slot_state { SL_FREE, SL_WAIT, SL_FLIGHT, SL_BACKOFF };

struct host;
struct chan;

struct slot {
	struct host *h;
	enum slot_state st;
	uint32_t item;
	struct chan *ch; /* the shared socket of an attempt in flight
			  * there (its id is taken), else NULL */
	int linger;	 /* an earlier attempt still listening while
			  * its retry is under way */
	uint16_t id;
	uint64_t sent;
	struct reactor_io io;
	struct timer timer;
};

/* What an item (one probe place of a stage) is: its row in the probe
 * table, its question, and for a request's items the request. */
struct item_meta {
	uint8_t kind; /* enum probe_kind */
	uint8_t q;    /* the question (request kinds) */
	uint16_t req; /* 1 + index in host.reqs; 0: none */
};

/* A request kind asked of a live host (engine_probe()). */
struct preq {
	uint8_t kind;
	uint16_t port;
	const void *cfg;
	engine_probe_fn fn;
	void *arg;
	uint32_t first, n; /* its items in the port stage */
	uint32_t left;	   /* items not settled yet */
};

struct host {
	struct engine_host pub;
	struct engine *e;
	enum stage stage;
	struct engine_port *items; /* the current stage's probes */
	struct item_meta *meta;	   /* and what each is */
	uint64_t *first_ns;	   /* each item's first send */
	uint32_t n_items, cursor, settled;
	struct engine_port *disc; /* discovery probes */
	struct item_meta *disc_meta;
	uint32_t n_disc;
	struct engine_port *port_items; /* the port stage: requests' items,
					 * then pub.ports */
	struct item_meta *port_meta;
	size_t ports_left; /* of pub.ports, not settled */
	struct preq *reqs; /* engine_probe() requests */
	unsigned n_reqs, reqs_open;
	struct slot *slots;
	unsigned n_slots, busy, waiting;
	int ports_done, dns_done;
	unsigned holds; /* jobs and open requests */
	char *hostname;
	int in_ready;
	int ready_later;	       /* in ready_late, not ready */
	int link;		       /* in ARP / NDP discovery now */
	TAILQ_ENTRY(host) ready_link;  /* something to send */
	TAILQ_ENTRY(host) held_link;   /* answered ARP / NDP, held */
	TAILQ_ENTRY(host) active_link; /* active hosts, admission order */
	TAILQ_ENTRY(host) dns_link;    /* waiting for a PTR lookup */
};

/* cppcheck-suppress unusedStructMember ; tqh_first and tqh_last are used
 * through the TAILQ_ macros, which cppcheck does not follow here */
TAILQ_HEAD(hosts, host);

/* A discovery probe every address gets (engine_new: ICMP echo unless
 * no_icmp, then TCP connect to each discovery port). */
struct disc_probe {
	uint8_t kind;
	uint16_t port;
};

/* A shared socket of one probe kind and address family. */
struct chan {
	int state; /* 0 untried, 1 open, -1 unavailable */
	const struct probe_module *m;
	struct probe_chan pc;
	struct reactor_io io;
	struct slot **by_id; /* ENGINE_IDS: the attempt each id is */
	uint16_t *free_id;
	uint32_t n_free;
};

struct ejob {
	struct engine *e;
	struct host *h;
	enum pool_kind kind;
	engine_job_fn fn;
	engine_job_done_fn done;
	void *arg;
	TAILQ_ENTRY(ejob) link; /* in the backlog */
};

/* cppcheck-suppress unusedStructMember ; tqh_first and tqh_last are used
 * through the TAILQ_ macros, which cppcheck does not follow here */
TAILQ_HEAD(ejobs, ejob);

struct engine {
	struct engine_opts o;
	const struct targets *t;
	struct engine_callbacks cb;
	struct reactor *r;
	struct pool *pool;
	struct reactor_io pool_io;
	struct dns *dns;
	struct pace pace;
	struct rtt rtt;	      /* answers seen: sizes attempt waits */
	struct pace admit;    /* new addresses: smooth after a burst */
	uint64_t *admit_ring; /* start times of the last admit_w hosts */
	size_t admit_w, admit_n, admit_head;
	struct timer pace_timer;
	struct perm perm;
	uint64_t next_pos, last_pos;
	struct chan chan[PROBE_KINDS][2]; /* by kind, then family */
	uint8_t probe_key[PROBE_KEY_BYTES];
	struct disc_probe disc[1 + ENGINE_DISCOVERY_PORTS_MAX];
	uint32_t n_disc;	 /* discovery probes per address */
	struct hosts ready;	 /* hosts with something to send */
	struct hosts ready_late; /* on-link hosts with only an ARP / NDP
				  * retry to send: after new addresses
				  * (engine_next_sender) */
	struct hosts active;	 /* started, not done; admission order */
	struct hosts dns_queue;
	unsigned inflight, dns_running;
	struct ejobs backlog;	/* jobs the pool has no room for yet */
	struct iface_table ifs; /* directly connected subnets (opts.arp) */
	int link_warned;	/* the fallback from ARP/NDP was said */
	int syn_warned;		/* the fallback from half-open SYNs was */
	int cap_said;		/* the missing CAP_NET_RAW was named */
	uint64_t link_total;	/* on-link addresses among the positions */
	uint64_t link_started;	/* of them, started */
	unsigned link_active;	/* hosts in ARP / NDP discovery now */
	struct hosts held;	/* answered ARP / NDP, until the sweep is
				 * over (engine_release_held) */
	uint64_t free_jobs;
	atomic_int stop;
	int ran, shutting;
	_Atomic uint64_t start_ns;
	_Atomic uint64_t c_total, c_done, c_alive, c_packets, c_open, c_disc,
		c_ports, c_dns, c_jobs, c_resume, c_end_ns, c_dead_icmp,
		c_rto_ns;
};

static void cnt_add(_Atomic uint64_t *c, int64_t d)
{
	atomic_fetch_add_explicit(c, (uint64_t)d, memory_order_relaxed);
}

static uint64_t cnt_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void engine_opts_default(struct engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rate = ENGINE_DEFAULT_RATE;
	o->timeout_ms = ENGINE_DEFAULT_TIMEOUT_MS;
	o->retries = ENGINE_DEFAULT_RETRIES;
	o->min_timeout_ms = ENGINE_DEFAULT_MIN_TIMEOUT_MS;
	o->host_inflight = ENGINE_DEFAULT_HOST_INFLIGHT;
	o->max_inflight = 0; /* from the rate, in engine_new() */
	o->arp = 1;
	o->syn = 1;
	memcpy(o->discovery_ports, ports_discovery_default,
	       sizeof(ports_discovery_default));
	o->n_discovery_ports = PORTS_DISCOVERY_DEFAULT_N;
}

/* The longest attempt number `tries` (1-based) can wait: the timeout.
 * The adaptive wait (host_attempt_ns) never exceeds it. */
static uint64_t engine_attempt_max_ns(const struct engine_opts *o)
{
	return (uint64_t)o->timeout_ms * NS_PER_MS;
}

/* The new-address cap in force, in addresses per second over a 3 s
 * window: opts.address_rate, or by default 5% above the pace the
 * discovery packets allow (rate / packets per silent address, retries
 * included: 300/s, so 315/s, at the defaults); 0 when only the packet rate
 * limits (no rate,
 * --no-ping, or a cap the packet rate is stricter than). */
static uint64_t engine_address_cap(const struct engine_opts *o)
{
	uint64_t per = (o->no_icmp ? 0 : 1) + o->n_discovery_ports;
	uint64_t cap = o->address_rate;

	if (o->rate == 0)
		return 0;
	if (cap == 0 && !o->no_ping) {
		/* 5% above the packets' pace, so in a long run the packet
		 * rate sets the pace (a window that binds exactly as often
		 * would lose time to each start the packets delayed); the
		 * window still stops the first seconds' burst, when no
		 * retry is due yet */
		cap = o->rate / ((per ? per : 1) * (o->retries + 1));
		cap += cap / 20;
		if (cap == 0)
			cap = 1;
	}
	if (cap == 0 || cap >= o->rate || cap * 3 > ENGINE_ADMIT_RING_MAX)
		return 0;
	return cap;
}

/* The dry-run numbers for `addresses` of which `link` are asked by ARP /
 * NDP (one packet each, no new-address window). */
static void engine_plan_compute(const struct engine_opts *o, uint64_t addresses,
				uint64_t link, struct engine_plan *out)
{
	uint64_t per =
		o->no_ping ? 0 : (o->no_icmp ? 0 : 1) + o->n_discovery_ports;
	uint64_t cap = engine_address_cap(o), other = addresses - link;
	double wait = (double)engine_attempt_max_ns(o) / 1e9 * (o->retries + 1);
	double by_packets, by_addresses;

	memset(out, 0, sizeof(*out));
	out->addresses = addresses;
	out->link_addresses = link;
	out->probes_per_address = per;
	out->packets_max = (other * per + link) * (o->retries + 1);
	out->port_probes_per_live = o->ports ? o->ports->n_tcp : 0;
	if (o->no_ping) /* every address is "live": its ports are probed */
		out->packets_max = addresses * out->port_probes_per_live *
				   (o->retries + 1);
	by_packets = o->rate ? (double)out->packets_max / (double)o->rate : 0;
	by_addresses = cap ? (double)other / (double)cap : 0;
	out->seconds_max =
		(by_packets > by_addresses ? by_packets : by_addresses) + wait;
}

void engine_plan(const struct engine_opts *o, uint64_t addresses,
		 struct engine_plan *out)
{
	engine_plan_compute(o, addresses, 0, out);
}

/* Where a resumed run would start: the oldest active host, or the next
 * address not yet admitted. */
static void resume_update(struct engine *e)
{
	const struct host *first = TAILQ_FIRST(&e->active);

	atomic_store(&e->c_resume, first ? first->pub.index : e->next_pos);
}

/* Seconds since engine_run() started (debug messages). */
static double engine_elapsed_s(struct engine *e)
{
	return (double)(reactor_clock() - atomic_load(&e->start_ns)) / 1e9;
}

/* ---- the ready queue: hosts with something to send ---- */

static void ready_remove(struct engine *e, struct host *h)
{
	if (!h->in_ready)
		return;
	TAILQ_REMOVE(h->ready_later ? &e->ready_late : &e->ready, h,
		     ready_link);
	h->in_ready = 0;
}

static void ready_push(struct engine *e, struct host *h, int front)
{
	struct hosts *q;

	if (h->in_ready || h->stage == ST_DONE)
		return;
	h->in_ready = 1;
	/* an on-link host whose first probe went out (a local error gives
	 * its try back) has only a retry to send */
	h->ready_later =
		h->link && h->cursor >= h->n_items && h->items[0].tries > 0;
	q = h->ready_later ? &e->ready_late : &e->ready;
	if (front)
		TAILQ_INSERT_HEAD(q, h, ready_link);
	else
		TAILQ_INSERT_TAIL(q, h, ready_link);
}

/* An item's row in the probe table. */
static const struct probe_module *item_module(const struct host *h, uint32_t i)
{
	return probe_modules[h->meta[i].kind];
}

static int host_can_send(const struct host *h)
{
	/* ST_WAIT: a request's items may still go out after the ports */
	if (h->stage != ST_DISC && h->stage != ST_PORTS && h->stage != ST_WAIT)
		return 0;
	if (h->waiting)
		return 1;
	return h->busy < h->n_slots && h->cursor < h->n_items;
}

/* ---- shared sockets, one per probe kind and family, opened on first
 * use ---- */

static int fam_index(int family)
{
	return family == AF_INET ? 0 : 1;
}

static void slot_result(struct slot *s, enum tcp_state st, uint64_t rtt_ns);
static void slot_error(struct slot *s, enum icmp_verdict v);
static void host_hold(struct host *h, uint64_t rtt_ns);

/* What a shared socket read about attempt rep->id: settles it when it is
 * still waiting and the reply is about it (the address it went to, its
 * send time when carried, its port and question). */
static void chan_reply(struct chan *ch, const struct probe_reply *rep)
{
	struct slot *s = ch->by_id[rep->id];
	struct host *h;

	if (!s || s->st != SL_FLIGHT || (rep->stamp && s->sent != rep->stamp))
		return; /* late: that attempt already gave up */
	h = s->h;
	if (rep->error) {
		if (targets_addr_equal(&rep->target, &h->pub.addr))
			slot_error(s, rep->verdict);
		return;
	}
	if (!targets_addr_equal(&rep->from, &h->pub.addr) ||
	    (rep->port && rep->port != h->items[s->item].port) ||
	    rep->q != h->meta[s->item].q)
		return;
	if (rep->has_mac && h->stage == ST_DISC) {
		memcpy(h->pub.mac, rep->mac, sizeof(h->pub.mac));
		h->pub.mac_by = ENGINE_MAC_ARP;
	}
	slot_result(s, rep->refused ? TCP_CLOSED : TCP_OPEN,
		    reactor_now(h->e->r) - s->sent);
}

static void chan_readable(struct reactor_io *io, uint32_t events)
{
	struct chan *ch = io->arg;
	struct probe_reply rep;
	int i, rc;

	for (i = 0; i < ENGINE_RECV_BURST; i++) {
		rc = ch->m->recv(&ch->pc, &rep);
		if (rc < 0)
			break;
		if (rc > 0)
			chan_reply(ch, &rep);
	}
	/* a ping socket's errors wait in its error queue */
	for (i = 0;
	     (events & EPOLLERR) && ch->m->recv_error && i < ENGINE_RECV_BURST;
	     i++) {
		rc = ch->m->recv_error(&ch->pc, &rep);
		if (rc < 0)
			break;
		if (rc > 0)
			chan_reply(ch, &rep);
	}
}

/* The shared socket of kind for family, opened on first use; NULL when it
 * cannot be had (said once: a warning when other discovery probes remain,
 * else an error). */
static struct chan *chan_get(struct engine *e, enum probe_kind kind, int family)
{
	struct chan *ch = &e->chan[kind][fam_index(family)];
	char why[512];
	uint32_t i;

	if (ch->state == 1)
		return ch;
	if (ch->state < 0)
		return NULL;
	ch->m = probe_modules[kind];
	ch->pc.fd = -1;
	ch->pc.burst = (unsigned)pace_burst(&e->pace);
	why[0] = '\0';
	if (ch->m->open(&ch->pc, family, e->probe_key, why, sizeof(why)) < 0) {
		ch->state = -1;
		/* the capability and its setcap command are named once,
		 * whichever raw socket is refused first */
		if (ch->pc.no_cap && e->cap_said++)
			snprintf(why, sizeof(why),
				 "%s: the same missing capability",
				 ch->m->name);
		if (ch->m->link_layer) {
			if (!e->link_warned++)
				log_warn("%s; hosts on directly connected "
					 "subnets are found with ICMP/TCP "
					 "probes instead",
					 why);
		} else if (ch->m->half_open) {
			if (!e->syn_warned++)
				log_warn("%s; TCP ports are probed with full "
					 "connects instead (--no-syn: always)",
					 why);
		} else if (ch->m->alive_answer ==
			   PROBE_ALIVE_NO) /* a request */
			log_err("%s: %s", ch->m->name, why);
		else if (e->o.n_discovery_ports)
			log_warn("%s; host discovery uses TCP probes only",
				 why);
		else
			log_err("%s", why);
		return NULL;
	}
	if (reactor_io_add(e->r, &ch->io, ch->pc.fd, EPOLLIN, chan_readable,
			   ch) < 0) {
		ch->m->close(&ch->pc);
		ch->state = -1;
		return NULL;
	}
	ch->by_id = xcalloc(ENGINE_IDS, sizeof(*ch->by_id));
	ch->free_id = xcalloc(ENGINE_IDS, sizeof(*ch->free_id));
	for (i = 0; i < ENGINE_IDS; i++)
		ch->free_id[i] = (uint16_t)(ENGINE_IDS - 1 - i);
	ch->n_free = ENGINE_IDS;
	ch->state = 1;
	log_debug("%s over IPv%d: socket open", ch->m->name,
		  family == AF_INET ? 4 : 6);
	return ch;
}

static void chan_close(struct engine *e, struct chan *ch)
{
	if (ch->state == 1) { /* an untried one has no socket */
		reactor_io_del(e->r, &ch->io);
		ch->m->close(&ch->pc);
	}
	free(ch->by_id);
	free(ch->free_id);
	memset(ch, 0, sizeof(*ch));
}

/* ---- probes ---- */

static void slot_release(struct slot *s)
{
	struct host *h = s->h;
	struct engine *e = h->e;

	reactor_timer_stop(e->r, &s->timer);
	if (s->st == SL_FLIGHT) {
		if (s->io.fd >= 0)
			reactor_io_close(e->r, &s->io);
		if (s->ch) {
			s->ch->by_id[s->id] = NULL;
			s->ch->free_id[s->ch->n_free++] = s->id;
			s->ch = NULL;
		}
		e->inflight--;
		h->busy--;
	} else if (s->st == SL_BACKOFF) {
		e->inflight--;
		h->busy--;
	} else if (s->st == SL_WAIT) {
		h->waiting--;
	}
	s->st = SL_FREE;
	s->linger = 0;
}

/* Frees every slot still working on item i of h (lingering attempts, a
 * queued retry) once the item has its answer. */
static void host_drop_item(struct host *h, uint32_t i)
{
	unsigned k;

	for (k = 0; k < h->n_slots; k++)
		if (h->slots[k].st != SL_FREE && h->slots[k].item == i)
			slot_release(&h->slots[k]);
}

static void host_cancel_probes(struct host *h)
{
	unsigned i;

	for (i = 0; i < h->n_slots; i++)
		slot_release(&h->slots[i]);
	ready_remove(h->e, h);
}

/* 1 for the kinds that probe a TCP port: connects and half-open SYNs. */
static int kind_tcp_port(uint8_t kind)
{
	return kind == PROBE_TCP_CONNECT || kind == PROBE_TCP_SYN;
}

/* The kind that probes TCP ports of family: half-open SYNs (opts.syn)
 * while their raw socket can be had, else connects. */
static uint8_t engine_tcp_kind(struct engine *e, int family)
{
	if (e->o.syn && chan_get(e, PROBE_TCP_SYN, family))
		return PROBE_TCP_SYN;
	return PROBE_TCP_CONNECT;
}

static int port_listed(const struct port_list *pl, uint16_t port)
{
	size_t i;

	for (i = 0; pl && i < pl->n_tcp; i++)
		if (pl->tcp[i] == port)
			return 1;
	return 0;
}

/* A host proven alive leaves discovery: its probes end, except TCP
 * probes in flight to a port the port stage asks about, which
 * host_start_ports() takes over as that port's first attempt. Ending
 * them would cost the host a second probe for the same answer - with
 * connects, a second fork of a server such as smbd, which forks per
 * connection. */
static void host_end_discovery(struct host *h)
{
	const struct port_list *pl = h->e->o.ports;
	unsigned i;

	for (i = 0; i < h->n_slots; i++) {
		struct slot *s = &h->slots[i];

		if (s->st == SL_FLIGHT && !s->linger &&
		    kind_tcp_port(h->meta[s->item].kind) &&
		    !h->meta[s->item].req &&
		    port_listed(pl, h->items[s->item].port))
			continue;
		slot_release(s);
	}
	ready_remove(h->e, h);
}

/* How long after its first probe silence on item i of h becomes a
 * verdict: ENGINE_SETTLE_NS (or --timeout, if shorter); for a kind that
 * waits the full time (an SNMP agent answers at its CPU's pace)
 * (retries + 1) x --timeout; for an address a shared MAC answered ARP for
 * (proxy ARP: something answered, often a router in front of a slower
 * link, and only these few addresses wait) all of --timeout. */
static uint64_t item_settle_ns(const struct host *h, uint32_t i)
{
	const struct engine_opts *o = &h->e->o;
	uint64_t max = engine_attempt_max_ns(o);

	if (item_module(h, i)->settle_full)
		return max * (o->retries + 1);
	if (h->pub.mac_by == ENGINE_MAC_SHARED)
		return max;
	return max < ENGINE_SETTLE_NS ? max : ENGINE_SETTLE_NS;
}

/* How long the attempt just sent for item i of h waits before the next
 * one: the run's adaptive timeout (rtt.h; for a live host's ports and
 * requests at least 3 x its own round trip), doubled for each earlier
 * attempt, at most --timeout. The last attempt waits until the item's
 * settle time (item_settle_ns) after its first probe, and earlier
 * attempts keep listening until then, so a host slower than the run's
 * typical one is still heard. */
static uint64_t host_attempt_ns(const struct host *h, uint32_t i)
{
	const struct engine *e = h->e;
	const struct engine_port *it = &h->items[i];
	uint64_t max = engine_attempt_max_ns(&e->o);
	uint64_t w = rtt_timeout(&e->rtt), settle, age;
	unsigned k;

	if (h->stage != ST_DISC && (uint64_t)h->pub.rtt_us * 3000 > w)
		w = (uint64_t)h->pub.rtt_us * 3000;
	/* before the first answer the estimator proposes all of --timeout;
	 * an ARP / NDP attempt's retry goes at half the settle time instead:
	 * the address's verdict waits for the settle time anyway and the
	 * first attempt keeps listening (slot_linger), so only the retry's
	 * packet, sent for every silent address in any case, moves earlier
	 * (the sweep's first addresses no longer end the run 1 s in) */
	if (h->meta[i].kind == PROBE_ARP && !e->rtt.samples &&
	    w > item_settle_ns(h, i) / 2)
		w = item_settle_ns(h, i) / 2;
	for (k = 1; k < it->tries && w < max; k++)
		w *= 2;
	if (w > max)
		w = max;
	if (it->tries > e->o.retries) {
		settle = item_settle_ns(h, i);
		age = reactor_now(e->r) - h->first_ns[i];
		/* cppcheck-suppress knownConditionTrueFalse ; a false
		 * positive of cppcheck 2.10: w is the adaptive timeout, often
		 * below settle (test_engine_adaptive_timeout) */
		if (age + w < settle)
			w = settle - age;
	}
	/* a SYN unanswered for 1 s is resent by the kernel, unpaced: give
	 * up just before, unless --timeout asks for more than 1 s */
	if (item_module(h, i)->tcp_syn && w > TCP_LINGER_MAX_NS &&
	    max <= TCP_SYN_RTO_NS)
		w = TCP_LINGER_MAX_NS;
	return w;
}

/* The attempt in s timed out with a retry to come: keeps it listening
 * (until its own --timeout, a TCP one until just before the kernel's
 * own SYN resend) and queues the retry in another free slot. 1 when it
 * did; 0 when there is no room or no time left (the caller retries in s
 * itself). */
static int slot_linger(struct slot *s)
{
	struct host *h = s->h;
	struct engine *e = h->e;
	uint64_t now = reactor_now(e->r);
	uint64_t max = engine_attempt_max_ns(&e->o), until;
	struct slot *f = NULL;
	unsigned k;

	if (h->items[s->item].tries > e->o.retries)
		return 0;
	if (item_module(h, s->item)->tcp_syn && max > TCP_LINGER_MAX_NS)
		max = TCP_LINGER_MAX_NS;
	until = s->sent + max;
	if (until < h->first_ns[s->item] + item_settle_ns(h, s->item))
		until = h->first_ns[s->item] + item_settle_ns(h, s->item);
	for (k = 0; k < h->n_slots && !f; k++)
		if (h->slots[k].st == SL_FREE)
			f = &h->slots[k];
	if (!f || until <= now + NS_PER_MS)
		return 0;
	s->linger = 1;
	reactor_timer_start(e->r, &s->timer, until - now);
	f->st = SL_WAIT;
	f->item = s->item;
	h->waiting++;
	ready_push(e, h, 0);
	return 1;
}

static void slot_timer_fired(struct timer *t, void *arg)
{
	struct slot *s = arg;
	struct host *h = s->h;

	if (s->st == SL_BACKOFF) { /* local error over: send again */
		h->e->inflight--;
		h->busy--;
		s->st = SL_WAIT;
		h->waiting++;
		ready_push(h->e, h, 0);
		return;
	}
	if (s->linger) { /* an earlier attempt stops listening */
		slot_release(s);
		if (host_can_send(h))
			ready_push(h->e, h, 0);
		return;
	}
	if (slot_linger(s))
		return;
	slot_result(s, TCP_FILTERED, 0);
}

static int host_dead_now(struct host *h);

/* An ICMP error about the probe in s, classified (icmp_error_verdict). */
static void slot_error(struct slot *s, enum icmp_verdict v)
{
	struct host *h = s->h;
	uint64_t rtt = reactor_now(h->e->r) - s->sent;

	switch (v) {
	case ICMP_V_ALIVE: /* the target itself refused: it is there */
		slot_result(s, TCP_CLOSED, rtt);
		return;
	case ICMP_V_DEAD: /* no host: no other probe or retry needed */
		if (host_dead_now(h))
			return;
		/* a live host's port: that probe is unreachable */
		slot_result(s, TCP_UNREACH, rtt);
		return;
	case ICMP_V_FILTERED:
		slot_result(s, TCP_UNREACH, rtt);
		return;
	case ICMP_V_NONE:
		break;
	}
}

/* A PROBE_OWN attempt's socket became ready. */
static void own_ready(struct reactor_io *io, uint32_t events)
{
	struct slot *s = io->arg;
	struct host *h = s->h;
	enum icmp_verdict v = ICMP_V_NONE;
	enum tcp_state st = item_module(h, s->item)
				    ->ready(io->fd, events, &h->pub.addr, &v);

	if (st == TCP_PENDING) { /* the row waits for its answer */
		if (reactor_io_mod(h->e->r, io, EPOLLIN) < 0)
			slot_result(s, TCP_LOCAL, 0);
		return;
	}
	if (v != ICMP_V_NONE) {
		slot_error(s, v);
		return;
	}
	slot_result(s, st, reactor_now(h->e->r) - s->sent);
}

static void slot_in_flight(struct slot *s)
{
	struct host *h = s->h;

	s->st = SL_FLIGHT;
	h->busy++;
	h->e->inflight++;
	cnt_add(&h->e->c_packets, 1);
	reactor_timer_start(h->e->r, &s->timer, host_attempt_ns(h, s->item));
}

/* The attempt of item s->item as its row takes it. */
static void slot_probe_send(const struct slot *s, struct probe_send *ps)
{
	const struct host *h = s->h;
	const struct item_meta *mt = &h->meta[s->item];

	memset(ps, 0, sizeof(*ps));
	ps->addr = &h->pub.addr;
	ps->port = h->items[s->item].port;
	ps->id = s->id;
	ps->q = mt->q;
	ps->stamp = s->sent;
	ps->cfg = mt->req ? h->reqs[mt->req - 1].cfg : NULL;
}

/* Sends an attempt over the kind's shared socket; TCP_PENDING when it is
 * in flight, else its outcome. */
static enum tcp_state slot_send_shared(struct slot *s)
{
	struct host *h = s->h;
	struct engine *e = h->e;
	struct chan *ch =
		chan_get(e, h->meta[s->item].kind, h->pub.addr.family);
	struct probe_send ps;

	if (!ch)
		return TCP_UNREACH;
	if (ch->n_free == 0)
		return TCP_LOCAL;
	s->id = ch->free_id[--ch->n_free];
	s->sent = reactor_now(e->r);
	slot_probe_send(s, &ps);
	if (ch->m->send(&ch->pc, &ps) < 0) {
		int err = errno;

		ch->free_id[ch->n_free++] = s->id;
		return tcp_state_from_errno(err);
	}
	ch->by_id[s->id] = s;
	s->ch = ch;
	slot_in_flight(s);
	return TCP_PENDING;
}

/* Starts an attempt on a socket of its own (a TCP connect). */
static enum tcp_state slot_send_own(struct slot *s)
{
	struct host *h = s->h;
	struct engine *e = h->e;
	struct probe_send ps;
	enum tcp_state st;
	int fd;

	s->sent = reactor_now(e->r);
	slot_probe_send(s, &ps);
	fd = item_module(h, s->item)->connect(&ps, &st);
	if (fd < 0) {
		if (st != TCP_LOCAL)
			cnt_add(&e->c_packets, 1);
		return st;
	}
	if (reactor_io_add(e->r, &s->io, fd, EPOLLOUT, own_ready, s) < 0) {
		close(fd);
		return TCP_LOCAL;
	}
	slot_in_flight(s);
	return TCP_PENDING;
}

/* Moves the cursor past items already settled. */
static void host_skip_settled(struct host *h)
{
	/* an item already tried ahead of the cursor: taken over from
	 * discovery (host_adopt_connects) */
	while (h->cursor < h->n_items &&
	       (h->items[h->cursor].state != TCP_PENDING ||
		h->items[h->cursor].tries))
		h->cursor++;
}

/* Sends the host's next probe: a retry first, else the next new one.
 * Returns 0 when the host is gone: a probe that settles at once (a
 * local refusal, an unreachable route) may finish it, and h is freed. */
static int host_send_one(struct host *h)
{
	struct engine *e = h->e;
	uint64_t done = cnt_get(&e->c_done);
	struct slot *s = NULL;
	struct engine_port *it;
	enum tcp_state st;
	unsigned i;

	for (i = 0; i < h->n_slots && !s; i++)
		if (h->slots[i].st == SL_WAIT)
			s = &h->slots[i];
	if (s) {
		h->waiting--;
		s->st = SL_FREE;
	} else {
		for (i = 0; i < h->n_slots && !s; i++)
			if (h->slots[i].st == SL_FREE)
				s = &h->slots[i];
		if (!s || h->cursor >= h->n_items)
			return 1;
		s->item = h->cursor++;
		host_skip_settled(h);
	}
	it = &h->items[s->item];
	if (it->tries++ == 0)
		h->first_ns[s->item] = reactor_now(h->e->r);
	if (item_module(h, s->item)->sock == PROBE_SHARED)
		st = slot_send_shared(s);
	else
		st = slot_send_own(s);
	if (st != TCP_PENDING)
		slot_result(s, st, reactor_now(e->r) - s->sent);
	/* only this host's probe settled: if a host finished, it was h */
	return cnt_get(&e->c_done) == done;
}

static void host_finish(struct host *h);
static void host_check_scanned(struct host *h);
static void host_check_done(struct host *h);
static void host_set_alive(struct host *h, enum engine_alive_by by,
			   uint16_t port, uint64_t rtt_ns);

/* Item i, one question of a request, settled as st: the request ends at
 * its first answer (its other questions are dropped) or when every
 * question went unanswered; then its callback runs and its hold on the
 * host goes (h may be freed). */
static void host_req_settled(struct host *h, uint32_t i, enum tcp_state st,
			     uint64_t rtt_ns)
{
	struct engine *e = h->e;
	struct preq *r = &h->reqs[h->meta[i].req - 1];
	struct engine_answer a;
	uint32_t k;

	r->left--;
	if (st != TCP_OPEN && r->left > 0) {
		if (host_can_send(h))
			ready_push(e, h, 0);
		return;
	}
	memset(&a, 0, sizeof(a));
	if (st == TCP_OPEN) {
		a.answered = 1;
		a.question = h->meta[i].q;
		a.rtt_us = (uint32_t)(rtt_ns / 1000);
		for (k = r->first; k < r->first + r->n; k++) {
			if (h->items[k].state != TCP_PENDING)
				continue;
			host_drop_item(h, k);
			h->items[k].state = TCP_FILTERED; /* not needed */
			h->settled++;
		}
		r->left = 0;
		host_skip_settled(h);
	}
	h->reqs_open--;
	if (host_can_send(h))
		ready_push(e, h, 0);
	r->fn(e, &h->pub, &a, r->arg);
	h->holds--;
	host_check_done(h);
}

static void slot_result(struct slot *s, enum tcp_state st, uint64_t rtt_ns)
{
	struct host *h = s->h;
	struct engine *e = h->e;
	struct engine_port *it = &h->items[s->item];
	int lingering = s->linger;

	slot_release(s);
	if (lingering && st != TCP_OPEN && st != TCP_CLOSED) {
		/* an earlier attempt gave up or failed: the retry decides */
		if (host_can_send(h))
			ready_push(e, h, 0);
		return;
	}
	if (st == TCP_LOCAL) { /* says nothing about the target */
		/* counted as in flight, so a shortage of sockets or ports
		 * stops the admission of new hosts too */
		it->tries--;
		s->st = SL_BACKOFF;
		h->busy++;
		e->inflight++;
		reactor_timer_start(e->r, &s->timer, ENGINE_LOCAL_BACKOFF_NS);
		return;
	}
	if (st == TCP_FILTERED && it->tries <= e->o.retries) {
		s->st = SL_WAIT;
		h->waiting++;
		ready_push(e, h, 0);
		return;
	}
	host_drop_item(h, s->item); /* its other attempts */
	/* a request's answer time is an agent's, not the network's */
	if ((st == TCP_OPEN || st == TCP_CLOSED) && !h->meta[s->item].req) {
		rtt_sample(&e->rtt, rtt_ns);
		atomic_store(&e->c_rto_ns, rtt_timeout(&e->rtt));
	}
	it->state = (uint8_t)st;
	it->rtt_us = st == TCP_FILTERED ? 0 : (uint32_t)(rtt_ns / 1000);
	h->settled++;
	if (h->meta[s->item].req) {
		host_req_settled(h, s->item, st, rtt_ns);
		return;
	}
	if (h->stage == ST_DISC) {
		const struct probe_module *m = item_module(h, s->item);
		enum engine_alive_by by = st == TCP_OPEN     ? m->alive_answer
					  : st == TCP_CLOSED ? m->alive_refused
							     : ENGINE_ALIVE_NO;

		if (by == ENGINE_ALIVE_ARP) {
			host_hold(h, rtt_ns);
		} else if (by != ENGINE_ALIVE_NO) {
			host_set_alive(h, by, it->port, rtt_ns);
		} else if (h->settled == h->n_items) {
			host_cancel_probes(h);
			cnt_add(&e->c_disc, -1);
			host_finish(h);
		} else if (host_can_send(h)) {
			ready_push(e, h, 0);
		}
		return;
	}
	if (st == TCP_OPEN)
		cnt_add(&e->c_open, 1);
	if (--h->ports_left == 0) {
		/* with a request still open the host cannot finish here */
		int more = h->reqs_open > 0;

		h->ports_done = 1;
		host_check_scanned(h);
		if (more && host_can_send(h))
			ready_push(e, h, 0);
	} else if (host_can_send(h)) {
		ready_push(e, h, 0);
	}
}

/* ---- host life ---- */

static struct host *host_new(struct engine *e, uint64_t pos)
{
	struct host *h = xcalloc(1, sizeof(*h));
	uint64_t idx = perm_at(&e->perm, pos);
	unsigned i;

	h->e = e;
	h->pub.index = pos;
	h->pub.start_ns = reactor_now(e->r);
	h->pub.dns_status = DNS_NONAME;
	targets_get(e->t, idx, &h->pub.addr);
	h->n_slots = e->o.host_inflight;
	h->slots = xcalloc(h->n_slots, sizeof(*h->slots));
	for (i = 0; i < h->n_slots; i++) {
		h->slots[i].h = h;
		h->slots[i].io.fd = -1;
		timer_init(&h->slots[i].timer, slot_timer_fired, &h->slots[i]);
	}
	TAILQ_INSERT_TAIL(&e->active, h, active_link);
	return h;
}

static void host_free(struct host *h)
{
	if (!h)
		return;
	free(h->disc);
	free(h->disc_meta);
	free(h->first_ns);
	free(h->port_items);
	free(h->port_meta);
	free(h->reqs);
	free(h->slots);
	free(h->hostname);
	free(h);
}

/* h leaves ARP / NDP discovery (answered, silent or gone). */
static void host_link_end(struct host *h)
{
	if (h->link) {
		h->link = 0;
		h->e->link_active--;
	}
}

static void host_finish(struct host *h)
{
	struct engine *e = h->e;

	host_link_end(h);
	h->stage = ST_DONE;
	ready_remove(e, h);
	if (e->cb.done)
		e->cb.done(e, &h->pub, e->cb.ud);
	TAILQ_REMOVE(&e->active, h, active_link);
	resume_update(e);
	cnt_add(&e->c_done, 1);
	host_free(h);
}

static void host_check_done(struct host *h)
{
	if (h->stage == ST_WAIT && h->holds == 0 && !h->e->shutting)
		host_finish(h);
}

static void host_check_scanned(struct host *h)
{
	struct engine *e = h->e;

	if (h->stage != ST_PORTS || !h->ports_done || !h->dns_done ||
	    e->shutting)
		return;
	cnt_add(&e->c_ports, -1);
	/* still ST_PORTS during the callback, so a release inside it cannot
	 * free the host under us */
	if (e->cb.scanned)
		e->cb.scanned(e, &h->pub, e->cb.ud);
	h->stage = ST_WAIT;
	host_check_done(h);
}

/* The discovery connects host_end_discovery() left in flight become the
 * first attempt of their port's item (from n_req on); slot items still
 * index h->disc here, disc_first their first sends. */
static void host_adopt_connects(struct host *h, uint32_t n_req,
				const uint64_t *disc_first)
{
	unsigned k;
	uint32_t j;

	for (k = 0; k < h->n_slots; k++) {
		struct slot *s = &h->slots[k];
		const struct engine_port *d;

		if (s->st == SL_FREE)
			continue;
		d = &h->disc[s->item];
		for (j = n_req; j < h->n_items; j++)
			if (h->items[j].port == d->port &&
			    h->items[j].state == TCP_PENDING &&
			    !h->items[j].tries)
				break;
		if (j == h->n_items) {
			slot_release(s);
			continue;
		}
		h->items[j].tries = d->tries;
		h->first_ns[j] = disc_first[s->item];
		s->item = j;
	}
}

/* The port stage's items: the questions of every request asked in the
 * alive callback first (they go out at once), then the TCP ports. */
static void host_start_ports(struct host *h)
{
	struct engine *e = h->e;
	const struct port_list *pl = e->o.ports;
	size_t n_ports = pl ? pl->n_tcp : 0, i, k;
	uint32_t n_req = 0, r, q;
	uint64_t *disc_first;
	uint8_t tcp_kind = engine_tcp_kind(e, h->pub.addr.family);

	for (r = 0; r < h->n_reqs; r++)
		n_req += h->reqs[r].n;
	h->n_items = n_req + (uint32_t)n_ports;
	h->port_items =
		xcalloc(h->n_items ? h->n_items : 1, sizeof(*h->port_items));
	h->port_meta =
		xcalloc(h->n_items ? h->n_items : 1, sizeof(*h->port_meta));
	h->items = h->port_items;
	h->meta = h->port_meta;
	h->pub.ports = h->port_items + n_req;
	h->pub.n_ports = n_ports;
	h->ports_left = n_ports;
	h->cursor = h->settled = 0;
	disc_first = h->first_ns;
	h->first_ns =
		xcalloc(h->n_items ? h->n_items : 1, sizeof(*h->first_ns));
	for (r = 0, i = 0; r < h->n_reqs; r++) {
		struct preq *rq = &h->reqs[r];

		rq->first = (uint32_t)i;
		for (q = 0; q < rq->n; q++, i++) {
			h->items[i].port = rq->port;
			h->meta[i].kind = rq->kind;
			h->meta[i].q = (uint8_t)q;
			h->meta[i].req = (uint16_t)(r + 1);
		}
	}
	for (i = 0; i < n_ports; i++) {
		struct engine_port *p = &h->pub.ports[i];

		p->port = pl->tcp[i];
		h->meta[n_req + i].kind = tcp_kind;
		/* what discovery already learned about this port counts */
		for (k = 0; k < h->n_disc; k++) {
			const struct engine_port *d = &h->disc[k];

			if (!kind_tcp_port(h->disc_meta[k].kind) ||
			    d->port != p->port || d->state == TCP_PENDING ||
			    d->state == TCP_FILTERED)
				continue;
			*p = *d;
			h->settled++;
			h->ports_left--;
			if (p->state == TCP_OPEN)
				cnt_add(&e->c_open, 1);
		}
	}
	host_adopt_connects(h, n_req, disc_first);
	free(disc_first);
	host_skip_settled(h);
	h->stage = ST_PORTS;
	cnt_add(&e->c_ports, 1);
	h->ports_done = h->ports_left == 0;
	if (e->o.dns) {
		TAILQ_INSERT_TAIL(&e->dns_queue, h, dns_link);
	} else {
		h->dns_done = 1;
	}
	if (host_can_send(h))
		ready_push(e, h, 0);
	host_check_scanned(h);
}

static void host_set_alive(struct host *h, enum engine_alive_by by,
			   uint16_t port, uint64_t rtt_ns)
{
	struct engine *e = h->e;

	if (h->stage == ST_DISC) {
		host_end_discovery(h);
		cnt_add(&e->c_disc, -1);
	}
	h->pub.alive_by = by;
	h->pub.alive_port =
		by == ENGINE_ALIVE_TCP_OPEN || by == ENGINE_ALIVE_TCP_RST ? port
									  : 0;
	h->pub.rtt_us = (uint32_t)(rtt_ns / 1000);
	cnt_add(&e->c_alive, 1);
	h->stage = ST_ALIVE;
	if (e->cb.alive)
		e->cb.alive(e, &h->pub, e->cb.ud);
	host_start_ports(h);
}

/* An ICMP error says no host has h's address: h is dead now, without
 * waiting for its other probes or retries. 1 when so (h is freed), 0
 * when h is past discovery. */
static int host_dead_now(struct host *h)
{
	struct engine *e = h->e;

	if (h->stage != ST_DISC)
		return 0;
	host_cancel_probes(h);
	cnt_add(&e->c_disc, -1);
	cnt_add(&e->c_dead_icmp, 1);
	host_finish(h);
	return 1;
}

/* 1 when a is asked by ARP / NDP: opts.arp, a directly connected
 * subnet, and the packet socket open (open: opened now if untried) or
 * not known to fail (!open). */
static int engine_on_link(struct engine *e, const struct targets_addr *a,
			  int open)
{
	if (!e->o.arp || e->o.no_ping || !e->ifs.n ||
	    !iface_table_find(&e->ifs, a))
		return 0;
	if (!open)
		return e->chan[PROBE_ARP][fam_index(a->family)].state >= 0;
	return chan_get(e, PROBE_ARP, a->family) != NULL;
}

/* How many of the positions [first, last) of t hold an on-link address
 * (perm NULL: the positions are the indexes). */
static uint64_t engine_link_count(const struct iface_table *ifs,
				  const struct targets *t,
				  const struct perm *perm, uint64_t first,
				  uint64_t last)
{
	struct targets_addr a;
	uint64_t pos, n = 0;

	for (pos = first; ifs->n && pos < last; pos++)
		if (targets_get(t, perm ? perm_at(perm, pos) : pos, &a) == 0 &&
		    iface_table_find(ifs, &a))
			n++;
	return n;
}

/* How many of the run's positions hold an on-link address (the held
 * ARP / NDP answers wait until all of them are started). */
static uint64_t engine_count_link(const struct engine *e)
{
	if (!e->o.arp || e->o.no_ping)
		return 0;
	return engine_link_count(&e->ifs, e->t, &e->perm, e->next_pos,
				 e->last_pos);
}

void engine_plan_targets(const struct engine_opts *o, const struct targets *t,
			 struct engine_plan *out)
{
	struct iface_table ifs;
	uint64_t n = targets_count(t), link = 0;

	if (o->arp && !o->no_ping && iface_table_load(&ifs) == 0) {
		link = engine_link_count(&ifs, t, NULL, 0, n);
		iface_table_free(&ifs);
	}
	engine_plan_compute(o, n, link, out);
}

/* Fills h's discovery items: ARP / NDP alone (link), else every
 * discovery probe whose socket can be had for its family. */
static void host_disc_items(struct host *h, int link)
{
	struct engine *e = h->e;
	uint32_t n = link ? 1 : (e->n_disc ? e->n_disc : 1), i;

	free(h->disc);
	free(h->disc_meta);
	free(h->first_ns);
	h->disc = xcalloc(n, sizeof(*h->disc));
	h->disc_meta = xcalloc(n, sizeof(*h->disc_meta));
	h->first_ns = xcalloc(n, sizeof(*h->first_ns));
	h->n_disc = 0;
	if (link) {
		h->disc_meta[h->n_disc++].kind = PROBE_ARP;
	} else {
		for (i = 0; i < e->n_disc; i++) {
			const struct disc_probe *d = &e->disc[i];
			uint8_t kind =
				d->kind == PROBE_TCP_CONNECT
					? engine_tcp_kind(e, h->pub.addr.family)
					: d->kind;

			/* a kind whose socket cannot be had for this family
			 * (no ICMP here) is left out; the others still
			 * decide */
			if (probe_modules[kind]->sock == PROBE_SHARED &&
			    !chan_get(e, kind, h->pub.addr.family))
				continue;
			h->disc_meta[h->n_disc].kind = kind;
			h->disc[h->n_disc++].port = d->port;
		}
	}
	h->items = h->disc;
	h->meta = h->disc_meta;
	h->n_items = h->n_disc;
	h->cursor = h->settled = 0;
}

/* Starts (or, after a shared-MAC ARP answer, restarts) the discovery
 * stage of h; h may be finished (and freed) when it has no probe. */
static void host_disc_start(struct host *h, int link)
{
	struct engine *e = h->e;

	host_disc_items(h, link);
	if (h->n_disc == 0) { /* no way to test it: it counts as dead */
		cnt_add(&e->c_disc, -1);
		host_finish(h);
		return;
	}
	ready_push(e, h, 0);
}

/* h answered ARP / NDP: it waits, its probes done, until no on-link
 * address is left to ask (engine_release_held), so that a MAC answering
 * for several addresses (proxy ARP) is known before any of them counts. */
static void host_hold(struct host *h, uint64_t rtt_ns)
{
	struct engine *e = h->e;

	host_cancel_probes(h);
	host_link_end(h);
	h->pub.rtt_us = (uint32_t)(rtt_ns / 1000);
	TAILQ_INSERT_TAIL(&e->held, h, held_link);
}

static int host_mac_cmp(const void *a, const void *b)
{
	const struct host *x = *(struct host *const *)a;
	const struct host *y = *(struct host *const *)b;

	/* one station has one IPv4 and one IPv6 address as a matter of
	 * course: a MAC is shared when it answers for two of one family */
	if (x->pub.addr.family != y->pub.addr.family)
		return x->pub.addr.family < y->pub.addr.family ? -1 : 1;
	return memcmp(x->pub.mac, y->pub.mac, sizeof(x->pub.mac));
}

/* The ARP / NDP sweep is over: each held host whose MAC answered for no
 * other address of its family is alive; the others (proxy ARP, or one station
 * with several addresses) are asked with the ordinary discovery probes, and
 * their MAC is not taken as theirs. */
static void engine_release_held(struct engine *e)
{
	struct host **v, *h;
	size_t n = 0, i, j, k;

	TAILQ_FOREACH(h, &e->held, held_link)
		n++;
	v = xcalloc(n, sizeof(*v));
	n = 0;
	while ((h = TAILQ_FIRST(&e->held))) {
		TAILQ_REMOVE(&e->held, h, held_link);
		v[n++] = h;
	}
	qsort(v, n, sizeof(*v), host_mac_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !host_mac_cmp(&v[i], &v[j]); j++)
			;
		for (k = i; k < j; k++) {
			h = v[k];
			if (j - i == 1) {
				host_set_alive(h, ENGINE_ALIVE_ARP, 0,
					       (uint64_t)h->pub.rtt_us * 1000);
				continue;
			}
			h->pub.mac_by = ENGINE_MAC_SHARED;
			host_disc_start(h, 0);
		}
	}
	free(v);
}

static void host_start(struct engine *e, struct host *h)
{
	if (e->o.no_ping) {
		cnt_add(&e->c_disc, 1); /* host_set_alive() takes it off */
		host_set_alive(h, ENGINE_ALIVE_ASSUMED, 0, 0);
		return;
	}
	h->stage = ST_DISC;
	cnt_add(&e->c_disc, 1);
	if (e->link_total && iface_table_find(&e->ifs, &h->pub.addr) &&
	    ++e->link_started == e->link_total)
		log_debug("engine: last on-link address asked at %.3f s, "
			  "packet %llu",
			  engine_elapsed_s(e),
			  (unsigned long long)cnt_get(&e->c_packets));
	h->link = engine_on_link(e, &h->pub.addr, 1);
	e->link_active += (unsigned)h->link;
	host_disc_start(h, h->link);
}

/* ---- DNS ---- */

static void host_dns_done(void *arg, enum dns_status st, const char *name,
			  int confirmed)
{
	struct host *h = arg;
	struct engine *e = h->e;

	e->dns_running--;
	cnt_add(&e->c_dns, -1);
	h->pub.dns_status = st;
	if (st == DNS_OK && name) {
		h->hostname = xstrdup(name);
		h->pub.hostname = h->hostname;
		h->pub.hostname_confirmed = confirmed;
	}
	h->dns_done = 1;
	host_check_scanned(h);
}

static void engine_dns_pump(struct engine *e)
{
	unsigned cap = e->o.dns_inflight ? e->o.dns_inflight : 64;

	while (!TAILQ_EMPTY(&e->dns_queue) && e->dns_running < cap) {
		struct host *h = TAILQ_FIRST(&e->dns_queue);

		TAILQ_REMOVE(&e->dns_queue, h, dns_link);
		e->dns_running++;
		cnt_add(&e->c_dns, 1);
		dns_ptr(e->dns, &h->pub.addr, host_dns_done, h);
	}
}

/* ---- jobs ---- */

static void ejob_run(void *arg)
{
	struct ejob *j = arg;

	j->fn(j->arg);
}

static void ejob_done(void *arg, int cancelled)
{
	struct ejob *j = arg;
	struct engine *e = j->e;
	struct host *h = j->h;

	j->done(e, h ? &h->pub : NULL, j->arg, cancelled);
	cnt_add(&e->c_jobs, -1);
	if (h) {
		h->holds--;
		host_check_done(h);
	} else {
		e->free_jobs--;
	}
	free(j);
}

static void engine_feed_pool(struct engine *e)
{
	struct ejob *j;

	while ((j = TAILQ_FIRST(&e->backlog))) {
		if (pool_submit(e->pool, j->kind, ejob_run, ejob_done, j) < 0)
			break;
		TAILQ_REMOVE(&e->backlog, j, link);
	}
}

static void engine_pool_ready(struct reactor_io *io, uint32_t events)
{
	struct engine *e = io->arg;

	pool_drain(e->pool);
	engine_feed_pool(e);
}

int engine_submit_job(struct engine *e, struct engine_host *hp,
		      enum pool_kind kind, engine_job_fn fn,
		      engine_job_done_fn done, void *arg)
{
	struct host *h = (struct host *)hp;
	struct ejob *j;

	if (e->shutting || (unsigned)kind >= POOL_KINDS || !fn || !done) {
		log_err("engine: job refused (%s)",
			e->shutting ? "shutting down" : "bad arguments");
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->e = e;
	j->h = h;
	j->kind = kind;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	if (h)
		h->holds++;
	else
		e->free_jobs++;
	cnt_add(&e->c_jobs, 1);
	TAILQ_INSERT_TAIL(&e->backlog, j, link);
	engine_feed_pool(e);
	return 0;
}

/* ---- requests ---- */

int engine_probe(struct engine *e, struct engine_host *hp, enum probe_kind kind,
		 uint16_t port, const void *cfg, engine_probe_fn fn, void *arg)
{
	struct host *h = (struct host *)hp;
	const struct probe_module *m;
	struct preq *r;
	unsigned n;

	if ((unsigned)kind >= PROBE_KINDS || !fn ||
	    !probe_modules[kind]->questions) {
		log_err("engine: a request needs a request kind and a "
			"callback");
		return -1;
	}
	m = probe_modules[kind];
	if (h->stage != ST_ALIVE || e->shutting ||
	    h->n_reqs >= ENGINE_REQUESTS_MAX) {
		log_err("engine: %s request refused (%s)", m->name,
			h->stage != ST_ALIVE ? "not in the alive callback"
			: e->shutting	     ? "shutting down"
					     : "too many for one host");
		return -1;
	}
	n = m->questions(cfg);
	if (n == 0 || n > ENGINE_QUESTIONS_MAX) {
		log_err("engine: %s request with %u questions (1 to %d)",
			m->name, n, ENGINE_QUESTIONS_MAX);
		return -1;
	}
	h->reqs = xrealloc(h->reqs, (h->n_reqs + 1) * sizeof(*h->reqs));
	r = &h->reqs[h->n_reqs++];
	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)kind;
	r->port = port ? port : m->port;
	r->cfg = cfg;
	r->fn = fn;
	r->arg = arg;
	r->n = r->left = n;
	h->reqs_open++;
	h->holds++;
	return 0;
}

/* ---- the loop ---- */

static void pace_timer_fired(struct timer *t, void *arg)
{
	/* nothing: waking the loop is the point; prepare() sends */
}

/* Makes sure the loop wakes within delay ns (the pacing timer serves
 * both the packet rate and the new-address window). */
static void engine_wake_in(struct engine *e, uint64_t delay)
{
	uint64_t at = reactor_now(e->r) + delay;

	if (!timer_armed(&e->pace_timer) || e->pace_timer.deadline > at)
		reactor_timer_start(e->r, &e->pace_timer, delay);
}

/* 1 when one more address may start now under the new-address window
 * (at most admit_w starts in any ENGINE_ADMIT_WINDOW_NS), recording it;
 * else 0 with a wake-up armed for when the oldest start leaves the
 * window. */
static int engine_admit_take(struct engine *e, uint64_t now)
{
	if (!e->admit_w)
		return 1;
	if (!pace_take(&e->admit, now)) {
		engine_wake_in(e, pace_wait(&e->admit, now));
		return 0;
	}
	if (e->admit_n == e->admit_w) {
		uint64_t oldest = e->admit_ring[e->admit_head];

		if (now < oldest + ENGINE_ADMIT_WINDOW_NS) {
			engine_wake_in(e,
				       oldest + ENGINE_ADMIT_WINDOW_NS - now);
			return 0;
		}
	} else {
		e->admit_n++;
	}
	e->admit_ring[e->admit_head] = now;
	e->admit_head = (e->admit_head + 1) % e->admit_w;
	return 1;
}

/* 1 when the next address is asked by ARP / NDP: it makes no neighbour
 * entry in a router or the kernel, so the new-address window does not
 * apply (the packet rate does). */
static int engine_admit_link(struct engine *e)
{
	struct targets_addr a;

	if (!e->ifs.n ||
	    targets_get(e->t, perm_at(&e->perm, e->next_pos), &a) < 0)
		return 0;
	return engine_on_link(e, &a, 0);
}

/* Starts the next address; 0 when there is none to start now. The host
 * may already be finished (and freed) when this returns. */
static int engine_admit(struct engine *e)
{
	uint64_t now;

	if (atomic_load(&e->stop) || e->next_pos >= e->last_pos ||
	    e->inflight >= e->o.max_inflight)
		return 0;
	now = reactor_now(e->r);
	if (!engine_admit_link(e) && !engine_admit_take(e, now))
		return 0;
	host_start(e, host_new(e, e->next_pos++));
	return 1;
}

/* Who sends next: a host of the ready queue, else a new address (when
 * admission allows one), else an ARP / NDP retry. Admits only when nobody
 * else is waiting to send, so hosts are started no faster than tokens
 * allow. Retries of on-link hosts wait in ready_late, behind new
 * addresses, where every other retry goes before them: a who-has makes
 * no neighbour entry anywhere and a retry sent later still waits its
 * full adaptive timeout, so the sweep's first probes go out at the full
 * rate and the retries fill the last address's reply wait, instead of
 * pushing the last first probe (and so the run's end) back by one packet
 * per silent address. (In a run that also has routed targets, the
 * new-address window leaves them gaps.) NULL: nothing to send now. */
static struct host *engine_next_sender(struct engine *e)
{
	struct host *h;

	for (;;) {
		h = TAILQ_FIRST(&e->ready);
		if (h)
			return h;
		if (!engine_admit(e))
			return TAILQ_FIRST(&e->ready_late);
	}
}

static void engine_pump(struct engine *e)
{
	uint64_t now = reactor_now(e->r);

	while (e->inflight < e->o.max_inflight) {
		struct host *h = engine_next_sender(e);

		if (!h)
			break;
		ready_remove(e, h);
		if (!host_can_send(h))
			continue;
		if (!pace_take(&e->pace, now)) {
			ready_push(e, h, 1);
			engine_wake_in(e, pace_wait(&e->pace, now));
			break;
		}
		if (host_send_one(h) && host_can_send(h))
			ready_push(e, h, 0);
	}
	resume_update(e);
}

static void engine_prepare(void *arg)
{
	struct engine *e = arg;

	engine_pump(e);
	/* no on-link address is left to ask: the held answers count */
	if (!TAILQ_EMPTY(&e->held) && e->link_active == 0 &&
	    (e->link_started >= e->link_total || atomic_load(&e->stop) ||
	     e->next_pos >= e->last_pos)) {
		log_debug("engine: ARP/NDP sweep over at %.3f s, timeout "
			  "%.0f ms",
			  engine_elapsed_s(e),
			  (double)rtt_timeout(&e->rtt) / 1e6);
		engine_release_held(e);
		engine_pump(e);
	}
	if (e->dns)
		engine_dns_pump(e);
	if (TAILQ_EMPTY(&e->active) && e->free_jobs == 0 &&
	    (atomic_load(&e->stop) || e->next_pos >= e->last_pos)) {
		atomic_store(&e->c_end_ns, reactor_clock());
		log_debug("engine: run over at %.3f s", engine_elapsed_s(e));
		reactor_stop(e->r);
	}
}

static unsigned engine_fd_budget(unsigned want)
{
	struct rlimit rl;
	rlim_t room;

	/* the caller raised the soft limit at start-up
	 * (util_nofile_raise()); a library does not change process limits */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want < 256 ? want : 256;
	room = rl.rlim_cur > 128 ? rl.rlim_cur - 96 : 32;
	return room < want ? (unsigned)room : want;
}

static int engine_check_opts(struct engine_opts *o)
{
	if (o->retries > ENGINE_RETRIES_MAX) {
		log_err("--retries %u: at most %d", o->retries,
			ENGINE_RETRIES_MAX);
		return -1;
	}
	if (o->timeout_ms == 0 || o->timeout_ms > 60000) {
		log_err("--timeout %u ms: give 1 to 60000 ms", o->timeout_ms);
		return -1;
	}
	if (o->n_discovery_ports > ENGINE_DISCOVERY_PORTS_MAX) {
		log_err("at most %d host discovery ports",
			ENGINE_DISCOVERY_PORTS_MAX);
		return -1;
	}
	if (!o->no_ping && o->no_icmp && o->n_discovery_ports == 0) {
		log_err("host discovery needs ICMP or TCP discovery ports; "
			"use --no-ping to treat every address as live");
		return -1;
	}
	if (o->min_timeout_ms == 0)
		o->min_timeout_ms = ENGINE_DEFAULT_MIN_TIMEOUT_MS;
	if (o->host_inflight == 0)
		o->host_inflight = ENGINE_DEFAULT_HOST_INFLIGHT;
	if (o->host_inflight > 1024)
		o->host_inflight = 1024;
	if (o->max_inflight == 0) {
		/* enough probes in flight that the rate, not this cap, is
		 * what paces a sweep of silent addresses: each probe waits
		 * up to its longest attempt */
		double need = (double)o->rate * 1.5 *
			      (double)engine_attempt_max_ns(o) / 1e9;

		/* with no rate this cap is the only brake: keep it modest */
		o->max_inflight =
			need > ENGINE_INFLIGHT_CEIL ? ENGINE_INFLIGHT_CEIL
			: o->rate == 0 || need < ENGINE_DEFAULT_MAX_INFLIGHT
				? ENGINE_DEFAULT_MAX_INFLIGHT
				: (unsigned)need;
	}
	if (o->max_inflight > ENGINE_INFLIGHT_CEIL)
		o->max_inflight = ENGINE_INFLIGHT_CEIL;
	o->max_inflight = engine_fd_budget(o->max_inflight);
	return 0;
}

struct engine *engine_new(const struct engine_opts *o, const struct targets *t,
			  const struct engine_callbacks *cb)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	uint64_t n = targets_count(t);
	size_t i;

	e->o = *o;
	e->t = t;
	TAILQ_INIT(&e->backlog);
	TAILQ_INIT(&e->dns_queue);
	TAILQ_INIT(&e->ready);
	TAILQ_INIT(&e->ready_late);
	TAILQ_INIT(&e->active);
	TAILQ_INIT(&e->held);
	if (cb)
		e->cb = *cb;
	e->pool_io.fd = -1;
	if (engine_check_opts(&e->o) < 0)
		goto fail;
	if (sodium_init() < 0) {
		log_err("engine: libsodium failed to initialise");
		goto fail;
	}
	randombytes_buf(e->probe_key, sizeof(e->probe_key));
	if (e->o.arp && !e->o.no_ping && iface_table_load(&e->ifs) < 0)
		log_warn("ARP/NDP off: the interfaces cannot be listed");
	if (!e->o.no_icmp)
		e->disc[e->n_disc++].kind = PROBE_ICMP_ECHO;
	for (i = 0; i < e->o.n_discovery_ports; i++) {
		e->disc[e->n_disc].kind = PROBE_TCP_CONNECT;
		e->disc[e->n_disc++].port = e->o.discovery_ports[i];
	}
	if (!e->o.seed)
		randombytes_buf(&e->o.seed, sizeof(e->o.seed));
	perm_init(&e->perm, n, e->o.seed);
	e->last_pos = e->o.last && e->o.last < n ? e->o.last : n;
	e->next_pos = e->o.first < e->last_pos ? e->o.first : e->last_pos;
	atomic_store(&e->c_total, e->last_pos - e->next_pos);
	e->link_total = engine_count_link(e);
	atomic_store(&e->c_resume, e->next_pos);
	rtt_init(&e->rtt, (uint64_t)e->o.min_timeout_ms * NS_PER_MS,
		 engine_attempt_max_ns(&e->o));
	atomic_store(&e->c_rto_ns, rtt_timeout(&e->rtt));
	e->admit_w = (size_t)engine_address_cap(&e->o) * 3;
	if (e->admit_w)
		e->admit_ring = xcalloc(e->admit_w, sizeof(*e->admit_ring));
	e->r = reactor_new();
	if (!e->r)
		goto fail;
	timer_init(&e->pace_timer, pace_timer_fired, e);
	e->pool = pool_new(&e->o.pool);
	if (!e->pool)
		goto fail;
	if (reactor_io_add(e->r, &e->pool_io, pool_fd(e->pool), EPOLLIN,
			   engine_pool_ready, e) < 0)
		goto fail;
	if (e->o.dns) {
		e->dns = dns_new(e->r, e->o.dns_server, e->o.dns_timeout_ms, 2);
		if (!e->dns)
			goto fail;
	}
	/* the bucket's size sizes the sockets' send buffers (chan_get());
	 * engine_run() starts it again at the run's start */
	pace_init(&e->pace, e->o.rate, 0);
	/* with ICMP as the only way to find hosts, fail now, not per host */
	if (!e->o.no_ping && !e->o.no_icmp && e->o.n_discovery_ports == 0 &&
	    n > 0) {
		struct targets_addr a;

		targets_get(t, 0, &a);
		if (!chan_get(e, PROBE_ICMP_ECHO, a.family))
			goto fail;
	}
	reactor_set_prepare(e->r, engine_prepare, e);
	return e;
fail:
	engine_free(e);
	return NULL;
}

void engine_free(struct engine *e)
{
	struct host *h;
	struct ejob *j;
	int k;

	if (!e)
		return;
	e->shutting = 1;
	TAILQ_FOREACH(h, &e->active, active_link)
		host_cancel_probes(h);
	pool_free(e->pool); /* runs done callbacks, cancelled or not */
	while ((j = TAILQ_FIRST(&e->backlog))) {
		TAILQ_REMOVE(&e->backlog, j, link);
		ejob_done(j, 1);
	}
	dns_free(e->dns); /* its callbacks only mark the hosts */
	while ((h = TAILQ_FIRST(&e->active))) {
		TAILQ_REMOVE(&e->active, h, active_link);
		host_free(h);
	}
	for (k = 0; k < PROBE_KINDS; k++) {
		chan_close(e, &e->chan[k][0]);
		chan_close(e, &e->chan[k][1]);
	}
	reactor_free(e->r);
	iface_table_free(&e->ifs);
	free(e->admit_ring);
	free(e);
}

int engine_run(struct engine *e)
{
	if (e->ran) {
		log_err("engine: engine_run called twice");
		return -1;
	}
	e->ran = 1;
	atomic_store(&e->start_ns, reactor_clock());
	pace_init(&e->pace, e->o.rate, atomic_load(&e->start_ns));
	/* Starts are paced at the cap too, after a first burst of up to a
	 * /24: the window alone lets starts cluster at the beginning of
	 * each 3 s (as fast as the packets allow, then nothing while the
	 * retries go out), and the packet rate goes unused in between. */
	pace_init(&e->admit, e->admit_w / 3, atomic_load(&e->start_ns));
	pace_set_burst(&e->admit, e->admit_w < ENGINE_ADMIT_BURST
					  ? e->admit_w
					  : ENGINE_ADMIT_BURST);
	return reactor_run(e->r);
}

void engine_stop(struct engine *e)
{
	atomic_store(&e->stop, 1);
	reactor_wake(e->r);
}

void engine_progress(struct engine *e, struct engine_progress *p)
{
	uint64_t end = cnt_get(&e->c_end_ns);
	uint64_t now = end ? end : reactor_clock();
	uint64_t start = cnt_get(&e->start_ns);

	memset(p, 0, sizeof(*p));
	p->total = cnt_get(&e->c_total);
	p->done = cnt_get(&e->c_done);
	p->alive = cnt_get(&e->c_alive);
	p->packets = cnt_get(&e->c_packets);
	p->open_ports = cnt_get(&e->c_open);
	p->in_discovery = cnt_get(&e->c_disc);
	p->in_ports = cnt_get(&e->c_ports);
	p->in_dns = cnt_get(&e->c_dns);
	p->jobs_pending = cnt_get(&e->c_jobs);
	p->dead_by_icmp = cnt_get(&e->c_dead_icmp);
	p->rto_ms = (double)cnt_get(&e->c_rto_ns) / 1e6;
	p->resume_index = cnt_get(&e->c_resume);
	p->elapsed_s = start ? (double)(now - start) / 1e9 : 0;
	p->eta_s = -1;
	if (p->done >= p->total)
		p->eta_s = 0;
	else if (p->done > 0)
		p->eta_s = p->elapsed_s * (double)(p->total - p->done) /
			   (double)p->done;
}

uint64_t engine_now(const struct engine *e)
{
	return reactor_now(e->r);
}
