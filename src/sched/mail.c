/*
 * MIME messages and SMTP through libcurl.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/log.h"
#include "sched/mail.h"

#define MAIL_B64_LINE 57 /* raw bytes per 76-character base64 line */
#define MAIL_WORD_RAW 42 /* raw bytes per RFC 2047 encoded word */

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;
static int mail_curl_ok;

static void mail_curl_init(void)
{
	mail_curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	if (sodium_init() < 0)
		log_err("libsodium cannot initialise");
}

int mail_address_ok(const char *a)
{
	const char *at;
	size_t n;

	if (!a || !(n = strlen(a)) || n > MAIL_ADDR_MAX)
		return 0;
	at = strchr(a, '@');
	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (; *a; a++) {
		unsigned char c = (unsigned char)*a;

		if (c <= ' ' || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return 0;
	}
	return 1;
}

int mail_security_parse(const char *s, enum mail_security *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "none"))
		*out = MAIL_SEC_NONE;
	else if (!strcmp(s, "starttls"))
		*out = MAIL_SEC_STARTTLS;
	else if (!strcmp(s, "tls"))
		*out = MAIL_SEC_TLS;
	else
		return -1;
	return 0;
}

const char *mail_security_name(enum mail_security s)
{
	return s == MAIL_SEC_STARTTLS ? "starttls"
	       : s == MAIL_SEC_TLS    ? "tls"
				      : "none";
}

/* Base64 of data in CRLF-terminated lines of 76 characters. */
static void mail_b64(struct strbuf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char line[80];

	while (len) {
		size_t n = len < MAIL_B64_LINE ? len : MAIL_B64_LINE;

		sodium_bin2base64(line, sizeof(line), p, n,
				  sodium_base64_VARIANT_ORIGINAL);
		strbuf_puts(out, line);
		strbuf_puts(out, "\r\n");
		p += n;
		len -= n;
	}
}

static int mail_needs_encoding(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

/* A header "Name: value" with value RFC 2047 encoded when it is not
 * plain printable ASCII; control characters never pass through. */
static void mail_header_text(struct strbuf *out, const char *name,
			     const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t len = strlen(value);
	char word[80];

	strbuf_printf(out, "%s: ", name);
	if (!mail_needs_encoding(value) && len <= 900) {
		strbuf_puts(out, value);
		strbuf_puts(out, "\r\n");
		return;
	}
	while (len) {
		size_t n = len < MAIL_WORD_RAW ? len : MAIL_WORD_RAW;

		/* never split a UTF-8 sequence between two words */
		while (n < len && n > 1 && (p[n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(word, sizeof(word), p, n,
				  sodium_base64_VARIANT_ORIGINAL);
		strbuf_printf(out, "=?UTF-8?B?%s?=", word);
		p += n;
		len -= n;
		strbuf_puts(out, len ? "\r\n " : "");
	}
	strbuf_puts(out, "\r\n");
}

static void mail_random_hex(char *out, size_t nbytes)
{
	unsigned char raw[16];

	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	randombytes_buf(raw, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

static void mail_part(struct strbuf *out, const char *boundary,
		      const char *type, const char *disposition,
		      const char *data, size_t len)
{
	strbuf_printf(out,
		      "--%s\r\nContent-Type: %s\r\n"
		      "Content-Transfer-Encoding: base64\r\n",
		      boundary, type);
	if (disposition)
		strbuf_printf(out, "Content-Disposition: %s\r\n", disposition);
	strbuf_puts(out, "\r\n");
	mail_b64(out, data, len);
}

/* A file name safe to quote in a header: [A-Za-z0-9._-], at most 100. */
static int mail_filename_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

int mail_build(const struct mail_message *m, struct strbuf *out)
{
	char outer[48] = "=_nc_", inner[48] = "=_nc_", id[40], date[64];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	pthread_once(&mail_once, mail_curl_init);
	if (!mail_address_ok(m->from)) {
		log_err("mail: the sender is not a plain address like "
			"netcensus@example.org");
		return -1;
	}
	if (m->nto < 1 || m->nto > MAIL_MAX_RCPT) {
		log_err("mail: between 1 and %d recipients are needed",
			MAIL_MAX_RCPT);
		return -1;
	}
	for (i = 0; i < m->nto; i++)
		if (!mail_address_ok(m->to[i])) {
			log_err("mail: recipient %d is not a plain address "
				"like name@example.org",
				i + 1);
			return -1;
		}
	if (m->attach_name && !mail_filename_ok(m->attach_name)) {
		log_err("mail: attachment name '%.80s' is not safe",
			m->attach_name);
		return -1;
	}
	mail_random_hex(outer + 5, 12);
	mail_random_hex(inner + 5, 12);
	mail_random_hex(id, 16);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	strbuf_printf(out, "Date: %s\r\n", m->date ? m->date : date);
	strbuf_printf(out, "From: <%s>\r\n", m->from);
	strbuf_puts(out, "To: ");
	for (i = 0; i < m->nto; i++)
		strbuf_printf(out, "%s<%s>", i ? ",\r\n " : "", m->to[i]);
	strbuf_puts(out, "\r\n");
	mail_header_text(out, "Subject", m->subject ? m->subject : "");
	strbuf_printf(out, "Message-ID: <%s@netcensus>\r\n", id);
	strbuf_puts(out, "MIME-Version: 1.0\r\n"
			 "User-Agent: netcensus\r\n");
	strbuf_printf(out,
		      "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
		      "\r\nThis is a MIME message.\r\n",
		      outer);
	strbuf_printf(out,
		      "--%s\r\nContent-Type: multipart/alternative; "
		      "boundary=\"%s\"\r\n\r\n",
		      outer, inner);
	mail_part(out, inner, "text/plain; charset=utf-8", NULL,
		  m->text ? m->text : "", m->text ? strlen(m->text) : 0);
	if (m->html)
		mail_part(out, inner, "text/html; charset=utf-8", NULL, m->html,
			  strlen(m->html));
	strbuf_printf(out, "--%s--\r\n", inner);
	if (m->attach_name) {
		char disp[160];

		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
			 m->attach_name);
		mail_part(out, outer,
			  m->attach_type ? m->attach_type
					 : "application/octet-stream",
			  disp, m->attach_data ? m->attach_data : "",
			  m->attach_len);
	}
	strbuf_printf(out, "--%s--\r\n", outer);
	return 0;
}

/* ---- sending ---- */

struct mail_upload {
	const char *data;
	size_t len, off;
	char last[256]; /* the server's last reply line before QUIT */
	int quitting;
};

static size_t mail_read(char *buf, size_t size, size_t n, void *arg)
{
	struct mail_upload *u = arg;
	size_t want = size * n, left = u->len - u->off;

	if (want > left)
		want = left;
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

static int mail_debug(CURL *c, curl_infotype type, char *data, size_t size,
		      void *arg)
{
	struct mail_upload *u = arg;
	size_t n;

	(void)c;
	if (type == CURLINFO_HEADER_OUT && size >= 4 &&
	    !memcmp(data, "QUIT", 4))
		u->quitting = 1;
	if (type != CURLINFO_HEADER_IN || u->quitting)
		return 0;
	n = size < sizeof(u->last) - 1 ? size : sizeof(u->last) - 1;
	memcpy(u->last, data, n);
	u->last[n] = '\0';
	u->last[strcspn(u->last, "\r\n")] = '\0';
	return 0;
}

int mail_host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	if (!n || n > 253)
		return 0;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' ||
		      *h == ':'))
			return 0;
	return 1;
}

int mail_send(const struct mail_server *srv, const char *const *to, int nto,
	      const char *msg, size_t len, char *answer, size_t answer_len)
{
	struct curl_slist *rcpt = NULL;
	struct mail_upload u;
	char url[300], from[MAIL_ADDR_MAX + 3], addr[MAIL_ADDR_MAX + 3];
	int port = srv->port, i, rc = -1;
	CURLcode cc;
	CURL *c = NULL;

	pthread_once(&mail_once, mail_curl_init);
	memset(&u, 0, sizeof(u));
	u.data = msg;
	u.len = len;
	snprintf(answer, answer_len, "not sent");
	if (!mail_curl_ok) {
		snprintf(answer, answer_len, "libcurl cannot initialise");
		goto out;
	}
	if (!mail_host_ok(srv->host) || !mail_address_ok(srv->from)) {
		snprintf(answer, answer_len,
			 "the SMTP host or from address "
			 "is missing or not valid");
		goto out;
	}
	if (!port)
		port = srv->security == MAIL_SEC_TLS	    ? 465
		       : srv->security == MAIL_SEC_STARTTLS ? 587
							    : 25;
	snprintf(url, sizeof(url), "%s://%s%s%s:%d",
		 srv->security == MAIL_SEC_TLS ? "smtps" : "smtp",
		 strchr(srv->host, ':') ? "[" : "", srv->host,
		 strchr(srv->host, ':') ? "]" : "", port);
	snprintf(from, sizeof(from), "<%s>", srv->from);
	for (i = 0; i < nto; i++) {
		if (!mail_address_ok(to[i])) {
			snprintf(answer, answer_len,
				 "'%.80s' is not a valid "
				 "address",
				 to[i]);
			goto out;
		}
		snprintf(addr, sizeof(addr), "<%s>", to[i]);
		rcpt = curl_slist_append(rcpt, addr);
	}
	c = curl_easy_init();
	if (!c || !rcpt) {
		snprintf(answer, answer_len,
			 "no recipients, or libcurl failed");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)MAIL_TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, mail_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &u);
	if (srv->security == MAIL_SEC_STARTTLS)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, srv->verify_tls ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, srv->verify_tls ? 2L : 0L);
	if (srv->ca_file && *srv->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, srv->ca_file);
	if (srv->username && *srv->username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, srv->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
				 srv->password ? srv->password : "");
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		snprintf(answer, answer_len, "%s",
			 u.last[0] ? u.last : "accepted");
		rc = 0;
	} else {
		snprintf(answer, answer_len, "%s%s%s", curl_easy_strerror(cc),
			 u.last[0] ? "; the server said: " : "", u.last);
		log_warn("mail: sending through %s failed: %s", url, answer);
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc;
}
