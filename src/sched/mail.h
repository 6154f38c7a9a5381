/*
 * mail: builds MIME messages and sends them over SMTP with libcurl.
 *
 * mail_build() makes one RFC 5322 message with CRLF line ends: headers
 * whose non-ASCII text is RFC 2047 encoded (UTF-8, base64), and a
 * multipart/mixed body holding a multipart/alternative (text/plain and
 * text/html) and, when given, one attachment; every part is base64 in
 * 76-column lines, so the random boundary ("=_nc_" + hex, which base64
 * cannot produce) never occurs in the content. Addresses are checked
 * (no spaces, controls, quotes, angle brackets or commas), so nothing from
 * a task or a request can add a header or a recipient.
 *
 * mail_send() speaks SMTP ("none": plain, port 25; "starttls": STARTTLS
 * required, 587; "tls": implicit TLS, 465), with authentication when a
 * user name is set, and certificate checks on unless verify_tls is 0
 * (ca_file replaces the system's CA bundle). It is blocking, bounded by
 * MAIL_TIMEOUT_SECONDS, and fills `answer` with the server's last reply
 * line, e.g. "250 2.0.0 Ok: queued as 1F2E3" or curl's reason on failure.
 */
#ifndef NC_MAIL_H
#define NC_MAIL_H

#include <stddef.h>

#include "core/util.h"

#define MAIL_TIMEOUT_SECONDS 30
#define MAIL_MAX_RCPT 50
#define MAIL_ADDR_MAX 254

enum mail_security { MAIL_SEC_NONE = 0, MAIL_SEC_STARTTLS, MAIL_SEC_TLS };

struct mail_server {
	const char *host;
	int port; /* 0: 25, 587 or 465 by security */
	enum mail_security security;
	const char *username; /* NULL or "": no AUTH */
	const char *password;
	const char *from;
	int verify_tls;	     /* 1 by default */
	const char *ca_file; /* NULL: the system's bundle */
};

struct mail_message {
	const char *from;
	const char *const *to; /* recipients */
	int nto;
	const char *subject;	 /* UTF-8 */
	const char *text;	 /* text/plain body (UTF-8) */
	const char *html;	 /* text/html body, or NULL */
	const char *attach_name; /* file name, or NULL for none */
	const char *attach_type; /* "text/csv; charset=utf-8" */
	const char *attach_data;
	size_t attach_len;
	const char *date; /* RFC 5322 date; NULL: now */
};

/* 1 when addr is a plain local@domain address we will put in a header. */
int mail_address_ok(const char *addr);
/* 1 when h is a host name or address we will put in a URL: letters,
 * digits, '.', '-', ':' (IPv6), at most 253 characters. */
int mail_host_ok(const char *h);
/* "none", "starttls", "tls" into *out; 0 or -1. */
int mail_security_parse(const char *s, enum mail_security *out);
const char *mail_security_name(enum mail_security s);

/* Appends the message to out. 0, or -1 (logged) on a bad address. */
int mail_build(const struct mail_message *m, struct strbuf *out);

/* Sends msg (from mail_build) from srv->from to the recipients. 0 when the
 * server accepted it; -1 otherwise. answer (at least 256 bytes) receives
 * the server's last reply or the reason. */
int mail_send(const struct mail_server *srv, const char *const *to, int nto,
	      const char *msg, size_t len, char *answer, size_t answer_len);

#endif
