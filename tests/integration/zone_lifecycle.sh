#!/bin/bash
# zone_lifecycle: a busybox zone goes configured -> installed -> running -> installed, through
# boot, halt, reboot and shutdown, and reboot and poweroff from inside; zlogin passes stdin, stdout, stderr and the exit status; the
# zone's PID namespace is published for the tracer while it runs; a joyent-minimal zone runs a
# single process and `boot -W` returns its exit status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

make_zone web '"brand": "joyent", "hostname": "webhost", "resolvers": ["192.0.2.53"]'
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:web:installed:'

expect_ok zoneadm -z web boot
expect_ok zoneadm list -v
expect_match "$LAST_STDOUT" 'web +running'
expect_ok zoneadm list
[ "$LAST_STDOUT" = web ] || fail "zoneadm list: $LAST_STDOUT"

# zlogin: stdio and the exit status
status=0
echo hello | zlogin web sh -c 'read x; echo "got $x"; echo oops >&2; exit 7' \
	>"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
[ "$status" -eq 7 ] || fail "zlogin returned $status, expected 7"
out=$(cat "$TEST_TMP/out")
[ "$out" = "got hello" ] || fail "zlogin stdout: '$out'"
[ "$(cat "$TEST_TMP/err")" = oops ] || fail "zlogin stderr: '$(cat "$TEST_TMP/err")'"
[ "$(zlogin web hostname)" = webhost ] || fail "hostname in the zone: $(zlogin web hostname)"
resolv=$(zlogin web cat /etc/resolv.conf)
grep -q '^nameserver 192.0.2.53$' <<<"$resolv" || fail "resolv.conf: $resolv"
expect_fail zlogin web /no/such/command
[ "$LAST_STATUS" -eq 127 ] || fail "a missing command gave $LAST_STATUS, not 127"

# the zone's init is PID 1 inside, busybox init
[ "$(zlogin web cat /proc/1/comm)" = init ] || fail "PID 1 in the zone is not init"

# the tracer's contract: run/zones/NAME/pidns is the inode of init's PID namespace
init=$(zone_init_pid web)
[ "$(cat "$BASALT_ROOT/run/zones/web/pidns")" = "$(stat -L -c %i "/proc/$init/ns/pid")" ] ||
	fail "pidns file does not match /proc/$init/ns/pid"

expect_fail zoneadm -z web boot
expect_match "$LAST_STDERR" "already running"
expect_fail zonecfg -z web delete
expect_match "$LAST_STDERR" "halt it first"

# reboot: a new init
expect_ok zoneadm -z web reboot
[ "$(zone_init_pid web)" != "$init" ] || fail "reboot kept the same init"
# reboot from inside: busybox init stops everything and calls reboot(2), which ends the PID
# namespace; the supervisor starts the zone again
init=$(zone_init_pid web)
zlogin web reboot
for _ in $(seq 300); do
	new=$(cat "$BASALT_ROOT/run/zones/web/init" 2>/dev/null || true)
	[ -n "$new" ] && [ "$new" != "$init" ] && break
	sleep 0.1
done
[ "$new" != "$init" ] || fail "the zone did not reboot itself"
[ "$(zlogin web hostname)" = webhost ] || fail "the rebooted zone does not answer"
init=$new

expect_ok zoneadm -z web shutdown -t 5
[ ! -e "$BASALT_ROOT/run/zones/web/pidns" ] || fail "pidns left after shutdown"
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:web:installed:'
kill -0 "$init" 2>/dev/null && fail "init $init survived"

expect_ok zoneadm -z web boot
expect_ok zoneadm -z web halt
[ ! -e "$BASALT_ROOT/run/zones/web" ] || fail "run dir left after halt"

# poweroff from inside halts the zone for good
expect_ok zoneadm -z web boot
zlogin web poweroff
for _ in $(seq 300); do
	[ -e "$BASALT_ROOT/run/zones/web" ] || break
	sleep 0.1
done
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:web:installed:'


# joyent-minimal: one process; boot -W waits and returns its status
make_zone one '"brand": "joyent-minimal", "init_name": "/bin/sh", "init_args": ["-c", "echo alone $$; exit 5"]'
status=0
zoneadm -z one boot -W >"$TEST_TMP/one.out" || status=$?
[ "$status" -eq 5 ] || fail "boot -W returned $status, expected 5"
grep -q 'alone 1' "$TEST_TMP/one.out" || fail "the single process was not PID 1: $(cat "$TEST_TMP/one.out")"
expect_ok zoneadm list -cp
expect_match "$LAST_STDOUT" '^-:one:installed:'

expect_ok zoneadm -z one uninstall
expect_ok zonecfg -z one delete
expect_ok zoneadm list -cp
[[ "$LAST_STDOUT" != *:one:* ]] || fail "deleted zone still listed"
echo "zone_lifecycle: ok"
