#!/bin/bash
# stor_snapdir.sh - every snapshot of a mounted file system is browsable, read-only, under
# .zfs/snapshot/<name> of its mountpoint: the list follows snapshot, rename, destroy and
# rollback without a remount, old content reads back, every change fails with "Read-only file
# system", snapdir=hidden|visible decides whether the root lists .zfs, inode numbers of a
# snapshot's files differ from the head's, and a snapshot in use cannot be destroyed.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
fs=$mnt/tank/fs
snaps=$fs/.zfs/snapshot

echo one >"$fs/file"
mkdir "$fs/dir"
echo inner >"$fs/dir/inner"
ln -s file "$fs/link"
expect_ok zfs snapshot tank/fs@s1
echo two >"$fs/file"
rm "$fs/dir/inner"
echo added >"$fs/new"
expect_ok zfs snapshot tank/fs@s2
echo three >"$fs/file"

# the snapshots are listed and hold their content
[ "$(ls "$snaps")" = "$(printf 's1\ns2')" ] || fail "ls .zfs/snapshot: $(ls "$snaps")"
[ "$(cat "$snaps/s1/file")" = one ] || fail "s1/file reads '$(cat "$snaps/s1/file")'"
[ "$(cat "$snaps/s2/file")" = two ] || fail "s2/file reads '$(cat "$snaps/s2/file")'"
[ "$(cat "$fs/file")" = three ] || fail "the head's file reads '$(cat "$fs/file")'"
[ "$(cat "$snaps/s1/dir/inner")" = inner ] || fail "s1/dir/inner is wrong"
[ ! -e "$snaps/s2/dir/inner" ] || fail "s2 has dir/inner, removed before it was taken"
[ ! -e "$snaps/s1/new" ] || fail "s1 has 'new', created after it was taken"
[ "$(cat "$snaps/s2/new")" = added ] || fail "s2/new is wrong"
[ "$(readlink "$snaps/s1/link")" = file ] || fail "s1/link points to '$(readlink "$snaps/s1/link")'"
[ "$(ls "$snaps/s1")" = "$(printf 'dir\nfile\nlink')" ] || fail "ls s1: $(ls "$snaps/s1")"
[ "$(ls "$fs/.zfs")" = snapshot ] || fail "ls .zfs: $(ls "$fs/.zfs")"
[ -d "$snaps/s1/.zfs" ] && fail "a snapshot has a .zfs directory of its own"
[ "$(cd "$snaps/s1/dir" && cd ../.. && pwd)" = "$snaps" ] || fail "'..' of a snapshot's root"

# everything there is read-only
check_erofs() {
	local what=$1
	shift
	if "$@" 2>"$TEST_TMP/err"; then
		fail "$what in a snapshot succeeded"
	fi
	grep -q "Read-only file system" "$TEST_TMP/err" || fail "$what said: $(cat "$TEST_TMP/err")"
}
check_erofs "a write" sh -c "echo x >>'$snaps/s1/file'"
check_erofs "a create" sh -c "echo x >'$snaps/s1/created'"
check_erofs "an unlink" rm -f "$snaps/s1/file"
check_erofs "a mkdir" mkdir "$snaps/s1/d2"
check_erofs "a rmdir" rmdir "$snaps/s1/dir"
check_erofs "a rename" mv "$snaps/s1/file" "$snaps/s1/file2"
check_erofs "a chmod" chmod 600 "$snaps/s1/file"
check_erofs "a truncate" truncate -s 0 "$snaps/s1/file"
check_erofs "a touch" touch "$snaps/s1/file"
check_erofs "a mkdir in .zfs/snapshot" mkdir "$snaps/s3"
check_erofs "a rmdir in .zfs/snapshot" rmdir "$snaps/s1"
[ "$(cat "$snaps/s1/file")" = one ] || fail "s1/file changed"
if ln "$fs/file" "$snaps/s1/hard" 2>/dev/null; then
	fail "a hard link from the head into a snapshot succeeded"
fi

# inode numbers of the head's and the snapshots' files differ
ih=$(stat -c %i "$fs/file")
i1=$(stat -c %i "$snaps/s1/file")
i2=$(stat -c %i "$snaps/s2/file")
[ "$ih" != "$i1" ] && [ "$ih" != "$i2" ] && [ "$i1" != "$i2" ] ||
	fail "inode numbers of file: head $ih, s1 $i1, s2 $i2"
[ "$(stat -c %d "$fs/file")" = "$(stat -c %d "$snaps/s1/file")" ] ||
	fail "a snapshot's files are on another device"

# snapdir=hidden (the default): .zfs is reachable but not listed; visible lists it
expect_ok zfs get -H -o value snapdir tank/fs
[ "$LAST_STDOUT" = hidden ] || fail "snapdir defaults to $LAST_STDOUT"
ls -a "$fs" | grep -qx .zfs && fail "ls -a lists .zfs with snapdir=hidden"
(cd "$fs/.zfs") || fail "cd .zfs failed with snapdir=hidden"
expect_ok zfs set snapdir=visible tank/fs
ls -a "$fs" | grep -qx .zfs || fail "ls -a does not list .zfs with snapdir=visible: $(ls -a "$fs")"
[ "$(ls -a "$fs" | grep -cx .zfs)" = 1 ] || fail ".zfs listed twice"
expect_ok zfs set snapdir=hidden tank/fs
ls -a "$fs" | grep -qx .zfs && fail "ls -a lists .zfs after snapdir=hidden again"

# a new snapshot shows without a remount; a renamed one under its new name
expect_ok zfs snapshot tank/fs@s3
[ "$(ls "$snaps")" = "$(printf 's1\ns2\ns3')" ] || fail "after snapshot s3: $(ls "$snaps")"
[ "$(cat "$snaps/s3/file")" = three ] || fail "s3/file is wrong"
expect_ok zfs rename tank/fs@s3 tank/fs@third
[ "$(ls "$snaps")" = "$(printf 's1\ns2\nthird')" ] || fail "after the rename: $(ls "$snaps")"
[ "$(cat "$snaps/third/file")" = three ] || fail "third/file is wrong"
[ ! -e "$snaps/s3" ] || fail "s3 still reachable after its rename"

# a snapshot in use cannot be destroyed; once left, it can, and it is gone from the list
exec 3<"$snaps/s2/file"
expect_fail zfs destroy tank/fs@s2
expect_match "$LAST_STDERR" "dataset is busy"
exec 3<&-
(
	cd "$snaps/s1/dir"
	expect_fail zfs destroy tank/fs@s1
	expect_match "$LAST_STDERR" "dataset is busy"
	[ "$(cat inner)" = inner ] || fail "a browsed snapshot broke after a refused destroy"
) || exit 1
expect_ok zfs destroy tank/fs@s2
[ "$(ls "$snaps")" = "$(printf 's1\nthird')" ] || fail "after destroying s2: $(ls "$snaps")"
[ ! -e "$snaps/s2" ] || fail "s2 still reachable after its destroy"
[ "$(cat "$snaps/s1/file")" = one ] || fail "s1/file is wrong after destroying s2"

# rollback -r destroys later snapshots, even those browsed before
cat "$snaps/third/file" >/dev/null
echo four >"$fs/file"
expect_ok zfs rollback -r tank/fs@s1
[ "$(cat "$fs/file")" = one ] || fail "the head after the rollback reads '$(cat "$fs/file")'"
[ "$(ls "$snaps")" = s1 ] || fail "after rollback -r: $(ls "$snaps")"

# unmount and remount: the snapshots are still there
expect_ok zfs unmount tank/fs
expect_ok zfs mount tank/fs
[ "$(cat "$snaps/s1/file")" = one ] || fail "s1/file is wrong after a remount"
exit 0
