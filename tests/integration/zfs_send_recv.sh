#!/bin/bash
# zfs_send_recv.sh - zfs send and zfs receive through the client's own descriptors: a full
# stream, an incremental one, a replicated tree, dry runs, and damaged or truncated streams
# that must be rejected without leaving a half-received dataset behind.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/src.img" "$BASALT_ROOT/dst.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/src" src "$BASALT_ROOT/src.img"
expect_ok zpool create -m "$mnt/dst" dst "$BASALT_ROOT/dst.img"
# a receiving side that is read keeps atime off, or each read is a change that makes the next
# incremental receive refuse (the destination was modified), exactly as on ZFS
expect_ok zfs set atime=off dst

expect_ok zfs create src/fs
mkdir "$mnt/src/fs/dir"
echo hello >"$mnt/src/fs/dir/a"
head -c 3000000 /dev/urandom >"$mnt/src/fs/big"
ln -s dir/a "$mnt/src/fs/link"
expect_ok zfs snapshot src/fs@1

# full stream, to a file and back
zfs send src/fs@1 >"$TEST_TMP/full" || fail "zfs send src/fs@1 failed"
[ -s "$TEST_TMP/full" ] || fail "zfs send wrote nothing"
expect_ok zfs receive dst/fs <"$TEST_TMP/full"
expect_ok zfs list -H -o name -t all -r dst/fs
[ "$LAST_STDOUT" = "$(printf 'dst/fs\ndst/fs@1')" ] || fail "received: $LAST_STDOUT"
cmp "$mnt/src/fs/big" "$mnt/dst/fs/big" || fail "the received big file differs"
[ "$(cat "$mnt/dst/fs/dir/a")" = hello ] || fail "the received dir/a differs"
[ "$(readlink "$mnt/dst/fs/link")" = dir/a ] || fail "the received symlink differs"

# incremental, through a pipe, and -v says what arrived
echo world >>"$mnt/src/fs/dir/a"
rm "$mnt/src/fs/big"
expect_ok zfs snapshot src/fs@2
zfs send -i @1 src/fs@2 | zfs receive -v dst/fs >"$TEST_TMP/recv.out" ||
	fail "the incremental send | receive failed"
grep -q 'dst/fs@2' "$TEST_TMP/recv.out" || fail "receive -v printed: $(cat "$TEST_TMP/recv.out")"
[ "$(cat "$mnt/dst/fs/dir/a")" = "$(printf 'hello\nworld')" ] || fail "incremental: dir/a differs"
[ ! -e "$mnt/dst/fs/big" ] || fail "incremental: the removed file is still there"

# an incremental onto a target that changed needs -F
expect_ok zfs snapshot src/fs@3
echo local >"$mnt/dst/fs/local"
zfs send -i src/fs@2 src/fs@3 >"$TEST_TMP/incr3" || fail "zfs send -i src/fs@2 failed"
expect_fail zfs receive dst/fs <"$TEST_TMP/incr3"
expect_ok zfs receive -F dst/fs <"$TEST_TMP/incr3"
[ ! -e "$mnt/dst/fs/local" ] || fail "receive -F kept a local change"

# an incremental whose base the target lacks is refused
expect_ok zfs create dst/other
expect_fail zfs receive dst/other2 <"$TEST_TMP/incr3"

# -n reads the stream but creates nothing
expect_ok zfs receive -n dst/dry <"$TEST_TMP/full"
expect_fail zfs list dst/dry

# -u receives without mounting
expect_ok zfs receive -u dst/unmounted <"$TEST_TMP/full"
expect_ok zfs get -H -o value mounted dst/unmounted
[ "$LAST_STDOUT" = no ] || fail "receive -u mounted the file system ($LAST_STDOUT)"

# a replicated tree
expect_ok zfs create src/tree
expect_ok zfs create src/tree/kid
echo kid >"$mnt/src/tree/kid/f"
expect_ok zfs snapshot -r src/tree@rep
zfs send -R src/tree@rep >"$TEST_TMP/rep" || fail "zfs send -R failed"
expect_ok zfs receive dst/tree <"$TEST_TMP/rep"
[ "$(cat "$mnt/dst/tree/kid/f")" = kid ] || fail "the replicated child's file differs"

# damaged and truncated streams are rejected and leave nothing behind
size=$(stat -c %s "$TEST_TMP/full")
cp "$TEST_TMP/full" "$TEST_TMP/damaged"
printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' |
	dd of="$TEST_TMP/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_fail zfs receive dst/bad <"$TEST_TMP/damaged"
expect_match "$LAST_STDERR" '^zfs: '
expect_fail zfs list dst/bad
head -c $((size / 3)) "$TEST_TMP/full" >"$TEST_TMP/truncated"
expect_fail zfs receive dst/bad <"$TEST_TMP/truncated"
expect_fail zfs list dst/bad
expect_fail zfs receive dst/bad </dev/null
expect_fail zfs list dst/bad

# usage and missing snapshots
expect_fail zfs send src/fs
[ "$LAST_STATUS" -eq 2 ] || fail "send of a file system exited $LAST_STATUS, expected 2"
expect_fail zfs send src/fs@nosuch
expect_fail zfs send -i @nosuch src/fs@3

# a stream is never written to a terminal
if command -v script >/dev/null; then
	script -qec "$BASALT zfs send src/fs@1" /dev/null >"$TEST_TMP/tty.out" 2>&1 || true
	grep -q 'terminal' "$TEST_TMP/tty.out" || fail "zfs send wrote to a terminal"
fi
exit 0
