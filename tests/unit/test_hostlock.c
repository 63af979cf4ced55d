/* test_hostlock.c - client slot keys and slots: one file per host:port, taken and freed. */
#include <stdlib.h>
#include <unistd.h>

#include "hostlock.h"
#include "proof.h"
#include "unit.h"

static void key(const char *url, const char *want)
{
	char out[300];
	if (CHECK_INT(hostlock_key(url, out, sizeof out), 0))
		CHECK_STR(out, want);
}

static void slots(const char *dir)
{
	struct hostlock a, b, c;
	char err[256];
	const char *u = "rtsp://cam.example:8554/one", *v = "rtsp://CAM.example:8554/two";
	CHECK_INT(hostlock_take(dir, u, 2, 0, NULL, &a, err, sizeof err), 0);
	CHECK_INT(hostlock_take(dir, v, 2, 0, NULL, &b, err, sizeof err), 0); /* same host */
	CHECK(a.slot != b.slot);
	CHECK_INT(hostlock_take(dir, u, 2, 120, NULL, &c, err, sizeof err), 1); /* busy after 120 ms */
	CHECK_INT(c.fd, -1);
	CHECK_INT(hostlock_take(dir, "rtsp://cam.example:554/x", 2, 0, NULL, &c, err, sizeof err), 0);
	hostlock_release(&c); /* another port: another host */
	hostlock_release(&a);
	CHECK_INT(hostlock_take(dir, u, 2, 0, NULL, &c, err, sizeof err), 0); /* a's slot is free */
	CHECK_INT(c.slot, 0);
	hostlock_release(&c);
	hostlock_release(&c); /* twice: harmless */
	hostlock_release(&b);
	CHECK_INT(hostlock_take(dir, u, 0, 0, NULL, &c, err, sizeof err), 0); /* no limit */
	CHECK_INT(c.fd, -1);
	CHECK_INT(hostlock_take(dir, "no url", 1, 0, NULL, &c, err, sizeof err), -1);
}

static void proofs(const char *dir)
{
	struct probe_result r = { .up = 1, .first_frame_ms = 240, .connect_ms = 30, .codec = "h264",
				  .width = 320, .height = 240 }, got;
	char err[256];
	int64_t ts = 0;
	CHECK_INT(proof_write(dir, 7, 1000, &r, err, sizeof err), 0);
	CHECK_INT(proof_take(dir, 7, 1001, &got, &ts), 0); /* too old: spent */
	CHECK_INT(proof_take(dir, 7, 0, &got, &ts), 0);
	CHECK_INT(proof_write(dir, 7, 5000, &r, err, sizeof err), 0);
	if (CHECK_INT(proof_take(dir, 7, 4000, &got, &ts), 1)) {
		CHECK_INT(ts, 5000);
		CHECK_INT(got.up, 1);
		CHECK_INT(got.first_frame_ms, 240);
		CHECK_INT(got.connect_ms, 30);
		CHECK_STR(got.codec, "h264");
		CHECK_INT(got.width, 320);
		CHECK_INT(got.height, 240);
	}
	CHECK_INT(proof_take(dir, 7, 4000, &got, &ts), 0); /* used up */
}

int main(void)
{
	char dir[] = "/tmp/sp-hostlock-XXXXXX", cmd[64];
	key("rtsp://10.0.0.5/stream1", "10.0.0.5_554");
	key("rtsp://admin:pw@Cam.Example:8554/x", "cam.example_8554");
	key("http://cam/snap.jpg", "cam_80");
	key("rtsp://[::1]:8554/x", "___1__8554");
	if (!CHECK(mkdtemp(dir) != NULL))
		return 1;
	slots(dir);
	proofs(dir);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return unit_done();
}
