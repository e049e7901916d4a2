#!/bin/busybox sh
# linux-init.sh - /init of the busybox initramfs that the VMM's real-guest test boots with
# Debian's stock kernel. It prints a marker for each thing it checks (the test host or
# harness greps them): init reached, the vCPU count, the virtio modules loaded, vda and eth0
# present, the disk read and written, the test host pinged over the tap; then `reboot -f`.
# With basalt.bench on the command line it reads 64 MiB of vda instead (bench/vmm.sh); with
# basalt.wait it says so and waits (for the VMM's stop) instead of rebooting.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "BASALT-GUEST: init reached"
echo "BASALT-GUEST: cpus $(grep -c ^processor /proc/cpuinfo)"
if [ "$(cat /proc/cmdline | grep -c basalt.full)" = 1 ]; then
	for m in virtio_pci virtio_blk virtio_net; do
		modprobe "$m" || echo "BASALT-GUEST: modprobe $m failed"
	done
	echo "BASALT-GUEST: modules loaded"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -b /dev/vda ] && [ -d /sys/class/net/eth0 ] && break
		sleep 0.2
	done
	[ -b /dev/vda ] && echo "BASALT-GUEST: vda present"
	[ -d /sys/class/net/eth0 ] && echo "BASALT-GUEST: eth0 present"
	dd if=/dev/vda bs=512 count=1 2>/dev/null | grep -q HOSTDATA &&
		echo "BASALT-GUEST: disk read"
	echo "GUESTDATA" | dd of=/dev/vda bs=512 seek=1 conv=sync 2>/dev/null && sync &&
		echo "BASALT-GUEST: disk written"
	ip link set eth0 up
	ip addr add 10.0.2.2/24 dev eth0
	ping -c 1 -W 10 10.0.2.1 >/dev/null && echo "BASALT-GUEST: pinged the host"
fi
if [ "$(cat /proc/cmdline | grep -c basalt.bench)" = 1 ]; then
	for m in virtio_pci virtio_mmio virtio_blk; do
		modprobe "$m" 2>/dev/null
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -b /dev/vda ] && break
		sleep 0.2
	done
	t0=$(cut -d' ' -f1 /proc/uptime)
	dd if=/dev/vda of=/dev/null bs=1M count=64 2>/dev/null
	t1=$(cut -d' ' -f1 /proc/uptime)
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
	echo "BASALT-GUEST: dd 64 MiB in $ms ms"
fi
if [ "$(cat /proc/cmdline | grep -c basalt.wait)" = 1 ]; then
	echo "BASALT-GUEST: waiting"
	while :; do sleep 1; done
fi
echo "BASALT-GUEST: rebooting"
reboot -f
