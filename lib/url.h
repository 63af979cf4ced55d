/* url.h - camera URL helpers: scheme, and keeping passwords out of every output. */
#ifndef SP_URL_H
#define SP_URL_H

#include <stddef.h>

#define URL_MASK "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" /* "•••" */

/* Copies url into out with the userinfo password replaced by URL_MASK. Always
 * terminates out; a URL too long is cut, never left holding part of a password. */
void url_mask_password(const char *url, char *out, size_t outlen);

/* Copies the raw (still percent-encoded) password of url into out; "" when none. */
void url_password(const char *url, char *out, size_t outlen);

/* Replaces every occurrence of secret (and its percent-decoded form) in text with URL_MASK,
 * in place, within textlen bytes. */
void url_scrub(char *text, size_t textlen, const char *secret);

/* Lower-cased scheme ("rtsp", "http", ...) into out; returns 0, or -1 when url has none. */
int url_scheme(const char *url, char *out, size_t outlen);

#endif
