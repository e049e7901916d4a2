#!/bin/bash
# stor_badinput.sh - bad input is refused with one line on stderr and a non-zero exit, and
# changes nothing: imports of garbage, of a truncated image and of devices whose labels lost
# their magic; invalid dataset names; unknown pools and datasets; out-of-range property values;
# destroying a snapshot that has a clone; a device too small for a pool; a damaged stream.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks" "$TEST_TMP/garbage" "$TEST_TMP/cut" "$TEST_TMP/nomagic"
truncate -s 256M "$disks/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create tank/fs
echo data >"$mnt/tank/fs/file"
expect_ok zfs snapshot tank/fs@snap
expect_ok zfs clone tank/fs@snap tank/clone

state() {
	zfs list -H -o name -t all
	zpool list -H -o name,health
}
before=$(state)

# refused CMD...: CMD fails with one line on stderr, and nothing changed
refused() {
	expect_fail "$@"
	[ "$(state)" = "$before" ] || fail "'$*' changed the datasets or pools: $(state)"
}

# imports: a file of garbage, a pool image cut in half, a pool whose labels lost their magic
head -c $((64 << 20)) /dev/urandom >"$TEST_TMP/garbage/g.img"
refused zpool import -d "$TEST_TMP/garbage" tank2
[ "$(grep -o "cannot import 'tank2'" <<<"$LAST_STDERR" | wc -l)" -eq 1 ] ||
	fail "the import error repeats itself: $LAST_STDERR"
truncate -s 256M "$TEST_TMP/cut/p.img" "$TEST_TMP/nomagic/p.img"
expect_ok zpool create -m none cut "$TEST_TMP/cut/p.img"
expect_ok zfs create cut/fs
expect_ok zpool export cut
truncate -s 128M "$TEST_TMP/cut/p.img"
refused zpool import -d "$TEST_TMP/cut" cut
expect_ok zpool create -m none nomagic "$TEST_TMP/nomagic/p.img"
expect_ok zpool export nomagic
for off in 0 $((256 << 10)) $(((256 << 20) - (512 << 10))) $(((256 << 20) - (256 << 10))); do
	dd if=/dev/zero of="$TEST_TMP/nomagic/p.img" bs=8 count=1 seek=$((off / 8)) conv=notrunc \
		status=none
done
refused zpool import -d "$TEST_TMP/nomagic" nomagic

# invalid dataset names
refused zfs create tank/a@b
refused zfs create tank//x
refused zfs create tank/x/
refused zfs create "tank/a%b"
refused zfs create tank/fs/nosuchparent/child
refused zfs create nosuchpool/x
refused zfs create tank/fs
refused zfs destroy tank/nosuch
refused zfs snapshot tank/nosuch@s
refused zfs list tank/nosuch
refused zpool status nosuchpool
refused zpool scrub nosuchpool
# (a component may begin with a digit)
expect_ok zfs create tank/1digit
expect_ok zfs destroy tank/1digit

# out-of-range property values, at create and at set
for pv in copies=4 copies=0 recordsize=3K recordsize=1M7 compression=foo quota=-1 \
	checksum=nosuch atime=maybe; do
	refused zfs create -o "$pv" tank/bad
	refused zfs set "$pv" tank/fs
done
expect_ok zfs get -H -o value copies,recordsize,compression,quota tank/fs
[ "$LAST_STDOUT" = "$(printf '1\n128K\nlz4\nnone')" ] ||
	fail "properties of tank/fs changed: $LAST_STDOUT"

# a snapshot with a clone: the error names the clone
refused zfs destroy tank/fs@snap
expect_match "$LAST_STDERR" 'tank/clone'

# a device too small for a pool
truncate -s 1M "$disks/tiny.img"
refused zpool create -m none tiny "$disks/tiny.img"
truncate -s 0 "$disks/empty.img"
refused zpool create -m none empty "$disks/empty.img"
refused zpool create -m none nodev "$disks/nosuch.img"

# a damaged send stream and a truncated one
zfs send tank/fs@snap >"$TEST_TMP/stream" || fail "zfs send failed"
size=$(stat -c %s "$TEST_TMP/stream")
cp "$TEST_TMP/stream" "$TEST_TMP/damaged"
printf 'XXXXXXXX' | dd of="$TEST_TMP/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size / 2)) "$TEST_TMP/stream" >"$TEST_TMP/cut.stream"
refused zfs receive tank/recv <"$TEST_TMP/damaged"
refused zfs receive tank/recv <"$TEST_TMP/cut.stream"
refused zfs receive tank/recv </dev/null
head -c 100000 /dev/urandom >"$TEST_TMP/noise"
refused zfs receive tank/recv <"$TEST_TMP/noise"
# and the good stream is received after all that
expect_ok zfs receive tank/recv <"$TEST_TMP/stream"
[ "$(cat "$mnt/tank/recv/file")" = data ] || fail "the received file differs"

expect_ok zpool export tank
exit 0
