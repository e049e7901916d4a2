#!/bin/bash
# stor_kill.sh - SIGKILL of the pool daemon while a writer is busy in a mount, three times: the
# next command starts a daemon that re-imports the pool from the cache, ONLINE, a scrub finds no
# errors, and every file that was synced before the kill reads back identical.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "the pool daemon runs as root"
[ -c /dev/fuse ] || skip "no /dev/fuse: file systems cannot be mounted"
export BASALT_DEFAULT_POOL_SIZE=256M
writer=
at_exit 'grep -o " $BASALT_ROOT/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null'
at_exit '"$BASALT" zfsd --stop >/dev/null 2>&1'
at_exit '[ -z "$writer" ] || kill "$writer" 2>/dev/null; wait 2>/dev/null'

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks" "$TEST_TMP/ref"
truncate -s 256M "$disks/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create tank/fs
fs=$mnt/tank/fs

check_synced() {
	local f
	for f in "$TEST_TMP/ref/"*; do
		cmp "$f" "$fs/$(basename "$f")" || fail "$1: synced $(basename "$f") differs"
	done
}

for round in 1 2 3; do
	# a first batch, synced
	for i in 1 2 3; do
		head -c $((100000 * i + round)) /dev/urandom >"$TEST_TMP/ref/r$round-$i"
		cp "$TEST_TMP/ref/r$round-$i" "$fs/"
	done
	expect_ok zpool sync tank

	# a writer busy when the daemon dies
	(
		j=0
		while :; do
			head -c 200000 /dev/urandom >"$fs/busy$round-$j" 2>/dev/null || exit 0
			j=$((j + 1))
		done
	) 2>/dev/null &
	writer=$!
	sleep 1
	pid=$(cat "$BASALT_ROOT/run/zfsd.pid")
	kill -KILL "$pid"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "round $round: the daemon survived SIGKILL"
	wait "$writer" 2>/dev/null || true
	writer=
	# the dead mounts: detached here, and by the next daemon
	grep -o " $mnt[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true

	expect_ok zpool list -H -o name,health tank
	[ "$LAST_STDOUT" = "$(printf 'tank\tONLINE')" ] ||
		fail "round $round: after the kill: $LAST_STDOUT"
	[ "$(cat "$BASALT_ROOT/run/zfsd.pid")" != "$pid" ] || fail "round $round: no new daemon"
	mountpoint -q "$fs" || fail "round $round: tank/fs is not mounted again"
	check_synced "round $round"
	# whatever the writer left is readable (a file cut short, not an error)
	for f in "$fs"/busy*; do
		[ -e "$f" ] || continue
		cat "$f" >/dev/null || fail "round $round: $(basename "$f") cannot be read"
	done
	expect_ok zpool scrub -w tank
	expect_ok zpool status -v tank
	expect_match "$LAST_STDOUT" '^  scan: scrub repaired 0B? .* with 0 errors'
	expect_match "$LAST_STDOUT" '^errors: No known data errors$'
	# and it can be written again
	echo "after round $round" >"$fs/after$round" || fail "round $round: cannot write"
done

expect_ok zpool export tank
expect_ok zpool import -d "$disks" tank
check_synced "after export and import"
expect_ok zpool export tank
exit 0
