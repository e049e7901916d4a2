#!/bin/bash
# vmadm_kvm_linux.sh - a stock Linux VM provisioned by vmadm from an imgadm image: the VM image
# of scripts/image-vm is installed, a kvm VM is created with its disk a clone of it, Debian's
# kernel boots from that volume under the VMM confined in the VM's zone, a command typed on
# `vmadm console` answers from the guest, with a customer_metadata value the guest's mdata-get
# fetched over its second serial port, and the VM is stopped (its guest shuts down when asked)
# and deleted, leaving the image alone (tests/guest/vmadm-host.sh); the image's bzImage is
# brought into the VM unpacked, for the PVH entry. Where this host's /dev/kvm
# has no vmx/svm, all of it runs in the nested test host of vmm_linux.sh.
. "$(dirname "$0")/lib.sh"

command -v apt-get >/dev/null || skip "no apt-get to fetch the guest kernel"
command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4 to build the VM image"
CACHE=$("$REPO_DIR/scripts/vmm-guest-assets" 2>"$TEST_TMP/assets.log") ||
	skip "cannot fetch the guest kernel and busybox: $(tail -n 1 "$TEST_TMP/assets.log")"
images=$TEST_TMP/images
BASALT_CACHE=$TEST_TMP/cache "$REPO_DIR/scripts/image-vm" "$images" >"$TEST_TMP/image.log" 2>&1 ||
	fail "cannot build the VM image: $(tail -n 5 "$TEST_TMP/image.log")"
. "$REPO_DIR/tests/guest/initramfs.sh"
. "$(dirname "$0")/helpers/nested.sh"

if grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo && [ -c /dev/kvm ]; then
	echo "hardware virtualization: the VM runs on this host's /dev/kvm"
	dir=$TEST_TMP/host
	mkdir -p "$dir"
	ln -s "$BASALT" "$dir/basalt"
	cp "$images"/linux-vm.* "$dir/"
	BASALT_HOST_DIR=$dir BASALT_ROOT=$TEST_TMP/root timeout 300 \
		"$REPO_DIR/tests/guest/vmadm-host.sh" </dev/null >"$TEST_TMP/console.log" 2>&1 || true
else
	command -v qemu-system-x86_64 >/dev/null ||
		skip "no vmx/svm here and no qemu-system-x86_64 for a nested test host"
	echo "no vmx/svm here: the VM runs in a nested test host (QEMU TCG, -cpu max)"
	initramfs_vmadm_host "$TEST_TMP/host.cpio" "$BASALT" "$images" ||
		fail "cannot build the test host's initramfs"
	nested_host_test "$TEST_TMP/host.cpio" 300 "$TEST_TMP/console.log"
fi

log=$(tr -d '\r' <"$TEST_TMP/console.log")
check() {
	grep -qE -- "$1" <<<"$log" || fail "console: $(tail -n 40 <<<"$log"); missing '$1'"
}
check "BASALT-HOST: image installed"
check "BASALT-HOST: vm created"
check "BASALT-HOST: kernel unpacked for PVH"
check "zones/[0-9a-f-]{36}-disk0 .* zones/$(jq -r .uuid "$images/linux-vm.json")@final"
check "BASALT-VM: root is up: pci=noearly console=ttyS0 root=/dev/vda"
check "BASALT-VM: Linux [0-9.-]+-amd64 on 2 vCPUs, linux-vm, root /dev/vda ext4"
check "BASALT-VM-MDATA: hello from the host"
check "BASALT-VM: shutting down"
check "BASALT-HOST: console closed"
check "BASALT-HOST: vm stopped"
check "BASALT-HOST: vm deleted"
check "BASALT-HOST: done 0"
# the image stays; nothing of the VM is left
vm=$(sed -n 's/^Successfully created VM \([0-9a-f-]*\)$/\1/p' <<<"$log")
[ -n "$vm" ] || fail "no VM uuid on the console"
after=$(sed -n '/BASALT-HOST: vm deleted/,$p' <<<"$log")
grep -q "$vm" <<<"$after" && fail "the VM's datasets are left: $after"
grep -q "^zones/$(jq -r .uuid "$images/linux-vm.json") " <<<"$after" || fail "the image is gone: $after"
grep -E 'BASALT-(HOST: vm root up|VM: Linux|VM-MDATA)' <<<"$log"
exit 0
