/*
 * engine: the discovery engine - takes a target set through host
 * discovery, port probes, reverse DNS and enrichment jobs, many hosts at
 * once, on one reactor thread (DESIGN.md section 3).
 *
 * Pipeline, per address, in a shuffled order (a keyed permutation of the
 * target index, so a run can be split or resumed by index):
 *
 *   discovery  ICMP echo plus TCP probes to a few common ports (default
 *              80, 443, 22, 135, 139, 445, 3389), all at once within
 *              the per-host cap. A TCP probe is a half-open SYN from a
 *              raw socket (opts.syn, probe/syn.h: the port's service
 *              never accepts a connection for it), or without
 *              CAP_NET_RAW (said once, with the setcap command) or
 *              with opts.syn 0, a non-blocking connect.
 *              Each probe is a row of the probe table (probe/probe.h):
 *              the row sends and recognises its packets, the engine does
 *              the pacing, timeouts and retries below for every kind.
 *              The first echo reply, completed handshake or RST makes the
 *              host alive and cancels the rest; when every probe has timed
 *              out (after retries) or failed, the host is dead. no_ping
 *              skips this stage and treats every address as alive.
 *              An address on a directly connected subnet (opts.arp,
 *              probe/iface.h) is asked by ARP (IPv4) or NDP (IPv6)
 *              alone (probe/arp.h); silence makes it dead. A host that
 *              answers is held until every on-link address of the run
 *              has been asked; then, if its MAC answered for no other
 *              address, it is alive with that MAC; if it did (proxy ARP,
 *              or one station with several addresses) the answer proves
 *              nothing and the host goes through ICMP/TCP discovery,
 *              its MAC not taken (ENGINE_MAC_SHARED). Without
 *              CAP_NET_RAW these addresses get the ICMP/TCP probes, said
 *              once with the setcap command. Such addresses skip the
 *              new-address window below (no router or kernel neighbour
 *              entry is made for them); the packet rate still applies.
 *   alive      callbacks.alive runs; the caller may submit jobs for it,
 *              and ask it a request kind with engine_probe() (SNMP: is
 *              there an agent, and which credential does it answer?).
 *   ports      the questions of the requests asked first, then a TCP
 *              probe (SYN or connect, as above) to every port of
 *              opts.ports (open / closed /
 *              filtered / unreachable), retrying only timeouts. A
 *              request's callback runs at its first answered question,
 *              or when all went unanswered; it holds the host open until
 *              then, not the scanned callback.
 *   dns        at the same time, a PTR lookup, forward-confirmed.
 *   scanned    callbacks.scanned runs once ports and DNS are done; the
 *              caller may submit more jobs (e.g. SSH when 22 is open).
 *   done       callbacks.done runs once for EVERY address - dead ones too
 *              (alive_by == ENGINE_ALIVE_NO) - after its last job; the host
 *              is freed when it returns.
 *
 * Pacing: every packet a probe sends (an echo request, a SYN, each retry)
 * takes a token from one global bucket of opts.rate packets per second
 * (default 2400; 0 = unlimited); a host's retries go before new hosts.
 * New addresses are capped separately at opts.address_rate per second
 * over any 3 s window (by default 5% above rate / discovery packets per
 * address: at the defaults the packets hold a long run to 300/s and the
 * window stops a start-up burst past 945 in 3 s), and paced at that cap
 * after a first burst of up to 256 (a /24 starts at once):
 * a router in front of a sparse range keeps an unresolved ARP entry for
 * each silent address for ~3 s in a table of about 1024 (Linux), and
 * when it is full it drops probes to live hosts too. At most
 * opts.host_inflight probes are in flight per host and opts.max_inflight
 * in all (by default enough for the rate; bounded by the open file
 * limit).
 *
 * Timeouts adapt (rtt.h): each attempt waits srtt + 4 x rttvar of the
 * answers seen so far in the run, at least min_timeout_ms and at most
 * timeout_ms (timeout_ms before the first answer), doubling per retry;
 * a host's port probes wait at least 3 x its own round trip. An attempt
 * that times out with a retry to come keeps listening while the retry
 * goes out, and the last attempt's verdict comes no sooner than 500 ms
 * (or timeout_ms if shorter) after the first probe - so one slow host in
 * a fast network is still heard. An ICMP error from a router saying the
 * address has no host (read from the ping socket's error queue, a raw
 * socket, or a TCP probe's IP_RECVERR queue) ends the address at once:
 * no other probe, no retry; an error sent by the target itself proves it
 * alive. Worst case for a silent address: timeout_ms * (retries + 1);
 * typical on a LAN: 0.5 s. For a run of silent addresses:
 * addresses x max(packets per address / rate, 1 / address_rate) + that.
 *
 * Jobs: engine_submit_job() runs a blocking function (a net-snmp walk, an
 * SSH login) on the worker pool, under a per-kind cap, and calls its done
 * function back on the reactor thread. A job tied to a host holds that host
 * open until it is done. Jobs past the pool's queue wait in the engine in
 * order; none is ever dropped: done always runs exactly once.
 *
 * Requests (engine_probe()) go through the same slots, tokens and timers
 * as the port probes; their silence becomes a verdict no sooner than the
 * row says (SNMP: (retries + 1) x timeout_ms after the first datagram, as
 * an agent's answer time is its own CPU's), and their answer times are
 * not taken as round-trip samples.
 *
 * Threads: everything, callbacks included, runs on the thread inside
 * engine_run(); only engine_progress() and engine_stop() may be called from
 * other threads. Nothing outside the engine touches its reactor or its
 * rate: a new kind of probe is a row in the probe table (probe/probe.h).
 *
 * Ownership: the engine borrows the targets and the port list given in
 * opts (they must outlive engine_run); it owns hosts, probes and jobs'
 * bookkeeping; the caller owns job arguments and the host's `user` field.
 */
#ifndef NC_ENGINE_H
#define NC_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"
#include "engine/pool.h"
#include "ev/reactor.h"
#include "probe/dns.h"
#include "probe/ports.h"
#include "probe/probe.h"
#include "probe/tcp.h"

#define ENGINE_DEFAULT_RATE 2400 /* packets per second */
#define ENGINE_DEFAULT_TIMEOUT_MS 1000
#define ENGINE_DEFAULT_RETRIES 1
#define ENGINE_DEFAULT_MIN_TIMEOUT_MS 100 /* floor of adaptive waits */
#define ENGINE_DEFAULT_HOST_INFLIGHT 8
#define ENGINE_DEFAULT_MAX_INFLIGHT                                            \
	1024 /* the least the rate-derived                                     \
	      * default gives */
#define ENGINE_DISCOVERY_PORTS_MAX 16
#define ENGINE_DEFAULT_DISCOVERY_PORTS_TEXT PORTS_DISCOVERY_DEFAULT_TEXT

/* What proved a host alive: the alive_answer / alive_refused of the
 * probe row that answered (enum probe_alive). */
enum engine_alive_by {
	ENGINE_ALIVE_NO = PROBE_ALIVE_NO,	  /* dead, or not known yet */
	ENGINE_ALIVE_ICMP = PROBE_ALIVE_ECHO,	  /* answered an echo request */
	ENGINE_ALIVE_TCP_OPEN = PROBE_ALIVE_OPEN, /* completed a
						   * handshake on
						   * alive_port */
	ENGINE_ALIVE_TCP_RST = PROBE_ALIVE_RST,	  /* refused a connection on
						   * alive_port */
	ENGINE_ALIVE_ASSUMED = PROBE_ALIVE_ASSUMED, /* no_ping: not
						     * tested */
	ENGINE_ALIVE_ARP = PROBE_ALIVE_ARP /* answered ARP / NDP on the link */
};

/* What engine_host.mac is. */
enum engine_mac {
	ENGINE_MAC_NONE = 0,
	ENGINE_MAC_ARP,	  /* the host's own: it answered ARP / NDP */
	ENGINE_MAC_SHARED /* the MAC that answered ARP for it also answered
			   * for other addresses (proxy ARP): not the
			   * host's; the host was confirmed (or not) by
			   * ICMP / TCP */
};

/* One port's outcome; state is an enum tcp_state (TCP_PENDING until it is
 * settled). */
struct engine_port {
	uint16_t port;
	uint8_t state;
	uint8_t tries;	 /* attempts made */
	uint32_t rtt_us; /* handshake or RST time; 0 if none */
};

/* A host as callbacks see it. Read-only except `user`. */
struct engine_host {
	struct targets_addr addr;
	uint64_t index;	   /* position in the shuffled order */
	uint64_t start_ns; /* when it was started (reactor clock) */
	enum engine_alive_by alive_by;
	uint16_t alive_port;	   /* for ENGINE_ALIVE_TCP_* */
	uint32_t rtt_us;	   /* of the reply that proved it alive */
	struct engine_port *ports; /* in opts.ports order */
	size_t n_ports;
	const char *hostname;	    /* PTR name, or NULL */
	int hostname_confirmed;	    /* its A/AAAA include addr */
	enum dns_status dns_status; /* DNS_NONAME when not looked up */
	uint8_t mac[6];		    /* from ARP / NDP (mac_by) */
	uint8_t mac_by;		    /* enum engine_mac */
	void *user;		    /* the caller's */
};

struct engine;

struct engine_callbacks {
	void (*alive)(struct engine *e, struct engine_host *h, void *ud);
	void (*scanned)(struct engine *e, struct engine_host *h, void *ud);
	void (*done)(struct engine *e, struct engine_host *h, void *ud);
	void *ud;
};

struct engine_opts {
	uint64_t rate;		 /* packets/s; 0 = unlimited */
	unsigned timeout_ms;	 /* longest wait of an attempt */
	unsigned min_timeout_ms; /* shortest adaptive wait; 0: 100 */
	uint64_t address_rate;	 /* new addresses per second over a
				  * 3 s window; 0: 1.05 x rate /
				  * discovery packets per address
				  * (315 at the defaults); >= rate:
				  * no cap but the packet rate */
	unsigned retries;	 /* extra attempts after a timeout */
	unsigned host_inflight;	 /* probes in flight per host */
	unsigned max_inflight;	 /* probes in flight in all; 0: rate x
				  * 1.5 x the longest attempt, at least
				  * 1024 (1024 with no rate), at most
				  * 60000 and the open file limit */
	int no_ping;		 /* every address counts as alive */
	int no_icmp;		 /* discovery by TCP only */
	int arp;		 /* ARP / NDP for targets on directly
				  * connected subnets (default 1) */
	int syn;		 /* TCP ports probed with half-open SYNs
				  * from a raw socket (default 1; connects
				  * without CAP_NET_RAW or with 0) */
	uint16_t discovery_ports[ENGINE_DISCOVERY_PORTS_MAX];
	size_t n_discovery_ports;      /* 0 with no_icmp = none */
	const struct port_list *ports; /* TCP ports to probe; NULL = none */
	int dns;		       /* reverse DNS for live hosts */
	const char *dns_server;	       /* NULL: /etc/resolv.conf */
	unsigned dns_timeout_ms;       /* 0: 2000 */
	unsigned dns_inflight;	       /* lookups at once; 0: 64 */
	struct pool_opts pool;	       /* worker threads, queue, kind caps */
	uint64_t seed;		       /* permutation key; 0 = random */
	uint64_t first, last;	       /* shuffled positions [first, last);
					* last 0 = to the end */
};

/* Estimates for a dry run: what a run of opts over `addresses` sends. */
struct engine_plan {
	uint64_t addresses;
	uint64_t link_addresses;       /* of them, asked by ARP / NDP (one
					* packet each) */
	uint64_t probes_per_address;   /* discovery probes, first attempts,
					* of the others */
	uint64_t packets_max;	       /* if nothing answers, retries incl. */
	uint64_t port_probes_per_live; /* first attempts, per live host */
	double seconds_max;	       /* ETA if nothing answers */
};

struct engine_progress {
	uint64_t total; /* addresses in this run */
	uint64_t done;	/* addresses finished, alive or dead */
	uint64_t alive;
	uint64_t packets; /* echo requests + SYNs sent, retries incl. */
	uint64_t open_ports;
	uint64_t in_discovery; /* hosts in each stage now */
	uint64_t in_ports;
	uint64_t in_dns;
	uint64_t jobs_pending; /* submitted, done callback not yet run */
	uint64_t dead_by_icmp; /* ended early by an ICMP unreachable */
	double rto_ms;	       /* the adaptive wait of a first attempt now */
	uint64_t resume_index; /* every position below it is done */
	double elapsed_s;
	double eta_s; /* < 0 when unknown */
};

/* Fills o with the defaults above (discovery ports
 * PORTS_DISCOVERY_DEFAULT_TEXT). */
void engine_opts_default(struct engine_opts *o);
/* The dry-run numbers for opts and a target count (none on link). */
void engine_plan(const struct engine_opts *o, uint64_t addresses,
		 struct engine_plan *out);
/* The same for the targets t, those on this host's subnets counted as
 * asked by ARP / NDP (opts.arp). */
void engine_plan_targets(const struct engine_opts *o, const struct targets *t,
			 struct engine_plan *out);

/* A new engine over finished targets t; NULL on error (logged: bad
 * options, DNS server, no way to discover hosts). ICMP that cannot be
 * opened is a warning when TCP discovery ports remain. */
struct engine *engine_new(const struct engine_opts *o, const struct targets *t,
			  const struct engine_callbacks *cb);
/* Frees the engine; cancels what is left (jobs get cancelled = 1). */
void engine_free(struct engine *e);

/* Runs until every address in [first, last) is done, or until
 * engine_stop() and the hosts already started are done; 0, or -1 when the
 * event loop failed (logged). Call once. */
int engine_run(struct engine *e);
/* Stops taking new addresses; in-flight hosts still finish. Any thread. */
void engine_stop(struct engine *e);
/* A consistent-enough snapshot of the counters. Any thread. */
void engine_progress(struct engine *e, struct engine_progress *out);

typedef void (*engine_job_fn)(void *arg);
typedef void (*engine_job_done_fn)(struct engine *e, struct engine_host *h,
				   void *arg, int cancelled);
/* Runs fn(arg) on a worker, then done(e, h, arg, cancelled) on the reactor
 * thread; h may be NULL. Only from the reactor thread (inside callbacks).
 * 0, or -1 when the engine is shutting down (arg stays the caller's). */
int engine_submit_job(struct engine *e, struct engine_host *h,
		      enum pool_kind kind, engine_job_fn fn,
		      engine_job_done_fn done, void *arg);

/* How a request ended. */
struct engine_answer {
	int answered;	   /* 0: every question went unanswered */
	unsigned question; /* the one answered (the row's numbering) */
	uint32_t rtt_us;   /* from its last attempt to the answer */
};
typedef void (*engine_probe_fn)(struct engine *e, struct engine_host *h,
				const struct engine_answer *a, void *arg);
/* Asks live host h the questions of request kind `kind` (a row with
 * questions(), e.g. PROBE_SNMP) on port (0: the row's), with the row's
 * configuration cfg (borrowed: it must outlive the run). The engine
 * sends them under its rate, retries and timeouts; fn(e, h, answer, arg)
 * runs once on the reactor thread, and h stays open until it has.
 * Only from the alive callback. 0, or -1 (logged; fn is not called). */
int engine_probe(struct engine *e, struct engine_host *h, enum probe_kind kind,
		 uint16_t port, const void *cfg, engine_probe_fn fn, void *arg);
/* The loop's clock (monotonic ns, as engine_host.start_ns); on the
 * reactor thread. */
uint64_t engine_now(const struct engine *e);

#endif
