#!/bin/bash
# vmm_guest.sh - the VMM on this host's /dev/kvm with the freestanding test guests of
# tests/guest: serial output, port and MMIO exits, interrupts (local APIC timer, the UART's
# receive interrupt through the IOAPIC), console input far beyond the UART's FIFO arriving whole,
# several vCPUs, a JSON configuration, the USDT probes in the binary, and bad input refused in
# one line.
. "$(dirname "$0")/lib.sh"

use_kvm

GUESTS=$BASALT_BUILD/tests/guest
out=$(run_test_guest hello </dev/null) || fail "hello exited $?"
[ "$out" = "hello from a basalt guest" ] || fail "hello printed: $out"

out=$(run_test_guest exits --memory 32M </dev/null) || fail "exits: step $? failed"
expect_match "$out" '^exits ok$'

out=$(echo x | run_test_guest irq) || fail "irq exited $?"
expect_match "$out" 'timer ok'
expect_match "$out" 'got x'

# 2000 bytes typed at once: none lost, though the UART's FIFO holds 256
out=$(for i in $(seq 200); do printf 0123456789; done | run_test_guest typed) ||
	fail "typed exited $? (status 124: a byte was lost)"
expect_match "$out" 'got 2000 in order'

ncpu=$(nproc)
cpus=$((ncpu < 4 ? ncpu : 4))
out=$(run_test_guest smp --cpus "$cpus" </dev/null) || fail "smp exited $?"
expect_match "$out" "^$cpus vCPUs arrived$"

# the same guest from a JSON configuration
cat >"$TEST_TMP/hello.json" <<JSON
{ "kernel": "$GUESTS/hello.elf", "boot": "direct", "memory": 16, "cpus": 1, "console": "stdio" }
JSON
out=$("$BASALT" vmm run --config "$TEST_TMP/hello.json" </dev/null) || fail "config: $?"
[ "$out" = "hello from a basalt guest" ] || fail "config: hello printed: $out"

# the console on a Unix socket: nothing is lost before a client attaches, none is needed
run_test_guest hello --console "unix:$TEST_TMP/console.sock" </dev/null >"$TEST_TMP/out" ||
	fail "hello on a socket console exited $?"
[ ! -e "$TEST_TMP/console.sock" ] || fail "the console socket was left behind"

# huge pages: a guest in them when the host has a pool, one line when it has none
free_huge=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
if [ "${free_huge:-0}" -ge 8 ]; then
	out=$(run_test_guest hello --hugepages </dev/null) || fail "hello in huge pages: $?"
	[ "$out" = "hello from a basalt guest" ] || fail "hello in huge pages printed: $out"
elif [ "${free_huge:-0}" -eq 0 ]; then
	expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --memory 16 \
		--hugepages
	expect_match "$LAST_STDERR" 'huge pages'
fi
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --memory 15 --hugepages
expect_match "$LAST_STDERR" 'multiple of 2 MiB'

# the static probes the tracer attaches to
probes=$(readelf -n "$BASALT" | sed -n 's/^ *Name: //p' | sort -u | tr '\n' ' ')
for p in lifecycle vm__exit virtio__request; do
	[[ " $probes" == *" $p "* ]] || fail "no USDT probe $p in $BASALT: $probes"
done

# bad input: one line each, non-zero status
echo "not a kernel" >"$TEST_TMP/junk"
expect_fail "$BASALT" vmm run --kernel "$TEST_TMP/junk" --memory 16
expect_match "$LAST_STDERR" 'not a'
expect_fail "$BASALT" vmm run --boot direct --kernel "$TEST_TMP/junk" --memory 16
expect_match "$LAST_STDERR" 'not an ELF'
expect_fail "$BASALT" vmm run --kernel "$TEST_TMP/missing" --memory 16
expect_match "$LAST_STDERR" 'No such file'
expect_fail "$BASALT" vmm run --kernel "$GUESTS/hello.elf" --initrd "$TEST_TMP/missing"
expect_match "$LAST_STDERR" "initrd"
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --cpus $((ncpu + 1))
expect_match "$LAST_STDERR" 'vCPUs'
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --memory 100000000
expect_match "$LAST_STDERR" 'MiB'
expect_fail "$BASALT" vmm run --kernel "$GUESTS/hello.elf" --memory 1.5K
expect_match "$LAST_STDERR" "expected MiB"
expect_fail "$BASALT" vmm run --kernel "$GUESTS/hello.elf" --net bogus
expect_match "$LAST_STDERR" 'tap=NAME'
echo '{ "kernel": 5 }' >"$TEST_TMP/bad.json"
expect_fail "$BASALT" vmm run --config "$TEST_TMP/bad.json"
expect_match "$LAST_STDERR" "'kernel' must be a string"
echo '{ "kernel": "x", "speed": 5 }' >"$TEST_TMP/bad.json"
expect_fail "$BASALT" vmm run --config "$TEST_TMP/bad.json"
expect_match "$LAST_STDERR" "unknown key 'speed'"
exit 0
