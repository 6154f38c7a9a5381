/*
 * MIME messages: CRLF everywhere, headers that cannot be split or
 * injected, RFC 2047 subjects, and an attachment that decodes back to the
 * bytes given.
 */
#include "testlib.h"

#include <sodium.h>

#include "core/util.h"
#include "sched/mail.h"

/* The base64 body of the part whose headers contain marker, decoded. */
static char *part_body(const char *msg, const char *marker, size_t *len)
{
	const char *p = strstr(msg, marker), *end;
	struct strbuf b64;
	char *out;

	assert_non_null(p);
	p = strstr(p, "\r\n\r\n");
	assert_non_null(p);
	p += 4;
	end = strstr(p, "\r\n--");
	assert_non_null(end);
	strbuf_init(&b64, 0);
	while (p < end) {
		size_t n = strcspn(p, "\r");

		strbuf_append(&b64, p, n);
		p += n + 2;
	}
	out = xmalloc(b64.len + 1);
	assert_int_equal(sodium_base642bin((unsigned char *)out, b64.len,
					   b64.data, b64.len, NULL, len, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	out[*len] = '\0';
	strbuf_free(&b64);
	return out;
}

static void test_build(void **state)
{
	const char *to[] = {"ops@example.org", "noc@example.net"};
	const char csv[] = "\"id\",\"hostname\"\r\n\"1\",\"a,b\"\r\n";
	struct mail_message m;
	struct strbuf out;
	char *body, *boundary;
	const char *p;
	size_t len, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.from = "netcensus@example.org";
	m.to = to;
	m.nto = 2;
	m.subject = "Geräte: neue (7 Tage)";
	m.text = "plain\nbody";
	m.html = "<p>html</p>";
	m.attach_name = "new-devices-20261120-0600.csv";
	m.attach_type = "text/csv; charset=utf-8";
	m.attach_data = csv;
	m.attach_len = sizeof(csv) - 1;
	strbuf_init(&out, 0);
	assert_int_equal(mail_build(&m, &out), 0);
	/* every LF is part of a CRLF */
	for (i = 0; i < out.len; i++)
		if (out.data[i] == '\n')
			assert_true(i > 0 && out.data[i - 1] == '\r');
	assert_non_null(strstr(out.data, "From: <netcensus@example.org>\r\n"));
	assert_non_null(strstr(out.data, "To: <ops@example.org>,\r\n "
					 "<noc@example.net>\r\n"));
	assert_non_null(strstr(out.data, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(out.data, "Subject: =?UTF-8?B?"));
	assert_null(strstr(out.data, "Geräte"));
	p = strstr(out.data, "multipart/mixed; boundary=\"");
	assert_non_null(p);
	p += strlen("multipart/mixed; boundary=\"");
	boundary = strndup(p, strcspn(p, "\""));
	assert_true(strlen(boundary) > 10);
	/* the boundary occurs only as delimiters */
	{
		const char *q = out.data;
		int count = 0;

		while ((q = strstr(q, boundary))) {
			count++;
			q++;
		}
		assert_int_equal(count, 4); /* header, 2 parts, closing */
	}
	body = part_body(out.data,
			 "attachment; filename=\"new-devices-"
			 "20261120-0600.csv\"",
			 &len);
	assert_int_equal(len, sizeof(csv) - 1);
	assert_memory_equal(body, csv, len);
	free(body);
	body = part_body(out.data, "text/html", &len);
	assert_string_equal(body, "<p>html</p>");
	free(body);
	free(boundary);
	strbuf_free(&out);
}

static void test_refused(void **state)
{
	const char *bad[] = {"ops@example.org\r\nBcc: x@evil.example"};
	const char *ok[] = {"ops@example.org"};
	struct mail_message m;
	struct strbuf out;

	(void)state;
	assert_true(mail_address_ok("a.b+tag@example.org"));
	assert_false(mail_address_ok("a b@example.org"));
	assert_false(mail_address_ok("<a@example.org>"));
	assert_false(mail_address_ok("a@example.org,b@example.org"));
	assert_false(mail_address_ok("a@b@c"));
	assert_false(mail_address_ok("@example.org"));
	assert_false(mail_address_ok("nobody"));
	assert_false(mail_address_ok(""));
	assert_true(mail_host_ok("smtp.example.org"));
	assert_true(mail_host_ok("::1"));
	assert_false(mail_host_ok("smtp.example.org/evil"));
	assert_false(mail_host_ok("user@host"));
	memset(&m, 0, sizeof(m));
	m.from = "netcensus@example.org";
	m.to = bad;
	m.nto = 1;
	m.subject = "x";
	strbuf_init(&out, 0);
	assert_int_equal(mail_build(&m, &out), -1);
	/* a subject with CR LF is encoded, never a second header */
	m.to = ok;
	m.subject = "hello\r\nBcc: x@evil.example";
	assert_int_equal(mail_build(&m, &out), 0);
	assert_null(strstr(out.data, "\r\nBcc:"));
	/* an attachment name that could break out of its quotes */
	m.attach_name = "a\".csv";
	assert_int_equal(mail_build(&m, &out), -1);
	strbuf_free(&out);
}

static void test_send_refused_early(void **state)
{
	const char *to[] = {"ops@example.org"};
	struct mail_server srv;
	char answer[256];

	(void)state;
	memset(&srv, 0, sizeof(srv));
	srv.host = "smtp.example.org/x";
	srv.from = "netcensus@example.org";
	assert_int_equal(mail_send(&srv, to, 1, "x", 1, answer, sizeof(answer)),
			 -1);
	assert_non_null(strstr(answer, "host"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_send_refused_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
