/* auth.c - users, password hashes (libcrypt), sessions, API tokens and login throttling. */
#include "auth.h"
#include "hash.h"

#include <crypt.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define DEFAULT_PASSWORD "admin123"
#define NAME_MAX_LEN 64

int auth_random_hex(char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char buf[AUTH_TOKEN_HEX / 2];
	size_t got = 0;
	out[0] = '\0';
	while (got < sizeof buf) {
		ssize_t n = getrandom(buf + got, sizeof buf - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	hash_hex(buf, sizeof buf, out);
	return 0;
}

int auth_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	/* Runs over a's length whatever b holds: the time says nothing about where they differ. */
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(i < lb ? b[i] : 0);
	return diff == 0;
}

/* Tokens come from cookies and headers: anything but 64 lowercase hex is refused unqueried. */
static int token_well_formed(const char *t)
{
	size_t i = 0;
	if (!t)
		return 0;
	for (; t[i] && i <= AUTH_TOKEN_HEX; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return i == AUTH_TOKEN_HEX && t[i] == '\0';
}

static int db_error(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Runs a statement that returns no rows and finalizes it. */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* crypt_data is 32 KiB: on the heap, not on a FastCGI worker's stack. It holds the passphrase,
 * so it is wiped before it is freed. */
static struct crypt_data *crypt_data_new(void)
{
	return calloc(1, sizeof(struct crypt_data));
}

static void crypt_data_free(struct crypt_data *cd)
{
	if (!cd)
		return;
	explicit_bzero(cd, sizeof *cd);
	free(cd);
}

/* New crypt(3) string for password into out (CRYPT_OUTPUT_SIZE). 0, or -1. */
static int hash_password(const char *password, char out[CRYPT_OUTPUT_SIZE])
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = crypt_data_new();
	const char *h = NULL;
	int rc = -1;
	/* yescrypt where libxcrypt has it; SHA-512 crypt is the widely available fallback. */
	if (cd && (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) ||
		   crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt)))
		h = crypt_rn(password, salt, cd, sizeof *cd);
	if (h && h[0] != '*')
		rc = snprintf(out, CRYPT_OUTPUT_SIZE, "%s", h) > 0 ? 0 : -1;
	crypt_data_free(cd);
	return rc;
}

/* 1 when password matches the stored hash. With hash NULL (no such user) it spends the same
 * time hashing anyway, so the reply time does not tell which user names exist. */
static int verify_password(const char *password, const char *hash)
{
	char dummy[CRYPT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h = NULL;
	int ok;
	if (!hash) {
		hash_password(password, dummy);
		return 0;
	}
	if (!(cd = crypt_data_new()))
		return 0;
	h = crypt_rn(password, hash, cd, sizeof *cd);
	ok = h && h[0] != '*' && auth_token_equal(h, hash);
	crypt_data_free(cd);
	return ok;
}

/* Counts characters, not bytes, so a UTF-8 password is judged by what the user typed. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int password_acceptable(const char *name, const char *password, char *err, size_t errlen)
{
	if (!password || utf8_length(password) < 8) {
		set_err(err, errlen, "the password needs at least 8 characters");
		return 0;
	}
	/* crypt refuses longer passphrases; say so instead of failing later as "hashing". */
	if (strlen(password) >= CRYPT_MAX_PASSPHRASE_SIZE) {
		set_err(err, errlen, "the password is too long");
		return 0;
	}
	if (strcmp(password, name) == 0) {
		set_err(err, errlen, "the password must differ from the user name");
		return 0;
	}
	if (strcmp(password, DEFAULT_PASSWORD) == 0) {
		set_err(err, errlen, "the password must differ from the default password");
		return 0;
	}
	return 1;
}

/* Printable ASCII without ':' (HTTP Basic splits user:password at the first colon). */
static int name_acceptable(const char *name, char *err, size_t errlen)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 1 || n > NAME_MAX_LEN) {
		set_err(err, errlen, "the user name needs 1 to 64 characters");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == ':') {
			set_err(err, errlen, "the user name may hold printable ASCII characters except ':'");
			return 0;
		}
	return 1;
}

static const char *role_name(enum auth_role role)
{
	return role == AUTH_ADMIN ? "admin" : "viewer";
}

/* Fills *out from columns id, name, role, must_change starting at col. */
static void read_user(sqlite3_stmt *s, int col, struct auth_user *out)
{
	const char *name = (const char *)sqlite3_column_text(s, col + 1);
	const char *role = (const char *)sqlite3_column_text(s, col + 2);
	if (!out)
		return;
	out->id = sqlite3_column_int64(s, col);
	snprintf(out->name, sizeof out->name, "%s", name ? name : "");
	out->role = role && strcmp(role, "admin") == 0 ? AUTH_ADMIN : AUTH_VIEWER;
	out->must_change = sqlite3_column_int(s, col + 3) != 0;
}

static int insert_user(sqlite3 *db, const char *name, const char *hash, enum auth_role role,
		       int must_change, int64_t now_ms, int only_if_empty)
{
	sqlite3_stmt *s;
	/* only_if_empty: two processes bootstrapping at once still create one admin. */
	const char *sql = only_if_empty
		? "INSERT INTO users(name, hash, role, must_change, created_ms) SELECT ?1, ?2, ?3, ?4, ?5 "
		  "WHERE NOT EXISTS (SELECT 1 FROM users)"
		: "INSERT INTO users(name, hash, role, must_change, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, must_change);
	sqlite3_bind_int64(s, 5, now_ms);
	return step_done(s);
}

/* 1 when the users table has a row, 0 when empty, -1 on error. */
static int any_user(sqlite3 *db)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM users)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc;
}

int auth_bootstrap(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	char hash[CRYPT_OUTPUT_SIZE];
	int any = any_user(db);
	if (any < 0)
		return db_error(db, err, errlen, "reading users");
	if (any)
		return 0;
	if (hash_password(DEFAULT_PASSWORD, hash) < 0) {
		set_err(err, errlen, "hashing the default password failed");
		return -1;
	}
	if (insert_user(db, "admin", hash, AUTH_ADMIN, 1, now_ms, 1) < 0)
		return db_error(db, err, errlen, "creating the admin user");
	return 0;
}

/* Binds "prefix" + value as the failure key; values are cut at 64 bytes (the longest user
 * name, longer than any address) so a flood of huge names cannot fill the database. */
static void bind_key(sqlite3_stmt *s, int col, const char *prefix, const char *value)
{
	char key[8 + NAME_MAX_LEN + 1];
	snprintf(key, sizeof key, "%s%.*s", prefix, NAME_MAX_LEN, value ? value : "");
	sqlite3_bind_text(s, col, key, -1, SQLITE_TRANSIENT);
}

/* Seconds until key has fewer than AUTH_MAX_FAILURES failures in the window: 0 when it has
 * fewer now, -1 on error. The AUTH_MAX_FAILURES-th newest failure is the one that must leave. */
static int throttle_wait(sqlite3 *db, const char *prefix, const char *value, int64_t now_ms)
{
	sqlite3_stmt *s;
	int wait = 0, rc;
	if (sqlite3_prepare_v2(db, "SELECT ts_ms FROM login_failures WHERE key = ?1 AND ts_ms > ?2 "
			       "ORDER BY ts_ms DESC LIMIT 1 OFFSET ?3", -1, &s, NULL) != SQLITE_OK)
		return -1;
	bind_key(s, 1, prefix, value);
	sqlite3_bind_int64(s, 2, now_ms - AUTH_FAILURE_WINDOW_MS);
	sqlite3_bind_int(s, 3, AUTH_MAX_FAILURES - 1);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t left_ms = sqlite3_column_int64(s, 0) + AUTH_FAILURE_WINDOW_MS - now_ms;
		wait = (int)((left_ms + 999) / 1000);
		if (wait < 1)
			wait = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? wait : -1;
}

static int forget_old_failures(sqlite3 *db, int64_t now_ms)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "DELETE FROM login_failures WHERE ts_ms <= ?", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, now_ms - AUTH_FAILURE_WINDOW_MS);
	return step_done(s);
}

static int record_failure(sqlite3 *db, const char *user, const char *addr, int64_t now_ms)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "INSERT INTO login_failures(key, ts_ms) VALUES (?1, ?3), (?2, ?3)",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	bind_key(s, 1, "user:", user);
	bind_key(s, 2, "addr:", addr);
	sqlite3_bind_int64(s, 3, now_ms);
	return step_done(s);
}

static int clear_failures(sqlite3 *db, const char *user)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "DELETE FROM login_failures WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	bind_key(s, 1, "user:", user);
	return step_done(s);
}

/* Checks the password of user (a missing user costs the same crypt): 1 match, 0 not, -1 error. */
static int check_password(sqlite3 *db, const char *user, const char *password,
			  struct auth_user *out)
{
	sqlite3_stmt *s;
	int rc, ok = 0;
	if (sqlite3_prepare_v2(db, "SELECT id, name, role, must_change, hash FROM users WHERE name = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ok = verify_password(password, (const char *)sqlite3_column_text(s, 4));
		if (ok)
			read_user(s, 0, out);
	} else if (rc == SQLITE_DONE) {
		verify_password(password, NULL);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ok : -1;
}

/* While throttled no failure is recorded: the lock ends when the oldest counted failure
 * leaves the window, so a flood cannot extend it forever, and still gets at most
 * AUTH_MAX_FAILURES guesses per window. Two processes checking at the same moment may each
 * get one guess more; holding the write lock across crypt would cost more than that. */
enum auth_result auth_login(struct store *st, const char *user, const char *password,
			    const char *client_addr, int64_t now_ms, struct auth_user *out,
			    int *retry_after_s)
{
	sqlite3 *db = store_db(st);
	int wait_user, wait_addr, ok;
	if (retry_after_s)
		*retry_after_s = 0;
	if (!user || !password)
		return AUTH_BAD;
	if (forget_old_failures(db, now_ms) < 0 ||
	    (wait_user = throttle_wait(db, "user:", user, now_ms)) < 0 ||
	    (wait_addr = throttle_wait(db, "addr:", client_addr, now_ms)) < 0)
		return AUTH_ERROR;
	if (wait_user || wait_addr) {
		if (retry_after_s)
			*retry_after_s = wait_user > wait_addr ? wait_user : wait_addr;
		return AUTH_THROTTLED;
	}
	ok = check_password(db, user, password, out);
	if (ok < 0)
		return AUTH_ERROR;
	if (ok)
		return clear_failures(db, user) < 0 ? AUTH_ERROR : AUTH_OK;
	return record_failure(db, user, client_addr, now_ms) < 0 ? AUTH_ERROR : AUTH_BAD;
}

static int insert_session(sqlite3 *db, const char *token_hash, int64_t user_id,
			  const char *csrf, int64_t now_ms)
{
	sqlite3_stmt *s;
	if (!token_hash[0] ||
	    sqlite3_prepare_v2(db, "INSERT INTO sessions(token_hash, user_id, csrf, created_ms, "
			       "expires_ms) VALUES (?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_text(s, 3, csrf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now_ms);
	sqlite3_bind_int64(s, 5, now_ms + AUTH_SESSION_MS);
	return step_done(s);
}

int auth_session_create(struct store *st, int64_t user_id, int64_t now_ms,
			char token[AUTH_TOKEN_HEX + 1], char csrf[AUTH_TOKEN_HEX + 1])
{
	char token_hash[65];
	if (auth_random_hex(token) < 0 || auth_random_hex(csrf) < 0)
		goto fail;
	hash_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
	if (insert_session(store_db(st), token_hash, user_id, csrf, now_ms) == 0)
		return 0;
fail:
	token[0] = csrf[0] = '\0';
	return -1;
}

static int delete_session(sqlite3 *db, const char *token_hash)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "DELETE FROM sessions WHERE token_hash = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
	return step_done(s);
}

int auth_session_check(struct store *st, const char *token, int64_t now_ms,
		       struct auth_user *out, char csrf[AUTH_TOKEN_HEX + 1])
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	char token_hash[65];
	int rc, live = 0;
	int64_t expires_ms = 0;
	if (!token_well_formed(token))
		return 0;
	hash_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
	if (sqlite3_prepare_v2(db, "SELECT u.id, u.name, u.role, u.must_change, s.expires_ms, s.csrf "
			       "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		expires_ms = sqlite3_column_int64(s, 4);
		live = now_ms < expires_ms;
		if (live) {
			read_user(s, 0, out);
			if (csrf)
				snprintf(csrf, AUTH_TOKEN_HEX + 1, "%s", (const char *)sqlite3_column_text(s, 5));
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (rc == SQLITE_ROW && !live)
		return delete_session(db, token_hash) < 0 ? -1 : 0;
	return live;
}

int auth_session_revoke(struct store *st, const char *token)
{
	char token_hash[65];
	if (!token_well_formed(token))
		return 0;
	hash_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
	return delete_session(store_db(st), token_hash);
}

/* The user's name, for the password rules. 1 found, 0 no such user, -1 error. */
static int user_name(sqlite3 *db, int64_t user_id, char name[NAME_MAX_LEN + 1])
{
	sqlite3_stmt *s;
	int rc;
	if (sqlite3_prepare_v2(db, "SELECT name FROM users WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, user_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(name, NAME_MAX_LEN + 1, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* New hash and the revocation in one transaction: a stolen session never outlives the change. */
static int store_password(sqlite3 *db, int64_t user_id, const char *hash, const char *keep_hash)
{
	sqlite3_stmt *upd = NULL, *del = NULL;
	int rc = -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE users SET hash = ?, must_change = 0 WHERE id = ?", -1, &upd,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM sessions WHERE user_id = ? AND token_hash != ?", -1,
			       &del, NULL) != SQLITE_OK)
		goto end;
	sqlite3_bind_text(upd, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(upd, 2, user_id);
	sqlite3_bind_int64(del, 1, user_id);
	sqlite3_bind_text(del, 2, keep_hash, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(upd) == SQLITE_DONE && sqlite3_step(del) == SQLITE_DONE &&
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
end:
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	if (rc < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int auth_set_password(struct store *st, int64_t user_id, const char *password,
		      const char *keep_token, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	char name[NAME_MAX_LEN + 1], hash[CRYPT_OUTPUT_SIZE], keep_hash[65] = "";
	int found = user_name(db, user_id, name);
	if (found < 0)
		return db_error(db, err, errlen, "reading the user");
	if (!found) {
		set_err(err, errlen, "no such user");
		return -1;
	}
	if (!password_acceptable(name, password, err, errlen))
		return -1;
	if (hash_password(password, hash) < 0) {
		set_err(err, errlen, "hashing the password failed");
		return -1;
	}
	if (token_well_formed(keep_token))
		hash_sha256_hex(keep_token, AUTH_TOKEN_HEX, keep_hash);
	if (store_password(db, user_id, hash, keep_hash) < 0)
		return db_error(db, err, errlen, "changing the password");
	return 0;
}

int auth_user_add(struct store *st, const char *name, const char *password, enum auth_role role,
		  int64_t now_ms, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	char hash[CRYPT_OUTPUT_SIZE];
	if (!name_acceptable(name, err, errlen) || !password_acceptable(name, password, err, errlen))
		return -1;
	if (hash_password(password, hash) < 0) {
		set_err(err, errlen, "hashing the password failed");
		return -1;
	}
	if (insert_user(db, name, hash, role, 0, now_ms, 0) == 0)
		return 0;
	if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
		if (err && errlen)
			snprintf(err, errlen, "user \"%s\" already exists", name);
		return -1;
	}
	return db_error(db, err, errlen, "adding the user");
}

/* A query for one user (id, name, role, must_change) by one text parameter: 1 and *out
 * filled, 0 when none, -1 on error. */
static int one_user(struct store *st, const char *sql, const char *arg, struct auth_user *out)
{
	sqlite3_stmt *s;
	int rc;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_user(s, 0, out);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int auth_user_find(struct store *st, const char *name, struct auth_user *out)
{
	return one_user(st, "SELECT id, name, role, must_change FROM users WHERE name = ?",
			name ? name : "", out);
}

int auth_user_list(struct store *st, int64_t now_ms,
		   int (*each)(void *ctx, const struct auth_user_info *info), void *ctx)
{
	sqlite3_stmt *s;
	struct auth_user_info info;
	int rc;
	if (sqlite3_prepare_v2(store_db(st), "SELECT u.id, u.name, u.role, u.must_change, u.created_ms, "
			       "(SELECT max(created_ms) FROM sessions s WHERE s.user_id = u.id), "
			       "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_ms > ?1), "
			       "(SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id) "
			       "FROM users u ORDER BY u.name", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_user(s, 0, &info.user);
		info.created_ms = sqlite3_column_int64(s, 4);
		info.last_session_ms = sqlite3_column_int64(s, 5);
		info.sessions = sqlite3_column_int(s, 6);
		info.api_tokens = sqlite3_column_int(s, 7);
		if (each(ctx, &info) < 0)
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int auth_failures_clear(struct store *st, const char *name)
{
	return clear_failures(store_db(st), name);
}

static int insert_api_token(sqlite3 *db, const char *token_hash, int64_t user_id,
			    const char *label, int64_t now_ms)
{
	sqlite3_stmt *s;
	if (!token_hash[0] ||
	    sqlite3_prepare_v2(db, "INSERT INTO api_tokens(token_hash, user_id, label, created_ms) "
			       "VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_text(s, 3, label ? label : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now_ms);
	return step_done(s);
}

/* No expiry: an API token lives until it is revoked or its user is deleted. */
int auth_api_token_create(struct store *st, int64_t user_id, const char *label, int64_t now_ms,
			  char token[AUTH_TOKEN_HEX + 1])
{
	char token_hash[65];
	if (auth_random_hex(token) < 0)
		return -1;
	hash_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
	if (insert_api_token(store_db(st), token_hash, user_id, label, now_ms) == 0)
		return 0;
	token[0] = '\0';
	return -1;
}

int auth_api_token_check(struct store *st, const char *token, struct auth_user *out)
{
	char token_hash[65];
	if (!token_well_formed(token))
		return 0;
	hash_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
	return one_user(st, "SELECT u.id, u.name, u.role, u.must_change FROM api_tokens t "
			"JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?", token_hash, out);
}

int auth_api_token_list(struct store *st, int64_t user_id,
			int (*each)(void *ctx, const char *id, const char *label, int64_t created_ms),
			void *ctx)
{
	sqlite3_stmt *s;
	int rc;
	if (sqlite3_prepare_v2(store_db(st), "SELECT substr(token_hash, 1, 12), label, created_ms "
			       "FROM api_tokens WHERE user_id = ? ORDER BY created_ms", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, user_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (each(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			 sqlite3_column_int64(s, 2)) < 0)
			break;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int auth_api_token_revoke(struct store *st, int64_t user_id, const char *id)
{
	sqlite3_stmt *s;
	int rc;
	if (!id || strlen(id) != 12 || strspn(id, "0123456789abcdef") != 12)
		return 0;
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM api_tokens WHERE user_id = ? AND "
			       "substr(token_hash, 1, 12) = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) : -1;
}
