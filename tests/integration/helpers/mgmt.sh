# shellcheck shell=bash
# helpers/mgmt.sh - sourced after lib.sh by the imgadm and vmadm tests: the pool daemon of the
# test's state directory and a busybox image built by scripts/image-busybox (cached between runs).
#
#   use_images         the pool daemon (stopped on exit); IMAGE_DIR holds busybox.json and
#                      busybox.zfs; IMAGE_UUID is the image's uuid
#   install_image      imgadm install the busybox image

use_images() {
	use_pool_daemon
	IMAGE_DIR=$TEST_TMP/images
	BASALT=$BASALT "$REPO_DIR/scripts/image-busybox" "$IMAGE_DIR" >/dev/null ||
		skip "no busybox image: busybox-static cannot be fetched"
	IMAGE_UUID=$(sed -n 's/^ *"uuid": "\(.*\)",$/\1/p' "$IMAGE_DIR/busybox.json")
}

install_image() {
	imgadm install -m "$IMAGE_DIR/busybox.json" -f "$IMAGE_DIR/busybox.zfs" >/dev/null ||
		fail "imgadm install failed"
}

#   use_vms            use_images, plus root with namespaces (else skipped); every zone is halted
#                      on exit, before the pool daemon stops
#   vm_payload FILE JSON  write a joyent payload of the busybox image with JSON's members
source "$(dirname "${BASH_SOURCE[0]}")/zone.sh"

use_vms() {
	use_images
	unshare -m -p -u -i -n -f true 2>/dev/null || skip "namespaces cannot be created here"
	at_exit '_zones_halt_all'
}

vm_payload() {
	printf '{"brand": "joyent", "image_uuid": "%s"%s%s}\n' "$IMAGE_UUID" "${2:+, }" "${2:-}" >"$1"
}

#   another_root VAR   a new, empty state directory in VAR, for a second pool daemon and pool:
#                      on exit its zones are halted, its daemon stopped and it is removed, and
#                      the handlers registered before run with BASALT_ROOT as it is now
another_root() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/basalt-$TEST_NAME-root.XXXXXX")
	at_exit "_vms_halt_in $dir"
	at_exit "BASALT_ROOT=$BASALT_ROOT"
	printf -v "$1" '%s' "$dir"
}

_vms_halt_in() {
	BASALT_ROOT=$1 _zones_halt_all
	BASALT_ROOT=$1 "$BASALT" zfsd --stop >/dev/null 2>&1 || true
	rm -rf "$1"
}

#   use_kvm_vms GUEST...  use_vms for kvm VMs: the VMM in this build, a usable /dev/kvm and the
#                      freestanding test guests GUEST (tests/guest/GUEST.elf), else skipped;
#                      guests is their directory, drive the pty driver for consoles
use_kvm_vms() {
	"$BASALT" vmm --help >/dev/null 2>&1 || skip "no VMM in this build"
	use_kvm
	guests=$BASALT_BUILD/tests/guest
	for g in "$@"; do
		[ -f "$guests/$g.elf" ] || skip "no test guests in this build"
	done
	drive=$TESTS_INTEGRATION_DIR/helpers/pty-drive.py
	use_vms
}
