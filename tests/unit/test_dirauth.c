/*
 * Directory sign-in without a directory: RFC 4515 / 4514 escaping, the
 * source checks, group mapping, and refusals that must happen before any
 * connection (empty password, impossible names). The real slapd tests
 * are tests/lab/test_ldap.sh.
 */
#include "testlib.h"

#include <jansson.h>

#include "auth/dirauth.h"

static void test_filter_escape(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(
		dirauth_filter_escape("*)(uid=*))(|(uid=*", out, sizeof(out)),
		0);
	assert_string_equal(out, "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid="
				 "\\2a");
	assert_int_equal(dirauth_filter_escape("a\\b\x01", out, sizeof(out)),
			 0);
	assert_string_equal(out, "a\\5cb\\01");
	assert_int_equal(dirauth_filter_escape("ok-name.1", out, sizeof(out)),
			 0);
	assert_string_equal(out, "ok-name.1");
	/* too small: refused, never cut */
	assert_int_equal(dirauth_filter_escape("****", out, 8), -1);
}

static void test_dn_escape(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(
		dirauth_dn_escape("a,b+c\"d\\e<f>g;h=i", out, sizeof(out)), 0);
	assert_string_equal(out, "a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\=i");
	assert_int_equal(dirauth_dn_escape("#lead", out, sizeof(out)), 0);
	assert_string_equal(out, "\\#lead");
	assert_int_equal(dirauth_dn_escape(" both ", out, sizeof(out)), 0);
	assert_string_equal(out, "\\ both\\ ");
	assert_int_equal(dirauth_dn_escape("mid#dle", out, sizeof(out)), 0);
	assert_string_equal(out, "mid#dle");
	assert_int_equal(dirauth_fill("uid=%s,ou=People,dc=example,dc=org",
				      "a\\,b", out, sizeof(out)),
			 0);
	assert_string_equal(out, "uid=a\\,b,ou=People,dc=example,dc=org");
	assert_int_equal(dirauth_fill("uid=x", "a", out, sizeof(out)), -1);
	assert_int_equal(dirauth_fill("%s%s", "a", out, sizeof(out)), -1);
}

static json_t *source(void)
{
	return json_pack(
		"{ss ss ss ss ss ss s[{ss ss ss}{ss ss}]}", "name", "corp",
		"type", "openldap", "url", "ldap://127.0.0.1:3389", "base_dn",
		"dc=example,dc=org", "user_dn_template",
		"uid=%s,ou=People,dc=example,dc=org", "group_base_dn",
		"ou=Groups,dc=example,dc=org", "mappings", "group",
		"cn=admins,ou=Groups,dc=example,dc=org", "role", "admin", "org",
		"Default", "group", "viewers", "role", "user");
}

static void expect_refused(json_t *src, const char *field)
{
	const char *f = NULL;
	char err[256];

	if (dirauth_check(src, err, sizeof(err), &f) == 0)
		fail_msg("accepted; expected a complaint about %s", field);
	if (!f || strcmp(f, field))
		fail_msg("complaint about %s (%s), expected %s", f ? f : "?",
			 err, field);
	json_decref(src);
}

static void test_check(void **state)
{
	json_t *s = source();
	const char *f;
	char err[256];

	(void)state;
	assert_int_equal(dirauth_check(s, err, sizeof(err), &f), 0);
	assert_string_equal(
		json_string_value(json_object_get(s, "user_filter")),
		"(uid=%s)");
	assert_string_equal(
		json_string_value(json_object_get(s, "group_attribute")),
		"member");
	assert_true(json_is_true(json_object_get(s, "enabled")));
	json_decref(s);

	s = source();
	json_object_set_new(s, "url", json_string("http://x"));
	expect_refused(s, "url");
	s = source();
	json_object_set_new(s, "url", json_string("ldaps://127.0.0.1:636"));
	json_object_set_new(s, "starttls", json_true());
	expect_refused(s, "starttls");
	s = source();
	json_object_set_new(s, "user_dn_template", json_string("uid=x"));
	expect_refused(s, "user_dn_template");
	s = source();
	json_object_del(s, "mappings");
	expect_refused(s, "mappings");
	s = source();
	json_object_set_new(s, "group_attribute", json_string("uniqueMember"));
	expect_refused(s, "group_attribute");
	s = source();
	json_object_del(s, "user_dn_template");
	json_object_set_new(s, "bind_dn",
			    json_string("cn=svc,dc=example,dc=org"));
	expect_refused(s, "bind_password");
	s = source();
	json_object_set_new(s, "type", json_string("active_directory"));
	expect_refused(s, "user_dn_template");
	s = source();
	json_object_set_new(s, "surprise", json_string("x"));
	expect_refused(s, "body");

	/* Active Directory defaults */
	s = source();
	json_object_set_new(s, "type", json_string("active_directory"));
	json_object_del(s, "user_dn_template");
	assert_int_equal(dirauth_check(s, err, sizeof(err), &f), 0);
	assert_string_equal(
		json_string_value(json_object_get(s, "user_filter")),
		"(&(objectClass=user)(sAMAccountName=%s))");
	json_decref(s);
}

static void test_map(void **state)
{
	json_t *s = source();
	struct dirauth_user u;
	const char *role, *org, *f;
	char err[256];

	(void)state;
	assert_int_equal(dirauth_check(s, err, sizeof(err), &f), 0);
	memset(&u, 0, sizeof(u));
	u.groups = json_pack("[s]", "cn=viewers,ou=Groups,dc=example,dc=org");
	assert_int_equal(dirauth_map(s, &u, &role, &org), 1);
	assert_string_equal(role, "user");
	assert_null(org);
	/* the highest role wins; DNs compare without case */
	json_array_append_new(u.groups,
			      json_string("CN=Admins,OU=Groups,DC=example,"
					  "DC=org"));
	assert_int_equal(dirauth_map(s, &u, &role, &org), 1);
	assert_string_equal(role, "admin");
	assert_string_equal(org, "Default");
	json_array_clear(u.groups);
	json_array_append_new(u.groups,
			      json_string("cn=others,ou=Groups,dc=example,"
					  "dc=org"));
	assert_int_equal(dirauth_map(s, &u, &role, &org), 0);
	dirauth_user_free(&u);
	json_decref(s);
}

static void test_refused_before_connecting(void **state)
{
	json_t *s = source();
	struct dirauth_user u;
	const char *f;
	char why[256], err[256];

	(void)state;
	/* nothing listens on 127.0.0.1:1; these must not even try */
	json_object_set_new(s, "url", json_string("ldap://127.0.0.1:1"));
	assert_int_equal(dirauth_check(s, err, sizeof(err), &f), 0);
	assert_int_equal(dirauth_login(s, "alice", "", &u, why, sizeof(why)),
			 0);
	assert_non_null(strstr(why, "password"));
	assert_int_equal(
		dirauth_login(s, "bad\nname", "pw", &u, why, sizeof(why)), 0);
	/* and a real attempt reports an error, not a refusal */
	assert_int_equal(dirauth_login(s, "alice", "pw", &u, why, sizeof(why)),
			 -1);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_escape),
		cmocka_unit_test(test_dn_escape),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_refused_before_connecting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
