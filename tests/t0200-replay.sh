#!/usr/bin/env bash
# The replay servers for scale tests. rtsp_replay: FFmpeg and the monitor see a 640x360 H.264
# camera on any path, /404* and /401* fail as such, bad requests get 400, and 50 concurrent
# sessions stream at the clip's frame rate in a few MB. mjpeg_many: the same for MJPEG over HTTP.
. "$(dirname "$0")/lib.sh"
REPLAY="$SP_ROOT/build/fixtures/rtsp_replay"
make -s -C "$SP_ROOT" -f tests/fixtures/fixtures.mk fixtures >"$OUT/build.log" 2>&1 ||
	bail "build rtsp_replay" "$(tail -5 "$OUT/build.log")"

# yuv420p: testsrc is RGB, and libx264 would otherwise pick 4:4:4 (High 4:4:4), unlike a camera.
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=10 -t 4 -pix_fmt yuv420p -c:v libx264 \
	-preset ultrafast -tune zerolatency -x264-params keyint=20:min-keyint=20:scenecut=0 \
	-bsf:v h264_mp4toannexb -f h264 "$OUT/clip.h264" || bail "make the clip" "ffmpeg failed"

REPLAY_LOG="$OUT/replay.log"
sp_start replay REPLAY_PORT "$REPLAY" --clip "$OUT/clip.h264" --fps 10 --log "$REPLAY_LOG" \
	--max-seconds 300
REPLAY_PID=$SPAWN_PID
R="rtsp://127.0.0.1:$REPLAY_PORT"

# Sessions join mid-GOP like a live camera, so FFmpeg may log "Missing reference picture" on
# stderr before the first keyframe: only stdout and the exit code count.
check_eq "ffprobe reads codec and size from any path" "h264,640,360" \
	"$(ffprobe -v error -rtsp_transport tcp -select_streams v -show_entries \
		stream=codec_name,width,height -of csv=p=0 "$R/any/path" 2>>"$OUT/ffmpeg.err")"
check "ffmpeg decodes 5 frames" ffmpeg -v error -rtsp_transport tcp -i "$R/cam1" -frames:v 5 -f null -
check_probe "monitor on /cam7" 0 '^OK - h264 640x360, first frame in [0-9]+ ms' "$R/cam7" -t 10
check_probe "monitor on /404x" 2 '^CRITICAL - not_found: RTSP 404' "$R/404x" -t 10
check_probe "monitor on /401x" 2 '^CRITICAL - unauthorized: RTSP 401' "$R/401x" -t 10
check_eq "log: one CONNECT per connection so far (ffprobe, ffmpeg, 3 probes)" 5 \
	"$(grep -c '^CONNECT$' "$REPLAY_LOG")"
check "log: DESCRIBE with the path" grep -q '^DESCRIBE /cam7$' "$REPLAY_LOG"

# Raw RTSP: split and pipelined requests, request bodies, UDP SETUP, malformed and oversized input.
"$PY" - "$REPLAY_PORT" >"$OUT/raw.out" 2>&1 <<'EOF'
import socket, sys, time
port = int(sys.argv[1])

def talk(*chunks):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    try:  # the server may answer 400 and hang up before all is sent
        for c in chunks:
            s.sendall(c)
            time.sleep(0.05)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    data = b""
    while True:
        try:
            d = s.recv(65536)
        except OSError as e:
            return data.decode("latin-1") + f" ({e})"
        if not d:
            return data.decode("latin-1")
        data += d

def status_cseq(text):
    return " ".join(f"{l.split()[1]}" if l.startswith("RTSP/1.0") else l.split()[1]
                    for l in text.split("\r\n") if l.startswith(("RTSP/1.0", "CSeq:")))

print("split+pipelined:", status_cseq(talk(
    b"OPTIONS * RTSP/1.0\r\nCS", b"eq: 5\r\n\r\nGET_PARAMETER rtsp://h/x RTSP/1.0\r\nCSeq: 6\r\n"
    b"Content-Length: 5\r\n\r\nhelloOPTIONS * RTSP/1.0\r\nCSeq: 7\r\n\r\n")))
print("udp setup:", status_cseq(talk(b"SETUP rtsp://h/x/trackID=0 RTSP/1.0\r\nCSeq: 2\r\n"
                                    b"Transport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n")))
print("garbage:", status_cseq(talk(b"\x00\x01\xff garbage\r\n\r\n")))
print("no version:", status_cseq(talk(b"DESCRIBE rtsp://h/x\r\nCSeq: 3\r\n\r\n")))
print("9 KB line:", status_cseq(talk(b"DESCRIBE rtsp://h/" + b"a" * 9000)))
EOF
line() { grep "^$1:" "$OUT/raw.out"; }
check_eq "split and pipelined requests answered in order with their CSeq" \
	"split+pipelined: 200 5 200 6 200 7" "$(line split+pipelined)"
check_eq "UDP SETUP gets 461" "udp setup: 461 2" "$(line "udp setup")"
check_eq "garbage gets 400" "garbage: 400" "$(line garbage)"
check_eq "a request line without version gets 400" "no version: 400 3" "$(line "no version")"
check_eq "a 9 KB request line gets 400" "9 KB line: 400" "$(line "9 KB line")"
check "server survives bad input" sp_alive "$REPLAY_PID"

# 50 concurrent probes from the monitor, each on its own path.
{
	echo "heartbeat_seconds: 60"
	echo "max_concurrent_probes: 50"
	echo "probe_timeout_seconds: 10"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in $(seq 1 50); do printf '  - name: cam%02d\n    url: %s/site/cam%02d\n' "$i" "$R" "$i"; done
} >"$OUT/config.yaml"
before=$(grep -c '^DESCRIBE /site/' "$REPLAY_LOG")
t0=$(now_ms)
"$MON" -c "$OUT/config.yaml" --once 2>"$OUT/once.err"
rc=$?
t1=$(now_ms)
echo "--once with 50 streams: $((t1 - t0)) ms" >>"$OUT/check.log"
check_eq "--once on 50 replay streams exits 0" 0 "$rc"
q() { hb_sql "$OUT/config.yaml" "$1"; }
check_eq "50 up heartbeats, h264 640x360" 50 \
	"$(q "SELECT count(DISTINCT stream_id) FROM heartbeats WHERE up = 1 AND codec = 'h264' AND width = 640 AND height = 360")"
check_eq "no down heartbeat" 0 "$(q "SELECT count(*) FROM heartbeats WHERE up = 0")"
check_eq "the server saw 50 DESCRIBEs" 50 $(($(grep -c '^DESCRIBE /site/' "$REPLAY_LOG") - before))

# 50 sessions held open for 3 s: each must get 10 frames a second with RTP seq in order, while
# the server stays small. Frames are counted by the RTP marker bit, from 0.5 s on (what the
# sockets buffered while the other sessions were being set up arrives at once).
"$PY" - "$REPLAY_PORT" "$REPLAY_PID" >"$OUT/hold.out" 2>&1 <<'EOF'
import selectors, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]

def cpu_ticks():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

def rss_kb():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])

def request(s, buf, text):
    s.sendall(text.encode())
    while b"\r\n\r\n" not in buf[0]:
        buf[0] += s.recv(65536)
    head, _, rest = buf[0].partition(b"\r\n\r\n")
    n = 0
    for l in head.split(b"\r\n"):
        if l.lower().startswith(b"content-length:"):
            n = int(l.split(b":")[1])
    while len(rest) < n:
        rest += s.recv(65536)
    buf[0] = rest[n:]
    return head.decode()

N = 50
socks, state = [], []
for i in range(N):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    buf = [b""]
    url = f"rtsp://127.0.0.1:{port}/hold/{i}"
    request(s, buf, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n")
    h = request(s, buf, f"SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: 2\r\n"
                        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
    sess = [l.split(":", 1)[1].split(";")[0].strip() for l in h.split("\r\n") if l.startswith("Session:")][0]
    request(s, buf, f"PLAY {url} RTSP/1.0\r\nCSeq: 3\r\nSession: {sess}\r\n\r\n")
    s.setblocking(False)
    socks.append(s)
    state.append({"buf": buf[0], "frames": 0, "seq": None, "gaps": 0, "bytes": 0})

sel = selectors.DefaultSelector()
for i, s in enumerate(socks):
    sel.register(s, selectors.EVENT_READ, i)
c0, t0 = cpu_ticks(), time.monotonic()
rss_max = 0
while time.monotonic() - t0 < 3:
    for key, _ in sel.select(0.1):
        st = state[key.data]
        d = key.fileobj.recv(262144)
        st["bytes"] += len(d)
        b = st["buf"] + d
        while len(b) >= 4 and b[0:1] == b"$":
            n = int.from_bytes(b[2:4], "big")
            if len(b) < 4 + n:
                break
            rtp = b[4:4 + n]
            seq = int.from_bytes(rtp[2:4], "big")
            if st["seq"] is not None and seq != (st["seq"] + 1) & 0xFFFF:
                st["gaps"] += 1
            st["seq"] = seq
            if rtp[1] & 0x80 and time.monotonic() - t0 >= 0.5:
                st["frames"] += 1
            b = b[4 + n:]
        if b and b[0:1] != b"$":
            print("not interleaved data:", b[:20])
            sys.exit(1)
        st["buf"] = b
    rss_max = max(rss_max, rss_kb())
secs = time.monotonic() - t0
cpu = (cpu_ticks() - c0) / 100 / secs * 100
frames = sorted(st["frames"] for st in state)
print(f"frames min {frames[0]} max {frames[-1]}")
print(f"seq gaps {sum(st['gaps'] for st in state)}")
print(f"kbit/s per session {sum(st['bytes'] for st in state) * 8 / 1000 / secs / N:.0f}")
print(f"rss_kb {rss_max}")
print(f"cpu_pct {cpu:.0f}")
EOF
hold=$(cat "$OUT/hold.out")
cat "$OUT/hold.out" >>"$OUT/check.log"
grep -q '^seq gaps' "$OUT/hold.out" || not_ok "50 sessions held open" "$(tail -3 "$OUT/hold.out")"
fmin=$(sed -n 's/^frames min \([0-9]*\) .*/\1/p' <<<"$hold")
fmax=$(sed -n 's/^frames min [0-9]* max \([0-9]*\)/\1/p' <<<"$hold")
check_lt "every one of 50 sessions got at least 23 frames in 2.5 s (min ${fmin:-none})" 22 "${fmin:-0}"
check_lt "no session got more than 27 frames in 2.5 s (max ${fmax:-none})" "${fmax:-99}" 28
check_eq "RTP sequence numbers without gaps" "seq gaps 0" "$(grep '^seq gaps' <<<"$hold")"
rss=$(sed -n 's/^rss_kb //p' <<<"$hold")
check_lt "server RSS with 50 sessions playing under 50 MB (${rss:-?} kB)" "${rss:-999999}" 51200
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$REPLAY_PID/status")
echo "server peak RSS (VmHWM): $hwm kB" >>"$OUT/check.log"
check_lt "server peak RSS over the whole test under 50 MB ($hwm kB)" "${hwm:-999999}" 51200

stop_proc "$REPLAY_PID"
check "server exits cleanly on SIGTERM" grep -q 'exiting' "$OUT/replay.err"

# The MJPEG counterpart (tests/fixtures/mjpeg_many.c): any path streams, *.jpg is a snapshot.
mkdir -p "$OUT/frames"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=10 -frames:v 10 -q:v 5 "$OUT/frames/f%02d.jpg" ||
	bail "make MJPEG frames" "ffmpeg failed"
MANY_LOG="$OUT/mjpeg_many.log"
sp_start mjpeg_many MANY_PORT "$SP_ROOT/build/fixtures/mjpeg_many" --frames "$OUT/frames" \
	--log "$MANY_LOG" --max-seconds 300
MANY_PID=$SPAWN_PID
H="http://127.0.0.1:$MANY_PORT"
check_probe "MJPEG on /site/cam3" 0 '^OK - mjpeg 640x360, first frame in [0-9]+ ms' "$H/site/cam3" -t 5
check_probe "snapshot on /a/b/snap.jpg" 0 '^OK - mjpeg 640x360' "$H/a/b/snap.jpg" -t 5
check_probe "MJPEG on /404x" 2 '^CRITICAL - not_found: HTTP 404' "$H/404x" -t 5
check_probe "MJPEG on /401x" 2 '^CRITICAL - unauthorized: HTTP 401' "$H/401x" -t 5
check_eq "mjpeg_many log: 4 connections, GET with the path" "4 GET /site/cam3" \
	"$(grep -c '^CONNECT$' "$MANY_LOG") $(grep -m1 '^GET ' "$MANY_LOG")"
check_eq "mjpeg_many: a 9 KB request line gets 400" "HTTP/1.0 400 Bad Request" \
	"$(head -c 9000 /dev/zero | tr '\0' a | curl -s -i --max-time 3 -H "X: $(cat)" "$H/x" | head -1 | tr -d '\r')"
stop_proc "$MANY_PID"
check "mjpeg_many exits cleanly on SIGTERM" grep -q 'exiting' "$OUT/mjpeg_many.err"
finish
