#!/bin/bash
# zfs_recv_resume.sh - resumable receive: a stream cut short and received with -s keeps what
# arrived, unmounted, with a receive_resume_token; zfs send -t makes the rest, which completes
# the snapshot identical to the source (full and incremental, resumed twice); receive -A gives
# up (destroying a created dataset, rolling back an updated one); bad tokens and streams that do
# not continue the partial receive are refused in one line.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/p.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt" p "$BASALT_ROOT/p.img"
expect_ok zfs create p/src
expect_ok zfs create -o atime=off p/dst
for i in 1 2 3 4 5; do
	head -c $((6 << 20)) /dev/urandom >"$mnt/src/f$i"
done
mkdir "$mnt/src/d"
for i in $(seq 1 40); do echo "small $i" >"$mnt/src/d/s$i"; done
expect_ok zfs snapshot p/src@a
zfs send p/src@a >"$TEST_TMP/full" || fail "zfs send failed"
size=$(stat -c %s "$TEST_TMP/full")

token_of() {
	zfs get -H -o value receive_resume_token "$1"
}

# a full stream cut at two thirds
head -c $((size * 2 / 3)) "$TEST_TMP/full" >"$TEST_TMP/cut"
expect_fail zfs receive -s p/dst/fs <"$TEST_TMP/cut"
expect_match "$LAST_STDERR" "truncated.*kept in 'p/dst/fs'.*zfs send -t"
tok=$(token_of p/dst/fs)
[[ $tok == 1-* ]] || fail "no receive_resume_token after a cut -s receive: '$tok'"
expect_ok zfs list -H -o mounted p/dst/fs
[ "$LAST_STDOUT" = no ] || fail "a partial receive is mounted"
expect_fail zfs mount p/dst/fs
expect_match "$LAST_STDERR" "partial receive"
expect_fail zfs receive p/dst/fs <"$TEST_TMP/full"
expect_match "$LAST_STDERR" "holds a partial receive"

# the resuming stream is cut too: resumed twice
zfs send -t "$tok" >"$TEST_TMP/res1" || fail "zfs send -t failed"
rsize=$(stat -c %s "$TEST_TMP/res1")
[ "$rsize" -lt "$size" ] || fail "the resuming stream ($rsize) is not shorter than the full one ($size)"
head -c $((rsize / 2)) "$TEST_TMP/res1" >"$TEST_TMP/res1cut"
expect_fail zfs receive -s p/dst/fs <"$TEST_TMP/res1cut"
tok2=$(token_of p/dst/fs)
[[ $tok2 == 1-* && $tok2 != "$tok" ]] || fail "the token did not move on: '$tok2'"
# the first token's stream no longer continues what is there
expect_fail zfs receive -s p/dst/fs <"$TEST_TMP/res1"
expect_match "$LAST_STDERR" "does not continue the partial receive"
zfs send -t "$tok2" | zfs receive -s p/dst/fs || fail "the second resume failed"
[ "$(token_of p/dst/fs)" = - ] || fail "the token stays after the receive completed"
expect_ok zfs list -H -o name,mounted -t all -r p/dst/fs
[ "$LAST_STDOUT" = "$(printf 'p/dst/fs\tyes\np/dst/fs@a\t-')" ] ||
	fail "after resuming: $LAST_STDOUT"
diff -r "$mnt/src" "$mnt/dst/fs" || fail "the resumed receive differs from the source"

# an incremental stream, cut, resumed
rm "$mnt/src/f2"
head -c $((3 << 20)) /dev/urandom >"$mnt/src/f6"
echo changed >>"$mnt/src/d/s7"
expect_ok zfs snapshot p/src@b
zfs send -i @a p/src@b >"$TEST_TMP/incr" || fail "zfs send -i failed"
isize=$(stat -c %s "$TEST_TMP/incr")
head -c $((isize * 3 / 4)) "$TEST_TMP/incr" >"$TEST_TMP/icut"
expect_fail zfs receive -s p/dst/fs <"$TEST_TMP/icut"
tok=$(token_of p/dst/fs)
[[ $tok == 1-* ]] || fail "no token after a cut incremental receive"
zfs send -t "$tok" | zfs receive -s p/dst/fs || fail "resuming the incremental receive failed"
diff -r "$mnt/src" "$mnt/dst/fs" || fail "the resumed incremental receive differs"
expect_ok zfs list -H -o name -t snapshot -r p/dst/fs
[ "$LAST_STDOUT" = "$(printf 'p/dst/fs@a\np/dst/fs@b')" ] || fail "snapshots: $LAST_STDOUT"

# receive -A: an updated dataset goes back to its latest snapshot, mounted again
echo more >>"$mnt/src/d/s1"
expect_ok zfs snapshot p/src@c
zfs send -i @b p/src@c >"$TEST_TMP/incr2" || fail "zfs send -i @b failed"
head -c 1000 "$TEST_TMP/incr2" >"$TEST_TMP/icut2"
expect_fail zfs receive -s p/dst/fs <"$TEST_TMP/icut2"
expect_ok zfs receive -A p/dst/fs
[ "$(token_of p/dst/fs)" = - ] || fail "the token stays after receive -A"
expect_ok zfs list -H -o mounted p/dst/fs
[ "$LAST_STDOUT" = yes ] || fail "not mounted again after receive -A"
[ "$(cat "$mnt/dst/fs/d/s1")" = "small 1" ] || fail "receive -A did not roll back"
expect_fail zfs receive -A p/dst/fs
expect_match "$LAST_STDERR" "no partial receive"
# ... and a created one is destroyed
expect_fail zfs receive -s p/dst/new <"$TEST_TMP/cut"
expect_ok zfs receive -A p/dst/new
expect_fail zfs list p/dst/new

# without -s nothing of a cut stream stays
expect_fail zfs receive p/dst/other <"$TEST_TMP/cut"
expect_fail zfs list p/dst/other

# bad tokens, and a resuming stream into another dataset
expect_fail zfs send -t nonsense
expect_match "$LAST_STDERR" "invalid resume token"
expect_fail zfs send -t "1-0000000000000000-${tok#1-*-}"
expect_match "$LAST_STDERR" "damaged"
expect_fail zfs send -t "$tok" p/src@a
expect_fail zfs receive -s p/dst/new2 <"$TEST_TMP/cut"
zfs send -t "$(token_of p/dst/new2)" >"$TEST_TMP/res2" || fail "zfs send -t (new2) failed"
expect_fail zfs receive p/dst/elsewhere <"$TEST_TMP/res2"
expect_match "$LAST_STDERR" "no partial receive"
expect_ok zfs receive p/dst/new2 <"$TEST_TMP/res2"
diff -r "$mnt/dst/fs/.zfs/snapshot/a" "$mnt/dst/new2" || fail "p/dst/new2 is not @a"
exit 0
