/*
 * store_session: login sessions kept in the database (migration 12), so
 * that several servers on one database share them and a server's
 * restart keeps them (the server's auth.c decides what a session is;
 * this is where it lives).
 *
 * A session is found by the SHA-256 (hex, SECRET_TOKEN_HASH_LEN) of its
 * cookie's value: the value itself is never stored, so a copy of the
 * database yields no live session. Times are Unix seconds. Functions
 * return 0 / -1 (or as said) and log the reason once.
 */
#ifndef NC_STORE_SESSION_H
#define NC_STORE_SESSION_H

#include <stdint.h>

#include "store/store.h"

struct store_session {
	char user[128]; /* the user's name */
	char csrf[64];	/* the CSRF token of the session */
	char stamp[65]; /* the user's password stamp when it began */
	int64_t created, last;
};

/* A new session of user (by name) under hash. 0, or -1 (also when there
 * is no such user). */
int store_session_add(struct store *st, const char *hash, const char *user,
		      const char *csrf, const char *stamp, int64_t now);
/* The session under hash into *s: 0, 1 when there is none, -1 on error. */
int store_session_get(struct store *st, const char *hash,
		      struct store_session *s);
/* Its last use is now. */
int store_session_touch(struct store *st, const char *hash, int64_t now);
/* Ends the session under hash: 0 (also when there was none) or -1. */
int store_session_delete(struct store *st, const char *hash);
/* Ends every session of user; *n (may be NULL) how many there were. */
int store_session_delete_user(struct store *st, const char *user, int64_t *n);
/* Removes the sessions last used before idle_before or begun before
 * created_before (expired). */
int store_session_purge(struct store *st, int64_t idle_before,
			int64_t created_before);

#endif
