/* test_url.c - password masking and scrubbing: what keeps camera passwords out of every output. */
#include "unit.h"
#include "url.h"

static void mask(const char *url, const char *want)
{
	char out[256];
	url_mask_password(url, out, sizeof out);
	CHECK_STR(out, want);
}

int main(void)
{
	char out[256], pw[64], sch[16];

	mask("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://admin:" URL_MASK "@10.0.0.5:554/stream1");
	mask("rtsp://10.0.0.5/x", "rtsp://10.0.0.5/x");
	mask("http://cam:8080/x", "http://cam:8080/x"); /* a port is not a password */
	mask("rtsp://admin@10.0.0.5/x", "rtsp://admin@10.0.0.5/x");
	/* an unencoded '@' in the password: the last '@' of the authority ends userinfo */
	mask("rtsp://admin:p@ss@10.0.0.5/x", "rtsp://admin:" URL_MASK "@10.0.0.5/x");
	/* an '@' in the path is not userinfo */
	mask("http://cam/a@b", "http://cam/a@b");
	/* raw '/' or '@' in a password: hidden, at the price of masking a path's '@' too much */
	mask("rtsp://admin:pa/ss@10.0.0.5/x", "rtsp://admin:" URL_MASK "@10.0.0.5/x");
	mask("http://u:pw@cam/a@b", "http://u:" URL_MASK "@b");
	mask("admin:pw@10.0.0.5/x", "admin:" URL_MASK "@10.0.0.5/x");

	/* too small a buffer cuts before the password instead of leaking part of it */
	url_mask_password("rtsp://admin:longsecretvalue@host/x", out, 20);
	CHECK(!strstr(out, "long") && !strstr(out, "secret"), "got %s", out);

	url_password("rtsp://admin:p%40ss@host/", pw, sizeof pw);
	CHECK_STR(pw, "p%40ss");
	url_password("rtsp://host/", pw, sizeof pw);
	CHECK_STR(pw, "");

	snprintf(out, sizeof out, "failed for p@ss and p%%40ss twice: p@ss");
	url_scrub(out, sizeof out, "p%40ss");
	CHECK(!strstr(out, "p@ss") && !strstr(out, "p%40ss"), "got %s", out);

	/* scrubbing never overflows: a tiny buffer drops text rather than leak */
	char small[8] = "abcabc";
	url_scrub(small, sizeof small, "abc");
	CHECK(!strstr(small, "abc"), "got %s", small);

	CHECK_INT(url_scheme("RTSP://x", sch, sizeof sch), 0);
	CHECK_STR(sch, "rtsp");
	CHECK_INT(url_scheme("no scheme here", sch, sizeof sch), -1);
	CHECK_INT(url_scheme(":x", sch, sizeof sch), -1);
	CHECK_INT(url_scheme("rtsp:x", sch, sizeof sch), -1); /* no "//": not a camera URL */
	/* a kept (masked) password only goes back to the same scheme, user, host and port */
	char kept[256];
	const char *stored = "rtsp://admin:s3cret@10.0.0.5:554/stream1";
	CHECK_INT(url_restore_password("rtsp://admin:" URL_MASK "@10.0.0.5:554/stream2", stored, kept, sizeof kept), 0);
	CHECK_STR(kept, "rtsp://admin:s3cret@10.0.0.5:554/stream2");
	CHECK_INT(url_restore_password("rtsp://admin:" URL_MASK "@evil.example:554/stream1", stored, kept, sizeof kept), -3);
	CHECK_INT(url_restore_password("rtsp://admin:" URL_MASK "@10.0.0.5:8554/stream1", stored, kept, sizeof kept), -3);
	CHECK_INT(url_restore_password("rtsp://root:" URL_MASK "@10.0.0.5:554/stream1", stored, kept, sizeof kept), -3);
	CHECK_INT(url_restore_password("rtsps://admin:" URL_MASK "@10.0.0.5:554/stream1", stored, kept, sizeof kept), -3);
	CHECK(!strstr(kept, "s3cret"), "leaked: %s", kept);
	CHECK_INT(url_restore_password("rtsp://admin:new@evil.example/x", stored, kept, sizeof kept), 0);
	CHECK_STR(kept, "rtsp://admin:new@evil.example/x");
	return unit_done();
}
