# shellcheck shell=bash
# initramfs.sh - building the initramfs images the VMM's real-guest tests and benchmark boot,
# sourced by tests/integration/vmm_linux.sh and vmadm_kvm_linux.sh, bench/vmm.sh, scripts/demo
# and scripts/image-vm. Needs CACHE (from scripts/vmm-guest-assets) and REPO_DIR.
#
#   initramfs_inner OUT             busybox, linux-init.sh as /init, the virtio modules
#   initramfs_outer OUT INIT BASALT INNER [FILE...]
#                                   the nested test host: busybox, INIT as /init (with
#                                   host-init.sh beside it), kvm-amd and
#                                   tun, the basalt binary with its libraries, the stock
#                                   kernel (vmlinuz, vmlinux), INNER as /inner.cpio, and each
#                                   FILE (a program: with its libraries) at its own path
#   initramfs_vmadm_host OUT BASALT IMAGES
#                                   the nested test host of vmadm-host.sh (see below)
#   nested_host_run CPIO [SECONDS]  boot a nested test host

_initramfs_bb() {
	echo "$CACHE/busybox"
}

# initramfs_modules ROOT NAME...: modules NAME and what they depend on, with a modules.dep
initramfs_modules() {
	local root=$1 version dep m line f
	shift
	version=$(cat "$CACHE/version")
	dep=$CACHE/lib/modules/$version/modules.dep
	mkdir -p "$root/lib/modules/$version"
	cp "$dep" "$root/lib/modules/$version/"
	for m in "$@"; do
		line=$(grep -E "/${m//_/[-_]}\.ko:" "$dep") || {
			echo "initramfs: no module $m" >&2
			return 1
		}
		for f in ${line/:/}; do
			mkdir -p "$root/lib/modules/$version/$(dirname "$f")"
			cp "$CACHE/lib/modules/$version/$f" "$root/lib/modules/$version/$f"
		done
	done
}

# initramfs_program ROOT FILE [DEST]: FILE at DEST (default its own path) under ROOT, with the
# libraries ldd lists
initramfs_program() {
	local root=$1 file=$2 dest=${3:-$2} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$file" "$root$dest"
	# (a static binary has none: ldd says so and fails, and grep finds nothing)
	{ ldd "$file" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# _initramfs_cpio DIR OUT: a newc archive of DIR
_initramfs_cpio() {
	(cd "$1" && find . | "$(_initramfs_bb)" cpio -o -H newc >"$2" 2>/dev/null)
}

initramfs_inner() {
	local out=$1 root
	root=$(mktemp -d "${TMPDIR:-/tmp}/basalt-inner.XXXXXX")
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
	cp "$(_initramfs_bb)" "$root/bin/busybox"
	cp "$REPO_DIR/tests/guest/linux-init.sh" "$root/init"
	initramfs_modules "$root" virtio_pci virtio_mmio virtio_blk virtio_net &&
		_initramfs_cpio "$root" "$out"
	local r=$?
	rm -rf "$root"
	return $r
}

initramfs_outer() {
	local out=$1 init=$2 basalt=$3 inner=$4 root f
	shift 4
	root=$(mktemp -d "${TMPDIR:-/tmp}/basalt-outer.XXXXXX")
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp "$(_initramfs_bb)" "$root/bin/busybox"
	cp "$init" "$root/init"
	cp "$REPO_DIR/tests/guest/host-init.sh" "$root/host-init.sh"
	initramfs_program "$root" "$basalt" /basalt
	cp "$CACHE/vmlinuz" "$CACHE/vmlinux" "$root/"
	cp "$inner" "$root/inner.cpio"
	for f in "$@"; do
		if [ -x "$f" ] && [ ! -d "$f" ]; then
			initramfs_program "$root" "$f"
		else
			mkdir -p "$root$(dirname "$f")"
			cp -L "$f" "$root$f"
		fi
	done
	initramfs_modules "$root" kvm_amd tun && _initramfs_cpio "$root" "$out"
	local r=$?
	rm -rf "$root"
	return $r
}

# initramfs_vmadm_host OUT BASALT IMAGES: the nested test host of vmadm-host.sh: busybox, that
# script as /init, kvm-amd, tun and fuse, the basalt binary and basalt-mdata (beside it or in
# its cmd/, as vmadm finds it), and the VM image of
# scripts/image-vm (linux-vm.json, .zfs, .kernel, .initrd) from the directory IMAGES
initramfs_vmadm_host() {
	local out=$1 basalt=$2 images=$3 root mdata
	root=$(mktemp -d "${TMPDIR:-/tmp}/basalt-vmadm-host.XXXXXX")
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp "$(_initramfs_bb)" "$root/bin/busybox"
	cp "$REPO_DIR/tests/guest/vmadm-host.sh" "$root/init"
	cp "$REPO_DIR/tests/guest/host-init.sh" "$root/host-init.sh"
	initramfs_program "$root" "$basalt" /basalt
	mdata=$(dirname "$basalt")/basalt-mdata
	[ -x "$mdata" ] || mdata=$(dirname "$basalt")/cmd/basalt-mdata
	initramfs_program "$root" "$mdata" /basalt-mdata
	cp "$images"/linux-vm.json "$images"/linux-vm.zfs "$images"/linux-vm.kernel \
		"$images"/linux-vm.initrd "$root/"
	initramfs_modules "$root" kvm_amd tun fuse && _initramfs_cpio "$root" "$out"
	local r=$?
	rm -rf "$root"
	return $r
}

# nested_host_run CPIO [SECONDS]: boot the nested test host (QEMU's emulator, -cpu max: an
# emulated SVM for kvm-amd) on the stock kernel with CPIO as its initramfs, for at most SECONDS
# (default 300); its console on stdout, with the kernel's warnings (loglevel=5: a soft lockup's
# registers and stack, which `quiet` alone hides)
nested_host_run() {
	timeout "${2:-300}" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 -nographic \
		-monitor none -no-reboot -kernel "$CACHE/vmlinuz" -initrd "$1" \
		-append "console=ttyS0 quiet loglevel=5 panic=-1 rdinit=/init" </dev/null
}
