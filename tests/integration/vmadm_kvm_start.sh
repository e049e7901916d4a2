#!/bin/bash
# vmadm_kvm_start: kvm VMs really started. The guests are the VMM's freestanding test guests
# (this host's /dev/kvm may not boot a stock kernel directly). An idle guest: its zone's only
# process is `basalt vmm run`, confined in the zone (its namespaces, its root, its device cgroup,
# /dev/kvm, the tap and the disk the only devices it holds, dropped to nobody), its console
# output reaches `vmadm console`, `vmadm info` shows the VMM's figures, `vmadm stop` ends it
# through the control socket. A guest that echoes a key gets the ^C typed on its console (the
# VMM, the zone's init, is not stopped by it). A virtio guest: it writes its disk (a volume of
# the pool) and exchanges ARP with the host over its NIC (tap, the zone's bridge, veth, the
# nic_tag's bridge, anti-spoofing), then powers off, which takes its zone down; its kernel came
# by update. Delete leaves nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
use_kvm_vms idle virtio kbd irq
tag=kv$$
tag=${tag:0:8}
mac=02:00:0a:d5:4d:02

# ---- an idle guest ----
cat >"$TEST_TMP/idle.json" <<JSON
{"brand": "kvm", "alias": "idle", "ram": 16, "kernel": "$guests/idle.elf",
 "kernel_boot": "direct", "disks": [{"size": 1}],
 "nics": [{"nic_tag": "$tag", "ips": ["10.213.77.2/24"], "mac": "$mac"}]}
JSON
expect_ok vmadm create -f "$TEST_TMP/idle.json"
vm=${LAST_STDOUT##* }
[ "$(vmadm list -H -o state uuid="$vm")" = running ] || fail "the VM does not run"
"$drive" 'expect:idle guest up' 'send:\r~.' 'expect:closed' -- vmadm console "$vm" \
	>"$TEST_TMP/console.log" || fail "console: $(cat "$TEST_TMP/console.log")"

pid=$(cat "$BASALT_ROOT/run/zones/$vm/init")
cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
[[ "$cmd" == "/basalt vmm run --kernel /vm/kernel --boot direct --memory 16 --cpus 1 "* ]] ||
	fail "the zone's process is not the VMM: $cmd"
for ns in mnt pid net uts ipc cgroup; do
	[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
		fail "the VMM shares the host's $ns namespace"
done
root=$(zonecfg -z "$vm" info | jq -r .zoneroot)
[ "$(stat -L -c %d:%i "/proc/$pid/root")" = "$(stat -c %d:%i "$root")" ] ||
	fail "the VMM's root is not the zone's root"
grep -q "basalt-.*$vm" "/proc/$pid/cgroup" || fail "the VMM is not in the zone's cgroup"
[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 65534 ] || fail "the VMM did not drop root"
devs=$(for f in /proc/"$pid"/fd/*; do readlink "$f"; done | sort -u)
for want in /dev/kvm /dev/net/tun /disks/disk0; do
	grep -qx "$want" <<<"$devs" || fail "the VMM does not hold $want: $devs"
done
others=$(grep '^/dev/' <<<"$devs" |
	grep -vx -e /dev/kvm -e /dev/net/tun -e /dev/console -e '/dev/pts/[0-9]*' || true)
[ -z "$others" ] || fail "the VMM holds other devices: $others"
[ "$(ls "/proc/$pid/root/dev" | sort | tr '\n' ' ')" = \
	"console full kvm net null ptmx pts random shm tty urandom zero " ] ||
	fail "the zone's /dev: $(ls "/proc/$pid/root/dev")"

expect_ok vmadm info "$vm"
[ "$(jq -r .vmm.state <<<"$LAST_STDOUT")" = running ] || fail "info: $LAST_STDOUT"
[ "$(jq -r .vmm.memory_mib <<<"$LAST_STDOUT")" = 16 ] || fail "info memory: $LAST_STDOUT"
[ "$(jq -r '.vmm.cpus[0].io_exits > 0' <<<"$LAST_STDOUT")" = true ] || fail "info: $LAST_STDOUT"

idle_vm=$vm
host_if=bz$(zone_hash "$vm")n0
ip link show "$host_if" >/dev/null || fail "no host end $host_if"
# (this guest does not answer Ctrl-Alt-Del: stopped once the second of -t has passed)
expect_ok vmadm stop "$vm" -t 1
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "the VM did not stop"
kill -0 "$pid" 2>/dev/null && fail "the VMM still runs"
ip link show "$host_if" >/dev/null 2>&1 && fail "$host_if is left after stop"
expect_ok vmadm delete "$vm"

# ---- stop asks the guest first: Ctrl-Alt-Del on its keyboard, which this one answers ----
jq '.alias = "kbd" | .autoboot = false | .nics = [] | .kernel |= sub("idle"; "kbd")' \
	"$TEST_TMP/idle.json" >"$TEST_TMP/kbd.json"
expect_ok vmadm create -f "$TEST_TMP/kbd.json"
vm=${LAST_STDOUT##* }
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" \
	'expect:waiting for ctrl-alt-del' "run:$BASALT vmadm stop $vm -t 60" 'expect:ctrl-alt-del\r' \
	'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/kbd.log" ||
	fail "stop of a guest that answers: $(cat -v "$TEST_TMP/kbd.log")"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "the asked guest did not stop"
expect_ok vmadm delete "$vm"

# ---- a guest that echoes a key: ^C typed on the console reaches it, and does not end the VMM ----
jq '.alias = "irq" | .autoboot = false | .nics = [] | .kernel |= sub("idle"; "irq")' \
	"$TEST_TMP/idle.json" >"$TEST_TMP/irq.json"
expect_ok vmadm create -f "$TEST_TMP/irq.json"
vm=${LAST_STDOUT##* }
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" 'expect:type a key' \
	'send:\x03' 'expect:got \x03' 'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/irq.log" ||
	fail "^C on the console: $(cat -v "$TEST_TMP/irq.log")"
expect_ok vmadm delete "$vm"

# ---- a virtio guest: disk and network through the zone, then power off ----
bridge=bb$(root_hash | cut -c5-8)_$tag
ip link add "$bridge" type bridge || fail "cannot create $bridge"
at_exit "ip link del $bridge 2>/dev/null"
ip addr add 10.213.77.1/24 dev "$bridge"
ip link set "$bridge" up
jq '.alias = "virtio" | .autoboot = false' "$TEST_TMP/idle.json" >"$TEST_TMP/virtio.json"
expect_ok vmadm create -f "$TEST_TMP/virtio.json"
vm=${LAST_STDOUT##* }
# the kernel is changed by update and copied into the zone at the next start
expect_fail vmadm update "$vm" kernel_boot=sideways
expect_match "$LAST_STDERR" "kernel_boot: 'sideways'"
expect_ok vmadm update "$vm" kernel="$guests/virtio.elf"
# the console waits for the boot, so it sees the guest's whole short life
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" 'expect:blk: 2048 sectors' \
	'expect:write, read back, flush, discard ok' 'expect:net: ARP reply from the host' \
	'expect:virtio done' 'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/virtio.log" ||
	fail "virtio guest: $(cat "$TEST_TMP/virtio.log")"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "the guest's power-off left it running"
disk=$(vmadm get "$vm" | jq -r '.disks[0].path')
[ "$(dd if="$disk" bs=512 skip=1 count=1 status=none | tr -d '\0')" = \
	"written by the basalt test guest" ] || fail "the guest's write did not reach the volume"
expect_ok vmadm delete "$vm"

# nothing left: datasets, zones, host ends (the taps lived and died in the zone's namespace)
datasets=$(zfs list -H -o name | tr '\n' ' ')
[ "$datasets" = "zones zones/config " ] || fail "datasets left: $datasets"
[ -z "$(zoneadm list -c)" ] || fail "zones left: $(zoneadm list -c)"
links=$(ip -o link)
grep -q -e "bz$(zone_hash "$vm")" -e "bz$(zone_hash "$idle_vm")" <<<"$links" &&
	fail "links left: $links"
echo "vmadm_kvm_start: ok"
