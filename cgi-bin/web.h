/* web.h - what every handler of streampulse.fcgi shares: the request, the response, the context. */
#ifndef SP_WEB_H
#define SP_WEB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "config.h"
#include "config_cache.h"
#include "params.h"
#include "store.h"

/* Everything a handler may read, parsed once from the CGI/FastCGI environment. */
struct request {
	char method[8];
	char path[1024];            /* PATH_INFO, percent-decoded by the server */
	struct kvlist query, form, cookies;
	char remote_addr[64];
	int https;
	char authorization[1024];
	char if_none_match[512];    /* ETags the client holds, for a 304 */
	int body_too_large;
	int too_many_fields;        /* query or form over PARAMS_MAX_FIELDS (params.h): refused (400) */
};

struct response {
	int status;
	char content_type[64];
	struct buf headers;         /* extra "Name: value\r\n" lines */
	struct buf body;
	const struct buf *kept_body; /* when set, sent instead of body: a cached one, not copied */
};

struct web {
	struct request req;
	struct response res;
	const char *config_path;
	const struct config *cfg;   /* NULL until loaded; owned by config_cache.c, never freed here;
				     * only this shard's streams (dashboard, API, /metrics) */
	const struct config *file_cfg; /* the same file with every stream: the config editor's */
	char cfg_id[CONFIG_CACHE_ID]; /* the file's identity: part of the response cache keys */
	struct store *st;           /* owned by store_keep.c, never closed here */
	struct auth_user user;
	int authed;                 /* 1: session, 2: API token or Basic */
	char token[AUTH_TOKEN_HEX + 1]; /* session cookie value when authed by session */
	char csrf[AUTH_TOKEN_HEX + 1];
	int api;                    /* errors as JSON */
};

/* request.c: parsing (the only code that reads the environment and the body); the text formats
 * and the typed reads of inputs are in params.h. */
int request_parse(struct request *req, const char *body, size_t len);
void request_free(struct request *req);

/* response.c */
void res_header(struct web *w, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
void res_redirect(struct web *w, const char *location);
void res_cookie(struct web *w, const char *name, const char *value, int max_age_s);
/* Sends status, headers and body through the FastCGI/CGI output. */
void res_send(struct web *w);

/* The one error path: HTML page or JSON, with the status and a message naming the problem. */
void ui_error(struct web *w, int status, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));

/* render.c: where templates are (STREAMPULSE_TEMPLATES, read once at start). */
void render_init(const char *dir);
/* render.c: renders templates/<name> with the HDF filled by fill(ctx, hdf). */
struct _hdf;
int render(struct web *w, const char *template_name, const char *title,
	   int (*fill)(struct web *w, struct _hdf *hdf, void *ctx), void *ctx);
/* Renders a part of a page into out from only what fill sets: no user, no CSRF token, so the
 * result may be shared between users (cache.h). 0, or -1 (logged). */
int render_fragment(const char *template_name, int (*fill)(struct _hdf *hdf, void *ctx), void *ctx,
		    struct buf *out);

/* Formats UTC ms in the configured timezone ("2026-11-25 14:03:07"). */
void web_time(const struct web *w, int64_t ms, char *out, size_t outlen);
/* "3 h 12 min" */
void web_duration(int64_t ms, char *out, size_t outlen);
int64_t web_now_ms(void);

/* Handlers: see each file's header comment for outcomes. */
void ui_dashboard(struct web *w);
void ui_stream(struct web *w, const char *name);
void ui_config(struct web *w);
void ui_login(struct web *w);
void ui_logout(struct web *w);
void ui_account(struct web *w);
void ui_preview(struct web *w, const char *name);
void ui_thumb(struct web *w, const char *name);
void api_streams(struct web *w);
void api_heartbeats(struct web *w, const char *name);
void api_health(struct web *w);
void api_export_csv(struct web *w);
void metrics_page(struct web *w);
/* metrics.c keeps uptime sums per worker: freed at exit. */
void metrics_cache_free(void);

/* Shared by handlers: the configured stream of that name, or NULL. */
const struct stream_conf *web_stream(const struct web *w, const char *name);

#endif
