#!/bin/bash
# vmadm_kvm_mdata: metadata inside a kvm guest. The guest is the VMM's freestanding mdata test
# guest: on its second serial port (COM2, whose other end is the VMM's socket in the zone, opened
# before the VMM confined itself) it finds the host's metadata service, negotiates version 2 of
# the protocol, GETs customer_metadata's "greeting" and PUTs "from-guest", checking each framed
# answer's length, CRC and request id, and prints what it got on its console. The value it read
# is the manifest's (a long one arrives whole, though the UART's FIFO is far shorter), the value it wrote is in `vmadm get` afterwards, and a value updated while
# the VM is stopped is what the next boot reads. A guest told to reboot (customer_metadata
# "then") deletes that key and resets: its VM starts again (a new VMM in the same zone) and the
# metadata server, which lasts as long as the zone's supervisor, serves the new guest too.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_kvm_vms mdata

# a value of 3000 bytes: its frame is over 4000, the UART's receive FIFO 256
long=$(for _ in $(seq 1 300); do printf 0123456789; done)
cat >"$TEST_TMP/vm.json" <<JSON
{"brand": "kvm", "alias": "mdata", "ram": 16, "kernel": "$guests/mdata.elf",
 "kernel_boot": "direct", "autoboot": false,
 "customer_metadata": {"greeting": "hello from the host", "long": "$long"}}
JSON
expect_ok vmadm create -f "$TEST_TMP/vm.json"
vm=${LAST_STDOUT##* }

# the console waits for the boot, so it sees the guest's whole short life
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" 'expect:mdata guest up' \
	'expect:mdata get: SUCCESS hello from the host' 'expect:mdata put: SUCCESS' \
	'expect:mdata long: SUCCESS 3000 bytes in order' 'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/console.log" ||
	fail "the guest's metadata: $(cat -v "$TEST_TMP/console.log")"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "the guest's end left it running"
expect_ok vmadm get "$vm"
[ "$(jq -r '.customer_metadata."from-guest"' <<<"$LAST_STDOUT")" = "written over COM2" ] ||
	fail "the guest's PUT is not in the manifest: $LAST_STDOUT"

# the next boot reads the manifest as it is then
echo '{"set_customer_metadata": {"greeting": "changed while stopped"}}' >"$TEST_TMP/u1.json"
expect_ok vmadm update "$vm" -f "$TEST_TMP/u1.json"
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" \
	'expect:mdata get: SUCCESS changed while stopped' 'expect:closed' -- vmadm console "$vm" \
	>"$TEST_TMP/console2.log" || fail "second boot: $(cat -v "$TEST_TMP/console2.log")"

# a key that is not there: NOTFOUND, framed like the rest
echo '{"remove_customer_metadata": ["greeting"]}' >"$TEST_TMP/u2.json"
expect_ok vmadm update "$vm" -f "$TEST_TMP/u2.json"
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" 'expect:mdata get: NOTFOUND ' \
	'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/console3.log" ||
	fail "no greeting: $(cat -v "$TEST_TMP/console3.log")"

# a reboot: the same zone, a new VMM, served again
echo '{"set_customer_metadata": {"then": "reboot", "greeting": "twice"}}' >"$TEST_TMP/u3.json"
expect_ok vmadm update "$vm" -f "$TEST_TMP/u3.json"
"$drive" 'expect:Waiting for zone' "run:$BASALT vmadm start $vm" 'expect:mdata get: SUCCESS twice' \
	'expect:mdata guest: rebooting' 'expect:mdata guest up' 'expect:mdata get: SUCCESS twice' \
	'expect:mdata guest: done' 'expect:closed' -- vmadm console "$vm" >"$TEST_TMP/console4.log" ||
	fail "reboot: $(cat -v "$TEST_TMP/console4.log")"
[ "$(vmadm list -H -o state uuid="$vm")" = stopped ] || fail "the guest's end left it running"
expect_ok vmadm get "$vm"
[ "$(jq -r '.customer_metadata | has("then")' <<<"$LAST_STDOUT")" = false ] ||
	fail "the guest's DELETE is not in the manifest: $LAST_STDOUT"

expect_ok vmadm delete "$vm"
[ -z "$(zoneadm list -c)" ] || fail "zones left: $(zoneadm list -c)"
echo "vmadm_kvm_mdata: ok"
