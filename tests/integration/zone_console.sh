#!/bin/bash
# zone_console: on a real pty, `zlogin -C` attaches to the console of a booted busybox zone
# (its init runs a shell there), a command typed there runs in the zone, and "~." leaves the
# zone running; `zlogin ZONE` gives an interactive shell on a pty whose exit status is zlogin's.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones
drive=$TESTS_INTEGRATION_DIR/helpers/pty-drive.py

make_zone con '"hostname": "conhost"'
expect_ok zoneadm -z con boot

# the console: the shell busybox init keeps on it answers; ~. detaches
"$drive" 'expect:#' 'send:echo con$((40+2)) $(hostname)\r' 'expect:con42 conhost' \
	'send:\r~.' 'expect:closed' -- zlogin -C con >"$TEST_TMP/console.log" ||
	fail "console: $(cat "$TEST_TMP/console.log")"
zlogin con true || fail "the zone died when the console detached"

# an interactive shell on a pty, its exit status passed on
status=0
"$drive" 'expect:#' 'send:[ -t 0 ] && echo tty$((1+1))\r' 'expect:tty2' 'send:exit 3\r' \
	-- zlogin con >"$TEST_TMP/shell.log" || status=$?
[ "$status" -eq 3 ] || fail "interactive zlogin exited $status: $(cat "$TEST_TMP/shell.log")"

expect_ok zoneadm -z con halt
expect_fail zlogin -C con
expect_match "$LAST_STDERR" "not running"
echo "zone_console: ok"
