/* secret.h: encryption at rest, the key file, password hashes, tokens. */
#include <fcntl.h>
#include <sys/stat.h>

#include "testlib.h"

#include "core/log.h"
#include "store/secret.h"

static char dir[64];

static void key_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testlib_rmdir(dir);
	return 0;
}

static void test_round_trip(void **state)
{
	const char *plains[] = {"public", "", "pässwörd with spaces\tand tab",
				"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"};
	char path[128], *c, *c2, *p;
	struct secret_key *k;
	size_t i;

	(void)state;
	key_path(path, sizeof(path), "rt.key");
	k = secret_key_open(path);
	assert_non_null(k);
	for (i = 0; i < sizeof(plains) / sizeof(plains[0]); i++) {
		c = secret_encrypt(k, plains[i]);
		assert_non_null(c);
		assert_memory_equal(c, "v1:", 3);
		if (plains[i][0])
			assert_null(strstr(c, plains[i]));
		p = secret_decrypt(k, c);
		assert_non_null(p);
		assert_string_equal(p, plains[i]);
		/* A fresh nonce each time: same plaintext, other bytes. */
		c2 = secret_encrypt(k, plains[i]);
		assert_string_not_equal(c, c2);
		secret_free(p);
		free(c);
		free(c2);
	}
	secret_key_close(k);
}

static void test_key_persists(void **state)
{
	char path[128], *c, *p;
	struct secret_key *k;
	struct stat sb;

	(void)state;
	key_path(path, sizeof(path), "persist.key");
	k = secret_key_open(path);
	assert_non_null(k);
	c = secret_encrypt(k, "community-string");
	secret_key_close(k);

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);

	k = secret_key_open(path);
	assert_non_null(k);
	p = secret_decrypt(k, c);
	assert_non_null(p);
	assert_string_equal(p, "community-string");
	secret_free(p);
	free(c);
	secret_key_close(k);
}

static void test_wrong_key(void **state)
{
	char pa[128], pb[128], *c;
	struct secret_key *a, *b;

	(void)state;
	key_path(pa, sizeof(pa), "a.key");
	key_path(pb, sizeof(pb), "b.key");
	a = secret_key_open(pa);
	b = secret_key_open(pb);
	assert_non_null(a);
	assert_non_null(b);
	c = secret_encrypt(a, "s3cret");
	assert_null(secret_decrypt(b, c));
	free(c);
	secret_key_close(a);
	secret_key_close(b);
}

static void test_tampered(void **state)
{
	char path[128], *c, *p;
	struct secret_key *k;
	size_t n, i;

	(void)state;
	key_path(path, sizeof(path), "t.key");
	k = secret_key_open(path);
	assert_non_null(k);
	c = secret_encrypt(k, "a fairly long secret to damage");
	n = strlen(c);
	/* Change one base64 character at several places: nonce, box, MAC. */
	for (i = 3; i < n - 2; i += 7) {
		char saved = c[i];

		c[i] = (c[i] == 'A') ? 'B' : 'A';
		p = secret_decrypt(k, c);
		assert_null(p);
		c[i] = saved;
	}
	/* Truncated, wrong prefix, not base64, too short. */
	c[n - 6] = '\0';
	assert_null(secret_decrypt(k, c));
	assert_null(secret_decrypt(k, "v2:AAAA"));
	assert_null(secret_decrypt(k, "v1:!!!notbase64!!!"));
	assert_null(secret_decrypt(k, "v1:AAAA"));
	assert_null(secret_decrypt(k, "plain text"));
	free(c);
	secret_key_close(k);
}

static void write_file(const char *path, mode_t mode, size_t n)
{
	unsigned char buf[64] = {0};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_key_file_refused(void **state)
{
	char path[128];
	struct secret_key *k;

	(void)state;
	key_path(path, sizeof(path), "open.key");
	write_file(path, 0644, 32);
	assert_null(secret_key_open(path));
	write_file(path, 0640, 32);
	assert_null(secret_key_open(path));
	/* Fixing the mode as the message says makes it usable. */
	assert_int_equal(chmod(path, 0600), 0);
	k = secret_key_open(path);
	assert_non_null(k);
	secret_key_close(k);

	key_path(path, sizeof(path), "short.key");
	write_file(path, 0600, 16);
	assert_null(secret_key_open(path));
	key_path(path, sizeof(path), "long.key");
	write_file(path, 0600, 33);
	assert_null(secret_key_open(path));
	/* A directory in the way is not a key. */
	key_path(path, sizeof(path), "dir.key");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(secret_key_open(path));
	/* A key file in a directory that does not exist cannot be made. */
	key_path(path, sizeof(path), "missing/x.key");
	assert_null(secret_key_open(path));
}

static void test_password(void **state)
{
	const char *why = NULL;
	char *h, *h2;

	(void)state;
	h = secret_password_hash("correct horse");
	assert_non_null(h);
	assert_memory_equal(h, "$argon2id$", 10);
	assert_null(strstr(h, "correct horse"));
	assert_int_equal(secret_password_verify(h, "correct horse"), 1);
	assert_int_equal(secret_password_verify(h, "correct hors"), 0);
	assert_int_equal(secret_password_verify(h, "Correct horse"), 0);
	assert_int_equal(secret_password_verify(h, ""), 0);
	assert_int_equal(secret_password_verify(NULL, "correct horse"), 0);
	assert_int_equal(secret_password_verify("garbage", "correct horse"), 0);
	/* Salted: the same password hashes differently. */
	h2 = secret_password_hash("correct horse");
	assert_string_not_equal(h, h2);
	free(h);
	free(h2);

	assert_int_equal(secret_password_check("", &why), -1);
	assert_string_equal(why, "is empty");
	assert_int_equal(secret_password_check(NULL, &why), -1);
	assert_int_equal(secret_password_check("1234567", &why), -1);
	assert_non_null(strstr(why, "shorter"));
	assert_int_equal(secret_password_check("12345678", &why), 0);
}

static void test_token(void **state)
{
	char h1[SECRET_TOKEN_HASH_LEN + 1], h2[SECRET_TOKEN_HASH_LEN + 1];
	char *a, *b;
	size_t i;

	(void)state;
	a = secret_token_new();
	b = secret_token_new();
	assert_non_null(a);
	assert_memory_equal(a, "nc_", 3);
	assert_int_equal(strlen(a), 3 + 43);
	for (i = 3; a[i]; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_",
				       a[i]));
	assert_string_not_equal(a, b);
	secret_token_hash(a, h1);
	assert_int_equal(strlen(h1), 64);
	secret_token_hash(a, h2);
	assert_string_equal(h1, h2);
	secret_token_hash(b, h2);
	assert_string_not_equal(h1, h2);
	/* Known SHA-256 of "abc". */
	secret_token_hash("abc", h1);
	assert_string_equal(h1, "ba7816bf8f01cfea414140de5dae2223"
				"b00361a396177a9cb410ff61f20015ad");
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_key_persists),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_key_file_refused),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
