/* users.h - streampulse-monitor --users, --passwd, --add-user: web accounts from the shell. */
#ifndef SP_USERS_H
#define SP_USERS_H

#include "auth.h"

enum users_op { USERS_NONE = 0, USERS_LIST, USERS_PASSWD, USERS_ADD };

struct users_cmd {
	enum users_op op;
	const char *name;        /* --passwd NAME, --add-user NAME */
	const char *role;        /* --role: admin or viewer (--add-user only; default viewer) */
	int password_stdin;      /* read the password as one line of stdin, not from the terminal */
};

/* 0, or 3 after saying on stderr which flags do not go together. */
int users_check_args(const struct users_cmd *cmd);

/* Runs the command on the database the config names. Exit code: 0 done; 1 refused (unknown
 * user, password rejected, user exists, no password given); 2 the config does not load or the
 * database is missing or unreadable. The password is never printed or logged. */
int users_run(const char *config_path, const struct users_cmd *cmd);

#endif
