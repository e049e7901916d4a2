#!/bin/bash
# zone_badinput: wrong input to zonecfg, zoneadm and zlogin gives one clear line on stderr, a
# non-zero exit and changes nothing: unknown zone, duplicate name and uuid, missing root,
# invalid caps and properties, conflicting IPs, booting an uninstalled zone, halting a zone
# that is not running.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

define() { # define NAME JSON-MEMBERS: zonecfg -z NAME -f with a file holding them
	printf '{%s}\n' "$2" >"$TEST_TMP/$1.json"
	zonecfg -z "$1" -f "$TEST_TMP/$1.json"
}
root=$TEST_TMP/image

# unknown zone, for every command
for cmd in "zoneadm -z nosuch boot" "zoneadm -z nosuch halt" "zoneadm -z nosuch install" \
	"zonecfg -z nosuch info" "zonecfg -z nosuch delete" "zlogin nosuch true" "zlogin -C nosuch" \
	"zonememstat -z nosuch"; do
	expect_fail $cmd
	expect_match "$LAST_STDERR" "zone 'nosuch' does not exist"
done
expect_fail zonecfg -z 'bad/name' info
expect_match "$LAST_STDERR" "not a valid zone name"

# invalid configurations: each names the property
expect_fail define z1 '"zoneroot": "'"$root"'", "max_physical_memory": -5'
expect_match "$LAST_STDERR" "max_physical_memory: .*out of range"
expect_fail define z1 '"zoneroot": "'"$root"'", "cpu_cap": "lots"'
expect_match "$LAST_STDERR" "cpu_cap: must be an integer"
expect_fail define z1 '"zoneroot": "'"$root"'", "max_lwps": 0'
expect_match "$LAST_STDERR" "max_lwps"
expect_fail define z1 '"zoneroot": "'"$root"'", "max_physical_memory": 512, "max_swap": 256'
expect_match "$LAST_STDERR" "max_swap: 256 is less than max_physical_memory 512"
expect_fail define z1 '"zoneroot": "'"$root"'", "brand": "bhyve"'
expect_match "$LAST_STDERR" "brand: 'bhyve'"
expect_fail define z1 '"zoneroot": "'"$root"'", "colour": "red"'
expect_match "$LAST_STDERR" "colour: unknown property"
expect_fail define z1 '"zoneroot": "'"$root"'", "nics": [{"nic_tag": "x", "ips": ["10.1.1.1"]}]'
expect_match "$LAST_STDERR" "nics\[0\]\.ips: '10.1.1.1' is not valid"
expect_fail define z1 '"zoneroot": "relative"'
expect_match "$LAST_STDERR" "zoneroot: an absolute path"
expect_fail define z1 '"zonename": "other", "zoneroot": "'"$root"'"'
expect_match "$LAST_STDERR" "differs from"
expect_fail define z1 '{'
expect_match "$LAST_STDERR" "invalid JSON"
expect_ok zoneadm list -c
[ -z "$LAST_STDOUT" ] || fail "a rejected zone was defined: $LAST_STDOUT"

# duplicates: name, uuid; conflicting IPs, within a zone and across zones
uuid=4f6c2a34-9f0e-4a7e-8a55-2d3f1c0b9e11
expect_ok define z1 '"zoneroot": "'"$root"'", "uuid": "'$uuid'", "nics": [{"nic_tag": "x", "ips": ["10.1.1.1/24"]}]'
expect_fail define z1 '"zoneroot": "'"$root"'"'
expect_match "$LAST_STDERR" "zone 'z1' already exists"
expect_fail define z2 '"zoneroot": "'"$root"'", "uuid": "'$uuid'"'
expect_match "$LAST_STDERR" "uuid $uuid"
expect_fail define z2 '"zoneroot": "'"$root"'", "nics": [{"nic_tag": "x", "ips": ["10.1.1.1/16"]}]'
expect_match "$LAST_STDERR" "10.1.1.1/16 is already used by zone 'z1'"
expect_fail define z2 '"zoneroot": "'"$root"'", "nics": [{"nic_tag": "x", "ips": ["10.2.1.1/24", "10.2.1.1/24"]}]'
expect_match "$LAST_STDERR" "given twice"

# lifecycle out of order
expect_fail zoneadm -z z1 boot
expect_match "$LAST_STDERR" "not installed"
expect_fail zoneadm -z z1 halt
expect_match "$LAST_STDERR" "not running"
expect_fail zlogin z1 true
expect_match "$LAST_STDERR" "not running"
expect_fail zonecfg -z z1 set cpu_cap=0x10
expect_match "$LAST_STDERR" "cpu_cap"

# missing root: install refuses; a root removed after install stops boot
expect_ok define z3 '"zoneroot": "'"$TEST_TMP"'/nowhere"'
expect_fail zoneadm -z z3 install
expect_match "$LAST_STDERR" "is not a directory"
make_zone z4
rm -rf "$TEST_TMP/z4"
expect_fail zoneadm -z z4 boot
expect_match "$LAST_STDERR" "is not a directory"
make_zone z5 '"init_name": "/sbin/nothing"'
expect_fail zoneadm -z z5 boot
expect_match "$LAST_STDERR" "/sbin/nothing does not exist"

# a failure inside the zone's first process is the reason given, and nothing is left
make_zone z6 '"filesystems": [{"source": "/nonexistent-source", "target": "/data"}]'
expect_fail zoneadm -z z6 boot
expect_match "$LAST_STDERR" "filesystems\[0\]\.source: /nonexistent-source: No such file"
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:z6:installed:'
[ -z "$(find /sys/fs/cgroup -maxdepth 2 -name "basalt-$(root_hash)-*")" ] || fail "cgroups left after a failed boot"

# a filesystem whose mount point in the zone's root leads through a link the zone made (to a
# host directory) is refused, and nothing is created on the host
make_zone z7 '"filesystems": [{"source": "/usr/share", "target": "/data/share"}]'
mkdir -p "$TEST_TMP/hostdir"
ln -s "$TEST_TMP/hostdir" "$TEST_TMP/z7/data"
expect_fail zoneadm -z z7 boot
expect_match "$LAST_STDERR" "filesystems\[0\]\.target: /data/share leads through a symbolic link"
[ -z "$(ls "$TEST_TMP/hostdir")" ] || fail "a mount point was made in a host directory"

# usage errors
expect_fail zoneadm -z z1 frobnicate
expect_fail zoneadm -z z1 shutdown -t never
expect_fail zlogin
[ -z "$(ls "$BASALT_ROOT/run/zones" 2>/dev/null)" ] || fail "runtime files left behind"
echo "zone_badinput: ok"
