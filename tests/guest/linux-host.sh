#!/bin/busybox sh
# linux-host.sh - the test host side of the VMM's real-guest test: /init of the nested test
# host that QEMU boots, or run as-is on a host with hardware virtualization (then
# BASALT_HOST_DIR names the directory with the files below and modules are not loaded).
# It loads kvm-amd and tun, boots the stock kernel (bzImage, 2 vCPUs, a virtio disk and a
# virtio-net tap) under `basalt vmm run`, gives the tap the address the guest pings, checks the
# disk after the guest exits, then boots the same kernel through its PVH entry, and once more
# (with a keyboard) to stop it through the control socket: the VMM types Ctrl-Alt-Del, the
# guest reboots and the VMM ends without forcing it; a marker for every step.
#
# Files (in $BASALT_HOST_DIR, default /): basalt (and its libraries), vmlinuz, vmlinux,
# inner.cpio (the guest's initramfs, linux-init.sh as its /init).
D=${BASALT_HOST_DIR:-}
TAP=${BASALT_HOST_TAP:-bstap0}
nested=0
if [ -z "$D" ]; then
	nested=1
	. /host-init.sh kvm_amd tun
fi
[ -c /dev/kvm ] && echo "BASALT-HOST: /dev/kvm present"
W=${BASALT_HOST_WORK:-/tmp}
dd if=/dev/zero of="$W/disk.img" bs=1M count=8 2>/dev/null
printf 'HOSTDATA' | dd of="$W/disk.img" conv=notrunc 2>/dev/null
CMDLINE="console=ttyS0 reboot=k panic=-1 quiet i8042.noaux i8042.nokbd"

start=$(date +%s)
"$D/basalt" vmm run --kernel "$D/vmlinuz" --initrd "$D/inner.cpio" --cpus 2 --memory 256 \
	--cmdline "$CMDLINE basalt.full" --disk "$W/disk.img" --net "tap=$TAP" \
	--control "$W/vmm.sock" --confine &
vmm=$!
for i in $(seq 100); do
	[ -d "/sys/class/net/$TAP" ] && break
	sleep 0.1
done
ip addr add 10.0.2.1/24 dev "$TAP"
ip link set "$TAP" up
wait $vmm
echo "BASALT-HOST: vmm exited $? after $(($(date +%s) - start)) s"
dd if="$W/disk.img" bs=512 skip=1 count=1 2>/dev/null | grep -q GUESTDATA &&
	echo "BASALT-HOST: disk holds the guest's write"

start=$(date +%s)
"$D/basalt" vmm run --kernel "$D/vmlinux" --initrd "$D/inner.cpio" --memory 256 \
	--cmdline "$CMDLINE" --no-rng
echo "BASALT-HOST: pvh vmm exited $? after $(($(date +%s) - start)) s"

"$D/basalt" vmm run --kernel "$D/vmlinux" --initrd "$D/inner.cpio" --memory 256 \
	--cmdline "console=ttyS0 reboot=k panic=-1 quiet i8042.noaux basalt.wait" --no-rng \
	--control "$W/stop.sock" >"$W/stop.out" 2>"$W/stop.err" &
vmm=$!
for i in $(seq 1200); do
	grep -q 'BASALT-GUEST: waiting' "$W/stop.out" 2>/dev/null && break
	sleep 0.1
done
"$D/basalt" vmm ctl "$W/stop.sock" stop 60 >/dev/null
wait $vmm
r=$?
if grep -q 'did not stop' "$W/stop.err"; then
	echo "BASALT-HOST: stop forced, vmm exited $r; the guest's console and the VMM's log:"
	tail -n 20 "$W/stop.out"
	cat "$W/stop.err"
else
	echo "BASALT-HOST: stop asked, vmm exited $r"
fi
echo "BASALT-HOST: done"
[ "$nested" = 1 ] && poweroff -f
exit 0
