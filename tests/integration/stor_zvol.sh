#!/bin/bash
# stor_zvol.sh - volumes as files under $BASALT_ROOT/run/zvol, used as a VMM uses its disks:
# data in and out with and without O_DIRECT, fsync that survives the daemon being killed,
# discard that frees space, a clone that appears at once with its origin's content, volsize
# growing the file, a snapshot read-only, an open volume that cannot be destroyed, and the files
# gone at export and back at import.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

Z=$BASALT_ROOT/run/zvol
truncate -s 1G "$BASALT_ROOT/d1.img"
expect_ok zpool create -m none tank "$BASALT_ROOT/d1.img"
expect_ok zfs create -p -o volblocksize=16K -V 64M tank/vms/disk0
disk=$Z/tank/vms/disk0

# the volume is a regular file of volsize bytes; its file system is a directory
[ -d "$Z/tank/vms" ] || fail "no directory $Z/tank/vms"
[ -f "$disk" ] || fail "no file $disk: $(ls -lR "$Z" 2>&1)"
[ "$(stat -c %s "$disk")" -eq $((64 << 20)) ] || fail "$disk is $(stat -c %s "$disk") bytes"
listing=$(cd "$Z" && echo */* tank/vms/*)
[ "$listing" = "tank/vms tank/vms/disk0" ] || fail "the tree lists: $listing"

# data in and out, through the page-cache path and with O_DIRECT
head -c $((8 << 20)) /dev/urandom >"$TEST_TMP/a"
head -c $((8 << 20)) /dev/urandom >"$TEST_TMP/b"
dd if="$TEST_TMP/a" of="$disk" bs=1M conv=notrunc,fsync status=none || fail "dd into the volume"
dd if="$disk" of="$TEST_TMP/out" bs=1M count=8 status=none || fail "dd out of the volume"
cmp "$TEST_TMP/a" "$TEST_TMP/out" || fail "what was read differs from what was written"
dd if="$TEST_TMP/b" of="$disk" bs=1M seek=16 oflag=direct conv=notrunc status=none ||
	fail "dd with O_DIRECT into the volume"
dd if="$disk" of="$TEST_TMP/out" bs=1M skip=16 count=8 iflag=direct status=none ||
	fail "dd with O_DIRECT out of the volume"
cmp "$TEST_TMP/b" "$TEST_TMP/out" || fail "what was read with O_DIRECT differs"
# an odd offset and length, across block boundaries
printf 'an odd place' | dd of="$disk" bs=1 seek=$((12 << 20 | 16381)) conv=notrunc status=none
[ "$(dd if="$disk" bs=1 skip=$((12 << 20 | 16381)) count=12 status=none)" = "an odd place" ] ||
	fail "a write at an odd offset did not read back"
# past the end: nothing to read, no room to write
[ "$(dd if="$disk" bs=1M skip=64 count=1 status=none | wc -c)" -eq 0 ] ||
	fail "a read past the end returned data"
if dd if="$TEST_TMP/a" of="$disk" bs=1M seek=64 count=1 conv=notrunc status=none \
	2>"$TEST_TMP/dd.err"; then
	fail "a write past the end succeeded"
fi
grep -q "No space left on device" "$TEST_TMP/dd.err" || fail "dd said: $(cat "$TEST_TMP/dd.err")"

# fsync is durable: the daemon killed right after, the data is there when it is back
dd if="$TEST_TMP/b" of="$disk" bs=1M seek=32 conv=notrunc,fsync status=none || fail "dd + fsync"
pid=$(cat "$BASALT_ROOT/run/zfsd.pid")
kill -KILL "$pid"
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the daemon survived SIGKILL"
# the next command starts a daemon, which serves the volumes again over the dead mount
expect_ok zfs list tank/vms/disk0
[ "$(cat "$BASALT_ROOT/run/zfsd.pid")" != "$pid" ] || fail "no new daemon"
[ -f "$disk" ] || fail "$disk is not back after the daemon restarted"
dd if="$disk" of="$TEST_TMP/out" bs=1M skip=32 count=8 status=none || fail "dd after restart"
cmp "$TEST_TMP/b" "$TEST_TMP/out" || fail "data written with fsync was lost when the daemon died"

# discard: the range reads as zeros and its space comes back
dd if="$TEST_TMP/a" of="$disk" bs=1M seek=48 conv=notrunc status=none
expect_ok zpool sync tank
before=$(zfs list -Hp -o refer tank/vms/disk0)
fallocate --punch-hole --keep-size -o $((48 << 20)) -l $((8 << 20)) "$disk" ||
	fail "fallocate --punch-hole"
cmp -n $((8 << 20)) <(dd if="$disk" bs=1M skip=48 count=8 status=none) /dev/zero ||
	fail "a discarded range does not read as zeros"
expect_ok zpool sync tank
after=$(zfs list -Hp -o refer tank/vms/disk0)
[ $((before - after)) -ge $((7 << 20)) ] || fail "discarding 8M freed $((before - after)) bytes"
fallocate --punch-hole -o 1000 -l 5000 "$disk" || fail "fallocate --punch-hole at odd offsets"
cmp -n 5000 <(dd if="$disk" bs=1000 skip=1 count=5 status=none) /dev/zero ||
	fail "an odd discarded range does not read as zeros"
cmp -n 1000 "$TEST_TMP/a" "$disk" || fail "a discard touched bytes before its range"
cmp -i 6000 -n $((1 << 20)) "$TEST_TMP/a" "$disk" || fail "a discard touched bytes after its range"

# snapshot and clone: the clone is a new file at once, with the snapshot's content
dd if="$disk" of="$TEST_TMP/snap" bs=1M status=none
expect_ok zfs snapshot tank/vms/disk0@gold
expect_ok zfs clone tank/vms/disk0@gold tank/vms/disk1
[ -f "$Z/tank/vms/disk1" ] || fail "the clone's file is not there: $(ls "$Z/tank/vms")"
cmp "$TEST_TMP/snap" "$Z/tank/vms/disk1" || fail "the clone's content differs from its origin's"
# the snapshot is a read-only file
cmp "$TEST_TMP/snap" "$disk@gold" || fail "the snapshot's file differs"
if dd if=/dev/zero of="$disk@gold" bs=4k count=1 conv=notrunc status=none 2>/dev/null; then
	fail "a snapshot's file could be written"
fi
# writing the clone leaves the origin alone
dd if="$TEST_TMP/b" of="$Z/tank/vms/disk1" bs=1M conv=notrunc,fsync status=none
cmp "$TEST_TMP/snap" "$disk" || fail "writing the clone changed its origin"

# volsize grows the file at once; shrinking is refused
expect_ok zfs set volsize=96M tank/vms/disk1
[ "$(stat -c %s "$Z/tank/vms/disk1")" -eq $((96 << 20)) ] ||
	fail "the grown volume's file is $(stat -c %s "$Z/tank/vms/disk1") bytes"
dd if="$TEST_TMP/a" of="$Z/tank/vms/disk1" bs=1M seek=88 conv=notrunc status=none ||
	fail "writing the grown part failed"
cmp -n $((8 << 20)) "$TEST_TMP/a" <(dd if="$Z/tank/vms/disk1" bs=1M skip=88 status=none) ||
	fail "the grown part does not read back"
expect_fail zfs set volsize=32M tank/vms/disk1
expect_match "$LAST_STDERR" "shrink"

# an open volume cannot be destroyed, nor its pool exported
exec 3<"$Z/tank/vms/disk1"
expect_fail zfs destroy tank/vms/disk1
expect_match "$LAST_STDERR" "busy"
expect_fail zpool export tank
exec 3<&-
expect_ok zfs destroy tank/vms/disk1
[ ! -e "$Z/tank/vms/disk1" ] || fail "a destroyed volume's file is still there"

# rename moves the file; the tree holds only what holds volumes
expect_ok zfs create tank/empty
expect_ok zfs rename tank/vms/disk0 tank/disk0
[ -f "$Z/tank/disk0" ] || fail "the renamed volume is not at its new name"
[ ! -e "$Z/tank/vms" ] || fail "a file system without volumes is still a directory"
[ ! -e "$Z/tank/empty" ] || fail "a file system without volumes shows as a directory"
# names cannot be made or removed through the tree
if touch "$Z/tank/new" 2>/dev/null; then fail "a file was created in the volume tree"; fi
if rm -f "$Z/tank/disk0" 2>/dev/null; then fail "a volume's file was removed"; fi

# export takes the files away, import brings them back
expect_ok zpool export tank
[ ! -e "$Z/tank" ] || fail "the files of an exported pool are still there"
expect_ok zpool import -d "$BASALT_ROOT" tank
[ -f "$Z/tank/disk0" ] || fail "the volume did not come back with the import"
cmp "$TEST_TMP/snap" "$Z/tank/disk0" || fail "the volume changed across export"
echo "ok"
