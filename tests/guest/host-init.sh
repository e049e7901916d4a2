#!/bin/busybox sh
# host-init.sh - the start every nested test host's /init shares (tests/guest/linux-host.sh,
# vmadm-host.sh and bench/vmm-host.sh source it from the initramfs root): busybox's applets,
# /proc, /sys, /dev and a /tmp, the "init reached" marker, the modules named as arguments (each
# failure said), and the loopback up.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
echo "BASALT-HOST: init reached"
for m in "$@"; do
	modprobe "$m" || echo "BASALT-HOST: modprobe $m failed"
done
ip link set lo up
