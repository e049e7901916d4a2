#!/bin/bash
# zfs_snapshots.sh - snapshots, clones, rollback, promote, holds, and destroy with its dry run
# and the dependents it refuses to leave behind, checked through the files of the mounts.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
echo one >"$mnt/tank/fs/file"

expect_ok zfs snapshot tank/fs@s1
echo two >"$mnt/tank/fs/file"
expect_ok zfs snap tank/fs@s2
expect_ok zfs list -t snapshot -H -o name tank/fs
[ "$LAST_STDOUT" = "$(printf 'tank/fs@s1\ntank/fs@s2')" ] || fail "snapshots of tank/fs: $LAST_STDOUT"
expect_ok zfs list -t snapshot
expect_match "$LAST_STDOUT" '^NAME +USED +AVAIL +REFER +MOUNTPOINT$'
expect_match "$LAST_STDOUT" '^tank/fs@s1 +[0-9.]+[BKMG] +- +[0-9.]+[BKMG] +-$'
expect_ok zfs list -H -o name tank/fs@s1
[ "$LAST_STDOUT" = "tank/fs@s1" ] || fail "zfs list of a snapshot: $LAST_STDOUT"

# bad snapshot names and missing datasets
expect_fail zfs snapshot tank/fs
[ "$LAST_STATUS" -eq 2 ] || fail "a snapshot name without @ exited $LAST_STATUS"
expect_fail zfs snapshot tank/nosuch@x
expect_fail zfs snapshot tank/fs@s1
expect_match "$LAST_STDERR" 'tank/fs@s1'

# recursive snapshots
expect_ok zfs create tank/fs/child
expect_ok zfs snapshot -r tank/fs@r
expect_ok zfs list -H -o name -t snapshot -r tank/fs
expect_match "$LAST_STDOUT" '^tank/fs/child@r$'

# rollback: to the latest, and past later snapshots only with -r
echo three >"$mnt/tank/fs/file"
expect_ok zfs rollback tank/fs@r
[ "$(cat "$mnt/tank/fs/file")" = two ] || fail "rollback to @r did not bring back 'two'"
expect_fail zfs rollback tank/fs@s1
expect_match "$LAST_STDERR" 'tank/fs@(s2|r)'
[ "$(cat "$mnt/tank/fs/file")" = two ] || fail "a refused rollback changed the file"
expect_ok zfs rollback -r tank/fs@s1
[ "$(cat "$mnt/tank/fs/file")" = one ] || fail "rollback -r to @s1 did not bring back 'one'"
expect_fail zfs list tank/fs@s2

# clones
expect_ok zfs clone tank/fs@s1 tank/clone
[ "$(cat "$mnt/tank/clone/file")" = one ] || fail "the clone does not hold the snapshot's file"
expect_ok zfs get -H -o value origin tank/clone
[ "$LAST_STDOUT" = "tank/fs@s1" ] || fail "the clone's origin is '$LAST_STDOUT'"
echo clone >"$mnt/tank/clone/file"
[ "$(cat "$mnt/tank/fs/file")" = one ] || fail "writing the clone changed its origin"

# a snapshot with a clone cannot go, and the error names the clone
expect_fail zfs destroy tank/fs@s1
expect_match "$LAST_STDERR" 'tank/clone'
expect_fail zfs destroy -r tank/fs
expect_match "$LAST_STDERR" 'tank/clone'
expect_ok zfs list -H -o name tank/fs@s1

# dry runs say what would go and change nothing
expect_ok zfs destroy -nv -R tank/fs@s1
expect_match "$LAST_STDOUT" '^would destroy tank/clone$'
expect_match "$LAST_STDOUT" '^would destroy tank/fs@s1$'
expect_ok zfs list -H -o name tank/clone tank/fs@s1

# promote: the clone becomes the origin's parent, the old one its clone
expect_ok zfs promote tank/clone
expect_ok zfs get -H -o value origin tank/fs
[ "$LAST_STDOUT" = "tank/clone@s1" ] || fail "after promote, tank/fs's origin is '$LAST_STDOUT'"
expect_ok zfs list -H -o name -t snapshot tank/clone
expect_match "$LAST_STDOUT" '^tank/clone@s1$'
expect_fail zfs promote tank/fs/child
expect_fail zfs promote tank/nosuch

# holds keep a snapshot
expect_ok zfs hold keep tank/clone@s1
expect_ok zfs holds tank/clone@s1
expect_match "$LAST_STDOUT" '^NAME +TAG +TIMESTAMP$'
expect_match "$LAST_STDOUT" '^tank/clone@s1 +keep +'
expect_ok zfs holds -H tank/clone@s1
expect_match "$LAST_STDOUT" $'^tank/clone@s1\tkeep\t'
expect_fail zfs destroy tank/clone@s1
expect_fail zfs release nosuchtag tank/clone@s1
expect_ok zfs release keep tank/clone@s1

# destroy -R takes the dependents; -v tells what it takes
expect_ok zfs destroy -v -R tank/clone@s1
expect_match "$LAST_STDOUT" '^will destroy tank/fs$'
expect_match "$LAST_STDOUT" '^will destroy tank/clone@s1$'
expect_fail zfs list tank/fs
expect_ok zfs list -H -o name -r -t all tank
[ "$LAST_STDOUT" = "$(printf 'tank\ntank/clone')" ] || fail "after destroy -R: $LAST_STDOUT"
[ "$(cat "$mnt/tank/clone/file")" = clone ] || fail "tank/clone lost its file"
exit 0
