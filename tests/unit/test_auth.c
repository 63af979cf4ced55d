/* test_auth.c - users, password hashes, login throttling, sessions, CSRF and API tokens. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "auth.h"
#include "hash.h"
#include "store.h"
#include "unit.h"

#define MIN_MS (60LL * 1000)

/* One integer from the database, for facts the API does not expose (rows left behind). */
static long long db_int(struct store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	long long v = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void db_text(struct store *st, const char *sql, const char *arg, char *out, size_t n)
{
	sqlite3_stmt *s;
	out[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static int is_token(const char *t)
{
	return strlen(t) == AUTH_TOKEN_HEX && strspn(t, "0123456789abcdef") == AUTH_TOKEN_HEX;
}

static void test_primitives(void)
{
	char a[AUTH_TOKEN_HEX + 1], b[AUTH_TOKEN_HEX + 1], h[65];
	hash_sha256_hex("abc", 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(auth_random_hex(a), 0);
	CHECK_INT(auth_random_hex(b), 0);
	CHECK(is_token(a) && is_token(b), "%s %s", a, b);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(auth_token_equal(a, a), 1);
	CHECK_INT(auth_token_equal("", ""), 1);
	memcpy(b, a, sizeof a);
	b[AUTH_TOKEN_HEX - 1] = b[AUTH_TOKEN_HEX - 1] == '0' ? '1' : '0';
	CHECK_INT(auth_token_equal(a, b), 0);
	CHECK_INT(auth_token_equal("abc", "abcd"), 0);
	CHECK_INT(auth_token_equal("abcd", "abc"), 0);
	CHECK_INT(auth_token_equal("abc", ""), 0);
}

static void test_bootstrap(struct store *st, int64_t t)
{
	char err[256] = "", hash[512];
	struct auth_user u;
	int retry = -1;
	CHECK_INT(auth_bootstrap(st, t, err, sizeof err), 0);
	CHECK_INT(auth_bootstrap(st, t + 1, err, sizeof err), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM users", NULL), 1);
	db_text(st, "SELECT hash FROM users WHERE name = ?", "admin", hash, sizeof hash);
	CHECK(strncmp(hash, "$y$", 3) == 0 || strncmp(hash, "$6$", 3) == 0, "hash: %s", hash);
	CHECK(strstr(hash, "admin123") == NULL, "hash: %s", hash);

	CHECK_INT(auth_login(st, "admin", "admin123", "10.0.0.1", t, &u, &retry), AUTH_OK);
	CHECK_INT(retry, 0);
	CHECK_STR(u.name, "admin");
	CHECK_INT(u.role, AUTH_ADMIN);
	CHECK_INT(u.must_change, 1);
	CHECK_INT(auth_login(st, "admin", "admin124", "10.0.0.1", t, &u, &retry), AUTH_BAD);
	CHECK_INT(auth_login(st, "nobody", "admin123", "10.0.0.1", t, &u, &retry), AUTH_BAD);
	/* the unknown name is counted too, so guessing names is throttled like passwords */
	CHECK_INT(db_int(st, "SELECT count(*) FROM login_failures WHERE key = ?", "user:nobody"), 1);
	/* a success clears the name's failures, not the address's */
	CHECK_INT(auth_login(st, "admin", "admin123", "10.0.0.1", t, &u, &retry), AUTH_OK);
	CHECK_INT(db_int(st, "SELECT count(*) FROM login_failures WHERE key = ?", "user:admin"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM login_failures WHERE key = ?", "addr:10.0.0.1"), 2);
}

static void test_users(struct store *st, int64_t t)
{
	char err[256] = "", long_name[80];
	CHECK_INT(auth_user_add(st, "alice", "correct horse", AUTH_VIEWER, t, err, sizeof err), 0);
	CHECK_INT(auth_user_add(st, "alice", "another pass", AUTH_ADMIN, t, err, sizeof err), -1);
	CHECK(strstr(err, "exists") != NULL, "err: %s", err);
	CHECK_INT(auth_user_add(st, "", "correct horse", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK_INT(auth_user_add(st, "bob:x", "correct horse", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK_INT(auth_user_add(st, "bob\n", "correct horse", AUTH_VIEWER, t, err, sizeof err), -1);
	memset(long_name, 'b', 65);
	long_name[65] = '\0';
	CHECK_INT(auth_user_add(st, long_name, "correct horse", AUTH_VIEWER, t, err, sizeof err), -1);
	long_name[64] = '\0';
	CHECK_INT(auth_user_add(st, long_name, "correct horse", AUTH_VIEWER, t, err, sizeof err), 0);
	CHECK_INT(auth_user_add(st, "bob", "short", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK(strstr(err, "8 characters") != NULL, "err: %s", err);
	/* 6 characters in 8 bytes: too short */
	CHECK_INT(auth_user_add(st, "bob", "p\xc3\xa4sswo\xcc\x88", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK_INT(auth_user_add(st, "operator1", "operator1", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK(strstr(err, "user name") != NULL, "err: %s", err);
	CHECK_INT(auth_user_add(st, "bob", "admin123", AUTH_VIEWER, t, err, sizeof err), -1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM users WHERE name = ?", "bob"), 0);
}

static void test_throttle(struct store *st, int64_t t)
{
	struct auth_user u;
	int retry = -1;
	for (int i = 0; i < AUTH_MAX_FAILURES; i++)
		CHECK_INT(auth_login(st, "alice", "wrong", "192.0.2.7", t + i * 1000, &u, &retry), AUTH_BAD);
	/* the 6th try within the window is refused, even with the right password */
	int64_t t6 = t + 5000;
	CHECK_INT(auth_login(st, "alice", "correct horse", "192.0.2.7", t6, &u, &retry), AUTH_THROTTLED);
	CHECK(retry >= 1 && retry <= 600, "retry %d", retry);
	CHECK_INT(retry, 595); /* the failure at t leaves the 10-minute window at t + 600 s */
	/* refused tries are not counted, so a flood cannot keep the lock forever */
	CHECK_INT(db_int(st, "SELECT count(*) FROM login_failures WHERE key = ?", "user:alice"), 5);
	/* same name from elsewhere: the name's key */
	CHECK_INT(auth_login(st, "alice", "correct horse", "198.51.100.1", t6, &u, &retry), AUTH_THROTTLED);
	/* another user from the same address: the address's key */
	CHECK_INT(auth_login(st, "admin", "admin123", "192.0.2.7", t6, &u, &retry), AUTH_THROTTLED);
	CHECK(retry >= 1 && retry <= 600, "retry %d", retry);
	CHECK_INT(auth_login(st, "admin", "admin123", "198.51.100.1", t6, &u, &retry), AUTH_OK);
	/* the window slides: once the oldest failure leaves it, one more guess is allowed */
	CHECK_INT(auth_login(st, "alice", "correct horse", "198.51.100.1", t + 10 * MIN_MS - 1, &u,
			     &retry), AUTH_THROTTLED);
	CHECK_INT(retry, 1);
	CHECK_INT(auth_login(st, "alice", "wrong", "198.51.100.1", t + 10 * MIN_MS + 1, &u, &retry),
		  AUTH_BAD);
	CHECK_INT(auth_login(st, "alice", "correct horse", "198.51.100.1", t + 10 * MIN_MS + 2, &u,
			     &retry), AUTH_THROTTLED);
	/* after the window, the right password works again, and old failures are gone */
	CHECK_INT(auth_login(st, "alice", "correct horse", "192.0.2.7", t + 11 * MIN_MS, &u, &retry),
		  AUTH_OK);
	CHECK_STR(u.name, "alice");
	CHECK_INT(u.role, AUTH_VIEWER);
	CHECK_INT(u.must_change, 0);
	char cutoff[32];
	snprintf(cutoff, sizeof cutoff, "%lld", (long long)(t + 1 * MIN_MS));
	CHECK_INT(db_int(st, "SELECT count(*) FROM login_failures WHERE ts_ms <= CAST(? AS INTEGER)",
			 cutoff), 0);
}

static void test_sessions(struct store *st, int64_t t)
{
	char token[AUTH_TOKEN_HEX + 1], csrf[AUTH_TOKEN_HEX + 1], got_csrf[AUTH_TOKEN_HEX + 1] = "";
	char hash[65], bad[AUTH_TOKEN_HEX + 1];
	struct auth_user u = { 0 };
	int64_t alice = db_int(st, "SELECT id FROM users WHERE name = ?", "alice");
	CHECK_INT(auth_session_create(st, alice, t, token, csrf), 0);
	CHECK(is_token(token) && is_token(csrf) && strcmp(token, csrf) != 0);
	CHECK_INT(auth_session_check(st, token, t + 1, &u, got_csrf), 1);
	CHECK_STR(u.name, "alice");
	CHECK_INT(u.id, alice);
	CHECK_STR(got_csrf, csrf);
	/* only the token's SHA-256 is stored */
	hash_sha256_hex(token, AUTH_TOKEN_HEX, hash);
	CHECK_INT(db_int(st, "SELECT count(*) FROM sessions WHERE token_hash = ?", token), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM sessions WHERE token_hash = ?", hash), 1);
	/* malformed tokens are refused */
	memcpy(bad, token, sizeof bad);
	bad[0] = 'A';
	CHECK_INT(auth_session_check(st, bad, t + 1, &u, got_csrf), 0);
	CHECK_INT(auth_session_check(st, "", t + 1, &u, got_csrf), 0);
	CHECK_INT(auth_session_check(st, NULL, t + 1, &u, got_csrf), 0);
	CHECK_INT(auth_session_check(st, token + 1, t + 1, &u, got_csrf), 0);
	char longer[AUTH_TOKEN_HEX + 2];
	snprintf(longer, sizeof longer, "%s0", token);
	CHECK_INT(auth_session_check(st, longer, t + 1, &u, got_csrf), 0);
	/* expiry: live until the last millisecond, then deleted when met */
	CHECK_INT(auth_session_check(st, token, t + AUTH_SESSION_MS - 1, &u, got_csrf), 1);
	CHECK_INT(auth_session_check(st, token, t + AUTH_SESSION_MS, &u, got_csrf), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM sessions WHERE token_hash = ?", hash), 0);
	CHECK_INT(auth_session_check(st, token, t + 1, &u, got_csrf), 0);
	/* revoke (logout) */
	CHECK_INT(auth_session_create(st, alice, t, token, csrf), 0);
	CHECK_INT(auth_session_check(st, token, t + 1, &u, NULL), 1);
	CHECK_INT(auth_session_revoke(st, token), 0);
	CHECK_INT(auth_session_check(st, token, t + 1, &u, got_csrf), 0);
	/* a session for a user that does not exist is refused by the database */
	CHECK_INT(auth_session_create(st, 999999, t, token, csrf), -1);
}

static void test_api_tokens(struct store *st, int64_t t)
{
	char token[AUTH_TOKEN_HEX + 1], other[AUTH_TOKEN_HEX + 1];
	struct auth_user u = { 0 };
	int64_t admin = db_int(st, "SELECT id FROM users WHERE name = ?", "admin");
	CHECK_INT(auth_api_token_create(st, admin, "nagios", t, token), 0);
	CHECK(is_token(token));
	CHECK_INT(auth_api_token_check(st, token, &u), 1);
	CHECK_STR(u.name, "admin");
	CHECK_INT(u.role, AUTH_ADMIN);
	CHECK_INT(auth_random_hex(other), 0);
	CHECK_INT(auth_api_token_check(st, other, &u), 0);
	CHECK_INT(auth_api_token_check(st, "nagios", &u), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM api_tokens WHERE token_hash = ?", token), 0);
	/* a session token is not an API token */
	char csrf[AUTH_TOKEN_HEX + 1];
	CHECK_INT(auth_session_create(st, admin, t, other, csrf), 0);
	CHECK_INT(auth_api_token_check(st, other, &u), 0);
}

static void test_set_password(struct store *st, int64_t t)
{
	char err[256] = "", keep[AUTH_TOKEN_HEX + 1], drop[AUTH_TOKEN_HEX + 1];
	char alice_tok[AUTH_TOKEN_HEX + 1], csrf[AUTH_TOKEN_HEX + 1];
	struct auth_user u = { 0 };
	int retry;
	int64_t admin = db_int(st, "SELECT id FROM users WHERE name = ?", "admin");
	int64_t alice = db_int(st, "SELECT id FROM users WHERE name = ?", "alice");
	CHECK_INT(auth_set_password(st, admin, "short", NULL, err, sizeof err), -1);
	CHECK(strstr(err, "8 characters") != NULL, "err: %s", err);
	CHECK_INT(auth_set_password(st, admin, "admin123", NULL, err, sizeof err), -1);
	CHECK_INT(auth_set_password(st, alice, "alice", NULL, err, sizeof err), -1);
	CHECK_INT(auth_set_password(st, 999999, "long enough", NULL, err, sizeof err), -1);
	CHECK(strstr(err, "no such user") != NULL, "err: %s", err);
	CHECK_INT(auth_user_add(st, "operator1", "first password", AUTH_VIEWER, t, err, sizeof err), 0);
	int64_t op = db_int(st, "SELECT id FROM users WHERE name = ?", "operator1");
	CHECK_INT(auth_set_password(st, op, "operator1", NULL, err, sizeof err), -1);
	CHECK(strstr(err, "user name") != NULL, "err: %s", err);

	CHECK_INT(auth_session_create(st, admin, t, keep, csrf), 0);
	CHECK_INT(auth_session_create(st, admin, t, drop, csrf), 0);
	CHECK_INT(auth_session_create(st, alice, t, alice_tok, csrf), 0);
	CHECK_INT(auth_set_password(st, admin, "n3w pass phrase", keep, err, sizeof err), 0);
	CHECK_INT(auth_session_check(st, keep, t + 1, &u, NULL), 1);
	CHECK_INT(u.must_change, 0);
	CHECK_INT(auth_session_check(st, drop, t + 1, &u, NULL), 0);
	CHECK_INT(auth_session_check(st, alice_tok, t + 1, &u, NULL), 1);
	CHECK_INT(auth_login(st, "admin", "admin123", "203.0.113.9", t, &u, &retry), AUTH_BAD);
	CHECK_INT(auth_login(st, "admin", "n3w pass phrase", "203.0.113.9", t, &u, &retry), AUTH_OK);
	CHECK_INT(u.must_change, 0);
	/* without a session to keep, every session of the user goes */
	CHECK_INT(auth_set_password(st, admin, "another phrase", NULL, err, sizeof err), 0);
	CHECK_INT(auth_session_check(st, keep, t + 1, &u, NULL), 0);
	CHECK_INT(auth_session_check(st, alice_tok, t + 1, &u, NULL), 1);
}

int main(void)
{
	char dir[] = "/tmp/sp-auth-XXXXXX", path[128], err[256], sql[160];
	struct store *st = NULL;
	const int64_t t = 1764000000000LL;

	test_primitives();
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_done();
	snprintf(path, sizeof path, "%s/streams.db", dir);
	if (CHECK_INT(store_open(path, &st, err, sizeof err), 0)) {
		test_bootstrap(st, t);
		test_users(st, t);
		test_throttle(st, t + MIN_MS);
		test_sessions(st, t + 20 * MIN_MS);
		test_api_tokens(st, t + 20 * MIN_MS);
		test_set_password(st, t + 20 * MIN_MS);
	}
	store_close(st);
	snprintf(sql, sizeof sql, "rm -rf '%s'", dir);
	CHECK_INT(system(sql), 0);
	return unit_done();
}
