/* Orgs, users, tokens and credentials through the store API (SQLite). */
#include <fcntl.h>
#include <sys/stat.h>

#include "testlib.h"

#include "core/log.h"
#include "core/util.h"
#include "store/secret.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	char db[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	log_set_level(LOG_QUIET);
	testlib_tmpdir(f->dir);
	snprintf(f->db, sizeof(f->db), "%s/nc.db", f->dir);
	f->st = store_open(f->db);
	if (!f->st) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

/* 1 when needle occurs anywhere in the bytes of path (a missing file has
 * nothing in it). */
static int file_contains(const char *path, const char *needle)
{
	size_t len = 0, n = strlen(needle), i;
	const char *why;
	char *data = util_read_file(path, 64 << 20, &len, &why);
	int found = 0;

	if (!data)
		return 0;
	for (i = 0; !found && i + n <= len; i++)
		found = !memcmp(data + i, needle, n);
	free(data);
	return found;
}

static int db_contains(struct fixture *f, const char *needle)
{
	char wal[160];

	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	return file_contains(f->db, needle) || file_contains(wal, needle);
}

static json_t *find_by(json_t *rows, const char *key, const char *value)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (!strcmp(json_string_value(json_object_get(row, key))
				    ? json_string_value(
					      json_object_get(row, key))
				    : "",
			    value))
			return row;
	return NULL;
}

static void test_orgs(void **state)
{
	struct fixture *f = *state;
	int64_t id = 0, sales = 0, emea = 0;
	json_t *list, *row;

	/* Default exists from the start. */
	assert_int_equal(store_org_find(f->st, "Default", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_org_add(f->st, "Sales", 0, &sales), 0);
	assert_true(sales > 1);
	assert_int_equal(store_org_add(f->st, "Sales EMEA", sales, &emea), 0);
	/* Names are unique; the parent must exist; names must be sane. */
	assert_int_equal(store_org_add(f->st, "Sales", 0, &id), -1);
	assert_int_equal(store_org_add(f->st, "Orphan", 9999, &id), -1);
	assert_int_equal(store_org_add(f->st, "", 0, &id), -1);
	assert_int_equal(store_org_add(f->st, "bad\nname", 0, &id), -1);

	assert_int_equal(store_org_find(f->st, "Sales EMEA", &id), 0);
	assert_int_equal(id, emea);
	/* A number names the org with that id. */
	assert_int_equal(store_org_find(f->st, "1", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_org_find(f->st, "Nowhere", &id), -1);

	list = store_org_list(f->st);
	assert_int_equal(json_array_size(list), 3);
	row = find_by(list, "name", "Sales EMEA");
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "parent_id")),
			 sales);
	assert_string_equal(json_string_value(json_object_get(row, "parent")),
			    "Sales");
	row = find_by(list, "name", "Sales");
	assert_int_equal(json_integer_value(json_object_get(row, "parent_id")),
			 1);
	json_decref(list);
}

static void test_users(void **state)
{
	struct fixture *f = *state;
	json_t *list, *u;
	int64_t org = 0;
	char *dump;

	assert_int_equal(store_org_add(f->st, "Branch", 0, &org), 0);
	assert_int_equal(
		store_user_add(f->st, "alice", "admin", 0, "alice-password-1"),
		0);
	assert_int_equal(
		store_user_add(f->st, "bob", "user", org, "bob-password-1"), 0);
	/* Refused: same name, bad role, short password, unknown org,
	 * unusual characters in the name. */
	assert_int_equal(
		store_user_add(f->st, "alice", "user", 0, "another-pass"), -1);
	assert_int_equal(
		store_user_add(f->st, "carol", "root", 0, "carol-password"),
		-1);
	assert_int_equal(store_user_add(f->st, "carol", "user", 0, "short"),
			 -1);
	assert_int_equal(store_user_add(f->st, "carol", "user", 0, ""), -1);
	assert_int_equal(
		store_user_add(f->st, "carol", "user", 4242, "carol-password"),
		-1);
	assert_int_equal(
		store_user_add(f->st, "car ol", "user", 0, "carol-password"),
		-1);

	assert_int_equal(store_user_verify(f->st, "alice", "alice-password-1"),
			 1);
	assert_int_equal(store_user_verify(f->st, "alice", "alice-password-2"),
			 0);
	assert_int_equal(store_user_verify(f->st, "nobody", "alice-password-1"),
			 0);

	assert_int_equal(
		store_user_set_password(f->st, "alice", "new-alice-pass"), 0);
	assert_int_equal(store_user_verify(f->st, "alice", "alice-password-1"),
			 0);
	assert_int_equal(store_user_verify(f->st, "alice", "new-alice-pass"),
			 1);
	assert_int_equal(store_user_set_password(f->st, "alice", "1234"), -1);
	assert_int_equal(
		store_user_set_password(f->st, "nobody", "whatever-pass"), -1);

	list = store_user_list(f->st);
	assert_int_equal(json_array_size(list), 2);
	u = find_by(list, "name", "bob");
	assert_non_null(u);
	assert_string_equal(json_string_value(json_object_get(u, "role")),
			    "user");
	assert_string_equal(json_string_value(json_object_get(u, "org")),
			    "Branch");
	assert_true(json_is_true(json_object_get(u, "enabled")));
	/* The list never carries a hash, under any name. */
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, "argon2"));
	assert_null(strstr(dump, "password"));
	free(dump);
	/* A successful login is recorded. */
	u = find_by(list, "name", "alice");
	assert_true(json_is_string(json_object_get(u, "last_login")));
	json_decref(list);

	u = store_user_get(f->st, "bob");
	assert_non_null(u);
	assert_int_equal(json_integer_value(json_object_get(u, "org_id")), org);
	assert_null(json_object_get(u, "password_hash"));
	json_decref(u);
	assert_null(store_user_get(f->st, "nobody"));
	/* The hash in the file is argon2id, never the password. */
	assert_false(db_contains(f, "bob-password-1"));
	assert_true(db_contains(f, "$argon2id$"));
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	char *tok = NULL, *tok2 = NULL, *user, *dump;
	json_t *list, *row;
	int64_t id;

	assert_int_equal(store_user_add(f->st, "collector1", "collector", 0,
					"collector-pass"),
			 0);
	assert_int_equal(
		store_token_create(f->st, "collector1", "site A", &tok), 0);
	assert_non_null(tok);
	assert_memory_equal(tok, "nc_", 3);
	assert_int_equal(store_token_create(f->st, "collector1", NULL, &tok2),
			 0);
	assert_string_not_equal(tok, tok2);
	assert_int_equal(store_token_create(f->st, "nobody", NULL, &user), -1);

	user = store_token_user(f->st, tok);
	assert_non_null(user);
	assert_string_equal(user, "collector1");
	free(user);
	assert_null(store_token_user(f->st, "nc_not-a-real-token"));
	assert_null(store_token_user(f->st, ""));

	list = store_token_list(f->st);
	assert_int_equal(json_array_size(list), 2);
	row = find_by(list, "label", "site A");
	assert_non_null(row);
	id = json_integer_value(json_object_get(row, "id"));
	assert_string_equal(json_string_value(json_object_get(row, "user")),
			    "collector1");
	assert_true(json_is_false(json_object_get(row, "revoked")));
	assert_true(json_is_string(json_object_get(row, "last_used")));
	/* The prefix shown is the start of the token, and only that. */
	assert_int_equal(
		strncmp(json_string_value(json_object_get(row, "prefix")), tok,
			10),
		0);
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, tok));
	assert_null(strstr(dump, tok + 10));
	free(dump);
	json_decref(list);
	/* Only the hash is kept. */
	assert_false(db_contains(f, tok + 3));

	assert_int_equal(store_token_revoke(f->st, id), 0);
	assert_null(store_token_user(f->st, tok));
	/* The other token still works. */
	user = store_token_user(f->st, tok2);
	assert_non_null(user);
	free(user);
	assert_int_equal(store_token_revoke(f->st, 9999), -1);
	list = store_token_list(f->st);
	row = find_by(list, "label", "site A");
	assert_true(json_is_true(json_object_get(row, "revoked")));
	json_decref(list);
	secret_free(tok);
	secret_free(tok2);
}

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);

	if (!v)
		fprintf(stderr, "# bad test JSON: %s\n", err.text);
	assert_non_null(v);
	return v;
}

static int64_t add(struct fixture *f, const char *text)
{
	json_t *c = load(text);
	int64_t id = 0;
	int rc = store_credential_add(f->st, c, &id);

	json_decref(c);
	return rc == 0 ? id : -1;
}

static void test_credentials(void **state)
{
	struct fixture *f = *state;
	int64_t snmp, v3, ssh, win;
	json_t *list, *row, *sec;
	char *dump;

	snmp = add(f, "{\"name\":\"lab snmp\",\"type\":\"snmp\","
		      "\"community\":\"Zq7-community-secret\"}");
	assert_true(snmp > 0);
	/* Open-AudIT's shape and field names. */
	v3 = add(f, "{\"name\":\"core v3\",\"type\":\"snmp_v3\","
		    "\"description\":\"core switches\","
		    "\"credentials\":{\"security_name\":\"ncuser\","
		    "\"security_level\":\"authpriv\","
		    "\"authentication_protocol\":\"sha\","
		    "\"authentication_passphrase\":\"Auth-pass-4711\","
		    "\"privacy_protocol\":\"aes\","
		    "\"privacy_passphrase\":\"Priv-pass-4712\"}}");
	assert_true(v3 > 0);
	ssh = add(f, "{\"name\":\"linux\",\"type\":\"ssh\","
		     "\"username\":\"audit\",\"password\":\"Ssh-pass-0815\"}");
	assert_true(ssh > 0);
	win = add(f, "{\"name\":\"win\",\"type\":\"windows\","
		     "\"username\":\"svc\",\"domain\":\"CORP\","
		     "\"password\":\"Win-pass-0816\"}");
	assert_true(win > 0);

	/* Refused, each with a reason naming what to fix. */
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp\"}"), -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"telnet\","
				"\"password\":\"p\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp\","
				"\"comunity\":\"typo\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp_v3\","
				"\"security_name\":\"u\","
				"\"security_level\":\"authPriv\","
				"\"auth_protocol\":\"SHA\","
				"\"auth_passphrase\":\"12345678\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp_v3\","
				"\"security_name\":\"u\","
				"\"security_level\":\"authNoPriv\","
				"\"auth_protocol\":\"SHA\","
				"\"auth_passphrase\":\"short\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp_v3\","
				"\"security_name\":\"u\","
				"\"security_level\":\"high\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"ssh_key\","
				"\"username\":\"u\"}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"ssh\","
				"\"username\":\"u\",\"password\":7}"),
			 -1);
	assert_int_equal(add(f, "{\"name\":\"x\",\"type\":\"snmp\","
				"\"community\":\"c\",\"org_id\":77}"),
			 -1);
	/* Same name in the same org. */
	assert_int_equal(add(f, "{\"name\":\"lab snmp\",\"type\":\"snmp\","
				"\"community\":\"other\"}"),
			 -1);

	list = store_credential_list(f->st);
	assert_int_equal(json_array_size(list), 4);
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, "Zq7-community-secret"));
	assert_null(strstr(dump, "Auth-pass-4711"));
	assert_null(strstr(dump, "Priv-pass-4712"));
	assert_null(strstr(dump, "Ssh-pass-0815"));
	assert_null(strstr(dump, "Win-pass-0816"));
	assert_null(strstr(dump, "v1:"));
	free(dump);
	row = find_by(list, "name", "core v3");
	assert_non_null(row);
	assert_string_equal(
		json_string_value(json_object_get(row, "security_level")),
		"authPriv");
	assert_string_equal(
		json_string_value(json_object_get(row, "auth_protocol")),
		"SHA");
	assert_string_equal(json_string_value(json_object_get(row, "org")),
			    "Default");
	assert_int_equal(json_array_size(json_object_get(row, "secrets_set")),
			 2);
	row = find_by(list, "name", "lab snmp");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(row, "secrets_set"), 0)),
			    "community");
	assert_null(json_object_get(row, "community"));
	json_decref(list);

	/* The engine gets them back. */
	sec = store_credential_get_secret(f->st, v3);
	assert_non_null(sec);
	assert_string_equal(
		json_string_value(json_object_get(sec, "auth_passphrase")),
		"Auth-pass-4711");
	assert_string_equal(
		json_string_value(json_object_get(sec, "priv_passphrase")),
		"Priv-pass-4712");
	assert_string_equal(
		json_string_value(json_object_get(sec, "security_name")),
		"ncuser");
	store_credential_wipe(sec);
	json_decref(sec);
	sec = store_credential_get_secret(f->st, snmp);
	assert_string_equal(
		json_string_value(json_object_get(sec, "community")),
		"Zq7-community-secret");
	store_credential_wipe(sec);
	json_decref(sec);
	assert_null(store_credential_get_secret(f->st, 999));

	/* Never in clear in the database file or its WAL. */
	assert_false(db_contains(f, "Zq7-community-secret"));
	assert_false(db_contains(f, "Auth-pass-4711"));
	assert_false(db_contains(f, "Ssh-pass-0815"));
	assert_false(db_contains(f, "Win-pass-0816"));
	assert_true(db_contains(f, "ncuser")); /* not a secret */

	assert_int_equal(store_credential_delete(f->st, win), 0);
	assert_int_equal(store_credential_delete(f->st, win), -1);
	list = store_credential_list(f->st);
	assert_int_equal(json_array_size(list), 3);
	json_decref(list);
	(void)ssh;
}

static void test_credential_wrong_key(void **state)
{
	struct fixture *f = *state;
	char key[160];
	int64_t id;
	json_t *sec;

	id = add(f, "{\"name\":\"k\",\"type\":\"snmp\","
		    "\"community\":\"key-test-community\"}");
	assert_true(id > 0);
	store_close(f->st);
	/* Another key file in place of the right one. */
	snprintf(key, sizeof(key), "%s.key", f->db);
	assert_int_equal(unlink(key), 0);
	f->st = store_open(f->db);
	assert_non_null(f->st);
	sec = store_credential_get_secret(f->st, id);
	assert_null(sec);
	/* Listing still works: it needs no key. */
	sec = store_credential_list(f->st);
	assert_int_equal(json_array_size(sec), 1);
	json_decref(sec);
}

static void test_credential_parse(void **state)
{
	json_t *doc, *creds, *need;

	(void)state;
	/* Open-AudIT API envelope, attributes, credentials as a string. */
	doc = load(
		"{\"data\":[{\"id\":4,\"type\":\"credentials\","
		"\"attributes\":{\"name\":\"a\",\"type\":\"snmp\","
		"\"org_id\":1,\"edited_by\":\"x\","
		"\"credentials\":\"{\\\"community\\\":\\\"pub\\\"}\"}},"
		"{\"type\":\"ssh_key\",\"credentials\":{"
		"\"username\":\"root\",\"ssh_key\":\"-----BEGIN KEY\\nAA\\n\","
		"\"password\":\"\"}}]}");
	creds = store_credential_parse(doc);
	assert_non_null(creds);
	assert_int_equal(json_array_size(creds), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(creds, 0), "community")),
			    "pub");
	/* A nameless one gets a name; ssh_key's key moves to "key"; an
	 * empty passphrase is no passphrase. */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(creds, 1), "name")),
			    "credential-2");
	assert_non_null(json_object_get(json_array_get(creds, 1), "key"));
	assert_null(json_object_get(json_array_get(creds, 1), "passphrase"));
	json_decref(creds);
	json_decref(doc);

	/* One bad entry refuses the whole file. */
	doc = load("[{\"name\":\"a\",\"type\":\"snmp\",\"community\":\"c\"},"
		   "{\"name\":\"b\",\"type\":\"windows\",\"username\":\"u\"}]");
	assert_null(store_credential_parse(doc));
	json_decref(doc);
	doc = load("\"just a string\"");
	assert_null(store_credential_parse(doc));
	json_decref(doc);

	/* What the command line must still ask for. */
	doc = load("{\"name\":\"a\",\"type\":\"snmp_v3\","
		   "\"security_name\":\"u\",\"security_level\":\"authPriv\","
		   "\"auth_protocol\":\"SHA\",\"priv_protocol\":\"AES\"}");
	need = store_credential_secrets_needed(doc);
	assert_non_null(need);
	assert_int_equal(json_array_size(need), 2);
	assert_string_equal(json_string_value(json_array_get(need, 0)),
			    "auth_passphrase");
	assert_string_equal(json_string_value(json_array_get(need, 1)),
			    "priv_passphrase");
	json_decref(need);
	json_decref(doc);
	/* A missing non-secret field is still an error. */
	doc = load("{\"name\":\"a\",\"type\":\"snmp_v3\","
		   "\"security_name\":\"u\",\"security_level\":\"authPriv\"}");
	assert_null(store_credential_secrets_needed(doc));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_orgs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credentials, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_credential_wrong_key,
						setup, teardown),
		cmocka_unit_test(test_credential_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
