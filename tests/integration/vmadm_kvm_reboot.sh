#!/bin/bash
# vmadm_kvm_reboot: a kvm guest that reboots restarts its VM, as on SmartOS. The guest resets the
# machine through the keyboard controller; its VMM ends with the status that says so, and the
# zone's supervisor starts the VMM again in the same zone (new process, same console, devices
# and disk), so the guest boots again and again until the VM is stopped. `vmadm reboot` of a
# kvm VM gives it a new VMM too, and a stopped VM stays stopped.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_kvm_vms reboot kbd

# ---- a guest that reboots at once: it comes back, in the same zone ----
cat >"$TEST_TMP/reboot.json" <<JSON
{"brand": "kvm", "alias": "reboot", "ram": 16, "kernel": "$guests/reboot.elf",
 "kernel_boot": "direct", "autoboot": false, "disks": [{"size": 1}]}
JSON
expect_ok vmadm create -f "$TEST_TMP/reboot.json"
vm=${LAST_STDOUT##* }
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" \
	"run:cp $BASALT_ROOT/run/zones/$vm/supervisor $TEST_TMP/supervisor" 'expect:booted' \
	'expect:booted' 'expect:booted' 'send:\r~.' 'expect:closed' -- vmadm console "$vm" \
	>"$TEST_TMP/reboot.log" || fail "the guest did not boot again: $(cat -v "$TEST_TMP/reboot.log")"
start_supervisor=$(cat "$TEST_TMP/supervisor")
# three boots, one supervisor, still there: the zone was not booted anew nor taken down, its VMM
# was started again (the state may be caught between two boots: not checked)
supervisor=$(cat "$BASALT_ROOT/run/zones/$vm/supervisor")
[ "$supervisor" = "$start_supervisor" ] || fail "the zone's supervisor changed: booted anew"
kill -0 "$supervisor" 2>/dev/null || fail "a reboot took the zone down"
expect_ok vmadm stop "$vm"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "stop during reboots"
expect_ok vmadm delete "$vm"

# ---- vmadm reboot: the guest asked (Ctrl-Alt-Del, which this one answers by a reset), a new
# VMM, running ----
jq '.alias = "kbd" | .kernel |= sub("reboot"; "kbd")' "$TEST_TMP/reboot.json" \
	>"$TEST_TMP/idle.json"
expect_ok vmadm create -f "$TEST_TMP/idle.json"
vm=${LAST_STDOUT##* }
expect_ok vmadm start "$vm"
init=$(cat "$BASALT_ROOT/run/zones/$vm/init")
expect_ok vmadm reboot "$vm"
[ "$(vmadm list -H -o state uuid="$vm")" = running ] || fail "not running after vmadm reboot"
[ "$(cat "$BASALT_ROOT/run/zones/$vm/init")" != "$init" ] || fail "vmadm reboot kept the VMM"
"$drive" 'expect:waiting for ctrl-alt-del' 'send:\r~.' 'expect:closed' -- vmadm console "$vm" \
	>"$TEST_TMP/idle.log" || fail "after vmadm reboot: $(cat -v "$TEST_TMP/idle.log")"
expect_ok vmadm info "$vm"
[ "$(jq -r .vmm.state <<<"$LAST_STDOUT")" = running ] || fail "info after reboot: $LAST_STDOUT"
expect_ok vmadm reboot "$vm" -F
[ "$(vmadm list -H -o state uuid="$vm")" = running ] || fail "not running after vmadm reboot -F"
expect_ok vmadm stop "$vm"
expect_fail vmadm reboot "$vm"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "reboot of a stopped VM started it"
expect_ok vmadm delete "$vm"
[ -z "$(zoneadm list -c)" ] || fail "zones left: $(zoneadm list -c)"
echo "vmadm_kvm_reboot: ok"
