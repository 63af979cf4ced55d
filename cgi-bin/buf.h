/* buf.h - a growable byte buffer, always NUL-terminated, for response bodies and headers. */
#ifndef SP_BUF_H
#define SP_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
};

/* Out of memory aborts: a response we cannot build is not worth limping on. */
void buf_add(struct buf *b, const void *data, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
void buf_free(struct buf *b);

#endif
