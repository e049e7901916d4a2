#!/bin/bash
# stor_enospc.sh - filling a small pool ends in "No space left on device" and nothing worse: the
# files written before read back, a scrub is clean, the pool exports and imports, and deleting
# files gives the space back so that writing succeeds again.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks"
truncate -s 128M "$disks/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create -o compression=off tank/fs
fs=$mnt/tank/fs

avail() {
	zfs list -Hp -o avail tank/fs
}
avail0=$(avail)

# 8 MiB files of random data until the pool is full
head -c $((8 << 20)) /dev/urandom >"$TEST_TMP/chunk"
n=0
full=0
while [ "$n" -lt 40 ]; do
	if ! dd if="$TEST_TMP/chunk" of="$fs/f$n" bs=1M conv=fsync status=none \
		2>"$TEST_TMP/dd.err"; then
		full=1
		break
	fi
	n=$((n + 1))
done
[ "$full" -eq 1 ] || fail "wrote $n x 8 MiB to a 128M pool without running out of space"
expect_match "$(cat "$TEST_TMP/dd.err")" 'No space left on device'
[ "$n" -ge 8 ] || fail "only $n x 8 MiB fit in a 128M pool"
# small writes fail too, and nothing crashed
if dd if="$TEST_TMP/chunk" of="$fs/more" bs=1M count=8 conv=fsync status=none 2>/dev/null; then
	fail "an 8 MiB write succeeded on a full pool"
fi
rm -f "$fs/more" "$fs/f$n"

# check_files WHEN: every file fN there is reads back whole
check_files() {
	local f
	for f in "$fs"/f*; do
		cmp "$TEST_TMP/chunk" "$f" || fail "$1: $(basename "$f") does not read back"
	done
}
check_files "on the full pool"
expect_ok zpool sync tank
expect_ok zpool scrub -w tank
expect_ok zpool status -v tank
expect_match "$LAST_STDOUT" '^  scan: scrub repaired 0B? .* with 0 errors'
expect_match "$LAST_STDOUT" '^errors: No known data errors$'
expect_ok zpool list -H -o health tank
[ "$LAST_STDOUT" = ONLINE ] || fail "the full pool is $LAST_STDOUT"
expect_ok zpool export tank
expect_ok zpool import -d "$disks" tank
check_files "after export and import"
full_avail=$(avail)

# deleting half of the files gives their space back
for ((i = 0; i < n; i += 2)); do
	rm "$fs/f$i"
done
for i in 1 2 3 4 5 6; do
	expect_ok zpool sync tank
done
freed=$(avail)
[ "$freed" -gt $((full_avail + (n / 2 - 1) * (8 << 20))) ] ||
	fail "deleting $((n / 2)) x 8 MiB: avail went from $full_avail to $freed"
# as much as zfs list says is available (less 4 MiB) can be written again, at once
written=0
for ((i = 0; i < n; i += 2)); do
	if [ $((written + (8 << 20))) -gt $((freed - (4 << 20))) ]; then
		continue
	fi
	dd if="$TEST_TMP/chunk" of="$fs/f$i" bs=1M conv=fsync status=none 2>"$TEST_TMP/dd.err" ||
		fail "with $freed bytes available, writing 8 MiB after $written more failed: $(cat "$TEST_TMP/dd.err")"
	written=$((written + (8 << 20)))
done
check_files "after writing again"

# everything deleted: the space comes back to near what it was
rm "$fs"/f*
for i in 1 2 3 4 5 6; do
	expect_ok zpool sync tank
done
[ "$(avail)" -gt $((avail0 - (4 << 20))) ] ||
	fail "after deleting everything avail is $(avail), it was $avail0"
expect_ok zpool scrub -w tank
expect_ok zpool status -v tank
expect_match "$LAST_STDOUT" '^  scan: scrub repaired 0B? .* with 0 errors'
expect_ok zpool export tank
exit 0
