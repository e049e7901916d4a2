#!/bin/bash
# zone_cgroup_v2: the cgroup v2 backend, on a scratch mount of the host's v2 hierarchy given as
# BASALT_CGROUP_ROOT: a zone joins its own v2 cgroup (the root of its cgroup namespace), whose
# BPF device filter refuses devices outside the zone's /dev, caps
# go where the hierarchy has the controller (and a cap whose controller it lacks, as on a hybrid
# host, is refused in one line), and halt removes the cgroup.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

cg=$TEST_TMP/cgroup2
mkdir -p "$cg"
mount -t cgroup2 none "$cg" 2>/dev/null || skip "cgroup v2 cannot be mounted here"
at_exit "_zones_halt_all; umount '$cg'"
export BASALT_CGROUP_ROOT=$cg

make_zone v2z
expect_ok zoneadm -z v2z boot
dir=$(echo "$cg"/basalt-*-v2z)
[ -d "$dir" ] || fail "no v2 cgroup for the zone under $cg"
grep -qx "$(zone_init_pid v2z)" "$dir/cgroup.procs" || fail "init is not in $dir"
cg=$(zlogin v2z cat /proc/self/cgroup) # (captured first: grep -q may stop reading early)
grep -qx '0::/' <<<"$cg" || fail "cgroup namespace: $cg"
# v2 has no device files: the zone's BPF device filter allows its /dev and refuses a disk
zlogin v2z sh -c 'echo x > /dev/null && head -c 1 /dev/zero >/dev/null' || fail "/dev/null or /dev/zero refused"
out=$(zlogin v2z sh -c 'mknod /tmp/disk b 8 0 && head -c 1 /tmp/disk' 2>&1) && fail "a block device opened"
[[ "$out" == *"Operation not permitted"* ]] || fail "a block device: $out"
out=$(zlogin v2z sh -c 'mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem' 2>&1) && fail "/dev/mem opened"
[[ "$out" == *"Operation not permitted"* ]] || fail "/dev/mem: $out"
expect_ok zoneadm -z v2z halt
[ ! -e "$dir" ] || fail "halt left $dir"

make_zone v2m '"max_physical_memory": 32, "max_lwps": 50'
if grep -qw memory "$cg/cgroup.controllers" && grep -qw pids "$cg/cgroup.controllers"; then
	expect_ok zoneadm -z v2m boot
	dir=$(echo "$cg"/basalt-*-v2m)
	[ "$(cat "$dir/memory.max")" = 33554432 ] || fail "memory.max: $(cat "$dir/memory.max")"
	[ "$(cat "$dir/pids.max")" = 50 ] || fail "pids.max: $(cat "$dir/pids.max")"
	expect_ok zonecfg -z v2m set max_lwps=60
	[ "$(cat "$dir/pids.max")" = 60 ] || fail "live pids.max: $(cat "$dir/pids.max")"
	expect_ok zoneadm -z v2m halt
else
	# a hybrid host: the v1 hierarchies hold memory and pids
	expect_fail zoneadm -z v2m boot
	expect_match "$LAST_STDERR" "no memory controller"
fi
[ -z "$(ls -d "$cg"/basalt-* 2>/dev/null)" ] || fail "cgroups left under $cg"
echo "zone_cgroup_v2: ok"
