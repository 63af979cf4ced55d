/* utf8.h - strict UTF-8 decoding of one code point, shared by the config checks and the JSON API. */
#ifndef SP_UTF8_H
#define SP_UTF8_H

#include <stdint.h>

/* Length of the UTF-8 sequence at p (p < end) and its code point, or 0 when malformed
 * (overlong, surrogate, beyond U+10FFFF, cut short). */
int utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp);

#endif
