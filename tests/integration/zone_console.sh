#!/bin/bash
# zone_console: on a real pty, `zlogin -C` attaches to the console of a booted busybox zone
# (its init runs a shell there), a command typed there runs in the zone, and "~." leaves the
# zone running; `zlogin -C` of an installed zone waits for its boot and shows its first output;
# `zlogin ZONE` gives an interactive shell on a pty whose exit status is zlogin's.
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

# the console of an installed zone, attached before it boots, shows its first words
make_zone early '"brand": "joyent-minimal", "init_name": "/bin/sh", "init_args": ["-c", "echo early-$((6*7)); exec sleep 600"]'
"$drive" 'expect:Waiting for zone' 'run:zoneadm -z early boot' 'expect:early-42' 'send:~.' \
	'expect:closed' -- zlogin -C early >"$TEST_TMP/early.log" ||
	fail "console before boot: $(cat "$TEST_TMP/early.log")"
expect_ok zoneadm -z early halt

# a zone that is only configured has no console to wait for
expect_ok zoneadm -z early uninstall
expect_fail zlogin -C early
expect_match "$LAST_STDERR" "not installed"
echo "zone_console: ok"
