#!/bin/bash
# zpool_export_import.sh - files written through a mount survive a restart of the pool daemon
# (the pools come back from the cache, mounted); zpool export releases a pool and zpool import
# finds it again in a directory, by name or by guid, with its data.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

disks=$BASALT_ROOT/disks
mkdir "$disks"
truncate -s 256M "$disks/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create tank/data
head -c 1000000 /dev/urandom >"$TEST_TMP/blob"
cp "$TEST_TMP/blob" "$mnt/tank/data/blob"
echo note >"$mnt/tank/data/note"
sync

# restart: stop the daemon; the next command starts another, which re-imports and mounts
expect_ok "$BASALT" zfsd --stop
mountpoint -q "$mnt/tank/data" && fail "tank/data is still mounted after the daemon stopped"
[ ! -S "$BASALT_ROOT/run/zfsd.sock" ] || fail "the stopped daemon left its socket"
expect_ok zpool list -H -o name,health tank
[ "$LAST_STDOUT" = "$(printf 'tank\tONLINE')" ] || fail "after restart: $LAST_STDOUT"
mountpoint -q "$mnt/tank/data" || fail "tank/data is not mounted after the restart"
cmp "$TEST_TMP/blob" "$mnt/tank/data/blob" || fail "the blob changed across the restart"
[ "$(cat "$mnt/tank/data/note")" = note ] || fail "the note changed across the restart"
expect_ok zpool list -H -o name zones
expect_ok zpool history tank
expect_match "$LAST_STDOUT" ' zfs create tank/data$'

# export: the pool is gone from the list and unmounted
guid=$(zpool get -H -p -o value guid tank)
expect_ok zpool export tank
expect_fail zpool list tank
mountpoint -q "$mnt/tank/data" && fail "tank/data is still mounted after export"
expect_fail zpool export tank

# an exported pool stays exported across a restart
expect_ok "$BASALT" zfsd --stop
expect_fail zpool list tank

# import without a name lists what can be imported
expect_ok zpool import -d "$disks"
expect_match "$LAST_STDOUT" '^   pool: tank$'
expect_match "$LAST_STDOUT" "^     id: $guid\$"
expect_match "$LAST_STDOUT" '^  state: ONLINE$'
expect_fail zpool import -d "$disks" nosuchpool
expect_match "$LAST_STDERR" 'nosuchpool'

# import by name, then by guid
expect_ok zpool import -d "$disks" tank
expect_ok zpool list -H -o name tank
cmp "$TEST_TMP/blob" "$mnt/tank/data/blob" || fail "the blob changed across export and import"
expect_fail zpool import -d "$disks" tank
expect_ok zpool export tank
expect_ok zpool import -d "$disks" "$guid"
expect_ok zpool list -H -o name tank
[ "$(cat "$mnt/tank/data/note")" = note ] || fail "the note changed across the import by guid"
expect_ok zpool history tank
expect_match "$LAST_STDOUT" ' zpool export tank$'
expect_match "$LAST_STDOUT" ' zpool import -d .* tank$'

# a pool in use by the daemon cannot be created over without -f
truncate -s 256M "$disks/d2.img"
expect_ok zpool create -m none other "$disks/d2.img"
expect_ok zpool export other
expect_fail zpool create -m none again "$disks/d2.img"
expect_ok zpool create -f -m none again "$disks/d2.img"
expect_ok zpool destroy again
exit 0
