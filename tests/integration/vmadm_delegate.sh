#!/bin/bash
# vmadm_delegate: delegate_dataset. A zone created with it gets the dataset zones/UUID/data, its
# own file system below the VM's, listed in `vmadm get` as datasets and mounted in the zone at
# /zones/UUID/data, where the zone's root writes; the host manages it as a dataset (quota,
# snapshots, which the zone reads in .zfs/snapshot); it survives a reboot of the VM and is
# destroyed with it. A kvm VM cannot have one; a VM without it has none.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_vms
install_image

vm_payload "$TEST_TMP/dd.json" '"alias": "dd", "delegate_dataset": true'
expect_ok vmadm create -f "$TEST_TMP/dd.json"
vm=${LAST_STDOUT##* }
data=zones/$vm/data
zfs list -H -o name "$data" >/dev/null || fail "no dataset $data"
expect_ok vmadm get "$vm"
[ "$(jq -c .datasets <<<"$LAST_STDOUT")" = "[\"$data\"]" ] || fail "datasets: $LAST_STDOUT"
[ "$(jq -r .delegate_dataset <<<"$LAST_STDOUT")" = true ] || fail "delegate_dataset: $LAST_STDOUT"

# the zone writes there, and it is the dataset's file system
zlogin "$vm" sh -c "echo from the zone > /zones/$vm/data/file" || fail "the zone cannot write"
mp=$(zfs get -H -o value mountpoint "$data")
[ "$(cat "$mp/file")" = "from the zone" ] || fail "the write is not in $data"
[ "$(zfs get -H -o value used zones/"$vm")" != 0 ] || fail "no space used"

# managed from the host: a snapshot the zone sees, a quota the zone meets
expect_ok zfs snapshot "$data@one"
[ "$(zlogin "$vm" cat "/zones/$vm/data/.zfs/snapshot/one/file")" = "from the zone" ] ||
	fail "the zone does not see the snapshot"
expect_ok zfs set quota=1M "$data"
zlogin "$vm" sh -c "dd if=/dev/zero of=/zones/$vm/data/big bs=64k count=64 2>/dev/null" &&
	fail "the quota did not hold in the zone"
zlogin "$vm" rm -f "/zones/$vm/data/big" || fail "rm in the zone, at its quota"
expect_ok zfs set quota=none "$data"

# a reboot keeps it mounted
expect_ok vmadm reboot "$vm"
[ "$(zlogin "$vm" cat "/zones/$vm/data/file")" = "from the zone" ] || fail "gone after reboot"

# a VM without it has none; a kvm VM cannot have one
vm_payload "$TEST_TMP/plain.json" '"alias": "plain"'
expect_ok vmadm create -f "$TEST_TMP/plain.json"
plain=${LAST_STDOUT##* }
zfs list -H -o name "zones/$plain/data" >/dev/null 2>&1 && fail "a dataset without delegate_dataset"
expect_ok vmadm get "$plain"
[ "$(jq -r 'has("datasets")' <<<"$LAST_STDOUT")" = false ] || fail "datasets: $LAST_STDOUT"
echo '{"brand": "kvm", "ram": 16, "kernel": "/dev/null", "delegate_dataset": true}' \
	>"$TEST_TMP/kvm.json"
expect_fail vmadm validate create -f "$TEST_TMP/kvm.json"
[ "$(jq -c .bad_properties <<<"$LAST_STDOUT")" = '["delegate_dataset"]' ] ||
	fail "validate of a kvm VM with delegate_dataset: $LAST_STDOUT"

# deleted with the VM
expect_ok vmadm delete -F "$vm"
zfs list -H -o name "$data" >/dev/null 2>&1 && fail "$data left after delete"
expect_ok vmadm delete -F "$plain"
[ "$(zfs list -H -o name | grep -c "^zones/$vm\|^zones/$plain")" = 0 ] ||
	fail "datasets left: $(zfs list -H -o name)"
echo "vmadm_delegate: ok"
