/* ui-account.c - GET/POST /account: change password, create an API token, add users (admins).
 * Tokens are listed (label, date) and can be revoked.
 * Outcomes: 200 page (with a message or the new token shown once); 400 invalid input named;
 * 403 wrong current password or not an admin for adding users. */
#include <ClearSilver/ClearSilver.h>
#include <string.h>

#include "web.h"

struct account_page {
	const char *message, *error, *token;
};

struct token_rows {
	struct web *w;
	HDF *hdf;
	int n;
};

static int add_token(void *ctx, const char *id, const char *label, int64_t created_ms)
{
	struct token_rows *t = ctx;
	char key[64], when[64];
	web_time(t->w, created_ms, when, sizeof when);
	snprintf(key, sizeof key, "Tokens.%d.Id", t->n);
	hdf_set_value(t->hdf, key, id);
	snprintf(key, sizeof key, "Tokens.%d.Label", t->n);
	hdf_set_value(t->hdf, key, label);
	snprintf(key, sizeof key, "Tokens.%d.Created", t->n++);
	hdf_set_value(t->hdf, key, when);
	return 0;
}

static int fill_account(struct web *w, HDF *hdf, void *ctx)
{
	const struct account_page *p = ctx;
	struct token_rows t = { w, hdf, 0 };
	hdf_set_value(hdf, "Account.Message", p->message);
	hdf_set_value(hdf, "Account.Error", p->error);
	hdf_set_value(hdf, "Account.Token", p->token);
	auth_api_token_list(w->st, w->user.id, add_token, &t);
	return 0;
}

static void change_password(struct web *w, struct account_page *p, char *err, size_t errlen)
{
	const char *cur, *pw, *pw2;
	struct auth_user check;
	int retry;
	if (input_text(&w->req.form, "current", 1024, &cur) < 0 ||
	    input_text(&w->req.form, "password", 1024, &pw) < 0 ||
	    input_text(&w->req.form, "password2", 1024, &pw2) < 0 || strcmp(pw, pw2)) {
		p->error = "the two new passwords differ (or hold characters that cannot be typed)";
		w->res.status = 400;
		return;
	}
	enum auth_result r = auth_login(w->st, w->user.name, cur, w->req.remote_addr, web_now_ms(), &check, &retry);
	if (r != AUTH_OK) {
		p->error = r == AUTH_THROTTLED ? "too many failed attempts: try again later" : "the current password is wrong";
		w->res.status = r == AUTH_THROTTLED ? 429 : 403;
		return;
	}
	if (auth_set_password(w->st, w->user.id, pw, w->token[0] ? w->token : NULL, err, errlen) < 0) {
		p->error = err;
		w->res.status = 400;
		return;
	}
	w->user.must_change = 0;
	p->message = "password changed; your other sessions were logged out";
}

static void add_user(struct web *w, struct account_page *p, char *err, size_t errlen)
{
	const char *name, *pw, *role;
	if (w->user.role != AUTH_ADMIN) {
		p->error = "only admins add users";
		w->res.status = 403;
		return;
	}
	if (input_text(&w->req.form, "name", 64, &name) < 0 || input_text(&w->req.form, "password", 1024, &pw) < 0 ||
	    input_text(&w->req.form, "role", 16, &role) < 0 || (strcmp(role, "admin") && strcmp(role, "viewer"))) {
		p->error = "user name (1-64 characters), password and role (admin or viewer) are needed";
		w->res.status = 400;
		return;
	}
	if (auth_user_add(w->st, name, pw, !strcmp(role, "admin") ? AUTH_ADMIN : AUTH_VIEWER,
			  web_now_ms(), err, errlen) < 0) {
		p->error = err;
		w->res.status = 400;
		return;
	}
	p->message = "user added";
}

void ui_account(struct web *w)
{
	struct account_page p = { "", "", "" };
	char err[256] = "", token[AUTH_TOKEN_HEX + 1] = "";
	const char *action = kv_get(&w->req.form, "action");
	if (!strcmp(w->req.method, "POST")) {
		if (action && !strcmp(action, "password"))
			change_password(w, &p, err, sizeof err);
		else if (action && !strcmp(action, "adduser"))
			add_user(w, &p, err, sizeof err);
		else if (action && !strcmp(action, "token")) {
			const char *label;
			if (input_text(&w->req.form, "label", 64, &label) < 0 || !*label)
				label = "api";
			if (auth_api_token_create(w->st, w->user.id, label, web_now_ms(), token) < 0)
				p.error = "cannot create a token (database error)";
			else
				p.token = token;
		} else if (action && !strcmp(action, "revoke")) {
			if (auth_api_token_revoke(w->st, w->user.id, kv_get(&w->req.form, "id")) == 1)
				p.message = "token revoked";
			else
				p.error = "no such token of yours";
		} else {
			p.error = "unknown action";
			w->res.status = 400;
		}
	}
	res_header(w, "Cache-Control: no-store");
	render(w, "account.cs", "Account", fill_account, &p);
	memset(token, 0, sizeof token);
}
