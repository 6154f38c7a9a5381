/*
 * udp: the shared socket of a UDP request/response probe kind
 * (probe/probe.h): one unconnected, non-blocking socket per address
 * family, datagrams sent to and read from any address. A row builds and
 * checks its own payloads (probe/snmp_ping.c) around these.
 */
#ifndef NC_UDP_H
#define NC_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/targets.h"
#include "probe/probe.h"

/* Opens c's socket for family, keeping a copy of key in c->priv (a
 * struct udp_chan); 0, or -1 with why filled. */
int udp_chan_open(struct probe_chan *c, int family,
		  const uint8_t key[PROBE_KEY_BYTES], char *why,
		  size_t why_len);
void udp_chan_close(struct probe_chan *c);
/* The run's key a udp_chan_open()ed channel keeps. */
const uint8_t *udp_chan_key(const struct probe_chan *c);
/* Sends n bytes to a:port; 0, or -1 with errno set. */
int udp_chan_send(struct probe_chan *c, const struct targets_addr *a,
		  uint16_t port, const void *buf, size_t n);
/* Reads one datagram into buf: its length with *from and *port set, or
 * -1 when nothing is left. Datagrams from an address that cannot be read
 * are dropped (0 bytes, *port 0). */
ssize_t udp_chan_recv(struct probe_chan *c, void *buf, size_t cap,
		      struct targets_addr *from, uint16_t *port);

#endif
