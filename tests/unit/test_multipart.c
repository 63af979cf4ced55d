/* test_multipart.c - finding the first JPEG in MJPEG bodies as real servers write them. */
#include "multipart.h"
#include "unit.h"

static enum multipart_status find(const char *body, size_t len, const char *boundary,
				  size_t *off, size_t *plen)
{
	char err[128];
	size_t searched = 0;
	return multipart_first_part(body, len, boundary, 1000, off, plen, &searched, err, sizeof err);
}

int main(void)
{
	char b[64];
	size_t off = 0, len = 0;

	CHECK_INT(multipart_boundary("multipart/x-mixed-replace; boundary=spframe", b, sizeof b), 0);
	CHECK_STR(b, "spframe");
	CHECK_INT(multipart_boundary("multipart/x-mixed-replace;boundary=\"--my frame\"", b, sizeof b), 0);
	CHECK_STR(b, "--my frame");
	CHECK_INT(multipart_boundary("multipart/x-mixed-replace", b, sizeof b), -1);

	/* Content-Length is trusted even when the payload holds the boundary and FF D9 */
	const char *cl = "--x\r\nContent-Type: image/jpeg\r\nContent-Length: 10\r\n\r\nAB--x\xff\xd9XYZ\r\n--x\r\n";
	CHECK_INT(find(cl, strlen(cl), "x", &off, &len), MULTIPART_FOUND);
	CHECK_INT(len, 10);
	CHECK(!memcmp(cl + off, "AB--x", 5));

	/* not all of it yet */
	CHECK_INT(find(cl, 40, "x", &off, &len), MULTIPART_MORE);

	/* no Content-Length: ends at the next boundary, CRLF excluded */
	const char *nolen = "--spf\r\nContent-Type: image/jpeg\r\n\r\nJPEGDATA\r\n--spf\r\n";
	CHECK_INT(find(nolen, strlen(nolen), "spf", &off, &len), MULTIPART_FOUND);
	CHECK_INT(len, 8);
	CHECK(!memcmp(nolen + off, "JPEGDATA", 8));

	/* MotionEye-style: boundary declared with dashes, written with two more, LF only */
	const char *dashes = "----BoundaryString\nContent-type: image/jpeg\nContent-Length: 4\n\nJPEG\n";
	CHECK_INT(find(dashes, strlen(dashes), "--BoundaryString", &off, &len), MULTIPART_FOUND);
	CHECK_INT(len, 4);

	/* limits */
	const char *big = "--x\r\nContent-Length: 5000\r\n\r\n";
	CHECK_INT(find(big, strlen(big), "x", &off, &len), MULTIPART_TOO_LARGE);
	const char *neg = "--x\r\nContent-Length: -5\r\n\r\n";
	CHECK_INT(find(neg, strlen(neg), "x", &off, &len), MULTIPART_ERROR);
	const char *garbage = "--x\r\nContent-Length: 12abc\r\n\r\n";
	CHECK_INT(find(garbage, strlen(garbage), "x", &off, &len), MULTIPART_ERROR);

	/* no boundary in a long body is an error, not an endless wait */
	static char junk[20000];
	memset(junk, 'a', sizeof junk);
	CHECK_INT(find(junk, sizeof junk, "x", &off, &len), MULTIPART_ERROR);
	CHECK_INT(find(junk, 100, "x", &off, &len), MULTIPART_MORE);
	CHECK_INT(find(junk, 100, "---", &off, &len), MULTIPART_ERROR);

	/* fed a byte at a time: the end boundary is found though it straddles two reads */
	const char *bits = "--spf\r\nContent-Type: image/jpeg\r\n\r\nJPEG-JPEG-JPEG\r\n--spf\r\n";
	enum multipart_status st = MULTIPART_MORE;
	size_t searched = 0, n;
	char err[128];
	for (n = 1; n <= strlen(bits) && st == MULTIPART_MORE; n++)
		st = multipart_first_part(bits, n, "spf", 1000, &off, &len, &searched, err, sizeof err);
	CHECK_INT(st, MULTIPART_FOUND);
	CHECK_INT(len, 14);
	CHECK_INT(n - 1, strlen(bits) - 2); /* found with the boundary's last byte */

	/* a part without headers starts right after the blank line */
	const char *bare = "--x\r\n\r\nJPEG\r\n--x\r\n";
	CHECK_INT(find(bare, strlen(bare), "x", &off, &len), MULTIPART_FOUND);
	CHECK_INT(len, 4);
	CHECK(!memcmp(bare + off, "JPEG", 4));

	/* without Content-Length the limit holds also when the whole part came in one read */
	char over[1200];
	int n_over = snprintf(over, sizeof over, "--x\r\n\r\n%01100d\r\n--x\r\n", 0);
	CHECK_INT(find(over, (size_t)n_over, "x", &off, &len), MULTIPART_TOO_LARGE);

	/* part headers that never end are an error, not an endless wait */
	memcpy(junk, "--x\r\n", 5);
	CHECK_INT(find(junk, sizeof junk, "x", &off, &len), MULTIPART_ERROR);
	return unit_done();
}
