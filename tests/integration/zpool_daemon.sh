#!/bin/bash
# zpool_daemon.sh - the command path: the first command starts the pool daemon, which creates
# the embedded `zones` pool on a fresh state directory; clients arriving together start one
# daemon; the socket is root's only; `basalt zfsd --stop` stops it cleanly; a daemon killed
# mid-command leaves the client with one line and exit status 1.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

# help needs no daemon
expect_ok zfs --help
expect_match "$LAST_STDOUT" '^usage: zfs command'
expect_ok zfs list --help
expect_match "$LAST_STDOUT" '^usage: zfs list '
expect_ok "$BASALT" zfsd --help
[ ! -e "$BASALT_ROOT/run/zfsd.sock" ] || fail "--help started the daemon"

# several clients at once: one daemon, one default pool
for i in 1 2 3 4 5; do
	zpool list -H -o name >"$TEST_TMP/out.$i" 2>&1 &
done
wait
for i in 1 2 3 4 5; do
	[ "$(cat "$TEST_TMP/out.$i")" = zones ] || fail "client $i printed: $(cat "$TEST_TMP/out.$i")"
done
pid=$(cat "$BASALT_ROOT/run/zfsd.pid")
kill -0 "$pid" || fail "the daemon in the pid file is not running"
[ -f "$BASALT_ROOT/pools/zones.img" ] || fail "no default pool image"
[ "$(stat -c %a "$BASALT_ROOT/run/zfsd.sock")" = 600 ] || fail "the socket is not mode 0600"
expect_ok zfs list -H -o name,mountpoint zones
[ "$LAST_STDOUT" = "$(printf 'zones\t%s/zones' "$BASALT_ROOT")" ] || fail "zones: $LAST_STDOUT"

# a second daemon refuses to run beside the first
expect_fail "$BASALT" zfsd
expect_match "$LAST_STDERR" 'already running'

# only root may talk to it
if id nobody >/dev/null 2>&1; then
	chmod 755 "$BASALT_ROOT" "$BASALT_ROOT/run"
	expect_fail setpriv --reuid=nobody --regid=nogroup --clear-groups "$BASALT" zfs list
	[ "$LAST_STATUS" -eq 1 ] || fail "a non-root client exited $LAST_STATUS"
	expect_match "$LAST_STDERR" '^zfs: .*root'
	chmod 700 "$BASALT_ROOT/run"
fi

# stdout and stderr are the client's own: output of one command does not leak into another's
zfs list -H -o name zones >"$TEST_TMP/o1" 2>"$TEST_TMP/e1"
zfs list nosuch >"$TEST_TMP/o2" 2>"$TEST_TMP/e2" && fail "zfs list nosuch succeeded"
[ "$(cat "$TEST_TMP/o1")" = zones ] && [ ! -s "$TEST_TMP/e1" ] || fail "stdio mixed up (1)"
[ ! -s "$TEST_TMP/o2" ] && grep -q nosuch "$TEST_TMP/e2" || fail "stdio mixed up (2)"

# the daemon dies while a command runs: one line, exit status 1
mkfifo "$TEST_TMP/fifo"
zfs receive zones/x <"$TEST_TMP/fifo" >"$TEST_TMP/o3" 2>"$TEST_TMP/e3" &
client=$!
exec 9>"$TEST_TMP/fifo"
sleep 1
kill -9 "$pid"
status=0
wait "$client" || status=$?
exec 9>&-
[ "$status" -eq 1 ] || fail "the client exited $status when the daemon died"
[ "$(wc -l <"$TEST_TMP/e3")" -eq 1 ] || fail "the client printed: $(cat "$TEST_TMP/e3")"
grep -q 'daemon' "$TEST_TMP/e3" || fail "the client printed: $(cat "$TEST_TMP/e3")"

# the next command starts a new daemon, which finds the pool again
expect_ok zpool list -H -o name zones
newpid=$(cat "$BASALT_ROOT/run/zfsd.pid")
[ "$newpid" != "$pid" ] || fail "no new daemon"

# --stop: unmounted, socket and pid file gone, exit 0; twice is fine
expect_ok "$BASALT" zfsd --stop
state=$(ps -o stat= -p "$newpid" || true)
[ -z "$state" ] || [[ "$state" == Z* ]] || fail "the daemon still runs after --stop ($state)"
[ ! -e "$BASALT_ROOT/run/zfsd.sock" ] || fail "the socket is still there"
mountpoint -q "$BASALT_ROOT/zones" && fail "zones is still mounted"
expect_ok "$BASALT" zfsd --stop
exit 0
