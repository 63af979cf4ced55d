#!/usr/bin/env bash
# Zoo of misbehaving cameras, HTTP: not video, multipart without a boundary, parts that never
# end or are 50 MB, a JPEG claiming 65535x65535, a truncated JPEG, chunked encoding cut short,
# 401 forever, redirects to file:// and ftp:// (refused), redirect loops (at most 3 hops).
# Each probe names the failure within its deadline, without a crash, in bounded memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zoo.sh"
start_hostile
Z="http://127.0.0.1:$HOSTILE_PORT/http"
CRED="http://$TEST_HTTP_USER:$TEST_HTTP_PASS@127.0.0.1:$HOSTILE_PORT/http"

zoo_ok "good snapshot (control)" "$Z/jpeg"
zoo_check "200 text/html" no_video 'not a video: Content-Type text/html' "$Z/html"
zoo_check "multipart without boundary" protocol 'without a usable boundary' "$Z/no-boundary"
zoo_check "a part that never ends" timeout 'no image within 3000 ms' "$Z/endless-part"
zoo_check "a 50 MB part" too_large 'MJPEG part larger than 16 MB' "$Z/huge-part"
zoo_check "a 50 MB part, no Content-Length" too_large 'larger than 16 MB' "$Z/huge-part-nolen"
zoo_check "a 50 MB snapshot" too_large 'image larger than 16 MB' "$Z/huge-jpeg"
zoo_check "JPEG claiming 65535x65535" decode 'JPEG does not decode.*65535x65535' "$Z/sof-huge"
zoo_check "truncated JPEG" decode 'JPEG does not decode' "$Z/truncated-jpeg"
zoo_check "chunked, stops mid-chunk" protocol 'transfer closed' "$Z/chunked-stop"
zoo_check "401 forever, no credentials" unauthorized 'HTTP 401' "$Z/auth-loop"
# curl counted the Digest retries as redirects: this was 'protocol: Maximum (3) redirects'.
zoo_check "401 forever, with credentials" unauthorized 'HTTP 401' "$CRED/auth-loop"
check "the 401 line holds no password" test "${LAST_OUT/$TEST_HTTP_PASS/}" = "$LAST_OUT"
zoo_check "redirect to file:///etc/passwd" protocol 'Protocol "file" not supported' "$Z/redirect-file"
check "no password file content in the line" test "${LAST_OUT/root:/}" = "$LAST_OUT"
zoo_check "redirect to ftp://" protocol 'Protocol "ftp" not supported' "$Z/redirect-ftp"
zoo_check "redirect loop" protocol 'Maximum \(3\) redirects followed' "$Z/redirect-loop"
zoo_check "redirect loop, with credentials" protocol 'Maximum \(3\) redirects' "$CRED/redirect-loop"
check "the redirect line holds no password" test "${LAST_OUT/$TEST_HTTP_PASS/}" = "$LAST_OUT"
zoo_ok "3 redirects are followed" "$Z/redirect-hops/3"
zoo_check "4 redirects are not" protocol 'Maximum \(3\) redirects followed' "$Z/redirect-hops/4"
zoo_table
finish
