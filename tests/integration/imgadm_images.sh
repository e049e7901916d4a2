#!/bin/bash
# imgadm_images: the image builders' pairs install with imgadm and serve vmadm: a joyent zone
# provisioned from scripts/image-debian's Debian 12 image runs Debian's userland under its own
# init (zlogin cat /etc/debian_version), and a kvm VM's boot disk cloned from scripts/image-vm's
# zvol image holds the ext4 root the VM boots (a clean file system with busybox and its init),
# and the kernel and initramfs beside the manifest are what its VMM is given (vmadm's kernel and
# initrd, copied into the VM's zone); a missing initrd is refused. The guest is not booted here:
# the VMM's real-guest tests do that where the host's KVM can run Linux (vmm_linux).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
[ -c /dev/kvm ] && [ -c /dev/net/tun ] || skip "no /dev/kvm or /dev/net/tun"
command -v debugfs >/dev/null || skip "no debugfs: run scripts/setup"
use_vms
export BASALT_DEFAULT_POOL_SIZE=1G
img=$TEST_TMP/img
# what the builders fetch from Debian's archive: a skip when it cannot be had, else they must work
if ! BASALT=$BASALT "$REPO_DIR/scripts/image-debian" "$img" >"$TEST_TMP/debian.log" 2>&1; then
	grep -q debootstrap "$TEST_TMP/debian.log" &&
		skip "no Debian root: $(tail -n 1 "$TEST_TMP/debian.log")"
	fail "image-debian: $(tail -n 3 "$TEST_TMP/debian.log")"
fi
"$REPO_DIR/scripts/vmm-guest-assets" >/dev/null 2>"$TEST_TMP/assets.log" ||
	skip "no guest kernel: $(tail -n 1 "$TEST_TMP/assets.log")"
BASALT=$BASALT "$REPO_DIR/scripts/image-vm" "$img" >"$TEST_TMP/vm.log" 2>&1 ||
	fail "image-vm: $(tail -n 3 "$TEST_TMP/vm.log")"

# the manifests: IMGAPI v2, each file's sha1 and size as written
for stem in debian-12 linux-vm; do
	sha1=$(sha1sum <"$img/$stem.zfs" | cut -d' ' -f1)
	[ "$(jq -r '.files[0].sha1' "$img/$stem.json")" = "$sha1" ] || fail "$stem: sha1"
	[ "$(jq -r '.files[0].size' "$img/$stem.json")" = "$(stat -c %s "$img/$stem.zfs")" ] ||
		fail "$stem: size"
done
[ "$(jq -c '[.v, .name, .type, .os, .requirements.brand]' "$img/debian-12.json")" = \
	'[2,"debian-12","zone-dataset","linux","joyent"]' ] ||
	fail "debian-12.json: $(cat "$img/debian-12.json")"
[ "$(jq -c '[.v, .name, .type, .os, .requirements.brand, .image_size]' "$img/linux-vm.json")" = \
	'[2,"linux-vm","zvol","linux","kvm",64]' ] ||
	fail "linux-vm.json: $(cat "$img/linux-vm.json")"
debian=$(jq -r .uuid "$img/debian-12.json")
linux=$(jq -r .uuid "$img/linux-vm.json")

expect_ok imgadm install -m "$img/debian-12.json" -f "$img/debian-12.zfs"
expect_ok imgadm install -m "$img/linux-vm.json" -f "$img/linux-vm.zfs"
expect_ok imgadm list -H -o name,type
[ "$LAST_STDOUT" = "$(printf 'debian-12\tzone-dataset\nlinux-vm\tzvol')" ] ||
	[ "$LAST_STDOUT" = "$(printf 'linux-vm\tzvol\ndebian-12\tzone-dataset')" ] ||
	fail "imgadm list: $LAST_STDOUT"

# a joyent zone of the Debian image: Debian's tools through zlogin, the image's init as PID 1
printf '{"brand": "joyent", "alias": "deb", "image_uuid": "%s", "max_physical_memory": 256}\n' \
	"$debian" >"$TEST_TMP/deb.json"
expect_ok vmadm create -f "$TEST_TMP/deb.json"
deb=${LAST_STDOUT##* }
[ "$(zfs get -H -o value origin "zones/$deb")" = "zones/$debian@final" ] || fail "not a clone"
expect_match "$(zlogin "$deb" cat /etc/debian_version)" '^12\.[0-9]+$'
expect_match "$(zlogin "$deb" dpkg-query -W -f '${Status}' coreutils)" 'install ok installed'
[ "$(zlogin "$deb" cat /proc/1/cmdline | tr '\0' ' ')" = "/bin/sh /sbin/init " ] ||
	fail "PID 1 is not the image's init: $(zlogin "$deb" cat /proc/1/cmdline | tr '\0' ' ')"
expect_ok vmadm stop "$deb"
expect_ok vmadm delete "$deb"

# a kvm VM whose boot disk is a clone of the zvol image, booting the kernel beside it
cat >"$TEST_TMP/kvm.json" <<JSON
{"brand": "kvm", "alias": "lin", "autoboot": false, "ram": 256, "vcpus": 1,
 "kernel": "$img/linux-vm.kernel", "initrd": "$img/linux-vm.initrd",
 "kernel_args": "console=ttyS0 root=/dev/vda", "disks": [{"image_uuid": "$linux", "boot": true}]}
JSON
jq '.initrd = "/no/such/initrd"' "$TEST_TMP/kvm.json" >"$TEST_TMP/bad.json"
expect_fail vmadm create -f "$TEST_TMP/bad.json"
expect_match "$LAST_STDERR" "initrd /no/such/initrd is not a file"
[ -z "$(vmadm list -H)" ] || fail "a refused VM was created"
expect_ok vmadm create -f "$TEST_TMP/kvm.json"
vm=${LAST_STDOUT##* }
[ "$(zfs get -H -o value origin "zones/$vm-disk0")" = "zones/$linux@final" ] || fail "disk0 origin"
disk=$BASALT_ROOT/run/zvol/zones/$vm-disk0
[ "$(stat -c %s "$disk")" = $((64 << 20)) ] || fail "disk0 is $(stat -c %s "$disk") bytes"
# the ext4 superblock at 1024, its magic 0xef53 at 56
[ "$(od -An -tx2 -j $((1024 + 56)) -N2 "$disk" | tr -d ' ')" = ef53 ] || fail "no ext4 superblock"
cp "$disk" "$TEST_TMP/disk0"
e2fsck -f -n "$TEST_TMP/disk0" >"$TEST_TMP/fsck.log" 2>&1 ||
	fail "e2fsck: $(tail -n 3 "$TEST_TMP/fsck.log")"
debugfs -R 'ls -l /' "$TEST_TMP/disk0" 2>/dev/null | grep -q ' sbin *$' ||
	fail "no /sbin on the disk"
debugfs -R 'stat /sbin/init' "$TEST_TMP/disk0" 2>/dev/null | grep -q 'Fast link dest: "../bin/busybox"' ||
	fail "the disk's /sbin/init is not busybox's init"
debugfs -R 'dump /etc/inittab '"$TEST_TMP/inittab" "$TEST_TMP/disk0" 2>/dev/null
grep -q '^::ctrlaltdel:/bin/reboot$' "$TEST_TMP/inittab" || fail "inittab: $(cat "$TEST_TMP/inittab")"
debugfs -R 'dump /etc/init.d/rcS '"$TEST_TMP/rcS" "$TEST_TMP/disk0" 2>/dev/null
grep -q 'BASALT-VM: root is up' "$TEST_TMP/rcS" || fail "the disk's /etc/init.d/rcS has no marker"
debugfs -R 'dump /bin/busybox '"$TEST_TMP/busybox" "$TEST_TMP/disk0" 2>/dev/null
chmod +x "$TEST_TMP/busybox"
"$TEST_TMP/busybox" true || fail "the disk's busybox does not run"
# what the VMM boots: the kernel, unpacked from the image's bzImage for the PVH entry, and the
# initramfs (a newc archive), brought into the VM's zone
expect_ok zonecfg -z "$vm" info
z=$LAST_STDOUT
[ "$(jq -c '.init_args[2:6]' <<<"$z")" = '["--kernel","/vm/kernel","--initrd","/vm/initrd"]' ] ||
	fail "VMM command line: $(jq -c .init_args <<<"$z")"
root=$(jq -r .zoneroot <<<"$z")
[ "$(head -c 4 "$root/vm/kernel" | tail -c 3)" = ELF ] &&
	[ "$(stat -c %s "$root/vm/kernel")" -gt "$(stat -c %s "$img/linux-vm.kernel")" ] ||
	fail "the VM's zone has no unpacked kernel"
cmp -s "$root/vm/initrd" "$img/linux-vm.initrd" || fail "the initrd is not in the VM's zone"
[ "$(head -c 6 "$img/linux-vm.initrd")" = 070701 ] || fail "the initramfs is not a newc archive"

expect_ok vmadm delete "$vm"
expect_ok imgadm delete "$linux"
expect_ok imgadm delete "$debian"
expect_ok zfs list -H -o name -r zones
if grep -qE "$deb|$vm|$linux|$debian" <<<"$LAST_STDOUT"; then fail "left: $LAST_STDOUT"; fi
echo "imgadm_images: ok"
