/* fuzz_multipart.c - libFuzzer target: the MJPEG multipart parser fed in random-sized chunks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

/* Input: a Content-Type value, '\n', then the body. The chunk sizes come from a generator
 * seeded by the input, so a crash replays exactly. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char ct[512], boundary[128], err[128], ferr[128];
	uint32_t seed = 2166136261u;
	if (!nl || (size_t)(nl - data) >= sizeof ct)
		return 0;
	memcpy(ct, data, (size_t)(nl - data));
	ct[nl - data] = '\0';
	if (multipart_boundary(ct, boundary, sizeof boundary) < 0)
		return 0;
	if (strnlen(boundary, sizeof boundary) == sizeof boundary)
		abort();
	const uint8_t *body = nl + 1;
	size_t blen = size - (size_t)(body - data);
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	seed |= 1;
	/* Small limits, so TOO_LARGE is reachable within libFuzzer's input sizes. */
	size_t max_part = 1 + (seed >> 8) % 2048;
	size_t len = 0, searched = 0, off = 0, plen = 0;
	char *buf = NULL;
	enum multipart_status st = MULTIPART_MORE;
	while (st == MULTIPART_MORE && len < blen) {
		size_t step = 1 + next_rand(&seed) % (next_rand(&seed) % 4 ? 16 : 512);
		if (step > blen - len)
			step = blen - len;
		/* A fresh exact-size block each time, as the probe's growing buffer may move, and
		 * so a read past len is an ASan report. */
		char *grown = malloc(len + step);
		if (!grown)
			break;
		if (len)
			memcpy(grown, buf, len);
		memcpy(grown + len, body + len, step);
		free(buf);
		buf = grown;
		len += step;
		st = multipart_first_part(buf, len, boundary, max_part, &off, &plen, &searched, err,
					  sizeof err);
		/* Resuming must not change the answer: a fresh look at the same bytes agrees. */
		size_t foff = 0, fplen = 0, fsearched = 0;
		enum multipart_status fresh = multipart_first_part(buf, len, boundary, max_part, &foff,
								   &fplen, &fsearched, ferr, sizeof ferr);
		if (fresh != st || (st == MULTIPART_FOUND && (foff != off || fplen != plen)))
			abort();
		if (st == MULTIPART_FOUND && (off > len || plen > len - off || plen > max_part))
			abort();
		if (st == MULTIPART_ERROR && !err[0])
			abort();
		if (searched > len)
			abort();
	}
	free(buf);
	return 0;
}
