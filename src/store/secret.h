/*
 * secret: encryption of secrets at rest with libsodium.
 *
 * The key is 32 random bytes in a file beside the database (PATH.key),
 * created at first use with mode 0600 and refused when its mode lets group
 * or others read it. Ciphertexts are "v1:" + base64(nonce || secretbox), so
 * the stored form says which scheme wrote it.
 */
#ifndef NC_SECRET_H
#define NC_SECRET_H

#include <stddef.h>

struct secret_key;

/* Loads the key file, creating it when absent. NULL on failure. */
struct secret_key *secret_key_open(const char *path);
void secret_key_close(struct secret_key *key);

/* A new NUL-terminated ciphertext (free()), or NULL. */
char *secret_encrypt(const struct secret_key *key, const char *plain);
/* A new NUL-terminated plaintext (free() after sodium_memzero), or NULL
 * when the ciphertext is damaged or made under another key. */
char *secret_decrypt(const struct secret_key *key, const char *cipher);

/* Password hashing (argon2id via libsodium): a new encoded hash, or NULL. */
char *secret_password_hash(const char *password);
/* 1 when password matches hash, 0 when not. */
int secret_password_verify(const char *hash, const char *password);

#endif
