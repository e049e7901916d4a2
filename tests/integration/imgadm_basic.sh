#!/bin/bash
# imgadm_basic: a busybox image built by scripts/image-busybox is installed from its manifest and
# send stream (sha1 and size checked, @final taken), listed with columns, filters and JSON, shown,
# refused a second time, refused with a wrong sha1 or size leaving nothing behind, deleted,
# imported again from a directory source, installed from a gzip-compressed file, kept while a
# clone of it exists (the error names the clone), and vacuumed once nothing uses it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_images

expect_ok imgadm install -m "$IMAGE_DIR/busybox.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDOUT" "Installed image $IMAGE_UUID"
expect_ok zfs list -H -o name -t snapshot "zones/$IMAGE_UUID"
[ "$LAST_STDOUT" = "zones/$IMAGE_UUID@final" ] || fail "no @final: $LAST_STDOUT"
mp=$(zfs get -H -o value mountpoint "zones/$IMAGE_UUID")
[ -x "$mp/root/bin/busybox" ] || fail "the image has no root/bin/busybox"

# list: columns, filters, -H -o, -j
expect_ok imgadm list
expect_match "$LAST_STDOUT" '^UUID +NAME +VERSION +OS +TYPE +CLONES'
expect_match "$LAST_STDOUT" "^$IMAGE_UUID +busybox +1.0.0 +other +zone-dataset +0"
expect_ok imgadm list -H -o uuid,name name=busybox
[ "$LAST_STDOUT" = "$IMAGE_UUID	busybox" ] || fail "list -H -o: '$LAST_STDOUT'"
expect_ok imgadm list -H name=nothing
[ -z "$LAST_STDOUT" ] || fail "a filter that matches nothing listed: $LAST_STDOUT"
expect_ok imgadm list -j
[ "$(jq -r '.[0].manifest.uuid' <<<"$LAST_STDOUT")" = "$IMAGE_UUID" ] || fail "list -j"
expect_ok imgadm get "$IMAGE_UUID"
[ "$(jq -r .zpool <<<"$LAST_STDOUT")" = zones ] || fail "get: no zpool"
expect_ok imgadm show "$IMAGE_UUID"
[ "$(jq -r .name <<<"$LAST_STDOUT")" = busybox ] || fail "show: not the manifest"
expect_ok imgadm ancestry "$IMAGE_UUID"
[ "$LAST_STDOUT" = "$IMAGE_UUID" ] || fail "ancestry: $LAST_STDOUT"

# bad input: one line each, nothing left behind
expect_fail imgadm install -m "$IMAGE_DIR/busybox.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDERR" "already installed"
expect_ok imgadm delete "$IMAGE_UUID"
jq '.files[0].sha1 = "0000000000000000000000000000000000000000"' "$IMAGE_DIR/busybox.json" \
	>"$TEST_TMP/badsha.json"
expect_fail imgadm install -m "$TEST_TMP/badsha.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDERR" "sha1 [0-9a-f]{40} does not match"
jq '.files[0].size = 12' "$IMAGE_DIR/busybox.json" >"$TEST_TMP/badsize.json"
expect_fail imgadm install -m "$TEST_TMP/badsize.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDERR" "size [0-9]+ does not match the manifest's 12"
head -c 100000 "$IMAGE_DIR/busybox.zfs" >"$TEST_TMP/cut.zfs"
jq --arg s "$(sha1sum "$TEST_TMP/cut.zfs" | cut -d' ' -f1)" \
	'.files[0].sha1 = $s | .files[0].size = 100000' "$IMAGE_DIR/busybox.json" >"$TEST_TMP/cut.json"
expect_fail imgadm install -m "$TEST_TMP/cut.json" -f "$TEST_TMP/cut.zfs"
printf '{"v": 2,\n "uuid": }' >"$TEST_TMP/broken.json"
expect_fail imgadm install -m "$TEST_TMP/broken.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDERR" "line 2 column"
jq 'del(.type)' "$IMAGE_DIR/busybox.json" >"$TEST_TMP/notype.json"
expect_fail imgadm install -m "$TEST_TMP/notype.json" -f "$IMAGE_DIR/busybox.zfs"
expect_match "$LAST_STDERR" "type: must be zone-dataset or zvol"
expect_ok zfs list -H -o name -r zones
if grep -q "$IMAGE_UUID" <<<"$LAST_STDOUT"; then fail "a failed install left $LAST_STDOUT"; fi
expect_ok imgadm list -H
[ -z "$LAST_STDOUT" ] || fail "a failed install is listed: $LAST_STDOUT"

# import from a directory source
expect_fail imgadm import "$IMAGE_UUID"
expect_match "$LAST_STDERR" "none of the 0 configured sources"
expect_ok imgadm sources -a "$IMAGE_DIR"
[ "$LAST_STDOUT" = "$IMAGE_DIR" ] || fail "sources: $LAST_STDOUT"
expect_fail imgadm sources -a "$IMAGE_DIR"
expect_ok imgadm import "$IMAGE_UUID"
expect_ok imgadm list -H -o uuid
[ "$LAST_STDOUT" = "$IMAGE_UUID" ] || fail "import did not install: $LAST_STDOUT"

# a compressed file: gzip, as the manifest says
expect_ok imgadm delete "$IMAGE_UUID"
gzip -c "$IMAGE_DIR/busybox.zfs" >"$TEST_TMP/busybox.zfs.gz"
jq --arg s "$(sha1sum "$TEST_TMP/busybox.zfs.gz" | cut -d' ' -f1)" \
	--argjson n "$(stat -c %s "$TEST_TMP/busybox.zfs.gz")" \
	'.files[0].sha1 = $s | .files[0].size = $n | .files[0].compression = "gzip"' \
	"$IMAGE_DIR/busybox.json" >"$TEST_TMP/gz.json"
expect_ok imgadm install -m "$TEST_TMP/gz.json" -f "$TEST_TMP/busybox.zfs.gz"
mp=$(zfs get -H -o value mountpoint "zones/$IMAGE_UUID")
[ -x "$mp/root/bin/busybox" ] || fail "the gzip image has no root/bin/busybox"

# a clone keeps the image; vacuum deletes only unused images
expect_ok zfs clone "zones/$IMAGE_UUID@final" zones/someclone
expect_fail imgadm delete "$IMAGE_UUID"
expect_match "$LAST_STDERR" "has clones: zones/someclone"
expect_ok imgadm vacuum
expect_match "$LAST_STDOUT" "Deleted 0 unused images"
expect_ok zfs destroy zones/someclone
expect_ok imgadm vacuum
expect_match "$LAST_STDOUT" "Deleted image $IMAGE_UUID"
expect_ok imgadm list -H
[ -z "$LAST_STDOUT" ] || fail "vacuum left: $LAST_STDOUT"
expect_ok zfs list -H -o name -r zones
if grep -q "$IMAGE_UUID" <<<"$LAST_STDOUT"; then fail "vacuum left the dataset"; fi
expect_fail imgadm get "$IMAGE_UUID"
expect_match "$LAST_STDERR" "is not installed"
echo "imgadm_basic: ok"
