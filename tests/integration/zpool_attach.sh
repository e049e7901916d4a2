#!/bin/bash
# zpool_attach.sh - mirrors changed on a live pool: a single device becomes a mirror by attach,
# loses its original side by detach, has a side replaced, and has a side that went missing
# replaced after a degraded import; after each step the files read back identical, also across
# export and import, and a device left alone proves the resilver copied everything. Then the
# one-line errors, and zpool iostat.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks"
for d in d1 d2 d3 d4 d5 d6 other; do
	truncate -s 128M "$disks/$d.img"
done
truncate -s 64M "$disks/small.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create tank/data

mkdir "$TEST_TMP/ref"
head -c 3000000 /dev/urandom >"$TEST_TMP/ref/random"
seq 1 200000 >"$TEST_TMP/ref/text"
cp "$TEST_TMP/ref/"* "$mnt/tank/data/"
expect_ok zpool sync tank

check_files() {
	local f
	for f in "$TEST_TMP/ref/"*; do
		cmp -s "$f" "$mnt/tank/data/$(basename "$f")" ||
			fail "$1: $(basename "$f") does not read back identical"
	done
}

# the leaves of tank in zpool status, in order, by file name
leaves() {
	zpool status tank | grep -oE '[a-z0-9]+\.img +[A-Z]+' | awk '{ printf "%s:%s ", $1, $2 }'
}

reimport() {
	expect_ok zpool export tank
	expect_ok zpool import -d "$disks" tank
	check_files "$1"
}

# errors, each one line
expect_fail zpool attach tank "$disks/d1.img" "$disks/small.img"
expect_match "$LAST_STDERR" "^zpool: cannot attach .*small.img to .*d1.img: device is too small$"
expect_fail zpool detach tank "$disks/d1.img"
expect_match "$LAST_STDERR" "cannot detach .*d1.img: only applicable to mirror and replacing vdevs"
expect_fail zpool attach tank "$disks/nothere.img" "$disks/d2.img"
expect_match "$LAST_STDERR" "no such device in pool 'tank'"
expect_fail zpool detach tank "$disks/d2.img"
expect_match "$LAST_STDERR" "no such device in pool 'tank'"
expect_fail zpool attach tank "$disks/d1.img" "$disks/d1.img"
expect_match "$LAST_STDERR" "is part of pool 'tank'"
expect_ok zpool create -m none other "$disks/other.img"
expect_ok zpool export other
expect_fail zpool attach tank "$disks/d1.img" "$disks/other.img"
expect_match "$LAST_STDERR" "part of pool 'other' \(exported\); use -f"
expect_fail zpool attach tank
expect_match "$LAST_STDERR" "usage: zpool attach"
[ "$LAST_STATUS" -eq 2 ] || fail "a usage error exited $LAST_STATUS"

# a single device becomes a mirror
expect_ok zpool attach -w tank "$disks/d1.img" "$disks/d2.img"
expect_ok zpool status tank
st=$LAST_STDOUT
expect_match "$st" "^ state: ONLINE$"
expect_match "$st" "^  scan: resilvered [1-9][0-9.]*[KM] in [0-9:]+ with 0 errors on "
expect_match "$st" "^	  mirror-0 +ONLINE"
[ "$(leaves)" = "d1.img:ONLINE d2.img:ONLINE " ] || fail "after attach: $(leaves)"
check_files "after attach"
# new data lands on both sides
head -c 1000000 /dev/urandom >"$TEST_TMP/ref/later"
cp "$TEST_TMP/ref/later" "$mnt/tank/data/"
expect_ok zpool sync tank

# the original side leaves: d2 alone holds everything
expect_ok zpool detach tank "$disks/d1.img"
[ "$(leaves)" = "d2.img:ONLINE " ] || fail "after detach: $(leaves)"
zpool status tank | grep -q mirror-0 && fail "a mirror of one device is still shown"
expect_fail zpool detach tank "$disks/d2.img"
expect_match "$LAST_STDERR" "only applicable to mirror and replacing vdevs"
reimport "d2 alone after export and import"
expect_ok zpool import -d "$disks"
grep -q d1.img <<<"$LAST_STDOUT" && fail "the detached device still carries the pool: $LAST_STDOUT"

# replace a side: d3 joins, then gives way to d4
expect_ok zpool attach -w tank "$disks/d2.img" "$disks/d3.img"
expect_ok zpool replace -w tank "$disks/d3.img" "$disks/d4.img"
[ "$(leaves)" = "d2.img:ONLINE d4.img:ONLINE " ] || fail "after replace: $(leaves)"
reimport "after replace"

# a side goes missing: the pool imports degraded, and the missing side is replaced
expect_ok zpool export tank
rm "$disks/d2.img"
expect_ok zpool import -d "$disks" tank
check_files "degraded"
expect_ok zpool status tank
st=$LAST_STDOUT
expect_match "$st" "^ state: DEGRADED$"
expect_match "$st" "^	  mirror-0 +DEGRADED"
expect_match "$st" "d2.img +UNAVAIL .*cannot open"
expect_ok zpool list -H -o health tank
[ "$LAST_STDOUT" = DEGRADED ] || fail "health with a side missing: $LAST_STDOUT"
expect_fail zpool detach tank "$disks/d4.img"
expect_match "$LAST_STDERR" "cannot detach .*d4.img: no valid replicas"
expect_ok zpool replace -w tank "$disks/d2.img" "$disks/d5.img"
expect_ok zpool status tank
expect_match "$LAST_STDOUT" "^ state: ONLINE$"
expect_match "$LAST_STDOUT" "^  scan: resilvered [1-9]"
[ "$(leaves)" = "d4.img:ONLINE d5.img:ONLINE " ] || fail "after replacing d2: $(leaves)"
expect_ok zpool scrub -w tank
expect_ok zpool status tank
expect_match "$LAST_STDOUT" "^  scan: scrub repaired 0B? in .* with 0 errors"
expect_match "$LAST_STDOUT" "^errors: No known data errors$"
# d5 was built by the resilver alone: it carries the pool by itself
expect_ok zpool detach tank "$disks/d4.img"
reimport "d5 alone"

# replacing a plain device goes through a mirror and back
expect_ok zpool replace -w tank "$disks/d5.img" "$disks/d6.img"
[ "$(leaves)" = "d6.img:ONLINE " ] || fail "after replacing the only device: $(leaves)"
reimport "d6 alone"
expect_ok zpool history tank
expect_match "$LAST_STDOUT" "zpool replace -w tank .*d5.img .*d6.img"

# iostat: the pool and, with -v, its devices; an interval and a count
expect_ok zpool iostat tank
expect_match "$LAST_STDOUT" "^ +capacity +operations +bandwidth$"
expect_match "$LAST_STDOUT" "^pool +alloc +free +read +write +read +write$"
expect_match "$LAST_STDOUT" "^tank +[0-9.]+[KMG]? +[0-9.]+[KMG]? +[0-9.]+K? +[0-9.]+K? "
expect_ok zpool attach -w tank "$disks/d6.img" "$disks/d1.img"
cat "$mnt/tank/data/random" >/dev/null
expect_ok zpool iostat -v tank
expect_match "$LAST_STDOUT" "^  mirror-0 "
expect_match "$LAST_STDOUT" "^    .*d1.img +- +- "
w=$(awk '$1 ~ /d1.img$/ { print $7 }' <<<"$LAST_STDOUT")
[ -n "$w" ] && [ "$w" != 0 ] || fail "no writes counted on the resilvered device: $LAST_STDOUT"
expect_ok zpool iostat tank 0.1 3
[ "$(grep -c '^tank ' <<<"$LAST_STDOUT")" = 3 ] || fail "iostat 0.1 3: $LAST_STDOUT"
expect_fail zpool iostat tank 0 2
expect_fail zpool iostat nosuchpool
exit 0
