/*
 * guard: the connection budget that keeps slow clients (slowloris) from
 * filling the server.
 *
 * libmicrohttpd's own limits refuse a connection once the limit is
 * reached, and its idle timeout restarts on every byte: a thousand
 * connections sending a byte a second held every slot and locked everyone
 * out. Here every connection has an entry (its MHD socket context) that
 * says whether it is still sending its request head. When a new
 * connection would pass the global budget (max_connections) or its
 * address's (max_connections_per_ip), the connection that has waited
 * longest for its head gives way: its socket is shut down and MHD closes
 * it. A connection whose head is in (a request being served) is never
 * closed for another one, so a client that sends its head promptly is
 * served even when an attacker shares its address (NAT, loopback): it
 * can only be pushed out by `max_connections_per_ip` newer connections
 * arriving before its head does. A head must also arrive within
 * header_timeout seconds of connecting (or of the previous request's end
 * on a kept-alive connection); a thread checks that every second. Only
 * the client's slowness counts: while bytes it sent wait unread in the
 * socket (the server's threads were busy, e.g. hashing passwords of a
 * login burst), the deadline starts again, so a busy server does not drop
 * the clients it kept waiting.
 *
 * A refused request whose body is being read and dropped (api_intake.c:
 * wget needs the 401 after its body) may give way too, but has no head
 * deadline. Entries are owned here; MHD's connection-closed notification
 * frees them, under the same lock as the shutdown() of an evicted
 * socket, so a socket is never shut down after MHD closed its number.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "server/server_int.h"

#define GUARD_LOG_EVERY 10 /* seconds between "closed N connections" */

enum guard_state { GUARD_HEAD = 0, GUARD_BUSY = 1, GUARD_DRAIN = -1 };

struct guard_conn {
	int used;
	int fd; /* -1 once shut down here (MHD closes it later) */
	int family;
	unsigned char addr[16];
	int state;	/* enum guard_state */
	uint64_t order; /* when it started waiting (a counter) */
	time_t since;	/* the same, in monotonic seconds */
};

struct guard {
	const struct server_config *cfg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct guard_conn *conns;
	int nconns;
	uint64_t next_order;
	unsigned long evicted, expired, refused; /* since the last log */
	time_t logged;
	int stop;
	pthread_t tick;
	int ticking;
};

static time_t guard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

unsigned guard_mhd_limit(const struct server_config *cfg)
{
	return (unsigned)cfg->max_conns * 2;
}

static void guard_addr(const struct sockaddr *sa, int *family,
		       unsigned char addr[16])
{
	memset(addr, 0, 16);
	*family = sa ? sa->sa_family : 0;
	if (*family == AF_INET) {
		memcpy(addr,
		       &((const struct sockaddr_in *)(const void *)sa)
				->sin_addr,
		       4);
	} else if (*family == AF_INET6) {
		const struct in6_addr *a6 =
			&((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) { /* one address, one budget */
			*family = AF_INET;
			memcpy(addr, &a6->s6_addr[12], 4);
		} else {
			memcpy(addr, a6, 16);
		}
	}
}

/* Shuts c's socket down (caller holds the lock). */
static void guard_shut(struct guard_conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	c->fd = -1;
}

static void guard_log(struct guard *g, time_t now)
{
	if (!g->evicted && !g->expired && !g->refused)
		return;
	if (now - g->logged < GUARD_LOG_EVERY)
		return;
	log_warn("connection budget: closed %lu connections still sending "
		 "their head to make room, %lu past the %d s header timeout, "
		 "refused %lu (no room)",
		 g->evicted, g->expired, g->cfg->header_timeout, g->refused);
	g->evicted = g->expired = g->refused = 0;
	g->logged = now;
}

struct guard_conn *guard_open(struct guard *g, int fd,
			      const struct sockaddr *sa)
{
	struct guard_conn *slot = NULL, *old_any = NULL, *old_ip = NULL;
	struct guard_conn *victim = NULL;
	unsigned char addr[16];
	int family, total = 0, same = 0, full, i;

	if (!g)
		return NULL;
	guard_addr(sa, &family, addr);
	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->nconns; i++) {
		struct guard_conn *c = &g->conns[i];
		int mine;

		if (!c->used) {
			if (!slot)
				slot = c;
			continue;
		}
		if (c->fd < 0)
			continue; /* shut down, MHD is closing it */
		mine = c->family == family && !memcmp(c->addr, addr, 16);
		total++;
		same += mine;
		if (c->state == GUARD_BUSY)
			continue;
		if (!old_any || c->order < old_any->order)
			old_any = c;
		if (mine && (!old_ip || c->order < old_ip->order))
			old_ip = c;
	}
	full = same >= g->cfg->max_conns_ip || total >= g->cfg->max_conns;
	if (full)
		victim = same >= g->cfg->max_conns_ip ? old_ip : old_any;
	if (!slot || (full && !victim)) {
		shutdown(fd, SHUT_RDWR); /* every slot serves a request */
		g->refused++;
		slot = NULL;
		goto out;
	}
	if (victim) {
		guard_shut(victim);
		g->evicted++;
	}
	slot->used = 1;
	slot->fd = fd;
	slot->family = family;
	memcpy(slot->addr, addr, 16);
	slot->state = GUARD_HEAD;
	slot->order = g->next_order++;
	slot->since = guard_now();
out:
	pthread_mutex_unlock(&g->lock);
	return slot;
}

void guard_close(struct guard *g, struct guard_conn *c)
{
	if (!g || !c)
		return;
	pthread_mutex_lock(&g->lock);
	c->used = 0;
	c->fd = -1;
	pthread_mutex_unlock(&g->lock);
}

void guard_mark(struct guard *g, struct guard_conn *c, int busy)
{
	if (!g || !c)
		return;
	pthread_mutex_lock(&g->lock);
	if (busy != c->state) { /* a new wait starts now */
		c->order = g->next_order++;
		c->since = guard_now();
	}
	c->state = busy;
	pthread_mutex_unlock(&g->lock);
}

/* 1 when the peer sent bytes the server has not read yet. */
static int guard_unread(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* Every second: closes the connections past the header timeout. */
static void *guard_tick(void *arg)
{
	struct guard *g = arg;
	struct timespec ts;
	int i;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		time_t now = guard_now();

		for (i = 0; i < g->nconns; i++) {
			struct guard_conn *c = &g->conns[i];

			if (c->used && c->fd >= 0 && c->state == GUARD_HEAD &&
			    now - c->since >= g->cfg->header_timeout) {
				if (guard_unread(c->fd)) {
					c->since = now; /* the server is late */
					continue;
				}
				guard_shut(c);
				g->expired++;
			}
		}
		guard_log(g, now);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int guard_start(struct server_state *srv)
{
	struct guard *g = xcalloc(1, sizeof(*g));

	g->cfg = srv->cfg;
	g->nconns = (int)guard_mhd_limit(srv->cfg);
	g->conns = xcalloc((size_t)g->nconns, sizeof(*g->conns));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	srv->guard = g;
	if (pthread_create(&g->tick, NULL, guard_tick, g) != 0) {
		log_err("cannot start the connection guard thread");
		return -1;
	}
	g->ticking = 1;
	return 0;
}

void guard_stop(struct server_state *srv)
{
	struct guard *g = srv->guard;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
	if (g->ticking)
		pthread_join(g->tick, NULL);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g->conns);
	free(g);
	srv->guard = NULL;
}
