#!/bin/bash
# vmadm_send_recv: the pool carries its VMs. A VM sent with `vmadm send` is received by another
# state directory's pool (no image installed there) and boots with its data, its delegated
# dataset's too; a pool exported and
# imported by a third state directory brings its VMs and images along, and the autoboot VM among
# them starts at the first vmadm command there, as it does when the pool daemon restarts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_vms
install_image
ROOT1=$BASALT_ROOT

vm_payload "$TEST_TMP/s.json" '"alias": "mover", "customer_metadata": {"k": "v"},
 "delegate_dataset": true'
expect_ok vmadm create -f "$TEST_TMP/s.json"
vm=${LAST_STDOUT##* }
zlogin "$vm" sh -c 'echo precious > /root/data'
zlogin "$vm" sh -c "echo delegated > /zones/$vm/data/file"
vm_payload "$TEST_TMP/t.json" '"alias": "sleeper", "autoboot": false'
expect_ok vmadm create -f "$TEST_TMP/t.json"
sleeper=${LAST_STDOUT##* }

expect_fail vmadm send "$vm"
expect_match "$LAST_STDERR" "stop it before sending it"
expect_ok vmadm stop -F "$vm"
vmadm send "$vm" >"$TEST_TMP/vm.stream" || fail "vmadm send"
expect_fail vmadm receive <"$TEST_TMP/vm.stream"
expect_match "$LAST_STDERR" "already exists in this pool"
printf 'garbage\n' >"$TEST_TMP/garbage"
expect_fail vmadm receive <"$TEST_TMP/garbage"
expect_match "$LAST_STDERR" "not a VM stream"

# another state directory, its own pool daemon and default pool
another_root ROOT2
BASALT_ROOT=$ROOT2 vmadm receive <"$TEST_TMP/vm.stream" >/dev/null || fail "vmadm receive"
export BASALT_ROOT=$ROOT2
[ "$(vmadm list -H -o uuid,alias,state)" = "$vm	mover	stopped" ] ||
	fail "received VM: $(vmadm list -H -o uuid,alias,state)"
expect_ok vmadm start "$vm"
[ "$(zlogin "$vm" cat /root/data)" = precious ] || fail "the data did not come along"
[ "$(zlogin "$vm" cat "/zones/$vm/data/file")" = delegated ] ||
	fail "the delegated dataset did not come along"
[ "$(vmadm get "$vm" | jq -r .customer_metadata.k)" = v ] || fail "the metadata did not come along"
expect_ok vmadm delete -F "$vm"
export BASALT_ROOT=$ROOT1

# the whole pool: exported, imported by a third state directory whose daemon creates no pool
expect_ok vmadm start "$vm"
expect_ok vmadm stop "$vm"
expect_ok zpool export zones
another_root ROOT3
: >"$ROOT3/zpool.cache"
export BASALT_ROOT=$ROOT3
expect_ok zpool import -d "$ROOT1/pools" zones
# the first vmadm command after the daemon started boots the autoboot VMs
expect_ok vmadm list -H -o alias,state -s alias
[ "$LAST_STDOUT" = "$(printf 'mover\trunning\nsleeper\tstopped')" ] || fail "imported VMs: $LAST_STDOUT"
[ "$(zlogin "$vm" cat /root/data)" = precious ] || fail "imported VM lost its data"
expect_ok imgadm list -H -o uuid
[ "$LAST_STDOUT" = "$IMAGE_UUID" ] || fail "the image did not come along"
# and again after the pool daemon restarts
expect_ok vmadm stop -F "$vm"
"$BASALT" zfsd --stop >/dev/null || fail "zfsd --stop"
expect_ok vmadm list -H -o alias,state alias=mover
[ "$LAST_STDOUT" = "$(printf 'mover\trunning')" ] || fail "autoboot after restart: $LAST_STDOUT"
expect_ok vmadm delete -F "$vm"
expect_ok vmadm delete "$sleeper"
export BASALT_ROOT=$ROOT1
echo "vmadm_send_recv: ok"
