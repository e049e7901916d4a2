#!/bin/bash
# imgadm_create: an image made of a stopped VM (imgadm create) is a manifest and a send stream that
# imgadm installs; a VM created from the new image has the files of the first; -i makes an
# incremental stream on the origin's @final, whose manifest names the origin.
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
expect_ok vmadm delete "$vm"
echo "imgadm_create: ok"
