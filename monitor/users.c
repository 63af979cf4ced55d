/* users.c - streampulse-monitor --users, --passwd, --add-user: web accounts from the shell,
 * for the one who forgot the admin password. The rules and hashing are lib/auth.c's. */
#include "users.h"

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "store.h"

#define PW_BUF 1024 /* longer than CRYPT_MAX_PASSPHRASE_SIZE: too long is said, not cut */

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("streampulse-monitor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int users_check_args(const struct users_cmd *cmd)
{
	if (cmd->role && cmd->op != USERS_ADD) {
		say("--role goes with --add-user");
		return 3;
	}
	if (cmd->role && strcmp(cmd->role, "admin") && strcmp(cmd->role, "viewer")) {
		say("--role is admin or viewer, not '%s'", cmd->role);
		return 3;
	}
	if (cmd->password_stdin && cmd->op != USERS_PASSWD && cmd->op != USERS_ADD) {
		say("--password-stdin goes with --passwd or --add-user");
		return 3;
	}
	return 0;
}

/* One line of f into buf without its line end. 0, or -1 with err (nothing, or too long). */
static int read_line(FILE *f, char *buf, size_t len, const char **err)
{
	size_t n;
	if (!fgets(buf, (int)len, f)) {
		*err = "no password given";
		return -1;
	}
	n = strcspn(buf, "\r\n");
	if (n == len - 1 && buf[n] == '\0') {
		*err = "the password is too long";
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Prompts on stderr and reads stdin (a terminal) with echo off; the echo comes back also when
 * the read fails. (Ctrl-C while it is off leaves it off, as with passwd(1): `reset` fixes it.) */
static int prompt_hidden(const char *prompt, char *buf, size_t len, const char **err)
{
	struct termios old, quiet;
	int rc;
	if (tcgetattr(STDIN_FILENO, &old) < 0) {
		*err = "cannot turn off the terminal's echo";
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* Echo off before the prompt shows: an answer typed (or pasted) at once is not echoed. */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) < 0) {
		*err = "cannot turn off the terminal's echo";
		return -1;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	rc = read_line(stdin, buf, len, err);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return rc;
}

/* The new password: one line of stdin with --password-stdin, else typed twice on the terminal. */
static int read_password(const struct users_cmd *cmd, char pw[PW_BUF], const char **err)
{
	char again[PW_BUF];
	int rc;
	if (cmd->password_stdin)
		return read_line(stdin, pw, PW_BUF, err);
	if (!isatty(STDIN_FILENO)) {
		*err = "stdin is not a terminal: pass --password-stdin to read the password from it";
		return -1;
	}
	rc = prompt_hidden("New password: ", pw, PW_BUF, err);
	if (rc == 0)
		rc = prompt_hidden("Again: ", again, sizeof again, err);
	if (rc == 0 && strcmp(pw, again) != 0) {
		*err = "the two passwords differ";
		rc = -1;
	}
	explicit_bzero(again, sizeof again);
	return rc;
}

static void format_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, len, "-");
}

static int print_user(void *ctx, const struct auth_user_info *u)
{
	char created[32], last[32];
	(*(int *)ctx)++;
	format_time(u->created_ms, created, sizeof created);
	format_time(u->last_session_ms, last, sizeof last);
	printf("%-20s %-6s %-8s %-20s %-20s %8d %10d\n", u->user.name,
	       u->user.role == AUTH_ADMIN ? "admin" : "viewer", u->user.must_change ? "default" : "set",
	       created, last, u->sessions, u->api_tokens);
	return 0;
}

/* LAST SESSION: the newest session's start (no login time is stored; a logout deletes the
 * session). PASSWORD "default": still admin123, the web shows its banner. */
static int list_users(struct store *st)
{
	int n = 0;
	printf("%-20s %-6s %-8s %-20s %-20s %8s %10s\n", "USER", "ROLE", "PASSWORD", "CREATED",
	       "LAST SESSION", "SESSIONS", "API TOKENS");
	if (auth_user_list(st, now_ms(), print_user, &n) < 0) {
		say("reading the users: %s", sqlite3_errmsg(store_db(st)));
		return 2;
	}
	if (!n)
		say("no users yet: the web creates admin (password admin123) on its first request");
	return 0;
}

/* Sets the password and ends every session of the user: whoever holds a stolen cookie is out
 * too. API tokens stay (scripts use them; /account lists and revokes them). The user name's
 * failed logins are forgotten, so the owner is not told to wait after the reset. */
static int set_password(struct store *st, const struct users_cmd *cmd, const char *pw)
{
	struct auth_user u;
	char err[256];
	int found = auth_user_find(st, cmd->name, &u);
	if (found <= 0) {
		if (found < 0)
			say("reading the users: %s", sqlite3_errmsg(store_db(st)));
		else
			say("no user named '%s'", cmd->name);
		return found < 0 ? 2 : 1;
	}
	if (auth_set_password(st, u.id, pw, NULL, err, sizeof err) < 0) {
		say("password not changed: %s", err);
		return 1;
	}
	if (auth_failures_clear(st, u.name) < 0)
		say("note: the failed logins of '%s' could not be cleared", u.name);
	printf("password of '%s' changed; all of its sessions logged out\n", u.name);
	return 0;
}

static int add_user(struct store *st, const struct users_cmd *cmd, const char *pw)
{
	char err[256];
	enum auth_role role = cmd->role && !strcmp(cmd->role, "admin") ? AUTH_ADMIN : AUTH_VIEWER;
	if (auth_user_add(st, cmd->name, pw, role, now_ms(), err, sizeof err) < 0) {
		say("user not added: %s", err);
		return 1;
	}
	printf("user '%s' added (%s)\n", cmd->name, role == AUTH_ADMIN ? "admin" : "viewer");
	return 0;
}

/* --passwd and --add-user. The users table is set up as the web does on its first request, so
 * "admin" exists to be reset even when no page was ever served. */
static int write_user(struct store *st, const struct users_cmd *cmd)
{
	char pw[PW_BUF], err[256];
	const char *why = NULL;
	int rc;
	if (auth_bootstrap(st, now_ms(), err, sizeof err) < 0) {
		say("cannot set up users: %s", err);
		return 2;
	}
	if (cmd->op == USERS_PASSWD && auth_user_find(st, cmd->name, NULL) == 0) {
		say("no user named '%s'", cmd->name); /* before asking for a password */
		return 1;
	}
	if (read_password(cmd, pw, &why) < 0) {
		say("%s", why);
		rc = 1;
	} else {
		rc = cmd->op == USERS_PASSWD ? set_password(st, cmd, pw) : add_user(st, cmd, pw);
	}
	explicit_bzero(pw, sizeof pw);
	return rc;
}

/* root writing another user's database would leave root-owned -wal/-shm files behind (when
 * nothing else has it open) that the monitor and the web then cannot write: refused. */
static int owner_check(const char *path, const struct stat *sb)
{
	struct passwd *pw;
	if (geteuid() != 0 || sb->st_uid == 0)
		return 0;
	pw = getpwuid(sb->st_uid);
	say("database %s belongs to %s: run this as that user (sudo -u %s ..., or docker compose "
	    "exec -u %s ...)", path, pw ? pw->pw_name : "another user", pw ? pw->pw_name : "USER",
	    pw ? pw->pw_name : "USER");
	return 2;
}

/* The database must exist: a typo in the config's path would otherwise reset a password in a
 * new, empty file that nothing reads. */
static int open_existing(const struct config *cfg, struct store **st)
{
	char err[512];
	struct stat sb;
	if (stat(cfg->database, &sb) < 0) {
		say("database %s: %s (check data_dir/database in the config, or start the monitor once)",
		    cfg->database, strerror(errno));
		return 2;
	}
	if (owner_check(cfg->database, &sb))
		return 2;
	if (store_open(cfg->database, st, err, sizeof err) < 0) {
		say("cannot open database: %s", err);
		return 2;
	}
	return 0;
}

int users_run(const char *config_path, const struct users_cmd *cmd)
{
	struct config cfg;
	struct config_error cerr;
	struct store *st = NULL;
	int rc;
	if (config_load(config_path, &cfg, &cerr) < 0) {
		say("%s", cerr.message);
		return 2;
	}
	rc = open_existing(&cfg, &st);
	if (rc == 0)
		rc = cmd->op == USERS_LIST ? list_users(st) : write_user(st, cmd);
	store_close(st);
	config_free(&cfg);
	return rc;
}
