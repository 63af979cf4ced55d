/* url.h - camera URL helpers: scheme, and keeping passwords out of every output. */
#ifndef SP_URL_H
#define SP_URL_H

#include <stddef.h>

#define URL_MASK "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" /* "•••" */

/* Where a password may sit in URL-like text s[0, len): after the first ':' past "scheme://"
 * up to the last '@'. Wider than RFC 3986 on purpose: a password holding a raw '/', '#' or
 * '@' (cameras' users type them), or a URL missing its scheme, stays hidden too; a path with
 * an '@' may be masked more than needed. 1 with [*from, *to), or 0 when there is none. */
int url_password_span(const char *s, size_t len, size_t *from, size_t *to);

/* Copies url into out with the userinfo password replaced by URL_MASK. Always
 * terminates out; a URL too long is cut, never left holding part of a password. */
void url_mask_password(const char *url, char *out, size_t outlen);

/* Copies the raw (still percent-encoded) password of url into out; "" when none. */
void url_password(const char *url, char *out, size_t outlen);

/* Copies edited into out, except that a password written as exactly URL_MASK (what a form
 * shows for a stored password) becomes the password of stored, as written there. 0; -1 when
 * edited keeps the mask but stored has no password; -2 when the result does not fit in out;
 * -3 when the scheme, user, host or port differ from stored's: a kept password is never sent
 * to another camera (out is "" after any failure). */
int url_restore_password(const char *edited, const char *stored, char *out, size_t outlen);

/* Replaces every occurrence of secret (and its percent-decoded form) in text with URL_MASK,
 * in place, within textlen bytes. */
void url_scrub(char *text, size_t textlen, const char *secret);

/* Length of the "scheme" of s[0, len) when "://" follows it, else 0. */
size_t url_scheme_length(const char *s, size_t len);

/* Lower-cased scheme ("rtsp", "http", ...) into out; returns 0, or -1 when url has none. */
int url_scheme(const char *url, char *out, size_t outlen);

/* The URL's host name or address, lower-cased, as libcurl's URL parser reads it. 0, or -1
 * when it has none or does not fit. */
int url_host(const char *url, char *out, size_t outlen);

#endif
