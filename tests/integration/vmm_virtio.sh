#!/bin/bash
# vmm_virtio.sh - the virtio devices on this host's /dev/kvm, driven by the minimal virtio
# driver of tests/guest/virtio.c: a disk file read, written, flushed and discarded (and
# refused writes when read-only), an ARP exchange with the host over a tap, the entropy
# device; and malformed queues that stop a device, logged in one line, without stopping
# the VMM (tests/guest/badqueue.c).
. "$(dirname "$0")/lib.sh"

use_kvm

GUESTS=$BASALT_BUILD/tests/guest
run_guest() {
	run_test_guest "$@" </dev/null
}

disk=$TEST_TMP/disk.img
truncate -s 1M "$disk"
printf 'HOSTDATA from the test' | dd of="$disk" conv=notrunc status=none
python3 -c "import sys; f = open(sys.argv[1], 'r+b'); f.seek(1024); f.write(b'D' * 512)" "$disk"

# the disk alone first, then read-only
out=$(run_guest virtio --disk "$disk" --no-rng) || fail "virtio (disk) exited $?: $out"
expect_match "$out" '^blk: 2048 sectors$'
expect_match "$out" '^blk: id basalt[0-9]+$'
expect_match "$out" '^blk: sector 0 says HOSTDATA from the test$'
expect_match "$out" 'write, read back, flush, discard ok'
[ "$(dd if="$disk" bs=512 skip=1 count=1 status=none | tr -d '\0')" = \
	"written by the basalt test guest" ] || fail "the guest's write did not reach the file"
[ "$(dd if="$disk" bs=512 skip=2 count=1 status=none | tr -d '\0')" = "" ] ||
	fail "the discarded sector still holds data"

cp "$disk" "$TEST_TMP/before.img"
out=$(run_guest virtio --disk "$disk,ro" --no-rng) || fail "virtio (ro) exited $?: $out"
expect_match "$out" 'write refused on a read-only disk'
cmp -s "$disk" "$TEST_TMP/before.img" || fail "a read-only disk was modified"

# entropy
out=$(run_guest virtio) || fail "virtio (rng) exited $?: $out"
expect_match "$out" '^rng: 64 random bytes$'

# malformed queues: the device refuses each, one log line each, the guest goes on
run_guest badqueue 2>"$TEST_TMP/err" >"$TEST_TMP/out" || fail "badqueue exited $?"
expect_match "$(cat "$TEST_TMP/out")" 'malformed queues refused'
[ "$(grep -c 'virtio-rng: ' "$TEST_TMP/err")" -eq 3 ] ||
	fail "expected three lines about the bad queues: $(cat "$TEST_TMP/err")"

# a disk that cannot be opened for writing
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/virtio.elf" --memory 16 \
	--disk "$TEST_TMP"
expect_match "$LAST_STDERR" 'disk'

# the network: a tap with the host at 10.213.77.1, which must answer the guest's ARP request
[ -c /dev/net/tun ] || skip "no /dev/net/tun (disk and entropy passed)"
tap=bsvt$$
ip tuntap add mode tap name "$tap" 2>/dev/null ||
	skip "cannot create a tap (disk and entropy passed)"
at_exit "ip link del $tap"
ip addr add 10.213.77.1/24 dev "$tap"
ip link set "$tap" up
out=$(run_guest virtio --net "tap=$tap" --disk "$disk") || fail "virtio (net) exited $?: $out"
expect_match "$out" '^net: ARP reply from the host$'
expect_match "$out" '^virtio done$'
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/virtio.elf" --memory 16 \
	--net "tap=bad/name"
expect_match "$LAST_STDERR" "tap 'bad/name'"
exit 0
