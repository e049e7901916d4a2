#!/bin/bash
# stor_cache.sh - the kernel keeps a mounted file system's pages, attributes and names between
# opens; every change that does not come through the mount must still show at once: a rollback,
# an incremental receive, a receive -F and a property change that remounts. Files keep their
# size across the changes, so that only the content tells old pages from new. Writes through the
# mount, truncation and a snapshot's files read while the head changes are checked too.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$TEST_TMP/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$TEST_TMP/d1.img"
expect_ok zfs set atime=off tank # reads through the mount leave a received head unmodified
expect_ok zfs create tank/c
d=$mnt/tank/c

# content FILE EXPECTED WHAT: FILE must hold EXPECTED
content() {
	local got
	got=$(cat "$1") || fail "$3: cannot read $1"
	[ "$got" = "$2" ] || fail "$3: $1 holds '$got', not '$2'"
}

# ---- writes through the mount, reopened ----
echo one1 >"$d/a"
content "$d/a" one1 "first write"
echo two2 >"$d/a"
content "$d/a" two2 "an overwrite of the same size"
printf 'abcdefgh' >"$d/t"
truncate -s 4 "$d/t"
content "$d/t" abcd "truncate"
head -c 1048576 /dev/urandom >"$TEST_TMP/big"
cp "$TEST_TMP/big" "$d/big"
cmp "$TEST_TMP/big" "$d/big" || fail "a 1 MiB file read back differs"
printf 'XXXX' | dd of="$d/big" bs=1 seek=4096 conv=notrunc status=none
printf 'XXXX' | dd of="$TEST_TMP/big" bs=1 seek=4096 conv=notrunc status=none
cmp "$TEST_TMP/big" "$d/big" || fail "a write into a cached file is not seen on the next read"

# ---- rollback: the old pages go ----
echo one1 >"$d/a"
echo keep >"$d/k"
expect_ok zfs snapshot tank/c@s1
echo two2 >"$d/a"
rm "$d/k"
echo gone >"$d/n"
content "$d/a" two2 "before the rollback"
content "$d/.zfs/snapshot/s1/a" one1 "the snapshot while the head changes"
expect_ok zfs rollback tank/c@s1
content "$d/a" one1 "after the rollback"
content "$d/k" keep "a file the rollback brought back"
[ ! -e "$d/n" ] || fail "a file created after the snapshot survived the rollback"

# ---- receive into a mounted file system ----
expect_ok zfs create tank/src
s=$mnt/tank/src
echo AAAA >"$s/f"
echo old >"$s/old"
expect_ok zfs snapshot tank/src@1
zfs send tank/src@1 | zfs receive tank/dst || fail "the full receive failed"
r=$mnt/tank/dst
mountpoint -q "$r" || fail "tank/dst is not mounted"
content "$r/f" AAAA "the full receive"
content "$r/old" old "the full receive"
echo BBBB >"$s/f"
rm "$s/old"
echo new >"$s/new"
expect_ok zfs snapshot tank/src@2
zfs send -i @1 tank/src@2 | zfs receive tank/dst || fail "the incremental receive failed"
content "$r/f" BBBB "the incremental receive"
content "$r/new" new "the incremental receive"
[ ! -e "$r/old" ] || fail "a file the incremental stream removed is still there"

# -F: the local change is rolled back, then the stream applied
echo XXXX >"$r/f"
content "$r/f" XXXX "a local change"
echo CCCC >"$s/f"
expect_ok zfs snapshot tank/src@3
zfs send -i @2 tank/src@3 | zfs receive -F tank/dst || fail "receive -F failed"
content "$r/f" CCCC "receive -F"

# a receive -F that fails midway leaves the head as of its last snapshot, seen at once
echo YYYY >"$r/f"
content "$r/f" YYYY "a second local change"
head -c 1048576 /dev/urandom >"$s/pad"
expect_ok zfs snapshot tank/src@4
zfs send -i @3 tank/src@4 >"$TEST_TMP/incr4" || fail "zfs send -i @3 failed"
head -c $(($(stat -c %s "$TEST_TMP/incr4") / 2)) "$TEST_TMP/incr4" >"$TEST_TMP/cut4"
zfs receive -F tank/dst <"$TEST_TMP/cut4" 2>/dev/null && fail "a cut stream was received"
content "$r/f" CCCC "a failed receive -F"
[ ! -e "$r/pad" ] || fail "a failed receive left a file behind"

# ---- a property change that remounts ----
echo DDDD >"$d/a"
content "$d/a" DDDD "before readonly=on"
expect_ok zfs set readonly=on tank/c
content "$d/a" DDDD "after readonly=on"
echo EEEE 2>/dev/null >"$d/a" && fail "wrote to a read-only file system"
expect_ok zfs set readonly=off tank/c
echo EEEE >"$d/a"
content "$d/a" EEEE "after readonly=off"
exit 0
