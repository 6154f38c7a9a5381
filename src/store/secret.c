/*
 * secret.c: libsodium behind secret.h. The key lives in sodium_malloc'd
 * memory (guard pages, zeroed on free); plaintexts handed out are ordinary
 * heap strings that callers wipe with secret_free().
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "store/secret.h"

#define SECRET_PREFIX "v1:"
#define SECRET_PREFIX_LEN 3
#define SECRET_VARIANT sodium_base64_VARIANT_ORIGINAL
#define SECRET_CIPHER_MAX (1024 * 1024) /* longest ciphertext decrypted */
#define TOKEN_PREFIX "nc_"
#define TOKEN_BYTES 32

struct secret_key {
	unsigned char k[crypto_secretbox_KEYBYTES];
};

static int secret_init(void)
{
	if (sodium_init() < 0) {
		log_err("libsodium could not initialise (no entropy source?)");
		return -1;
	}
	return 0;
}

static int secret_read_all(int fd, unsigned char *buf, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = read(fd, buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int secret_write_all(int fd, const unsigned char *buf, size_t n)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Creates path with a fresh key. 1 when it already existed (nothing done),
 * 0 when created, -1 on failure. */
static int secret_key_create(const char *path, struct secret_key *key)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST)
		return 1;
	if (fd < 0) {
		log_err("cannot create key file %s: %s", path, strerror(errno));
		return -1;
	}
	crypto_secretbox_keygen(key->k);
	if (secret_write_all(fd, key->k, sizeof(key->k)) < 0 || fsync(fd) < 0) {
		log_err("cannot write key file %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	log_info("created key file %s (mode 0600); back it up with the "
		 "database: without it stored secrets cannot be read",
		 path);
	return 0;
}

static int secret_key_load(const char *path, struct secret_key *key)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_err("cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		log_err("cannot stat key file %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_err("key file %s is not a regular file", path);
		goto fail;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		log_err("key file %s has mode %04o: group or others can "
			"access it; run 'chmod 600 %s' (and check who has "
			"read it)",
			path, (unsigned)(sb.st_mode & 07777), path);
		goto fail;
	}
	if (sb.st_size != (off_t)sizeof(key->k)) {
		log_err("key file %s is %lld bytes, not %zu: it is damaged or "
			"not a netcensus key; restore it from a backup",
			path, (long long)sb.st_size, sizeof(key->k));
		goto fail;
	}
	errno = 0;
	if (secret_read_all(fd, key->k, sizeof(key->k)) < 0) {
		log_err("cannot read key file %s: %s", path,
			errno ? strerror(errno) : "short read");
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

struct secret_key *secret_key_open(const char *path)
{
	struct secret_key *key;
	int r;

	if (secret_init() < 0)
		return NULL;
	key = sodium_malloc(sizeof(*key));
	if (!key) {
		log_err("cannot allocate secure memory for the key of %s",
			path);
		return NULL;
	}
	r = secret_key_create(path, key);
	if (r < 0)
		goto fail;
	if (r == 1 && secret_key_load(path, key) < 0)
		goto fail;
	return key;
fail:
	sodium_free(key);
	return NULL;
}

void secret_key_close(struct secret_key *key)
{
	if (key)
		sodium_free(key);
}

char *secret_encrypt(const struct secret_key *key, const char *plain)
{
	size_t n = strlen(plain);
	size_t binlen =
		crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	size_t b64len = sodium_base64_ENCODED_LEN(binlen, SECRET_VARIANT);
	unsigned char *bin;
	char *out;

	if (secret_init() < 0)
		return NULL;
	bin = xmalloc(binlen);
	randombytes_buf(bin, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(bin + crypto_secretbox_NONCEBYTES,
			      (const unsigned char *)plain, n, bin, key->k);
	out = xmalloc(SECRET_PREFIX_LEN + b64len);
	memcpy(out, SECRET_PREFIX, SECRET_PREFIX_LEN);
	sodium_bin2base64(out + SECRET_PREFIX_LEN, b64len, bin, binlen,
			  SECRET_VARIANT);
	free(bin);
	return out;
}

char *secret_decrypt(const struct secret_key *key, const char *cipher)
{
	const char *b64, *end = NULL;
	size_t b64len, maxbin, binlen = 0, n;
	unsigned char *bin = NULL;
	char *plain = NULL;

	if (secret_init() < 0)
		return NULL;
	if (strncmp(cipher, SECRET_PREFIX, SECRET_PREFIX_LEN) != 0) {
		log_err("stored secret is not in a known format (expected "
			"'%s…'); it is damaged",
			SECRET_PREFIX);
		return NULL;
	}
	b64 = cipher + SECRET_PREFIX_LEN;
	b64len = strlen(b64);
	if (b64len > SECRET_CIPHER_MAX) {
		log_err("stored secret is %zu bytes, more than the %d "
			"accepted; it is damaged",
			b64len, SECRET_CIPHER_MAX);
		return NULL;
	}
	maxbin = b64len / 4 * 3 + 3;
	bin = xmalloc(maxbin);
	if (sodium_base642bin(bin, maxbin, b64, b64len, NULL, &binlen, &end,
			      SECRET_VARIANT) != 0 ||
	    end != b64 + b64len ||
	    binlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		log_err("stored secret is not valid base64 of a sealed box; "
			"it is damaged");
		goto fail;
	}
	n = binlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	plain = xmalloc(n + 1);
	if (crypto_secretbox_open_easy(
		    (unsigned char *)plain, bin + crypto_secretbox_NONCEBYTES,
		    binlen - crypto_secretbox_NONCEBYTES, bin, key->k) != 0) {
		log_err("stored secret does not decrypt: it was damaged or "
			"encrypted under another key file");
		goto fail;
	}
	plain[n] = '\0';
	free(bin);
	return plain;
fail:
	free(bin);
	free(plain);
	return NULL;
}

void secret_free(char *plain)
{
	if (!plain)
		return;
	sodium_memzero(plain, strlen(plain));
	free(plain);
}

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		sodium_memzero(p, n);
}

char *secret_password_hash(const char *password)
{
	char out[crypto_pwhash_STRBYTES];
	size_t n = strlen(password);

	if (secret_init() < 0)
		return NULL;
	if (n > SECRET_PASSWORD_MAX) {
		log_err("password is longer than %d characters",
			SECRET_PASSWORD_MAX);
		return NULL;
	}
	if (crypto_pwhash_str(out, password, n,
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_err("argon2id password hashing failed (out of memory?)");
		return NULL;
	}
	return xstrdup(out);
}

int secret_password_verify(const char *hash, const char *password)
{
	size_t n;

	if (!hash || !password || secret_init() < 0)
		return 0;
	n = strlen(password);
	if (n > SECRET_PASSWORD_MAX)
		return 0;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

int secret_password_check(const char *password, const char **why)
{
	size_t n = password ? strlen(password) : 0;

	if (n == 0)
		*why = "is empty";
	else if (n < SECRET_PASSWORD_MIN)
		*why = "is shorter than 8 characters";
	else if (n > SECRET_PASSWORD_MAX)
		*why = "is longer than 1024 characters";
	else
		return 0;
	return -1;
}

char *secret_token_new(void)
{
	unsigned char raw[TOKEN_BYTES];
	size_t prefix = strlen(TOKEN_PREFIX);
	size_t b64len = sodium_base64_ENCODED_LEN(
		TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out;

	if (secret_init() < 0)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	out = xmalloc(prefix + b64len);
	memcpy(out, TOKEN_PREFIX, prefix);
	sodium_bin2base64(out + prefix, b64len, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return out;
}

void secret_token_hash(const char *token, char *hex)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, SECRET_TOKEN_HASH_LEN + 1, h, sizeof(h));
}
