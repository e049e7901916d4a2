#!/bin/bash
# zpool_basic.sh - zpool create, list, get, status, history, scrub, sync and destroy on a pool in
# a sparse file, as an operator runs them; and the errors that must leave everything unchanged.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

cd "$BASALT_ROOT"
truncate -s 256M d1.img d2.img

# a relative device path is the client's file, not the daemon's
expect_ok zpool create -m "$BASALT_ROOT/mnt/tank" tank d1.img
expect_ok zpool list tank
expect_match "$LAST_STDOUT" '^NAME +SIZE +ALLOC +FREE +CKPOINT +EXPANDSZ +FRAG +CAP +DEDUP +HEALTH +ALTROOT$'
expect_match "$LAST_STDOUT" '^tank +[0-9.]+[KMG] .* ONLINE +-$'

expect_ok zpool list -H -o name,health tank
[ "$LAST_STDOUT" = "$(printf 'tank\tONLINE')" ] || fail "zpool list -H printed '$LAST_STDOUT'"
expect_ok zpool list -Hp -o size tank
expect_match "$LAST_STDOUT" '^[0-9]+$'
[ "$LAST_STDOUT" -gt $((200 << 20)) ] || fail "a 256M pool has size $LAST_STDOUT"

# the embedded default pool exists beside it
expect_ok zpool list -H -o name
expect_match "$LAST_STDOUT" '^zones$'
expect_match "$LAST_STDOUT" '^tank$'

expect_ok zpool get health tank
expect_match "$LAST_STDOUT" '^NAME +PROPERTY +VALUE +SOURCE$'
expect_match "$LAST_STDOUT" '^tank +health +ONLINE +-$'
expect_ok zpool get -H -o value size,allocated tank
[ "$(wc -l <<<"$LAST_STDOUT")" -eq 2 ] || fail "zpool get of two properties: $LAST_STDOUT"
expect_ok zpool get -j all tank
expect_match "$LAST_STDOUT" '"health"'

expect_ok zpool status tank
expect_match "$LAST_STDOUT" '^  pool: tank$'
expect_match "$LAST_STDOUT" '^ state: ONLINE$'
expect_match "$LAST_STDOUT" '^config:$'
expect_match "$LAST_STDOUT" $'^\tNAME +STATE +READ WRITE CKSUM$'
expect_match "$LAST_STDOUT" $'^\ttank +ONLINE +0 +0 +0$'
expect_match "$LAST_STDOUT" $'^\t  '"$BASALT_ROOT"'/d1.img +ONLINE +0 +0 +0$'
expect_match "$LAST_STDOUT" '^errors: No known data errors$'
expect_ok zpool status -x
[ "$LAST_STDOUT" = "all pools are healthy" ] || fail "zpool status -x printed '$LAST_STDOUT'"
expect_ok zpool status -j tank
expect_match "$LAST_STDOUT" '"tank"'

expect_ok zpool scrub -w tank
expect_ok zpool status tank
expect_match "$LAST_STDOUT" '^  scan: scrub repaired 0B in [0-9:]+ with 0 errors on '
expect_ok zpool sync tank
expect_ok zpool sync

expect_ok zpool history tank
expect_match "$LAST_STDOUT" "^History for 'tank':$"
expect_match "$LAST_STDOUT" '^[0-9]{4}-[0-9]{2}-[0-9]{2}\.[0-9:]{8} zpool create -m .* tank d1.img$'
expect_match "$LAST_STDOUT" ' zpool scrub -w tank$'

# a mirror of two files; a missing device fails the whole create
truncate -s 256M "$TEST_TMP/m1.img" "$TEST_TMP/m2.img"
expect_fail zpool create -m none mpool mirror "$TEST_TMP/m1.img" "$TEST_TMP/absent.img"
expect_fail zpool list mpool
expect_ok zpool create -m none mpool mirror "$TEST_TMP/m1.img" "$TEST_TMP/m2.img"
expect_ok zpool status mpool
expect_match "$LAST_STDOUT" $'^\t  mirror-0 +ONLINE'
expect_match "$LAST_STDOUT" $'^\t    '"$TEST_TMP"'/m1.img +ONLINE'
expect_ok zpool destroy mpool

# errors: one line, non-zero, and nothing changed
before=$(zpool list -H -o name | sort)
expect_fail zpool create tank d2.img
expect_match "$LAST_STDERR" '^zpool: .*tank'
expect_fail zpool create newpool "$BASALT_ROOT/nonexistent.img"
expect_match "$LAST_STDERR" 'nonexistent.img'
expect_fail zpool create 'bad/name' d2.img
expect_fail zpool list nosuchpool
[ "$LAST_STATUS" -eq 1 ] || fail "zpool list of a missing pool exited $LAST_STATUS"
expect_match "$LAST_STDERR" '^zpool: .*nosuchpool'
expect_fail zpool status nosuchpool
expect_fail zpool destroy nosuchpool
expect_fail zpool get bogusprop tank
[ "$LAST_STATUS" -eq 2 ] || fail "an invalid property exited $LAST_STATUS, expected 2"
expect_fail zpool create -m relative/path newpool d2.img
[ "$LAST_STATUS" -eq 2 ] || fail "a relative mountpoint exited $LAST_STATUS, expected 2"
expect_fail zpool list -Z
[ "$LAST_STATUS" -eq 2 ] || fail "an invalid option exited $LAST_STATUS, expected 2"
expect_match "$LAST_STDERR" "^zpool: invalid option '-Z'; usage: zpool list "
expect_fail zpool frobnicate
[ "$LAST_STATUS" -eq 2 ] || fail "an unknown command exited $LAST_STATUS, expected 2"
[ "$(zpool list -H -o name | sort)" = "$before" ] || fail "a failed command changed the pools"

# help needs no daemon
expect_ok zpool --help
expect_match "$LAST_STDOUT" '^usage: zpool command'
expect_ok zpool create --help
expect_match "$LAST_STDOUT" '^usage: zpool create '

expect_ok zpool destroy tank
expect_fail zpool list tank
[ ! -e "$BASALT_ROOT/mnt/tank" ] || ! mountpoint -q "$BASALT_ROOT/mnt/tank" ||
	fail "the destroyed pool's file system is still mounted"
