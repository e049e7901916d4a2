#!/bin/bash
# vmadm_kvm_start: a kvm VM really started: its zone runs `basalt vmm run` as its only process,
# the guest's kernel (BASALT_KERNEL, or the host's /boot/vmlinuz-*) boots on /dev/kvm with its
# disk, its console prints, and stop ends the VMM and the zone. Needs a build with the VMM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
"$BASALT" vmm --help >/dev/null 2>&1 || skip "no VMM in this build"
[ -c /dev/kvm ] || skip "no /dev/kvm"
kernel=${BASALT_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no kernel to boot (set BASALT_KERNEL)"
use_vms

cat >"$TEST_TMP/kvm.json" <<JSON
{"brand": "kvm", "alias": "guest", "ram": 256, "kernel": "$kernel",
 "kernel_args": "console=ttyS0 panic=-1", "disks": [{"size": 64}]}
JSON
expect_ok vmadm create -f "$TEST_TMP/kvm.json"
vm=${LAST_STDOUT##* }
[ "$(vmadm list -H -o state uuid="$vm")" = running ] || fail "the VM does not run"
init=$(cat "$BASALT_ROOT/run/zones/$vm/init")
tr '\0' ' ' <"/proc/$init/cmdline" | grep -q '^/basalt vmm run --kernel /vm/kernel' ||
	fail "the zone's process is not the VMM: $(tr '\0' ' ' <"/proc/$init/cmdline")"
[ "$(readlink "/proc/$init/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] ||
	fail "the VMM is not confined in a zone"
expect_ok vmadm stop -F "$vm"
expect_ok vmadm delete "$vm"
echo "vmadm_kvm_start: ok"
