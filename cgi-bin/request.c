/* request.c - the request, parsed once: method, path, query, form, cookies, credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

static void copy_env(char *dst, size_t len, const char *name)
{
	const char *v = getenv(name);
	snprintf(dst, len, "%s", v ? v : "");
}

int request_parse(struct request *req, const char *body, size_t len)
{
	const char *q = getenv("QUERY_STRING"), *ct = getenv("CONTENT_TYPE");
	const char *https = getenv("HTTPS");
	memset(req, 0, sizeof *req);
	copy_env(req->method, sizeof req->method, "REQUEST_METHOD");
	copy_env(req->path, sizeof req->path, "PATH_INFO");
	if (!req->path[0])
		snprintf(req->path, sizeof req->path, "/");
	copy_env(req->remote_addr, sizeof req->remote_addr, "REMOTE_ADDR");
	copy_env(req->authorization, sizeof req->authorization, "HTTP_AUTHORIZATION");
	copy_env(req->if_none_match, sizeof req->if_none_match, "HTTP_IF_NONE_MATCH");
	req->https = https && (!strcasecmp(https, "on") || !strcmp(https, "1"));
	if (q)
		params_parse_urlencoded(&req->query, q, strlen(q));
	if (body && ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33))
		params_parse_urlencoded(&req->form, body, len);
	params_parse_cookies(&req->cookies, getenv("HTTP_COOKIE"));
	req->too_many_fields = req->query.n > PARAMS_MAX_FIELDS || req->form.n > PARAMS_MAX_FIELDS;
	return 0;
}

void request_free(struct request *req)
{
	params_free(&req->query);
	params_free(&req->form);
	params_free(&req->cookies);
}
