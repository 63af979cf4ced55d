/* render.c - ClearSilver rendering: HTML escaping on by default, the layout's common values. */
#include <ClearSilver/ClearSilver.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "web.h"

static NEOERR *collect(void *ctx, char *s)
{
	buf_add(ctx, s, strlen(s));
	return STATUS_OK;
}

/* Process-wide, set once at start: FCGI_Accept replaces the environment with each request's. */
static const char *templates = SP_TEMPLATE_DIR;

void render_init(const char *dir)
{
	if (dir && *dir)
		templates = dir;
}

static const char *template_dir(void)
{
	return templates;
}

/* Values the layout shows on every page. */
static void fill_common(struct web *w, HDF *hdf, const char *title)
{
	hdf_set_value(hdf, "Page.Title", title);
	if (w->authed) {
		hdf_set_value(hdf, "User.Name", w->user.name);
		hdf_set_int_value(hdf, "User.IsAdmin", w->user.role == AUTH_ADMIN);
		hdf_set_int_value(hdf, "User.DefaultPassword", w->user.must_change);
	}
	hdf_set_value(hdf, "Csrf", w->csrf);
}

static void log_error(const char *template_name, NEOERR **err)
{
	STRING s;
	string_init(&s);
	nerr_error_traceback(*err, &s);
	fprintf(stderr, "streampulse.fcgi: template %s: %s\n", template_name, s.buf ? s.buf : "");
	string_clear(&s);
	nerr_ignore(err);
}

/* path_escape(x): x as one URL path segment. ClearSilver's url_escape is for query strings: it
 * turns a space into '+', which in a path stays a '+', so /stream/Dead+door was a 404. curl's
 * escape leaves only RFC 3986 unreserved characters (space is %20, '/' is %2F). */
static NEOERR *path_escape(const char *in, char **out)
{
	char *e = curl_easy_escape(NULL, in, 0);
	*out = e ? strdup(e) : NULL;
	curl_free(e);
	return *out ? STATUS_OK : nerr_raise(NERR_NOMEM, "path_escape: out of memory");
}

/* Parses templates/<name> against hdf and appends the output to out. */
static int render_hdf(const char *template_name, HDF *hdf, struct buf *out)
{
	CSPARSE *cs = NULL;
	NEOERR *err;
	char path[1024];
	size_t start = out->len;
	hdf_set_value(hdf, "Config.VarEscapeMode", "html"); /* every var: escaped */
	hdf_set_value(hdf, "hdf.loadpaths.0", template_dir());
	snprintf(path, sizeof path, "%s/%s", template_dir(), template_name);
	if ((err = cs_init(&cs, hdf)) == STATUS_OK && (err = cgi_register_strfuncs(cs)) == STATUS_OK &&
	    (err = cs_register_strfunc(cs, "path_escape", path_escape)) == STATUS_OK &&
	    (err = cs_parse_file(cs, path)) == STATUS_OK)
		err = cs_render(cs, out, collect);
	cs_destroy(&cs);
	if (err == STATUS_OK)
		return 0;
	log_error(template_name, &err);
	out->len = start; /* no half page */
	return -1;
}

int render(struct web *w, const char *template_name, const char *title,
	   int (*fill)(struct web *w, HDF *hdf, void *ctx), void *ctx)
{
	HDF *hdf = NULL;
	NEOERR *err;
	int rc = -1;

	if ((err = hdf_init(&hdf)) != STATUS_OK) {
		log_error(template_name, &err);
		return -1;
	}
	fill_common(w, hdf, title);
	if (fill && fill(w, hdf, ctx) < 0)
		goto end; /* the handler already set an error response */
	w->res.body.len = 0;
	if (render_hdf(template_name, hdf, &w->res.body) < 0)
		goto end;
	if (!w->res.status)
		w->res.status = 200;
	snprintf(w->res.content_type, sizeof w->res.content_type, "text/html; charset=utf-8");
	rc = 0;
end:
	hdf_destroy(&hdf);
	return rc;
}

int render_fragment(const char *template_name, int (*fill)(HDF *hdf, void *ctx), void *ctx,
		    struct buf *out)
{
	HDF *hdf = NULL;
	NEOERR *err;
	int rc = -1;
	if ((err = hdf_init(&hdf)) != STATUS_OK) {
		log_error(template_name, &err);
		return -1;
	}
	if (fill(hdf, ctx) == 0)
		rc = render_hdf(template_name, hdf, out);
	hdf_destroy(&hdf);
	return rc;
}
