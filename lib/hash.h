/* hash.h - SHA-256 and hex: session/token hashes, the config file's version, cache keys. */
#ifndef SP_HASH_H
#define SP_HASH_H

#include <stddef.h>

/* bin[0, n) as lowercase hex into out (2n + 1 bytes). */
void hash_hex(const unsigned char *bin, size_t n, char *out);

/* SHA-256 of data as lowercase hex (libavutil). 0, or -1 with out "" (an empty hash never
 * matches a stored one). */
int hash_sha256_hex(const void *data, size_t len, char out[65]);

#endif
