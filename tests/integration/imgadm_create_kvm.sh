#!/bin/bash
# imgadm_create_kvm: an image made of a stopped kvm VM is its boot disk: a zvol image (type zvol,
# image_size the volume's MiB, requirements.brand kvm) that imgadm installs and a new kvm VM's
# disk is cloned from, with the data of the first; -i makes an incremental image of a VM whose
# disk is a clone of that image, on it (origin), which carries only the change and brings both
# writes to a third VM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_kvm_vms idle

# disk_write VM SECTOR TEXT, disk_read VM SECTOR: the VM's first disk, through its volume file
disk_write() {
	printf '%s' "$3" | dd of="$(vmadm get "$1" | jq -r '.disks[0].path')" bs=512 seek="$2" \
		conv=notrunc status=none
}
disk_read() {
	dd if="$(vmadm get "$1" | jq -r '.disks[0].path')" bs=512 skip="$2" count=1 status=none |
		tr -d '\0'
}

cat >"$TEST_TMP/a.json" <<JSON
{"brand": "kvm", "alias": "a", "ram": 16, "kernel": "$guests/idle.elf",
 "kernel_boot": "direct", "autoboot": false, "disks": [{"size": 2, "boot": true}]}
JSON
expect_ok vmadm create -f "$TEST_TMP/a.json"
a=${LAST_STDOUT##* }
disk_write "$a" 10 "written in the first VM"
# and a MiB of noise, which a full image carries and an incremental one on it does not
dd if=/dev/urandom of="$(vmadm get "$a" | jq -r '.disks[0].path')" bs=64k seek=8 count=16 \
	conv=notrunc status=none
expect_ok vmadm start "$a"
expect_fail imgadm create -o "$TEST_TMP" "$a" name=disk version=1.0
expect_match "$LAST_STDERR" "stop it before making an image"
expect_ok vmadm stop "$a"
expect_ok imgadm create -o "$TEST_TMP" "$a" name=disk version=1.0
m=$TEST_TMP/disk-1.0.json
[ "$(jq -r .type "$m")" = zvol ] || fail "type: $(cat "$m")"
[ "$(jq -r .image_size "$m")" = 2 ] || fail "image_size: $(cat "$m")"
[ "$(jq -r .requirements.brand "$m")" = kvm ] || fail "requirements: $(cat "$m")"
img=$(jq -r .uuid "$m")
expect_ok imgadm install -m "$m" -f "$TEST_TMP/disk-1.0.zfs"
expect_ok imgadm list -H -o uuid,type uuid="$img"
[ "$LAST_STDOUT" = "$img	zvol" ] || fail "list: $LAST_STDOUT"

# a VM from it: its disk a clone, with the data
jq --arg i "$img" '.alias = "b" | .disks = [{"image_uuid": $i, "boot": true}]' \
	"$TEST_TMP/a.json" >"$TEST_TMP/b.json"
expect_ok vmadm create -f "$TEST_TMP/b.json"
b=${LAST_STDOUT##* }
[ "$(zfs get -H -o value origin "zones/$b-disk0")" = "zones/$img@final" ] ||
	fail "the disk is not a clone of the image"
[ "$(disk_read "$b" 10)" = "written in the first VM" ] || fail "the image's data is not there"

# incremental: only the change, on the image
disk_write "$b" 20 "written in the second VM"
expect_ok imgadm create -i -o "$TEST_TMP" "$b" name=disk version=1.1
m2=$TEST_TMP/disk-1.1.json
[ "$(jq -r .origin "$m2")" = "$img" ] || fail "origin: $(cat "$m2")"
[ "$(jq -r '.files[0].size' "$m2")" -lt "$(jq -r '.files[0].size' "$m")" ] ||
	fail "the incremental stream is not smaller than the full one"
img2=$(jq -r .uuid "$m2")
expect_ok imgadm install -m "$m2" -f "$TEST_TMP/disk-1.1.zfs"
jq --arg i "$img2" '.alias = "c" | .disks = [{"image_uuid": $i}]' "$TEST_TMP/a.json" \
	>"$TEST_TMP/c.json"
expect_ok vmadm create -f "$TEST_TMP/c.json"
c=${LAST_STDOUT##* }
[ "$(disk_read "$c" 10)" = "written in the first VM" ] || fail "the origin's data is not there"
[ "$(disk_read "$c" 20)" = "written in the second VM" ] || fail "the change is not there"
expect_ok imgadm ancestry "$img2"
[ "$LAST_STDOUT" = "$(printf '%s\n%s' "$img2" "$img")" ] || fail "ancestry: $LAST_STDOUT"

for vm in "$c" "$b" "$a"; do
	expect_ok vmadm delete "$vm"
done
expect_ok imgadm delete "$img2"
expect_ok imgadm delete "$img"
echo "imgadm_create_kvm: ok"
