/* api_format.h - how the API writes a stream and a heartbeat as JSON, and a text as a CSV cell. */
#ifndef SP_API_FORMAT_H
#define SP_API_FORMAT_H

#include <jansson.h>

#include "buf.h"
#include "status.h"
#include "store_web.h"

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD instead of the key going missing.
 * NULL only when out of memory. */
json_t *api_text(const char *s);
/* One stream of /api/streams; NULL only when out of memory. */
json_t *api_stream_json(const struct status_row *r);
/* One heartbeat of /api/streams/NAME/heartbeats; NULL only when out of memory. */
json_t *api_beat_json(const struct beat *b);
/* Appends s as one CSV cell (RFC 4180), without the separator. */
void api_csv_cell(struct buf *b, const char *s);

#endif
