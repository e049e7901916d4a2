#!/bin/busybox sh
# vmadm-host.sh - a real Linux VM provisioned the SmartOS way: imgadm installs the VM image of
# scripts/image-vm (a volume holding an ext4 root, plus Debian's kernel and an initramfs),
# vmadm creates a kvm VM whose disk is a clone of that image, its VMM confined in the VM's
# zone, the stock kernel boots from the cloned volume, commands run on the VM's console
# (vmadm console), one of them fetching customer_metadata with mdata-get, vmadm stops the VM
# (its guest asked first, and shutting down) and deletes it. A marker for every step,
# "BASALT-HOST:" from this side and "BASALT-VM:" from the guest.
#
# This is /init of the nested test host (QEMU's emulator, -cpu max, kvm-amd loaded: see
# tests/integration/vmm_linux.sh), used by scripts/demo and tests/integration/vmadm_kvm_linux.sh,
# or runs as-is on a host with hardware virtualization, with BASALT_HOST_DIR naming the
# directory of the files below and BASALT_ROOT a state directory of its own.
#
# Files (in $BASALT_HOST_DIR, default /): basalt (static), linux-vm.json, linux-vm.zfs,
# linux-vm.kernel, linux-vm.initrd.
D=${BASALT_HOST_DIR:-}
nested=0
if [ -z "$D" ] && [ ! -e /.tmpfs-root ]; then
	# zones pivot_root, which the initramfs (rootfs) does not allow under it: move to a tmpfs
	/bin/busybox mkdir /newroot
	/bin/busybox mount -t tmpfs -o mode=0755 root /newroot
	for f in /*; do
		[ "$f" = /newroot ] || /bin/busybox cp -a "$f" /newroot/
	done
	/bin/busybox touch /newroot/.tmpfs-root
	exec /bin/busybox switch_root /newroot /init
fi
if [ -z "$D" ]; then
	nested=1
	. /host-init.sh kvm_amd tun fuse
	mkdir -p /dev/pts /sys/fs/cgroup /dev/net /var/lib
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	mount -t cgroup2 none /sys/fs/cgroup
	echo "+memory +pids +cpu +io" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	dmesg -n 1
	export BASALT_ROOT=/var/lib/basalt
fi
[ -c /dev/kvm ] && echo "BASALT-HOST: /dev/kvm present"
B="$D/basalt"
vmadm() { "$B" vmadm "$@"; }

# a step that must succeed; its output is shown
run() {
	echo "# $*"
	"$@" || {
		echo "BASALT-HOST: failed: $*"
		finish 1
	}
}
finish() {
	[ -n "$vm" ] && vmadm delete -F "$vm" >/dev/null 2>&1
	"$B" zfsd --stop >/dev/null 2>&1
	echo "BASALT-HOST: done $1"
	[ "$nested" = 1 ] && poweroff -f
	exit "$1"
}
# wait_for FILE TEXT SECONDS: until FILE holds TEXT
wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 5)) ] && return 1
		sleep 0.2
	done
}

vm=
image=$(sed -n 's/^ *"uuid": "\(.*\)",$/\1/p' "$D/linux-vm.json")
run "$B" imgadm install -m "$D/linux-vm.json" -f "$D/linux-vm.zfs"
echo "BASALT-HOST: image installed"
run "$B" imgadm list
cat >/tmp/vm.json <<JSON
{"brand": "kvm", "alias": "linux", "ram": 128, "vcpus": 2,
 "kernel": "$D/linux-vm.kernel", "initrd": "$D/linux-vm.initrd",
 "kernel_args": "console=ttyS0 root=/dev/vda reboot=k panic=-1 quiet i8042.noaux",
 "disks": [{"image_uuid": "$image", "boot": true}],
 "customer_metadata": {"motd": "hello from the host"}}
JSON
cat /tmp/vm.json
start=$(date +%s)
out=$(vmadm create -f /tmp/vm.json 2>&1) || {
	echo "$out"
	echo "BASALT-HOST: failed: vmadm create"
	finish 1
}
echo "$out"
vm=${out##* }
echo "BASALT-HOST: vm created"
# vmadm brought the image's bzImage in unpacked, for the PVH entry
zonepath=$(vmadm get "$vm" | sed -n 's/.*"zonepath": *"\([^"]*\)".*/\1/p')
[ "$(head -c 4 "$zonepath/root/vm/kernel" | tail -c 3)" = ELF ] &&
	echo "BASALT-HOST: kernel unpacked for PVH"
run vmadm list -o uuid,type,ram,state,alias
run "$B" zfs list -o name,used,refer,origin

# the console: what the guest printed so far, then a command typed on its shell
mkfifo /tmp/console.in
vmadm console "$vm" </tmp/console.in >/tmp/console.out 2>&1 &
console=$!
exec 3>/tmp/console.in
if ! wait_for /tmp/console.out "BASALT-VM: root is up" 240; then
	cat /tmp/console.out
	echo "BASALT-HOST: failed: the VM's root did not come up"
	finish 1
fi
echo "BASALT-HOST: vm root up after $(($(date +%s) - start)) s"
wait_for /tmp/console.out "/ # " 30
# (each marker is split so that the shell's echo of the command does not match it; commands
# are short: what the UART's 256-byte receive FIFO cannot hold while the guest is slow is lost)
printf '%s\r' 'echo "BASALT-VM"": $(uname -sr) on $(grep -c ^processor /proc/cpuinfo) vCPUs, $(cat /etc/hostname), root $(grep " / " /proc/mounts | cut -d" " -f1,3)"' >&3
wait_for /tmp/console.out "BASALT-VM: Linux" 60 || echo "BASALT-HOST: no answer on the console"
printf '%s\r' 'echo "BASALT-VM""-MDATA: $(timeout 30 mdata-get motd)"; echo "BASALT-VM""-END"' >&3
wait_for /tmp/console.out "BASALT-VM-END" 60 || echo "BASALT-HOST: no answer on the console"
# stop: the VMM asks the guest (Ctrl-Alt-Del), whose init shuts down; the console ends with it
run vmadm stop "$vm"
# (a console whose zone went down may wait for its next boot: leave it; in a subshell, which a
# reader already gone kills with SIGPIPE instead of this one)
(printf '\r~.' >&3) 2>/dev/null
exec 3>&-
wait $console
esc=$(printf '\033')
tr -d '\r' </tmp/console.out | sed "s/$esc\[[0-9;]*[a-zA-Z]//g" | grep -v '^$'
echo "BASALT-HOST: console closed"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] && echo "BASALT-HOST: vm stopped"
run vmadm delete "$vm"
vm=
echo "BASALT-HOST: vm deleted"
run "$B" zfs list -o name,used,refer,origin
finish 0
