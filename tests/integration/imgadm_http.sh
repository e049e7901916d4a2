#!/bin/bash
# imgadm_http: an IMGAPI source over HTTP. A python3 http.server on 127.0.0.1 serves a tree shaped
# as IMGAPI answers (/images, /images/UUID, /images/UUID/file; the first two are directories whose
# index.html the server gives after a redirect, which the client follows). `imgadm sources -a`
# takes the URL (https and other schemes are refused), `avail` lists what it offers, `import`
# fetches the manifest and the file with imgadm's own HTTP client, checks them and installs the
# image, leaving no download behind; an image the server does not have, a file whose sha1 is
# wrong and a server that is gone each fail with one line and install nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
command -v python3 >/dev/null || skip "no python3 for the test's HTTP server"
use_images

# the tree: the busybox image, and a second manifest whose sha1 does not match its file
www=$TEST_TMP/www
bad=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$www/images/$IMAGE_UUID" "$www/images/$bad"
cp "$IMAGE_DIR/busybox.json" "$www/images/$IMAGE_UUID/index.html"
cp "$IMAGE_DIR/busybox.zfs" "$www/images/$IMAGE_UUID/file"
jq --arg u "$bad" '.uuid = $u | .name = "broken" | .files[0].sha1 = ("0" * 40)' \
	"$IMAGE_DIR/busybox.json" >"$www/images/$bad/index.html"
cp "$IMAGE_DIR/busybox.zfs" "$www/images/$bad/file"
jq -s . "$www/images/$IMAGE_UUID/index.html" "$www/images/$bad/index.html" \
	>"$www/images/index.html"

python3 -u -m http.server --bind 127.0.0.1 --directory "$www" 0 >"$TEST_TMP/http.log" 2>&1 &
server=$!
at_exit "kill $server 2>/dev/null"
port=
for _ in $(seq 1 600); do
	port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TEST_TMP/http.log" | head -n 1)
	[ -n "$port" ] && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
[ -n "$port" ] || skip "the python3 HTTP server did not start: $(cat "$TEST_TMP/http.log")"
url=http://127.0.0.1:$port

# sources: http:// URLs, stored without the trailing slash; no TLS, no other scheme
expect_fail imgadm sources -a "https://127.0.0.1:$port"
expect_match "$LAST_STDERR" "https is not supported"
expect_fail imgadm sources -a "ftp://127.0.0.1:$port"
expect_match "$LAST_STDERR" "not an http:// URL"
expect_fail imgadm sources -a "http://127.0.0.1:99999"
expect_match "$LAST_STDERR" "a bad port"
expect_ok imgadm sources -a "$url/"
[ "$LAST_STDOUT" = "$url" ] || fail "sources: $LAST_STDOUT"

# avail: what the server offers
expect_ok imgadm avail
expect_match "$LAST_STDOUT" '^UUID +NAME +VERSION +OS +TYPE +PUB'
expect_match "$LAST_STDOUT" "^$IMAGE_UUID +busybox +1.0.0 +other +zone-dataset"
expect_ok imgadm avail -H -o uuid,name name=broken
[ "$LAST_STDOUT" = "$bad	broken" ] || fail "avail -H -o with a filter: $LAST_STDOUT"
expect_ok imgadm avail -j
[ "$(jq -r '.[0].source' <<<"$LAST_STDOUT")" = "$url" ] || fail "avail -j: $LAST_STDOUT"

# import: manifest and file over HTTP, checked, installed
expect_ok imgadm import "$IMAGE_UUID"
expect_match "$LAST_STDOUT" "Imported image $IMAGE_UUID"
expect_ok imgadm list -H -o uuid,name
[ "$LAST_STDOUT" = "$IMAGE_UUID	busybox" ] || fail "list after import: $LAST_STDOUT"
expect_ok zfs list -H -o name -t snapshot "zones/$IMAGE_UUID@final"
[ -z "$(ls -A "$BASALT_ROOT/run/imgadm" 2>/dev/null)" ] || fail "a download was left behind"
grep -q "GET /images/$IMAGE_UUID/file" "$TEST_TMP/http.log" || fail "the file was not fetched"

# bad: unknown image, wrong sha1, server gone; nothing installed, nothing left
expect_fail imgadm import "$(cat /proc/sys/kernel/random/uuid)"
expect_match "$LAST_STDERR" "none of the 1 configured sources"
expect_fail imgadm import "$bad"
expect_match "$LAST_STDERR" "sha1 .* does not match"
zfs list -H -o name "zones/$bad" >/dev/null 2>&1 && fail "a bad image was installed"
[ -z "$(ls -A "$BASALT_ROOT/run/imgadm" 2>/dev/null)" ] || fail "a bad download was left behind"
kill "$server"
wait "$server" 2>/dev/null || true
expect_fail imgadm avail
expect_match "$LAST_STDERR" "cannot connect to 127.0.0.1:$port"
expect_ok imgadm sources -d "$url"
[ -z "$LAST_STDOUT" ] || fail "sources after -d: $LAST_STDOUT"
expect_ok imgadm delete "$IMAGE_UUID"
echo "imgadm_http: ok"
