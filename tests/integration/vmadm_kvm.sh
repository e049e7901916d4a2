#!/bin/bash
# vmadm_kvm: a kvm VM without its VMM running: a zvol image is installed, the VM's disks are
# created as a clone of it and as an empty volume of `size` (both files under run/zvol), its zone
# is defined (brand kvm, holding /dev/kvm and /dev/net/tun) to run the VMM as its only process
# with the disks bound in and a memory cap of ram plus the VMM's overhead, its root holds the VMM
# binary and the kernel; bad disks and a missing kernel are refused leaving nothing; disks are
# added and removed by update; delete removes the disks. A kvm VM's zone holds /dev/kvm: a host
# without it refuses to create one, but lists one that came with its pool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
[ -c /dev/kvm ] && [ -c /dev/net/tun ] || skip "no /dev/kvm or /dev/net/tun"
use_vms

# a zvol image made here: a volume with a marker, sent, and installed with its manifest
expect_ok zfs create -V 16M zones/zvsrc
printf 'bootable-disk' | dd of="$BASALT_ROOT/run/zvol/zones/zvsrc" conv=notrunc status=none
expect_ok zfs snapshot zones/zvsrc@final
zfs send zones/zvsrc@final >"$TEST_TMP/zv.zfs" || fail "zfs send"
expect_ok zfs destroy -r zones/zvsrc
zvimg=5b0c9c6e-2f1a-4d55-8c7e-6c1e0d1f2a33
cat >"$TEST_TMP/zv.json" <<JSON
{"v": 2, "uuid": "$zvimg", "name": "disk", "version": "1", "type": "zvol", "os": "linux",
 "image_size": 16, "files": [{"sha1": "$(sha1sum "$TEST_TMP/zv.zfs" | cut -d' ' -f1)",
 "size": $(stat -c %s "$TEST_TMP/zv.zfs"), "compression": "none"}]}
JSON
expect_ok imgadm install -m "$TEST_TMP/zv.json" -f "$TEST_TMP/zv.zfs"
head -c 4096 /dev/urandom >"$TEST_TMP/vmlinuz"

cat >"$TEST_TMP/kvm.json" <<JSON
{"brand": "kvm", "alias": "vm1", "autoboot": false, "ram": 256, "vcpus": 2,
 "kernel": "$TEST_TMP/vmlinuz", "kernel_args": "console=ttyS0",
 "disks": [{"image_uuid": "$zvimg", "boot": true}, {"size": 32}],
 "nics": [{"nic_tag": "kvm0", "ips": ["192.0.2.50/24"]}]}
JSON
expect_ok vmadm validate create -f "$TEST_TMP/kvm.json"
expect_match "$LAST_STDOUT" "for kvm brand VMs"
expect_ok vmadm create -f "$TEST_TMP/kvm.json"
vm=${LAST_STDOUT##* }
expect_ok vmadm list -H -o uuid,type,ram,state
[ "$LAST_STDOUT" = "$vm	KVM	256	stopped" ] || fail "list: $LAST_STDOUT"

# the disks: volumes, one a clone of the image, each a file of the pool daemon
[ "$(zfs get -H -o value origin "zones/$vm-disk0")" = "zones/$zvimg@final" ] || fail "disk0 origin"
[ "$(zfs get -H -p -o value volsize "zones/$vm-disk1")" = $((32 << 20)) ] || fail "disk1 size"
[ "$(head -c 13 "$BASALT_ROOT/run/zvol/zones/$vm-disk0")" = bootable-disk ] ||
	fail "disk0 is not the image's"
[ "$(stat -c %s "$BASALT_ROOT/run/zvol/zones/$vm-disk1")" = $((32 << 20)) ] || fail "disk1 file"
expect_ok vmadm get "$vm"
[ "$(jq -r '.disks[1].path' <<<"$LAST_STDOUT")" = "$BASALT_ROOT/run/zvol/zones/$vm-disk1" ] ||
	fail "disk path"
[ "$(jq -r .max_physical_memory <<<"$LAST_STDOUT")" = 512 ] || fail "memory cap is not ram + 256"

# the zone: the VMM is its only process, confined with the disks, capped at ram + overhead
expect_ok zonecfg -z "$vm" info
z=$LAST_STDOUT
[ "$(jq -r .brand <<<"$z")" = kvm ] || fail "zone brand"
[ "$(jq -c '[.devices[].path]' <<<"$z")" = '["/dev/kvm","/dev/net/tun"]' ] ||
	fail "zone devices: $(jq -c .devices <<<"$z")"
[ "$(jq -r .init_name <<<"$z")" = /basalt ] || fail "zone init: $(jq -r .init_name <<<"$z")"
[ "$(jq -c .init_args <<<"$z")" = '["vmm","run","--kernel","/vm/kernel","--cmdline","console=ttyS0","--memory","256","--cpus","2","--disk","/disks/disk0","--disk","/disks/disk1","--net","tap=vtap0,mac='"$(vmadm get "$vm" | jq -r '.nics[0].mac')"'","--console","stdio","--control","/vm/control.sock","--serial2","unix:/vm/metadata.sock","--reboot-status","200","--confine"]' ] ||
	fail "VMM command line: $(jq -c .init_args <<<"$z")"
[ "$(jq -r .max_physical_memory <<<"$z")" = 512 ] || fail "zone memory cap"
[ "$(jq -r '.filesystems[] | select(.target == "/disks/disk1") | .source' <<<"$z")" = \
	"$BASALT_ROOT/run/zvol/zones/$vm-disk1" ] || fail "disk1 not bound into the zone"
root=$(jq -r .zoneroot <<<"$z")
cmp -s "$root/vm/kernel" "$TEST_TMP/vmlinuz" || fail "the kernel is not in the zone"
[ -x "$root/basalt" ] || fail "the VMM binary is not in the zone"

# a VM that came with its pool to a host without /dev/kvm (its zone unknown there, /dev/kvm
# hidden in a mount namespace) is still listed, and its zone defined; it cannot be created there
zonecfg -z "$vm" delete -F || fail "zonecfg delete"
touch "$TEST_TMP/nokvm"
jq '.alias = "vm9" | .nics = []' "$TEST_TMP/kvm.json" >"$TEST_TMP/kvm9.json"
out=$(unshare -m sh -c "mount --bind '$TEST_TMP/nokvm' /dev/kvm &&
	'$BASALT' vmadm list -H -o uuid,state && '$BASALT' zonecfg -z '$vm' info >/dev/null &&
	! '$BASALT' vmadm create -f '$TEST_TMP/kvm9.json'" 2>&1) || fail "without /dev/kvm: $out"
[[ "$out" == "$vm	stopped"*"this host has no /dev/kvm"* ]] || fail "without /dev/kvm: $out"

# bad disks and kernels: one line each, nothing created
jq '.alias = "vm2" | .nics = [] | .disks[0].image_uuid = "00000000-0000-4000-8000-000000000009"' \
	"$TEST_TMP/kvm.json" >"$TEST_TMP/bad1.json"
expect_fail vmadm create -f "$TEST_TMP/bad1.json"
expect_match "$LAST_STDERR" "disks.0: image 00000000-0000-4000-8000-000000000009 is not installed"
jq '.alias = "vm2" | .kernel = "/no/such/kernel" | .nics = []' "$TEST_TMP/kvm.json" >"$TEST_TMP/bad2.json"
expect_fail vmadm create -f "$TEST_TMP/bad2.json"
expect_match "$LAST_STDERR" "kernel /no/such/kernel is not a file"
jq '.alias = "vm2" | .nics = [] | .disks = [{"size": 1048576}]' "$TEST_TMP/kvm.json" >"$TEST_TMP/big.json"
expect_fail vmadm create -f "$TEST_TMP/big.json"
expect_match "$LAST_STDERR" "insufficient space in pool zones: the VM needs 1048592 MiB"
[ "$(vmadm list -H | wc -l)" = 1 ] || fail "a refused VM was created"

# disks added and removed by update: a new volume, the removed one destroyed
echo '{"add_disks": [{"size": 16}]}' | vmadm update "$vm" >/dev/null || fail "add_disks"
expect_ok vmadm get "$vm"
[ "$(jq -r '.disks[2].zfs_filesystem' <<<"$LAST_STDOUT")" = "zones/$vm-disk2" ] || fail "add_disks: $LAST_STDOUT"
[ "$(zfs get -H -p -o value volsize "zones/$vm-disk2")" = $((16 << 20)) ] || fail "disk2 size"
expect_ok zonecfg -z "$vm" info
[ "$(jq -c '[.init_args[] | select(startswith("/disks/"))]' <<<"$LAST_STDOUT")" = \
	'["/disks/disk0","/disks/disk1","/disks/disk2"]' ] || fail "the VMM does not get disk2"
echo "{\"remove_disks\": [\"$BASALT_ROOT/run/zvol/zones/$vm-disk1\"]}" | vmadm update "$vm" >/dev/null ||
	fail "remove_disks"
if zfs list "zones/$vm-disk1" >/dev/null 2>&1; then fail "the removed disk's volume is left"; fi
[ "$(vmadm get "$vm" | jq '.disks | length')" = 2 ] || fail "remove_disks left the disk"
echo '{"add_disks": [{"size": 1048576}]}' >"$TEST_TMP/huge.json"
expect_fail vmadm update "$vm" -f "$TEST_TMP/huge.json"
expect_match "$LAST_STDERR" "insufficient space in pool zones"
[ "$(vmadm get "$vm" | jq '.disks | length')" = 2 ] || fail "a refused disk was added"

# the image is in use; delete takes the disks away and frees it
expect_fail imgadm delete "$zvimg"
expect_match "$LAST_STDERR" "has clones: zones/$vm-disk0"
expect_ok vmadm delete "$vm"
expect_ok zfs list -H -o name -r zones
if grep -q "$vm" <<<"$LAST_STDOUT"; then fail "datasets left: $LAST_STDOUT"; fi
expect_ok imgadm delete "$zvimg"
echo "vmadm_kvm: ok"
