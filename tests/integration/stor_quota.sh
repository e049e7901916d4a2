#!/bin/bash
# stor_quota.sh - quota limits a file system and everything below it, refquota what one file
# system references: writes past them fail with "Disk quota exceeded", `zfs list` and df show
# the room left, and deleting files (once the txg commits) gives the room back. A reservation
# keeps space for one file system that others cannot take; limits that cannot hold are refused.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

mnt=$BASALT_ROOT/mnt
truncate -s 512M "$BASALT_ROOT/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create -o quota=16M -o compression=off tank/a
expect_ok zfs create tank/a/b
head -c $((40 << 20)) /dev/urandom >"$TEST_TMP/src"

# the quota on tank/a stops a write into its child
if dd if="$TEST_TMP/src" of="$mnt/tank/a/b/big" bs=1M status=none 2>"$TEST_TMP/dd.err"; then
	fail "a 40M write under a 16M quota succeeded"
fi
grep -q "Disk quota exceeded" "$TEST_TMP/dd.err" || fail "dd said: $(cat "$TEST_TMP/dd.err")"
expect_ok zpool sync tank
used=$(zfs list -Hp -o used tank/a)
[ "$used" -le $((16 << 20)) ] || fail "tank/a uses $used bytes, over its 16M quota"
[ "$used" -ge $((8 << 20)) ] || fail "tank/a uses only $used bytes: the quota stopped it early"
avail=$(zfs list -Hp -o avail tank/a/b)
[ "$avail" -le $((16 << 20)) ] || fail "tank/a/b shows $avail bytes available under a 16M quota"
# df inside the file system shows the quota, not the pool
df_size=$(df -B1 --output=size "$mnt/tank/a/b" | tail -1)
[ "$df_size" -le $((17 << 20)) ] || fail "df shows $df_size bytes for a file system under 16M"
pool_avail=$(zfs list -Hp -o avail tank)
[ "$pool_avail" -gt $((400 << 20)) ] || fail "the pool shows only $pool_avail bytes available"

# deleting gives the room back, and is allowed at the quota even where a snapshot keeps the
# directory's old blocks (the removal must write new ones)
echo kept >"$mnt/tank/a/b/small" || fail "a small file under the quota"
expect_ok zfs snapshot tank/a/b@full
dd if=/dev/zero of="$mnt/tank/a/b/fill" bs=4k status=none 2>/dev/null &&
	fail "filling up to the quota never failed"
rm "$mnt/tank/a/b/small" || fail "rm at the quota, with a snapshot, failed"
rm "$mnt/tank/a/b/big" "$mnt/tank/a/b/fill"
expect_ok zfs destroy tank/a/b@full
expect_ok zpool sync tank
dd if="$TEST_TMP/src" of="$mnt/tank/a/b/again" bs=1M count=8 status=none ||
	fail "writing 8M after the delete failed"
cmp -n $((8 << 20)) "$TEST_TMP/src" "$mnt/tank/a/b/again" || fail "the rewritten file differs"

# refquota: what tank/a/b itself references
expect_ok zfs set refquota=10M tank/a/b
expect_ok zfs get -H -o value refquota tank/a/b
[ "$LAST_STDOUT" = 10M ] || fail "refquota reads back as $LAST_STDOUT"
if dd if="$TEST_TMP/src" of="$mnt/tank/a/b/more" bs=1M count=8 status=none \
	2>"$TEST_TMP/dd.err"; then
	fail "8M more under a 10M refquota holding 8M succeeded"
fi
grep -q "Disk quota exceeded" "$TEST_TMP/dd.err" || fail "dd said: $(cat "$TEST_TMP/dd.err")"

# the limits are properties like any other: bad values are refused, none lifts them
expect_fail zfs set quota=-1 tank/a
expect_fail zfs set refquota=lots tank/a/b
expect_ok zfs set refquota=none tank/a/b
expect_ok zfs set quota=none tank/a
expect_ok zpool sync tank
dd if="$TEST_TMP/src" of="$mnt/tank/a/b/more" bs=1M count=24 status=none ||
	fail "writing after the limits were lifted failed"

# a quota below what is used, a reservation beyond the pool: refused
expect_ok zpool sync tank
expect_fail zfs set quota=1M tank/a
expect_match "$LAST_STDERR" "less than current used"
expect_fail zfs set reservation=10G tank/a
expect_match "$LAST_STDERR" "greater than available space"

# a reservation: tank/r keeps 300M that tank/a cannot write into
expect_ok zfs create -o compression=off tank/r
before=$(zfs list -Hp -o avail tank/a)
expect_ok zfs set reservation=300M tank/r
after=$(zfs list -Hp -o avail tank/a)
[ $((before - after)) -ge $((290 << 20)) ] ||
	fail "a 300M reservation elsewhere took only $((before - after)) bytes from tank/a"
[ "$(zfs list -Hp -o avail tank/r)" -ge $((300 << 20)) ] || fail "tank/r cannot use its reservation"
rm -f "$mnt/tank/a/b/"*
expect_ok zpool sync tank
if dd if=/dev/zero of="$mnt/tank/a/b/fill" bs=1M count=400 status=none 2>"$TEST_TMP/dd.err"; then
	fail "400M written beside a 300M reservation in a 512M pool"
fi
expect_ok zpool sync tank
dd if="$TEST_TMP/src" of="$mnt/tank/r/mine" bs=1M count=32 status=none ||
	fail "the reserved file system could not write into its reservation"
exit 0
