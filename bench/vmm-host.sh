#!/bin/busybox sh
# vmm-host.sh - /init of the nested test host in which bench/vmm.sh times real Linux guests:
# the same stock kernel and initramfs under Basalt's VMM (bzImage and PVH), QEMU's microvm and
# q35 machines (and kvmtool when basalt.lkvm=PATH is on the command line; basalt.peer=A,B adds
# parameters A B to QEMU's and kvmtool's guest command line only), from starting the VMM
# to the guest's init marker, then 64 MiB read from a virtio disk under Basalt and QEMU q35.
# One line "BENCH name what value" per figure; the boots are repeated basalt.runs=N times (from
# the command line, default 1), in turn, since one boot in this slow nested host varies by tens
# of percent. QEMU's microvm has no keyboard controller, so its guest reboots by triple fault
# (reboot=t).
. /host-init.sh kvm_amd tun
CMD="console=ttyS0 reboot=k panic=-1 quiet i8042.noaux i8042.nokbd"
LKVM=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^basalt.lkvm=//p')
RUNS=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^basalt.runs=//p')
PEER=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^basalt.peer=//p' | tr ',' ' ')
dd if=/dev/urandom of=/tmp/disk.img bs=1M count=64 2>/dev/null
QEMU="qemu-system-x86_64 -accel kvm -cpu host -m 256 -smp 2 -nodefaults -no-user-config
	-display none -monitor none -serial stdio -no-reboot -L /usr/share/qemu -L /usr/share/seabios"

now() {
	cut -d' ' -f1 /proc/uptime
}

# run NAME COMMAND...: time COMMAND to the guest's init marker and to its exit
run() {
	name=$1
	shift
	t0=$(now)
	"$@" </dev/null 2>&1 | tee "/tmp/$name.log" | while IFS= read -r line; do
		case "$line" in
		*"BASALT-GUEST: init reached"*)
			echo "BENCH $name init_ms $(awk -v a="$t0" -v b="$(now)" \
				'BEGIN { printf "%d", (b - a) * 1000 }')"
			;;
		*"BASALT-GUEST: dd"*)
			echo "BENCH $name dd ${line#*dd }"
			;;
		esac
	done
	echo "BENCH $name exit_ms $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')"
	grep -q "BASALT-GUEST: init reached" "/tmp/$name.log" ||
		echo "BENCH $name failed: $(grep -v '^ *$' "/tmp/$name.log" | tail -n 1)"
}

for i in $(seq "${RUNS:-1}"); do
	run basalt-bzimage /basalt vmm run --kernel /vmlinuz --initrd /inner.cpio --memory 256 \
		--cpus 2 --cmdline "$CMD" --no-rng
	run basalt-pvh /basalt vmm run --kernel /vmlinux --initrd /inner.cpio --memory 256 \
		--cpus 2 --cmdline "$CMD" --no-rng
	run qemu-microvm $QEMU -M microvm -kernel /vmlinuz -initrd /inner.cpio \
		-append "$CMD${PEER:+ $PEER} reboot=t"
	run qemu-q35 $QEMU -M q35 -kernel /vmlinuz -initrd /inner.cpio -append "$CMD${PEER:+ $PEER}"
	if [ -n "$LKVM" ]; then
		run kvmtool "$LKVM" run -k /vmlinuz -i /inner.cpio -m 256 -c 2 -p "$CMD${PEER:+ $PEER}" \
			--console serial
	fi
done
run basalt-blk /basalt vmm run --kernel /vmlinuz --initrd /inner.cpio --memory 256 --cpus 2 \
	--cmdline "$CMD basalt.bench" --disk /tmp/disk.img --no-rng
run qemu-q35-blk $QEMU -M q35 -kernel /vmlinuz -initrd /inner.cpio \
	-append "$CMD basalt.bench" -drive file=/tmp/disk.img,format=raw,if=none,id=d \
	-device virtio-blk-pci,drive=d
echo "BENCH done"
poweroff -f
