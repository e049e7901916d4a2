#!/bin/bash
# zone_userns: a zone with a uid_map runs in its own user namespace: root in the zone is uid
# 0 there but uid_map.host on the host, for its init and for what zlogin starts; files it
# makes belong to that host uid.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones
[ -e /proc/self/ns/user ] || skip "no user namespaces"

make_zone un '"uid_map": {"host": 300000, "count": 65536}'
# the zone's root (host uid 300000) must reach its root directory
chmod 755 "$TEST_TMP"
chown -R 300000:300000 "$TEST_TMP/un"
expect_ok zoneadm -z un boot
[ "$(stat -c %u "/proc/$(zone_init_pid un)")" = 300000 ] || fail "init is not host uid 300000"
[ "$(zlogin un id -u)" = 0 ] || fail "zlogin is not root in the zone"
expect_match "$(zlogin un cat /proc/self/uid_map)" '^ *0 +300000 +65536$'
zlogin un touch /root/made-here
[ "$(stat -c %u "$TEST_TMP/un/root/made-here")" = 300000 ] || fail "a file made in the zone is not host uid 300000"
zlogin un sleep 30 &
login=$!
for _ in $(seq 50); do pgrep -u 300000 -x sleep >/dev/null && break; sleep 0.1; done
pgrep -u 300000 -x sleep >/dev/null || fail "zlogin's command does not run as host uid 300000"
expect_ok zoneadm -z un halt
wait "$login" || true
echo "zone_userns: ok"
