#!/bin/bash
# zone_devices: a zone's `devices` property: a zone given /dev/kvm finds it in its /dev and can
# open it (the device cgroup allows it); a zone without it has no /dev/kvm and cannot open a
# node it makes of the same number (the device cgroup refuses it); the same with the cgroup v2
# backend's BPF device filter where a v2 hierarchy can be mounted. Paths that are not
# character devices, outside /dev or given twice are refused when the zone is defined.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
[ -c /dev/kvm ] || skip "no /dev/kvm"
use_zones

make_zone withkvm '"devices": [{"path": "/dev/kvm"}]'
make_zone without
expect_ok zoneadm -z withkvm boot
expect_ok zoneadm -z without boot

[ "$(zonecfg -z withkvm info | jq -c .devices)" = '[{"path":"/dev/kvm"}]' ] ||
	fail "the configuration lost its devices: $(zonecfg -z withkvm info)"
devs=$(zlogin withkvm ls /dev | sort | tr '\n' ' ')
[ "$devs" = "console full kvm null ptmx pts random shm tty urandom zero " ] ||
	fail "/dev of the zone with /dev/kvm holds: $devs"
zlogin withkvm sh -c 'test -c /dev/kvm && exec 3</dev/kvm' || fail "the zone cannot open /dev/kvm"

zlogin without sh -c 'test -e /dev/kvm' && fail "the zone without devices has /dev/kvm"
num="$(stat -c '%t %T' /dev/kvm | while read -r ma mi; do echo "$((16#$ma)) $((16#$mi))"; done)"
out=$(zlogin without sh -c "mknod /tmp/kvm c $num && exec 3</tmp/kvm" 2>&1) &&
	fail "the zone without devices opened /dev/kvm's number"
[[ "$out" == *"Operation not permitted"* ]] || fail "opening a made /dev/kvm: $out"
expect_ok zoneadm -z withkvm halt
expect_ok zoneadm -z without halt

# cgroup v2: the BPF device filter holds the configuration's devices too
cg=$TEST_TMP/cgroup2
mkdir -p "$cg"
if mount -t cgroup2 none "$cg" 2>/dev/null; then
	at_exit "_zones_halt_all; umount '$cg'"
	export BASALT_CGROUP_ROOT=$cg
	expect_ok zoneadm -z withkvm boot
	expect_ok zoneadm -z without boot
	[ -d "$(echo "$cg"/basalt-*-withkvm)" ] || fail "the zone is not in a v2 cgroup"
	zlogin withkvm sh -c 'exec 3</dev/kvm' || fail "v2: the zone cannot open /dev/kvm"
	out=$(zlogin without sh -c "mknod /tmp/kvm c $num && exec 3</tmp/kvm" 2>&1) &&
		fail "v2: the zone without devices opened /dev/kvm's number"
	[[ "$out" == *"Operation not permitted"* ]] || fail "v2: opening a made /dev/kvm: $out"
	expect_ok zoneadm -z withkvm halt
	expect_ok zoneadm -z without halt
	unset BASALT_CGROUP_ROOT
fi

# bad input: one line each, no zone left defined
root=$TEST_TMP/without
for devs in '[{"path": "/dev/shm"}]' '[{"path": "/etc/passwd"}]' '[{"path": "/dev/nothere"}]' \
	'[{"path": "/dev/kvm"}, {"path": "/dev/kvm"}]' '[{"path": "/dev/kvm", "mode": 1}]' \
	'[{"path": "/dev/../etc/passwd"}]' '"/dev/kvm"'; do
	printf '{"zoneroot": "%s", "devices": %s}\n' "$root" "$devs" >"$TEST_TMP/bad.json"
	expect_fail zonecfg -z baddev -f "$TEST_TMP/bad.json"
	[[ "$LAST_STDERR" == *devices* ]] || fail "devices $devs: $LAST_STDERR"
	zonecfg -z baddev info >/dev/null 2>&1 && fail "devices $devs: the zone was defined"
done
echo "zone_devices: ok"
