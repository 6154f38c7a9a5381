#include <arpa/inet.h>
#include <ares.h>
#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>

#include "core/log.h"
#include "core/util.h"
#include "probe/dns.h"

#define DNS_NAME_MAX 253

struct dns_sock {
	struct reactor_io io;
	struct dns *d;
	LIST_ENTRY(dns_sock) link;
};

struct dns {
	struct reactor *r;
	ares_channel ch;
	struct timer timer;
	/* cppcheck-suppress unusedStructMember ; lh_first is used through
	 * the LIST_ macros, which cppcheck does not follow into members */
	LIST_HEAD(dns_socks, dns_sock) socks; /* xcalloc: empty */
	unsigned pending;
	int destroying;
};

struct dns_query {
	struct dns *d;
	struct targets_addr addr;
	dns_ptr_fn fn;
	void *arg;
	char name[DNS_NAME_MAX + 1];
};

static pthread_once_t dns_once = PTHREAD_ONCE_INIT;
static int dns_lib_rc;

static void dns_lib_init(void)
{
	dns_lib_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

int dns_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > DNS_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

/* Re-arms the one retransmission timer from c-ares' own deadline. */
static void dns_arm(struct dns *d)
{
	struct timeval tv, *t;

	if (d->destroying)
		return;
	t = ares_timeout(d->ch, NULL, &tv);
	if (!t) {
		reactor_timer_stop(d->r, &d->timer);
		return;
	}
	reactor_timer_start(d->r, &d->timer,
			    (uint64_t)t->tv_sec * 1000000000ull +
				    (uint64_t)t->tv_usec * 1000ull);
}

static void dns_timer_fired(struct timer *t, void *arg)
{
	struct dns *d = arg;

	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_arm(d);
}

static void dns_io_ready(struct reactor_io *io, uint32_t events)
{
	struct dns_sock *s = io->arg;
	struct dns *d = s->d; /* s may be freed inside ares_process_fd */
	int fd = io->fd;

	ares_process_fd(d->ch,
			(events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				? fd
				: ARES_SOCKET_BAD,
			(events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
	dns_arm(d);
}

static void dns_sock_state(void *data, ares_socket_t fd, int readable,
			   int writable)
{
	struct dns *d = data;
	struct dns_sock *s;
	uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);

	LIST_FOREACH(s, &d->socks, link)
		if (s->io.fd == fd)
			break;
	if (!ev) {
		if (s) {
			LIST_REMOVE(s, link);
			reactor_io_del(d->r, &s->io);
			free(s);
		}
		return;
	}
	if (s) {
		reactor_io_mod(d->r, &s->io, ev);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->d = d;
	if (reactor_io_add(d->r, &s->io, fd, ev, dns_io_ready, s) < 0) {
		free(s);
		return;
	}
	LIST_INSERT_HEAD(&d->socks, s, link);
}

struct dns *dns_new(struct reactor *r, const char *server, unsigned timeout_ms,
		    unsigned tries)
{
	struct ares_options o;
	struct dns *d = NULL;
	int mask, rc;
	char lookups[] = "b";

	pthread_once(&dns_once, dns_lib_init);
	if (dns_lib_rc != ARES_SUCCESS) {
		log_err("dns: c-ares failed to initialise: %s",
			ares_strerror(dns_lib_rc));
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->r = r;
	timer_init(&d->timer, dns_timer_fired, d);
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = dns_sock_state;
	o.sock_state_cb_data = d;
	o.timeout = (int)(timeout_ms ? timeout_ms : 2000);
	o.tries = (int)(tries ? tries : 2);
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	if (server) {
		o.lookups = lookups;
		mask |= ARES_OPT_LOOKUPS;
	}
	rc = ares_init_options(&d->ch, &o, mask);
	if (rc != ARES_SUCCESS) {
		log_err("dns: cannot set up the resolver: %s",
			ares_strerror(rc));
		free(d);
		return NULL;
	}
	if (server) {
		rc = ares_set_servers_ports_csv(d->ch, server);
		if (rc != ARES_SUCCESS) {
			log_err("--dns-server '%.64s': %s (give an address, "
				"optionally with :port)",
				server, ares_strerror(rc));
			goto fail;
		}
	}
	return d;
fail:
	dns_free(d);
	return NULL;
}

void dns_free(struct dns *d)
{
	struct dns_sock *s;

	if (!d)
		return;
	reactor_timer_stop(d->r, &d->timer);
	ares_destroy(d->ch); /* callbacks run with ARES_EDESTRUCTION */
	d->destroying = 1;
	while ((s = LIST_FIRST(&d->socks))) {
		LIST_REMOVE(s, link);
		reactor_io_del(d->r, &s->io);
		free(s);
	}
	free(d);
}

static void dns_finish(struct dns_query *q, enum dns_status st,
		       const char *name, int confirmed)
{
	q->d->pending--;
	q->fn(q->arg, st, name, confirmed);
	free(q);
}

static enum dns_status dns_status_of(int ares_status)
{
	switch (ares_status) {
	case ARES_SUCCESS:
		return DNS_OK;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
	case ARES_ENONAME:
		return DNS_NONAME;
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		return DNS_CANCELLED;
	default:
		return DNS_FAILED;
	}
}

static void dns_forward_done(void *arg, int status, int timeouts,
			     struct ares_addrinfo *res)
{
	struct dns_query *q = arg;
	struct ares_addrinfo_node *n;
	struct targets_addr a;
	int confirmed = 0;

	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		ares_freeaddrinfo(res);
		dns_finish(q, DNS_CANCELLED, NULL, 0);
		return;
	}
	for (n = res ? res->nodes : NULL; n && !confirmed; n = n->ai_next)
		if (targets_addr_from_sockaddr(n->ai_addr, &a) == 0 &&
		    targets_addr_equal(&a, &q->addr))
			confirmed = 1;
	ares_freeaddrinfo(res);
	dns_finish(q, DNS_OK, q->name, confirmed);
}

static void dns_ptr_done(void *arg, int status, int timeouts, struct hostent *h)
{
	struct dns_query *q = arg;
	struct ares_addrinfo_hints hints;
	enum dns_status st = dns_status_of(status);
	size_t n;

	if (st != DNS_OK) {
		dns_finish(q, st, NULL, 0);
		return;
	}
	if (!h || !h->h_name || strlen(h->h_name) > DNS_NAME_MAX) {
		dns_finish(q, DNS_NONAME, NULL, 0);
		return;
	}
	n = strlen(h->h_name);
	memcpy(q->name, h->h_name, n + 1);
	if (n > 0 && q->name[n - 1] == '.')
		q->name[--n] = '\0';
	if (!dns_name_valid(q->name)) {
		log_debug("dns: ignoring an unusable PTR name");
		dns_finish(q, DNS_NONAME, NULL, 0);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(q->d->ch, q->name, NULL, &hints, dns_forward_done, q);
}

int dns_ptr(struct dns *d, const struct targets_addr *a, dns_ptr_fn fn,
	    void *arg)
{
	struct dns_query *q = xcalloc(1, sizeof(*q));

	q->d = d;
	q->addr = *a;
	q->fn = fn;
	q->arg = arg;
	d->pending++;
	ares_gethostbyaddr(d->ch, a->a, a->family == AF_INET ? 4 : 16,
			   a->family, dns_ptr_done, q);
	dns_arm(d);
	return 0;
}

unsigned dns_pending(const struct dns *d)
{
	return d->pending;
}
