/* main.c - streampulse.fcgi: the FastCGI accept loop (or one CGI request), body in, response out. */
#include <fcgi_stdio.h> /* replaces stdio: must come first, and only in this file */

#include <ClearSilver/ClearSilver.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "paths.h"
#include "prefork.h"
#include "probe.h"
#include "routes.h"
#include "store_keep.h"
#include "web.h"

/* Larger bodies are refused (413), as nginx's client_max_body_size and lighttpd's
 * server.max-request-size in conf/ do: the same limit whichever server (or none) is in front.
 * The biggest form, a 2,000-camera config, is a few hundred KB. */
#define MAX_BODY (1024 * 1024)

static char *read_body(size_t *len, int *too_large)
{
	const char *cl = getenv("CONTENT_LENGTH");
	long n = cl ? strtol(cl, NULL, 10) : 0;
	char *body;
	*len = 0;
	*too_large = n > MAX_BODY;
	if (n <= 0 || *too_large)
		return NULL;
	if (!(body = malloc((size_t)n + 1)))
		return NULL;
	*len = fread(body, 1, (size_t)n, stdin);
	body[*len] = '\0';
	return body;
}

static void write_response(const struct response *res)
{
	const struct buf *body = res->kept_body ? res->kept_body : &res->body;
	printf("Status: %d\r\nContent-Type: %s\r\n", res->status, res->content_type);
	if (res->headers.len)
		fwrite(res->headers.p, 1, res->headers.len, stdout);
	/* FCGI_printf predates C99: no %zu. */
	printf("Content-Length: %lu\r\n\r\n", (unsigned long)body->len);
	if (body->len)
		fwrite(body->p, 1, body->len, stdout);
}

static void serve_one(const char *config_path)
{
	struct web w;
	size_t len;
	int too_large;
	char *body = read_body(&len, &too_large);
	memset(&w, 0, sizeof w);
	w.config_path = config_path;
	request_parse(&w.req, body, len);
	w.req.body_too_large = too_large;
	route_dispatch(&w);
	write_response(&w.res);
	web_free(&w);
	free(body);
}

static volatile sig_atomic_t stopping, in_request;

/* SIGTERM: a request in progress is finished first; between requests the process sits in
 * accept(), which libfcgi restarts on EINTR, so it exits from here. Either way it leaves
 * through exit(), and leak checkers see whether the requests served left anything behind. */
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	if (!in_request)
		exit(0);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	const char *config_path = getenv("STREAMPULSE_CONFIG");
	if (!config_path)
		config_path = SP_CONFIG_FILE;
	const char *workers = getenv("STREAMPULSE_WORKERS");
	render_init(getenv("STREAMPULSE_TEMPLATES"));
	prefork(workers ? atoi(workers) : 1); /* the supervisor never returns: workers go on */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	nerr_init(); /* lazy and not thread-safe: once, first */
	probe_global_init();
	/* In CGI mode FCGI_Accept returns 0 once, then -1: the same loop serves both. */
	while (!stopping && FCGI_Accept() >= 0) {
		in_request = 1;
		serve_one(config_path);
		in_request = 0;
	}
	probe_global_cleanup();
	cache_free();
	metrics_cache_free();
	config_cache_free();
	store_keep_free();
	return 0;
}
