#!/bin/bash
# zone_caps: resource controls of real zones: a memory hog is OOM-killed inside its cap while
# the zone, a neighbour and the host live on, and zonememstat counts the times over the cap;
# a fork loop hits EAGAIN at max_lwps and a fork bomb stays inside it; a busy loop capped at cpu_cap 50 gets about half a CPU
# (CPU time over wall time, with a wide tolerance for a shared machine); caps change live.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

make_zone capped '"max_physical_memory": 64, "max_swap": 64, "max_lwps": 40, "cpu_cap": 50, "cpu_shares": 200, "zfs_io_priority": 50'
make_zone neighbour
expect_ok zoneadm -z capped boot
expect_ok zoneadm -z neighbour boot

# shares and I/O weight: on the host's cgroups (v1 here: 1024 per 100 shares, 5 per priority)
cg=$(ls -d /sys/fs/cgroup/cpu/basalt-"$(root_hash)"-capped 2>/dev/null || true)
if [ -n "$cg" ]; then
	[ "$(cat "$cg/cpu.shares")" = 2048 ] || fail "cpu.shares: $(cat "$cg/cpu.shares")"
	[ "$(cat "$cg/cpu.cfs_quota_us")" = 50000 ] || fail "cfs quota: $(cat "$cg/cpu.cfs_quota_us")"
	blk=/sys/fs/cgroup/blkio/basalt-$(root_hash)-capped
	for f in blkio.weight blkio.bfq.weight; do
		[ -e "$blk/$f" ] || continue
		grep -qw 250 "$blk/$f" || fail "$f: $(cat "$blk/$f")"
	done
fi

# memory: the hog dies by SIGKILL, init and the neighbour live
status=0
zlogin capped sh -c 'x=$(head -c 300000000 /dev/zero | tr "\0" a); echo survived ${#x}' \
	>"$TEST_TMP/hog.out" 2>&1 || status=$?
grep -q survived "$TEST_TMP/hog.out" && fail "the memory hog got 300 MB under a 64 MB cap"
[ "$status" -ne 0 ] || fail "the memory hog exited 0"
zlogin capped true || fail "the zone died with its memory hog"
zlogin neighbour true || fail "the neighbour died"
expect_ok zonememstat -z capped
line=$(tail -n 1 <<<"$LAST_STDOUT")
[ "$(awk '{print $3}' <<<"$line")" = 64 ] || fail "zonememstat cap: $line"
[ "$(awk '{print $4}' <<<"$line")" -gt 0 ] || fail "zonememstat counts no time over the cap: $line"

# processes: the 41st fails with EAGAIN; the host still forks
out=$(zlogin capped sh -c 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; wait' 2>&1) &&
	fail "100 processes started under max_lwps 40"
[[ "$out" == *"Resource temporarily unavailable"* ]] || fail "fork loop: $out"
/bin/true || fail "the host cannot fork"
zlogin capped sh -c 'kill $(pgrep sleep)' 2>/dev/null || true

# live change: raise max_lwps, then the same loop completes
expect_ok zonecfg -z capped set max_lwps=400
zlogin capped sh -c 'i=0; while [ $i -lt 100 ]; do sleep 1 & i=$((i+1)); done; wait' ||
	fail "100 processes could not start after max_lwps was raised to 400"
expect_ok zonecfg -z capped set max_physical_memory=96 max_swap=128
[ "$(zonememstat -z capped | tail -n 1 | awk '{print $3, $6}')" = "96 128" ] ||
	fail "live memory caps: $(zonememstat -z capped | tail -n 1)"
expect_ok zonecfg -z capped set max_physical_memory=64 max_swap=64
[ "$(zonememstat -z capped | tail -n 1 | awk '{print $3, $6}')" = "64 64" ] ||
	fail "live memory caps lowered: $(zonememstat -z capped | tail -n 1)"
expect_fail zonecfg -z capped set max_lwps=-3
expect_fail zonecfg -z capped set nics=1

# CPU: a busy loop for 3 s at cpu_cap 50 gets about half a CPU
cpu() { zonememstat -z capped | tail -n 1 | awk '{print $8}'; }
c0=$(cpu)
t0=$(date +%s.%N)
zlogin capped timeout 3 sh -c 'while :; do :; done' || true
t1=$(date +%s.%N)
c1=$(cpu)
ratio=$(echo "($c1 - $c0) / ($t1 - $t0)" | bc -l)
echo "cpu_cap 50: CPU time / wall time = $ratio"
[ "$(echo "$ratio > 0.25 && $ratio < 0.65" | bc -l)" = 1 ] || fail "cpu_cap 50 gave a ratio of $ratio"

# a real fork bomb: it stays within max_lwps (400 now), the host and the neighbour go on, and
# halt ends it
expect_ok zonecfg -z capped set max_lwps=40
zlogin capped sh -c 'bomb() { bomb | bomb & }; bomb' >/dev/null 2>&1 || true
lwps=$(zonememstat -z capped | tail -n 1 | awk '{print $7}')
[ "$lwps" -le 40 ] || fail "the fork bomb has $lwps processes under max_lwps 40"
/bin/true || fail "the host cannot fork"
zlogin neighbour true || fail "the neighbour cannot run a command during the fork bomb"

expect_ok zoneadm -z capped halt
expect_ok zoneadm -z neighbour halt
echo "zone_caps: ok"
