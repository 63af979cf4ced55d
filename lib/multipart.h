/* multipart.h - finds the first image in a multipart/x-mixed-replace (MJPEG) body. */
#ifndef SP_MULTIPART_H
#define SP_MULTIPART_H

#include <stddef.h>

enum multipart_status { MULTIPART_MORE = 0, MULTIPART_FOUND = 1, MULTIPART_ERROR = -1, MULTIPART_TOO_LARGE = -2 };

/* Extracts the boundary parameter of a Content-Type value (quotes removed) into out.
 * Returns 0, or -1 when there is none or it does not fit. */
int multipart_boundary(const char *content_type, char *out, size_t outlen);

/* Looks at the first len bytes of a body. FOUND: the first part's payload is
 * buf[*off, *off + *plen). MORE: feed more bytes. TOO_LARGE: the part exceeds max_part.
 * ERROR: err says what is malformed. The part's Content-Length is trusted when present,
 * since JPEGs can contain the boundary-like bytes and FF D9 (EXIF thumbnails).
 * *searched (start at 0, keep between calls on the same growing buffer) remembers how far a
 * part without Content-Length was searched for its end: each byte is searched once, not once
 * per call, so a 16 MB part arriving in small reads costs 16 MB of searching, not terabytes. */
enum multipart_status multipart_first_part(const char *buf, size_t len, const char *boundary,
					   size_t max_part, size_t *off, size_t *plen,
					   size_t *searched, char *err, size_t errlen);

#endif
