/* prefork.c - several FastCGI workers on one inherited listening socket. spawn-fcgi forks
 * its own workers, but a systemd socket unit hands one process the socket: one process
 * would make every page wait behind a slow camera preview. */
#define _POSIX_C_SOURCE 200809L
#include "prefork.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 64

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

/* 0 in the new worker, its pid in the supervisor, -1 when fork failed. */
static pid_t start_worker(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL); /* main() installs the worker's own handler */
		return 0;
	}
	if (pid < 0)
		fprintf(stderr, "streampulse.fcgi: cannot start a worker: %m\n");
	return pid;
}

static void stop_all(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	exit(0);
}

void prefork(int workers)
{
	pid_t pids[MAX_WORKERS] = { 0 };
	struct sigaction sa = { .sa_handler = on_term };
	if (workers <= 1 || FCGX_IsCGI())
		return;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: wait() returns on it */
	for (int i = 0; i < workers; i++)
		if ((pids[i] = start_worker()) == 0)
			return;
	while (!term) {
		int status;
		pid_t gone = wait(&status);
		if (gone < 0) {
			if (errno == ECHILD)
				sleep(1); /* every fork failed: try again below */
			for (int i = 0; !term && i < workers; i++)
				if (pids[i] <= 0 && (pids[i] = start_worker()) == 0)
					return;
			continue;
		}
		for (int i = 0; i < workers; i++) {
			if (pids[i] != gone)
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				sleep(1); /* a crash loop must not spin */
			if (!term && (pids[i] = start_worker()) == 0)
				return;
		}
	}
	stop_all(pids, workers);
}
