#!/bin/bash
# vmm_linux.sh - the VMM boots Debian's stock kernel with a busybox initramfs: the guest reaches
# its init with 2 vCPUs, loads the virtio modules, finds vda and eth0, reads and writes the disk,
# pings the test host over the tap and exits the VMM with `reboot -f`; then the same kernel is
# entered through PVH, and once more to be stopped through the control socket (Ctrl-Alt-Del,
# which the guest must answer by rebooting, not by being forced). On a host with hardware virtualization (vmx/svm) this runs here; on
# others (this project's paravirtual /dev/kvm cannot run a stock kernel at speed) it runs in a
# nested test host: QEMU's emulator with `-cpu max` (emulated SVM) boots the same kernel with
# kvm-amd loaded, and the VMM runs inside it. One boot of the test host checks everything.
. "$(dirname "$0")/lib.sh"

command -v apt-get >/dev/null || skip "no apt-get to fetch the guest kernel"
CACHE=$("$REPO_DIR/scripts/vmm-guest-assets" 2>"$TEST_TMP/assets.log") ||
	skip "cannot fetch the guest kernel and busybox: $(tail -n 1 "$TEST_TMP/assets.log")"
. "$REPO_DIR/tests/guest/initramfs.sh"
. "$(dirname "$0")/helpers/nested.sh"
initramfs_inner "$TEST_TMP/inner.cpio" || fail "cannot build the guest's initramfs"

if grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo && [ -c /dev/kvm ]; then
	echo "hardware virtualization: the guest runs on this host's /dev/kvm"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	dir=$TEST_TMP/host
	mkdir -p "$dir"
	ln -s "$BASALT" "$dir/basalt"
	ln -s "$CACHE/vmlinuz" "$dir/vmlinuz"
	ln -s "$CACHE/vmlinux" "$dir/vmlinux"
	cp "$TEST_TMP/inner.cpio" "$dir/"
	tap=bsvl$$
	at_exit "ip link del $tap 2>/dev/null"
	BASALT_HOST_DIR=$dir BASALT_HOST_TAP=$tap BASALT_HOST_WORK=$TEST_TMP \
		timeout 300 sh "$REPO_DIR/tests/guest/linux-host.sh" </dev/null \
		>"$TEST_TMP/console.log" 2>&1 || true
else
	command -v qemu-system-x86_64 >/dev/null ||
		skip "no vmx/svm here and no qemu-system-x86_64 for a nested test host"
	echo "no vmx/svm here: the guest runs in a nested test host (QEMU TCG, -cpu max)"
	initramfs_outer "$TEST_TMP/outer.cpio" "$REPO_DIR/tests/guest/linux-host.sh" "$BASALT" \
		"$TEST_TMP/inner.cpio" || fail "cannot build the test host's initramfs"
	nested_host_test "$TEST_TMP/outer.cpio" 300 "$TEST_TMP/console.log"
fi

log=$(tr -d '\r' <"$TEST_TMP/console.log")
check() {
	grep -qF -- "$1" <<<"$log" || fail "missing '$1'; console: $(tail -n 40 <<<"$log")"
}
check "BASALT-GUEST: init reached"
check "BASALT-GUEST: cpus 2"
check "BASALT-GUEST: modules loaded"
check "BASALT-GUEST: vda present"
check "BASALT-GUEST: eth0 present"
check "BASALT-GUEST: disk read"
check "BASALT-GUEST: disk written"
check "BASALT-GUEST: pinged the host"
check "BASALT-GUEST: rebooting"
check "BASALT-HOST: vmm exited 0"
check "BASALT-HOST: disk holds the guest's write"
check "BASALT-HOST: pvh vmm exited 0"
check "BASALT-HOST: stop asked, vmm exited 0"
[ "$(grep -c 'BASALT-GUEST: init reached' <<<"$log")" -eq 2 ] ||
	fail "the PVH boot did not reach init; console: $(tail -n 40 <<<"$log")"
grep -E 'BASALT-HOST: (pvh )?vmm exited' <<<"$log"
exit 0
