#!/bin/bash
# imgadm_create: an image made of a stopped VM (imgadm create) is a manifest and a send stream that
# imgadm installs; a VM created from the new image has the files of the first; -i makes an
# incremental stream on the origin's @final, whose manifest names the origin, installed as a clone
# of the origin (which it then keeps from being deleted) and with the same files; ancestry
# follows the origins; vacuum deletes the incremental image before its origin.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_vms
install_image

vm_payload "$TEST_TMP/a.json" '"alias": "builder"'
expect_ok vmadm create -f "$TEST_TMP/a.json"
vm=${LAST_STDOUT##* }
zlogin "$vm" sh -c 'echo baked-in > /etc/motd'
expect_fail imgadm create -o "$TEST_TMP" "$vm" name=baked version=1.0
expect_match "$LAST_STDERR" "stop it before making an image of it"
expect_ok vmadm stop -F "$vm"
expect_fail imgadm create -o "$TEST_TMP" "$vm"
expect_match "$LAST_STDERR" "needs a name and a version"
expect_ok imgadm create -o "$TEST_TMP" "$vm" name=baked version=1.0 description='with a motd'
[ -s "$TEST_TMP/baked-1.0.json" ] && [ -s "$TEST_TMP/baked-1.0.zfs" ] || fail "no manifest and file"
new=$(jq -r .uuid "$TEST_TMP/baked-1.0.json")
[ "$(jq -r .description "$TEST_TMP/baked-1.0.json")" = "with a motd" ] || fail "description"
expect_ok imgadm create -i -o "$TEST_TMP" "$vm" name=baked version=1.1
[ "$(jq -r .origin "$TEST_TMP/baked-1.1.json")" = "$IMAGE_UUID" ] || fail "-i: no origin"
[ "$(stat -c %s "$TEST_TMP/baked-1.1.zfs")" -lt "$(stat -c %s "$TEST_TMP/baked-1.0.zfs")" ] ||
	fail "the incremental stream is not smaller than the full one"
# no snapshot is left on the VM
[ -z "$(zfs list -H -o name -t snapshot "zones/$vm")" ] || fail "snapshots left on the VM"

expect_ok imgadm install -m "$TEST_TMP/baked-1.0.json" -f "$TEST_TMP/baked-1.0.zfs"
printf '{"brand": "joyent", "image_uuid": "%s", "alias": "child"}' "$new" >"$TEST_TMP/c.json"
expect_ok vmadm create -f "$TEST_TMP/c.json"
child=${LAST_STDOUT##* }
[ "$(zlogin "$child" cat /etc/motd)" = baked-in ] || fail "the new image lacks the VM's file"
expect_ok vmadm delete -F "$child"

# the incremental image: on its origin, which must be there first
inc=$(jq -r .uuid "$TEST_TMP/baked-1.1.json")
expect_ok vmadm delete "$vm"
expect_ok imgadm delete "$IMAGE_UUID"
expect_fail imgadm install -m "$TEST_TMP/baked-1.1.json" -f "$TEST_TMP/baked-1.1.zfs"
expect_match "$LAST_STDERR" "incremental on image $IMAGE_UUID, which is not installed"
expect_ok zfs list -H -o name -r zones
if grep -q "$inc" <<<"$LAST_STDOUT"; then fail "a refused install left $LAST_STDOUT"; fi
install_image
expect_ok imgadm install -m "$TEST_TMP/baked-1.1.json" -f "$TEST_TMP/baked-1.1.zfs"
[ "$(zfs get -H -o value origin "zones/$inc")" = "zones/$IMAGE_UUID@final" ] ||
	fail "the incremental image is not a clone of its origin"
expect_ok imgadm ancestry "$inc"
[ "$LAST_STDOUT" = "$(printf '%s\n%s' "$inc" "$IMAGE_UUID")" ] || fail "ancestry: $LAST_STDOUT"
expect_fail imgadm delete "$IMAGE_UUID"
expect_match "$LAST_STDERR" "has clones: zones/$inc"
printf '{"brand": "joyent", "image_uuid": "%s", "alias": "inc"}' "$inc" >"$TEST_TMP/i.json"
expect_ok vmadm create -f "$TEST_TMP/i.json"
ivm=${LAST_STDOUT##* }
[ "$(zlogin "$ivm" cat /etc/motd)" = baked-in ] || fail "the incremental image lacks the file"
expect_ok vmadm delete -F "$ivm"
expect_ok imgadm vacuum
[ "$(grep -c '^Deleted image' <<<"$LAST_STDOUT")" = 3 ] || fail "vacuum: $LAST_STDOUT"
expect_ok imgadm list -H
[ -z "$LAST_STDOUT" ] || fail "vacuum left: $LAST_STDOUT"
echo "imgadm_create: ok"
