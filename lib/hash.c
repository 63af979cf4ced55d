/* hash.c - SHA-256 and hex: one implementation for auth, config versions and cache keys. */
#include "hash.h"

#include <libavutil/mem.h>
#include <libavutil/sha.h>

void hash_hex(const unsigned char *bin, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 15];
	}
	out[2 * n] = '\0';
}

int hash_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[32];
	struct AVSHA *sha = av_sha_alloc();
	int rc = -1;
	out[0] = '\0';
	if (sha && av_sha_init(sha, 256) == 0) {
		av_sha_update(sha, data, len);
		av_sha_final(sha, digest);
		hash_hex(digest, sizeof digest, out);
		rc = 0;
	}
	av_free(sha);
	return rc;
}
