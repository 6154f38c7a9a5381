#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"
#include "probe/udp.h"

struct udp_chan {
	uint8_t key[PROBE_KEY_BYTES];
};

int udp_chan_open(struct probe_chan *c, int family,
		  const uint8_t key[PROBE_KEY_BYTES], char *why, size_t why_len)
{
	struct udp_chan *u;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(why, why_len, "cannot open a UDP%s socket: %s",
			 family == AF_INET6 ? "v6" : "", strerror(errno));
		return -1;
	}
	u = xcalloc(1, sizeof(*u));
	memcpy(u->key, key, sizeof(u->key));
	c->fd = fd;
	c->family = family;
	c->priv = u;
	return 0;
}

void udp_chan_close(struct probe_chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->priv);
	c->priv = NULL;
	c->fd = -1;
}

const uint8_t *udp_chan_key(const struct probe_chan *c)
{
	return ((const struct udp_chan *)c->priv)->key;
}

int udp_chan_send(struct probe_chan *c, const struct targets_addr *a,
		  uint16_t port, const void *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = targets_addr_to_sockaddr(a, port, &ss);

	if (sendto(c->fd, buf, n, 0, (struct sockaddr *)&ss, sl) < 0)
		return -1;
	return 0;
}

ssize_t udp_chan_recv(struct probe_chan *c, void *buf, size_t cap,
		      struct targets_addr *from, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n = recvfrom(c->fd, buf, cap, 0, (struct sockaddr *)&ss, &sl);

	if (n < 0)
		return -1;
	*port = 0;
	if (targets_addr_from_sockaddr((struct sockaddr *)&ss, from) < 0)
		return 0;
	*port = ntohs(ss.ss_family == AF_INET
			      ? ((struct sockaddr_in *)&ss)->sin_port
			      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return n;
}
