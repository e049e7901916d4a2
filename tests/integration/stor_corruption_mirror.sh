#!/bin/bash
# stor_corruption_mirror.sh - a two-way mirror survives the loss of everything but the labels on
# one side: files read back identical, a scrub counts the checksum errors on the damaged side and
# repairs it, a second scrub finds nothing, and the repaired side then carries the pool alone.
# Each side is damaged in turn, so the test also fails if only the first side is ever verified.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks"
size=$((128 << 20))
truncate -s $size "$disks/d1.img" "$disks/d2.img"
expect_ok zpool create -m "$mnt/tank" tank mirror "$disks/d1.img" "$disks/d2.img"
expect_ok zfs create tank/data

# files with known content: random, compressible, small and a few MiB
mkdir "$TEST_TMP/ref"
head -c 3000000 /dev/urandom >"$TEST_TMP/ref/random"
seq 1 400000 >"$TEST_TMP/ref/text"
echo small >"$TEST_TMP/ref/small"
for i in 1 2 3 4 5 6 7 8; do
	head -c $((i * 50000)) /dev/urandom >"$TEST_TMP/ref/f$i"
done
cp "$TEST_TMP/ref/"* "$mnt/tank/data/"
cp "$TEST_TMP/ref/text" "$mnt/tank/rootfile"
expect_ok zpool sync tank

check_files() {
	local f
	for f in "$TEST_TMP/ref/"*; do
		cmp "$f" "$mnt/tank/data/$(basename "$f")" ||
			fail "$1: $(basename "$f") does not read back identical"
	done
	cmp "$TEST_TMP/ref/text" "$mnt/tank/rootfile" || fail "$1: rootfile differs"
}

# damage DEV: overwrite everything between the first and the last MiB with random bytes
damage() {
	head -c $((size - (2 << 20))) /dev/urandom |
		dd of="$1" bs=1M seek=1 conv=notrunc iflag=fullblock status=none
}

# cksum_of STATUS DEV: the CKSUM column of device DEV's line in zpool status
cksum_of() {
	awk -v d="$2" '$1 == d || $1 ~ "/"d"$" { print $5 }' <<<"$1"
}

# one round: damage side $1 (the other side is whole), import, read, scrub, check
round() {
	local dev=$1 other=$2 st c o
	expect_ok zpool export tank
	damage "$disks/$dev.img"
	expect_ok zpool import -d "$disks" tank
	check_files "with $dev damaged"
	expect_ok zpool scrub -w tank
	expect_ok zpool status -v tank
	st=$LAST_STDOUT
	grep -qE '^  scan: scrub repaired [1-9][0-9.]*[KMG]? .* with 0 errors' <<<"$st" ||
		fail "the scrub with $dev damaged repaired nothing: $st"
	c=$(cksum_of "$st" "$dev.img")
	o=$(cksum_of "$st" "$other.img")
	[ -n "$c" ] && [ "$c" != 0 ] || fail "no checksum errors counted on damaged $dev: $st"
	[ "$o" = 0 ] || fail "checksum errors counted on whole $other: $st"
	expect_match "$st" '^errors: No known data errors$'
	expect_ok zpool list -H -o health tank
	[ "$LAST_STDOUT" = ONLINE ] || fail "after repairing $dev the pool is $LAST_STDOUT"
	# a second scrub finds nothing left to repair
	expect_ok zpool scrub -w tank
	expect_ok zpool status -v tank
	grep -qE '^  scan: scrub repaired 0B? .* with 0 errors' <<<"$LAST_STDOUT" ||
		fail "a second scrub after repairing $dev: $LAST_STDOUT"
	check_files "after scrubbing $dev"
}

round d1 d2
round d2 d1
# d2 was repaired in the second round: it carries the pool alone once d1 is damaged again
round d1 d2

expect_ok zpool export tank
grep -q "fuse.basalt.*$mnt" /proc/mounts && fail "a mount of tank outlived its export"
exit 0
