/* routes.c - the route table and the fixed order every request goes through:
 * route and method, config and database, identity, CSRF, handler. */
#include <curl/curl.h>
#include <libavutil/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_cache.h"
#include "store_keep.h"
#include "routes.h"

enum { GET = 1, POST = 2 };
/* OPEN_METRICS: no login needed when the config says metrics_public. */
enum { LOGIN = 1, ADMIN = 2, API = 4, OPEN_METRICS = 8 };

struct route {
	const char *path;           /* exact, or a prefix when it ends in '/' */
	const char *suffix;         /* required end of the path after the prefix, or NULL */
	unsigned methods, flags;
	void (*page)(struct web *w);
	void (*named)(struct web *w, const char *name); /* for prefix routes: the rest of the path */
};

static const struct route routes[] = {
	{ "/", NULL, GET, LOGIN, ui_dashboard, NULL },
	{ "/stream/", NULL, GET, LOGIN, NULL, ui_stream },
	{ "/preview/", ".jpg", GET, LOGIN, NULL, ui_preview },
	{ "/thumb/", ".jpg", GET, LOGIN, NULL, ui_thumb },
	{ "/config", NULL, GET | POST, LOGIN | ADMIN, ui_config, NULL },
	{ "/login", NULL, GET | POST, 0, ui_login, NULL },
	{ "/logout", NULL, POST, LOGIN, ui_logout, NULL },
	{ "/account", NULL, GET | POST, LOGIN, ui_account, NULL },
	{ "/api/health", NULL, GET, API, api_health, NULL },
	{ "/api/streams", NULL, GET, LOGIN | API, api_streams, NULL },
	{ "/api/streams/", "/heartbeats", GET, LOGIN | API, NULL, api_heartbeats },
	{ "/export.csv", NULL, GET, LOGIN | API, api_export_csv, NULL },
	{ "/metrics", NULL, GET, LOGIN | API | OPEN_METRICS, metrics_page, NULL },
};

/* Matches path; for prefix routes *arg gets the part between prefix and suffix (malloc'd).
 * That part may hold '/': stream names can, and the server has decoded %2F already. */
static const struct route *find_route(const char *path, char **arg)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *r = &routes[i];
		size_t plen = strlen(r->path);
		if (!r->named) {
			if (!strcmp(path, r->path))
				return r;
			continue;
		}
		if (strncmp(path, r->path, plen) || !path[plen])
			continue;
		size_t rest = strlen(path + plen), slen = r->suffix ? strlen(r->suffix) : 0;
		if (rest <= slen || (slen && strcmp(path + plen + rest - slen, r->suffix)))
			continue;
		*arg = strndup(path + plen, rest - slen);
		return r;
	}
	return NULL;
}

static unsigned method_bit(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") ? GET : !strcmp(m, "POST") ? POST : 0;
}

/* Identity from the session cookie, an API token, or HTTP Basic (GET only: browsers replay
 * Basic credentials on their own, so a Basic POST would be open to CSRF). */
static int identify(struct web *w, unsigned method)
{
	const char *cookie = kv_get(&w->req.cookies, "sp_session");
	const char *authz = w->req.authorization;
	if (cookie && auth_session_check(w->st, cookie, web_now_ms(), &w->user, w->csrf) == 1) {
		snprintf(w->token, sizeof w->token, "%s", cookie);
		return w->authed = 1;
	}
	if (!strncasecmp(authz, "Bearer ", 7) &&
	    auth_api_token_check(w->st, authz + 7, &w->user) == 1)
		return w->authed = 2;
	if (!strncasecmp(authz, "Basic ", 6) && method == GET) {
		uint8_t raw[256];
		int n = av_base64_decode(raw, authz + 6, sizeof raw - 1);
		char *colon = n > 0 ? memchr(raw, ':', (size_t)n) : NULL;
		int retry = 0;
		if (colon) {
			raw[n] = '\0';
			*colon = '\0';
			enum auth_result r = auth_login(w->st, (char *)raw, colon + 1, w->req.remote_addr,
							web_now_ms(), &w->user, &retry);
			memset(raw, 0, sizeof raw);
			if (r == AUTH_OK)
				return w->authed = 2;
			if (r == AUTH_THROTTLED) {
				res_header(w, "Retry-After: %d", retry);
				ui_error(w, 429, "too many failed logins: try again in %d s", retry);
				return -1;
			}
		}
	}
	return 0;
}

/* Once per database connection: the first start has no user yet (admin/admin123 then). */
static int bootstrap_users(struct store *st, char *err, size_t errlen)
{
	char why[256];
	if (auth_bootstrap(st, web_now_ms(), why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "cannot set up users: %s", why);
	return -1;
}

static int load_config_and_store(struct web *w)
{
	struct config_error cerr;
	char err[512];
	if (!(w->cfg = config_cache_get(w->config_path, w->cfg_id, &w->file_cfg, &cerr))) {
		ui_error(w, 500, "cannot load the configuration: %s", cerr.message);
		return -1;
	}
	if (!(w->st = store_keep_get(w->cfg->database, bootstrap_users, err, sizeof err))) {
		ui_error(w, 503, "cannot open the database: %s", err);
		return -1;
	}
	return 0;
}

static void deny_anonymous(struct web *w, const struct route *r)
{
	if ((r->flags & API) || method_bit(w->req.method) != GET) {
		res_header(w, "WWW-Authenticate: Basic realm=\"StreamPulse\"");
		ui_error(w, 401, "login required: a session, an API token (Authorization: Bearer) or HTTP Basic");
		return;
	}
	char *next = curl_easy_escape(NULL, w->req.path, 0);
	char loc[2048];
	snprintf(loc, sizeof loc, "/login?next=%s", next ? next : "/");
	curl_free(next);
	res_redirect(w, loc);
}

/* POST forms carry the session's CSRF token; the login form a double-submit cookie. */
static int csrf_ok(struct web *w)
{
	const char *sent = kv_get(&w->req.form, "csrf");
	int login_form = !strcmp(w->req.path, "/login");
	const char *want = w->authed == 1 && !login_form ? w->csrf : kv_get(&w->req.cookies, "sp_login_csrf");
	if (w->authed == 2 && !login_form)
		return 1; /* API token: not sent by browsers on their own */
	return sent && want && *want && auth_token_equal(sent, want);
}

void route_dispatch(struct web *w)
{
	unsigned m = method_bit(w->req.method);
	char *arg = NULL;
	const struct route *r = find_route(w->req.path, &arg);
	w->api = !strncmp(w->req.path, "/api/", 5) || !strcmp(w->req.path, "/export.csv") ||
		 !strcmp(w->req.path, "/metrics");
	if (!r)
		ui_error(w, 404, "no page at %s", w->req.path);
	else if (!(r->methods & m)) {
		res_header(w, "Allow: %s", r->methods == POST ? "POST" : r->methods == GET ? "GET, HEAD" : "GET, HEAD, POST");
		ui_error(w, 405, "method %s not allowed here", w->req.method);
	} else if (w->req.body_too_large)
		ui_error(w, 413, "request body too large");
	else if (w->req.too_many_fields)
		ui_error(w, 400, "too many query or form fields: more than any page of this site sends");
	else if (load_config_and_store(w) < 0 || identify(w, m) < 0)
		; /* error already set */
	else if ((r->flags & LOGIN) && !w->authed && !((r->flags & OPEN_METRICS) && w->cfg->metrics_public))
		deny_anonymous(w, r);
	else if ((r->flags & ADMIN) && w->user.role != AUTH_ADMIN)
		ui_error(w, 403, "this page needs an admin account (you are '%s', a viewer)", w->user.name);
	else if (m == POST && !csrf_ok(w))
		ui_error(w, 403, "form expired or forged (CSRF token missing or wrong): reload the page and try again");
	else if (r->named)
		r->named(w, arg);
	else
		r->page(w);
	free(arg);
	if (!w->res.status)
		w->res.status = 200;
	if (!w->res.content_type[0])
		snprintf(w->res.content_type, sizeof w->res.content_type, "text/plain; charset=utf-8");
	res_header(w, "X-Content-Type-Options: nosniff");
}

void web_free(struct web *w)
{
	request_free(&w->req);
	buf_free(&w->res.headers);
	buf_free(&w->res.body);
	memset(w->token, 0, sizeof w->token);
}

const struct stream_conf *web_stream(const struct web *w, const char *name)
{
	for (size_t i = 0; w->cfg && i < w->cfg->nstreams; i++)
		if (!strcmp(w->cfg->streams[i].name, name))
			return &w->cfg->streams[i];
	return NULL;
}
