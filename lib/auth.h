/* auth.h - users, passwords (libcrypt), sessions, CSRF tokens, API tokens, login throttling. */
#ifndef SP_AUTH_H
#define SP_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define AUTH_TOKEN_HEX 64            /* 256-bit tokens, hex */
#define AUTH_SESSION_MS (7LL * 24 * 3600 * 1000)
#define AUTH_MAX_FAILURES 5          /* per user name and per client address ... */
#define AUTH_FAILURE_WINDOW_MS (10LL * 60 * 1000) /* ... within this window */

enum auth_role { AUTH_VIEWER = 0, AUTH_ADMIN = 1 };

struct auth_user {
	int64_t id;
	char name[65];
	enum auth_role role;
	int must_change;                 /* still on the default password: show the banner */
};

enum auth_result { AUTH_OK = 0, AUTH_BAD = 1, AUTH_THROTTLED = 2, AUTH_ERROR = -1 };

/* Creates admin/admin123 (must_change=1) when the users table is empty. 0, or -1 with err. */
int auth_bootstrap(struct store *st, int64_t now_ms, char *err, size_t errlen);

/* Checks a password. Throttled when the user name or the client address has
 * AUTH_MAX_FAILURES failures within AUTH_FAILURE_WINDOW_MS (then *retry_after_s says when
 * to come back, and the password is not even checked). A failure is recorded for both keys;
 * a success clears the user name's failures. Used for the login form and HTTP Basic. */
enum auth_result auth_login(struct store *st, const char *user, const char *password,
			    const char *client_addr, int64_t now_ms, struct auth_user *out,
			    int *retry_after_s);

/* New session for user_id: token (cookie value) and csrf, both AUTH_TOKEN_HEX hex + NUL.
 * Only a SHA-256 of the token is stored. 0, or -1. */
int auth_session_create(struct store *st, int64_t user_id, int64_t now_ms,
			char token[AUTH_TOKEN_HEX + 1], char csrf[AUTH_TOKEN_HEX + 1]);

/* 1 and *out, csrf filled when token names a live session; 0 when not (expired, revoked,
 * malformed); -1 on a database error. Expired sessions are deleted here. */
int auth_session_check(struct store *st, const char *token, int64_t now_ms,
		       struct auth_user *out, char csrf[AUTH_TOKEN_HEX + 1]);

int auth_session_revoke(struct store *st, const char *token);

/* Constant-time comparison of two NUL-terminated tokens. */
int auth_token_equal(const char *a, const char *b);

/* Changes a password (min 8 characters, not equal to the user name); clears must_change and
 * revokes the user's other sessions except keep_token (may be NULL). 0, or -1 with err. */
int auth_set_password(struct store *st, int64_t user_id, const char *password,
		      const char *keep_token, char *err, size_t errlen);

/* Adds a user (name 1-64 printable, password as above). 0, or -1 with err (e.g. exists). */
int auth_user_add(struct store *st, const char *name, const char *password, enum auth_role role,
		  int64_t now_ms, char *err, size_t errlen);

/* The user named name: 1 and *out filled, 0 no such user, -1 error. */
int auth_user_find(struct store *st, const char *name, struct auth_user *out);

/* A user as the shell tool lists it. No login time is stored: last_session_ms is the newest
 * session's creation (a form login), 0 when the user has none left. */
struct auth_user_info {
	struct auth_user user;
	int64_t created_ms, last_session_ms;
	int sessions;                    /* live (unexpired) sessions */
	int api_tokens;
};

/* Every user by name; each() < 0 stops. 0, or -1. */
int auth_user_list(struct store *st, int64_t now_ms,
		   int (*each)(void *ctx, const struct auth_user_info *info), void *ctx);

/* Forgets the failed logins counted against user name (not those of client addresses). */
int auth_failures_clear(struct store *st, const char *name);

/* API tokens for curl (Authorization: Bearer). create: token filled (shown once). */
int auth_api_token_create(struct store *st, int64_t user_id, const char *label, int64_t now_ms,
			  char token[AUTH_TOKEN_HEX + 1]);
/* 1 valid (fills *out), 0 not, -1 error. */
int auth_api_token_check(struct store *st, const char *token, struct auth_user *out);

/* A user's API tokens, oldest first: id = the first 12 hex digits of the stored hash (the
 * token itself is never stored), label, creation time. each() < 0 stops. 0, or -1. */
int auth_api_token_list(struct store *st, int64_t user_id,
			int (*each)(void *ctx, const char *id, const char *label, int64_t created_ms),
			void *ctx);
/* Deletes the user's token with that id: the count deleted (0 or 1), or -1. */
int auth_api_token_revoke(struct store *st, int64_t user_id, const char *id);

/* 256 random bits from getrandom(2) as hex. 0, or -1. */
int auth_random_hex(char out[AUTH_TOKEN_HEX + 1]);

#endif
