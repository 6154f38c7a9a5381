/* server/api_intake: the form decoding the Open-AudIT scripts need
 * (audit_linux.sh posts "data=" + the XML with only + " & percent-encoded,
 * so a raw % or = must survive) and multipart/form-data. */
#include "testlib.h"

#include "server/server_int.h"

static char *field(const char *body, const char *name)
{
	size_t n = 0;

	return intake_form_field(body, strlen(body), name, &n);
}

static void test_form_plain(void **state)
{
	char *v;

	(void)state;
	v = field("a=1&data=hello%20world&b=2", "data");
	assert_string_equal(v, "hello world");
	free(v);
	v = field("data=x+y", "data");
	assert_string_equal(v, "x y");
	free(v);
	assert_null(field("a=1&b=2", "data"));
	assert_null(field("dataX=1", "data"));
	v = field("data=", "data");
	assert_string_equal(v, "");
	free(v);
}

static void test_form_audit_linux(void **state)
{
	/* what sed -e 's/+/%2B/g' -e 's/"/%22/g' -e 's/&/%26/g' leaves */
	const char *body = "data=<?xml version=%221.0%22?><system><sys>"
			   "<note>100% sure a=b %26lt; c%2Bd %zz %4</note>"
			   "<q>%26amp; %22x%22</q></sys></system>\n";
	char *v = field(body, "data");

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "<?xml version=\"1.0\"?><system><sys>"
			       "<note>100% sure a=b &lt; c+d %zz %4</note>"
			       "<q>&amp; \"x\"</q></sys></system>\n");
	free(v);
}

/* A raw document (it holds < or white space, which a form encoder always
 * escapes) keeps every %XX but audit_linux.sh's three, and its '+'. */
static void test_form_raw_percent(void **state)
{
	const char *body = "data=<v>50%41 off=1%2B2 a+b %3C %22q%22 %26amp;"
			   "</v>";
	char *v = field(body, "data");

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "<v>50%41 off=1+2 a+b %3C \"q\" &amp;</v>");
	free(v);
	/* lower-case hex of the three escapes is decoded too */
	v = field("data=<v>%2b%26</v>", "data");
	assert_string_equal(v, "<v>+&</v>");
	free(v);
	/* fully encoded (no raw < or space): every escape decoded */
	v = field("data=%3Cv%3E50%2541+off%3C%2Fv%3E", "data");
	assert_string_equal(v, "<v>50%41 off</v>");
	free(v);
}

static void test_multipart(void **state)
{
	const char *ct = "multipart/form-data; boundary=----XyZ";
	const char *body = "------XyZ\r\n"
			   "Content-Disposition: form-data; name=\"other\"\r\n"
			   "\r\n"
			   "nope\r\n"
			   "------XyZ\r\n"
			   "Content-Disposition: form-data; name=\"data\"; "
			   "filename=\"a.xml\"\r\n"
			   "Content-Type: text/xml\r\n"
			   "\r\n"
			   "<system>1 + 1 = 2 & 100%</system>\r\n"
			   "------XyZ--\r\n";
	size_t n = 0;
	char *v;

	(void)state;
	v = intake_multipart_field(body, strlen(body), ct, "data", &n);
	assert_non_null(v);
	assert_string_equal(v, "<system>1 + 1 = 2 & 100%</system>");
	assert_int_equal(n, strlen(v));
	free(v);
	assert_null(
		intake_multipart_field(body, strlen(body), ct, "missing", &n));
	assert_null(intake_multipart_field(body, strlen(body),
					   "multipart/form-data", "data", &n));
	/* truncated: no closing boundary */
	assert_null(intake_multipart_field(body, 60, ct, "data", &n));
	v = intake_multipart_field(body, strlen(body),
				   "multipart/form-data; boundary=\"----XyZ\"",
				   "data", &n);
	assert_non_null(v);
	free(v);
}

static void test_net_allow(void **state)
{
	struct server_net nets[3];

	(void)state;
	assert_int_equal(server_net_parse("198.18.0.0/15", &nets[0]), 0);
	assert_int_equal(server_net_parse("127.0.0.1", &nets[1]), 0);
	assert_int_equal(server_net_parse("fd00::/8", &nets[2]), 0);
	assert_true(server_net_contains(nets, 3, "198.19.255.1"));
	assert_false(server_net_contains(nets, 3, "198.20.0.1"));
	assert_true(server_net_contains(nets, 3, "127.0.0.1"));
	assert_false(server_net_contains(nets, 3, "127.0.0.2"));
	assert_true(server_net_contains(nets, 3, "fd12::1"));
	assert_false(server_net_contains(nets, 3, "fe80::1"));
	assert_false(server_net_contains(nets, 3, "garbage"));
	assert_int_equal(server_net_parse("198.18.0.0/33", &nets[0]), -1);
	assert_int_equal(server_net_parse("198.18.0/15", &nets[0]), -1);
	assert_int_equal(server_net_parse("", &nets[0]), -1);
}

static void test_listen_parse(void **state)
{
	struct server_listen l;
	const char *why;

	(void)state;
	assert_int_equal(server_listen_parse("127.0.0.1:8080", &l, &why), 0);
	assert_string_equal(l.host, "127.0.0.1");
	assert_int_equal(l.port, 8080);
	assert_int_equal(l.tls, -1);
	assert_int_equal(server_listen_parse("https://[::1]:8443", &l, &why),
			 0);
	assert_string_equal(l.host, "::1");
	assert_int_equal(l.tls, 1);
	assert_int_equal(server_listen_parse("http://0.0.0.0:80", &l, &why), 0);
	assert_int_equal(l.tls, 0);
	assert_int_equal(server_listen_parse("localhost:80", &l, &why), -1);
	assert_int_equal(server_listen_parse("1.2.3.4:0", &l, &why), -1);
	assert_int_equal(server_listen_parse("1.2.3.4:65536", &l, &why), -1);
	assert_int_equal(server_listen_parse("1.2.3.4", &l, &why), -1);
	assert_int_equal(server_listen_parse("[::1:80", &l, &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_plain),
		cmocka_unit_test(test_form_audit_linux),
		cmocka_unit_test(test_form_raw_percent),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_net_allow),
		cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
