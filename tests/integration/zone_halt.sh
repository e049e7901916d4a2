#!/bin/bash
# zone_halt: halting a running zone with NICs, a login session and extra processes removes
# everything it had on the host: its processes, cgroups, mounts, veths, bridge, nftables table
# and runtime files; counted before boot and after halt. A zone whose init dies by itself is
# torn down the same way, and halt cleans up after a supervisor that was killed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

hash=$(root_hash)
zhash=$(zone_hash h1)

# what the zone can have on the host, counted by the names it gives them (the machine is shared:
# other processes, links and mounts come and go)
count() {
	local procs cgroups mounts links tables
	procs=$(grep -l "basalt-$hash-" /proc/[0-9]*/cgroup 2>/dev/null | wc -l)
	cgroups=$(find /sys/fs/cgroup -maxdepth 2 -name "basalt-$hash-*" | wc -l)
	mounts=$(grep -c -e "$TEST_TMP" -e "$BASALT_ROOT" /proc/self/mountinfo || true)
	links=$(ip -o link show | grep -c -e "bz$zhash" -e "bb${hash:4}_" || true)
	tables=$(nft list tables 2>/dev/null | grep -c "bz$zhash" || true)
	echo "$procs $cgroups $mounts $links $tables"
}

make_zone h1 '"nics": [{"nic_tag": "ht", "ips": ["10.78.0.2/24"]}], "filesystems": [{"source": "/usr/share", "target": "/share", "options": ["ro"]}]'
before=$(count)
expect_ok zoneadm -z h1 boot
zlogin h1 sh -c 'sleep 600 & sleep 600 & sleep 600 &'
zlogin h1 sleep 600 &
login=$!
during=$(count)
read -r p0 c0 m0 l0 t0 <<<"$before"
read -r p1 c1 m1 l1 t1 <<<"$during"
[ "$c1" -gt "$c0" ] || fail "no cgroups while running: $during"
[ "$l1" -gt "$l0" ] || fail "no veth or bridge while running: $during"
[ "$p1" -gt "$p0" ] || fail "no zone processes while running: $during"
zlogin h1 ls /share >/dev/null || fail "the filesystem is not mounted in the zone"
zlogin h1 touch /share/x 2>/dev/null && fail "the read-only filesystem is writable"

# the zone cannot kill its own init (the kernel shields a PID namespace's init from its own)
zlogin h1 kill -9 1 || true
zlogin h1 true || fail "the zone died when it killed its own init"

expect_ok zoneadm -z h1 halt
wait "$login" || true
after=$(count)
echo "procs cgroups mounts links nft-tables: before $before, running $during, after $after"
[ "$after" = "$before" ] || fail "halt left something behind: before $before, after $after"
[ ! -e "$BASALT_ROOT/run/zones/h1" ] || fail "runtime files left"

# init killed from the host: the supervisor tears the zone down by itself
expect_ok zoneadm -z h1 boot
kill -9 "$(zone_init_pid h1)"
for _ in $(seq 100); do
	[ -e "$BASALT_ROOT/run/zones/h1" ] || break
	sleep 0.1
done
after=$(count)
[ "$after" = "$before" ] || fail "a dead init left something behind: before $before, after $after"
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:h1:installed:'

# a supervisor killed outright leaves its zone "down"; halt then removes what is left
expect_ok zoneadm -z h1 boot
init=$(zone_init_pid h1)
kill -9 "$(cat "$BASALT_ROOT/run/zones/h1/supervisor")"
for _ in $(seq 100); do
	[[ "$(zoneadm list -cp)" == *:h1:down:* ]] && break
	sleep 0.1
done
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:h1:down:'
expect_ok zoneadm -z h1 halt
# (the host's init reaps it: a zombie is dead)
state=$(awk '{print $3}' "/proc/$init/stat" 2>/dev/null || echo gone)
[ "$state" = gone ] || [ "$state" = Z ] || fail "the zone's init survived halting a down zone ($state)"
after=$(count)
[ "$after" = "$before" ] || fail "halting a down zone left something: before $before, after $after"
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:h1:installed:'
echo "zone_halt: ok"
