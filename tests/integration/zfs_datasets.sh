#!/bin/bash
# zfs_datasets.sh - zfs create, list, get, set, inherit, rename and destroy of file systems and
# volumes; property inheritance as the SOURCE column shows it; and bad names, values and pools
# failing with one line and changing nothing.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"

expect_ok zfs create tank/a
expect_ok zfs create -o compression=lz4 tank/a/b
expect_ok zfs create -p tank/a/b/c/d
expect_ok zfs create -V 16M tank/vol

# list: default columns, sizes, mountpoints below the pool's
expect_ok zfs list -r tank
expect_match "$LAST_STDOUT" '^NAME +USED +AVAIL +REFER +MOUNTPOINT$'
expect_match "$LAST_STDOUT" "^tank/a/b/c/d +[0-9.]+[BKMG] +[0-9.]+[BKMG] +[0-9.]+[BKMG] +$mnt/tank/a/b/c/d\$"
expect_match "$LAST_STDOUT" '^tank/vol +[0-9.]+[BKMG] +[0-9.]+[BKMG] +[0-9.]+[BKMG] +-$'
expect_ok zfs list -H -o name -r tank
[ "$LAST_STDOUT" = "$(printf 'tank\ntank/a\ntank/a/b\ntank/a/b/c\ntank/a/b/c/d\ntank/vol')" ] ||
	fail "zfs list -H -o name -r tank printed: $LAST_STDOUT"
expect_ok zfs list -H -o name -d 1 tank
[ "$LAST_STDOUT" = "$(printf 'tank\ntank/a\ntank/vol')" ] || fail "zfs list -d 1: $LAST_STDOUT"
expect_ok zfs list -H -o name -t volume -r tank
[ "$LAST_STDOUT" = "tank/vol" ] || fail "zfs list -t volume: $LAST_STDOUT"
expect_ok zfs list -H -p -o name,used tank/a
expect_match "$LAST_STDOUT" $'^tank/a\t[0-9]+$'
expect_ok zfs list -H -o name -S name -r tank/a
[ "$(head -n 1 <<<"$LAST_STDOUT")" = "tank/a/b/c/d" ] || fail "zfs list -S name: $LAST_STDOUT"
expect_ok zfs list -j tank/a
expect_match "$LAST_STDOUT" '"name": "tank/a"'

# the file systems are mounted where they say
mountpoint -q "$mnt/tank/a/b/c/d" || fail "tank/a/b/c/d is not mounted"
expect_ok zfs mount
expect_match "$LAST_STDOUT" "^tank/a/b +$mnt/tank/a/b\$"

# inheritance, as the SOURCE column shows it
expect_ok zfs get compression tank/a/b/c tank/a/b tank/a
expect_match "$LAST_STDOUT" '^NAME +PROPERTY +VALUE +SOURCE$'
expect_match "$LAST_STDOUT" '^tank/a/b/c +compression +lz4 +inherited from tank/a/b$'
expect_match "$LAST_STDOUT" '^tank/a/b +compression +lz4 +local$'
expect_match "$LAST_STDOUT" '^tank/a +compression +[a-z0-9-]+ +default$'
expect_ok zfs set compression=off tank/a
expect_ok zfs get -H -o value,source compression tank/a/b/c/d
[ "$LAST_STDOUT" = "$(printf 'lz4\tinherited from tank/a/b')" ] || fail "get -H: $LAST_STDOUT"
expect_ok zfs inherit compression tank/a/b
expect_ok zfs get -H -o value,source compression tank/a/b/c
[ "$LAST_STDOUT" = "$(printf 'off\tinherited from tank/a')" ] || fail "after inherit: $LAST_STDOUT"
expect_ok zfs inherit -r compression tank
expect_ok zfs get -H -o source compression tank/a
[ "$LAST_STDOUT" = "default" ] || fail "after inherit -r: $LAST_STDOUT"

# user properties, -s and all
expect_ok zfs set com.example:owner=ops tank/a
expect_ok zfs get -H -o name,value com.example:owner tank/a/b
[ "$LAST_STDOUT" = "$(printf 'tank/a/b\tops')" ] || fail "user property: $LAST_STDOUT"
expect_ok zfs get -r -s local -H -o name,property all tank
expect_match "$LAST_STDOUT" $'^tank/a\tcom.example:owner$'
expect_ok zfs get all tank/a
expect_match "$LAST_STDOUT" '^tank/a +type +filesystem +-$'
expect_match "$LAST_STDOUT" '^tank/a +used +'
expect_ok zfs list -H -o name,com.example:owner tank/a tank
[ "$LAST_STDOUT" = "$(printf 'tank\t-\ntank/a\tops')" ] || fail "list -o user property: $LAST_STDOUT"

# mountpoint changes move the mount
expect_ok zfs set mountpoint="$mnt/elsewhere" tank/a/b/c
mountpoint -q "$mnt/elsewhere/d" || fail "tank/a/b/c/d did not follow its parent's mountpoint"

# rename
expect_ok zfs rename tank/a/b/c/d tank/a/d
expect_ok zfs list -H -o name tank/a/d
expect_fail zfs list tank/a/b/c/d

# errors: one line, non-zero, nothing changed
snapshot_state() { zfs list -H -p -o name,compression,mountpoint -t all -r tank; }
before=$(snapshot_state)
expect_fail zfs create 'tank/bad name!'
expect_match "$LAST_STDERR" '^zfs: '
expect_fail zfs create nosuchpool/x
expect_match "$LAST_STDERR" 'nosuchpool'
expect_fail zfs create tank/missing/parent
expect_fail zfs create tank/a
expect_match "$LAST_STDERR" 'tank/a'
expect_fail zfs set compression=bogus tank/a
expect_match "$LAST_STDERR" 'bogus'
expect_fail zfs set nosuchprop=1 tank/a
expect_fail zfs set compression=lz4 tank/nosuch
expect_fail zfs get compression tank/nosuch
[ "$LAST_STATUS" -eq 1 ] || fail "zfs get of a missing dataset exited $LAST_STATUS"
expect_fail zfs get nosuchprop tank
[ "$LAST_STATUS" -eq 2 ] || fail "zfs get of an invalid property exited $LAST_STATUS, expected 2"
expect_fail zfs list -o nosuchprop
[ "$LAST_STATUS" -eq 2 ] || fail "zfs list -o of an invalid property exited $LAST_STATUS"
expect_fail zfs create -V 1Q tank/v2
[ "$LAST_STATUS" -eq 2 ] || fail "a bad volume size exited $LAST_STATUS, expected 2"
expect_fail zfs destroy tank/a
expect_match "$LAST_STDERR" 'tank/a'
expect_fail zfs frobnicate
[ "$LAST_STATUS" -eq 2 ] || fail "an unknown command exited $LAST_STATUS"
expect_fail zfs list -Z
[ "$LAST_STATUS" -eq 2 ] || fail "an invalid option exited $LAST_STATUS"
[ "$(snapshot_state)" = "$before" ] || fail "a failed command changed the datasets"

# history records what changed, as typed
expect_ok zpool history tank
expect_match "$LAST_STDOUT" ' zfs create -o compression=lz4 tank/a/b$'
expect_match "$LAST_STDOUT" ' zfs set compression=off tank/a$'
expect_match "$LAST_STDOUT" ' zfs inherit -r compression tank$'

# destroy
expect_ok zfs destroy tank/vol
expect_ok zfs destroy -r tank/a
expect_ok zfs list -H -o name -r tank
[ "$LAST_STDOUT" = "tank" ] || fail "after destroy -r: $LAST_STDOUT"
mountpoint -q "$mnt/tank/a" && fail "tank/a is still mounted after its destroy"
exit 0
