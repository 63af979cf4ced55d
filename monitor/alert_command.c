/* alert_command.c - the command channel: runs a program with the alert in environment
 * variables; a non-zero exit or running past the timeout (then it is killed) is a failure. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert_int.h"
#include "log.h"

extern char **environ;

#define NVARS 7
#define POLL_MS 20

struct env {
	char **vars;             /* the monitor's environment plus ours, NULL-terminated */
	char *own[NVARS];
};

static void env_free(struct env *e)
{
	for (int i = 0; i < NVARS; i++)
		free(e->own[i]);
	free(e->vars);
}

static int env_build(struct env *e, const struct alert_event *ev)
{
	char since[24], latency[16];
	size_t n = 0, k = 0;
	snprintf(since, sizeof since, "%lld", (long long)(ev->since_ms / 1000));
	snprintf(latency, sizeof latency, "%d", ev->latency_ms);
	const char *vals[NVARS][2] = {
		{ "STREAMPULSE_EVENT", alert_event_name(ev) }, { "STREAMPULSE_STREAM", ev->stream },
		{ "STREAMPULSE_STATE", alert_state_name(ev->state) }, { "STREAMPULSE_REASON", ev->reason },
		{ "STREAMPULSE_MESSAGE", ev->message }, { "STREAMPULSE_SINCE", since },
		{ "STREAMPULSE_LATENCY_MS", latency },
	};
	while (environ[n])
		n++;
	if (!(e->vars = calloc(n + NVARS + 1, sizeof *e->vars)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "STREAMPULSE_", 12)) /* ours only, not an inherited one */
			e->vars[k++] = environ[i];
	for (int i = 0; i < NVARS; i++) {
		if (asprintf(&e->own[i], "%s=%s", vals[i][0], vals[i][1]) < 0) {
			e->own[i] = NULL;
			return -1;
		}
		e->vars[k++] = e->own[i];
	}
	return 0;
}

/* argv: the command, then its args. Points into c: nothing to free but the array. */
static char **make_argv(const struct alert_conf *c)
{
	size_t n = 0;
	char **argv;
	while (c->args && c->args[n])
		n++;
	if (!(argv = calloc(n + 2, sizeof *argv)))
		return NULL;
	argv[0] = c->command;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = c->args[i];
	return argv;
}

/* posix_spawn, not fork: safe from a thread of a program with hundreds of them. The child
 * leads its own process group so a timeout kills what it started too. */
static int spawn(const struct alert_conf *c, char **argv, char **envp, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(pid, c->command, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

static int wait_child(pid_t pid, int timeout_ms, char *detail, size_t detaillen)
{
	int64_t end = clock_mono_ms() + timeout_ms;
	struct timespec tick = { 0, POLL_MS * 1000000L };
	int status;
	pid_t got;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 && clock_mono_ms() < end)
		nanosleep(&tick, NULL);
	if (got == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(detail, detaillen, "timed out after %d ms, killed", timeout_ms);
		return -1;
	}
	if (got < 0)
		return snprintf(detail, detaillen, "waitpid: %s", strerror(errno)), -1;
	if (WIFSIGNALED(status))
		return snprintf(detail, detaillen, "killed by signal %d", WTERMSIG(status)), -1;
	snprintf(detail, detaillen, "exit status %d", WEXITSTATUS(status));
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

int alert_command_run(const struct alert_conf *c, const struct alert_event *ev, int timeout_ms,
		      char *detail, size_t detaillen)
{
	struct env e = { 0 };
	char **argv = make_argv(c);
	pid_t pid;
	int rc = -1, err;
	snprintf(detail, detaillen, "out of memory");
	if (argv && env_build(&e, ev) == 0) {
		if ((err = spawn(c, argv, e.vars, &pid)) != 0)
			snprintf(detail, detaillen, "cannot run %s: %s", c->command, strerror(err));
		else
			rc = wait_child(pid, timeout_ms, detail, detaillen);
	}
	env_free(&e);
	free(argv);
	return rc;
}
