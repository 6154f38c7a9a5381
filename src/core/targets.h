/*
 * targets: the set of addresses a discovery visits, parsed from what the
 * user typed.
 *
 * A token is one of: a single IPv4 or IPv6 address; a CIDR block
 * (10.0.0.0/24, 2001:db8::/120; host bits are ignored); a range of whole
 * addresses (10.0.0.5-10.0.1.20); an nmap-style octet range where each
 * IPv4 octet is a number, a span or a comma list (10.0.1-3.1-254,
 * 192.168.3,5.1-10); or a host name, resolved once, up front, with
 * getaddrinfo (every address it has), and only when TARGETS_RESOLVE is set.
 * Anything else - shell metacharacters included - is an invalid token.
 * Exclusions take the same syntax. Files hold one token per line; '#'
 * starts a comment.
 *
 * The set is kept as a sorted list of disjoint ranges, never one entry per
 * address: IPv4 lives in the v4-mapped part of the 128-bit space, so both
 * families sort together. A cap (default 65,536) bounds the size of every
 * token and of the final set; going past it is an error that names the
 * token, so a typo cannot start a scan of a /8. After targets_finish(),
 * addresses are reached by index in [0, targets_count()), which is what the
 * engine's keyed permutation walks.
 *
 * Errors are logged once (log_err) and also kept in targets_error() so a
 * caller such as the API can return the same text. The targets object owns
 * everything it holds; targets_free() releases it.
 */
#ifndef NC_TARGETS_H
#define NC_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TARGETS_DEFAULT_MAX 65536u
#define TARGETS_TOKEN_MAX 255 /* longest token accepted, in bytes */

/* flags for targets_new */
#define TARGETS_RESOLVE 0x1 /* allow host names (resolved at parse) */

/* One address: family AF_INET (a[0..3] used) or AF_INET6 (a[0..15]). */
struct targets_addr {
	int family;
	uint8_t a[16];
};

struct targets;

/* A new empty set; max is the cap (0 means TARGETS_DEFAULT_MAX). */
struct targets *targets_new(uint64_t max, unsigned flags);
void targets_free(struct targets *t);

/* Adds one token; 0, or -1 with the reason logged and kept. */
int targets_add(struct targets *t, const char *token);
/* Adds one exclusion token (same syntax, no cap on its size); 0 or -1. */
int targets_exclude(struct targets *t, const char *token);
/* Adds every token of a file (exclude != 0: as exclusions); 0 or -1, the
 * error naming file:line. "-" reads standard input. */
int targets_add_file(struct targets *t, const char *path, int exclude);

/* Applies exclusions, merges overlaps and checks the cap on the total;
 * 0 or -1. Must be called once, after the last add, before lookups. */
int targets_finish(struct targets *t);

/* Number of distinct addresses after exclusion (after targets_finish). */
uint64_t targets_count(const struct targets *t);
/* The address at index i < targets_count(); 0, or -1 when out of range. */
int targets_get(const struct targets *t, uint64_t i, struct targets_addr *out);
/* 1 when a is in the set (after targets_finish: exclusions applied),
 * else 0; a NULL set holds nothing. */
int targets_contains(const struct targets *t, const struct targets_addr *a);
/* Number of disjoint ranges held (after targets_finish). */
size_t targets_range_count(const struct targets *t);

/* The last error message, or "" when none. Owned by t. */
const char *targets_error(const struct targets *t);

/* Formats an address into buf (INET6_ADDRSTRLEN = 46 bytes is enough). */
const char *targets_addr_format(const struct targets_addr *a, char *buf,
				size_t len);
/* Parses a literal IPv4/IPv6 address; 0 or -1 (nothing logged). */
int targets_addr_parse(const char *s, struct targets_addr *out);
/* Fills a sockaddr for a and port; returns its length. */
socklen_t targets_addr_to_sockaddr(const struct targets_addr *a, uint16_t port,
				   struct sockaddr_storage *ss);
/* Reads an address out of a sockaddr; 0, or -1 for another family. */
int targets_addr_from_sockaddr(const struct sockaddr *sa,
			       struct targets_addr *out);
/* 1 when a and b are the same address, else 0. */
int targets_addr_equal(const struct targets_addr *a,
		       const struct targets_addr *b);

#endif
