/* multipart.c - finds the first image in a multipart/x-mixed-replace (MJPEG) body. */
#include "multipart.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Preamble, headers and slack we read past the boundary before calling the body malformed. */
#define HEADER_LIMIT 16384

int multipart_boundary(const char *ct, char *out, size_t outlen)
{
	const char *p = ct;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9))
			continue;
		p += 9;
		size_t n;
		if (*p == '"') {
			p++;
			n = strcspn(p, "\"");
		} else {
			n = strcspn(p, "; \t\r\n");
		}
		if (!n || n >= outlen)
			return -1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

static const char *find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (!nlen)
		return NULL;
	return memmem(hay, hlen, needle, nlen);
}

/* Servers disagree on dashes: RFC 2046 says "--" + boundary, MotionEye-era servers declare
 * "--x" and write "--x" or "----x". Matching the bare token copes with both. */
static const char *bare_token(const char *boundary)
{
	while (*boundary == '-')
		boundary++;
	return *boundary ? boundary : NULL;
}

/* Content-Length value from a header block, or -1. */
static long long header_length(const char *h, size_t hlen)
{
	for (size_t i = 0; i < hlen; ) {
		size_t eol = i;
		while (eol < hlen && h[eol] != '\n')
			eol++;
		if (eol - i > 15 && !strncasecmp(h + i, "Content-Length:", 15)) {
			char num[32];
			size_t n = eol - i - 15;
			if (n >= sizeof num)
				return -1;
			memcpy(num, h + i + 15, n);
			num[n] = '\0';
			char *end;
			long long v = strtoll(num, &end, 10);
			while (isspace((unsigned char)*end))
				end++;
			return (*end || v < 0) ? -2 : v;
		}
		i = eol + 1;
	}
	return -1;
}

/* End of the header block starting at p: offset of the first payload byte, or 0. Only the
 * first HEADER_LIMIT bytes are searched: a block that does not end there is malformed. */
static size_t headers_end(const char *p, size_t len)
{
	/* No headers at all (RFC 2046: the part is then text/plain, but cameras mean their JPEG):
	 * the blank line comes first, and searching for two line ends would run into the payload. */
	if (len >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
	if (len >= 1 && p[0] == '\n')
		return 1;
	if (len > HEADER_LIMIT)
		len = HEADER_LIMIT;
	const char *e = find_bytes(p, len, "\r\n\r\n", 4);
	const char *lf = find_bytes(p, len, "\n\n", 2);
	if (e && (!lf || e < lf))
		return (size_t)(e - p) + 4;
	return lf ? (size_t)(lf - p) + 2 : 0;
}

enum multipart_status multipart_first_part(const char *buf, size_t len, const char *boundary,
					   size_t max_part, size_t *off, size_t *plen,
					   size_t *searched, char *err, size_t errlen)
{
	const char *tok = bare_token(boundary);
	if (!tok) {
		snprintf(err, errlen, "empty multipart boundary");
		return MULTIPART_ERROR;
	}
	size_t tlen = strlen(tok);
	const char *b = find_bytes(buf, len, tok, tlen);
	if (!b)
		goto more_or_error;
	const char *line_end = memchr(b, '\n', len - (size_t)(b - buf));
	if (!line_end)
		goto more_or_error;
	const char *hdr = line_end + 1;
	size_t hlen = headers_end(hdr, len - (size_t)(hdr - buf));
	if (!hlen) {
		if (len - (size_t)(hdr - buf) <= HEADER_LIMIT)
			return MULTIPART_MORE;
		snprintf(err, errlen, "multipart part headers longer than %d bytes", HEADER_LIMIT);
		return MULTIPART_ERROR;
	}
	size_t start = (size_t)(hdr - buf) + hlen;
	long long cl = header_length(hdr, hlen);
	if (cl == -2) {
		snprintf(err, errlen, "multipart part has an invalid Content-Length");
		return MULTIPART_ERROR;
	}
	if (cl >= 0) {
		if ((unsigned long long)cl > max_part)
			return MULTIPART_TOO_LARGE;
		if (len - start < (size_t)cl)
			return MULTIPART_MORE;
		*off = start;
		*plen = (size_t)cl;
		return MULTIPART_FOUND;
	}
	/* The boundary may straddle the previous end of the buffer: back up by its length. */
	size_t from = *searched > start + tlen ? *searched - tlen : start;
	const char *next = find_bytes(buf + from, len - from, tok, tlen);
	if (!next) {
		*searched = len;
		return len - start > max_part ? MULTIPART_TOO_LARGE : MULTIPART_MORE;
	}
	size_t end = (size_t)(next - buf);
	while (end > start && buf[end - 1] == '-')
		end--;
	if (end > start && buf[end - 1] == '\n')
		end--;
	if (end > start && buf[end - 1] == '\r')
		end--;
	/* The limit holds however the bytes arrived: a part found within one big read is no
	 * smaller than the same part that was refused while arriving in small ones. */
	if (end - start > max_part)
		return MULTIPART_TOO_LARGE;
	*off = start;
	*plen = end - start;
	return MULTIPART_FOUND;

more_or_error:
	if (len > HEADER_LIMIT) {
		snprintf(err, errlen, "no multipart boundary '%.40s' in the first %d bytes", tok, HEADER_LIMIT);
		return MULTIPART_ERROR;
	}
	return MULTIPART_MORE;
}
