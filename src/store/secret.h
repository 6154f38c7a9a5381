/*
 * secret: encryption of secrets at rest with libsodium.
 *
 * The key is 32 random bytes in a file beside the database (PATH.key),
 * created at first use with mode 0600 and refused when its mode lets group
 * or others read it. Ciphertexts are "v1:" + base64(nonce || secretbox), so
 * the stored form says which scheme wrote it.
 *
 * Passwords are hashed with argon2id (crypto_pwhash_str, interactive
 * limits). API tokens are 32 random bytes shown once as "nc_" + base64url
 * and kept only as their SHA-256. Every function here calls sodium_init()
 * itself, so callers need no set-up.
 */
#ifndef NC_SECRET_H
#define NC_SECRET_H

#include <stddef.h>

#define SECRET_PASSWORD_MIN 8	 /* shortest password accepted */
#define SECRET_PASSWORD_MAX 1024 /* longest password accepted */
#define SECRET_TOKEN_HASH_LEN 64 /* hex SHA-256 of a token */

struct secret_key;

/* Loads the key file, creating it when absent. NULL on failure. */
struct secret_key *secret_key_open(const char *path);
void secret_key_close(struct secret_key *key);

/* A new NUL-terminated ciphertext (free()), or NULL. */
char *secret_encrypt(const struct secret_key *key, const char *plain);
/* A new NUL-terminated plaintext (free() after sodium_memzero), or NULL
 * when the ciphertext is damaged or made under another key. */
char *secret_decrypt(const struct secret_key *key, const char *cipher);
/* Zeroes a NUL-terminated plaintext and frees it; NULL is fine. */
void secret_free(char *plain);
/* Zeroes n bytes at p in a way the compiler will not optimise away. */
void secret_wipe(void *p, size_t n);

/* Password hashing (argon2id via libsodium): a new encoded hash, or NULL. */
char *secret_password_hash(const char *password);
/* 1 when password matches hash, 0 when not. */
int secret_password_verify(const char *hash, const char *password);
/* 0 when password is acceptable; -1 with *why saying what is wrong. */
int secret_password_check(const char *password, const char **why);

/* A new API token "nc_" + base64url of 32 random bytes (free()). */
char *secret_token_new(void);
/* Writes the hex SHA-256 of token into hex (SECRET_TOKEN_HASH_LEN + 1). */
void secret_token_hash(const char *token, char *hex);

#endif
