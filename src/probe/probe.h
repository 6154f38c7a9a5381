/*
 * probe: the table of probe kinds the engine drives - one const row of
 * callbacks per kind, as zmap's and masscan's probe modules are.
 *
 * A row says how its packets go out and come back; the engine
 * (engine/engine.h) does everything around them, the same for every kind:
 * which host and item is next, the --rate token each packet takes, the
 * adaptive timeout of each attempt (timers in the reactor's heap), the
 * retries with a doubling wait, earlier attempts that keep listening while
 * a retry is under way, the verdict of silence, and what an answer means
 * for the host (alive_answer / alive_refused below).
 *
 * Two shapes of kind:
 *   PROBE_SHARED  one socket per address family, opened on first use,
 *                 for every probe of the kind (ICMP echo, UDP request/
 *                 response). Each attempt carries the engine's 16-bit id
 *                 (and for request kinds the question number) in a cookie
 *                 the row can check without state: ICMP echo a keyed hash
 *                 in the payload, SNMP the request id XOR a keyed hash of
 *                 the address. recv() hands back the id; the engine
 *                 matches it to the attempt in flight and checks the
 *                 sender's address, the send time (when carried) and the
 *                 question.
 *   PROBE_OWN     a socket per attempt whose readiness is the answer (a
 *                 TCP handshake): connect() starts it, ready() reads it.
 *
 * Every attempt ends in an enum tcp_state (probe/tcp.h), whatever the
 * kind: TCP_OPEN an answer, TCP_CLOSED a refusal sent by the target itself
 * (RST; an ICMP error from the target), TCP_FILTERED silence, TCP_UNREACH
 * a router's error, TCP_LOCAL a local shortage (retried, not counted).
 *
 * Where kinds are used: a discovery probe (ICMP echo, TCP connect to the
 * discovery ports) decides whether a host is alive, the first answer
 * ending discovery; the port stage runs TCP connect on every port; request
 * kinds (SNMP) are asked of a live host with engine_probe() - the first
 * answered question ends the request, and its callback says which.
 *
 * Adding a kind (an SMB negotiate, NetBIOS NBSTAT; ARP/NDP is one):
 *   1. a value in enum probe_kind before PROBE_KINDS (and, when its answer
 *      proves a host alive in a new way, one in enum probe_alive);
 *   2. a const struct probe_module in its own file under src/probe/ - a
 *      shared raw socket with send/recv and a cookie (ARP), a UDP one
 *      (probe/udp.h helpers, as probe/snmp_ping.c), or connect/ready per
 *      attempt (a TCP request like SMB: ready() sends the negotiate when
 *      the handshake is done and returns TCP_PENDING; the engine then
 *      waits for EPOLLIN and calls ready() again to read the answer);
 *   3. its row in probe_modules[] (probe/probe.c).
 * A request kind needs nothing more: callers ask for it with
 * engine_probe(). A discovery kind also needs its switch in engine_opts
 * and one line in engine_new() that appends it to the engine's discovery
 * list (as ICMP echo and the TCP discovery ports are); the sending,
 * matching, pacing, retry and timeout machinery stays as it is.
 *
 * Rows never include engine headers (tests/cli/test_layering.sh): they
 * know sockets, packets and cookies, not hosts, rates or timers.
 */
#ifndef NC_PROBE_H
#define NC_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "core/targets.h"
#include "probe/icmp.h"
#include "probe/tcp.h"

#define PROBE_KEY_BYTES 16 /* the per-run key of the cookies */

enum probe_kind {
	PROBE_ICMP_ECHO = 0,
	PROBE_TCP_CONNECT,
	PROBE_SNMP,    /* UDP request/response: SNMP GET / v3 discovery */
	PROBE_ARP,     /* ARP who-has / NDP solicitation on the link */
	PROBE_TCP_SYN, /* half-open SYN from a raw socket (probe/syn.h) */
	PROBE_KINDS
};

/* What an answer proves about a host (engine_alive_by uses these). */
enum probe_alive {
	PROBE_ALIVE_NO = 0,  /* nothing: it is not a discovery answer */
	PROBE_ALIVE_ECHO,    /* an echo reply */
	PROBE_ALIVE_OPEN,    /* a completed TCP handshake */
	PROBE_ALIVE_RST,     /* a refused TCP connection */
	PROBE_ALIVE_ASSUMED, /* not tested (--no-ping) */
	PROBE_ALIVE_ARP	     /* an ARP reply / Neighbour Advertisement */
};

enum probe_sock { PROBE_SHARED, PROBE_OWN };

/* A shared socket of one kind and family, as the row's open() left it. */
struct probe_chan {
	int fd;
	int family;
	void *priv;	/* the row's own state (socket, key) */
	unsigned burst; /* set before open(): the most packets the engine
			 * sends in one go (a late wake-up catching up);
			 * rows size their send buffers for it */
	int no_cap;	/* set by a failed open(): for want of CAP_NET_RAW
			 * (the engine names the setcap command once) */
};

/* One attempt, as the engine asks for it. */
struct probe_send {
	const struct targets_addr *addr;
	uint16_t port;	 /* destination port (0 for ICMP) */
	uint16_t id;	 /* PROBE_SHARED: carried back by the reply */
	uint8_t q;	 /* the question (request kinds), else 0 */
	uint64_t stamp;	 /* the send time in ns, for rows that carry
			  * it */
	const void *cfg; /* the request's configuration (request
			  * kinds: what engine_probe() was given) */
};

/* What a shared socket read about one of our attempts. */
struct probe_reply {
	int error;		  /* 0: an answer; 1: an ICMP error about it */
	struct targets_addr from; /* who sent it */
	uint16_t port;		  /* its source port; 0: none (ICMP). The
				   * engine wants the port it asked */
	struct targets_addr target; /* error: where our packet went */
	uint16_t id;		    /* the id the attempt carried */
	uint8_t q;		    /* the question it answers */
	uint64_t stamp;		    /* the send time it carried; 0: none (the
				     * engine does not check it) */
	enum icmp_verdict verdict;  /* error: what it says */
	uint8_t mac[6];		    /* link-layer kinds: who answered */
	uint8_t has_mac;
	uint8_t refused; /* 1: the target itself refused (a RST): the
			  * attempt is TCP_CLOSED, not TCP_OPEN */
};

struct probe_module {
	const char *name;
	enum probe_sock sock;
	uint8_t alive_answer;  /* enum probe_alive a TCP_OPEN proves */
	uint8_t alive_refused; /* and a TCP_CLOSED (refused by the target) */
	uint16_t port;	       /* default destination port; 0: per item */
	int tcp_syn;	       /* 1: the kernel resends an unanswered SYN
				* itself after 1 s, unpaced: an attempt
				* gives up just before */
	int settle_full;       /* 1: silence is a verdict only after
				* (retries + 1) x --timeout from the first
				* attempt (an agent's answer time is its own
				* CPU's, not the network's); 0: after 500 ms
				* (or --timeout when shorter) */
	int link_layer;	       /* 1: asks only targets on a directly
				* connected subnet (probe/iface.h), in place
				* of the other discovery probes; when its
				* socket cannot be had, the engine says so
				* once and uses the others (ARP/NDP) */
	int half_open;	       /* 1: stands in for TCP connect wherever a
				* TCP port is probed (engine_opts.syn); when
				* its socket cannot be had, the engine says
				* so once and uses connects (SYN scan) */

	/* PROBE_SHARED: opens c for family with the run's cookie key; 0, or
	 * -1 with why filled. close() undoes it. */
	int (*open)(struct probe_chan *c, int family,
		    const uint8_t key[PROBE_KEY_BYTES], char *why,
		    size_t why_len);
	void (*close)(struct probe_chan *c);
	/* Sends one attempt; 0, or -1 with errno set. */
	int (*send)(struct probe_chan *c, const struct probe_send *s);
	/* Reads one datagram: 1 with *out about one of our attempts, 0 for
	 * anything else (read and dropped), -1 when nothing is left. */
	int (*recv)(struct probe_chan *c, struct probe_reply *out);
	/* Reads one entry of the socket's error queue (EPOLLERR), same
	 * returns; NULL when the kind has none. */
	int (*recv_error)(struct probe_chan *c, struct probe_reply *out);

	/* PROBE_OWN: starts an attempt; its socket (watched for EPOLLOUT)
	 * with *st = TCP_PENDING, or -1 with *st settled. */
	int (*connect)(const struct probe_send *s, enum tcp_state *st);
	/* The outcome of a socket that became ready (events: EPOLLOUT,
	 * EPOLLIN, EPOLLERR...); an ICMP error queued on it is classified in
	 * *v (ICMP_V_NONE when there is none). TCP_PENDING: not settled yet,
	 * call again when it is readable. */
	enum tcp_state (*ready)(int fd, uint32_t events,
				const struct targets_addr *a,
				enum icmp_verdict *v);

	/* Request kinds: the questions one attempt asks for cfg (each its
	 * own datagram); NULL for discovery kinds (one each). */
	unsigned (*questions)(const void *cfg);
};

/* Raises fd's send buffer to hold `packets` small frames queued at once,
 * so a burst is not refused with EAGAIN/ENOBUFS (each would wait out a
 * local backoff); never lowers it. Best effort: past net.core.wmem_max
 * only a process with CAP_NET_ADMIN gets the size. */
void probe_sndbuf_fit(int fd, unsigned packets);
/* The sentence for a raw or packet (`sock`) socket that cannot be had for
 * `what` (errno err): when it is a missing CAP_NET_RAW, with the setcap
 * command for this executable. */
void probe_why_raw(char *why, size_t len, const char *what, const char *sock,
		   int err);
struct sock_filter;
/* Attaches the classic BPF program code (n instructions) to fd; 0 or -1
 * with errno. */
int probe_filter_attach(int fd, struct sock_filter *code, size_t n);

/* The table, indexed by enum probe_kind. */
extern const struct probe_module *const probe_modules[PROBE_KINDS];

/* The rows (probe/icmp.c, probe/tcp.c, probe/snmp_ping.c; arp and syn
 * below). */
extern const struct probe_module probe_icmp_echo;
extern const struct probe_module probe_tcp_connect;
extern const struct probe_module probe_snmp;
extern const struct probe_module probe_arp;	/* probe/arp.c */
extern const struct probe_module probe_tcp_syn; /* probe/syn.c */

#endif
