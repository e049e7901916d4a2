#!/bin/bash
# zfs_space.sh - space accounting as ZFS reports it, through snapshots and clones: the head's
# blocks count in its used (usedbydataset) whether or not a snapshot shares them; blocks only
# snapshots hold move to usedbysnapshots when the head drops them; a clone is charged only for
# what it writes, and its parent counts it.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -O compression=off -m "$mnt" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
MiB=1048576

# space NAME: "used usedbydataset usedbysnapshots referenced" in bytes, as of a committed txg
space() {
	zpool sync tank >/dev/null
	zfs get -H -p -o value used,usedbydataset,usedbysnapshots,referenced "$1" | tr '\n' ' '
}
# between N LO HI: LO <= N <= HI (MiB)
between() {
	[ "$1" -ge $(($2 * MiB)) ] && [ "$1" -le $(($3 * MiB)) ]
}

head -c $((8 * MiB)) /dev/urandom >"$mnt/fs/big"
read -r used ds snaps ref <<<"$(space tank/fs)"
between "$used" 8 9 && between "$ds" 8 9 && [ "$snaps" -eq 0 ] ||
	fail "8 MiB written: $(space tank/fs)"

# a snapshot that shares every block changes nothing
expect_ok zfs snapshot tank/fs@a
read -r used ds snaps ref <<<"$(space tank/fs)"
between "$used" 8 9 && between "$ds" 8 9 && [ "$snaps" -eq 0 ] && between "$ref" 8 9 ||
	fail "after the snapshot: $(space tank/fs)"

# the head drops the file: the snapshot alone holds it
rm "$mnt/fs/big"
read -r used ds snaps ref <<<"$(space tank/fs)"
between "$used" 8 9 && between "$snaps" 8 9 && [ "$ds" -lt $MiB ] && [ "$ref" -lt $MiB ] ||
	fail "after removing the file: $(space tank/fs)"
read -r sused _ _ sref <<<"$(space tank/fs@a)"
between "$sused" 8 9 && between "$sref" 8 9 || fail "the snapshot: $(space tank/fs@a)"

# a clone starts with nothing of its own and is charged for what it writes
expect_ok zfs clone tank/fs@a tank/clone
read -r used ds snaps ref <<<"$(space tank/clone)"
[ "$used" -lt $MiB ] && between "$ref" 8 9 || fail "a new clone: $(space tank/clone)"
head -c $((2 * MiB)) /dev/urandom >"$mnt/clone/more"
rm "$mnt/clone/big" # the origin's block: still the origin's
read -r used ds snaps ref <<<"$(space tank/clone)"
between "$used" 2 3 && between "$ds" 2 3 && between "$ref" 2 3 ||
	fail "the clone after writing 2 MiB and removing the origin's file: $(space tank/clone)"

# the pool's root counts its children
read -r used _ _ _ <<<"$(space tank)"
between "$used" 10 12 || fail "the pool's root: $(space tank)"
exit 0
