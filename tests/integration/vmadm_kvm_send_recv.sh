#!/bin/bash
# vmadm_kvm_send_recv: a kvm VM through `vmadm send | vmadm receive`: its dataset (the zone root
# with the VMM and kernel) and its disk volumes travel in one stream to another state directory's
# pool, where the disk holds what was written to it and the VM boots. A stream cut short is
# refused with one line, and leaves no dataset, manifest or zone behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_kvm_vms idle
ROOT1=$BASALT_ROOT

cat >"$TEST_TMP/vm.json" <<JSON
{"brand": "kvm", "alias": "traveller", "ram": 16, "kernel": "$guests/idle.elf",
 "kernel_boot": "direct", "autoboot": false, "disks": [{"size": 1}, {"size": 2}],
 "customer_metadata": {"k": "v"}}
JSON
expect_ok vmadm create -f "$TEST_TMP/vm.json"
vm=${LAST_STDOUT##* }
disk0=$(vmadm get "$vm" | jq -r '.disks[0].path')
disk1=$(vmadm get "$vm" | jq -r '.disks[1].path')
printf 'on the first disk' | dd of="$disk0" bs=512 seek=8 conv=notrunc status=none
printf 'on the second disk' | dd of="$disk1" bs=512 seek=3000 conv=notrunc status=none
sync
expect_ok vmadm start "$vm"
expect_fail vmadm send "$vm"
expect_match "$LAST_STDERR" "stop it before sending it"
expect_ok vmadm stop -F "$vm"
vmadm send "$vm" >"$TEST_TMP/vm.stream" || fail "vmadm send"
[ "$(zfs list -H -t snapshot -o name | grep -c @vmsend)" = 0 ] || fail "send left its snapshots"

# another state directory, its own pool daemon and default pool
another_root ROOT2
export BASALT_ROOT=$ROOT2

# a stream cut inside the second disk: refused, nothing left
head -c $(($(stat -c %s "$TEST_TMP/vm.stream") - 1000)) "$TEST_TMP/vm.stream" >"$TEST_TMP/cut"
expect_fail vmadm receive <"$TEST_TMP/cut"
expect_match "$LAST_STDERR" "ended"
[ "$(zfs list -H -o name | tr '\n' ' ')" = "zones zones/config " ] ||
	fail "a failed receive left datasets: $(zfs list -H -o name)"
[ -z "$(vmadm list -H -o uuid)" ] || fail "a failed receive left a VM"
[ -z "$(zoneadm list -c)" ] || fail "a failed receive left a zone"

expect_ok vmadm receive <"$TEST_TMP/vm.stream"
[ "$(vmadm list -H -o uuid,alias,state)" = "$vm	traveller	stopped" ] ||
	fail "received VM: $(vmadm list -H -o uuid,alias,state)"
expect_ok vmadm get "$vm"
got0=$(jq -r '.disks[0].path' <<<"$LAST_STDOUT")
got1=$(jq -r '.disks[1].path' <<<"$LAST_STDOUT")
[[ "$got0" == "$ROOT2"/* ]] || fail "the disk's path is not this host's: $got0"
[ "$(jq -r .customer_metadata.k <<<"$LAST_STDOUT")" = v ] || fail "the metadata did not come along"
[ "$(dd if="$got0" bs=512 skip=8 count=1 status=none | tr -d '\0')" = "on the first disk" ] ||
	fail "the first disk's data did not come along"
[ "$(dd if="$got1" bs=512 skip=3000 count=1 status=none | tr -d '\0')" = "on the second disk" ] ||
	fail "the second disk's data did not come along"
[ "$(zfs get -H -p -o value volsize "zones/$vm-disk1")" = $((2 << 20)) ] ||
	fail "the second disk's size: $(zfs get -H -p -o value volsize "zones/$vm-disk1")"
expect_ok vmadm start "$vm"
"$drive" 'expect:idle guest up' 'send:\r~.' 'expect:closed' -- vmadm console "$vm" \
	>"$TEST_TMP/console.log" || fail "the received VM: $(cat -v "$TEST_TMP/console.log")"
expect_ok vmadm info "$vm"
[ "$(jq -r .vmm.state <<<"$LAST_STDOUT")" = running ] || fail "info: $LAST_STDOUT"
expect_ok vmadm stop -F "$vm"
expect_ok vmadm delete "$vm"
[ "$(zfs list -H -o name | tr '\n' ' ')" = "zones zones/config " ] ||
	fail "datasets left: $(zfs list -H -o name)"
export BASALT_ROOT=$ROOT1
echo "vmadm_kvm_send_recv: ok"
