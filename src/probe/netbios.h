/*
 * netbios: NetBIOS node status ([RFC 1002] 4.2.17-18, NBSTAT): one UDP
 * datagram to port 137 asking for the name "*", and the answer - every
 * name the host registered, each unique or group with a one-byte suffix
 * (0x00 workstation, 0x20 file server, 0x1C domain controllers), and the
 * MAC address its stack reports.
 *
 * nbstat_parse() reads untrusted bytes: every length is checked against
 * the datagram, names are kept to printable ASCII, and it never reads
 * outside [p, p + n). nbstat_query() is a blocking exchange for a worker
 * thread, bounded by its deadline.
 */
#ifndef NC_NETBIOS_H
#define NC_NETBIOS_H

#include <stddef.h>
#include <stdint.h>

#define NBSTAT_REQUEST_LEN 50
#define NBSTAT_NAMES_MAX 64

struct nbstat_name {
	char name[16]; /* without the suffix and the space padding */
	uint8_t suffix;
	int group;
};

struct nbstat_info {
	struct nbstat_name names[NBSTAT_NAMES_MAX];
	size_t n_names;
	char computer[16];     /* the unique <00> (else <20>) name, or "" */
	char workgroup[16];    /* the group <00> name: workgroup or domain */
	int domain_controller; /* a group <1C> is registered */
	char mac[18];	       /* "aa:bb:..", "" when absent or zero */
};

/* Writes the node status request for "*" with transaction id txid. */
void nbstat_request_build(uint16_t txid, uint8_t out[NBSTAT_REQUEST_LEN]);
/* Parses an answer to transaction txid; 0, or -1 with why filled. */
int nbstat_parse(const uint8_t *p, size_t n, uint16_t txid,
		 struct nbstat_info *out, char *why, size_t why_len);

/* Asks host (a numeric address) on port (0: 137) and waits until
 * deadline_ms (CLOCK_MONOTONIC milliseconds), sending the request again
 * once halfway; 0 with *out filled, or -1 with why filled. */
int nbstat_query(const char *host, unsigned port, long deadline_ms,
		 struct nbstat_info *out, char *why, size_t why_len);

/* The same in two steps, so the caller can do other work while the
 * question is out: nbstat_send() sends it (0, or -1 with why filled and
 * nothing to wait for), nbstat_wait() resends it when due and there is
 * time left, and reads the answer - also one that arrived after
 * deadline_ms while the caller was busy - then closes the socket. */
struct nbstat_req {
	int fd;
	unsigned port;
	uint16_t txid;
	int sent;
	long resend, deadline;
	uint8_t req[NBSTAT_REQUEST_LEN];
};
int nbstat_send(const char *host, unsigned port, long deadline_ms,
		struct nbstat_req *q, char *why, size_t why_len);
int nbstat_wait(struct nbstat_req *q, struct nbstat_info *out, char *why,
		size_t why_len);

#endif
