#!/bin/bash
# zone_debian: a zone whose root is a full Debian userland (scripts/zone-image-debian, made
# once into the cache by debootstrap): its tools run through zlogin as on a Debian machine, and
# the zone is confined as any other (its bounding set, its own PID namespace).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones
"$REPO_DIR/scripts/zone-image-debian" "$TEST_TMP/deb" >"$TEST_TMP/debootstrap.log" 2>&1 ||
	skip "no Debian root: $(tail -n 1 "$TEST_TMP/debootstrap.log")"
printf '{"zoneroot": "%s", "brand": "joyent-minimal", "init_name": "/usr/bin/sleep", "init_args": ["infinity"], "resolvers": ["192.0.2.1"]}\n' \
	"$TEST_TMP/deb" >"$TEST_TMP/deb.json"
expect_ok zonecfg -z deb -f "$TEST_TMP/deb.json"
expect_ok zoneadm -z deb install
expect_ok zoneadm -z deb boot

expect_match "$(zlogin deb cat /etc/debian_version)" '^[0-9]+'
expect_match "$(zlogin deb dpkg-query -W -f '${Status}' coreutils)" 'install ok installed'
[ "$(zlogin deb bash -c 'echo $((6 * 7)) $(id -un)')" = "42 root" ] || fail "bash in the zone"
[ "$(zlogin deb perl -e 'print 40 + 2')" = 42 ] || fail "perl in the zone"
zlogin deb apt-get check >/dev/null || fail "apt-get check failed in the zone"
procs=$(zlogin deb bash -c 'ls -d /proc/[0-9]* | wc -l')
[ "$procs" -ge 2 ] && [ "$procs" -le 4 ] || fail "the zone sees $procs processes"
[ "$(zlogin deb cat /proc/1/comm)" = sleep ] || fail "PID 1 is not the zone's single process"
zlogin deb grep -q '^nameserver 192.0.2.1$' /etc/resolv.conf || fail "resolv.conf"
expect_ok zoneadm -z deb halt
echo "zone_debian: ok"
