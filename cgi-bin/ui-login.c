/* ui-login.c - GET/POST /login, POST /logout.
 * Outcomes: 200 form; 303 to ?next (same-site paths only) with a new session cookie;
 * 401 wrong name or password; 429 + Retry-After after 5 failures in 10 min; 403 bad CSRF. */
#include <ClearSilver/ClearSilver.h>
#include <string.h>

#include "web.h"

struct login_form {
	const char *next, *user, *message, *csrf;
};

static int fill_login(struct web *w, HDF *hdf, void *ctx)
{
	const struct login_form *f = ctx;
	(void)w;
	hdf_set_value(hdf, "Login.Next", f->next);
	hdf_set_value(hdf, "Login.User", f->user);
	hdf_set_value(hdf, "Login.Message", f->message);
	hdf_set_value(hdf, "Csrf", f->csrf);
	return 0;
}

/* Only paths on this site: "//evil.example" or "https://..." would be an open redirect. No
 * control characters either: browsers drop tabs and newlines from a URL, so "/<TAB>/evil.example"
 * becomes "//evil.example". */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return "/";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "/";
	return next;
}

static void show_form(struct web *w, int status, const char *next, const char *user, const char *msg)
{
	char csrf[AUTH_TOKEN_HEX + 1];
	struct login_form f = { next, user, msg, csrf };
	if (auth_random_hex(csrf) < 0) {
		ui_error(w, 500, "no randomness for the login form");
		return;
	}
	/* Double-submit: a forged cross-site POST cannot read this cookie to copy it. */
	res_header(w, "Set-Cookie: sp_login_csrf=%s; Path=/login; HttpOnly; SameSite=Strict%s", csrf,
		   w->req.https ? "; Secure" : "");
	w->res.status = status;
	render(w, "login.cs", "Log in", fill_login, &f);
}

void ui_login(struct web *w)
{
	const char *next = safe_next(kv_get(w->req.method[0] == 'P' ? &w->req.form : &w->req.query, "next"));
	const char *user, *pass;
	char token[AUTH_TOKEN_HEX + 1], csrf[AUTH_TOKEN_HEX + 1];
	int retry = 0;
	if (strcmp(w->req.method, "POST")) {
		show_form(w, 200, next, "", "");
		return;
	}
	if (input_text(&w->req.form, "user", 64, &user) < 0 || input_text(&w->req.form, "password", 1024, &pass) < 0) {
		show_form(w, 400, next, "", "user name or password has characters that cannot be typed");
		return;
	}
	switch (auth_login(w->st, user, pass, w->req.remote_addr, web_now_ms(), &w->user, &retry)) {
	case AUTH_OK:
		break;
	case AUTH_THROTTLED:
		res_header(w, "Retry-After: %d", retry);
		ui_error(w, 429, "too many failed logins for this user or address: try again in %d s", retry);
		return;
	case AUTH_BAD:
		show_form(w, 401, next, user, "wrong user name or password");
		return;
	default:
		ui_error(w, 503, "cannot check the password (database error)");
		return;
	}
	/* A new token at every login: a session id planted before login is worth nothing. */
	if (w->token[0])
		auth_session_revoke(w->st, w->token);
	if (auth_session_create(w->st, w->user.id, web_now_ms(), token, csrf) < 0) {
		ui_error(w, 503, "cannot create a session (database error)");
		return;
	}
	res_cookie(w, "sp_session", token, (int)(AUTH_SESSION_MS / 1000));
	res_header(w, "Set-Cookie: sp_login_csrf=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
	res_redirect(w, w->user.must_change ? "/account" : next);
	memset(token, 0, sizeof token);
}

void ui_logout(struct web *w)
{
	if (w->token[0])
		auth_session_revoke(w->st, w->token);
	res_cookie(w, "sp_session", "", 0);
	res_redirect(w, "/login");
}
